#!/usr/bin/env bash
# The fault-injection sweep on the machine's engine (tests/integration/test_fault_sweep.py): every plan kind,
# every request refused or its answer dropped; with --pairs also every pair of faults (the second during the
# rollback) on the recreate and reconnect plans. Writes tests/output/fault-sweep.json and regenerates the
# figures section of docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
scripts/engine.sh start
scripts/test-image.sh
pairs=0
if [ "${1:-}" = "--pairs" ]; then
    pairs=1
fi
NETPROV_SWEEP_DOCS=1 NETPROV_SWEEP_PAIRS=$pairs .venv/bin/python -m pytest -q -p no:cacheprovider \
    tests/integration/test_fault_sweep.py
