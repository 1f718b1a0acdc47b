#!/usr/bin/env bash
# The tested ansible-core support matrix: one virtualenv per ansible-core the
# collection declares (meta/runtime.yml: 2.16 and later), each the latest patch
# release pip finds for that minor, on a Python of this machine that the
# release supports as a controller; and the floor leg: the lowest ansible-core
# with the lowest docker SDK and pyroute2 that requirements.txt declares.
#
#   scripts/cores.sh list            the legs, their ansible-core and Python
#   scripts/cores.sh venvs  [LEG..]  build the missing virtualenvs (.venv-cores/LEG, cached)
#   scripts/cores.sh unit   [LEG..]  tests/unit with each leg's ansible-core
#   scripts/cores.sh smoke  [LEG..]  the smoke tier (tests/integration/test_smoke_cores.py):
#                                    the engine, interfaces and networks roles, check mode,
#                                    a real run and a second run, through each leg's
#                                    ansible-playbook, against a Docker-in-Docker host each
#   scripts/cores.sh sanity [LEG..]  ansible-test sanity with each leg's ansible-test
#
# LEG: a name from the table below, `lowest` (2.16), `highest` (2.21), `all`
# (the default) or `others` (all but the ansible-core of .venv, which the rest
# of the tests use). A leg whose ansible-core needs a Python this machine does not
# have is skipped with a line naming the interpreters it looked for. Every
# result (leg, tier, ansible-core, Python, result, seconds) is appended to
# tests/output/cores/results (NETPROV_CORES_OUT: another directory); the last
# lines printed are a table of them.
# NETPROV_CORES_REFRESH=1 rebuilds the virtualenvs (a newer patch release).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
VENVS=$ROOT/.venv-cores
OUT=${NETPROV_CORES_OUT:-$ROOT/tests/output/cores}
RESULTS=$OUT/results

# name | ansible-core | controller Pythons that release supports, preferred first | pins besides
# requirements-test.txt's. The docker SDK before 7.1 needs requests before 2.32 ("Not supported URL
# scheme http+docker"), and before 6.1 urllib3 1.x ("unexpected keyword argument 'chunked'").
LEGS='
2.16|ansible-core==2.16.*|3.11 3.12 3.10|
2.17|ansible-core==2.17.*|3.11 3.12 3.10|
2.18|ansible-core==2.18.*|3.11 3.12 3.13|
2.19|ansible-core==2.19.*|3.11 3.12 3.13|
2.20|ansible-core==2.20.*|3.12 3.13 3.14|
2.21|ansible-core==2.21.*|3.12 3.13 3.14|
floor|ansible-core==2.16.*|3.11 3.12 3.10|docker==6.0.0 pyroute2==0.9.1 requests<2.32 urllib3<2
'
LOWEST=2.16
HIGHEST=2.21

leg_field() {  # LEG N: field N (1-4) of LEG's row
  echo "$LEGS" | awk -F'|' -v leg="$1" -v n="$2" '$1 == leg {print $n}'
}
all_legs() { echo "$LEGS" | awk -F'|' 'NF > 1 {print $1}'; }

expand_legs() {  # the legs named on the command line, `lowest`/`highest`/`all` expanded
  local a
  [ $# -gt 0 ] || set -- all
  for a in "$@"; do
    case $a in
      all) all_legs ;;
      lowest) echo "$LOWEST" ;;
      highest) echo "$HIGHEST" ;;
      others) all_legs | grep -v -x -F "$(default_minor)" ;;
      *) if [ -n "$(leg_field "$a" 1)" ]; then echo "$a"
         else echo "cores: no leg '$a' (legs: $(all_legs | tr '\n' ' ')lowest highest all others)" >&2; return 2; fi ;;
    esac
  done
}

default_minor() {  # the ansible-core minor release of the checkout's .venv
  .venv/bin/python -c 'from importlib.metadata import version; print(".".join(version("ansible-core").split(".")[:2]))'
}

# find_python X.Y: an interpreter of that version with venv and ensurepip, else nothing.
# pyenv's shims are not used: they name versions that are not installed.
find_python() {
  local v=$1 p root
  root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
  for p in "$root"/versions/"$v".*/bin/python"$v" /usr/bin/python"$v" /usr/local/bin/python"$v"; do
    if [ -x "$p" ] && "$p" -c 'import venv, ensurepip' 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

leg_python() {  # LEG: the first of its Pythons the machine has
  local v
  for v in $(leg_field "$1" 3); do find_python "$v" && return 0; done
  return 1
}

# The floor leg's pins must stay the lowest that requirements.txt allows.
check_floor() {
  local pkg floor pin
  for pkg in docker pyroute2; do
    floor=$(sed -n "s/^$pkg>=\([0-9.]*\).*/\1/p" requirements.txt)
    pin=$(leg_field floor 4 | tr ' ' '\n' | sed -n "s/^$pkg==//p")
    case $pin in
      "$floor"|"$floor".*) ;;
      *) echo "cores: the floor leg pins $pkg==$pin, but requirements.txt declares $pkg>=$floor; make them agree" >&2
         return 1 ;;
    esac
  done
}

