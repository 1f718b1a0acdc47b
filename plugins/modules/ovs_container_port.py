#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_container_port
short_description: Attach a Docker container to an Open vSwitch bridge, the way ovs-docker does
version_added: 0.1.0
description:
  - Makes a veth pair and moves one end into the running container's network namespace,
    with its own interface name, addresses, default gateway, MAC and MTU. The other end
    (named C(<first 12 characters of the container id>_l), as C(ovs-docker) names it)
    becomes a port of the bridge, with a VLAN tag.
  - The port's C(external_ids) record the container (C(container_id) and C(container_iface),
    as C(ovs-docker) writes them) and the settings given (C(netprov.addresses),
    C(netprov.gateway), C(netprov.mac), C(netprov.mtu)).
  - A container that restarted has a new network namespace, and its veth pair is gone. The next
    run makes it again from that record, so a task that names only the container and the
    bridge restores the attachment.
  - The veth steps run first, then the switch's changes in one OVSDB transaction. If the
    transaction fails, the veth pair this run made is deleted again. When the attachment is
    restored, the old port (its device is gone) is taken out first in a transaction of its
    own, because C(ovs-vswitchd) opens the new device only under a new row.
  - V(absent) takes the port out of the switch, then deletes the veth pair.
extends_documentation_fragment: [netprov.dockernet.docker, netprov.dockernet.ovs.netns]
author:
  - netprov.dockernet developers (@netprov)
options:
  container:
    description: Name or id of the container; it must be running to be attached.
    type: str
    required: true
  bridge:
    description: The OVS bridge; it must exist (see M(netprov.dockernet.ovs_bridge)).
    type: str
    required: true
  interface:
    description: Name of the container's end inside the container.
    type: str
    default: eth1
  state:
    description: V(present) attaches the container (or restores the attachment); V(absent) detaches it.
    type: str
    choices: [present, absent]
    default: present
  addresses:
    description:
      - The addresses of the container's end, in CIDR form, exactly (its IPv6 link-local address aside).
      - Not given, the recorded ones (none for a new attachment).
    type: list
    elements: str
  gateway:
    description: The container's default gateway through this interface; not given, the recorded one.
    type: str
  mac:
    description: MAC address of the container's end; not given, the recorded one, or the kernel's choice.
    type: str
  mtu:
    description: MTU of both ends, 68-65535; not given, the recorded one, or the kernel's default.
    type: int
  tag:
    description: The access VLAN of the port, 1-4094; V(0) removes it.
    type: int
  ovsdb:
    description: The OVSDB server of the switch, V(unix:PATH) or V(tcp:IP:PORT); the switch must run on this host.
    type: str
    default: unix:/var/run/openvswitch/db.sock
notes:
  - Check mode and diff mode are supported; the plan returned in check mode is
    exactly what a real run applies.
  - O(timeout) is the engine's and also bounds the waits for OVSDB and C(ovs-vswitchd).
