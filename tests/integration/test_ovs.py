"""ovs_bridge, ovs_port and ovs_info against a real ovsdb-server and ovs-vswitchd (userspace datapath).

Each test starts its own switch in a fresh network namespace (ovs_fixtures.py, ovs_switch.py).
What the modules wrote is read back with ovs-vsctl, which the modules never
use; traffic runs between further namespaces whose veth ends are the ports.
Addresses come from 198.19.176.0/20, the interfaces role's ordering tests' from 198.18.110.0/23.
"""
import os
import subprocess

import pytest
import yaml

from ansible_collections.netprov.dockernet.tests.support.ansible_play import PYTHON, ROOT, ansible_env, play as playbook
from ansible_collections.netprov.dockernet.tests.support import ssh_double
# play: the tasks in-process, one module call each (the module's real main()); the tests of a playbook's
# bad inputs, of the SSH session's guard and of the role run ansible-playbook (playbook).
from ansible_collections.netprov.dockernet.tests.support.inproc import call, play
from ansible_collections.netprov.dockernet.tests.support.ovs_switch import ping

B = 'netprov.dockernet.ovs_bridge'
P = 'netprov.dockernet.ovs_port'
INFO = 'netprov.dockernet.ovs_info'
L = 'netprov.dockernet.host_link'


def on(sw, module, **args):
    """A task of ``module`` against switch ``sw``."""
    args.setdefault('ovsdb', sw.remote)
    if module != INFO:
        args.setdefault('netns', sw.netns)
    return {module: args}


def ok(result, i=None):
    assert result.get('failed') is not True, (i, result.get('msg'))
    return result


def short(module):
    return module.split('.')[-1]


def direct(sw, module, check=False, diff=False, **args):
    """One in-process module call (the module's real main()) against ``sw``."""
    task = on(sw, module, **args)
    return call(short(module), task[module], check=check, diff=diff)


def each(tasks, check=False, diff=False):
    """Each task (as on() makes them) as an in-process call: the result dicts, in order. The playbook path is
    proven once per test; the other rounds (check mode, second runs) take a fraction of an ansible-playbook run."""
    out = []
    for task in tasks:
        (module, args), = task.items()
        res = call(short(module), args, check=check, diff=diff)
        assert res.traceback is None, res.traceback
        out.append(res.result)
    return out


def test_fixture_runs_a_userspace_switch(ovs):
    ovs.vsctl('add-br', 'br-fx', '--', 'set', 'bridge', 'br-fx', 'datapath_type=netdev')
    assert ovs.vsctl('list-br') == 'br-fx'
    assert 'netdev' in ovs.get('Open_vSwitch', '.', 'datapath_types')
    assert 'br-fx' in ovs.ip('link')   # the bridge's device is in the switch's namespace, not the machine's


# ---------------------------------------------------------------- ovs_bridge

BRIDGE_FIRST = dict(name='br-t', datapath_type='netdev', fail_mode='secure', stp=True,
                    external_ids={'owner': 'netprov', 'managed': True}, other_config={'mac-aging-time': 300},
                    controller=['tcp:198.19.176.9:6653'], protocols=['OpenFlow13', 'OpenFlow14'])
BRIDGE_CHANGED = dict(name='br-t', fail_mode='standalone', stp=False, rstp=True,
                      external_ids={'owner': None, 'site': 'b'}, other_config={'mac-aging-time': '600'},
                      controller=[], protocols=['OpenFlow10', 'OpenFlow15'])


def test_bridge_every_option_set_read_back_and_changed(ovs):
    task = [on(ovs, B, **BRIDGE_FIRST)]
    check = ok(each(task, check=True, diff=True)[0])
    assert check['changed'] is True
    assert [s['action'] for s in check['plan']] == ['create_bridge']
    assert check['diff']['before'] == {'name': 'br-t', 'state': 'absent'}
    assert check['bridge']['fail_mode'] == 'secure'
    assert ovs.vsctl('list-br') == ''   # check mode changed nothing

    done = ok(play(task, diff=True)[0])
    assert (done['changed'], done['plan']) == (True, check['plan'])
    assert done['bridge'] == check['bridge']   # check mode predicted the bridge exactly
    assert ovs.get('Bridge', 'br-t', 'datapath_type') == 'netdev'
    assert ovs.get('Bridge', 'br-t', 'fail_mode') == 'secure'
    assert ovs.get('Bridge', 'br-t', 'stp_enable') == 'true'
    assert ovs.get('Bridge', 'br-t', 'external_ids') == '{managed="true", owner=netprov}'
    assert ovs.get('Bridge', 'br-t', 'other_config') == '{mac-aging-time="300"}'
    assert ovs.get('Bridge', 'br-t', 'protocols') == '[OpenFlow13, OpenFlow14]'
    assert ovs.vsctl('get-controller', 'br-t') == 'tcp:198.19.176.9:6653'
    assert ovs.get('Interface', 'br-t', 'type') == 'internal'

    again = each(task) + each(task, check=True)
    assert [(ok(r)['changed'], r['plan']) for r in again] == [(False, [])] * 2

    ovs.vsctl('set', 'Bridge', 'br-t', 'external_ids:foreign=keep')   # another tool's key
    change = [on(ovs, B, **BRIDGE_CHANGED)]
    planned = ok(each(change, check=True)[0])['plan']
    assert sorted(s['field'] for s in planned) == [
        'controller', 'external_ids', 'fail_mode', 'other_config', 'protocols', 'rstp', 'stp']
    assert ovs.get('Bridge', 'br-t', 'fail_mode') == 'secure'
    changed = ok(play(change, diff=True)[0])
    assert changed['plan'] == planned
    assert changed['diff']['before']['external_ids'] == {'owner': 'netprov', 'site': None}
    assert changed['diff']['after']['external_ids'] == {'owner': None, 'site': 'b'}
    assert ovs.get('Bridge', 'br-t', 'fail_mode') == 'standalone'
    assert (ovs.get('Bridge', 'br-t', 'stp_enable'), ovs.get('Bridge', 'br-t', 'rstp_enable')) == ('false', 'true')
    assert ovs.get('Bridge', 'br-t', 'external_ids') == '{foreign=keep, managed="true", site=b}'
    assert ovs.get('Bridge', 'br-t', 'other_config') == '{mac-aging-time="600"}'
    assert ovs.get('Bridge', 'br-t', 'protocols') == '[OpenFlow10, OpenFlow15]'
    assert ovs.vsctl('get-controller', 'br-t') == ''
    assert ok(each(change)[0])['changed'] is False