requirements() {  # LEG: the requirement lines of its virtualenv
  local leg=$1 extra pkg line
  extra=$(leg_field "$leg" 4)
  leg_field "$leg" 2
  while read -r line; do
    case $line in ''|'#'*|ansible-core*|pytest-xdist*) continue ;; esac
    pkg=${line%%[=<>]*}
    if ! tr ' ' '\n' <<<"$extra" | grep -q -i "^${pkg}[=<>]"; then echo "$line"; fi
  done < requirements-test.txt
  [ -z "$extra" ] || tr ' ' '\n' <<<"$extra"
}

# venv LEG: build (or keep) .venv-cores/LEG; returns 3 when the leg has no Python here.
venv() {
  local leg=$1 py dir spec t0
  dir=$VENVS/$leg
  if ! py=$(leg_python "$leg"); then
    echo "cores: $leg: SKIPPED: no Python $(leg_field "$leg" 3 | sed 's/ /, /g') on this machine" \
         "(ansible-core $leg needs one of them on the controller; looked in pyenv's versions, /usr/bin, /usr/local/bin)"
    return 3
  fi
  spec="$py $("$py" -c 'import platform; print(platform.python_version())')
$(requirements "$leg")"
  if [ -x "$dir/bin/ansible-playbook" ] && [ "$spec" = "$(cat "$dir/.netprov-spec" 2>/dev/null)" ] \
     && [ -z "${NETPROV_CORES_REFRESH:-}" ]; then
    return 0
  fi
  t0=$(date +%s)
  echo "cores: $leg: building $dir with $py"
  rm -rf "$dir"
  "$py" -m venv "$dir" || return 1
  requirements "$leg" > "$dir/requirements.txt"
  "$dir/bin/pip" install -q --disable-pip-version-check -r "$dir/requirements.txt" 2>&1 \
    | grep -v "^WARNING: Location 'file:" || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "cores: $leg: pip install failed"; return 1; }
  echo "$spec" > "$dir/.netprov-spec"
  echo "cores: $leg: $(describe "$leg") built in $(( $(date +%s) - t0 )) s"
}

describe() {  # LEG: "ansible-core X, Python Y[, docker Z, pyroute2 W]"
  "$VENVS/$1/bin/python" - "$1" <<'PY'
import platform, sys
from importlib.metadata import version
text = 'ansible-core %s, Python %s' % (version('ansible-core'), platform.python_version())
if sys.argv[1] == 'floor':
    text += ', docker %s, pyroute2 %s, requests %s, urllib3 %s' % tuple(
        version(p) for p in ('docker', 'pyroute2', 'requests', 'urllib3'))
print(text)
PY
}

record() {  # LEG TIER RESULT SECONDS
  local what='-'
  [ ! -x "$VENVS/$1/bin/python" ] || what=$(describe "$1")
  mkdir -p "$OUT"
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$what" >> "$RESULTS"
  echo "cores: $1 $2: $3 in $4 s ($what)"
}

# run_tier TIER LEG...: the tier in each leg's virtualenv, one after the other.
run_tier() {
  local tier=$1 leg t0 rc status=0 log
  shift
  mkdir -p "$OUT"
  for leg in "$@"; do
    venv "$leg"; rc=$?
    if [ $rc -eq 3 ]; then record "$leg" "$tier" SKIPPED 0; continue; fi
    [ $rc -eq 0 ] || { record "$leg" "$tier" "FAILED (virtualenv)" 0; status=1; continue; }
    t0=$(date +%s)
    log=$OUT/$tier-$leg.log
    "tier_$tier" "$leg" > "$log" 2>&1; rc=$?
    if [ $rc -eq 0 ]; then record "$leg" "$tier" passed $(( $(date +%s) - t0 ))
    else
      record "$leg" "$tier" "FAILED (rc=$rc)" $(( $(date +%s) - t0 )); status=1
      echo "--- $log, last 150 lines"; tail -n 150 "$log"
    fi
  done
  return $status
}

tier_unit() {
  local dir=$VENVS/$1
  # The collection from this checkout; conftest.py puts .build/collections first on sys.path.
  env ANSIBLE_COLLECTIONS_PATH="$ROOT/.build/collections" PATH="$dir/bin:$PATH" \
    "$dir/bin/python" -m pytest -q -p no:cacheprovider tests/unit
}

