#!/usr/bin/env bash
# `make test`: install, start the engine if none answers, start the engines of
# the engine tier (scripts/engines.sh: fetched on first use, then cached), build
# the images, then run every tier: unit tests first (seconds), then these lanes
# at once:
#   integration  pytest-xdist workers (NETPROV_TEST_WORKERS, default 4), --dist
#                loadgroup: a file's tests on one engine stay on one worker, in
#                file order (tests/support/engine_matrix.py); no state
#                crosses files (each makes its own fleets and engines). The
#                engine tier runs on NETPROV_ENGINES (default 20.10,28.5).
#   molecule     the default scenario (one Docker-in-Docker host)
#   static       sanity, ansible-test units, docs-lint, changelog, ansible-lint
#   cores        the unit tests on every other ansible-core of the support
#                matrix and the floor leg (lowest docker SDK and pyroute2),
#                scripts/cores.sh unit others
#
# `make test-matrix` (scripts/test.sh matrix): what costs the most for what it
# adds beside `make test`, in these lanes at once; logs in
# tests/output/make-test-matrix:
#   integration  the engine tier alone (the modules marked engine_tier) on the
#                other engines of the matrix, NETPROV_ENGINES (default 26.1)
#   cores        the smoke tier on every ansible-core of the support matrix and
#                the floor leg, then ansible-test sanity on the lowest and the
#                highest ansible-core
#   faults       the fault sweep's pairs of faults (the second during the
#                rollback) on the machine's engine; the single faults run in
#                `make test` (tests/integration/test_fault_sweep.py)
# Integration tests mostly wait on engines, swarms and guests, so the lanes
# share the 2 cores well. Each lane logs to LOGS/LANE.log; a failed lane's log
# is printed at the end, with each stage's time and the ten slowest tests.
# Stops the engine at the end only if this run started it.
#
# Leaving tiers out (for a quick local loop; the summary names what was left
# out and the run is then never reported as a full pass):
#   NETPROV_SKIP_MOLECULE=1   no molecule lane (make test)
#   NETPROV_SKIP_STATIC=1     no static lane (make test)
#   NETPROV_SKIP_CORES=1      no cores lane
#   NETPROV_SKIP_FAULTS=1     no faults lane (make test-matrix)
#   NETPROV_PYTEST_ARGS=...   extra pytest arguments for the integration tier
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
source scripts/env.sh
MODE=${1:-test}
case "$MODE" in
  test) NAME="make test"; LOGS=tests/output/make-test; DEFAULT_ENGINES=20.10,28.5
        TLS_ENGINE=28.5 ;;  # tests/integration/test_engine_tls.py
  matrix) NAME="make test-matrix"; LOGS=tests/output/make-test-matrix; DEFAULT_ENGINES=26.1; TLS_ENGINE= ;;
  *) echo "usage: scripts/test.sh [test|matrix]" >&2; exit 2 ;;
esac
export NETPROV_ENGINES=${NETPROV_ENGINES:-$DEFAULT_ENGINES}
start=$(date +%s)
rm -rf "$LOGS" && mkdir -p "$LOGS"
exec 3>&1  # stage results reach the console from inside the lanes

scripts/bootstrap.sh || exit 1
cleanup=()  # commands run at exit, in order
# shellcheck disable=SC2317 # called by the EXIT trap
on_exit() { local c; for c in "${cleanup[@]}"; do eval "$c"; done; }
trap on_exit EXIT
# Stop the engine at the end only if this run started it.
if ! /usr/bin/docker version >/dev/null 2>&1; then
  scripts/engine.sh start || exit 1
  cleanup+=('scripts/engine.sh stop')
fi
scripts/test-image.sh || exit 1
# Each Docker-in-Docker test host's systemd takes about 7 inotify instances, all
# counted against root's; the lanes run up to about 16 hosts at once, and past
# the kernel's default of 128 new hosts stall at boot.
if [ "$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo 1024)" -lt 1024 ]; then
  echo "=== fs.inotify.max_user_instances raised to 1024 for the test hosts"
  sysctl -q -w fs.inotify.max_user_instances=1024 || echo "=== could not raise it: hosts may stall"
