#!/usr/bin/env bash
# `make demo`: provision the sample networks on the local engine and show them.
# `make demo-clean` removes what the demo made.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/env.sh
source scripts/env.sh
scripts/bootstrap.sh
scripts/engine.sh start
PARENT=npdemo0
inv=$(mktemp)
trap 'rm -f "$inv"' EXIT
echo "localhost ansible_connection=local ansible_python_interpreter=$ROOT/.venv/bin/python" > "$inv"
printf '[demo]\nlocalhost\n' >> "$inv"
if [ "${1:-}" = clean ]; then
  for n in demo-backend demo-db demo-lan; do
    .venv/bin/ansible -i "$inv" demo -m netprov.dockernet.docker_network -a "name=$n state=absent force=true" -o
  done
  ip link del "$PARENT" 2>/dev/null || true
  exit 0
fi
# The macvlan parent: a veth pair of the demo's own, never eth0.
ip link show "$PARENT" >/dev/null 2>&1 || ip link add "$PARENT" type veth peer name "${PARENT}p"
ip link set "$PARENT" up
.venv/bin/ansible-playbook -i "$inv" playbooks/demo.yml
