#!/usr/bin/env bash
# Build the small local test image from busybox-static with `docker import`
# (no registry is reachable). Gives sh, ip, ping, nc, nslookup, sleep.
set -euo pipefail
IMAGE=${NETPROV_TEST_IMAGE:-netprov-test/busybox:latest}
DOCKER=/usr/bin/docker
if "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then exit 0; fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp"
cp /bin/busybox "$dir/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
done
echo 'root:x:0:0:root:/:/bin/sh' > "$dir/etc/passwd"
tar -C "$dir" -c . | "$DOCKER" import -c 'CMD ["/bin/sleep", "infinity"]' - "$IMAGE" >/dev/null
echo "test image: built $IMAGE"