def test_bridge_absent_refused_while_unlisted_ports_sit_on_it(ovs):
    setup = [on(ovs, B, name='br-a', datapath_type='netdev'),
             on(ovs, P, bridge='br-a', name='a-p1', type='internal'),
             on(ovs, P, bridge='br-a', name='a-p2', type='internal')]
    gone = [on(ovs, B, name='br-a', state='absent'),
            on(ovs, B, name='br-a', state='absent', ports=['a-p1'])]
    res = play(setup + gone)
    for i in range(3):
        ok(res[i], i)
    assert res[3]['failed'] and res[3]['msg'] == (
        'ports: bridge br-a carries ports that are not in ports: a-p1, a-p2; list them to remove them with the '
        'bridge, or set force: true')
    assert res[4]['failed'] and 'not in ports: a-p2;' in res[4]['msg']
    assert sorted(ovs.vsctl('list-ports', 'br-a').split()) == ['a-p1', 'a-p2']

    listed = [on(ovs, B, name='br-a', state='absent', ports=['a-p1', 'a-p2'])]
    check = ok(play(listed, check=True)[0])
    assert [(s['action'], s['ports']) for s in check['plan']] == [('remove_bridge', ['a-p1', 'a-p2'])]
    assert ovs.vsctl('list-br') == 'br-a'
    res = play(listed + listed)
    assert (ok(res[0])['changed'], ok(res[1])['changed']) == (True, False)
    assert ovs.vsctl('list-br') == ''
    assert ovs.vsctl('--columns=name', 'list', 'Interface') == ''   # its ports' interfaces went with it

    forced = play(setup[:2] + [on(ovs, B, name='br-a', state='absent', force=True)])
    assert ok(forced[2])['plan'][0]['ports'] == ['a-p1']
    assert ovs.vsctl('list-br') == ''


# ---------------------------------------------------------------- ovs_port

