#!/usr/bin/env bash
# `ansible-test sanity` (every test) on this collection, offline.
#
# ansible-test wants the collection at .../ansible_collections/netprov/dockernet
# and resolves symlinks, so it runs on a copy of the collection under
# .build/sanity/ (git-ignored), kept between runs with ansible-test's caches.
# ansible-test bootstraps pip in each virtualenv with a script from a host that
# is not reachable here; a stand-in is installed in its place. Both are shared
# with scripts/units.sh (scripts/ansible-test-lib.sh).
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
# NETPROV_ANSIBLE_VENV, NETPROV_SANITY_PYTHON and NETPROV_SANITY_LABEL: another ansible-core's ansible-test,
# its Python and its own copy of the collection (scripts/cores.sh sanity).
run_ansible_test "${NETPROV_SANITY_LABEL:-sanity}" sanity "${NETPROV_SANITY_PYTHON:-3.11}" "$@"
