#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: docker_network_info
short_description: Facts about Docker networks and their endpoints
version_added: 0.1.0
description:
  - Returns one network (O(name)) or every network on the engine, in the normalised shape that
    M(netprov.dockernet.docker_network) plans with, each with its endpoints (container, addresses, MAC, aliases).
author:
  - netprov.dockernet developers (@netprov)
extends_documentation_fragment:
  - netprov.dockernet.docker
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Reads only.
options:
  name:
    description:
      - The network to describe. When not set, every network is returned as RV(networks).
    type: str
'''

EXAMPLES = r'''
- name: Is the backend network there, and who is on it?
  netprov.dockernet.docker_network_info:
    name: backend
  register: backend

- name: Every network on the engine, to feed docker_networks (round trip)
  netprov.dockernet.docker_network_info:
  register: all_networks
'''

RETURN = r'''
exists:
  description: Whether the network named in O(name) exists.
  returned: when O(name) is set
  type: bool
network:
  description: The network named in O(name), normalised; empty when it does not exist.
  returned: when O(name) is set
  type: dict
  contains:
    id:
      description: The network's id.
      type: str
      returned: success
    name:
      description: The network's name.
      type: str
      returned: success
    driver:
      description: The driver (V(none) for the null driver).
      type: str
      returned: success
    options:
      description: Driver options, with the driver's defaults filled in (macvlan_mode, ipvlan_mode, ipvlan_flag).
      type: dict
      returned: success
    labels:
      description: Labels.
      type: dict
      returned: success
    ipam_config:
      description: Address pools (subnet, iprange, gateway, aux_addresses) in canonical form.
      type: list
      elements: dict
      returned: success
    managed:
      description: Whether the network carries C(netprov.dockernet.managed=true).
      type: bool
      returned: success
    endpoints:
      description: Attached containers by name, each with C(id), C(ipv4), C(ipv6), C(mac), C(aliases),
        C(ipv4_address) and C(ipv6_address) (the fixed addresses, if any).
      type: dict
      returned: success
networks:
  description: Every network on the engine, normalised as RV(network).
  returned: when O(name) is not set
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netprov.dockernet.plugins.module_utils._client import DOCKER_COMMON_ARGS, Engine
from ansible_collections.netprov.dockernet.plugins.module_utils._info import describe_network
from ansible_collections.netprov.dockernet.plugins.module_utils._core import EngineState
from ansible_collections.netprov.dockernet.plugins.module_utils._runner import execute


def run(module):
    state = EngineState(Engine(module.params))
    name = module.params['name']
    if name:
        found = state.matches(name)
        if not found:
            return dict(changed=False, exists=False, network={})
        return dict(changed=False, exists=True, network=describe_network(state, found[0]['id']))
    return dict(changed=False, networks=[describe_network(state, n['id']) for n in state.networks])


def main():
    argument_spec = dict(name=dict(type='str'))
    argument_spec.update(DOCKER_COMMON_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    execute(module, run)


if __name__ == '__main__':
    main()
