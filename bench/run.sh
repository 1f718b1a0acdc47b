#!/usr/bin/env bash
# Build the bench's own virtualenv (.venv-bench, git-ignored) when needed, then
# run bench/run.py with the given arguments. See bench/README.md.
#
# The venv holds the repository's pinned ansible-core, the PyPI `ansible`
# package of the same ansible-core line (it bundles community.docker; Galaxy
# is not reachable here), the docker SDK and pyroute2 at the pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."

pin() { sed -n "s/^$1==\([^ ]*\).*/\1/p" requirements-test.txt; }
core=$(pin ansible-core)
minor=${core%.*}
# ansible 12.x is the package built on ansible-core 2.19.
case "$minor" in
  2.19) ansible_req='ansible>=12,<13' ;;
  2.20) ansible_req='ansible>=13,<14' ;;
  *) echo "bench/run.sh: no known ansible package for ansible-core $core; edit this table" >&2; exit 2 ;;
esac
want="ansible-core==$core $ansible_req docker==$(pin docker) pyroute2==$(pin pyroute2) PyYAML==$(pin PyYAML)"

if [ ! -x .venv-bench/bin/python ] || [ "$(cat .venv-bench/.requirements 2>/dev/null)" != "$want" ]; then
  echo "bench/run.sh: building .venv-bench ($want)" >&2
  python3 -m venv .venv-bench
  # shellcheck disable=SC2086  # $want is a list of requirement words
  .venv-bench/bin/pip install -q --disable-pip-version-check $want
  echo "$want" > .venv-bench/.requirements
fi

mkdir -p .build/collections/ansible_collections/netprov
[ -e .build/collections/ansible_collections/netprov/dockernet ] \
  || ln -sfn "$PWD" .build/collections/ansible_collections/netprov/dockernet

BENCH_COMMAND="bench/run.sh $*" exec .venv-bench/bin/python bench/run.py "$@"
