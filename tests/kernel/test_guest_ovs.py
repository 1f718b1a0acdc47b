"""Open vSwitch on the kernel datapath (``datapath_type: system``), which the machine kernel lacks.

The guest loads openvswitch (and vport-vxlan), then each test starts its own
ovsdb-server and ovs-vswitchd in a fresh namespace, the way the machine's OVS
tests do (tests/support/ovs_switch.py), and drives the collection's
ovs_bridge, ovs_port and ovs_info (their real main() in-process):

- VLAN isolation: a `system` bridge with access ports tagged 10, 10 and 20 on
  veths into three namespaces; the two on tag 10 ping each other, the one on
  tag 20 reaches neither. Check mode changed nothing, a second run reports no
  change, ovs_info reports datapath type `system` and the kernel datapath
  (which the preflight role's check then accepts), and the kernel's
  ``ovs-system`` datapath device carries the bridge.
- A VXLAN tunnel between two switches in two namespaces over an underlay veth
  (``ul``, not the management path: the guest has none): hosts on VLAN 10 at
  each end ping each other across it, the underlay carried the packets, a host
  on VLAN 20 at the far end is not reached.

The file takes 70-80 s of guest time (seen with the guest alone), so it is
kernel_slow: `make test-kernel` runs it, `make test` does not.

Addresses: 198.18.80.0/20.
"""
import os

import pytest

from conftest import sh
from ansible_collections.netprov.dockernet.tests.support.guest_engine import log

from ansible_collections.netprov.dockernet.tests.support import inproc
from ansible_collections.netprov.dockernet.tests.support import ovs_switch
from ansible_collections.netprov.dockernet.tests.support.ovs_switch import ping
from ansible_collections.netprov.dockernet.plugins.plugin_utils import _preflight_ovs

KERNEL_MODULES = ('openvswitch', 'vport-vxlan')

pytestmark = pytest.mark.kernel_slow


@pytest.fixture(scope='module', autouse=True)
def kernel_datapath():
    """The kernel's OVS datapath: the modules loaded (the guest's boot list does not have them)."""
    for mod in KERNEL_MODULES:
        sh('modprobe', mod)
    assert os.path.isdir('/sys/module/openvswitch')
    yield
    # the later guest tests start from the boot's modules (the vxlan module Docker's overlays use stays)
    for mod in reversed(KERNEL_MODULES):
        sh('rmmod', mod.replace('-', '_'), check=False)


@pytest.fixture
def sw():
    inst = ovs_switch.Ovs('np-kovs')
    try:
        yield inst.start()
    finally:
        inst.stop()


@pytest.fixture
def sw_pair():
    a, b = ovs_switch.pair('np-kova', 'np-kovb')
    try:
        yield a, b
    finally:
        b.stop()
        a.stop()


def call(sw, module, check=False, **args):
    """One module call against switch ``sw``; fails the test with the module's message if the module failed."""
    args.setdefault('ovsdb', sw.remote)
    if module != 'ovs_info':
        args.setdefault('netns', sw.netns)
    res = inproc.call(module, args, check=check)
    assert res.traceback is None, res.traceback
    assert not res.failed, (module, args, res.get('msg'))
    return res.result


def apply(sw, tasks, check=False):
    """Each (module, args) in order; their results."""
    return [call(sw, module, check=check, **args) for module, args in tasks]


def tx_packets(sw, link):
    """The packets ``link`` sent (in the switch's namespace)."""
    return int(sh('ip', 'netns', 'exec', sw.netns, 'cat', '/sys/class/net/%s/statistics/tx_packets' % link)
               .stdout.strip())


def diagnose(sw):
    """What the switch says of itself (its bridges, interfaces, datapath and log), for a failure message."""
    out = [sw.vsctl('show'), sw.vsctl('--columns=name,ofport,error,link_state', 'list', 'Interface')]
    for cmd in (['ovs-appctl', '-t', os.path.join(sw.dir, 'ovs-vswitchd.%s.ctl' % open(sw._pid('ovs-vswitchd')).read()
                                                  .strip()), 'dpif/show'],
                ['tail', '-n', '30', os.path.join(sw.dir, 'ovs-vswitchd.log')]):
        out.append(sh(*cmd, check=False, env=sw.env).stdout)
    return '\n'.join(out)


