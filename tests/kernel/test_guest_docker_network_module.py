"""docker_network's success paths where the machine kernel refuses them: an ipvlan network and an 802.1Q parent.

In the guest (ipvlan and 8021q loaded), against a Docker Engine in the
guest: host_link makes the parents (a dummy, and an 802.1Q sub-interface on
another), docker_network (the collection's module, its real main() in-process,
default kernel_check: the kernel checks must pass here) creates an ipvlan L2
network and a macvlan network on the VLAN parent, and connects two running
containers to each with fixed addresses; they ping each other, a second call
changes nothing, check mode planned what the real run did. A parent written
PARENT.ID that does not exist yet is made by the engine (its 8021q link).
"""
import os
import sys

import pytest
from pyroute2 import IPRoute

from guest_engine import ROOT, running, vlan_link

sys.path.insert(0, os.path.join(ROOT, 'tests'))
import inproc  # noqa: E402

# 198.19.80.0/21: bip, pool, and the networks
ENGINE = dict(bip='198.19.86.1/24', pool='198.19.87.0/24')
IPVLAN_NET = '198.19.84.0/24'
VLAN_NET = '198.19.85.0/24'
ENGINE_VLAN_NET = '198.19.83.0/24'


@pytest.fixture(scope='module')
def engine():
    with running('np-dn', **ENGINE) as eng:
        yield eng


@pytest.fixture
def made(engine):
    """Containers, networks and links a test makes; all removed afterwards."""
    things = {'containers': [], 'networks': [], 'links': []}
    yield things
    if things['containers']:
        engine.docker('rm', '-f', *things['containers'], check=False)
    for net in things['networks']:
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


def two_containers_on(engine, made, name, subnet, **spec):
    """Two running containers, and a network made by docker_network that connects them at .11 and .12."""
    prefix = subnet.rsplit('.', 1)[0]
    names = ['%s-%s' % (name, n) for n in ('a', 'b')]
    for box in names:
        engine.run(box, 'bridge')
        made['containers'].append(box)
    network(engine, made, dict(spec, name=name, ipam_config=[{'subnet': subnet}], containers=[
        {'name': box, 'ipv4_address': '%s.%d' % (prefix, 11 + i)} for i, box in enumerate(names)]))
    assert '%s.12/24' % prefix in engine.exec(names[1], 'ip', 'addr').stdout
    engine.ping(names[0], '%s.12' % prefix)


def test_ipvlan_l2_network_with_containers(engine, made):
    link(made, name='np-dnp0', kind='dummy')
    two_containers_on(engine, made, 'np-dn-ipvl', IPVLAN_NET, driver='ipvlan', parent='np-dnp0', ipvlan_mode='l2')
    fmt = '{{.Driver}} {{index .Options "parent"}} {{index .Options "ipvlan_mode"}}'
    assert engine.docker('network', 'inspect', '-f', fmt, 'np-dn-ipvl').stdout.split() == ['ipvlan', 'np-dnp0', 'l2']


def test_macvlan_network_on_an_8021q_parent(engine, made):
    link(made, name='np-dnv0', kind='veth', peer='np-dnv1')
    call('host_link', {'name': 'np-dnv1', 'state': 'up'})
    link(made, name='np-dnv0.40', kind='vlan', parent='np-dnv0', vlan_id=40)
    two_containers_on(engine, made, 'np-dn-vl40', VLAN_NET, driver='macvlan', parent='np-dnv0.40',
                      macvlan_mode='bridge')
    # a sub-interface that does not exist yet: the engine makes it, and the kernel check passes for 8021q
    network(engine, made, {'name': 'np-dn-vl41', 'driver': 'macvlan', 'parent': 'np-dnv0.41',
                           'ipam_config': [{'subnet': ENGINE_VLAN_NET}]})
    assert vlan_link('np-dnv0.41') == (41, 'np-dnv0')
    assert vlan_link('np-dnv0.40') == (40, 'np-dnv0')