requirements:
  - the Open vSwitch Python bindings (C(ovs) on PyPI, or Debian's C(python3-openvswitch)) on the managed host
seealso:
  - module: netprov.dockernet.ovs_port
'''

EXAMPLES = r'''
- name: A container on VLAN 10 of br-lab, with a fixed address and gateway
  netprov.dockernet.ovs_container_port:
    container: web1
    bridge: br-lab
    interface: eth1
    addresses: [198.18.10.11/24]
    gateway: 198.18.10.1
    mac: "02:42:c6:12:0a:0b"
    mtu: 1450
    tag: 10

- name: After the container restarted, put it back as recorded
  netprov.dockernet.ovs_container_port:
    container: web1
    bridge: br-lab

- name: Detach it
  netprov.dockernet.ovs_container_port:
    container: web1
    bridge: br-lab
    state: absent
'''

RETURN = r'''
changed:
  description: Whether anything was (or in check mode would be) changed.
  returned: always
  type: bool
plan:
  description:
    - The ordered steps, each with C(action) and C(reason). The veth steps are C(veth_create),
      C(veth_set) and C(veth_remove). The switch's steps are those of M(netprov.dockernet.ovs_port).
  returned: always
  type: list
  elements: dict
port:
  description: The switch's port after the run (in check mode, as it would be), as M(netprov.dockernet.ovs_port)
    returns it; null when detached.
  returned: always
  type: dict
container_interface:
  description: The container's end after the run (name, mac, mtu, addresses, state, gateway); null when detached.
  returned: always
  type: dict
diff:
  description: The port and the container's end, before and after.
  returned: in diff mode
  type: dict
'''


from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink
from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import DOCKER_COMMON_ARGS, Engine
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import NetprovError, ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._ovs import (
    attach as _attach, conn as _conn, db as _db, model as _model)
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module


def _container(params, ident):
    info = Engine(params).inspect_container(ident)
    if info is None:
        raise ValidationError('no container %s on the engine' % ident, path='container')
    state = info.get('State') or {}
    return {'id': info['Id'], 'name': info['Name'].lstrip('/'), 'pid': state.get('Pid') or 0,
            'running': bool(state.get('Running')) and bool(state.get('Pid'))}


def _inner(container, interface):
    if not container['running']:
        return None, None
    with _netlink.open_ipr('/proc/%d/ns/net' % container['pid']) as ipr:
        link = _netlink.get_link(interface, ipr=ipr)
        gateway = _attach.inner_gateway(ipr, interface) if link else None
    if link:
        link = dict((k, link.get(k)) for k in ('name', 'mac', 'mtu', 'addresses', 'state'))
        link['gateway'] = gateway
    return link, gateway


def run(module):
    p = module.params
    want = _attach.normalise(p)
    container = _container(p, want['container'])
    port = _attach.port_name(container['id'])
    with _conn.open_switch(dict(p, ovsdb=_db.check_remote(p['ovsdb']))) as switch:
        have = switch.read()
        outer = _netlink.get_link(port, netns=p['netns'])
        inner, gateway = _inner(container, want['interface'])
        steps, warnings = _attach.plan(want, container, have, outer, inner, gateway)
        veth = [s for s in steps if s['action'].startswith('veth_')]
        ovsdb = [s for s in steps if not s['action'].startswith('veth_')]
        after = _model.simulate(have, ovsdb)
        inner_after = _attach.simulate_container(inner, veth)
        if steps and not module.check_mode:
            made = []
            for kind, batch in _attach.phases(steps):
                if kind == 'veth':
                    made += _attach.apply_veth(batch, p['netns'])
                    continue
                try:
                    for warning in switch.apply(batch):
                        module.warn(warning)
                except NetprovError as exc:
                    left = _attach.remove_veths(made, p['netns'])
                    raise type(exc)('%s; %s' % (exc.msg, 'the veth pair this run made is left: delete %s'
                                                % ', '.join(left) if left else
                                                'the veth pair this run made was deleted again' if made
                                                else 'the container\'s interface is as it was'),
                                    path=exc.path, **exc.details)
            inner_after, _gw = _inner(container, want['interface'])
            after = switch.read()
    result = {'changed': bool(steps), 'plan': _model.shown(steps), 'port': _model.port_facts(port, after),
              'container_interface': inner_after, 'warnings': warnings}
    if module._diff:
        result['diff'] = {'before': {'port': _model.port_facts(port, have), 'container_interface': inner},
                          'after': {'port': result['port'], 'container_interface': inner_after}}
    return result


def main():
    run_module(dict(
        ovsdb=dict(type='str', default=_db.DEFAULT_OVSDB),
        netns=dict(type='str'),
        container=dict(type='str', required=True),
        bridge=dict(type='str', required=True),
        interface=dict(type='str', default='eth1'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        addresses=dict(type='list', elements='str'),
        gateway=dict(type='str'),
        mac=dict(type='str'),
        mtu=dict(type='int'),
        tag=dict(type='int'),
    ), run, connection=DOCKER_COMMON_ARGS)


if __name__ == '__main__':
    main()
