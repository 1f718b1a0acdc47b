#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: host_routes
short_description: Manage a host's kernel routes in one call
version_added: 0.1.0
description:
  - Brings every route listed in O(routes) to its spec in one module call, through netlink (pyroute2) - one read
    of the host's routes and links, every entry planned, then the plan applied in the order given.
  - Each entry takes the options of M(netprov.dockernet.host_route) and is planned by the same planner, with the
    same guard on default routes, against the routes as the entries before it leave them.
  - The whole call is checked before anything is touched. One bad entry refuses the call, naming the entry and
    the field (C(routes[1].gateway)), and nothing is changed. A failure while applying stops there; the
    routes applied before it are named in C(done), the rest in C(not_done). A re-run converges.
extends_documentation_fragment: [netprov.dockernet.host]
author:
  - netprov.dockernet developers (@netprov)
options:
  routes:
    description:
      - The routes, each a dict with the options of M(netprov.dockernet.host_route) that apply to one route -
        C(dest) (required), C(gateway), C(dev), C(metric), C(table), C(scope), C(state). Their types, choices and
        defaults are host_route's.
      - Each route once (a route is its family, destination, table and metric, as for the kernel).
    type: list
    elements: dict
    required: true
  expect_links:
    description:
      - Names of links to take as present although the host does not have them yet - links that an earlier task
        of the same run makes (in check mode it only plans them), such as the links
        M(netprov.dockernet.host_links) returned. A route through any other missing link is refused.
      - In a real run each still has to exist when its route is applied.
    type: list
    elements: str
    default: []
  allow_management:
    description: Allow replacing, removing or taking over a default route, for every entry.
    type: bool
    default: false
notes:
  - Check mode and diff mode are supported; the plan returned in check mode is exactly what a real run applies,
    and diff mode returns each route before and after.
  - A second run with the same entries changes nothing.
seealso:
  - module: netprov.dockernet.host_route
  - module: netprov.dockernet.host_links
'''

EXAMPLES = r'''
- name: The routes to the macvlan containers through their shim, and a static route
  netprov.dockernet.host_routes:
    routes:
      - {dest: 198.18.192.64/28, dev: lanshim, scope: link}
      - {dest: 198.18.200.0/24, gateway: 198.18.192.1}

- name: The links and their routes in check mode, the routes through links the first task would make
  check_mode: true
  block:
    - name: Links
      netprov.dockernet.host_links:
        links:
          - {name: lanshim, kind: macvlan, parent: eth1, addresses: [198.18.192.250/32], state: up}
      register: links
    - name: Routes
      netprov.dockernet.host_routes:
        routes:
          - {dest: 198.18.192.64/28, dev: lanshim, scope: link}
        expect_links: "{{ links.links | selectattr('link') | map(attribute='name') | list }}"
'''

RETURN = r'''
changed:
  description: Whether any entry's route was (or in check mode would be) changed.
  returned: always
  type: bool
plan:
  description: Every entry's step (add, replace or remove, each with C(route) and C(reason)), in order.
  returned: always
  type: list
  elements: dict
routes:
  description:
    - One result per entry of O(routes), in the order given - C(dest), C(label) (family, destination, table and
      metric, as the kernel tells routes apart), C(changed), C(plan), C(route) (the route after the run, in check
      mode as it would be; null when absent) and C(management) (why changing it could cut the management path,
      or null).
  returned: always
  type: list
  elements: dict
  sample: [{dest: 198.18.192.64/28, label: "ipv4 198.18.192.64/28 (table 254, metric 0)", changed: false, plan: [],
            management: null,
            route: {family: ipv4, dest: 198.18.192.64/28, dev: lanshim, gateway: null, metric: 0, table: 254,
                    scope: link, proto: boot, type: unicast, prefsrc: null}}]
done:
  description: After a failure while applying, the routes applied before it.
  returned: on failure while applying
  type: list
  elements: str
not_done:
  description: After a failure while applying, the routes after the failing one, not touched.
  returned: on failure while applying
  type: list
  elements: str
diff:
  description: Each route before and after, by its C(label).
  returned: in diff mode
  type: dict
'''

from ansible_collections.netprov.dockernet.plugins.module_utils._common.hostargs import HOST_COMMON_ARGS
from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink, routeset as _routeset
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module
from ansible_collections.netprov.dockernet.plugins.module_utils._session import ssh


def run(module):
    p = module.params
    results = _routeset.converge(_routeset.validate(p['routes']), p['netns'], allow_management=p['allow_management'],
                                 check_mode=module.check_mode, session=ssh.for_module(module, _netlink.netns_path(p['netns'])),
                                 expect_links=p['expect_links'], path='routes', warn=module.warn)
    result = {'changed': any(r['changed'] for r in results), 'plan': [s for r in results for s in r['plan']],
              'routes': [dict((k, v) for k, v in r.items() if k != 'diff') for r in results]}
    result['diff'] = {'before': dict((r['label'], r['diff']['before']) for r in results),
                      'after': dict((r['label'], r['diff']['after']) for r in results)}
    return result


def main():
    run_module(dict(routes=dict(type='list', elements='dict', required=True),
                    expect_links=dict(type='list', elements='str', default=[]),
                    allow_management=dict(type='bool', default=False)), run, connection=HOST_COMMON_ARGS)


if __name__ == '__main__':
    main()
