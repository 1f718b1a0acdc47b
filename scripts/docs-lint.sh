#!/usr/bin/env bash
# The collection's documentation as users read it, checked:
# - antsibull-docs lint-collection-docs --plugin-docs: every module's and role's
#   DOCUMENTATION / EXAMPLES / RETURN and argument specs well formed, every
#   O(), RV(), M() reference pointing at something that exists, RST clean;
# - ansible-doc renders every module (plugins/modules/*.py) and every role
#   (roles/*/meta/argument_specs.yml), whatever exists now;
# - docker_networks' generated DOCUMENTATION is current (scripts/gen_docs.py);
# - every role entry point has version_added (for the changelog);
# - README.md names every module and role.
# Tools come from .venv-docs (scripts/docs-venv.sh). Called by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/docs-venv.sh
t0=$(date +%s)
rc=0

echo "docs-lint: antsibull-docs lint-collection-docs --plugin-docs"
(cd "$COLLECTION_DIR" && antsibull-docs lint-collection-docs --plugin-docs .) || rc=1

modules=()
for f in plugins/modules/*.py; do
  [ -e "$f" ] && modules+=("netprov.dockernet.$(basename "$f" .py)")
done
filters=()
for f in plugins/filter/*.yml; do
  [ -e "$f" ] && filters+=("netprov.dockernet.$(basename "$f" .yml)")
done
roles=()
for f in roles/*/meta/argument_specs.yml roles/*/meta/argument_specs.yaml; do
  [ -e "$f" ] && roles+=("netprov.dockernet.$(basename "$(dirname "$(dirname "$f")")")")
done
# Undocumented roles are not rendered by ansible-doc: name them.
for d in roles/*/; do
  [ -d "$d" ] || continue
  if [ ! -e "$d/meta/argument_specs.yml" ] && [ ! -e "$d/meta/argument_specs.yaml" ]; then
    echo "docs-lint: $d has no meta/argument_specs.yml, so ansible-doc cannot document it"; rc=1
  fi
done

check_doc() {  # type, names...: ansible-doc must render each (one call for all, as text)
  local type=$1; shift
  [ $# -gt 0 ] || return 0
  local name out
  if ! out=$(ANSIBLE_NOCOLOR=1 ansible-doc -t "$type" "$@" 2>&1) || grep -q '^\[WARNING\]\|^ERROR' <<<"$out"; then
    echo "docs-lint: ansible-doc -t $type failed:"; echo "$out" | grep -B2 -A5 'WARNING\|ERROR' | head -30; rc=1
  fi
  for name in "$@"; do
    # "> MODULE name (path)" for a module, "> ROLE: *name* (path)" for a role.
    grep -qE "^> ${type^^}:? \*?${name}[* ]" <<<"$out" || { echo "docs-lint: ansible-doc -t $type did not render $name"; rc=1; }
  done
  echo "docs-lint: ansible-doc -t $type renders $# ($*)"
}
check_doc module "${modules[@]}"
check_doc filter "${filters[@]}"
check_doc role "${roles[@]}"

.venv/bin/python scripts/gen_docs.py --check || rc=1

# Each role's entry points say since when they exist (antsibull-changelog lists
# a role under "New Roles" from version_added, as it does modules).
if [ ${#roles[@]} -gt 0 ]; then
  .venv/bin/python - "${roles[@]}" <<'PY' || rc=1
import sys, yaml
bad = []
for fqcn in sys.argv[1:]:
    name = fqcn.split('.')[-1]
    path = 'roles/%s/meta/argument_specs.yml' % name
    try:
        specs = yaml.safe_load(open(path))['argument_specs']
    except IOError:
        path = path[:-3] + 'yaml'
        specs = yaml.safe_load(open(path))['argument_specs']
    bad.extend('%s: entry point %s has no version_added' % (path, ep)
               for ep, spec in sorted(specs.items()) if not (spec or {}).get('version_added'))
for line in bad:
    print('docs-lint: ' + line)
sys.exit(1 if bad else 0)
PY
fi

# The README's tables name every module and role (a new one needs its row).
for name in "${modules[@]}" "${roles[@]}"; do
  grep -q "\`$name\`" README.md || { echo "docs-lint: README.md does not mention \`$name\`"; rc=1; }
done

echo "docs-lint: $([ "$rc" -eq 0 ] && echo PASSED || echo FAILED) in $(( $(date +%s) - t0 )) s"
exit "$rc"
