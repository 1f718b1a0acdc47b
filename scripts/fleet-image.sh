#!/usr/bin/env bash
# Build, once, the local systemd "host" image of the sample fleet: Debian
# bookworm from debootstrap (no registry is reachable), with systemd, its own
# Docker Engine, sshd, and the Python libraries the collection's modules need
# on a target (docker SDK, pyroute2, pinned as in requirements-test.txt),
# sudo (for logins as an unprivileged user that become root), and Debian's
# Open vSwitch (openvswitch-switch: ovsdb-server and ovs-vswitchd as systemd
# units; bridges use the userspace datapath, the kernel has no OVS datapath).
#
#   scripts/fleet-image.sh         Debian 12's layout: docker.io 20.10 (/usr/sbin/dockerd)
#   scripts/fleet-image.sh ce      Docker CE's layout, made from that image (scripts/fleet-image-ce.sh)
#   scripts/fleet-image.sh trixie  Debian 13: docker.io 26.1 (its CLI is docker-cli), the Python libraries from Debian's own
#                                  packages (python3-docker 7.1, python3-pyroute2 0.7.7), not pip
#
# The image is tagged with a hash of this recipe, so an unchanged recipe is
# reused and a changed one is rebuilt. Prints the image name on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKER=/usr/bin/docker
REPO=${NETPROV_FLEET_IMAGE_REPO:-netprov-fleet/host}
LAYOUT=${1:-debian}
PACKAGES=python3,iproute2,systemd,systemd-sysv,dbus,docker.io,iptables,openssh-server,procps,kmod,sudo,openvswitch-switch
# The target-side libraries, same pins as the controller's venv.
PIP_PINS=$(grep -E '^(docker|pyroute2)==' requirements-test.txt | sort | tr '\n' ' ')
SUITE=bookworm
case "$LAYOUT" in
  debian) ;;
  ce) ;;
  trixie) SUITE=trixie; REPO=$REPO-trixie; PACKAGES=$PACKAGES,docker-cli,python3-docker,python3-pyroute2; PIP_PINS= ;;
  *) echo "usage: $0 [debian|ce|trixie]" >&2; exit 2 ;;
esac
RECIPE_VERSION=6  # bump when the steps below change
hash=$(printf '%s|%s|%s%s' "$PACKAGES" "$PIP_PINS" "$RECIPE_VERSION" "${SUITE#bookworm}" | sha256sum | cut -c1-12)
IMAGE="$REPO:$hash"

if [ "$LAYOUT" = ce ]; then exec scripts/fleet-image-ce.sh "$(scripts/fleet-image.sh)"; fi
if "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then echo "$IMAGE"; exit 0; fi
# One build at a time: parallel test lanes and other checkouts on this machine may all ask for it.
exec 9>/tmp/netprov-fleet-image.lock
flock 9
if "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then echo "$IMAGE"; exit 0; fi

log() { echo "fleet-image: $*" >&2; }
if ! PATH=/usr/sbin:/sbin:$PATH command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
# The mirror this machine's apt uses (deb822 first, then the one-line format).
mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
if [ -z "$mirror" ]; then
  mirror=$(awk '/^deb / && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
  log "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
  exit 1
fi

t0=$(date +%s)
root=$(mktemp -d /var/tmp/netprov-fleet-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
log "debootstrap $SUITE from $mirror into $root (about a minute)"
PATH=/usr/sbin:/sbin:$PATH debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$mirror" >&2 \
  || { log "debootstrap failed; last lines of its log:"; tail -20 "$root/debootstrap/debootstrap.log" >&2 || true; exit 1; }

if [ -n "$PIP_PINS" ]; then
  log "installing $PIP_PINS into the image"
  pyver=$(chroot "$root" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  # shellcheck disable=SC2086 # the pins are words on purpose
  python3 -m pip install -q --disable-pip-version-check --no-compile --python-version "$pyver" \
    --only-binary=:all: --target "$root/usr/local/lib/python$pyver/dist-packages" $PIP_PINS 2>&1 \
    | { grep -v -e "^WARNING: Location 'file:" -e "^WARNING: Running pip as the 'root' user" >&2 || true; }
fi

# sshd: root by key only; no DNS lookups (there is no resolver in the fleet).
mkdir -p "$root/etc/ssh/sshd_config.d" "$root/root/.ssh"
cat > "$root/etc/ssh/sshd_config.d/netprov.conf" <<'EOF'
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
EOF
chmod 700 "$root/root/.ssh"
# Fresh host keys per container, made at boot, not baked into the image.
rm -f "$root"/etc/ssh/ssh_host_*
mkdir -p "$root/etc/systemd/system/ssh.service.d"
cat > "$root/etc/systemd/system/ssh.service.d/netprov-hostkeys.conf" <<'EOF'
[Service]
ExecStartPre=
ExecStartPre=/usr/bin/ssh-keygen -A
ExecStartPre=/usr/sbin/sshd -t
EOF
# A container has no consoles or hardware: units that only wait or fail there.
for unit in getty@tty1.service console-getty.service systemd-udevd.service systemd-udev-trigger.service \
            systemd-modules-load.service sys-kernel-config.mount sys-kernel-debug.mount; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
# Open vSwitch: the userspace datapath's internal ports are tap devices, and a
# container's /dev has no /dev/net/tun; ovs-vswitchd makes it before it starts.
mkdir -p "$root/etc/systemd/system/ovs-vswitchd.service.d"
cat > "$root/etc/systemd/system/ovs-vswitchd.service.d/netprov-tun.conf" <<'EOF'
[Service]
ExecStartPre=/bin/sh -c 'test -c /dev/net/tun || { mkdir -p /dev/net && mknod -m 0666 /dev/net/tun c 10 200; }'
EOF
# The engine's first start already uses addresses of the fleet's range (the
# machine's eth0 ranges are never used); the engine role then sets its own.
# log-driver is a key the engine role does not manage: it must survive the merge.
mkdir -p "$root/etc/docker"
cat > "$root/etc/docker/daemon.json" <<'EOF'
{
  "bip": "198.18.255.1/24",
  "default-address-pools": [{"base": "198.18.254.0/24", "size": 26}],
  "log-driver": "json-file"
}
EOF
: > "$root/etc/machine-id"
apt_clean() { rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root/debootstrap"; }
apt_clean

log "importing as $IMAGE"
tar -C "$root" -c . | "$DOCKER" import -c 'CMD ["/lib/systemd/systemd"]' -c 'ENV container=docker' - "$IMAGE" >/dev/null
log "built $IMAGE in $(( $(date +%s) - t0 )) s"
echo "$IMAGE"
