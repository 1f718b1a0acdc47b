"""A Docker Engine in the UML guest drives what the machine kernel cannot:
an ipvlan L2 network whose two containers ping each other, and a macvlan
network whose parent is an 802.1Q sub-interface that the engine makes."""
import pytest
from pyroute2 import IPRoute

from guest_engine import log, running, vlan_link


@pytest.fixture(scope='module')
def engine():
    with running('np-e1', bip='198.19.1.1/24', pool='198.19.8.0/21') as eng:
        yield eng


@pytest.fixture
def links():
    """Links made in the guest's root namespace, removed afterwards."""
    made = []
    with IPRoute() as ipr:
        def add(ifname, **kw):
            ipr.link('add', ifname=ifname, **kw)
            made.append(ifname)
            for name in [ifname] + ([kw['peer']] if 'peer' in kw else []):
                ipr.link('set', index=ipr.link_lookup(ifname=name)[0], state='up')
        yield add
        for name in reversed(made):
            idx = ipr.link_lookup(ifname=name)
            if idx:
                ipr.link('del', index=idx[0])


@pytest.fixture
def cleanup(engine):
    containers, networks = [], []
    yield containers, networks
    if containers:
        engine.docker('rm', '-f', *containers, check=False)
    for net in networks:
        engine.docker('network', 'rm', net, check=False)


def test_engine_runs_on_the_guest_kernel(engine):
    info = engine.docker('info', '--format', '{{.KernelVersion}} {{.Driver}}').stdout.split()
    assert info[0].startswith('6.1.'), info
    assert info[1] == 'overlay2', info


def test_ipvlan_l2_containers_ping_each_other(engine, links, cleanup):
    containers, networks = cleanup
    links('np-ipvp0', kind='dummy')
    engine.docker('network', 'create', '-d', 'ipvlan', '-o', 'parent=np-ipvp0', '-o', 'ipvlan_mode=l2',
                  '--subnet', '198.19.20.0/24', 'np-ipvl2')
    networks.append('np-ipvl2')
    for name, ip in (('np-ipv-a', '198.19.20.11'), ('np-ipv-b', '198.19.20.12')):
        engine.run(name, 'np-ipvl2', ip=ip)
        containers.append(name)
    addr = engine.exec('np-ipv-b', 'ip', 'addr', 'show', 'eth0').stdout
    assert '198.19.20.12/24' in addr, addr
    driver = engine.docker('network', 'inspect', '-f', '{{.Driver}} {{index .Options "ipvlan_mode"}}', 'np-ipvl2')
    assert driver.stdout.split() == ['ipvlan', 'l2'], driver.stdout
    engine.ping('np-ipv-a', '198.19.20.12')
    engine.ping('np-ipv-b', '198.19.20.11')


def test_macvlan_on_8021q_subinterface(engine, links, cleanup):
    containers, networks = cleanup
    links('np-mvp0', kind='veth', peer='np-mvp0p')
    engine.docker('network', 'create', '-d', 'macvlan', '-o', 'parent=np-mvp0.30',
                  '--subnet', '198.19.21.0/24', 'np-mv30')
    networks.append('np-mv30')
    assert vlan_link('np-mvp0.30') == (30, 'np-mvp0')
    for name, ip in (('np-mv-a', '198.19.21.11'), ('np-mv-b', '198.19.21.12')):
        engine.run(name, 'np-mv30', ip=ip)
        containers.append(name)
    addr = engine.exec('np-mv-a', 'ip', 'addr', 'show', 'eth0').stdout
    assert '198.19.21.11/24' in addr, addr
    engine.ping('np-mv-a', '198.19.21.12')
    log('macvlan on np-mvp0.30: containers ping each other')
    # the engine made the sub-interface, and removes it with the network
    engine.docker('rm', '-f', *containers)
    del containers[:]
    engine.docker('network', 'rm', 'np-mv30')
    networks.remove('np-mv30')
    with IPRoute() as ipr:
        assert not ipr.link_lookup(ifname='np-mvp0.30')
