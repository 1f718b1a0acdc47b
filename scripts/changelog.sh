#!/usr/bin/env bash
# The changelog: changelogs/changelog.yaml and CHANGELOG.md from the fragments
# under changelogs/fragments (kept: keep_fragments is true) and the modules'
# version_added, with antsibull-changelog from .venv-docs.
#
# Until the galaxy.yml version is tagged as released, its entry is rebuilt from
# every fragment on each run (so branches merged later, with their fragments and
# new modules, land in it); its release date is kept once set.
#
# Usage: scripts/changelog.sh           regenerate (`make changelog`)
#        scripts/changelog.sh --check   lint the fragments and changelog.yaml, and
#                                       fail if CHANGELOG.md or changelog.yaml is
#                                       not what a regeneration gives (for make test)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/docs-venv.sh
source scripts/ansible-test-lib.sh
t0=$(date +%s)

version=$(.venv/bin/python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')

regenerate() {  # in the current directory, a checkout or a copy of it
  local date
  date=$("$ROOT/.venv/bin/python" - "$version" <<'PY'
import datetime, sys, yaml
try:
    releases = yaml.safe_load(open('changelogs/changelog.yaml')).get('releases') or {}
except (IOError, OSError):
    releases = {}
print((releases.get(sys.argv[1]) or {}).get('release_date') or datetime.date.today().isoformat())
PY
)
  if git -C "$ROOT" rev-parse -q --verify "refs/tags/$version" >/dev/null; then
    echo "changelog: $version is tagged; add a new version to galaxy.yml before regenerating" >&2
    return 1
  fi
  printf 'ancestor: null\nreleases: {}\n' > changelogs/changelog.yaml
  rm -f changelogs/.plugin-cache.yaml
  antsibull-changelog release --version "$version" --date "$date" --reload-plugins
  rm -f changelogs/.plugin-cache.yaml
}

if [ "${1:-}" != --check ]; then
  regenerate
  echo "changelog: CHANGELOG.md for $version regenerated in $(( $(date +%s) - t0 )) s"
  exit 0
fi

rc=0
antsibull-changelog lint || rc=1
antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml || rc=1
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
copy_tree "$copy"
(cd "$copy" && regenerate >/dev/null) || rc=1
for f in CHANGELOG.md changelogs/changelog.yaml; do
  if ! diff -u "$f" "$copy/$f" >/dev/null 2>&1; then
    diff -u "$f" "$copy/$f" | head -20
    echo "changelog: $f is not current with the fragments and modules: run make changelog"; rc=1
  fi
done
echo "changelog: $([ "$rc" -eq 0 ] && echo PASSED || echo FAILED) in $(( $(date +%s) - t0 )) s"
exit "$rc"
