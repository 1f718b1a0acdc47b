#!/usr/bin/env bash
# `ansible-test sanity` (every test) on this collection, offline.
#
# ansible-test wants the collection at .../ansible_collections/netprov/dockernet
# and resolves symlinks, so the tracked files (plus untracked, not ignored ones,
# so it works before a commit) are copied into .build/sanity/ (git-ignored).
# That copy is kept between runs: ansible-test keeps its delegation virtualenv
# in the copy's tests/output/.tmp and the per-test virtualenvs in
# ~/.ansible/test/venv, so a second run reuses both.
#
# ansible-test bootstraps pip in each virtualenv with a script from a host that
# is not reachable here; scripts/get_pip_standin.py is installed in its place.
#
# Usage: scripts/sanity.sh [extra ansible-test sanity args, e.g. --test pep8]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
[ -x .venv/bin/ansible-test ] || scripts/bootstrap.sh
# The shellcheck sanity test is skipped (with only a warning) without it.
if ! command -v shellcheck >/dev/null; then
  echo "sanity: installing shellcheck"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
fi

PYVER=${NETPROV_SANITY_PYTHON:-3.11}
DEST=$ROOT/.build/sanity/ansible_collections/netprov/dockernet
t0=$(date +%s)

# 1. The pip bootstrap stand-in, under the name this ansible-test asks for.
pip_version=$(.venv/bin/python - <<'PY'
import os, re, ansible_test
src = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
m = re.search(r"default_packages = dict\(\s*pip='([0-9.]+)'", open(src).read())
print(m.group(1) if m else '24.2')
PY
)
cache=~/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$cache")"
cmp -s scripts/get_pip_standin.py "$cache" || cp scripts/get_pip_standin.py "$cache"

# 2. The copy: drop what is no longer in the tree, keep tests/output (caches).
# ansible-test looks upwards for a .git and would find this worktree's (where
# .build is ignored, so it would see no files): give the copy its own empty
# repository; ansible-test then lists its untracked, not ignored files.
mkdir -p "$DEST"
find "$DEST" -mindepth 1 \( -path "$DEST/tests/output" -o -path "$DEST/.git" \) -prune -o ! -type d -print0 | xargs -0r rm -f
find "$DEST" -mindepth 1 -depth -type d -empty ! -path "$DEST/tests/output*" ! -path "$DEST/.git*" -delete
[ -d "$DEST/.git" ] || git init -q "$DEST"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done \
  | tar --null -T - -cf - | tar -xf - -C "$DEST"

# 3. Run every sanity test. ANSIBLE_COLLECTIONS_PATH would point Ansible at
# the worktree instead of the copy; ansible-test sets its own.
cd "$DEST"
echo "sanity: ansible-test sanity --venv --python $PYVER in $DEST"
# ansible-test does not pass PIP_* variables on to the pip runs that build its
# virtualenvs (first run only), so their per-package chatter is filtered here.
pip_chatter='^(Looking in (indexes|links): |Collecting |  Downloading |Processing /|  Using cached |WARNING: Location .* is ignored: |     [^ ]* [0-9.]+/[0-9.]+ [kM]B )'
set +e
env -u ANSIBLE_COLLECTIONS_PATH ansible-test sanity --venv --python "$PYVER" --color no "$@" 2>&1 \
  | grep --line-buffered -v -E "$pip_chatter"
rc=${PIPESTATUS[0]}
echo "sanity: $([ "$rc" -eq 0 ] && echo PASSED || echo "FAILED (rc=$rc)") in $(( $(date +%s) - t0 )) s"
exit "$rc"
