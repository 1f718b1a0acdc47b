"""pytest fixtures for Open vSwitch (the switch itself: ovs_switch.py).

The machine kernel has no OVS datapath, so bridges here use the userspace
datapath (``datapath_type: netdev``). ``ovs`` yields one instance in a fresh
namespace, ``ovs_engine_side`` one in the test engine's namespace, and
``ovs_pair`` two joined by an underlay veth link (for tunnels between them).
"""
import os
import subprocess

import pytest

from ansible_collections.netprov.dockernet.tests.support.ovs_switch import SCHEMA, Ovs, ovs_installed, pair


def _ensure_installed():
    """Install Debian's openvswitch-switch when missing (scripts/bootstrap.sh does the same)."""
    if ovs_installed():
        return
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    subprocess.run(['apt-get', 'update', '-qq'], check=True, env=env)
    subprocess.run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'openvswitch-switch'],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    if not ovs_installed():
        pytest.fail('openvswitch-switch installed, but ovsdb-server/ovs-vswitchd or %s are missing' % SCHEMA)


@pytest.fixture(scope='session')
def ovs_available():
    _ensure_installed()


@pytest.fixture
def ovs(ovs_available):
    """A fresh OVS instance (ovsdb-server + ovs-vswitchd) in its own network namespace, removed afterwards."""
    inst = Ovs()
    try:
        yield inst.start()
    finally:
        inst.stop()


@pytest.fixture
def ovs_engine_side(ovs_available, engine_env):
    """An OVS instance in the test engine's network namespace (the machine's own for the system engine), so
    that the engine sees the switch's internal ports (a parent for a macvlan network)."""
    inst = Ovs(shared=engine_env.netns or '')
    try:
        yield inst.start()
    finally:
        inst.stop()


@pytest.fixture
def ovs_pair(ovs_available):
    """Two OVS instances whose namespaces are joined by an underlay veth link, ``ul`` in each (up, no
    address: the test puts it on a bridge and its address on that bridge's device)."""
    a, b = pair()
    try:
        yield a, b
    finally:
        b.stop()
        a.stop()
