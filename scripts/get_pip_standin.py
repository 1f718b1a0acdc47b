# Copyright: netprov.dockernet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the get-pip.py that ansible-test downloads.

ansible-test bootstraps pip into every virtualenv it builds by running
~/.ansible/test/cache/get_pip_<version>.py as __main__ with pip's install
arguments (for example ``--disable-pip-version-check pip==24.2
--no-setuptools --no-wheel``). Its download host is not reachable here, so
scripts/sanity.sh installs this file at that path instead. It bootstraps pip
from the interpreter's bundled wheel (ensurepip), then runs
``python -m pip install`` with the same arguments, which reaches the package
registry through the machine's own pip configuration.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import sys

# Flags only get-pip.py understands; `pip install` rejects them.
GET_PIP_ONLY = ('--no-setuptools', '--no-wheel')

# ensurepip sets these; left in place they hide the machine's pip.conf (and
# with it the certificate the registry needs: CERTIFICATE_VERIFY_FAILED).
ENSUREPIP_ENV = ('PIP_CONFIG_FILE', 'ENSUREPIP_OPTIONS')


def clean_env():
    env = dict(os.environ)
    for name in ENSUREPIP_ENV:
        env.pop(name, None)
    return env


def run_quietly(cmd, env):
    """Run cmd; show its output only when it fails."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.communicate()[0]
    if proc.returncode != 0:
        sys.stderr.write(output.decode('utf-8', 'replace'))
        sys.stderr.write('get_pip_standin: %s failed with rc=%d\n' % (' '.join(cmd), proc.returncode))
        sys.exit(proc.returncode)


def main():
    for name in ENSUREPIP_ENV:
        os.environ.pop(name, None)
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    run_quietly([sys.executable, '-m', 'ensurepip', '--default-pip'], clean_env())
    run_quietly([sys.executable, '-m', 'pip', 'install', '--quiet'] + args, clean_env())


if __name__ == '__main__':
    main()
