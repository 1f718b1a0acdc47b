"""ovs_container_port: Docker containers on an OVS bridge (userspace datapath), ovs-docker style.

The switch runs in its own network namespace (ovs_fixtures.py, ovs_switch.py); the containers
run on the test engine with no network of Docker's, so the OVS port is their
only way to each other. Addresses come from 198.19.176.0/20.
"""
from ansible_collections.netprov.dockernet.tests.support.inproc import call
from ansible_collections.netprov.dockernet.tests.support.ovs_switch import ping

M = 'ovs_container_port'


def attach(ovs, container, check=False, diff=False, **args):
    return call(M, dict(args, container=container, ovsdb=ovs.remote, netns=ovs.netns), check=check, diff=diff)


def pings(container, address, count=2):
    return container.exec_run(['ping', '-c', str(count), '-W', '2', address])[0] == 0


def test_containers_on_vlans_attach_restore_after_restart_and_detach(ovs, scratch):
    ovs.vsctl('add-br', 'br-c', '--', 'set', 'bridge', 'br-c', 'datapath_type=netdev')
    c1, c2, c3 = (scratch.container(n, network='none') for n in ('c1', 'c2', 'c3'))
    spec = {c1: dict(addresses=['198.19.185.1/24'], gateway='198.19.185.254', mac='02:42:c6:13:b9:01', mtu=1400,
                     tag=10),
            c2: dict(addresses=['198.19.185.2/24'], tag=10),
            c3: dict(addresses=['198.19.185.3/24'], tag=20)}
    planned = attach(ovs, c1.name, check=True, diff=True, bridge='br-c', **spec[c1])
    assert planned.get('msg') is None and planned['changed'] is True, planned.get('msg')
    assert [s['action'] for s in planned['plan']] == ['veth_create', 'create_port']
    assert ovs.vsctl('list-ports', 'br-c') == ''
    assert 'eth1' not in c1.exec_run(['ip', 'link'])[1].decode()   # check mode changed nothing

    for c in (c1, c2, c3):
        res = attach(ovs, c.name, bridge='br-c', **spec[c])
        assert res.get('msg') is None and res['changed'], res.get('msg')
    done = attach(ovs, c1.name, bridge='br-c', **spec[c1])
    assert (done['changed'], done['plan']) == (False, [])   # second run: no change
    port = c1.id[:12] + '_l'
    assert done['port']['name'] == port and done['port']['tag'] == 10
    record = dict((key, ovs.get('Port', port, 'external_ids:"%s"' % key).strip('"')) for key in (
        'container_id', 'container_iface', 'netprov.addresses', 'netprov.gateway', 'netprov.mac', 'netprov.mtu'))
    assert record == {'container_id': c1.id, 'container_iface': 'eth1', 'netprov.addresses': '198.19.185.1/24',
                      'netprov.gateway': '198.19.185.254', 'netprov.mac': '02:42:c6:13:b9:01', 'netprov.mtu': '1400'}
    inside = c1.exec_run(['ip', 'addr', 'show', 'eth1'])[1].decode()
    assert '198.19.185.1/24' in inside and '02:42:c6:13:b9:01' in inside and 'mtu 1400' in inside
    assert 'default via 198.19.185.254 dev eth1' in c1.exec_run(['ip', 'route'])[1].decode()

    assert pings(c1, '198.19.185.2', count=3)
    assert not pings(c1, '198.19.185.3', count=1) and not pings(c3, '198.19.185.2', count=1)   # VLAN 20 apart

    c1.restart(timeout=1)   # a new namespace: the veth pair is gone
    c1.reload()
    restored = attach(ovs, c1.name, bridge='br-c')   # only the container and the bridge: the record says the rest
    assert restored.get('msg') is None, restored.get('msg')
    # the old row first (ovs-vswitchd opens a new device only under a new row), then the pair, then the new row
    assert [s['action'] for s in restored['plan']] == ['remove_port', 'veth_create', 'create_port']
    assert restored['port']['tag'] == 10
    inside = c1.exec_run(['ip', 'addr', 'show', 'eth1'])[1].decode()
    assert '198.19.185.1/24' in inside and '02:42:c6:13:b9:01' in inside and 'mtu 1400' in inside
    assert pings(c1, '198.19.185.2', count=3)
    assert attach(ovs, c1.name, bridge='br-c')['changed'] is False

    moved = attach(ovs, c2.name, bridge='br-c', tag=20, addresses=['198.19.185.12/24'])   # in place
    assert [(s['action'], s.get('field')) for s in moved['plan']] == [
        ('veth_set', 'addresses'), ('set', 'tag'), ('set', 'external_ids')]   # the record follows
    assert pings(c2, '198.19.185.3', count=3)

    bad = attach(ovs, c2.name, bridge='br-none')
    assert bad['msg'].startswith('bridge: container %s is attached to bridge br-c (port %s_l), not br-none; detach '
                                 'it there first' % (c2.name, c2.id[:12]))
    c4 = scratch.container('c4', network='none')
    bad = attach(ovs, c4.name, bridge='br-none', addresses=['198.19.185.4/24'])
    assert bad['msg'] == 'bridge: no OVS bridge br-none (bridges: br-c); create it first with ovs_bridge'
    assert 'eth1' not in c4.exec_run(['ip', 'link'])[1].decode()
    bad = attach(ovs, c2.name, bridge='br-c', tag=5000)
    assert bad['msg'] == 'tag: 5000 is outside 0..4094'
    bad = attach(ovs, c2.name, bridge='br-c', addresses=['198.19.185.2/24'], gateway='198.19.186.1')
    assert bad['msg'] == 'gateway: 198.19.186.1 is in none of the subnets of addresses'

    gone = attach(ovs, c3.name, bridge='br-c', state='absent')
    assert [s['action'] for s in gone['plan']] == ['remove_port', 'veth_remove']
    assert c3.id[:12] + '_l' not in ovs.vsctl('list-ports', 'br-c')
    assert 'eth1' not in c3.exec_run(['ip', 'link'])[1].decode()
    assert c3.id[:12] + '_l' not in ovs.ip('link')
    assert attach(ovs, c3.name, bridge='br-c', state='absent')['changed'] is False

    c4.stop(timeout=1)
    stopped = attach(ovs, c4.name, bridge='br-c')
    assert stopped['msg'].startswith('container: container %s is not running' % c4.name)


