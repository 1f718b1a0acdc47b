#!/usr/bin/env bash
# A fleet host image with Docker CE's layout, made from the Debian-layout fleet
# image named as the argument (scripts/fleet-image.sh ce calls this). Docker's
# own package repository is not reachable from these machines, so the image
# stands in for a host that installed Docker CE's packages:
#
# - docker-ce, docker-ce-cli and containerd.io are dpkg packages, built here,
#   that own what Docker CE's packages install where they install it:
#   /usr/bin/dockerd, /usr/bin/docker-proxy, /usr/bin/docker-init, /usr/bin/docker,
#   /usr/bin/containerd*, /usr/bin/ctr, /usr/bin/runc, and the units
#   docker.service (ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock),
#   docker.socket and containerd.service under /lib/systemd/system;
# - Debian's docker.io, containerd and runc are removed (Docker CE's packages
#   conflict with them), so nothing is left under /usr/sbin;
# - the engine is Debian's 28.5.2 build (scripts/engines.sh fetch 28.5), so it
#   has `dockerd --validate` as Docker CE's current releases do; containerd and
#   runc are bookworm's.
#
# The three packages are also kept in /usr/local/share/netprov-ce/ so a test can
# remove them (a host without an engine) and put them back with dpkg -i.
# Tagged with a hash of the base image, the engine version and this script.
# Prints the image name on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKER=/usr/bin/docker
BASE=${1:?usage: $0 BASE_IMAGE}
REPO=${NETPROV_FLEET_IMAGE_REPO:-netprov-fleet/host}-ce
ENGINE=28.5.2   # scripts/engines.py's ENGINES['28.5']
CACHE=${NETPROV_ENGINES_CACHE:-/var/cache/netprov-engines}
hash=$(printf '%s|%s|%s' "$BASE" "$ENGINE" "$(sha256sum "$0" | cut -c1-64)" | sha256sum | cut -c1-12)
IMAGE="$REPO:$hash"

if "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then echo "$IMAGE"; exit 0; fi
exec 9>/tmp/netprov-fleet-image-ce.lock
flock 9
if "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then echo "$IMAGE"; exit 0; fi

log() { echo "fleet-image-ce: $*" >&2; }
scripts/engines.sh fetch 28.5 >&2
root="$CACHE/$ENGINE/root"
[ -x "$root/usr/sbin/dockerd" ] || { log "no dockerd under $root after scripts/engines.sh fetch 28.5"; exit 1; }

t0=$(date +%s)
name="netprov-fleet-ce-build-$$"
trap '"$DOCKER" rm -f "$name" >/dev/null 2>&1 || true' EXIT
"$DOCKER" rm -f "$name" >/dev/null 2>&1 || true
log "building $IMAGE from $BASE with Engine $ENGINE"
"$DOCKER" run -i --name "$name" -v "$root:/engine:ro" "$BASE" /bin/bash -s >&2 <<'EOF'
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
stage=/tmp/ce
engine_version="5:28.5.2-1~debian.12~bookworm"
containerd_version="$(dpkg-query -W -f '${Version}' containerd | sed 's/[~+].*//')-1"
pkg() {  # name version depends conflicts: an empty package tree with its control file
  mkdir -p "$stage/$1/DEBIAN"
  cat > "$stage/$1/DEBIAN/control" <<CONTROL
Package: $1
Version: $2
Architecture: amd64
Maintainer: netprov.dockernet test fleet <root@localhost>
Depends: $3
Conflicts: $4
Description: stand-in for Docker CE's $1 package (test fleet)
 Debian's binaries, placed where Docker CE's package puts them.
CONTROL
}
pkg containerd.io "$containerd_version" "libc6" "containerd, runc"
pkg docker-ce-cli "$engine_version" "libc6" "docker.io"
pkg docker-ce "$engine_version" "containerd.io, docker-ce-cli, iptables" "docker.io, docker-engine"

