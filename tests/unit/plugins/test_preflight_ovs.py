"""The preflight role's Open vSwitch check (plugins/plugin_utils/_preflight_ovs.py), through the verdict: tables."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.plugin_utils import _preflight as pc

SOCK = 'unix:/var/run/openvswitch/db.sock'
OVS = {'ovsdb': SOCK, 'reachable': True, 'error': '', 'datapath_types': ['netdev', 'system'],
       'iface_types': ['geneve', 'internal', 'patch', 'system', 'vxlan'],
       'kernel_datapath': {'supported': True, 'detail': 'generic netlink family ovs_datapath resolved'},
       'bridges': [{'name': 'br-old', 'datapath_type': 'netdev'}]}
ENGINE = {'reachable': True, 'version': '20.10.24+dfsg1'}


def problems(want, **ovs):
    facts = {'host': 'h1', 'network_info': {}, 'engine': ENGINE, 'engine_networks': [], 'listeners': [],
             'in_swarm': False, 'ovs': dict(OVS, **ovs)}
    return pc.preflight_problems(facts, dict(want, ovsdb=SOCK))


def test_nothing_asked_nothing_read():
    assert problems({'ovs_bridges': [], 'ovs_ports': []}, reachable=False) == []


def test_offered_types_pass_and_an_existing_bridge_keeps_its_datapath():
    want = {'ovs_bridges': [{'name': 'br-k', 'datapath_type': 'system'}, {'name': 'br-old'}],
            'ovs_ports': [{'bridge': 'br-k', 'name': 'vx1', 'type': 'vxlan', 'remote_ip': '198.18.80.2'},
                          {'bridge': 'br-k', 'name': 'bo', 'type': 'bond', 'interfaces': ['a', 'b']},
                          {'bridge': 'br-k', 'name': 'eth1'}]}
    assert problems(want) == []
    # br-old exists on netdev: no datapath_type given means it stays there, not the default system
    assert problems(want, kernel_datapath={'supported': False, 'detail': 'no'}) == [
        "h1: interfaces_ovs_bridges[0] 'br-k' datapath_type: system needs the kernel's Open vSwitch datapath, "
        "which this host lacks (no); set datapath_type: netdev (the userspace datapath), or use a kernel with the "
        "openvswitch module"]


def test_a_tunnel_type_not_offered_is_named_with_the_port_and_field():
    want = {'ovs_ports': [{'bridge': 'br-k', 'name': 'gre1', 'type': 'gre', 'remote_ip': '198.18.80.3'},
                          {'bridge': 'br-k', 'name': 'gone', 'type': 'stt', 'state': 'absent'}]}
    assert problems(want) == [
        "h1: interfaces_ovs_ports[0] 'gre1' type: ovs-vswitchd here offers no gre interfaces (it offers geneve, "
        "internal, patch, system, vxlan); use a type it offers"]


def test_a_datapath_type_not_offered():
    assert problems({'ovs_bridges': [{'name': 'br-x', 'datapath_type': 'dpdk'}]}, datapath_types=['netdev']) == [
        "h1: interfaces_ovs_bridges[0] 'br-x' datapath_type: dpdk is not a datapath type ovs-vswitchd offers here "
        "(it offers netdev); use one of those"]


def test_unreachable_ovsdb_names_what_asked_for_it():
    out = problems({'ovs_bridges': [{'name': 'br-x', 'state': 'absent'}]}, reachable=False,
                   error='ovsdb: cannot reach OVSDB')
    assert out == ["h1: ovsdb: interfaces_ovs_bridges 'br-x' ask for Open vSwitch, but OVSDB does not answer at "
                   "%s (ovsdb: cannot reach OVSDB); install and start Open vSwitch (ovsdb-server and ovs-vswitchd), "
                   "or set interfaces_ovsdb to the socket its ovsdb-server listens on" % SOCK]


def test_odd_entries_are_clean_lines():
    out = problems({'ovs_bridges': 'br-x', 'ovs_ports': [{'name': 'p1'}, 'p2']})
    assert out == [
        "h1: interfaces_ovs_bridges: must be a list, not str 'br-x'; write it like [{name: br-lab, datapath_type: "
        "netdev}]",
        "h1: interfaces_ovs_ports[0] 'p1': missing required arguments: bridge; write it as netprov.dockernet.ovs_port "
        "takes it (for example {bridge: br-lab, name: vx-host2, type: vxlan, remote_ip: 198.18.20.2})",
        "h1: interfaces_ovs_ports[1]: must be a dict, not str 'p2'; write it like {bridge: br-lab, name: vx-host2, "
        "type: vxlan, remote_ip: 198.18.20.2}"]
