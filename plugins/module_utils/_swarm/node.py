# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One node of a swarm, seen from a manager: update its role, availability and labels, or remove it.

``plan(want, have)`` is pure (``have`` is ``membership.read_state``'s answer on a
manager) and returns the ordered steps (update_node, demote, remove) with a
reason each; ``apply`` carries out exactly those steps. The quorum rule for a
demotion is ``membership.demotion_quorum``, the one docker_swarm's leave uses.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError, ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._common.steps import step
from ansible_collections.netprov.dockernet.plugins.module_utils._swarm.membership import (
    demotion_quorum, node_record, poll, _update_node)

NODE_ARGS = dict(
    node=dict(type='str', required=True),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    role=dict(type='str', choices=['manager', 'worker']),
    availability=dict(type='str', choices=['active', 'pause', 'drain']),
    labels=dict(type='dict'),
    labels_state=dict(type='str', default='merge', choices=['merge', 'replace']),
    force=dict(type='bool', default=False),
)


def want_from_params(params):
    want = dict((k, params.get(k)) for k in NODE_ARGS)
    if not (want['node'] or '').strip():
        raise ValidationError('is empty; give a node ID, a unique ID prefix or a hostname', path='node')
    want['node'] = want['node'].strip()
    if want['labels'] is not None:
        labels = {}
        for key, value in want['labels'].items():
            if value is None or isinstance(value, (dict, list)):
                raise ValidationError('%r is not a string; a node label value is a string (quote it)' % (value,),
                                      path='labels.%s' % key)
            labels[str(key)] = str(value)
        want['labels'] = labels
    return want


# -- have ---------------------------------------------------------------------------
def require_manager(have):
    if have['local_state'] != 'active' or not have['is_manager']:
        what = 'a worker' if have['local_state'] == 'active' else 'not in a swarm (%s)' % have['local_state']
        raise ValidationError('this engine is %s; only a manager can change or remove swarm nodes. Run the task '
                              'against a manager (docker_host, or delegate_to a manager host)' % what,
                              path='docker_host')


def find_node(nodes, ident):
    """The record of ``ident`` among ``nodes``: an exact ID, else a hostname, else a unique ID prefix; None when none."""
    nodes = nodes or []
    exact = [n for n in nodes if n['id'] == ident]
    if exact:
        return exact[0]
    for kind, found in (('hostname', [n for n in nodes if n['hostname'] == ident]),
                        ('ID prefix', [n for n in nodes if n['id'].startswith(ident)])):
        if len(found) == 1:
            return found[0]
        if found:
            raise ValidationError(
                '%r is the %s of %d nodes: %s; give the ID of the one meant'
                % (ident, kind, len(found), ', '.join('%s (%s, %s, %s)' % (n['id'], n['hostname'], n['role'], n['state'])
                                                      for n in sorted(found, key=lambda n: n['id']))),
                path='node', candidates=sorted(n['id'] for n in found))
    return None


# -- plan ---------------------------------------------------------------------------
def target(want, have):
    """The record of the node ``want`` names, None when it is gone and state is absent; raises when refusing.
    ``have`` is read on a manager."""
    require_manager(have)
    node = find_node(have['nodes'], want['node'])
    if node is None and want['state'] != 'absent':
        raise ValidationError('no node of this swarm has the ID, ID prefix or hostname %r; list them with '
                              'docker_swarm_info on a manager' % want['node'], path='node')
    return node


def plan(want, have):
    """(steps, warnings) for the node ``want`` names, each step's subject the node's ID; raises when refusing."""
    node = target(want, have)
    if want['state'] == 'absent':
        return (_plan_remove(want, have, node) if node else []), []
    return _plan_update(want, have, node), []


def _who(node):
    return '%s (%s)' % (node['hostname'], node['id']) if node['hostname'] else node['id']


def wanted_labels(want, current):
    if want['labels'] is None:
        return current
    if want['labels_state'] == 'replace':
        return dict(want['labels'])
    merged = dict(current)
    merged.update(want['labels'])
    return merged


