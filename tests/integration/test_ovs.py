"""Open vSwitch tests against a real ovsdb-server and ovs-vswitchd (userspace datapath).

Each test starts its own switch in a fresh network namespace (ovs_fixtures.py).
What the modules wrote is read back with ovs-vsctl, which the modules never
use; traffic runs between further namespaces whose veth ends are the ports.
Addresses come from 198.19.176.0/20.
"""


def test_fixture_runs_a_userspace_switch(ovs):
    ovs.vsctl('add-br', 'br-fx', '--', 'set', 'bridge', 'br-fx', 'datapath_type=netdev')
    assert ovs.vsctl('list-br') == 'br-fx'
    assert 'netdev' in ovs.get('Open_vSwitch', '.', 'datapath_types')
    assert 'br-fx' in ovs.ip('link')   # the bridge's device is in the switch's namespace, not the machine's
