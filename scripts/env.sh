# shellcheck shell=bash
# Sourced by the Makefile's scripts: where the collection and the venv live.
# Interpreter discovery picks a broken pyenv shim on these machines, so the
# venv's python is named explicitly for every local host.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.build/collections"
export ANSIBLE_PYTHON_INTERPRETER="$ROOT/.venv/bin/python"
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export PATH="$ROOT/.venv/bin:/usr/sbin:/sbin:$PATH"
