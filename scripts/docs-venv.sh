# shellcheck shell=bash
# Sourced by the docs, changelog and execution-environment scripts: builds
# .venv-docs (git-ignored) from requirements-docs.txt when missing or stale,
# then puts it first on PATH after scripts/env.sh's settings.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# One build at a time: the docs lint and the integration tests may ask for it at once.
mkdir -p "$ROOT/.build"
exec 8>"$ROOT/.build/venv-docs.lock"
flock 8
if [ ! -x "$ROOT/.venv-docs/bin/antsibull-docs" ] || ! cmp -s "$ROOT/requirements-docs.txt" "$ROOT/.venv-docs/.requirements" 2>/dev/null; then
  echo "docs: building .venv-docs"
  python3 -m venv "$ROOT/.venv-docs"
  if ! "$ROOT/.venv-docs/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements-docs.txt" \
      >"$ROOT/.venv-docs/pip.log" 2>&1; then
    cat "$ROOT/.venv-docs/pip.log"; echo "docs: pip install failed"; exit 1
  fi
  cp "$ROOT/requirements-docs.txt" "$ROOT/.venv-docs/.requirements"
fi
flock -u 8
export PATH="$ROOT/.venv-docs/bin:$PATH"
# The collection as Ansible sees it: .build/collections/ansible_collections/netprov/dockernet.
COLLECTION_DIR="$ROOT/.build/collections/ansible_collections/netprov/dockernet"
[ -e "$COLLECTION_DIR" ] || "$ROOT/scripts/bootstrap.sh"
