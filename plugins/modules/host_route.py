#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: host_route
short_description: Manage one kernel route through netlink
version_added: 0.1.0
description:
  - Adds, replaces or removes one IPv4 or IPv6 route on the managed host through
    netlink (pyroute2).
  - A route is identified as the kernel identifies it, by family, destination,
    table and metric; a different gateway, device or scope replaces it in place.
  - Replacing or removing a default route, or adding one that would take over
    from the current one (same or lower metric), is refused unless
    O(allow_management=true).
extends_documentation_fragment: [netprov.dockernet.host]
author:
  - netprov.dockernet developers (@netprov)
options:
  dest:
    description: Destination network in CIDR form, or V(default).
    type: str
    required: true
  gateway:
    description: Next-hop address, of the same family as O(dest).
    type: str
  dev:
    description: Outgoing link; it must exist.
    type: str
  metric:
    description:
      - Route metric (priority), 0-4294967295; when not given, the kernel's default (0 for IPv4, 1024 for IPv6).
      - The kernel stores an IPv6 route's metric 0 as 1024, so V(0) for IPv6 means 1024.
    type: int
  table:
    description: Routing table number, 0-4294967295 (V(0) is the main table, as for the kernel).
    type: int
    default: 254
  scope:
    description: Route scope; when not given, the kernel chooses it and it is not compared.
    type: str
    choices: [universe, site, link, host]
  state:
    description: Whether the route should exist.
    type: str
    choices: [present, absent]
    default: present
  allow_management:
    description: Allow replacing, removing or taking over a default route.
    type: bool
    default: false
notes:
  - Check mode and diff mode are supported; the plan returned in check mode is
    exactly what a real run applies.
'''

EXAMPLES = r'''
- name: Reach a remote subnet through the macvlan shim
  netprov.dockernet.host_route:
    dest: 198.18.193.0/24
    gateway: 198.18.192.1
    dev: mvshim

- name: Remove it
  netprov.dockernet.host_route:
    dest: 198.18.193.0/24
    state: absent
'''

RETURN = r'''
changed:
  description: Whether the route was (or in check mode would be) changed.
  returned: always
  type: bool
plan:
  description: The steps (at most one), each with C(action) (add, replace, remove), C(reason) and C(route).
  returned: always
  type: list
  elements: dict
route:
  description: The route after the run (in check mode, as it would be); null when absent.
  returned: always
  type: dict
  sample: {family: ipv4, dest: 198.18.193.0/24, gateway: 198.18.192.1, dev: mvshim, metric: 0, table: 254,
           scope: universe, proto: boot, type: unicast, prefsrc: null}
management:
  description:
    - Why a change of this route could cut the management path, or null - it is a default
      route, or its destination covers the client address of the SSH session the task came in on
      (read from the kernel's socket table, as M(netprov.dockernet.host_link) does). The interfaces
      role arms its rollback timer for such a change.
  returned: always
  type: str
diff:
  description: The route before and after.
  returned: in diff mode
  type: dict
'''

from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink, routes as _routes, routeset as _routeset
from ansible_collections.netprov.dockernet.plugins.module_utils._common.hostargs import HOST_COMMON_ARGS
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module
from ansible_collections.netprov.dockernet.plugins.module_utils._session import ssh


def run(module):
    p = module.params
    one = _routeset.converge([p], p['netns'], allow_management=p['allow_management'], check_mode=module.check_mode,
                             session=ssh.for_module(module, _netlink.netns_path(p['netns'])), warn=module.warn)[0]
    return {'changed': one['changed'], 'plan': one['plan'], 'route': one['route'], 'management': one['management'],
            'diff': one['diff']}


def main():
    run_module(dict(_routes.ROUTE_OPTIONS, allow_management=dict(type='bool', default=False)), run,
               connection=HOST_COMMON_ARGS)


if __name__ == '__main__':
    main()