def test_docker_macvlan_network_on_an_ovs_internal_port(ovs_engine_side, scratch):
    """An OVS internal port on VLAN 30 is the parent of a Docker macvlan network: its container reaches a host on
    VLAN 30 of the switch, and not one on VLAN 31."""
    sw = ovs_engine_side
    bridge, parent = 'bm%s' % sw.tag, 'mp%s' % sw.tag
    sw.links.append(parent)
    near = sw.host('n%s' % sw.tag, '198.19.186.2/24')
    far = sw.host('f%s' % sw.tag, '198.19.186.3/24')
    steps = [('ovs_bridge', dict(name=bridge, datapath_type='netdev')),
             ('ovs_port', dict(bridge=bridge, name=parent, type='internal', tag=30)),
             ('ovs_port', dict(bridge=bridge, name='n%s' % sw.tag, tag=30)),
             ('ovs_port', dict(bridge=bridge, name='f%s' % sw.tag, tag=31))]
    for module, args in steps:
        res = call(module, dict(args, ovsdb=sw.remote, netns=sw.netns))
        assert res.get('msg') is None, (module, res.get('msg'))
    res = call('host_link', dict(name=parent, state='up', netns=sw.netns))
    assert res.get('msg') is None, res.get('msg')

    net = scratch.name('ovsmv')
    res = call('docker_network', dict(name=net, driver='macvlan', parent=parent,
                                      ipam_config=[{'subnet': '198.19.186.0/24'}]))
    assert res.get('msg') is None and res['changed'], res.get('msg')
    box = scratch.container('mv1', network=net)
    assert pings(box, '198.19.186.2', count=3)
    assert not pings(box, '198.19.186.3', count=1)
    assert ping_from(near, box)


def ping_from(netns, container):
    """The namespace reaches the container's macvlan address (the way back through the internal port)."""
    container.reload()
    address = next(iter(container.attrs['NetworkSettings']['Networks'].values()))['IPAddress']
    return ping(netns, address)
