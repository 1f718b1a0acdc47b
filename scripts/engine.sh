#!/usr/bin/env bash
# Start or stop the local Docker Engine used by the tests and the demo.
# `start` starts dockerd only when nothing answers on the socket and records
# that it did, so `stop` only stops an engine this script started.
set -euo pipefail
SOCK=/var/run/docker.sock
STATE=${NETPROV_STATE_DIR:-/tmp/netprov-engine}
DOCKER=/usr/bin/docker
mkdir -p "$STATE"

answers() { "$DOCKER" -H "unix://$SOCK" version >/dev/null 2>&1; }

case "${1:-}" in
start)
  if answers; then echo "engine: already answering on $SOCK"; exit 0; fi
  # Test engines keep their own addresses inside 198.18.0.0/15.
  mkdir -p /etc/docker
  if [ ! -s /etc/docker/daemon.json ]; then
    cat > /etc/docker/daemon.json <<'JSON'
{
  "bip": "198.19.255.1/24",
  "default-address-pools": [{"base": "198.19.128.0/17", "size": 24}]
}
JSON
  fi
  # Its own session: a shell or job that ends must not take the engine with it.
  setsid nohup /usr/sbin/dockerd >"$STATE/dockerd.log" 2>&1 < /dev/null &
  echo $! > "$STATE/started.pid"
  for _ in $(seq 1 60); do answers && { echo "engine: started (pid $(cat "$STATE/started.pid"))"; exit 0; }; sleep 0.5; done
  echo "engine: dockerd did not answer within 30 s; last log lines:" >&2
  tail -20 "$STATE/dockerd.log" >&2
  exit 1
  ;;
stop)
  [ -f "$STATE/started.pid" ] || { echo "engine: not started by us, leaving it"; exit 0; }
  pid=$(cat "$STATE/started.pid"); rm -f "$STATE/started.pid"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || { echo "engine: stopped"; exit 0; }; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
