"""A Docker Engine in the UML guest drives what the machine kernel cannot:
an ipvlan L2 network whose two containers ping each other, and a macvlan
network whose parent is an 802.1Q sub-interface that the engine makes.

Then the same through the collection: docker_network's success paths where the
machine kernel refuses them. host_link makes the parents (a dummy, and an
802.1Q sub-interface), docker_network (its real main() in-process, default
kernel_check: the kernel checks must pass here) creates an ipvlan L2 network
and a macvlan network on the VLAN parent and connects two running containers
to each at fixed addresses; they ping each other, a second call changes
nothing, check mode planned what the real run did. A parent written PARENT.ID
that does not exist yet is made by the engine (its 8021q link). One engine
for the file: the guest is slow (an engine start takes 30 s at load).
"""

import pytest
from pyroute2 import IPRoute

from ansible_collections.netprov.dockernet.tests.support.guest_engine import log, running, vlan_link

from ansible_collections.netprov.dockernet.tests.support import inproc  # noqa: E402

# the collection's tests: 198.19.80.0/21
IPVLAN_NET = '198.19.84.0/24'
VLAN_NET = '198.19.85.0/24'
ENGINE_VLAN_NET = '198.19.83.0/24'


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


# ---------------------------------------------------------------- through the collection's modules

@pytest.fixture(scope='module')
def boxes(engine):
    """Two running containers on the default bridge, for docker_network to connect."""
    names = ['np-dn-a', 'np-dn-b']
    for name in names:
        engine.run(name, 'bridge')
    yield names
    engine.docker('rm', '-f', *names, check=False)


@pytest.fixture
def made(engine, boxes):
    """Networks and links a test makes; removed afterwards (the containers let go of them first)."""
    things = {'networks': [], 'links': []}
    yield things
    for net in things['networks']:
        for box in boxes:
            engine.docker('network', 'disconnect', '-f', net, box, check=False)
        engine.docker('network', 'rm', net, check=False)
    with IPRoute() as ipr:
        for name in reversed(things['links']):
            idx = ipr.link_lookup(ifname=name)
            if idx:
                ipr.link('del', index=idx[0])


def call(module, args, check=False):
    res = inproc.call(module, args, check=check)
    assert res.traceback is None, res.traceback
    assert not res.failed, '%s %s: %s' % (module, args, res.get('msg'))
    return res


def link(made, **args):
    call('host_link', dict(args, state='up'))
    made['links'].append(args['name'])


def network(engine, made, args):
    """docker_network four ways: check mode, real (the same plan), again (no change), again in check mode."""
    args = dict(args, docker_host=engine.host)
    check = call('docker_network', args, check=True)
    assert check['changed'] and check['plan'][0]['action'] == 'create', check.result
    made['networks'].append(args['name'])
    real = call('docker_network', args)
    assert real['plan'] == check['plan'], (check['plan'], real['plan'])
    for again in (call('docker_network', args), call('docker_network', args, check=True)):
        assert again['changed'] is False and [s['action'] for s in again['plan']] == ['none'], again.result
    return real


def connected(engine, made, boxes, name, subnet, **spec):
    """A network made by docker_network that connects the two containers at .11 and .12; they ping."""
    prefix = subnet.rsplit('.', 1)[0]
    network(engine, made, dict(spec, name=name, ipam_config=[{'subnet': subnet}], containers=[
        {'name': box, 'ipv4_address': '%s.%d' % (prefix, 11 + i)} for i, box in enumerate(boxes)]))
    assert '%s.12/24' % prefix in engine.exec(boxes[1], 'ip', 'addr').stdout
    engine.ping(boxes[0], '%s.12' % prefix)


def test_docker_network_makes_an_ipvlan_l2_network(engine, made, boxes):
    link(made, name='np-dnp0', kind='dummy')
    connected(engine, made, boxes, 'np-dn-ipvl', IPVLAN_NET, driver='ipvlan', parent='np-dnp0', ipvlan_mode='l2')
    fmt = '{{.Driver}} {{index .Options "parent"}} {{index .Options "ipvlan_mode"}}'
    assert engine.docker('network', 'inspect', '-f', fmt, 'np-dn-ipvl').stdout.split() == ['ipvlan', 'np-dnp0', 'l2']


def test_docker_network_makes_a_macvlan_network_on_an_8021q_parent(engine, made, boxes):
    link(made, name='np-dnv0', kind='veth', peer='np-dnv1')
    call('host_link', {'name': 'np-dnv1', 'state': 'up'})
    link(made, name='np-dnv0.40', kind='vlan', parent='np-dnv0', vlan_id=40)
    connected(engine, made, boxes, 'np-dn-vl40', VLAN_NET, driver='macvlan', parent='np-dnv0.40',
              macvlan_mode='bridge')
    # a sub-interface that does not exist yet: the engine makes it, and the kernel check passes for 8021q
    network(engine, made, {'name': 'np-dn-vl41', 'driver': 'macvlan', 'parent': 'np-dnv0.41',
                           'ipam_config': [{'subnet': ENGINE_VLAN_NET}]})
    assert vlan_link('np-dnv0.41') == (41, 'np-dnv0')
    assert vlan_link('np-dnv0.40') == (40, 'np-dnv0')
