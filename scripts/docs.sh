#!/usr/bin/env bash
# `make docs`: the collection's docs site, HTML under docs/build/html (git-ignored).
# antsibull-docs writes one RST page per module and role (from their
# DOCUMENTATION / EXAMPLES / RETURN and meta/argument_specs.yml) into
# docs/build/rst next to docs/sphinx/rst/index.rst; Sphinx renders them with
# docs/sphinx/conf.py. Tools come from .venv-docs (scripts/docs-venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/docs-venv.sh
t0=$(date +%s)

BUILD=$ROOT/docs/build
rm -rf "$BUILD/rst" "$BUILD/html" "$BUILD/doctrees"
# antsibull-docs wants its destination owned by us and writable by nobody else.
mkdir -p "$BUILD/rst"
chmod 700 "$BUILD/rst"
cp -r docs/sphinx/rst/. "$BUILD/rst/"

antsibull-docs --config-file docs/sphinx/antsibull-docs.cfg collection \
  --use-current --dest-dir "$BUILD/rst" netprov.dockernet
# -W: a broken reference or a malformed page fails the build.
sphinx-build -q -W --keep-going -b html -d "$BUILD/doctrees" -c docs/sphinx "$BUILD/rst" "$BUILD/html"
echo "docs: $BUILD/html/index.html ($(find "$BUILD/html" -name '*.html' | wc -l) pages) in $(( $(date +%s) - t0 )) s"