def test_vlan_isolation_on_the_kernel_datapath(sw):
    hosts = dict((n, sw.host(n, '198.18.80.%d/24' % i)) for i, n in enumerate(('h1', 'h2', 'h3'), 1))
    bridge = [('ovs_bridge', dict(name='br-k', datapath_type='system'))]
    ports = [('ovs_port', dict(bridge='br-k', name='h1', tag=10)),
             ('ovs_port', dict(bridge='br-k', name='h2', tag=10)),
             ('ovs_port', dict(bridge='br-k', name='h3', tag=20))]

    planned = apply(sw, bridge, check=True)
    assert planned[0]['changed'] and [s['action'] for s in planned[0]['plan']] == ['create_bridge']
    assert sw.vsctl('list-br') == ''   # check mode changed nothing
    done = apply(sw, bridge)
    assert done[0]['plan'] == planned[0]['plan'] and done[0]['bridge']['datapath_type'] == 'system'
    assert sw.get('Bridge', 'br-k', 'datapath_type') == 'system'
    # the kernel's datapath holds the bridge: its ovs-system device and the bridge's internal port
    assert 'ovs-system' in sw.ip('link', 'show', 'type', 'openvswitch')
    assert 'br-k' in sw.ip('link', 'show', 'type', 'openvswitch')

    planned = apply(sw, ports, check=True)
    assert [r['changed'] for r in planned] == [True] * 3
    assert sw.vsctl('list-ports', 'br-k') == ''   # check mode changed nothing
    done = apply(sw, ports)
    assert [r['plan'] for r in done] == [r['plan'] for r in planned]
    for r in done:
        assert r['port']['interfaces'][0]['error'] is None, r['port']
    assert [sw.get('Port', p, 'tag') for p in ('h1', 'h2', 'h3')] == ['10', '10', '20']
    for name in ('h1', 'h2', 'h3'):   # each veth end is a port of the kernel datapath
        assert 'master ovs-system' in sw.ip('link', 'show', name), name

    again = apply(sw, bridge + ports)
    assert [(r['changed'], r['plan']) for r in again] == [(False, [])] * 4

    info = call(sw, 'ovs_info')
    assert 'system' in info['datapath_types'] and 'vxlan' in info['iface_types']
    assert [(b['name'], b['datapath_type']) for b in info['bridges']] == [('br-k', 'system')]
    assert dict((p['name'], p['tag']) for p in info['ports']) == {'br-k': None, 'h1': 10, 'h2': 10, 'h3': 20}
    assert info['kernel_datapath']['supported'] is True, info['kernel_datapath']
    # what the preflight role makes of it: a system bridge and a vxlan port pass here
    want = {'ovs_bridges': [{'name': 'br-k', 'datapath_type': 'system'}, {'name': 'br-new'}],
            'ovs_ports': [{'bridge': 'br-k', 'name': 'vx9', 'type': 'vxlan'}]}
    assert _preflight_ovs.check_ovs(want, dict(info, reachable=True, ovsdb=sw.remote)) == []

    assert ping(hosts['h1'], '198.18.80.2', count=3), 'h1 -> h2 on VLAN 10:\n' + diagnose(sw)
    assert ping(hosts['h2'], '198.18.80.1'), 'h2 -> h1 on VLAN 10'
    for src, dst in (('h1', 3), ('h2', 3), ('h3', 1), ('h3', 2)):
        assert not ping(hosts[src], '198.18.80.%d' % dst, count=1), '%s reached 198.18.80.%d across VLANs' % (
            src, dst)

    # The guest has no /dev/net/tun, so ovs-vswitchd cannot remake br-k on the userspace datapath: the run
    # fails naming the field, and br-k is back on the kernel datapath with its ports, still carrying VLAN 10.
    moved = inproc.call('ovs_bridge', dict(name='br-k', datapath_type='netdev', ovsdb=sw.remote, netns=sw.netns))
    assert moved.failed and 'datapath_type' in moved.get('msg', '') and 'br-k' in moved['msg'], (
        moved.result, diagnose(sw))
    assert 'back on datapath system' in moved['msg'], moved['msg']
    assert sw.get('Bridge', 'br-k', 'datapath_type') in ('system', ''), diagnose(sw)
    assert sorted(sw.vsctl('list-ports', 'br-k').split()) == ['h1', 'h2', 'h3']
    assert ping(hosts['h1'], '198.18.80.2', count=3), 'h1 -> h2 after the refused move:\n' + diagnose(sw)
    assert apply(sw, bridge + ports)[0]['changed'] is False

    log('ovs kernel datapath: VLAN isolation held on br-k; a move to netdev without /dev/net/tun was undone')