def test_port_every_kind_set_read_back_and_changed(ovs):
    for name in ('v1', 'b1', 'b2'):
        ovs.veth(name, name + 'x')
    ports = [
        on(ovs, P, bridge='br0', name='v1', tag=10, mtu=1400, external_ids={'container': 'c1'}),
        on(ovs, P, bridge='br0', name='in1', type='internal', tag=20),
        on(ovs, P, bridge='br0', name='pa', type='patch', peer='pb'),
        on(ovs, P, bridge='br1', name='pb', type='patch', peer='pa'),
        on(ovs, P, bridge='br0', name='vx', type='vxlan', remote_ip='198.19.180.2', local_ip='198.19.180.1',
           key=5001),
        on(ovs, P, bridge='br0', name='gr', type='gre', remote_ip='198.19.180.3', key=70000),
        on(ovs, P, bridge='br0', name='gn', type='geneve', remote_ip='198.19.180.4', key=77),
        on(ovs, P, bridge='br0', name='bo', type='bond', interfaces=['b1', 'b2'], bond_mode='balance-slb',
           lacp='off', vlan_mode='trunk', trunks=[10, 20]),
    ]
    bridges = [on(ovs, B, name='br0', datapath_type='netdev'), on(ovs, B, name='br1', datapath_type='netdev')]
    for r in each(bridges):
        ok(r)
    check = each(ports, check=True)
    for i, r in enumerate(check):
        assert ok(r, i)['changed'] is True and r['plan'][0]['action'] == 'create_port'
    assert sorted(ovs.vsctl('list-ports', 'br0').split()) == []

    done = play(ports)   # the real run through ansible-playbook
    for i, r in enumerate(done.results):
        assert ok(r, i)['plan'] == check[i]['plan'], i
        if i != 2:
            assert r['port']['interfaces'][0]['error'] is None, (i, r['port'])
    # pa came first: a warning, not a failure, and its error is gone once pb is there
    assert done[2]['warnings'] == ['patch port pa waits for its peer pb, which does not exist yet (add it on the '
                                   'other bridge)']
    assert ovs.get('Interface', 'pa', 'error') == '[]'
    assert sorted(ovs.vsctl('list-ports', 'br0').split()) == ['bo', 'gn', 'gr', 'in1', 'pa', 'v1', 'vx']
    assert ovs.vsctl('list-ports', 'br1') == 'pb'
    assert (ovs.get('Port', 'v1', 'tag'), ovs.get('Interface', 'v1', 'mtu_request')) == ('10', '1400')
    assert ovs.get('Interface', 'v1', 'mtu') == '1400'   # ovs-vswitchd applied it to the link
    assert ovs.get('Port', 'v1', 'external_ids') == '{container=c1}'
    assert (ovs.get('Interface', 'in1', 'type'), ovs.get('Port', 'in1', 'tag')) == ('internal', '20')
    assert 'in1' in ovs.ip('link')
    assert ovs.get('Interface', 'pa', 'options') == '{peer=pb}' and ovs.get('Interface', 'pb', 'options') == '{peer=pa}'
    assert ovs.get('Interface', 'vx', 'type') == 'vxlan'
    assert ovs.get('Interface', 'vx', 'options') == '{key="5001", local_ip="198.19.180.1", remote_ip="198.19.180.2"}'
    assert ovs.get('Interface', 'gr', 'options') == '{key="70000", remote_ip="198.19.180.3"}'
    assert (ovs.get('Interface', 'gn', 'type'), ovs.get('Interface', 'gn', 'options')) == \
        ('geneve', '{key="77", remote_ip="198.19.180.4"}')
    assert (ovs.get('Port', 'bo', 'bond_mode'), ovs.get('Port', 'bo', 'lacp')) == ('balance-slb', 'off')
    assert (ovs.get('Port', 'bo', 'vlan_mode'), ovs.get('Port', 'bo', 'trunks')) == ('trunk', '[10, 20]')
    assert sorted(i['name'] for i in done[7]['port']['interfaces']) == ['b1', 'b2']

    again = each(ports)
    assert [(r['changed'], r['plan']) for r in again] == [(False, [])] * len(ports)

    ovs.veth('b3', 'b3x')
    change = [
        on(ovs, P, bridge='br0', name='v1', tag=30, vlan_mode='native-untagged', trunks=[40], mtu=1300),
        on(ovs, P, bridge='br0', name='vx', remote_ip='198.19.180.5', key=6000, local_ip='198.19.180.6'),
        on(ovs, P, bridge='br0', name='gr', type='geneve', remote_ip='198.19.180.3'),
        on(ovs, P, bridge='br0', name='bo', interfaces=['b1', 'b3'], bond_mode='active-backup', lacp='active',
           trunks=[30]),
        on(ovs, P, bridge='br0', name='in1', tag=0),
        on(ovs, P, bridge='br0', name='gn', key=78, remote_ip='198.19.180.7', local_ip='198.19.180.1'),
        # the patch pair re-pointed: pa to a new peer pc on br1, pb (its old peer) removed
        on(ovs, P, bridge='br1', name='pb', state='absent'),
        on(ovs, P, bridge='br0', name='pa', peer='pc'),
        on(ovs, P, bridge='br1', name='pc', type='patch', peer='pa'),
    ]
    planned = each(change, check=True)
    assert ovs.get('Port', 'v1', 'tag') == '10' and ovs.get('Interface', 'pa', 'options') == '{peer=pb}'
    changed = play(change, diff=True)   # through ansible-playbook again
    for i, r in enumerate(changed.results):
        assert ok(r, i)['changed'] and r['plan'] == planned[i]['plan'], i
    assert (ovs.get('Port', 'v1', 'tag'), ovs.get('Port', 'v1', 'vlan_mode'), ovs.get('Port', 'v1', 'trunks')) == \
        ('30', 'native-untagged', '[40]')
    assert ovs.get('Interface', 'v1', 'mtu') == '1300'
    assert ovs.get('Interface', 'vx', 'options') == '{key="6000", local_ip="198.19.180.6", remote_ip="198.19.180.5"}'
    assert changed[1]['diff']['before'] == {'name': 'vx', 'bridge': 'br0', 'state': 'present', 'type': 'vxlan',
                                            'remote_ip': '198.19.180.2', 'key': 5001, 'local_ip': '198.19.180.1'}
    assert (ovs.get('Interface', 'gr', 'type'), ovs.get('Interface', 'gr', 'options')) == \
        ('geneve', '{remote_ip="198.19.180.3"}')   # a new type starts from the options given
    assert [s['action'] for s in changed[3]['plan'][:2]] == ['remove_interface', 'add_interface']
    assert sorted(ovs.vsctl('--columns=name', '--bare', 'list', 'Interface').split()) == \
        ['b1', 'b3', 'br0', 'br1', 'gn', 'gr', 'in1', 'pa', 'pc', 'v1', 'vx']
    assert (ovs.get('Port', 'bo', 'bond_mode'), ovs.get('Port', 'bo', 'lacp'), ovs.get('Port', 'bo', 'trunks')) == \
        ('active-backup', 'active', '[30]')
    assert ovs.get('Port', 'in1', 'tag') == '[]'
    assert ovs.get('Interface', 'gn', 'options') == '{key="78", local_ip="198.19.180.1", remote_ip="198.19.180.7"}'
    assert (ovs.get('Interface', 'pa', 'options'), ovs.get('Interface', 'pc', 'options')) == ('{peer=pc}', '{peer=pa}')
    assert (ovs.get('Interface', 'pa', 'error'), ovs.vsctl('list-ports', 'br1')) == ('[]', 'pc')
    assert [r['changed'] for r in each(change)] == [False] * len(change)

    gone = each([on(ovs, P, bridge='br0', name='vx', state='absent')] * 2)
    assert [ok(r)['changed'] for r in gone] == [True, False]
    assert 'vx' not in ovs.vsctl('list-ports', 'br0').split()


