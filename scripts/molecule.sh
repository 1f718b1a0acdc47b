#!/usr/bin/env bash
# Molecule scenarios on the fleet's Docker-in-Docker host image, from their own
# virtualenv (.venv-molecule, git-ignored).
#   scripts/molecule.sh [scenario...]      default: every scenario (default fleet)
#   NETPROV_MOLECULE_CMD=converge scripts/molecule.sh default   another molecule command
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
scripts/bootstrap.sh
scripts/engine.sh start
scripts/test-image.sh

if [ ! -x .venv-molecule/bin/molecule ] || ! cmp -s requirements-molecule.txt .venv-molecule/.requirements 2>/dev/null; then
  echo "molecule: building .venv-molecule"
  python3 -m venv .venv-molecule
  .venv-molecule/bin/pip install -q --disable-pip-version-check -r requirements-molecule.txt
  cp requirements-molecule.txt .venv-molecule/.requirements
fi
NETPROV_FLEET_IMAGE=$(scripts/fleet-image.sh)
export NETPROV_FLEET_IMAGE
export PATH="$ROOT/.venv-molecule/bin:$PATH"
# The collection from this checkout first, then the bundled community.docker.
export ANSIBLE_COLLECTIONS_PATH="${NETPROV_MOLECULE_COLLECTIONS:-$ROOT/.build/collections}"
unset ANSIBLE_PYTHON_INTERPRETER  # the hosts use their own /usr/bin/python3 (set in each scenario)
export ANSIBLE_LOCALHOST_WARNING=false DOCKER_HOST=unix:///var/run/docker.sock
# The engine's own CLI: /usr/local/bin/docker is newer than this engine.
mkdir -p .build/molecule-bin && ln -sfn /usr/bin/docker .build/molecule-bin/docker
export PATH="$ROOT/.build/molecule-bin:$PATH"

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(default fleet)
status=0
for s in "${scenarios[@]}"; do
  t0=$(date +%s)
  rc=0
  molecule "${NETPROV_MOLECULE_CMD:-test}" -s "$s" || rc=$?
  # The hosts' engine volumes outlive molecule's destroy.
  if [ "${NETPROV_MOLECULE_CMD:-test}" = test ] || [ "${NETPROV_MOLECULE_CMD:-}" = destroy ]; then
    /usr/bin/docker volume ls -q --filter "name=^netprov-mol-$s" | xargs -r /usr/bin/docker volume rm >/dev/null || true
  fi
  echo "molecule $s: $([ $rc -eq 0 ] && echo PASSED || echo "FAILED (rc=$rc)") in $(( $(date +%s) - t0 )) s"
  [ $rc -eq 0 ] || status=1
done
exit $status
