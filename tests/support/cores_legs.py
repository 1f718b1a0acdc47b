"""The virtualenvs the smoke tier runs its playbooks with (scripts/cores.sh smoke).

``NETPROV_SMOKE_VENVS``: virtualenvs separated by spaces, each named by its
directory (.venv-cores/2.16 is leg 2.16); unset, the checkout's own .venv
(leg ``default``).
"""
import os
import shlex

from ansible_collections.netprov.dockernet.tests.support.ansible_play import ROOT

FROM_ENV = bool(os.environ.get('NETPROV_SMOKE_VENVS'))
VENVS = shlex.split(os.environ.get('NETPROV_SMOKE_VENVS', '')) or [os.path.join(ROOT, '.venv')]


def leg_name(venv):
    name = os.path.basename(os.path.normpath(venv))
    return 'default' if name == '.venv' else name


LEGS = [(leg_name(v), v) for v in VENVS]
