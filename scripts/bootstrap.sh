#!/usr/bin/env bash
# Install what the tests and the demo need on a fresh Debian 12 machine:
# Debian packages, a pinned virtualenv, and the collection laid out under
# .build/collections/ansible_collections/netprov/dockernet (a symlink to
# this checkout) so Ansible and pytest import it by its FQCN.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

need=()
for pair in dockerd:docker.io iptables:iptables ip:iproute2 busybox:busybox-static gcc:gcc linux.uml:user-mode-linux modprobe:kmod ovs-vswitchd:openvswitch-switch ssh:openssh-client; do
  cmd=${pair%%:*}; pkg=${pair#*:}
  PATH=/usr/sbin:/sbin:$PATH command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "bootstrap: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ] || ! cmp -s requirements-test.txt .venv/.requirements 2>/dev/null; then
  echo "bootstrap: building .venv"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-test.txt
  cp requirements-test.txt .venv/.requirements
fi

mkdir -p .build/collections/ansible_collections/netprov
ln -sfn "$ROOT" .build/collections/ansible_collections/netprov/dockernet
