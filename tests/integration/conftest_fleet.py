"""The ``fleet`` fixture: three Docker Engines in network namespaces, one per inventory host.

Module-scoped: each test file that asks for it (in an engine_tier module, each
file and engine) gets a fleet of its own, torn down after the file whatever its
tests did, so no state crosses from one file to the next and files run in
parallel (each fleet has its own namespaces and bridge). The engines run the
release of ``docker_engine``: the system's dockerd, or another one of the
matrix (scripts/engines.py).
``NETPROV_FLEET_SIZE`` changes N.
"""
import os
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fleet import Fleet, reap_stale  # noqa: E402


@pytest.fixture(scope='module')
def fleet(docker_engine):
    """The fleet's engines run the release of ``docker_engine`` (each engine of the tier in an engine_tier module)."""
    if os.geteuid() != 0:
        pytest.skip('the fleet needs root (network namespaces, a bridge, dockerd)')
    for path in reap_stale():
        sys.stderr.write('\nfleet: took down the stale fleet in %s (its test run died)\n' % path)
    workdir = tempfile.mkdtemp(prefix='nps-', dir='/tmp')  # short: unix socket paths have a limit
    f = Fleet(int(os.environ.get('NETPROV_FLEET_SIZE', '3')), workdir, binaries=docker_engine.binaries)
    f.up()
    docker_engine.assert_release(f.engine(1)['url'])
    sys.stderr.write('\nfleet: %d engines up in %.1f s (%s)\n' % (f.n, f.up_seconds, workdir))
    try:
        yield f
    finally:
        f.down()
        try:
            os.rmdir(workdir)
        except OSError:
            pass
