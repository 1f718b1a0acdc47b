"""Guest-side tests: they run inside the User-Mode Linux guest (tests/support/guest.py).

Outside the guest every test here is skipped: the init script of the
guest sets NETPROV_UML_GUEST=1. The host runs them through
tests/integration/test_uml_kernel.py.
"""
import os
import subprocess
import sys
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

IN_GUEST = os.environ.get('NETPROV_UML_GUEST') == '1'


def pytest_collection_modifyitems(config, items):
    if IN_GUEST:
        return
    skip = pytest.mark.skip(reason='guest-side test: runs inside the UML guest (NETPROV_UML_GUEST unset)')
    for item in items:
        if str(item.fspath).startswith(HERE):
            item.add_marker(skip)


def pytest_configure(config):
    config.addinivalue_line('markers', 'kernel_slow: guest test over 3 minutes; only `make test-kernel` runs it')


@pytest.fixture
def netns():
    """A scratch network namespace, removed afterwards (whatever is in it goes with it)."""
    from pyroute2 import netns as _netns
    name = 'np-k-%s' % uuid.uuid4().hex[:8]
    _netns.create(name)
    try:
        yield name
    finally:
        _netns.remove(name)


def sh(*argv, check=True, timeout=120, **kw):
    """Run a command, return CompletedProcess with text stdout+stderr; raise with the output on failure."""
    r = subprocess.run(argv, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                       timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise AssertionError('%s: rc=%d\n%s' % (' '.join(argv), r.returncode, r.stdout))
    return r
