#!/usr/bin/env bash
# `make test`: install, start the engine if none answers, build the test
# image, then run unit tests, integration tests and ansible-test sanity.
# Stops the engine at the end only if this run started it.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
source scripts/env.sh
start=$(date +%s)

scripts/bootstrap.sh || exit 1
# Stop the engine at the end only if this run started it.
if ! /usr/bin/docker version >/dev/null 2>&1; then
  scripts/engine.sh start || exit 1
  trap 'scripts/engine.sh stop' EXIT
fi
scripts/test-image.sh || exit 1

status=0
run() {  # name, command...; pytest's 5 (no tests) counts as a failure
  local name=$1; shift
  echo "=== $name"
  local t0; t0=$(date +%s)
  "$@"; local rc=$?
  echo "=== $name: rc=$rc in $(( $(date +%s) - t0 )) s"
  [ $rc -eq 0 ] || status=1
}

run unit        .venv/bin/python -m pytest -q -p no:cacheprovider tests/unit
# shellcheck disable=SC2086 # NETPROV_PYTEST_ARGS is split into words on purpose
run integration .venv/bin/python -m pytest -q -p no:cacheprovider tests/integration ${NETPROV_PYTEST_ARGS:-}
# Molecule's default scenario: one Docker-in-Docker host, converge, idempotence,
# verify (about 3 min; the fleet scenario runs with `make molecule`).
[ -n "${NETPROV_SKIP_MOLECULE:-}" ] || run molecule scripts/molecule.sh default
if [ -x scripts/sanity.sh ]; then run sanity scripts/sanity.sh; fi
run ansible-test-units scripts/units.sh
run docs-lint scripts/docs-lint.sh
run changelog scripts/changelog.sh --check
run lint scripts/lint.sh

echo "make test: $([ $status -eq 0 ] && echo PASSED || echo FAILED) in $(( $(date +%s) - start )) s"
exit $status
