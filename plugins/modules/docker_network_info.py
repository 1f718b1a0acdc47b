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
    created:
      description: When the engine created the network (the engine's timestamp).
      type: str
      returned: success
    driver:
      description: The driver (V(none) for the null driver).
      type: str
      returned: success
    scope:
      description: The network's scope (V(local), V(global) or V(swarm)).
      type: str
      returned: success
    internal:
      description: Whether external access is restricted.
      type: bool
      returned: success
    attachable:
      description: Whether standalone containers may attach (overlays).
      type: bool
      returned: success
    ingress:
      description: Whether this is the swarm's routing-mesh network.
      type: bool
      returned: success
    enable_ipv6:
      description: Whether IPv6 is enabled.
      type: bool
      returned: success
    config_only:
      description: Whether this is a configuration-only network.
      type: bool
      returned: success
    config_from:
      description: The configuration-only network this one was made from, or V(null).
      type: str
      returned: success
    options:
      description: Driver options, with the driver's defaults filled in (macvlan_mode, ipvlan_mode, ipvlan_flag).
      type: dict
      returned: success
    encrypted:
      description: Whether the network has the C(encrypted) driver option (encrypted overlays).
      type: bool
      returned: success
    labels:
      description: Labels.
      type: dict
      returned: success
    ipam_driver:
      description: The IPAM driver (V(default) when the engine reports none).
      type: str
      returned: success
    ipam_options:
      description: Options of the IPAM driver.
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
      description:
        - Attached containers by name, each with C(id), C(ipv4), C(ipv6), C(mac) (what the network reports) and,
          from the container, C(aliases), C(ipv4_address) and C(ipv6_address) (the fixed addresses, if any),
          C(links) and C(service) (the swarm service of a task, if any).
        - Endpoints of other swarm nodes' tasks on an overlay are not listed.
      type: dict
      returned: success
    encryption:
      description:
        - For an encrypted overlay, what the kernel of the engine's host says about its ESP states (Docker's
          reqid 0xd0c4e3, transport mode), read from C(ip -s xfrm state) in the engine's network namespace.
      type: dict
      returned: when the network is an encrypted overlay
      contains:
        active:
          description:
            - Whether every peer has ESP states in both directions. V(null) when they could not be read (see
              RV(network.encryption.reason)).
          type: bool
          returned: success
        peers:
          description: Peer node addresses with ESP states in both directions.
          type: list
          elements: str
          returned: success
        missing:
          description: Peer node addresses without them.
          type: list
          elements: str
          returned: success
        algorithm:
          description: The AEAD algorithm of the states, for example V(rfc4106(gcm(aes))).
          type: str
          returned: success
        states:
          description: How many of Docker's ESP states there are.
          type: int
          returned: success
        packets_out:
          description: Packets sent through the outgoing states so far.
          type: int
          returned: success
        reason:
          description:
            - Why RV(network.encryption.active) is not true (not in a swarm, engine not on this host, no peer yet,
              missing states), or V(null).
          type: str
          returned: success
networks:
  description: Every network on the engine, each normalised as RV(network).
  returned: when O(name) is not set
  type: list
  elements: dict
'''

from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import DOCKER_COMMON_ARGS, Engine
from ansible_collections.netprov.dockernet.plugins.module_utils._network.info import describe_network
from ansible_collections.netprov.dockernet.plugins.module_utils._network.core import EngineState
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module


def run(module):
    state = EngineState(Engine(module.params))
    name = module.params['name']
    if name:
        found = state.matches(name)
        if not found:
            return dict(changed=False, exists=False, network={})
        net = describe_network(state, found[0]['id'])
        return dict(changed=False, exists=net is not None, network=net or {})
    # A network removed between the listing and its inspect is simply not there any more.
    described = [describe_network(state, n['id']) for n in state.networks]
    return dict(changed=False, networks=[n for n in described if n is not None])


def main():
    run_module(dict(name=dict(type='str')), run, connection=DOCKER_COMMON_ARGS)


if __name__ == '__main__':
    main()