def test_vxlan_tunnel_on_the_kernel_datapath(sw_pair):
    a, b = sw_pair
    for sw, me, peer in ((a, '198.18.81.1', '198.18.81.2'), (b, '198.18.81.2', '198.18.81.1')):
        # the kernel datapath sends tunnel traffic through the kernel's own routing: the underlay address is
        # on the underlay link itself
        sw.ip('addr', 'add', me + '/24', 'dev', 'ul')
    ha = a.host('c1', '198.18.82.1/24')
    hb = b.host('c1', '198.18.82.2/24')
    hb20 = b.host('c2', '198.18.82.3/24')

    def tasks(me, peer, extra=()):
        return [('ovs_bridge', dict(name='br-int', datapath_type='system')),
                ('ovs_port', dict(bridge='br-int', name='c1', tag=10)),
                ('ovs_port', dict(bridge='br-int', name='vx1', type='vxlan', remote_ip=peer, local_ip=me,
                                  key=5001))] + list(extra)
    side = {a: tasks('198.18.81.1', '198.18.81.2'),
            b: tasks('198.18.81.2', '198.18.81.1', [('ovs_port', dict(bridge='br-int', name='c2', tag=20))])}
    for sw, todo in side.items():
        done = apply(sw, todo)
        assert all(r['changed'] for r in done)
        for r in done[1:]:
            assert r['port']['interfaces'][0]['error'] is None, r['port']
        assert sw.get('Interface', 'vx1', 'type') == 'vxlan'
        info = call(sw, 'ovs_info', bridge='br-int')
        assert info['bridges'][0]['datapath_type'] == 'system'
        me, peer = ('198.18.81.1', '198.18.81.2') if sw is a else ('198.18.81.2', '198.18.81.1')
        assert [dict(t, link_state=None) for t in info['tunnels']] == [
            {'port': 'vx1', 'bridge': 'br-int', 'type': 'vxlan', 'remote_ip': peer, 'local_ip': me, 'key': 5001,
             'link_state': None}]
        # the kernel's VXLAN device that the datapath sends through
        assert 'vxlan_sys_4789' in sw.ip('link', 'show', 'type', 'vxlan')

    before = tx_packets(a, 'ul')
    assert ping(ha, '198.18.82.2', count=3), 'c1 on A -> c1 on B across the VXLAN tunnel on VLAN 10:\n%s\n%s' % (
        diagnose(a), diagnose(b))
    assert ping(hb, '198.18.82.1'), 'c1 on B -> c1 on A'
    assert tx_packets(a, 'ul') - before >= 3, 'the pings did not go over the underlay link'
    assert not ping(ha, '198.18.82.3', count=1), 'VLAN 10 on A reached VLAN 20 on B'
    assert not ping(hb20, '198.18.82.1', count=1), 'VLAN 20 on B reached VLAN 10 on A'

    for sw, todo in side.items():   # a second run changes nothing
        assert [(r['changed'], r['plan']) for r in apply(sw, todo)] == [(False, [])] * len(todo)
    log('ovs kernel datapath: VXLAN tunnel carried VLAN 10 between %s and %s' % (a.netns, b.netns))
