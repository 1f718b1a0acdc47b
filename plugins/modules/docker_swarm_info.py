#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: docker_swarm_info
short_description: This engine's swarm state, its nodes, and join tokens when asked
version_added: 0.1.0
description:
  - Reports whether the engine is in a swarm, its node ID, role, the managers' addresses and, on a manager,
    the cluster ID, the swarm's settings and its nodes.
  - Join tokens and the unlock key are returned only when asked (O(join_tokens), O(unlock_key)), only by a
    manager, and the whole result is then marked so that Ansible never prints it (as with C(no_log), at any
    verbosity). The registered variable still holds them, for the next task's O(netprov.dockernet.docker_swarm#module:join_token).
author:
  - netprov.dockernet developers (@netprov)
extends_documentation_fragment:
  - netprov.dockernet.docker
attributes:
  check_mode:
    support: full
    description: Reads only, so it runs in check mode too.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
options:
  join_tokens:
    description:
      - Return the worker and manager join tokens (as RV(join_tokens)). Only a manager has them; asking on
        another node is an error.
    type: bool
    default: false
  unlock_key:
    description:
      - Return the unlock key of an autolocked swarm (as RV(unlock_key), null when autolock is off). Managers only.
    type: bool
    default: false
  nodes:
    description:
      - On a manager, list the swarm's nodes (RV(nodes)).
    type: bool
    default: true
notes:
  - When O(join_tokens) or O(unlock_key) is V(true), the task's output is hidden as if C(no_log) were set,
    including at C(-vvv). Do not print the registered variable with M(ansible.builtin.debug).
seealso:
  - module: netprov.dockernet.docker_swarm
'''

EXAMPLES = r'''
- name: Is this engine in a swarm, and as what?
  netprov.dockernet.docker_swarm_info:
  register: swarm

- name: The tokens, from the first manager, for the other hosts (never printed)
  netprov.dockernet.docker_swarm_info:
    join_tokens: true
  register: swarm_tokens
  run_once: true

- name: Join with them
  netprov.dockernet.docker_swarm:
    remote_addrs: ["{{ hostvars[groups.managers[0]].fleet_addr }}"]
    join_token: "{{ swarm_tokens.join_tokens.worker }}"
'''

RETURN = r'''
changed:
  description: Always false.
  returned: always
  type: bool
plan:
  description: Always empty; present so every module of the collection returns one.
  returned: always
  type: list
  elements: dict
swarm_active:
  description: Whether the node is in a swarm (local node state C(active)).
  returned: always
  type: bool
local_node_state:
  description: C(inactive), C(pending), C(active), C(error) or C(locked).
  returned: always
  type: str
error:
  description: The engine's swarm error, for example after a failed join.
  returned: always
  type: str
node_id:
  description: This node's ID.
  returned: always
  type: str
node_addr:
  description: The address this node advertises.
  returned: always
  type: str
role:
  description: C(manager), C(worker), or null outside a swarm.
  returned: always
  type: str
is_manager:
  description: Whether this node is a manager that answers swarm API calls.
  returned: always
  type: bool
manager_addresses:
  description: The managers' addresses (C(ip:port)) this node knows of.
  returned: always
  type: list
  elements: str
cluster_id:
  description: The swarm's ID (managers only; null elsewhere).
  returned: always
  type: str
swarm:
  description: The swarm's settings (managers only; null elsewhere).
  returned: always
  type: dict
  contains:
    data_path_port:
      description: The overlay data port.
      type: int
    default_addr_pool:
      description: The pools overlay subnets come from.
      type: list
      elements: str
    subnet_size:
      description: The prefix length of each overlay subnet.
      type: int
    autolock_managers:
      description: Whether managers are autolocked.
      type: bool
nodes:
  description: The swarm's nodes (managers only, with O(nodes=true)).
  returned: on a manager, when O(nodes=true)
  type: list
  elements: dict
  sample: [{id: abc, hostname: host1, role: manager, availability: active, state: ready, addr: 198.18.128.11,
            leader: true, reachability: reachable, manager_addr: "198.18.128.11:2377", engine_version: "20.10.24",
            labels: {}}]
join_tokens:
  description: The join tokens. The task's output is hidden when they are returned.
  returned: when O(join_tokens=true)
  type: dict
  contains:
    worker:
      description: The worker join token.
      type: str
    manager:
      description: The manager join token.
      type: str
unlock_key:
  description: The unlock key, null when autolock is off. The task's output is hidden when it is returned.
  returned: when O(unlock_key=true)
  type: str
'''

from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import DOCKER_COMMON_ARGS, Engine
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module
from ansible_collections.netprov.dockernet.plugins.module_utils._swarm import membership as _swarm

ARGUMENT_SPEC = dict(
    join_tokens=dict(type='bool', default=False),
    unlock_key=dict(type='bool', default=False),
    nodes=dict(type='bool', default=True),
)


def run(module):
    result = _swarm.info(Engine(module.params), nodes=module.params['nodes'],
                         join_tokens=module.params['join_tokens'], unlock_key=module.params['unlock_key'])
    return dict(result, changed=False, plan=[])


def main():
    run_module(ARGUMENT_SPEC, run, connection=DOCKER_COMMON_ARGS)


if __name__ == '__main__':
    main()