def test_vlan_isolation_on_the_userspace_datapath(ovs):
    hosts = dict((n, ovs.host(n, '198.19.177.%d/24' % i)) for i, n in enumerate(('h1', 'h2', 'h3'), 1))
    res = play([on(ovs, B, name='br-v', datapath_type='netdev'),
                on(ovs, P, bridge='br-v', name='h1', tag=10),
                on(ovs, P, bridge='br-v', name='h2', tag=10),
                on(ovs, P, bridge='br-v', name='h3', tag=20)])
    for i, r in enumerate(res.results):
        ok(r, i)
    assert ping(hosts['h1'], '198.19.177.2', count=3)
    assert ping(hosts['h2'], '198.19.177.1')
    for src, dst in (('h1', 3), ('h2', 3), ('h3', 1), ('h3', 2)):
        assert not ping(hosts[src], '198.19.177.%d' % dst, count=1), (src, dst)

    moved = ok(play([on(ovs, P, bridge='br-v', name='h3', tag=10)])[0])   # h3 joins VLAN 10
    assert moved['plan'][0]['field'] == 'tag'
    assert ping(hosts['h3'], '198.19.177.1', count=3)


def test_vxlan_tunnel_between_two_switches_over_an_underlay(ovs_pair):
    a, b = ovs_pair
    for sw, me, peer, host in ((a, '198.19.190.1', '198.19.190.2', '198.19.178.1/24'),
                               (b, '198.19.190.2', '198.19.190.1', '198.19.178.2/24')):
        sw.host('c1', host)
        # the userspace datapath sends tunnel traffic out of an OVS bridge: the underlay link is a port of
        # br-phy, whose device holds the underlay address
        res = play([on(sw, B, name='br-phy', datapath_type='netdev'),
                    on(sw, P, bridge='br-phy', name='ul'),
                    {L: {'name': 'br-phy', 'addresses': [me + '/24'], 'state': 'up', 'netns': sw.netns}},
                    on(sw, B, name='br-int', datapath_type='netdev'),
                    on(sw, P, bridge='br-int', name='c1', tag=10),
                    on(sw, P, bridge='br-int', name='vx1', type='vxlan', remote_ip=peer, local_ip=me, key=5001),
                    on(sw, INFO, bridge='br-int')])
        for i, r in enumerate(res.results):
            ok(r, i)
        assert res[6]['tunnels'] == [{'port': 'vx1', 'bridge': 'br-int', 'type': 'vxlan', 'remote_ip': peer,
                                      'local_ip': me, 'key': 5001, 'link_state': res[6]['tunnels'][0]['link_state']}]
    assert ping(a.netns + '-c1', '198.19.178.2', count=3)
    assert ping(b.netns + '-c1', '198.19.178.1')

    # another VNI on one side only: the tunnel carries nothing
    ok(play([on(b, P, bridge='br-int', name='vx1', key=5002)])[0])
    assert b.get('Interface', 'vx1', 'options') == '{key="5002", local_ip="198.19.190.2", remote_ip="198.19.190.1"}'
    assert not ping(a.netns + '-c1', '198.19.178.2', count=1)


# ---------------------------------------------------------------- refusals

def _state(sw):
    return sw.vsctl('show').split('\n', 1)[1]   # without the database's uuid line


