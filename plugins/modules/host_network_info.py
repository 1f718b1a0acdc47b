#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: host_network_info
short_description: Links, addresses, routes and probed kernel capabilities of a host
version_added: 0.1.0
description:
  - Reads the links (kind, parent, modes, MTU, MAC, state, addresses, master)
    and routes of the managed host, or of one of its network namespaces,
    through netlink (pyroute2).
  - Probes kernel capabilities for real, each by doing it in a scratch network
    namespace that is always removed - making a macvlan, ipvlan, 802.1Q VLAN,
    bridge, veth, vxlan and dummy link, adding an ESP xfrm state with
    rfc4106(gcm(aes)) (what encrypted overlays need), and resolving the IPVS
    generic netlink family (swarm VIP load balancing).
  - The same probes back the kernel checks of M(netprov.dockernet.host_link),
    M(netprov.dockernet.docker_network) and the preflight role.
extends_documentation_fragment: [netprov.dockernet.host]
author:
  - netprov.dockernet developers (@netprov)
requirements:
  - the C(ip) command for the ESP probe (pyroute2 has no xfrm support)
options:
  capabilities:
    description:
      - Probe kernel capabilities. They are the kernel's and do not depend on O(netns).
    type: bool
    default: true
  features:
    description: Which capabilities to probe.
    type: list
    elements: str
    choices: [macvlan, ipvlan, vlan, bridge, veth, vxlan, dummy, esp, ipvs]
    default: [macvlan, ipvlan, vlan, bridge, veth, vxlan, dummy, esp, ipvs]
notes:
  - Supports check mode; it changes nothing on the host.
'''

EXAMPLES = r'''
- name: What can this host do?
  netprov.dockernet.host_network_info:
  register: host

- name: Refuse an encrypted overlay on a kernel without ESP
  ansible.builtin.assert:
    that: host.capabilities.esp
    fail_msg: "{{ host.missing_capabilities.esp | default('') }}"
'''

RETURN = r'''
plan:
  description: Always empty; this module changes nothing.
  returned: always
  type: list
  elements: dict
kernel_release:
  description: The running kernel's release.
  returned: always
  type: str
  sample: 6.1.0-28-amd64
links:
  description: Every link, as M(netprov.dockernet.host_link) returns one.
  returned: always
  type: list
  elements: dict
routes:
  description: IPv4 and IPv6 routes of every table but the local one.
  returned: always
  type: list
  elements: dict
default_route_links:
  description: Names of the links that carry a default route.
  returned: always
  type: list
  elements: str
capabilities:
  description: For each probed feature, whether the kernel can do it.
  returned: when O(capabilities=true)
  type: dict
  sample: {macvlan: true, ipvlan: false, vlan: false, bridge: true, veth: true, vxlan: true, dummy: false,
           esp: false, ipvs: false}
capability_details:
  description: For each probed feature, what the probe did or the error it met.
  returned: when O(capabilities=true)
  type: dict
missing_capabilities:
  description: For each feature the kernel lacks, a message for users.
  returned: when O(capabilities=true)
  type: dict
'''

from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink, probes as _probes, routes as _routes
from ansible_collections.netprov.dockernet.plugins.module_utils._common.hostargs import HOST_COMMON_ARGS
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module


ARGUMENT_SPEC = dict(
    capabilities=dict(type='bool', default=True),
    features=dict(type='list', elements='str', choices=list(_probes.FEATURES),
                  default=list(_probes.FEATURES)),
)


def run(module):
    p = module.params
    with _netlink.open_ipr(p['netns']) as ipr:
        result = {
            'changed': False,
            'plan': [],
            'kernel_release': _probes.kernel_release(),
            'links': _netlink.list_links(ipr=ipr),
            'routes': _routes.list_routes(ipr=ipr),
            'default_route_links': _netlink.default_route_links(ipr=ipr),
        }
    if p['capabilities']:
        found = _probes.probe(tuple(p['features']))
        result['capabilities'] = dict((f, r['supported']) for f, r in found.items())
        result['capability_details'] = dict((f, r['detail']) for f, r in found.items())
        result['missing_capabilities'] = dict((f, _probes.missing_message(f, r['detail']))
                                              for f, r in found.items() if not r['supported'])
    return result


def main():
    run_module(ARGUMENT_SPEC, run, connection=HOST_COMMON_ARGS)


if __name__ == '__main__':
    main()
