#!/usr/bin/env bash
# `ansible-test units` on this collection, offline: tests/unit in a virtualenv
# ansible-test builds (its own pytest, plus tests/unit/requirements.txt), on a
# copy of the collection under .build/units/ (git-ignored), like scripts/sanity.sh
# (the copy and the pip stand-in: scripts/ansible-test-lib.sh). The copy's
# tests/output keeps ansible-test's caches between runs.
#
# Usage: scripts/units.sh [extra ansible-test units args]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/ansible-test-lib.sh
[ -x .venv/bin/ansible-test ] || scripts/bootstrap.sh

PYVER=${NETPROV_UNITS_PYTHON:-3.11}
DEST=$ROOT/.build/units/ansible_collections/netprov/dockernet
t0=$(date +%s)
install_pip_standin
copy_tree "$DEST"

cd "$DEST"
echo "units: ansible-test units --venv --python $PYVER in $DEST"
set +e
env -u ANSIBLE_COLLECTIONS_PATH ansible-test units --venv --python "$PYVER" --color no "$@" 2>&1 \
  | grep --line-buffered -v -E "$PIP_CHATTER"
rc=${PIPESTATUS[0]}
echo "units: $([ "$rc" -eq 0 ] && echo PASSED || echo "FAILED (rc=$rc)") in $(( $(date +%s) - t0 )) s"
exit "$rc"
