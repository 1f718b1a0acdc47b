#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: docker_network
short_description: Manage one Docker network of any driver, and the containers attached to it
version_added: 0.1.0
description:
  - Creates, recreates or removes one Docker network of any driver (bridge, macvlan, ipvlan, overlay, or a
    plugin), with its IPAM configuration, labels and driver options, and attaches the containers listed in
    O(containers) with their aliases and fixed addresses.
  - A Docker network cannot be changed in place. When the wanted spec differs from the network, the module
    recreates it; with O(recreate=reconnect) it first records every attached container's endpoint (aliases,
    fixed IPv4 and IPv6 addresses, links, driver options) and restores each one exactly.
  - Options left out are not compared; they take the engine's defaults when the network is created. Labels and
    options the engine adds on its own never count as a change.
  - Every network this module creates carries the label C(netprov.dockernet.managed=true).
  - Before creating, when the engine is on this host, the module probes the kernel for what the network needs
    (macvlan, ipvlan, 802.1Q for a dotted parent, a dummy link for a parentless macvlan or ipvlan, ESP for an
    encrypted overlay) and checks that the parent interface exists, in the engine's own network namespace.
author:
  - netprov.dockernet developers (@netprov)
extends_documentation_fragment:
  - netprov.dockernet.docker
  - netprov.dockernet.network
attributes:
  check_mode:
    support: full
    description: Returns the plan a real run applies, and changes nothing.
  diff_mode:
    support: full
    description: Returns the network before and after, as summaries.
requirements:
  - docker (Python SDK) >= 6.0
  - pyroute2 >= 0.9, on the engine's host, for the parent and kernel checks
'''

EXAMPLES = r'''
- name: A bridge network with fixed addressing and a label
  netprov.dockernet.docker_network:
    name: backend
    ipam_config:
      - subnet: 198.18.10.0/24
        gateway: 198.18.10.1
        iprange: 198.18.10.128/25
        aux_addresses:
          router: 198.18.10.2
    labels:
      team: payments

- name: A macvlan network on a VLAN sub-interface, with a container at a fixed address
  netprov.dockernet.docker_network:
    name: lan30
    driver: macvlan
    parent: eth1.30
    macvlan_mode: bridge
    ipam_config:
      - subnet: 198.18.30.0/24
        gateway: 198.18.30.1
    containers:
      - name: web
        ipv4_address: 198.18.30.10
        aliases: [www]

- name: A container whose default route is this network, on an interface named lan0 (Engine 28.0 and later)
  netprov.dockernet.docker_network:
    name: lan
    ipam_config:
      - subnet: 198.18.31.0/24
    containers:
      - name: router
        gw_priority: 100
        interface_name: lan0
        sysctls:
          net.ipv4.conf.IFNAME.forwarding: 1
          net.ipv6.conf.IFNAME.accept_ra: 2

- name: Change the subnet of a network in use, keeping every container attached
  netprov.dockernet.docker_network:
    name: backend
    ipam_config:
      - subnet: 198.18.11.0/24
    recreate: reconnect

- name: An IPv6-only network (Engine 28.0 and later; refused on older engines, which would add IPv4)
  netprov.dockernet.docker_network:
    name: v6only
    enable_ipv4: false
    ipam_config:
      - subnet: 2001:db8:10::/64

- name: A bridge whose containers are reached at their own addresses, no NAT (Engine 27.0 and later)
  netprov.dockernet.docker_network:
    name: routed
    gateway_mode_ipv4: routed
    ipam_config:
      - subnet: 198.18.12.0/24

- name: An attachable, encrypted overlay (refused where the kernel has no ESP)
  netprov.dockernet.docker_network:
    name: secure-overlay
    driver: overlay
    attachable: true
    encrypted: true

- name: The swarm's ingress network with a subnet and MTU of our own, replacing the engine's default (on a manager)
  netprov.dockernet.docker_network:
    name: ingress
    driver: overlay
    ingress: true
    mtu: 1450
    ipam_config:
      - subnet: 198.18.250.0/24
        gateway: 198.18.250.1

- name: Remove a network, disconnecting what is still attached
  netprov.dockernet.docker_network:
    name: old
    state: absent
    force: true
'''

RETURN = r'''
changed:
  description: Whether the engine was (or in check mode, would be) changed.
  returned: always
  type: bool