# run_smoke LEG...: the smoke tier of every leg in one pytest run (pytest from .venv; the playbooks
# run with each leg's ansible-playbook), one Docker-in-Docker host per leg, all started at once;
# then the roles' input checks (tests/integration/test_role_input.py) with each leg's.
run_smoke() {
  local leg rc t0 venvs=() legs=() status=0
  mkdir -p "$OUT"
  for leg in "$@"; do
    venv "$leg"; rc=$?
    if [ $rc -eq 3 ]; then record "$leg" smoke SKIPPED 0; continue; fi
    [ $rc -eq 0 ] || { record "$leg" smoke "FAILED (virtualenv)" 0; status=1; continue; }
    venvs+=("$VENVS/$leg"); legs+=("$leg")
  done
  [ ${#legs[@]} -gt 0 ] || return $status
  t0=$(date +%s)
  # shellcheck source=scripts/env.sh
  (source scripts/env.sh
   NETPROV_SMOKE_VENVS="${venvs[*]}" .venv/bin/python -m pytest -q -p no:cacheprovider -rA \
     --junitxml="$OUT/smoke.xml" tests/integration/test_smoke_cores.py tests/integration/test_role_input.py) \
     > "$OUT/smoke.log" 2>&1; rc=$?
  echo "cores: smoke of ${legs[*]}: pytest rc=$rc in $(( $(date +%s) - t0 )) s (log: $OUT/smoke.log)"
  # Each leg's own test, with its seconds (the hosts' start is in the first leg's).
  for leg in "${legs[@]}"; do
    read -r result secs < <(.venv/bin/python - "$OUT/smoke.xml" "$leg" <<'PY'
import sys
import xml.etree.ElementTree as ET
try:
    cases = [c for c in ET.parse(sys.argv[1]).iter('testcase')
             if sys.argv[2] in c.get('name', '').partition('[')[2].rstrip(']').split('-')]
except (OSError, ET.ParseError):
    cases = []
failed = [c for c in cases if c.find('failure') is not None or c.find('error') is not None]
skipped = [c for c in cases if c.find('skipped') is not None]
result = 'FAILED' if failed or not cases else 'SKIPPED' if len(skipped) == len(cases) else 'passed'
print(result, int(round(sum(float(c.get('time', 0)) for c in cases))))
PY
)
    record "$leg" smoke "$result" "$secs"
    [ "$result" = passed ] || status=1
  done
  [ $rc -eq 0 ] || { status=1; echo "--- $OUT/smoke.log, last 200 lines"; tail -n 200 "$OUT/smoke.log"; }
  return $status
}

tier_sanity() {
  local dir=$VENVS/$1 py
  py=$("$dir/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  # ansible-test --venv looks its Python up on PATH by name.
  # shellcheck disable=SC2031 # run_smoke's subshell changes its own PATH only
  NETPROV_ANSIBLE_VENV=$dir NETPROV_SANITY_PYTHON=$py NETPROV_SANITY_LABEL=sanity-$1 \
    PATH="$(dirname "$(readlink -f "$dir/bin/python")"):$PATH" bash scripts/sanity.sh
}

summary() {  # the rows this run added to RESULTS (make test's cores lane adds three runs' to one file)
  [ -f "$RESULTS" ] || return 0
  echo "=== cores: leg, tier, result, seconds, what ran"
  tail -n +"$((FIRST_ROW + 1))" "$RESULTS" | { column -t -s $'\t' 2>/dev/null || cat; }
}

cmd=${1:-}
[ $# -eq 0 ] || shift
FIRST_ROW=0
[ ! -f "$RESULTS" ] || FIRST_ROW=$(wc -l < "$RESULTS")
case $cmd in
  list)
    check_floor || exit 1
    chosen=$(expand_legs "$@") || exit 2
    for leg in $chosen; do
      if py=$(leg_python "$leg"); then
        echo "$leg: $(leg_field "$leg" 2) $(leg_field "$leg" 4) on $py$([ -x "$VENVS/$leg/bin/python" ] && echo " (built: $(describe "$leg"))")"
      else echo "$leg: no Python $(leg_field "$leg" 3) here: skipped"; fi
    done ;;
  venvs)
    check_floor || exit 1
    chosen=$(expand_legs "$@") || exit 2
    status=0
    for leg in $chosen; do venv "$leg"; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 3 ] || status=1; done
    exit $status ;;
  unit|smoke|sanity)
    check_floor || exit 1
    chosen=$(expand_legs "$@") || exit 2
    [ -x .venv/bin/python ] || scripts/bootstrap.sh || exit 1
    # shellcheck disable=SC2086 # one word per leg
    if [ "$cmd" = smoke ]; then run_smoke $chosen; else run_tier "$cmd" $chosen; fi; status=$?
    summary
    exit $status ;;
  *) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
