#!/usr/bin/env bash
# ansible-lint (production profile) on roles/, playbooks/ and molecule/, from its own
# virtualenv .venv-lint (git-ignored), so its dependencies never move the
# pins of .venv. Exits 0 with a message while neither directory exists.
#
# Usage: scripts/lint.sh [extra ansible-lint args]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

targets=()
for d in roles playbooks molecule; do
  if [ -d "$d" ] && [ -n "$(git ls-files --cached --others --exclude-standard -- "$d")" ]; then targets+=("$d"); fi
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "lint: no roles/ or playbooks/ yet, nothing to lint"
  exit 0
fi

if [ ! -x .venv-lint/bin/ansible-lint ] || ! cmp -s requirements-lint.txt .venv-lint/.requirements 2>/dev/null; then
  echo "lint: building .venv-lint"
  python3 -m venv .venv-lint
  .venv-lint/bin/pip install -q --disable-pip-version-check -r requirements-lint.txt
  cp requirements-lint.txt .venv-lint/.requirements
fi

# The modules' EXAMPLES, as playbooks, held to the same profile.
.venv/bin/python scripts/lint_examples.py
targets+=(.build/lint-examples)

# Its own ansible first on PATH; the collection itself is found through
# ANSIBLE_COLLECTIONS_PATH (scripts/env.sh). --offline: Galaxy is not reachable.
export PATH="$ROOT/.venv-lint/bin:$PATH"
t0=$(date +%s)
rc=0
NO_COLOR=1 ansible-lint --offline --nocolor --profile production "$@" "${targets[@]}" || rc=$?
echo "lint: $([ "$rc" -eq 0 ] && echo PASSED || echo "FAILED (rc=$rc)") in $(( $(date +%s) - t0 )) s"
exit "$rc"
