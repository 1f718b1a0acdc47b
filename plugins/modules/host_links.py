#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: host_links
short_description: Manage a host's kernel network links in one call, in dependency order
version_added: 0.1.0
description:
  - Brings every link listed in O(links) to its spec in one module call, through netlink (pyroute2) - one read
    of the host's links, every entry planned, then the plan applied.
  - Each entry takes the options of M(netprov.dockernet.host_link) and is planned by the same planner, with the
    same guards - the management path, the links the kernel would delete with a removed one, one macvlan or
    ipvlan kind per parent, MTU ceilings, settings fixed at creation changed only with C(recreate).
  - The entries are applied in dependency order, whatever order they are listed in. Removals
    (C(state=absent)) come first, each before the link it stands on; then every other entry after its parent
    (C(parent) of a vlan, macvlan, ipvlan or vxlan link), after the bridge it is a port of (C(master)), and a
    veth pair's far end after the entry that makes the pair. Links that stand on each other in a circle are
    refused.
  - Each entry is planned against the links as the entries before it leave them, so a VLAN on a bridge this
    call makes, or a port of it, is planned in check mode too. The whole call is checked before anything is
    touched. One bad entry refuses the call, naming the entry and the field (C(links[2].vlan_id)), and
    nothing is changed.
  - A failure while applying stops there. The entries applied before it stay applied and are named in
    C(done), the rest in C(not_done); the failing entry is undone as M(netprov.dockernet.host_link) undoes
    it (a link it made is removed, one it removed to re-create is put back). A re-run converges.
extends_documentation_fragment: [netprov.dockernet.host]
author:
  - netprov.dockernet developers (@netprov)
options:
  links:
    description:
      - The links, each a dict with the options of M(netprov.dockernet.host_link) that apply to one link - C(name)
        (required), C(state), C(kind), C(parent), C(vlan_id), C(macvlan_mode), C(ipvlan_mode), C(ipvlan_flag),
        C(peer), C(vxlan_id), C(vxlan_local), C(vxlan_remote), C(vxlan_group), C(vxlan_port), C(mtu),
        C(promisc), C(master), C(mac), C(addresses), C(addresses_exclusive), C(recreate), C(force), C(persist),
        C(persist_dir), C(persist_parent_network). Their types, choices and defaults are host_link's.
      - Each link once (by name).
    type: list
    elements: dict
    required: true
  allow_management:
    description: Allow changes that could cut the management path, for every entry (see M(netprov.dockernet.host_link)).
    type: bool
    default: false
  kernel_check:
    description:
      - What to do when the kernel lacks a link kind an entry creates, found by a real probe (once per kind).
      - V(fail) refuses the call before anything is made, V(warn) tries anyway and warns, V(skip) does not probe.
    type: str
    choices: [fail, warn, skip]
    default: fail
notes:
  - Check mode and diff mode are supported; the plan returned in check mode is exactly what a real run applies,
    and diff mode returns each link before and after.
  - A second run with the same entries changes nothing.
seealso:
  - module: netprov.dockernet.host_link
  - module: netprov.dockernet.host_routes
'''

EXAMPLES = r'''
- name: A bridge with a veth port, a promiscuous parent with a VLAN, and a macvlan shim, in one call
  netprov.dockernet.host_links:
    links:
      - name: lanshim                 # listed first, made after its parent eth1
        kind: macvlan
        parent: eth1
        macvlan_mode: bridge
        addresses: [198.18.192.250/32]
        state: up
      - name: eth1
        promisc: true
        state: up
      - name: eth1.10
        kind: vlan
        parent: eth1
        vlan_id: 10
        state: up
      - name: veth-a
        kind: veth
        peer: veth-b
        master: br-lab
        state: up
      - name: br-lab
        kind: bridge
        state: up

- name: Remove a VLAN and the macvlan on it (the macvlan goes first)
  netprov.dockernet.host_links:
    links:
      - {name: eth1.20, state: absent}
      - {name: mv20, state: absent}
'''

RETURN = r'''
changed:
  description: Whether any entry's link was (or in check mode would be) changed.
  returned: always
  type: bool
plan:
  description: Every entry's steps (see M(netprov.dockernet.host_link)), in the order they are applied.
  returned: always
  type: list
  elements: dict
links:
  description:
    - One result per entry of O(links), in the order given - C(name), C(changed), C(plan) (its steps), C(link)
      (the link after the run, in check mode as it would be, normalised as
      M(netprov.dockernet.host_network_info) returns links; null when absent) and C(management) (why it is on
      the management path, or null).
  returned: always
  type: list
  elements: dict
  sample: [{name: lanshim, changed: false, plan: [], management: null,
            link: {name: lanshim, kind: macvlan, parent: eth1, mtu: 1500, state: up, addresses: [198.18.192.250/32]}}]
order:
  description: The link names in the order the entries are applied.
  returned: always
  type: list
  elements: str
  sample: [eth1, br-lab, lanshim, eth1.10, veth-a]
done:
  description: After a failure while applying, the links whose changes were applied before it.
  returned: on failure while applying
  type: list
  elements: str
not_done:
  description: After a failure while applying, the links after the failing one, not touched.
  returned: on failure while applying
  type: list
  elements: str
diff:
  description: Each link's fields given, before and after, by link name.
  returned: in diff mode
  type: dict
'''

from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links, linkset as _linkset, netlink as _netlink
from ansible_collections.netprov.dockernet.plugins.module_utils._common.hostargs import HOST_COMMON_ARGS
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module
from ansible_collections.netprov.dockernet.plugins.module_utils._session import ssh


def run(module):
    p = module.params
    results, order = _linkset.converge(_linkset.validate(p['links']), p['netns'],
                                       allow_management=p['allow_management'], kernel_check=p['kernel_check'],
                                       check_mode=module.check_mode, warn=module.warn, path='links',
                                       session=ssh.for_module(module, _netlink.netns_path(p['netns'])))
    by_order = sorted(results, key=lambda r: order.index(r['name']))
    result = {'changed': any(r['changed'] for r in results), 'plan': [s for r in by_order for s in r['plan']],
              'links': [dict((k, v) for k, v in r.items() if k != 'diff') for r in results], 'order': order}
    result['diff'] = {'before': dict((r['name'], r['diff']['before']) for r in by_order),
                      'after': dict((r['name'], r['diff']['after']) for r in by_order)}
    return result


def main():
    run_module(dict(_links.CALL_OPTIONS, links=dict(type='list', elements='dict', required=True)), run,
               connection=HOST_COMMON_ARGS)


if __name__ == '__main__':
    main()
