#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: docker_swarm_node
short_description: One node of a swarm, from a manager - role, availability, labels, removal
version_added: 0.1.0
description:
  - Runs against a swarm manager and changes one node of its swarm, named by ID, unique ID prefix or hostname.
  - O(state=present) updates the node's role, availability and labels where they differ, in one step.
  - O(state=absent) removes the node's entry from the swarm, typically after it left
    (M(netprov.dockernet.docker_swarm) with O(netprov.dockernet.docker_swarm#module:state=absent)), so the managers
    no longer list it as C(Down). A node that is still up is refused unless O(force=true). A manager is demoted
    first; a demotion that would lose the managers' quorum is refused.
  - Computes a plan first (update_node, demote, remove), reports it in every mode, and in a real run applies exactly
    that plan. A node already as wanted, or already gone with O(state=absent), reports no change.
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
    description: Returns the node's record before and after.
options:
  node:
    description:
      - The node, by ID, a unique prefix of its ID, or its hostname.
      - A hostname that several nodes share (a host that left and joined again) is an error that lists their IDs;
        give the ID then.
    type: str
    required: true
  state:
    description:
      - V(present) updates the node (it must exist).
      - V(absent) removes it from the swarm; a node already gone is no change.
    type: str
    default: present
    choices: [present, absent]
  role:
    description:
      - The node's role. A demotion that would lose the managers' quorum, or of the last manager, is refused.
    type: str
    choices: [manager, worker]
  availability:
    description:
      - The node's availability. V(drain) moves its service tasks elsewhere, V(pause) takes no new ones.
    type: str
    choices: [active, pause, drain]
  labels:
    description:
      - Node labels (values are strings), as placement constraints use them (C(node.labels.KEY)).
      - How they combine with the node's current labels is O(labels_state). Unset leaves the labels alone.
    type: dict
  labels_state:
    description:
      - V(merge) sets O(labels) and keeps the node's other labels.
      - V(replace) makes O(labels) the node's only labels (V({}) removes them all).
    type: str
    default: merge
    choices: [merge, replace]
  force:
    description:
      - With O(state=absent), remove a node that is not C(down) (still up, or not yet seen down after leaving).
        A node removed while it runs still believes it is in the swarm; make it leave as well.
    type: bool
    default: false
notes:
  - The engine reached (O(docker_host)) must be a manager of the swarm, else the module fails.
  - A node that left is seen C(down) by the managers only after some seconds; the swarm role removes a node that
    it has just made leave with O(force=true) for that reason.
  - The node a task talks to cannot remove itself; make it leave with M(netprov.dockernet.docker_swarm).
seealso:
  - module: netprov.dockernet.docker_swarm
  - module: netprov.dockernet.docker_swarm_info
'''

EXAMPLES = r'''
- name: Drain a worker and label it, from a manager
  netprov.dockernet.docker_swarm_node:
    node: host3
    availability: drain
    labels:
      rack: r2
      zone: b

- name: Make these its only labels
  netprov.dockernet.docker_swarm_node:
    node: host3
    labels:
      rack: r2
    labels_state: replace

- name: Promote a worker
  netprov.dockernet.docker_swarm_node:
    node: host2
    role: manager

- name: Make a host leave the swarm
  netprov.dockernet.docker_swarm:
    state: absent
  delegate_to: host3

- name: Then remove its entry, so the managers no longer list it as Down
  netprov.dockernet.docker_swarm_node:
    node: host3
    state: absent
'''

RETURN = r'''
changed:
  description: Whether the node changed or was removed (or would be, in check mode).
  returned: always
  type: bool
plan:
  description:
    - The steps, in order, each with C(action), C(reason) and C(node_id).
    - Actions are C(update_node) (with the changed fields among C(role), C(availability), C(labels)), C(demote) and
      C(remove) (with C(force)). Empty when nothing is to be done.
  returned: always
  type: list
  elements: dict
  sample: [{action: update_node, reason: "availability: active -> drain; labels: add rack=r2", node_id: "p4k3xv1b2c",
            availability: drain, labels: {rack: r2}}]
node:
  description: The node's record after the run (predicted in check mode); null when it was removed or never existed.
  returned: always
  type: dict
  contains:
    id:
      description: The node's ID.
      type: str
    hostname:
      description: The node's hostname.
      type: str
    role:
      description: C(manager) or C(worker).
      type: str
    availability:
      description: C(active), C(pause) or C(drain).
      type: str
    state:
      description: Its status as the managers see it, C(ready), C(down), C(unknown) or C(disconnected).
      type: str
    addr:
      description: Its address.
      type: str
    leader:
      description: Whether it is the managers' leader.
      type: bool
    reachability:
      description: For a manager, C(reachable) or C(unreachable); null for a worker.
      type: str
    manager_addr:
      description: For a manager, its swarm address C(ip:port).
      type: str
    engine_version:
      description: Its Docker Engine version.
      type: str
    labels:
      description: Its labels.
      type: dict
  sample: {id: p4k3xv1b2c, hostname: host3, role: worker, availability: drain, state: ready, addr: 198.18.128.13,
           leader: false, reachability: null, manager_addr: null, engine_version: "20.10.24", labels: {rack: r2}}
diff:
  description: The node's record before and after (an empty dict for a node that does not exist).
  returned: in diff mode
  type: dict
'''

from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import DOCKER_COMMON_ARGS, Engine
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import EngineError
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module
from ansible_collections.netprov.dockernet.plugins.module_utils._swarm import membership as _swarm, node as _swarm_node


def run(module):
    want = _swarm_node.want_from_params(module.params)
    engine = Engine(module.params)
    have = _swarm.read_state(engine)
    before = _swarm_node.target(want, have)
    steps, warnings = _swarm_node.plan(want, have)
    after = _swarm_node.predict(before, steps)
    if steps and not module.check_mode:
        _swarm_node.apply(engine, steps, wait=module.params['timeout'])
        try:
            after = _swarm_node.read_node(engine, before['id'])
        except EngineError:   # the engine demoted itself and no longer answers for the swarm
            pass
    return dict(changed=bool(steps), plan=_swarm.shown(steps), node=after, diff=dict(before=before or {}, after=after or {}),
                warnings=warnings)


def main():
    run_module(_swarm_node.NODE_ARGS, run, connection=DOCKER_COMMON_ARGS)


if __name__ == '__main__':
    main()