BAD = [
    (P, dict(bridge='br-none', name='in9', type='internal'),
     'bridge: no OVS bridge br-none (bridges: br-r); create it first with ovs_bridge'),
    (P, dict(bridge='br-r', name='in9', type='internal', tag=4095), 'tag: 4095 is outside 0..4094'),
    (P, dict(bridge='br-r', name='in9', type='internal', tag=-1), 'tag: -1 is outside 0..4094'),
    (P, dict(bridge='br-r', name='vx9', type='vxlan', key=5), "remote_ip: type vxlan needs remote_ip, the tunnel's"),
    (P, dict(bridge='br-r', name='vx9', type='vxlan', remote_ip='198.19.180.9', key=2 ** 24),
     'key: 16777216 is outside 0..16777215, the vxlan key range'),
    (P, dict(bridge='br-r', name='vx9', type='vxlan', remote_ip='nowhere'), "remote_ip: 'nowhere' is not an IP"),
    (P, dict(bridge='br-r', name='vx9', type='vxlan', remote_ip='198.19.180.9', peer='x'),
     'peer: only for type patch, not vxlan'),
    (P, dict(bridge='br-r', name='pt9', type='patch'), 'peer: type patch needs peer, the patch port on the other '
                                                       'bridge'),
    (P, dict(bridge='br-r', name='eth9'), "name: no link eth9 in the switch's network namespace"),
    (P, dict(bridge='br-r', name='bo9', type='bond', interfaces=['r1']), 'interfaces: type bond needs interfaces, '
                                                                         'two links or more'),
    (P, dict(bridge='br-r', name='r1', trunks=[5000]), 'trunks[0]: 5000 is outside 0..4094'),
    (P, dict(bridge='br-r', name='r1', vlan_mode='access', trunks=[5]), 'trunks: an access port carries one VLAN'),
    (P, dict(bridge='br-r', name='r1', mtu=40), 'mtu: 40 is outside 68..65535'),
    (P, dict(bridge='br-r', name='bo9', type='bond', interfaces=['r1', 'lo']),
     'interfaces[0]: interface r1 is already on port r1 (bridge br-r)'),
    (B, dict(name='br-r', stp=True, rstp=True), 'rstp: STP and RSTP exclude each other on one bridge'),
    (B, dict(name='br-r', controller=['6653']), "controller[0]: '6653' is not an OpenFlow controller target"),
    (B, dict(name='br-r', external_ids={'a': ['x']}), "external_ids.a: ['x'] is not a string"),
    (B, dict(name='br-with-a-long-name'), "name: 'br-with-a-long-name' is not a valid name"),
    (B, dict(name='br-r', ports=['r1']), 'ports: only with state: absent'),
    (B, dict(name='br-r', ovsdb='unix:/nonexistent/db.sock'), 'ovsdb: cannot reach OVSDB at unix:/nonexistent/db.sock'),
    (B, dict(name='br-r', ovsdb='http://x'), "ovsdb: 'http://x' is not an OVSDB connection"),
    (B, dict(name='br-r', timeout=0), 'timeout: 0 is not a timeout'),
]


@pytest.mark.parametrize('module,args,msg', BAD, ids=['%s-%d' % (short(m), i) for i, (m, a, s) in enumerate(BAD)])
def test_bad_input_refused_naming_the_field(ovs, module, args, msg):
    ovs.veth('r1', 'r1x')
    ovs.vsctl('add-br', 'br-r', '--', 'set', 'bridge', 'br-r', 'datapath_type=netdev', '--',
              'add-port', 'br-r', 'r1')
    before = _state(ovs)
    for check in (True, False):
        res = direct(ovs, module, check=check, **args)
        assert res.traceback is None, res.traceback
        assert res.failed and res['msg'].startswith(msg), res['msg']
    assert _state(ovs) == before


def test_bad_inputs_through_a_playbook(ovs):
    ovs.vsctl('add-br', 'br-r', '--', 'set', 'bridge', 'br-r', 'datapath_type=netdev')
    res = playbook([on(ovs, P, bridge='br-x', name='in1', type='internal'),
                    on(ovs, P, bridge='br-r', name='in1', type='internal', tag=5000),
                    on(ovs, P, bridge='br-r', name='gre1', type='gre')])
    assert [r['msg'].split(':')[0] for r in res.results] == ['bridge', 'tag', 'remote_ip']
    assert ovs.vsctl('list-ports', 'br-r') == ''


def test_port_on_another_bridge_is_refused_not_moved(ovs):
    ok(play([on(ovs, B, name='br-1', datapath_type='netdev'), on(ovs, B, name='br-2', datapath_type='netdev'),
             on(ovs, P, bridge='br-1', name='m1', type='internal', tag=7)])[2])
    for state in ('present', 'absent'):
        res = direct(ovs, P, bridge='br-2', name='m1', type='internal', state=state)
        assert res['msg'] == ('bridge: port m1 is on bridge br-1, not br-2; remove it there first (state: absent, '
                              'bridge: br-1) to move it')
    assert (ovs.vsctl('port-to-br', 'm1'), ovs.get('Port', 'm1', 'tag')) == ('br-1', '7')


