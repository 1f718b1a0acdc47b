#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_bridge
short_description: Manage one Open vSwitch bridge through OVSDB
version_added: 0.1.0
description:
  - Creates, changes or removes one Open vSwitch bridge by talking OVSDB, never by
    running C(ovs-vsctl).
  - Datapath type, fail mode, STP or RSTP, external IDs, other config, OpenFlow
    controllers and protocols.
  - Every change of one run is one OVSDB transaction, so a failure changes nothing.
    The run then waits until C(ovs-vswitchd) has applied it.
  - A bridge is never removed while ports that the task does not list in O(ports)
    sit on it, unless O(force=true).
  - The management path is protected as M(netprov.dockernet.host_link) protects it.
    A bridge whose links carry a default route or the SSH connection's local address
    is never removed, and its datapath, fail mode, spanning tree, controllers or
    protocols are never changed, unless O(allow_management=true).
extends_documentation_fragment: [netprov.dockernet.ovs, netprov.dockernet.ovs.netns]
author:
  - netprov.dockernet developers (@netprov)
options:
  name:
    description: Name of the bridge (1-15 characters); also the name of its own internal port.
    type: str
    required: true
  state:
    description: V(present) makes sure the bridge exists with the options given; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  datapath_type:
    description:
      - V(system) (the kernel datapath, what OVS uses when this is unset) or V(netdev)
        (the userspace datapath, for hosts whose kernel has no OVS module).
      - A type that C(ovs-vswitchd) does not offer is refused, and so is V(system) (given, or by default for a new
        bridge) on a host whose kernel has no OVS datapath (C(ovs-vswitchd) offers it there all the same); both in
        check mode too, before anything changes.
    type: str
    choices: [system, netdev]
  fail_mode:
    description:
      - What the bridge does without a controller. V(standalone) (OVS's default) switches
        as a learning switch, V(secure) forwards only along the controller's flows.
    type: str
    choices: [standalone, secure]
  stp:
    description: Run the 802.1D spanning tree protocol on the bridge.
    type: bool
  rstp:
    description: Run the rapid spanning tree protocol (802.1w) on the bridge; not together with O(stp).
    type: bool
  external_ids:
    description:
      - Keys to set in the bridge's C(external_ids). Only the keys given are compared and written.
        A key given as null is removed. Every other key is left as it is.
      - Booleans are written as V(true)/V(false), numbers as strings.
    type: dict
  other_config:
    description: Keys to set in the bridge's C(other_config), the same way as O(external_ids).
    type: dict
  controller:
    description:
      - The OpenFlow controllers of the bridge, exactly (V(tcp:IP:PORT), V(ssl:IP:PORT),
        V(unix:PATH), V(ptcp:PORT), V(pssl:PORT), V(punix:PATH)).
      - An empty list removes every controller.
    type: list
    elements: str
  protocols:
    description: The OpenFlow versions the bridge speaks, exactly; an empty list means OVS's default.
    type: list
    elements: str
    choices: [OpenFlow10, OpenFlow11, OpenFlow12, OpenFlow13, OpenFlow14, OpenFlow15]
  ports:
    description:
      - With O(state=absent), the ports that may go with the bridge.
      - The bridge's own internal port always goes with it.
      - Any other port on the bridge makes the removal fail, naming the port, unless O(force=true).
      - Ports are added with M(netprov.dockernet.ovs_port).
    type: list
    elements: str
  force:
    description: Remove the bridge with O(state=absent) even though ports that O(ports) does not list sit on it.
    type: bool
    default: false
  allow_management:
    description: Allow changes that could cut the management path (see description).
    type: bool
    default: false
notes:
  - Check mode and diff mode are supported; the plan returned in check mode is
    exactly what a real run applies.
seealso:
  - module: netprov.dockernet.ovs_port
  - module: netprov.dockernet.ovs_info
'''

EXAMPLES = r'''
- name: A bridge on the userspace datapath, with RSTP and an ID for inventory tools
  netprov.dockernet.ovs_bridge:
    name: br-lab
    datapath_type: netdev
    fail_mode: standalone
    rstp: true
    external_ids:
      owner: netprov

- name: A bridge programmed by an OpenFlow controller
  netprov.dockernet.ovs_bridge:
    name: br-sdn
    fail_mode: secure
    controller: [tcp:198.18.10.1:6653]
    protocols: [OpenFlow13]

- name: Remove a bridge and the two ports it is known to carry
  netprov.dockernet.ovs_bridge:
    name: br-lab
    state: absent
    ports: [vx-peer1, c1-eth0]
'''

RETURN = r'''
changed:
  description: Whether anything was (or in check mode would be) changed.
  returned: always
  type: bool
plan:
  description:
    - The ordered steps, each with C(action) (create_bridge, remove_bridge, set) and C(reason).
    - C(create_bridge) has C(bridge) and C(settings).
    - C(remove_bridge) has C(bridge) and the C(ports) that go with it.
    - C(set) has C(table), C(record), C(field), C(before) and C(after). For a map column, only
      the keys that change are listed, and null means removed.
  returned: always
  type: list
  elements: dict
bridge:
  description: The bridge after the run (in check mode, as it would be); null when absent.
  returned: always
  type: dict
  sample: {name: br-lab, datapath_type: netdev, fail_mode: standalone, stp: false, rstp: true,
           external_ids: {owner: netprov}, other_config: {}, protocols: [], controller: [],
           ports: [br-lab]}
diff:
  description: The fields given, before and after.
  returned: in diff mode
  type: dict
'''


from ansible_collections.netprov.dockernet.plugins.module_utils._ovs import conn as _conn, model as _model
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module


def run(module):
    want = _model.normalise_bridge(module.params)
    kernel = _conn.kernel_datapath(module.params['ovsdb']) if want['state'] == 'present' else None
    have, after, steps, _mgmt = _conn.reconcile(
        module, lambda switch, _links: _model.plan_bridge(want, switch, force=module.params['force'], kernel=kernel))
    result = {'changed': bool(steps), 'plan': _model.shown(steps), 'bridge': after['bridges'].get(want['name'])}
    if module._diff:
        result['diff'] = {'before': _model.bridge_view(want, have), 'after': _model.bridge_view(want, after)}
    return result


def main():
    run_module(dict(
        name=dict(type='str', required=True),
        allow_management=dict(type='bool', default=False),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        datapath_type=dict(type='str', choices=list(_model.DATAPATH_TYPES)),
        fail_mode=dict(type='str', choices=list(_model.FAIL_MODES)),
        stp=dict(type='bool'),
        rstp=dict(type='bool'),
        external_ids=dict(type='dict'),
        other_config=dict(type='dict'),
        controller=dict(type='list', elements='str'),
        protocols=dict(type='list', elements='str', choices=list(_model.PROTOCOLS)),
        ports=dict(type='list', elements='str'),
        force=dict(type='bool', default=False),
    ), run, connection=_conn.OVS_HOST_ARGS)


if __name__ == '__main__':
    main()
