#!/usr/bin/env bash
# `ansible-test units` on this collection, offline: tests/unit in a virtualenv
# ansible-test builds (its own pytest, plus tests/unit/requirements.txt), on a
# copy of the collection under .build/units/ (git-ignored), the way
# scripts/sanity.sh runs sanity (scripts/ansible-test-lib.sh).
#
# Usage: scripts/units.sh [extra ansible-test units args]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/ansible-test-lib.sh
[ -x .venv/bin/ansible-test ] || scripts/bootstrap.sh
run_ansible_test units units "${NETPROV_UNITS_PYTHON:-3.11}" "$@"
