#!/usr/bin/env bash
# The local sample fleet: N Docker-in-Docker "hosts" (systemd, sshd, their own
# Docker Engine) on one user-defined bridge network of the machine's engine,
# reached by Ansible over SSH with a throwaway key under .build/fleet/.
#
#   scripts/fleet.sh up      start (or keep) the hosts, wait until each engine
#                            answers, load the test image into each
#   scripts/fleet.sh down    remove the hosts, their volumes and the network
#   scripts/fleet.sh status  list the hosts
#
# Settings (environment): NETPROV_FLEET_PREFIX (netprov), NETPROV_FLEET_SIZE (3),
# NETPROV_FLEET_SUBNET (198.18.224.0/24; hosts get .11, .12, ...; the outer
# engine hands out only .2-.9, so the rest of the /24 stays free for the
# hosts' macvlan networks), NETPROV_FLEET_UNDERLAY (198.18.96.0/25: a second,
# internal network, eth1 on each host with .11, .12, ...: the underlay of the
# sample inventory's Open vSwitch VXLAN mesh, apart from the SSH path on eth0),
# NETPROV_FLEET_STATE (.build/fleet: the SSH key and
# known_hosts; a second fleet beside the demo's needs its own),
# NETPROV_FLEET_LAYOUTS (debian: each host's engine packaging, one word per host,
# the last word for the rest: debian is Debian's docker.io, ce Docker CE's layout,
# see scripts/fleet-image-ce.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKER=/usr/bin/docker
PREFIX=${NETPROV_FLEET_PREFIX:-netprov}
SIZE=${NETPROV_FLEET_SIZE:-3}
SUBNET=${NETPROV_FLEET_SUBNET:-198.18.224.0/24}
NET="$PREFIX-fleet"
BASE=${SUBNET%.*}          # 198.18.224
UNDERLAY=${NETPROV_FLEET_UNDERLAY:-198.18.96.0/25}
UNET="$PREFIX-underlay"
UBASE=${UNDERLAY%.*}       # 198.18.96
STATE=${NETPROV_FLEET_STATE:-.build/fleet}
KEY=$STATE/id_ed25519
TEST_IMAGE=${NETPROV_TEST_IMAGE:-netprov-test/busybox:latest}
read -r -a LAYOUTS <<< "${NETPROV_FLEET_LAYOUTS:-debian}"

log() { echo "fleet: $*" >&2; }
hosts() { for i in $(seq 1 "$SIZE"); do echo "$PREFIX-host$i"; done; }
sh_in() { local h=$1; shift; "$DOCKER" exec "$h" sh -c "$*"; }

# The flags that give a systemd host container its own working dockerd here,
# without --privileged (which fails on this machine: CAP_SYS_RESOURCE is not in
# the bounding set). See /work/shared/TESTBED.md.
HOST_FLAGS=(
  --cap-add=ALL --cap-drop=SYS_RESOURCE
  --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined
  --device-cgroup-rule='a *:* rwm' --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw
  --tmpfs /run --tmpfs /run/lock
)

wait_host() {  # name: systemd up, docker.service active, the engine answering, sshd listening, OVS running
  local h=$1 state=""
  for _ in $(seq 1 120); do
    state=$("$DOCKER" exec "$h" systemctl is-system-running 2>/dev/null || true)
    case "$state" in
      running|degraded)
        if sh_in "$h" 'systemctl is-active -q docker.service && docker version >/dev/null 2>&1 && systemctl is-active -q ssh.service &&
                     { [ ! -e /lib/systemd/system/ovs-vswitchd.service ] || systemctl is-active -q ovs-vswitchd.service; }' 2>/dev/null; then
          return 0
        fi ;;
    esac
    sleep 1
  done
  log "$h: not ready after 120 s (systemd: ${state:-?}); failed units:"
  "$DOCKER" exec "$h" systemctl --failed --no-pager >&2 || true
  # Every host's systemd takes about 7 inotify instances, all counted against root's limit on this machine:
  # past it, .path units fail and systemd never finishes starting.
  local used max
  used=$(find /proc/[0-9]*/fd -lname 'anon_inode:inotify' 2>/dev/null | wc -l)
  max=$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo '?')
  log "inotify instances in use on this machine: $used of fs.inotify.max_user_instances=$max" \
      "(raise it when they are close: sysctl -w fs.inotify.max_user_instances=1024)"
  "$DOCKER" exec "$h" journalctl -u docker.service --no-pager -n 20 >&2 || true
  return 1
}

