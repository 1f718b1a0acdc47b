#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_port
short_description: Manage one port of an Open vSwitch bridge through OVSDB
version_added: 0.1.0
description:
  - Adds, changes or removes one port of an Open vSwitch bridge by talking OVSDB, never
    by running C(ovs-vsctl).
  - The port can be an existing kernel link, an internal port, a patch port, a VXLAN,
    GRE or Geneve tunnel, or a bond of several links.
  - It takes an access VLAN (O(tag)), trunks, a VLAN mode and an MTU.
  - Every change of one run is one OVSDB transaction, so a failure changes nothing.
    The run then waits until C(ovs-vswitchd) has applied it. A port this run added that
    C(ovs-vswitchd) cannot set up (the C(error) it records) is removed again, and the run
    fails naming the error.
  - The management path is protected as M(netprov.dockernet.host_link) protects it. A link
    counts as a port of its bridge's internal device. A port whose link carries a default
    route or the SSH connection's local address, or sits on a bridge whose device does, is
    never removed or changed in VLAN, type or MTU unless O(allow_management=true). Neither
    is such a link added to a bridge.
extends_documentation_fragment: [netprov.dockernet.ovs, netprov.dockernet.ovs.netns]
author:
  - netprov.dockernet developers (@netprov)
options:
  bridge:
    description:
      - The bridge the port is on; it must exist (see M(netprov.dockernet.ovs_bridge)).
      - A port on another bridge is refused, not moved.
    type: str
    required: true
  name:
    description:
      - Name of the port (1-15 characters).
      - For a single-link port (not a bond), this is also the name of its interface. For
        O(type=system) it is the existing kernel link. For the other types it is the device OVS makes.
    type: str
    required: true
  state:
    description: V(present) makes sure the port exists with the options given; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  type:
    description:
      - V(system) adds the existing kernel link O(name).
      - V(internal) is a device OVS makes (an address for the host, or the parent of a Docker
        macvlan network).
      - V(patch) joins two bridges (O(peer)).
      - V(vxlan), V(gre) and V(geneve) are tunnels to O(remote_ip).
      - V(bond) bonds the links in O(interfaces).
      - Omit it to change only the options given on an existing port; a new port is then V(system).
      - A single-link port changes type in place; its interface then keeps only the options
        given (O(peer), O(remote_ip), O(local_ip), O(key)), not the old type's.
    type: str
    choices: [system, internal, patch, vxlan, gre, geneve, bond]
  peer:
    description: The patch port on the other bridge that this one is joined to; required for O(type=patch).
    type: str
  remote_ip:
    description: The tunnel's far end; required for a vxlan, gre or geneve port.
    type: str
  local_ip:
    description: The tunnel's local underlay address.
    type: str
  key:
    description:
      - The tunnel key, the VNI of vxlan and geneve (0-16777215) or the GRE key (0-4294967295).
      - Omitted, OVS sends key 0.
    type: int
  interfaces:
    description: The links a bond is made of, exactly (two or more); required for O(type=bond).
    type: list
    elements: str
  bond_mode:
    description: How a bond balances traffic.
    type: str
    choices: [active-backup, balance-slb, balance-tcp]
  lacp:
    description: LACP on a bond.
    type: str
    choices: [active, passive, 'off']
  tag:
    description:
      - The access VLAN of the port, 1-4094. V(0) removes the access VLAN.
      - With O(vlan_mode=native-tagged) or V(native-untagged) it is the native VLAN.
    type: int
  trunks:
    description:
      - The VLANs a trunk port carries (0-4094), exactly. An empty list means all VLANs,
        which is OVS's default.
    type: list
    elements: int
  vlan_mode:
    description: The VLAN mode of the port; unset, OVS takes V(access) when O(tag) is set, else V(trunk).
    type: str
    choices: [access, trunk, native-tagged, native-untagged]
  mtu:
    description: The MTU to ask for on the port's interfaces (C(mtu_request)), 68-65535.
    type: int
  external_ids:
    description:
      - Keys to set in the port's C(external_ids). Only the keys given are compared and written.
        A key given as null is removed. Every other key is left as it is.
    type: dict
  allow_management:
    description: Allow changes that could cut the management path (see description).
    type: bool
    default: false
  expect_bridges:
    description:
      - In check mode, bridges to take as present although the switch does not have them yet - bridges that an
        earlier task of the same run makes (in check mode M(netprov.dockernet.ovs_bridge) only plans them). A port
        on any other missing bridge is refused.
      - A real run ignores it; the bridge has to exist then.
    type: list
    elements: str
    default: []
  expect_links:
    description:
      - In check mode, kernel links to take as present for a V(system) port or a bond although the host does not
        have them yet - links that an earlier task of the same run makes, such as the links
        M(netprov.dockernet.host_links) returned.
      - A real run ignores it; the link has to exist then.
    type: list
    elements: str
    default: []
