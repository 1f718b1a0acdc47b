#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_info
short_description: Facts about an Open vSwitch switch, read through OVSDB
version_added: 0.1.0
description:
  - Reads the bridges, ports, VLAN tags, tunnels and interface states of an Open vSwitch
    switch through OVSDB. It also reads the datapath and interface types that
    C(ovs-vswitchd) offers.
  - Changes nothing.
extends_documentation_fragment: [netprov.dockernet.ovs]
author:
  - netprov.dockernet developers (@netprov)
options:
  bridge:
    description: Report only this bridge and its ports; it must exist.
    type: str
notes:
  - Check mode is supported (nothing is ever changed).
seealso:
  - module: netprov.dockernet.ovs_bridge
  - module: netprov.dockernet.ovs_port
'''

EXAMPLES = r'''
- name: What the switch has
  netprov.dockernet.ovs_info:
  register: switch

- name: Can bridges here use the kernel datapath (datapath_type system)?
  ansible.builtin.debug:
    msg: "{{ 'system' in switch.datapath_types and switch.kernel_datapath.supported }}"

- name: The tunnels of one bridge
  netprov.dockernet.ovs_info:
    bridge: br-lab
  register: lab
'''

RETURN = r'''
ovs_version:
  description: The Open vSwitch version recorded in OVSDB (the distribution's service scripts record it; null when
    nothing did).
  returned: always
  type: str
  sample: 3.1.0
db_version:
  description: The version of the OVSDB schema recorded in OVSDB, the same way as RV(ovs_version).
  returned: always
  type: str
datapath_types:
  description: The datapath types C(ovs-vswitchd) offers (V(system) needs the kernel's openvswitch module).
  returned: always
  type: list
  elements: str
  sample: [netdev, system]
iface_types:
  description: The interface types C(ovs-vswitchd) offers.
  returned: always
  type: list
  elements: str
kernel_datapath:
  description:
    - Whether this host's kernel has the Open vSwitch datapath that V(system) bridges run on (C(ovs-vswitchd) lists
      V(system) in RV(datapath_types) even when the kernel lacks it). Probed by resolving the generic netlink
      family C(ovs_datapath), which loads the C(openvswitch) module when it is one.
    - C(supported) is null when the switch is reached over C(tcp:) (another host's kernel) or pyroute2 is missing.
  returned: always
  type: dict
  contains:
    supported:
      description: Whether the kernel has the datapath; null when not probed.
      type: bool
    detail:
      description: What the probe saw.
      type: str
  sample: {supported: false, detail: "generic netlink family ovs_datapath not found (ENOENT): the kernel has no
           openvswitch module"}
bridges:
  description: Every bridge (or the one asked for), as M(netprov.dockernet.ovs_bridge) returns it.
  returned: always
  type: list
  elements: dict
  sample: [{name: br-lab, datapath_type: netdev, fail_mode: standalone, stp: false, rstp: false,
            external_ids: {}, other_config: {}, protocols: [], controller: [], ports: [br-lab, c1]}]
ports:
  description:
    - Every port of those bridges, as M(netprov.dockernet.ovs_port) returns it. Each has its
      C(type), C(tag), C(trunks) and C(vlan_mode), and its interfaces with their state
      (C(admin_state), C(link_state), C(mtu), C(ofport), C(error)).
  returned: always
  type: list
  elements: dict
tunnels:
  description: The vxlan, gre and geneve ports, each with C(port), C(bridge), C(type), C(remote_ip), C(local_ip),
    C(key) and C(link_state).
  returned: always
  type: list
  elements: dict
  sample: [{port: vx-host2, bridge: br-lab, type: vxlan, remote_ip: 198.18.20.2, local_ip: 198.18.20.1,
            key: 5001, link_state: up}]
'''


from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._ovs import conn as _conn, model as _model
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module


def facts(switch, bridge=None):
    """The switch read, as ovs_info returns it."""
    names = sorted(switch['bridges'])
    if bridge is not None:
        if bridge not in switch['bridges']:
            raise ValidationError('no OVS bridge %s (bridges: %s)' % (bridge, ', '.join(names) or 'none'),
                                  path='bridge')
        names = [bridge]
    bridges = [switch['bridges'][n] for n in names]
    ports = [_model.port_facts(p, switch) for b in bridges for p in b['ports']]
    tunnels = []
    for port in ports:
        if port['type'] in _model.TUNNELS:
            iface = port['interfaces'][0]
            key = iface['options'].get('key')
            tunnels.append({'port': port['name'], 'bridge': port['bridge'], 'type': port['type'],
                            'remote_ip': iface['options'].get('remote_ip'),
                            'local_ip': iface['options'].get('local_ip'),
                            'key': int(key) if key and key.isdigit() else key,
                            'link_state': iface['link_state']})
    return dict(switch['system'], bridges=bridges, ports=ports, tunnels=tunnels)


def run(module):
    with _conn.open_switch(module.params) as switch:
        result = facts(switch.read(), module.params['bridge'])
    return dict(result, changed=False, kernel_datapath=_conn.kernel_datapath(module.params['ovsdb']))


def main():
    run_module(dict(
        bridge=dict(type='str'),
    ), run, connection=_conn.OVS_COMMON_ARGS)


if __name__ == '__main__':
    main()