def _labels_reason(before, after):
    parts = []
    for key in sorted(set(before) | set(after)):
        if key not in before:
            parts.append('add %s=%s' % (key, after[key]))
        elif key not in after:
            parts.append('remove %s' % key)
        elif before[key] != after[key]:
            parts.append('%s: %s -> %s' % (key, before[key], after[key]))
    return 'labels: ' + ', '.join(parts)


def _plan_update(want, have, node):
    changes, reasons = {}, []
    for field in ('role', 'availability'):
        if want[field] and want[field] != node[field]:
            changes[field] = want[field]
            reasons.append('%s: %s -> %s' % (field, node[field], want[field]))
    labels = wanted_labels(want, node['labels'])
    if labels != node['labels']:
        changes['labels'] = labels
        reasons.append(_labels_reason(node['labels'], labels))
    if changes.get('role') == 'worker':
        _check_quorum(have, node, 'role')
    if not changes:
        return []
    return [step('update_node', node['id'], '; '.join(reasons), **changes)]


def _check_quorum(have, node, path):
    up, total, keeps = demotion_quorum(have['nodes'], node['id'])
    if total <= 1:
        raise ConflictError('%s is the last manager of its swarm, and a swarm needs one; promote another node first'
                            % _who(node), path=path)
    if not keeps:
        raise ConflictError('%d of %d managers are reachable; demoting %s would leave the swarm without quorum. '
                            'Bring the unreachable managers back first' % (up, total, _who(node)), path=path)


def _plan_remove(want, have, node):
    if node['id'] == have['node_id']:
        raise ConflictError('%s is the manager this task talks to; make it leave with docker_swarm state: absent on '
                            'it, then remove it from another manager' % _who(node), path='node')
    if node['state'] != 'down' and not want['force']:
        raise ConflictError('%s is still up (status %s); make it leave first (docker_swarm state: absent on it) or '
                            'give force: true to remove it anyway' % (_who(node), node['state']), path='force')
    steps = []
    if node['role'] == 'manager':
        _check_quorum(have, node, 'node')
        steps.append(step('demote', node['id'], '%s is a manager (%s); a manager must be demoted before it is '
                          'removed' % (_who(node), node['reachability'] or 'not in the raft')))
    if node['state'] == 'down':
        reason = '%s is down; removing its entry from the swarm' % _who(node)
    else:
        reason = '%s is %s, and force: true removes it anyway' % (_who(node), node['state'])
    steps.append(step('remove', node['id'], reason, force=node['state'] != 'down'))
    return steps


def predict(node, steps):
    """The node's record after ``steps``: None once removed."""
    after = copy.deepcopy(node)
    for s in steps:
        if after is None:
            break
        if s['action'] == 'remove':
            after = None
        elif s['action'] == 'demote':
            after.update(role='worker', leader=False, reachability=None, manager_addr=None)
        elif s['action'] == 'update_node':
            for field in ('role', 'availability', 'labels'):
                if field in s:
                    after[field] = s[field]
    return after


# -- apply --------------------------------------------------------------------------
SPEC_KEYS = dict(role='Role', availability='Availability', labels='Labels')


def apply(engine, steps, wait=60):
    for s in steps:
        action = s['action']
        if action == 'update_node':
            _update_node(engine, s['subject'], **dict((SPEC_KEYS[k], s[k]) for k in SPEC_KEYS if k in s))
        elif action == 'demote':
            _update_node(engine, s['subject'], Role='worker')
            # removal is refused while the node is still a raft member (ManagerStatus listed)
            poll(lambda: read_node(engine, s['subject']) or {}, lambda n: not n.get('reachability'), wait,
                 'the demotion of node %s to worker' % s['subject'])
        elif action == 'remove':
            engine.remove_node(s['subject'], force=s['force'])
        else:  # pragma: no cover - a bug in plan()
            raise ValueError('unknown step %r' % action)


def read_node(engine, node_id):
    """The record of one node, None when the swarm no longer has it."""
    for n in engine.swarm_nodes(node_id):
        if n.get('ID') == node_id:
            return node_record(n)
    return None
