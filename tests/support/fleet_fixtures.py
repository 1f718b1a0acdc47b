"""The ``fleet`` fixture: three Docker Engines in network namespaces, one per inventory host.

Module-scoped: each test file that asks for it (in an engine_tier module, each
file and engine) gets a fleet of its own, torn down after the file whatever its
tests did, so no state crosses from one file to the next and files run in
parallel (each fleet has its own namespaces and bridge). The engines run the
release of ``docker_engine``: the system's dockerd, or another one of the
matrix (scripts/engines.py).
``NETPROV_FLEET_SIZE`` changes N.

``swarm_fleet`` is the same kind of fleet, of any size, already in a swarm that
docker_swarm made, for a test module's own module-scoped fixture.
"""
import contextlib
import os
import subprocess
import sys
import tempfile

import pytest


from ansible_collections.netprov.dockernet.tests.support.ansible_play import play  # noqa: E402
from ansible_collections.netprov.dockernet.tests.support.fleet import Fleet, reap_stale, scratch_fleet  # noqa: E402

SWARM = 'netprov.dockernet.docker_swarm'


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


@contextlib.contextmanager
def swarm_fleet(docker_engine, n, cidr):
    """A fleet of ``n`` engines of ``docker_engine``'s release in ``cidr``, in a swarm that docker_swarm made.

    engine1 initialises it: check mode, the real init, a second run and check mode again, recorded as
    ``fleet.init`` (a PlayResult; ``fleet.before_init`` is the node state before). Engines 2..n then join as
    workers (their results in ``fleet.joins``). Each engine's namespace gets a default route through its eth0, as
    a real host has (the MTU advice reads its link); the fleet's bridge has no address, so nothing sent this way
    leaves the fleet. Afterwards every engine leaves the swarm and the fleet is taken down.
    """
    if os.geteuid() != 0:
        pytest.skip('the engines of their own need root (network namespaces, dockerd)')
    with scratch_fleet(n, cidr, binaries=docker_engine.binaries) as fleet:
        first = fleet.engine(1)
        docker_engine.assert_release(first['url'])
        for e in fleet.engines:
            subprocess.run(['ip', '-n', e['netns'], 'route', 'add', 'default', 'dev', 'eth0'], check=True)
        init = {SWARM: {'docker_host': first['url'], 'advertise_addr': first['addr'],
                        'default_addr_pool': [fleet.swarm_pool], 'subnet_size': 26}}
        fleet.before_init = fleet.client(1).info()['Swarm']['LocalNodeState']
        try:
            fleet.init = play([dict(init, check_mode=True), init, init, dict(init, check_mode=True)], diff=True)
            fleet.joins = []
            if n > 1:
                token = fleet.client(1).inspect_swarm()['JoinTokens']['Worker']
                fleet.joins = play([{SWARM: {'docker_host': e['url'], 'remote_addrs': [first['addr']],
                                             'join_token': token, 'advertise_addr': e['addr'], 'role': 'worker'}}
                                    for e in fleet.engines[1:]]).results
                failed = [r.get('msg') for r in fleet.joins if r.get('failed')]
                assert not failed, 'joining the swarm failed: %s' % failed
            yield fleet
        finally:
            fleet.leave_swarms()