bin() { install -D -m 0755 "$1" "$stage/$2/usr/bin/$(basename "${3:-$1}")"; }
for f in $(dpkg -L containerd | grep '^/usr/bin/'); do bin "$f" containerd.io; done
bin /usr/sbin/runc containerd.io
bin /engine/usr/sbin/dockerd docker-ce
bin /engine/usr/sbin/docker-proxy docker-ce
bin "$(readlink -f /usr/bin/docker-init)" docker-ce docker-init
bin /engine/usr/bin/docker docker-ce-cli

units=lib/systemd/system
mkdir -p "$stage/docker-ce/$units" "$stage/containerd.io/$units"
cat > "$stage/docker-ce/$units/docker.service" <<'UNIT'
[Unit]
Description=Docker Application Container Engine
Documentation=https://docs.docker.com
After=network-online.target docker.socket firewalld.service containerd.service time-set.target
Wants=network-online.target containerd.service
Requires=docker.socket

[Service]
Type=notify
ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock
ExecReload=/bin/kill -s HUP $MAINPID
TimeoutStartSec=0
RestartSec=2
Restart=always
StartLimitBurst=3
StartLimitInterval=60s
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
Delegate=yes
KillMode=process
OOMScoreAdjust=-500

[Install]
WantedBy=multi-user.target
UNIT
cat > "$stage/docker-ce/$units/docker.socket" <<'UNIT'
[Unit]
Description=Docker Socket for the API

[Socket]
ListenStream=/run/docker.sock
SocketMode=0660
SocketUser=root
SocketGroup=docker

[Install]
WantedBy=sockets.target
UNIT
cat > "$stage/containerd.io/$units/containerd.service" <<'UNIT'
[Unit]
Description=containerd container runtime
Documentation=https://containerd.io
After=network.target local-fs.target dbus.service

[Service]
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/bin/containerd
Type=notify
Delegate=yes
KillMode=process
Restart=always
RestartSec=5
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
OOMScoreAdjust=-999

[Install]
WantedBy=multi-user.target
UNIT

keep=/usr/local/share/netprov-ce
mkdir -p "$keep"
for p in containerd.io docker-ce-cli docker-ce; do
  dpkg-deb --root-owner-group -Zgzip -z1 --build "$stage/$p" "$keep/$p.deb" >/dev/null
done
# No service starts or stops while packages change here (there is no systemd either).
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d
dpkg -r docker.io containerd runc >/dev/null
dpkg -i "$keep/containerd.io.deb" "$keep/docker-ce-cli.deb" "$keep/docker-ce.deb" >/dev/null
rm -f /usr/sbin/policy-rc.d
# What Docker CE's maintainer scripts do: the units are enabled (a removed package's units may have been masked).
for unit in docker.service docker.socket containerd.service; do
  rm -f "/etc/systemd/system/$unit"
done
ln -sf /lib/systemd/system/docker.service /etc/systemd/system/multi-user.target.wants/docker.service
ln -sf /lib/systemd/system/containerd.service /etc/systemd/system/multi-user.target.wants/containerd.service
mkdir -p /etc/systemd/system/sockets.target.wants
ln -sf /lib/systemd/system/docker.socket /etc/systemd/system/sockets.target.wants/docker.socket
rm -rf "$stage"
for f in /usr/sbin/dockerd /usr/sbin/docker-proxy /usr/sbin/runc; do
  [ ! -e "$f" ] || { echo "$f is still there" >&2; exit 1; }
done
/usr/bin/dockerd --version
/usr/bin/docker --version
dpkg-query -W docker-ce docker-ce-cli containerd.io
EOF
"$DOCKER" commit -c 'CMD ["/lib/systemd/systemd"]' -c 'ENV container=docker' "$name" "$IMAGE" >/dev/null
log "built $IMAGE in $(( $(date +%s) - t0 )) s"
echo "$IMAGE"