notes:
  - Check mode and diff mode are supported; the plan returned in check mode is
    exactly what a real run applies.
seealso:
  - module: netprov.dockernet.ovs_bridge
  - module: netprov.dockernet.ovs_info
'''

EXAMPLES = r'''
- name: A container's veth end as an access port on VLAN 10
  netprov.dockernet.ovs_port:
    bridge: br-lab
    name: veth-c1
    tag: 10

- name: An internal port on VLAN 20, the parent of a Docker macvlan network
  netprov.dockernet.ovs_port:
    bridge: br-lab
    name: vlan20
    type: internal
    tag: 20
    mtu: 1450

- name: A VXLAN tunnel to the next host over the underlay
  netprov.dockernet.ovs_port:
    bridge: br-lab
    name: vx-host2
    type: vxlan
    remote_ip: 198.18.20.2
    local_ip: 198.18.20.1
    key: 5001

- name: A trunk uplink bonded over two links with LACP
  netprov.dockernet.ovs_port:
    bridge: br-lab
    name: bond0
    type: bond
    interfaces: [eth1, eth2]
    bond_mode: balance-tcp
    lacp: active
    vlan_mode: trunk
    trunks: [10, 20]
'''

RETURN = r'''
changed:
  description: Whether anything was (or in check mode would be) changed.
  returned: always
  type: bool
plan:
  description:
    - The ordered steps, each with C(action) (create_port, remove_port, add_interface,
      remove_interface, set) and C(reason).
    - C(set) has C(table) (Port or Interface), C(record), C(field), C(before) and C(after);
      for a map column, only the keys that change are listed, and null means removed.
  returned: always
  type: list
  elements: dict
port:
  description:
    - The port after the run (in check mode, as it would be), with its interfaces (type,
      options, mtu_request, and from C(ovs-vswitchd) mtu, admin_state, link_state, ofport,
      error); null when absent.
  returned: always
  type: dict
  sample: {name: vx-host2, bridge: br-lab, type: vxlan, tag: null, trunks: [], vlan_mode: null,
           bond_mode: null, lacp: null, external_ids: {},
           interfaces: [{name: vx-host2, port: vx-host2, type: vxlan,
                         options: {remote_ip: 198.18.20.2, local_ip: 198.18.20.1, key: '5001'},
                         mtu_request: null, mtu: 1450, admin_state: up, link_state: up, ofport: 2,
                         mac_in_use: "aa:bb:cc:dd:ee:ff", error: null}]}
management:
  description: Why a link of the port is on the management path, or null.
  returned: always
  type: str
diff:
  description: The fields given, before and after.
  returned: in diff mode
  type: dict
'''


from ansible_collections.netprov.dockernet.plugins.module_utils._ovs import conn as _conn, model as _model
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module


def run(module):
    want = _model.normalise_port(module.params)
    expect = (module.params['expect_bridges'], module.params['expect_links'])
    have, after, steps, mgmt = _conn.reconcile(module, lambda switch, links: _model.plan_port(want, switch, links),
                                               expect)
    port = _model.port_facts(want['name'], after)
    members = [i['name'] for i in port['interfaces']] if port else [want['name']]
    result = {'changed': bool(steps), 'plan': _model.shown(steps), 'port': port,
              'management': next((mgmt[m] for m in members if m in mgmt), None)}
    if module._diff:
        result['diff'] = {'before': _model.port_view(want, have), 'after': _model.port_view(want, after)}
    return result


def main():
    run_module(dict(
        allow_management=dict(type='bool', default=False),
        bridge=dict(type='str', required=True),
        name=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        type=dict(type='str', choices=list(_model.PORT_TYPES)),
        peer=dict(type='str'),
        remote_ip=dict(type='str'),
        local_ip=dict(type='str'),
        key=dict(type='int', no_log=False),
        interfaces=dict(type='list', elements='str'),
        bond_mode=dict(type='str', choices=list(_model.BOND_MODES)),
        lacp=dict(type='str', choices=list(_model.LACP_MODES)),
        tag=dict(type='int'),
        trunks=dict(type='list', elements='int'),
        vlan_mode=dict(type='str', choices=list(_model.VLAN_MODES)),
        mtu=dict(type='int'),
        external_ids=dict(type='dict'),
        expect_bridges=dict(type='list', elements='str', default=[]),
        expect_links=dict(type='list', elements='str', default=[]),
    ), run, connection=_conn.OVS_HOST_ARGS)


if __name__ == '__main__':
    main()
