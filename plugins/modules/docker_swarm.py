#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: docker_swarm
short_description: This engine's swarm membership - init, join, leave
version_added: 0.1.0
description:
  - Puts the Docker Engine into a swarm (initialising a new one, or joining one with a token) or takes it out.
  - Computes a plan first (create_gwbridge, remove_gwbridge, init, join, update, update_node, demote, leave),
    reports it in every mode, and in a real run applies exactly that plan.
  - A node already in the intended swarm reports no change.
  - A node stuck half-joined (swarm state C(pending) or C(error) after a failed join) is recovered by
    O(state=present) with O(remote_addrs) and O(join_token), which makes it leave that state and join again.
  - Leaving is guarded. A manager with other managers present is demoted first and then leaves, keeping quorum.
    The last manager, or a manager whose departure would lose quorum, is refused unless O(force=true).
  - No join token, unlock key or TLS key is ever part of the result, the plan or the diff.
author:
  - netprov.dockernet developers (@netprov)
extends_documentation_fragment:
  - netprov.dockernet.docker
attributes:
  check_mode:
    support: full
    description: Returns the plan a real run applies, and changes nothing.
  diff_mode:
    support: full
    description: Returns the node's swarm state before and after.
options:
  state:
    description:
      - V(present) initialises a swarm when the node is in none, or joins one when O(remote_addrs) and
        O(join_token) are given.
      - V(absent) leaves the swarm (see O(force)).
    type: str
    default: present
    choices: [present, absent]
  advertise_addr:
    description:
      - Address (or interface) other nodes reach this node at, C(ip), C(ip:port) or C(eth0).
      - Set only when the node initialises or joins; a different IP on a node already in a swarm is an error.
    type: str
  listen_addr:
    description:
      - Address the node listens on for swarm control traffic. The engine's default is C(0.0.0.0:2377).
    type: str
  data_path_addr:
    description:
      - Address or interface for overlay (VXLAN) data traffic. Set when initialising or joining.
    type: str
  data_path_port:
    description:
      - UDP port for overlay data traffic, 1024 to 49151 (the engine's default is 4789).
      - Can only be set at init; a different value on an existing swarm is an error.
    type: int
  default_addr_pool:
    description:
      - Subnets (CIDR) the swarm takes overlay network subnets from. The engine's default is V(10.0.0.0/8).
      - Can only be set at init; a different value on an existing swarm is an error.
    type: list
    elements: str
  subnet_size:
    description:
      - Prefix length of each overlay subnet taken from O(default_addr_pool) (the engine's default is 24).
      - Can only be set at init.
    type: int
  autolock_managers:
    description:
      - Lock the managers' raft keys with an unlock key needed after an engine restart.
      - Set at init, or changed on an existing swarm from a manager. Read the key with
        M(netprov.dockernet.docker_swarm_info) and O(netprov.dockernet.docker_swarm_info#module:unlock_key=true).
      - Unset leaves the current setting alone.
    type: bool
  rotate_worker_token:
    description:
      - Rotate the worker join token. Honoured on its own (no other change is needed), on a manager, on every run
        it is V(true), so such a task always reports a change. Ignored at init (the tokens are new).
    type: bool
    default: false
  rotate_manager_token:
    description:
      - Rotate the manager join token, as O(rotate_worker_token) does for the worker token.
    type: bool
    default: false
  gwbridge_subnet:
    description:
      - Subnet (CIDR) of C(docker_gwbridge), the bridge that connects overlay containers to the host.
      - The engine creates C(docker_gwbridge) from its address pools when a node enters a swarm, and it cannot
        move afterwards, so the module creates it with this subnet before init or join (replacing one with
        another subnet when nothing is attached). A different subnet on a node already in a swarm is an error.
    type: str
  remote_addrs:
    description:
      - Addresses of one or more managers of the swarm to join, C(host) or C(host:port) (port 2377 if omitted).
      - With O(join_token), O(state=present) joins instead of initialising.
      - The engine itself dials only the first address it is given, so the module tries each address in turn,
        in the order listed, until a manager lets the node in (a manager that is down costs the engine's own
        wait, about 10 s when the port is closed, 20 s when the host does not answer). A node that no manager
        lets in is left out of any swarm, and the error names every address tried.
      - On a node already in a swarm, one of them must be a manager of that swarm, else the module refuses.
    type: list
    elements: str
    aliases: [join_addr]
  join_token:
    description:
      - The worker or manager join token (from M(netprov.dockernet.docker_swarm_info) with
        O(netprov.dockernet.docker_swarm_info#module:join_tokens=true)). Never printed.
    type: str
  availability:
    description:
      - Availability of this node, applied when it joins or initialises.
      - On a manager already in the swarm a different value is updated; a worker cannot change its own.
    type: str
    choices: [active, pause, drain]
  role:
    description:
      - The role the node is expected to get from O(join_token).
      - After joining, a node whose token gave the other role leaves again and the module fails, naming the
        token to use. A node already in the swarm with the other role is an error.
    type: str
    choices: [worker, manager]
  force:
    description:
      - With O(state=absent), leave even when the node is the last manager (the swarm ends) or when its
        departure would lose the managers' quorum, or when the swarm is locked.
    type: bool
    default: false
notes:
  - On a manager with other managers, O(state=absent) demotes the node first, waits until it is a worker, then
    leaves. The node stays listed as C(Down) on the remaining managers; M(netprov.dockernet.docker_swarm_node) with
    O(netprov.dockernet.docker_swarm_node#module:state=absent), run against one of them, removes it.
  - Networks, including C(docker_gwbridge) and overlay networks, are not removed by leaving.
seealso:
  - module: netprov.dockernet.docker_swarm_info
  - module: netprov.dockernet.docker_swarm_node
'''

EXAMPLES = r'''
- name: Initialise a swarm on the first manager
  netprov.dockernet.docker_swarm:
    advertise_addr: 198.18.128.11
    default_addr_pool: [198.18.176.0/21]
    subnet_size: 24
    gwbridge_subnet: 198.18.184.0/24

- name: Read the join tokens on the manager (never printed)
  netprov.dockernet.docker_swarm_info:
    join_tokens: true
  register: swarm_info
  delegate_to: manager1

- name: Join a worker
  netprov.dockernet.docker_swarm:
    remote_addrs: [198.18.128.11]
    join_token: "{{ swarm_info.join_tokens.worker }}"
    advertise_addr: 198.18.128.12
    role: worker

- name: Leave (a manager is demoted first; the last manager is refused without force)
  netprov.dockernet.docker_swarm:
    state: absent
'''

RETURN = r'''
changed:
  description: Whether the membership or the swarm's settings changed (or would, in check mode).
  returned: always
  type: bool
plan:
  description:
    - The steps, in order, each with C(action) and C(reason) and the step's parameters (never the token).
    - Actions are C(create_gwbridge), C(remove_gwbridge), C(init), C(join), C(update), C(update_node),
      C(demote) and C(leave). Empty when nothing is to be done.
  returned: always
  type: list
  elements: dict
  sample: [{action: join, reason: "not in a swarm; joining the swarm at 198.18.128.11:2377 as a worker",
            remote_addrs: ["198.18.128.11:2377"], role: worker}]
swarm:
  description: This node's swarm state after the run (predicted in check mode). No secrets.
  returned: always
  type: dict
  contains:
    local_node_state:
      description: C(inactive), C(pending), C(active), C(error) or C(locked).
      type: str
    node_id:
      description: This node's ID in the swarm.
      type: str
    node_addr:
      description: The address this node advertises.
      type: str
    role:
      description: C(manager), C(worker), or null outside a swarm.
      type: str
    cluster_id:
      description: The swarm's ID (known on managers only).
      type: str
    manager_addresses:
      description: The managers' addresses, C(ip:port).
      type: list
      elements: str
    availability:
      description: This node's availability (known on managers only).
      type: str
    autolock_managers:
      description: Whether the managers are autolocked (known on managers only).
      type: bool
    gwbridge_subnet:
      description: The subnet of C(docker_gwbridge), when it exists.
      type: str
diff:
  description: The node's swarm state before and after (the RV(swarm) fields).
  returned: in diff mode
  type: dict
'''

from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import DOCKER_COMMON_ARGS, Engine
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module
from ansible_collections.netprov.dockernet.plugins.module_utils._swarm import membership as _swarm


def run(module):
    want = _swarm.want_from_params(module.params)
    engine = Engine(module.params)
    have = _swarm.read_state(engine)
    steps, warnings = _swarm.plan(want, have)
    if steps and not module.check_mode:
        _swarm.apply(engine, steps, want, wait=module.params['timeout'])
        after = _swarm.summary(_swarm.read_state(engine))
    else:
        after = _swarm.predict(have, steps, want)
    return dict(changed=bool(steps), plan=_swarm.shown(steps), swarm=after, warnings=warnings,
                diff=dict(before=_swarm.summary(have), after=after))


def main():
    run_module(_swarm.SWARM_ARGS, run, connection=DOCKER_COMMON_ARGS)


if __name__ == '__main__':
    main()
