#!/usr/bin/env bash
# `ansible-test sanity` (every test) on this collection, offline.
#
# ansible-test wants the collection at .../ansible_collections/netprov/dockernet
# and resolves symlinks, so the collection is copied into .build/sanity/
# (git-ignored). That copy is kept between runs: ansible-test keeps its
# delegation virtualenv in the copy's tests/output/.tmp and the per-test
# virtualenvs in ~/.ansible/test/venv, so a second run reuses both.
# ansible-test bootstraps pip in each virtualenv with a script from a host that
# is not reachable here; a stand-in is installed in its place. Both steps are
# shared with scripts/units.sh (scripts/ansible-test-lib.sh).
#
# Usage: scripts/sanity.sh [extra ansible-test sanity args, e.g. --test pep8]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/ansible-test-lib.sh
[ -x .venv/bin/ansible-test ] || scripts/bootstrap.sh
# The shellcheck sanity test is skipped (with only a warning) without it.
if ! command -v shellcheck >/dev/null; then
  echo "sanity: installing shellcheck"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
fi

PYVER=${NETPROV_SANITY_PYTHON:-3.11}
DEST=$ROOT/.build/sanity/ansible_collections/netprov/dockernet
t0=$(date +%s)

# 1. The pip bootstrap stand-in (scripts/ansible-test-lib.sh).
install_pip_standin

# 2. The copy (scripts/ansible-test-lib.sh), refreshed; tests/output (caches) is kept.
copy_tree "$DEST"

# 3. Run every sanity test. ANSIBLE_COLLECTIONS_PATH would point Ansible at
# the worktree instead of the copy; ansible-test sets its own.
cd "$DEST"
echo "sanity: ansible-test sanity --venv --python $PYVER in $DEST"
# pip's chatter while ansible-test builds its virtualenvs (first run only) is filtered.
set +e
env -u ANSIBLE_COLLECTIONS_PATH ansible-test sanity --venv --python "$PYVER" --color no "$@" 2>&1 \
  | grep --line-buffered -v -E "$PIP_CHATTER"
rc=${PIPESTATUS[0]}
echo "sanity: $([ "$rc" -eq 0 ] && echo PASSED || echo "FAILED (rc=$rc)") in $(( $(date +%s) - t0 )) s"
exit "$rc"
