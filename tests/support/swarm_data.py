"""Unit-test data for _swarm: wanted membership and nodes, and the state read from an engine in a swarm
(membership_*: docker_swarm's, node_*: docker_swarm_node's, read on a manager)."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._swarm import membership as _swarm, node as _swarm_node


def membership_want(**params):
    p = dict((k, v.get('default')) for k, v in _swarm.SWARM_ARGS.items())
    p.update(params)
    return _swarm.want_from_params(p, resolve=False)


def membership_node(ident, role='worker', reachable=True, availability='active', addr=None):
    n = dict(id=ident, hostname=ident, role=role, availability=availability, state='ready', addr=addr,
             leader=False, reachability=None, manager_addr=None, engine_version='20.10.24')
    if role == 'manager':
        n.update(reachability='reachable' if reachable else 'unreachable', manager_addr='%s:2377' % addr)
    return n


def membership_have(state='active', manager=False, node_id='n1', addr='198.18.128.11', nodes=None, gwbridge=None,
                    remote=('198.18.128.11:2377',), **cluster):
    h = dict(local_state=state, error='', node_id=node_id if state == 'active' else None,
             node_addr=addr if state != 'inactive' else None, is_manager=manager and state == 'active',
             remote_managers=list(remote) if state != 'inactive' else [], cluster=None, nodes=None,
             gwbridge=gwbridge)
    if h['is_manager']:
        c = dict(id='c1', version=10, data_path_port=4789, default_addr_pool=['198.18.176.0/21'], subnet_size=24,
                 autolock_managers=False)
        c.update(cluster)
        h['cluster'] = c
        h['nodes'] = nodes if nodes is not None else [membership_node(node_id, 'manager', addr=addr)]
    return h


SELF = 'selfid0000000000000000001'


def node_want(**params):
    p = dict((k, v.get('default')) for k, v in _swarm_node.NODE_ARGS.items())
    p.update(params)
    return _swarm_node.want_from_params(p)


def node_record(ident, hostname=None, role='worker', state='ready', reachable=True, availability='active', labels=None):
    n = dict(id=ident, hostname=hostname or ident, role=role, availability=availability, state=state,
             addr='198.18.208.11', leader=False, reachability=None, manager_addr=None, engine_version='20.10.24',
             labels=dict(labels or {}))
    if role == 'manager':
        n.update(reachability='reachable' if reachable else 'unreachable', manager_addr='198.18.208.11:2377')
    return n


def node_have(*nodes, **kw):
    h = dict(local_state='active', error='', node_id=SELF, node_addr='198.18.208.11', is_manager=True,
             remote_managers=[], cluster=dict(id='c1'), gwbridge=None,
             nodes=[node_record(SELF, 'engine1', 'manager')] + list(nodes))
    h.update(kw)
    return h
