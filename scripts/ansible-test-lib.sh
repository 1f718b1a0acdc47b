# shellcheck shell=bash
# Sourced by scripts/sanity.sh, scripts/units.sh and scripts/changelog.sh.
#
# run_ansible_test LABEL SUBCOMMAND PYTHON [ARGS...] runs `ansible-test SUBCOMMAND
# --venv --python PYTHON ARGS` offline on a copy of the collection under
# .build/LABEL/ (git-ignored), kept between runs: ansible-test keeps its
# delegation virtualenv in the copy's tests/output/.tmp and its per-test
# virtualenvs in ~/.ansible/test/venv, so a second run reuses both. Returns
# ansible-test's exit status.
#
# copy_tree DEST copies the collection's files into DEST, for tools
# that want the collection at .../ansible_collections/netprov/dockernet and
# resolve symlinks (ansible-test), or that must not touch the checkout.
#
# What is copied: the tracked files plus untracked, not ignored ones (so it
# works before a commit). A DEST kept between runs is refreshed: files no
# longer in the tree are dropped, DEST/tests/output (ansible-test's caches)
# is kept. ansible-test looks upwards for a .git and would find the checkout's
# (where .build is ignored, so it would see no files): DEST gets its own empty
# repository, and ansible-test then lists its untracked, not ignored files.
copy_tree() {
  local dest=$1 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  mkdir -p "$dest"
  find "$dest" -mindepth 1 \( -path "$dest/tests/output" -o -path "$dest/.git" \) -prune -o ! -type d -print0 | xargs -0r rm -f
  find "$dest" -mindepth 1 -depth -type d -empty ! -path "$dest/tests/output*" ! -path "$dest/.git*" -delete
  [ -d "$dest/.git" ] || git init -q "$dest"
  (cd "$root" && git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done \
    | tar --null -T - -cf -) | tar -xf - -C "$dest"
}

# ansible_venv: the virtualenv whose ansible-test runs, NETPROV_ANSIBLE_VENV or the
# checkout's .venv (scripts/cores.sh runs sanity with each ansible-core of the matrix).
# The checkout is found once, here: run_ansible_test calls this from inside the copy.
_ANSIBLE_TEST_LIB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ansible_venv() {
  echo "${NETPROV_ANSIBLE_VENV:-$_ANSIBLE_TEST_LIB_ROOT/.venv}"
}

# install_pip_standin: ansible-test bootstraps pip in each virtualenv it makes
# with a script from a host that is not reachable here; scripts/get_pip_standin.py
# is installed in its place, under the name this ansible-test asks for.
install_pip_standin() {
  local root pip_version cache
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  pip_version=$("$(ansible_venv)/bin/python" - <<'PY'
import os, re, ansible_test
src = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
m = re.search(r"default_packages = dict\(\s*pip='([0-9.]+)'", open(src).read())
print(m.group(1) if m else '24.2')
PY
)
  cache=~/.ansible/test/cache/get_pip_${pip_version//./_}.py
  mkdir -p "$(dirname "$cache")"
  cmp -s "$root/scripts/get_pip_standin.py" "$cache" || cp "$root/scripts/get_pip_standin.py" "$cache"
}

# Lines of pip's per-package chatter that ansible-test prints while building its
# virtualenvs (it does not pass PIP_* variables on), for grep -v -E.
PIP_CHATTER='^(Looking in (indexes|links): |Collecting |  Downloading |Processing /|  Using cached |WARNING: Location .* is ignored: |     [^ ]* [0-9.]+/[0-9.]+ [kM]B )'

run_ansible_test() {
  local label=$1 sub=$2 pyver=$3 root dest t0 rc errexit=0
  shift 3
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  dest=$root/.build/$label/ansible_collections/netprov/dockernet
  t0=$(date +%s)
  install_pip_standin
  copy_tree "$dest"
  echo "$label: $("$(ansible_venv)/bin/ansible-test" --version) $sub --venv --python $pyver in $dest"
  # ANSIBLE_COLLECTIONS_PATH would point Ansible at the checkout instead of the
  # copy; ansible-test sets its own.
  case $- in *e*) errexit=1; set +e ;; esac
  (cd "$dest" && env -u ANSIBLE_COLLECTIONS_PATH "$(ansible_venv)/bin/ansible-test" "$sub" --venv --python "$pyver" --color no "$@" 2>&1) \
    | grep --line-buffered -v -E "$PIP_CHATTER"
  rc=${PIPESTATUS[0]}
  [ "$errexit" -eq 0 ] || set -e
  echo "$label: $([ "$rc" -eq 0 ] && echo PASSED || echo "FAILED (rc=$rc)") in $(( $(date +%s) - t0 )) s"
  return "$rc"
}