def test_what_ovs_vswitchd_cannot_set_up_is_removed_again(ovs):
    """One transaction per run; what ovs-vswitchd then fails to open is taken back out, and the run fails."""
    ovs.vsctl('add-br', 'br-e', '--', 'set', 'bridge', 'br-e', 'datapath_type=netdev')
    guest = ovs.host('g1', '198.19.183.1/24')
    # eth0 exists in the namespace the task names, not in the switch's: the check passes, ovs-vswitchd cannot open it
    res = direct(ovs, P, bridge='br-e', name='eth0', netns=guest)
    assert res.failed and res['msg'] == ('name: ovs-vswitchd could not set up eth0: could not open network device '
                                         'eth0 (No such device); what this run added (eth0) was removed again')
    assert ovs.vsctl('list-ports', 'br-e') == '' and ovs.get('Interface', 'eth0', 'name') == ''

    system = direct(ovs, B, name='br-k', datapath_type='system')
    if os.path.exists('/sys/module/openvswitch'):
        assert ok(system.result)['bridge']['datapath_type'] == 'system'
        return
    # this kernel has no OVS datapath, and ovs-vswitchd offers system all the same: a bridge on it is refused
    # before anything changes (check mode too), and so is moving an existing bridge onto it
    assert 'system' in ovs.get('Open_vSwitch', '.', 'datapath_types')
    why = ("needs the kernel's Open vSwitch datapath, which this host lacks (generic netlink family ovs_datapath not "
           "found (ENOENT): the kernel has no openvswitch module); set datapath_type: netdev (the userspace datapath)")
    for check in (True, False):
        for args, msg in ((dict(name='br-k', datapath_type='system'), 'system'),
                          (dict(name='br-k'), 'not given, so system (the default)'),
                          (dict(name='br-e', datapath_type='system'), 'system')):
            res = direct(ovs, B, check=check, **args)
            assert res.failed and res['msg'] == 'datapath_type: %s %s' % (msg, why), (args, res['msg'])
    assert ovs.vsctl('list-br') == 'br-e' and ovs.get('Bridge', 'br-e', 'datapath_type') == 'netdev'
    assert ok(direct(ovs, B, name='br-e', fail_mode='secure').result)['changed']   # br-e stays netdev: no probe


# ---------------------------------------------------------------- the management path

def test_management_path_guarded_as_host_link_guards_it(ovs):
    ovs.veth('up1', 'up1x')
    res = playbook([on(ovs, B, name='br-m', datapath_type='netdev'),
                    on(ovs, P, bridge='br-m', name='up1'),
                    {L: {'name': 'br-m', 'addresses': ['198.19.181.1/24'], 'state': 'up', 'netns': ovs.netns}}])
    for i, r in enumerate(res.results):
        ok(r, i)
    ovs.ip('route', 'add', 'default', 'via', '198.19.181.254', 'dev', 'br-m')
    why = 'it is a port of br-m and it carries the ipv4 default route via 198.19.181.254 (table 254)'
    refused = {
        'remove': direct(ovs, P, bridge='br-m', name='up1', state='absent'),
        'tag': direct(ovs, P, bridge='br-m', name='up1', tag=5),
        'mtu': direct(ovs, P, bridge='br-m', name='up1', mtu=1400),
        'bridge': direct(ovs, B, name='br-m', state='absent', force=True),
        'fail_mode': direct(ovs, B, name='br-m', fail_mode='secure'),
    }
    assert refused['remove']['msg'] == ('up1: refusing to touch the management path: would delete it, but %s; set '
                                        'allow_management: true if another path reaches this host' % why)
    assert 'would change its VLAN or bond settings, but %s' % why in refused['tag']['msg']
    assert 'would change its MTU, but %s' % why in refused['mtu']['msg']
    assert 'br-m: refusing to touch the management path: would delete it, but it carries the ipv4 default route' \
        in refused['bridge']['msg']
    assert 'would change how its bridge forwards' in refused['fail_mode']['msg']
    assert all(r.failed for r in refused.values())
    assert ovs.vsctl('list-ports', 'br-m') == 'up1' and ovs.get('Port', 'up1', 'tag') == '[]'
    assert ovs.get('Bridge', 'br-m', 'fail_mode') == '[]'

    labels = direct(ovs, B, name='br-m', external_ids={'role': 'uplink'})   # cannot cut anything
    assert ok(labels.result)['changed'] is True
    allowed = direct(ovs, P, bridge='br-m', name='up1', tag=5, allow_management=True)
    assert ok(allowed.result)['changed'] and allowed['management'] == why
    assert ovs.get('Port', 'up1', 'tag') == '5'

    # a link carrying the local address of the task's SSH session (a real connection held by an sshd
    # stand-in in the switch's namespace, as the module finds it: from the socket table) is not put on a bridge
    ovs.veth('ssh0', 'ssh0x')
    ovs.ip('addr', 'add', '198.19.182.1/24', 'dev', 'ssh0')
    ovs.ip('link', 'set', 'lo', 'up')
    ovs.ip('addr', 'add', '198.19.182.9/32', 'dev', 'lo')  # the SSH client's end
    res = playbook([on(ovs, P, bridge='br-m', name='ssh0')],
                   wrapper=ssh_double.wrapper(ovs.netns, '198.19.182.9 50000 198.19.182.1 22')).results[0]
    assert res.get('failed') and 'would move it to another master, but it carries 198.19.182.1, the local address ' \
        'of the SSH session of this task (sshd ' in res['msg'], res.get('msg')
    assert 'ssh0' not in ovs.vsctl('list-ports', 'br-m')


# ---------------------------------------------------------------- ovs_info

