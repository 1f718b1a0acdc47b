# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docker_network_probe's ``published`` checks: where a swarm service's published port answers.

Swarm publishes a port in one of two modes. In ingress mode (the default) the
routing mesh answers on every node, also on nodes that run no task of the
service; it needs IPVS in every node's kernel. In host mode the port is open
only on the nodes where a task runs. So each published TCP port becomes one
check per node, expecting an answer where the mode says there must be one and
none where there must not. The service, its tasks and the nodes are read from
a manager; ``expand`` is pure over those answers.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError, join_path
from ansible_collections.netprov.dockernet.plugins.module_utils._swarm.membership import node_record, split_hostport


def node_address(node):
    """The address other nodes and clients use for a node record (a manager may report 0.0.0.0)."""
    addr = node.get('addr')
    if addr in (None, '', '0.0.0.0') and node.get('manager_addr'):
        addr = split_hostport(node['manager_addr'])[0]
    return addr


def expand(entry, path, service, nodes, tasks, warn):
    """The checks of one ``published`` entry, from the service's, its running tasks' and the nodes' inspect output."""
    name = entry['service']
    ports = [p for p in ((service.get('Endpoint') or {}).get('Ports') or [])
             if p.get('PublishedPort')]
    if not ports:
        raise ValidationError('service %s publishes no port; publish one (docker service update --publish-add) or '
                              'drop this entry' % name, path=join_path(path, 'service'))
    if entry.get('port') is not None:
        wanted = [p for p in ports if p['PublishedPort'] == entry['port']]
        if not wanted:
            published = ', '.join('%d/%s' % (p['PublishedPort'], p.get('Protocol', 'tcp')) for p in ports)
            raise ValidationError('service %s does not publish port %d; it publishes %s' % (name, entry['port'], published),
                                  path=join_path(path, 'port'))
        ports = wanted
    tcp = [p for p in ports if (p.get('Protocol') or 'tcp') == 'tcp']
    for p in ports:
        if p not in tcp:
            warn('%s: service %s port %d/%s is not checked: only TCP can be checked by connecting'
                 % (path, name, p['PublishedPort'], p.get('Protocol')))
    if not tcp:
        raise ValidationError('service %s publishes no TCP port here; UDP cannot be checked by connecting' % name,
                              path=join_path(path, 'port'))
    running = set(t.get('NodeID') for t in tasks if (t.get('Status') or {}).get('State') == 'running')
    checks = []
    for p in sorted(tcp, key=lambda p: p['PublishedPort']):
        mode = p.get('PublishMode') or 'ingress'
        for node in sorted((node_record(n) for n in nodes), key=lambda n: n['hostname'] or n['id']):
            here = node['id'] in running
            must = mode == 'ingress' or here
            check = dict(path=path, check='published', service=name, port=p['PublishedPort'], mode=mode,
                         target=node['hostname'] or node['id'], address=node_address(node), task_here=here,
                         reachable=must, expected=_expected(mode, must))
            if node['state'] != 'ready':
                check.update(ok=None, seen='not checked: the node is %s' % node['state'])
            checks.append(check)
    return checks


def _expected(mode, must):
    if mode == 'ingress':
        return 'to accept a TCP connection (ingress mode: the routing mesh answers on every node)'
    if must:
        return 'to accept a TCP connection (host mode: a task runs on this node)'
    return 'no TCP connection (host mode: no task runs on this node)'


def hint(check, ipvs_missing=None):
    """What to do about a failed published check; ``ipvs_missing``: why the probing engine's kernel lacks IPVS."""
    if check['mode'] == 'ingress':
        if ipvs_missing:
            return ('%s, so the routing mesh of ingress mode cannot work on this engine\'s host; publish in host mode '
                    '(mode: host) or run the node on a kernel with ip_vs' % ipvs_missing)
        return ('the routing mesh needs IPVS in every node\'s kernel (host_network_info reports it as '
                'capabilities.ipvs) and the ingress network; or publish in host mode where no node has IPVS')
    if check['reachable']:
        return 'the task on %s does not answer on its target port' % check['target']
    return ('something else listens on port %d on %s: host mode publishes only where a task runs'
            % (check['port'], check['target']))


def read(engine, params, warn):
    """Every ``published`` entry's checks, read from the engine (a swarm manager), in option order."""
    entries = params.get('published') or []
    if not entries:
        return []
    swarm = (engine.info() or {}).get('Swarm') or {}
    if not swarm.get('ControlAvailable'):
        raise ValidationError('published checks read the service, its tasks and the nodes from a swarm manager, and '
                              'the engine at %s is not one (%s); run the task against a manager\'s engine'
                              % (engine.url, swarm.get('LocalNodeState') or 'inactive'), path='published')
    nodes = engine.swarm_nodes()
    checks = []
    for i, entry in enumerate(entries):
        path = 'published[%d]' % i
        if entry.get('port') is not None and not 1 <= entry['port'] <= 65535:
            raise ValidationError('%r is not a TCP port; give a whole number from 1 to 65535' % entry['port'],
                                  path=join_path(path, 'port'))
        service = engine.inspect_service(entry['service'])
        if service is None:
            raise ValidationError('no service named %s in the swarm; give the name or id of a service (docker service '
                                  'ls)' % entry['service'], path=join_path(path, 'service'))
        checks.extend(expand(entry, path, service, nodes, engine.service_tasks(service['ID']), warn))
    return checks
