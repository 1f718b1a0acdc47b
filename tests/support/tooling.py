"""The release tooling virtualenv (.venv-docs: antsibull-docs, antsibull-changelog, ansible-builder)."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS_BIN = os.path.join(ROOT, '.venv-docs', 'bin')


def tools_bin():
    """.venv-docs/bin, built by scripts/docs-venv.sh the first time (or when its pins changed)."""
    subprocess.run(['bash', '-c', 'source scripts/docs-venv.sh'], cwd=ROOT, check=True)
    return TOOLS_BIN