def test_info_reports_bridges_ports_tags_tunnels_and_states(ovs):
    ovs.host('i1', '198.19.184.1/24')
    res = play([on(ovs, B, name='br-i', datapath_type='netdev', rstp=True),
                on(ovs, P, bridge='br-i', name='i1', tag=12),
                on(ovs, P, bridge='br-i', name='gi', type='gre', remote_ip='198.19.184.9', key=9),
                on(ovs, INFO),
                on(ovs, INFO, bridge='br-nope')])
    for i in range(4):
        ok(res[i], i)
    info = res[3]
    assert info['changed'] is False
    assert set(['netdev', 'system']) <= set(info['datapath_types']) and 'vxlan' in info['iface_types']
    assert 'ovs_version' in info and 'db_version' in info   # null here: only the service scripts record them
    # system is offered, but this kernel has no OVS datapath: the probe tells
    assert info['kernel_datapath']['supported'] is os.path.isdir('/sys/module/openvswitch'), info['kernel_datapath']
    assert [(b['name'], b['datapath_type'], b['rstp'], b['ports']) for b in info['bridges']] == \
        [('br-i', 'netdev', True, ['br-i', 'gi', 'i1'])]
    ports = dict((p['name'], p) for p in info['ports'])
    assert (ports['i1']['type'], ports['i1']['tag'], ports['gi']['type'], ports['br-i']['type']) == \
        ('system', 12, 'gre', 'internal')
    i1 = ports['i1']['interfaces'][0]
    assert (i1['link_state'], i1['admin_state'], i1['error']) == ('up', 'up', None) and i1['ofport'] > 0
    assert info['tunnels'] == [{'port': 'gi', 'bridge': 'br-i', 'type': 'gre', 'remote_ip': '198.19.184.9',
                                'local_ip': None, 'key': 9, 'link_state': ports['gi']['interfaces'][0]['link_state']}]
    assert res[4]['failed'] and res[4]['msg'] == 'bridge: no OVS bridge br-nope (bridges: br-i)'


# ---------------------------------------------------------------- the interfaces role

def test_interfaces_role_takes_bridges_ports_and_tunnels_from_inventory(ovs):
    ovs.veth('rl1', 'rl1x')
    role_vars = {'interfaces_unmanage_docker': False, 'interfaces_ovsdb': ovs.remote, 'interfaces_ovs_netns': ovs.netns,
                 'interfaces_ovs_bridges': [{'name': 'br-role', 'datapath_type': 'netdev', 'rstp': True}],
                 'interfaces_ovs_ports': [
                     {'bridge': 'br-role', 'name': 'rl1', 'tag': 10},
                     {'bridge': 'br-role', 'name': 'vx-role', 'type': 'vxlan', 'remote_ip': '198.19.187.2',
                      'key': 4242}]}
    role = {'ansible.builtin.include_role': {'name': 'netprov.dockernet.interfaces'}, 'vars': role_vars}
    first = playbook([role])
    assert first.rc == 0, first.stdout[-3000:]
    assert ovs.get('Bridge', 'br-role', 'rstp_enable') == 'true'
    assert (ovs.get('Port', 'rl1', 'tag'), ovs.get('Interface', 'vx-role', 'options')) == \
        ('10', '{key="4242", remote_ip="198.19.187.2"}')
    again = playbook([role])
    assert again.rc == 0 and 'changed: [localhost] => (item=' not in again.stdout, again.stdout[-3000:]
    assert again.stdout.count('ok: [localhost] => (item=') == 3   # the bridge and both ports: no change

    role_vars['interfaces_ovs_ports'] = [{'bridge': 'br-role', 'name': 'vx-role', 'state': 'absent'}]
    role_vars['interfaces_ovs_bridges'] = [{'name': 'br-role', 'state': 'absent', 'ports': ['rl1']}]
    gone = playbook([role])
    assert gone.rc == 0, gone.stdout[-3000:]
    assert ovs.vsctl('list-br') == ''


def _role_run(ovs, role_vars, check=False):
    """The interfaces role on localhost, ansible-playbook run inside the switch's network namespace (so
    host_links and host_routes, which run in the host's own namespace, see the switch's links); returns the
    stdout, asserting that no task failed (the role is included with ignore_errors: a failure is 'ignoring')."""
    role = {'ansible.builtin.include_role': {'name': 'netprov.dockernet.interfaces'},
            'vars': dict({'interfaces_unmanage_docker': False, 'interfaces_ovsdb': ovs.remote}, **role_vars)}
    res = playbook([role], check=check, wrapper=['nsenter', '--net=' + ovs.netns_path])
    assert res.rc == 0 and 'fatal:' not in res.stdout and '...ignoring' not in res.stdout, res.stdout[-4000:]
    return res.stdout


# Addresses inside the switch's own namespace, from 198.18.110.0/23.
SHIM_ROLE_VARS = {
    'interfaces_ovs_bridges': [{'name': 'br-sh', 'datapath_type': 'netdev'}],
    'interfaces_ovs_ports': [{'bridge': 'br-sh', 'name': 'in-sh', 'type': 'internal', 'tag': 30}],
    # an address on the bridge's own device, both up (ovs-vswitchd leaves them down), a shim on the internal port,
    # a route through the internal port
    'interfaces_links': [{'name': 'br-sh', 'addresses': ['198.18.110.1/26']}, {'name': 'in-sh'}],
    'interfaces_macvlan_shims': [{'name': 'shim-sh', 'parent': 'in-sh', 'address': '198.18.110.121/32',
                                  'routes': ['198.18.110.64/28']}],
    'interfaces_routes': [{'dest': '198.18.111.0/24', 'dev': 'in-sh', 'scope': 'link'}],
}