plan:
  description:
    - The ordered steps of this run, each with C(action) (create, recreate, remove, connect, disconnect,
      reconnect, none), C(network), C(reason), and where relevant C(container), C(endpoint) (the endpoint
      config sent), C(body) (the create request sent to the engine), C(changes), C(reconnect).
    - Replacing the swarm's ingress network (O(ingress=true)), the C(remove) of the one there is carries
      C(replaced_by) (the new one's name) and the C(create) carries C(replaces) (the old one's id).
    - In check mode it is what a real run would do; a real run returns the same steps.
  returned: always
  type: list
  elements: dict
  sample:
    - action: recreate
      network: backend
      reason: "ipam_config subnets: 198.18.10.0/24 -> 198.18.11.0/24"
      reconnect:
        - container: web
          endpoint: {Aliases: [www], IPAMConfig: {IPv4Address: 198.18.11.10}}
network:
  description: The network after the run (in check mode, as predicted), normalised; empty when absent.
  returned: always
  type: dict
  sample:
    name: backend
    driver: bridge
    scope: local
    internal: false
    attachable: false
    ingress: false
    enable_ipv6: false
    config_only: false
    config_from: null
    options: {}
    labels: {netprov.dockernet.managed: "true"}
    ipam_driver: default
    ipam_options: {}
    ipam_config: [{subnet: 198.18.10.0/24, gateway: 198.18.10.1}]
    containers: [web]
encryption:
  description:
    - With O(verify=true), the kernel's ESP states for this encrypted overlay, as
      M(netprov.dockernet.docker_network_info) reports them in RV(netprov.dockernet.docker_network_info#module:network.encryption).
  returned: when O(verify=true) and not in check mode
  type: dict
reconnected:
  description: Containers reattached after the network was recreated.
  returned: always
  type: list
  elements: str
reconnect_failed:
  description:
    - Containers that could not be reattached because they were removed meanwhile; the others were.
    - A reattach the engine refuses is a failure of the task, not an entry here.
  returned: always
  type: list
  elements: str
restored:
  description:
    - When applying failed, the containers that were put back on their network with the endpoint they had
      (aliases, fixed addresses, links, driver options) before the run.
  returned: on failure while applying
  type: list
  elements: str
not_restored:
  description:
    - When applying failed and an endpoint could not be put back either, one entry each, also spelled out in
      the error message, so a person can restore it by hand.
  returned: on failure while applying
  type: list
  elements: dict
  contains:
    container:
      description: The container.
      type: str
      returned: always
    network:
      description: The network it was on.
      type: str
      returned: always
    recorded:
      description: Its endpoint as read before the run.
      type: dict
      returned: always
    command:
      description: The C(docker network connect) command that puts it back.
      type: str
      returned: always
    error:
      description: Why it could not be put back.
      type: str
      returned: always
networks_not_restored:
  description:
    - When applying failed after this run removed the network to recreate it, and it could not be made again
      as it was, its recorded spec (an Engine API create body) and the C(docker network create) command.
  returned: on failure while applying
  type: list
  elements: dict
diff:
  description: The network summary before and after.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The network before the run.
      type: dict
      returned: always
    after:
      description: The network after the run (predicted in check mode).
      type: dict
      returned: always
'''

from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import DOCKER_COMMON_ARGS, Engine
from ansible_collections.netprov.dockernet.plugins.module_utils._network.core import (
    EngineState, apply_steps, before_of, predict, prepare, summary, verify_encryption)
from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import is_change, shown
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import network_options, normalise_want


def run(module):
    engine = Engine(module.params)
    state = EngineState(engine)
    want = normalise_want(module.params)
    steps, warnings = prepare(state, want)
    have = before_of(state, want, steps)
    before = summary(have)
    result = dict(changed=is_change(steps), plan=shown(steps), reconnected=[], reconnect_failed=[])
    if module.check_mode or not result['changed']:
        after = predict(have, steps)
    else:
        outcome = apply_steps(state, steps)
        warnings.extend(outcome.warnings)
        result['reconnected'] = outcome.reconnected
        result['reconnect_failed'] = outcome.reconnect_failed
        after = summary(EngineState(engine).full(want['name']))
    if not module.check_mode:
        result['encryption'] = verify_encryption(state, want)
    result.update(network=after, diff=dict(before=before, after=after), warnings=warnings)
    return result


def main():
    run_module(network_options(top_level=True), run, connection=DOCKER_COMMON_ARGS)


if __name__ == '__main__':
    main()