fi
# The engine tier's engines, held for this run (a lease: the last release stops
# an engine that a run started; one started by hand stays). A fresh machine
# fetches them here (apt-get download from the mirror the machine names, once).
t0=$(date +%s)
wanted=$(echo "${NETPROV_ENGINES//,/ } ${TLS_ENGINE}" | tr ' ' '\n' | sort -u | grep -v '^$' | tr '\n' ' ')
for v in $wanted; do
  scripts/engines.sh start "$v" --for $$ | grep -v '^unix://' || exit 1
  cleanup+=("scripts/engines.sh release $v $$ >/dev/null")
done
echo "=== engines (${wanted% }): ready in $(( $(date +%s) - t0 )) s"
if [ "$MODE" = test ]; then
  # Built once here, before the lanes that need it (the site fleet tests and molecule).
  t0=$(date +%s)
  scripts/fleet-image.sh >/dev/null || exit 1
  echo "=== fleet image: ready in $(( $(date +%s) - t0 )) s"
fi

left_out=()
if [ "$MODE" = test ]; then
  [ -z "${NETPROV_SKIP_MOLECULE:-}" ] || left_out+=("molecule (NETPROV_SKIP_MOLECULE)")
  [ -z "${NETPROV_SKIP_STATIC:-}" ] || left_out+=("static checks (NETPROV_SKIP_STATIC)")
else
  [ -z "${NETPROV_SKIP_FAULTS:-}" ] || left_out+=("fault pairs (NETPROV_SKIP_FAULTS)")
fi
[ -z "${NETPROV_SKIP_CORES:-}" ] || left_out+=("ansible-core matrix (NETPROV_SKIP_CORES)")
[ "$NETPROV_ENGINES" = "$DEFAULT_ENGINES" ] || left_out+=("engine tier on $NETPROV_ENGINES, not $DEFAULT_ENGINES")
[ -z "${NETPROV_PYTEST_ARGS:-}" ] || left_out+=("integration narrowed by NETPROV_PYTEST_ARGS='${NETPROV_PYTEST_ARGS}'")

# stage NAME CMD...: run one stage; its result line goes to LOGS/stages and the console.
stage() {
  local name=$1; shift
  local t0 rc
  t0=$(date +%s)
  "$@"; rc=$?
  echo "$name rc=$rc $(( $(date +%s) - t0 ))" >> "$LOGS/stages"
  echo "=== $name: $([ $rc -eq 0 ] && echo passed || echo "FAILED (rc=$rc)") in $(( $(date +%s) - t0 )) s" >&3
  return $rc
}

if [ "$MODE" = test ]; then
  stage unit .venv/bin/python -m pytest -q -p no:cacheprovider tests/unit > "$LOGS/unit.log" 2>&1 \
    || { cat "$LOGS/unit.log"; }
fi

# shellcheck disable=SC2317 # the lanes are called through lane()
integration_lane() {
  local only=()
  [ "$MODE" = test ] || only=(-m engine_tier)
  echo "engine tier on: $NETPROV_ENGINES"
  # shellcheck disable=SC2086 # NETPROV_PYTEST_ARGS is split into words on purpose
  stage integration .venv/bin/python -m pytest -q -p no:cacheprovider -n "${NETPROV_TEST_WORKERS:-4}" \
    --dist loadgroup --durations=10 --durations-min=1 -rfE --junitxml="$LOGS/integration.xml" "${only[@]}" \
    tests/integration ${NETPROV_PYTEST_ARGS:-}
}
# shellcheck disable=SC2317
static_lane() {
  local rc=0
  # bash, not the run bit: a lost run bit must not skip sanity.
  stage sanity bash scripts/sanity.sh || rc=1
  stage ansible-test-units bash scripts/units.sh || rc=1
  stage docs-lint bash scripts/docs-lint.sh || rc=1
  stage changelog bash scripts/changelog.sh --check || rc=1
  stage lint bash scripts/lint.sh || rc=1
  return "$rc"
}

# shellcheck disable=SC2317
cores_lane() {
  local rc=0
  export NETPROV_CORES_OUT=$LOGS/cores
  if [ "$MODE" = test ]; then
    # `others`: every leg but the ansible-core of .venv, whose unit tests ran in the unit stage
    stage cores-unit bash scripts/cores.sh unit others || rc=1
  else
    stage cores-smoke bash scripts/cores.sh smoke all || rc=1
    stage cores-sanity bash scripts/cores.sh sanity lowest highest || rc=1
  fi
  return "$rc"
}