def test_interfaces_role_puts_links_on_the_internal_ports_and_bridges_it_makes_and_teardown_undoes_them(
        ovs, tmp_path):
    _role_run(ovs, SHIM_ROLE_VARS)
    assert ovs.get('Port', 'in-sh', 'tag') == '30'
    shim = ovs.ip('-d', '-o', 'link', 'show', 'shim-sh')
    assert 'shim-sh@in-sh' in shim and 'macvlan mode bridge' in shim, shim
    assert 'inet 198.18.110.121/32' in ovs.ip('-o', 'addr', 'show', 'shim-sh')
    assert 'inet 198.18.110.1/26' in ovs.ip('-o', 'addr', 'show', 'br-sh')
    routes = ovs.ip('route')
    assert '198.18.110.64/28 dev shim-sh proto static scope link' in routes, routes
    assert '198.18.111.0/24 dev in-sh proto static scope link' in routes, routes
    again = _role_run(ovs, SHIM_ROLE_VARS).split('TASK [dump results]')[0]
    assert 'changed:' not in again, again[-3000:]   # a second run changes nothing

    # playbooks/teardown.yml (its ovs and links plays) takes apart what the role made, and nothing else: a
    # port someone else put on br-sh keeps br-sh until teardown_force, a bridge of their own stays
    ovs.vsctl('add-port', 'br-sh', 'hand-sh', '--', 'set', 'Interface', 'hand-sh', 'type=internal')
    ovs.vsctl('add-br', 'br-hand', '--', 'set', 'bridge', 'br-hand', 'datapath_type=netdev')
    refused = _teardown(ovs, SHIM_ROLE_VARS, tmp_path)
    assert refused.returncode != 0 and 'hand-sh' in refused.stdout, refused.stdout[-3000:]
    assert sorted(ovs.vsctl('list-ports', 'br-sh').split()) == ['hand-sh', 'in-sh']   # nothing lost on refusal
    forced = _teardown(ovs, SHIM_ROLE_VARS, tmp_path, '-e', 'teardown_force=true')
    assert forced.returncode == 0, forced.stdout[-3000:]
    assert ovs.vsctl('list-br') == 'br-hand' and 'shim-sh' not in ovs.ip('link')
    again = _teardown(ovs, SHIM_ROLE_VARS, tmp_path)
    assert again.returncode == 0 and ' changed=0 ' in again.stdout, again.stdout[-3000:]


def _teardown(ovs, role_vars, tmp_path, *args):
    """playbooks/teardown.yml's ovs and links plays for a host with ``role_vars``, run in the switch's
    network namespace as _role_run runs the role."""
    (tmp_path / 'host_vars').mkdir(exist_ok=True)
    (tmp_path / 'host_vars' / 'localhost.yml').write_text(yaml.safe_dump(dict(role_vars, interfaces_ovsdb=ovs.remote)))
    (tmp_path / 'inventory.ini').write_text('[docker_hosts]\nlocalhost ansible_connection=local '
                                            'ansible_python_interpreter=%s\n' % PYTHON)
    return subprocess.run(['nsenter', '--net=' + ovs.netns_path, os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'),
                           '-i', str(tmp_path / 'inventory.ini'), os.path.join(ROOT, 'playbooks', 'teardown.yml'),
                           '--tags', 'ovs,links'] + list(args),
                          capture_output=True, text=True, env=ansible_env(), timeout=600, check=False)


def test_interfaces_role_check_mode_plans_routes_through_ovs_ports_it_would_make(ovs):
    # a fresh host: the bridge, its internal port, a port on a veth the links task would make, and the routes
    # through the internal port and the bridge's device are all new: check mode plans each (none refused for
    # want of what an earlier task only planned), and makes nothing
    role_vars = {'interfaces_ovs_bridges': SHIM_ROLE_VARS['interfaces_ovs_bridges'],
                 'interfaces_ovs_ports': SHIM_ROLE_VARS['interfaces_ovs_ports']
                 + [{'bridge': 'br-sh', 'name': 've-sh', 'tag': 30}],
                 'interfaces_links': [{'name': 've-sh', 'kind': 'veth', 'peer': 've-sh-p'}],
                 'interfaces_routes': SHIM_ROLE_VARS['interfaces_routes'] + [{'dest': '198.18.110.128/26', 'dev': 'br-sh'}]}
    out = _role_run(ovs, role_vars, check=True)
    for task in ('Open vSwitch bridges', 'Open vSwitch internal ports (links may stand on them)',
                 'Open vSwitch ports and tunnels, and the ports to remove', "Routes, the shims' included"):
        shown = out.split('TASK [netprov.dockernet.interfaces : %s]' % task, 1)[1].split('TASK [')[0]
        assert 'changed: [localhost]' in shown and 'failed' not in shown, (task, out[-3000:])
    assert ovs.vsctl('list-br') == '' and '198.18.11' not in ovs.ip('route')   # and nothing was made
    assert 've-sh' not in ovs.ip('link')
