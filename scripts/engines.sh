#!/usr/bin/env bash
# Newer Docker Engines beside the system's (Debian's 26.1.5 and 28.5.2), each in
# its own network namespace: fetch | start | stop | status | socket. See
# scripts/engines.py for what each does and the address plan.
# The system's python3: this runs before (and without) the project's .venv.
exec /usr/bin/python3 "$(dirname "$0")/engines.py" "$@"