# shellcheck disable=SC2317
faults_lane() {
  # The pairs alone (the single faults ran in make test); the figures go to tests/output/fault-sweep.json,
  # docs/reliability.md is left as it is (scripts/fault-sweep.sh --pairs regenerates it).
  export NETPROV_SWEEP_PAIRS=1
  stage fault-pairs .venv/bin/python -m pytest -q -p no:cacheprovider -rfE \
    --junitxml="$LOGS/fault-pairs.xml" -k test_pairs_of_faults tests/integration/test_fault_sweep.py
}

pids=()
lanes=()
lane() {  # NAME FUNCTION-OR-CMD...: start a lane in the background
  local name=$1; shift
  echo "=== $name: started (log: $LOGS/$name.log)"
  "$@" > "$LOGS/$name.log" 2>&1 &
  pids+=($!); lanes+=("$name")
}
lane integration integration_lane
if [ "$MODE" = test ]; then
  [ -n "${NETPROV_SKIP_MOLECULE:-}" ] || lane molecule stage molecule bash scripts/molecule.sh default
  [ -n "${NETPROV_SKIP_STATIC:-}" ] || lane static static_lane
else
  [ -n "${NETPROV_SKIP_FAULTS:-}" ] || lane faults faults_lane
fi
[ -n "${NETPROV_SKIP_CORES:-}" ] || lane cores cores_lane

status=0
[ "$MODE" != test ] || grep -q '^unit rc=0 ' "$LOGS/stages" || status=1
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    status=1
    echo; echo "=== ${lanes[$i]} FAILED: its log ($LOGS/${lanes[$i]}.log), last 400 lines"
    tail -n 400 "$LOGS/${lanes[$i]}.log"
  fi
done

echo
echo "=== stages (name, exit status, seconds)"
column -t "$LOGS/stages" 2>/dev/null || cat "$LOGS/stages"
echo "=== the ten slowest integration tests"
sed -n '/slowest 10 durations/,/^=\+ /p' "$LOGS/integration.log" | grep -E '^[0-9.]+s ' || echo "(none reported)"
grep -E '^[0-9]+ (passed|failed)|(passed|failed|error).* in [0-9.]+s' "$LOGS/integration.log" | tail -1
echo "=== the engine tier, per engine (tests passed, failed, skipped; seconds of test time, summed over workers)"
.venv/bin/python scripts/engine_tier_summary.py "$LOGS/integration.xml" || true
if [ -f "$LOGS/cores/results" ]; then
  echo "=== the ansible-core matrix (leg, tier, result, seconds, what ran)"
  column -t -s $'\t' "$LOGS/cores/results" 2>/dev/null || cat "$LOGS/cores/results"
  # A leg skipped for want of a Python is a tier left out, named.
  while IFS=$'\t' read -r leg tier result _rest; do
    [ "$result" != SKIPPED ] || left_out+=("ansible-core $leg $tier (no Python for it here)")
  done < "$LOGS/cores/results"
fi

# What this command ran, and what the other one runs (both are a full pass together: .ci/run).
if [ "$MODE" = test ]; then
  echo "$NAME ran: unit tests; integration (engine tier on $NETPROV_ENGINES); molecule; static checks;" \
       "unit tests on every other ansible-core"
  echo "$NAME leaves to make test-matrix: the engine tier on 26.1; the smoke tier on every ansible-core;" \
       "sanity on the lowest and highest ansible-core; the fault pairs"
else
  echo "$NAME ran: the engine tier on $NETPROV_ENGINES; the smoke tier on every ansible-core;" \
       "sanity on the lowest and highest ansible-core; the fault pairs"
  echo "$NAME leaves to make test: everything else (unit, integration, molecule, static checks, cores unit)"
fi
result=$([ $status -eq 0 ] && echo PASSED || echo FAILED)
if [ ${#left_out[@]} -gt 0 ]; then
  echo "$NAME: left out: $(IFS=';'; echo "${left_out[*]}")"
  [ $status -eq 0 ] && result="PASSED ONLY IN PART (tiers left out, above)"
fi
echo "$NAME: $result in $(( $(date +%s) - start )) s (engine tier on $NETPROV_ENGINES; load average $(cut -d' ' -f1-3 /proc/loadavg))"
exit $status