layout_of() {  # host number -> its layout word
  local i=$1
  [ "$i" -le "${#LAYOUTS[@]}" ] || i=${#LAYOUTS[@]}
  echo "${LAYOUTS[$((i - 1))]}"
}

up() {
  local image t0 i h
  declare -A images
  t0=$(date +%s)
  for i in $(seq 1 "$SIZE"); do
    [ -n "${images[$(layout_of "$i")]:-}" ] || images[$(layout_of "$i")]=$(scripts/fleet-image.sh "$(layout_of "$i")")
  done
  scripts/test-image.sh
  mkdir -p "$STATE"
  [ -f "$KEY" ] || ssh-keygen -q -t ed25519 -N '' -C netprov-fleet -f "$KEY"
  if ! "$DOCKER" network inspect "$NET" >/dev/null 2>&1; then
    "$DOCKER" network create --driver bridge --subnet "$SUBNET" --ip-range "$BASE.0/28" --gateway "$BASE.1" \
      --label netprov.fleet=true "$NET" >/dev/null
    log "network $NET ($SUBNET)"
  fi
  # Internal: it never gives a host its default route, which stays on eth0.
  if ! "$DOCKER" network inspect "$UNET" >/dev/null 2>&1; then
    "$DOCKER" network create --driver bridge --internal --subnet "$UNDERLAY" --ip-range "$UBASE.0/28" \
      --gateway "$UBASE.1" --label netprov.fleet=true "$UNET" >/dev/null
    log "network $UNET ($UNDERLAY, the underlay)"
  fi
  i=0
  for h in $(hosts); do
    i=$((i + 1))
    image=${images[$(layout_of "$i")]}
    if "$DOCKER" container inspect "$h" >/dev/null 2>&1; then
      if [ "$("$DOCKER" container inspect -f '{{.Config.Image}}' "$h")" != "$image" ]; then
        log "$h runs an older image; run '$0 down' first to rebuild the fleet"
      fi
      "$DOCKER" start "$h" >/dev/null
    else
      "$DOCKER" run -d --name "$h" --hostname "host$i" --label netprov.fleet=true \
        --network "$NET" --ip "$BASE.$((10 + i))" \
        "${HOST_FLAGS[@]}" -v "$h-docker:/var/lib/docker" "$image" >/dev/null
      log "$h started ($BASE.$((10 + i)), $(layout_of "$i") layout)"
    fi
    # The second link, eth1 (connected after eth0: the names sort the same way when the host restarts).
    # shellcheck disable=SC2016 # a Go template, not shell
    if ! "$DOCKER" container inspect -f '{{range $n, $_ := .NetworkSettings.Networks}}{{$n}} {{end}}' "$h" | grep -qw -- "$UNET"; then
      "$DOCKER" network connect --ip "$UBASE.$((10 + i))" "$UNET" "$h"
    fi
  done
  : > "$STATE/known_hosts.new"
  i=0
  for h in $(hosts); do
    i=$((i + 1))
    wait_host "$h"
    "$DOCKER" exec -i "$h" sh -c 'umask 077; mkdir -p /root/.ssh; cat > /root/.ssh/authorized_keys' < "$KEY.pub"
    if ! "$DOCKER" exec "$h" docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
      "$DOCKER" save "$TEST_IMAGE" | "$DOCKER" exec -i "$h" docker load -q >/dev/null
    fi
    # The host's own keys, made at its first boot, so SSH can check them strictly.
    "$DOCKER" exec "$h" sh -c 'cat /etc/ssh/ssh_host_ed25519_key.pub' \
      | awk -v ip="$BASE.$((10 + i))" '{print ip, $1, $2}' >> "$STATE/known_hosts.new"
  done
  mv "$STATE/known_hosts.new" "$STATE/known_hosts"
  log "$SIZE hosts up in $(( $(date +%s) - t0 )) s: $(hosts | tr '\n' ' ')"
}

down() {
  local h
  for h in $(hosts); do
    if "$DOCKER" container inspect "$h" >/dev/null 2>&1; then
      "$DOCKER" rm -f -v "$h" >/dev/null && log "$h removed"
    fi
    "$DOCKER" volume rm "$h-docker" >/dev/null 2>&1 || true
  done
  for n in "$NET" "$UNET"; do
    if "$DOCKER" network inspect "$n" >/dev/null 2>&1; then
      "$DOCKER" network rm "$n" >/dev/null && log "network $n removed"
    fi
  done
  rm -f "$STATE/known_hosts"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) "$DOCKER" ps -a --filter label=netprov.fleet=true --filter "name=^$PREFIX-host" \
            --format 'table {{.Names}}\t{{.Status}}\t{{.Image}}' ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
