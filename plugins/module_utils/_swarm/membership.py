# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""This engine's swarm membership: read the state, plan, apply.

``plan(want, have)`` is pure: it returns the ordered steps (create_gwbridge,
remove_gwbridge, init, join, update, update_node, demote, leave) each with a
reason, and ``apply`` carries out exactly those steps. No step, no state
record and no summary ever holds a join token or an unlock key: the token
stays in ``want`` and is handed to the engine only inside ``apply``.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import hashlib
import ipaddress
import os
import socket
import time

from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import GWBRIDGE, MANAGED_LABEL
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import (
    bridge_body, endpoint_names, listed_subnets)
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import (
    ConflictError, EngineError, ValidationError)
from ansible_collections.netprov.dockernet.plugins.module_utils._common.steps import render, step

SWARM_PORT = 2377
INIT_ONLY = ('data_path_port', 'default_addr_pool', 'subnet_size')
HALF_JOINED = ('pending', 'error')
# The subject of a step on this engine's membership (init, join, update, leave); a step on one node
# (update_node, demote, remove) names the node's ID, one on docker_gwbridge that network.
SWARM = 'swarm'
# docker_swarm and docker_swarm_node list a node's ID as node_id, and no subject for the others.
_SHOWN = {'update_node': 'node_id', 'demote': 'node_id', 'remove': 'node_id'}

SWARM_ARGS = dict(
    state=dict(type='str', default='present', choices=['present', 'absent']),
    advertise_addr=dict(type='str'),
    listen_addr=dict(type='str'),
    data_path_addr=dict(type='str'),
    data_path_port=dict(type='int'),
    default_addr_pool=dict(type='list', elements='str'),
    subnet_size=dict(type='int'),
    autolock_managers=dict(type='bool'),
    rotate_worker_token=dict(type='bool', default=False),
    rotate_manager_token=dict(type='bool', default=False),
    gwbridge_subnet=dict(type='str'),
    remote_addrs=dict(type='list', elements='str', aliases=['join_addr']),
    join_token=dict(type='str', no_log=True),
    availability=dict(type='str', choices=['active', 'pause', 'drain']),
    role=dict(type='str', choices=['worker', 'manager']),
    force=dict(type='bool', default=False),
)


# -- addresses --------------------------------------------------------------------
def split_hostport(addr, default_port=SWARM_PORT):
    """'h' -> ('h', 2377); 'h:p' -> ('h', p); '[v6]:p' and bare v6 handled. ValueError when malformed."""
    addr = addr.strip()
    if addr.startswith('['):
        if ']' not in addr:
            raise ValueError('no closing bracket in %r' % addr)
        host, rest = addr[1:].split(']', 1)
        if rest and not rest.startswith(':'):
            raise ValueError('%r after the bracket' % rest)
        port = _port(rest[1:]) if rest else default_port
    elif addr.count(':') == 1:
        host, port = addr.split(':')
        port = _port(port)
    else:
        host, port = addr, default_port
    if not host:
        raise ValueError('no host in %r' % addr)
    return host, port


def _port(text):
    port = int(text)
    if not 0 < port < 65536:
        raise ValueError('port %d is outside 1-65535' % port)
    return port


def norm_addr(addr, resolve=True):
    """A manager address as 'ip:port' (hostnames resolved when possible)."""
    host, port = split_hostport(addr)
    if resolve:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            try:
                host = socket.gethostbyname(host)
            except (socket.error, UnicodeError):
                pass
    if ':' in host:
        return '[%s]:%d' % (host, port)
    return '%s:%d' % (host, port)


def _ip_literal(addr):
    """The IP of 'ip' or 'ip:port', or None for an interface name or a hostname."""
    try:
        host = split_hostport(addr)[0]
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _cidr(value, path):
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except ValueError as exc:
        raise ValidationError('%r is not a subnet in CIDR form (%s); write it like 198.18.176.0/21'
                              % (value, exc), path=path)


# -- want ---------------------------------------------------------------------------
def want_from_params(params, resolve=True):
    """Validate and normalise the module's parameters."""
    want = dict((k, params.get(k)) for k in SWARM_ARGS)
    remote, token = want['remote_addrs'], want['join_token']
    if want['state'] == 'present' and bool(remote) != bool(token):
        missing = 'join_token' if remote else 'remote_addrs'
        raise ValidationError('joining needs both remote_addrs and join_token; give %s too, or neither to '
                              'initialise a new swarm' % missing, path=missing)
    want['join'] = want['state'] == 'present' and bool(remote)
    addrs = []
    for i, addr in enumerate(remote or []):
        try:
            addrs.append(norm_addr(addr, resolve))
        except ValueError:
            raise ValidationError('%r is not a manager address; write it as HOST, HOST:PORT or [IPv6]:PORT'
                                  % (addr,), path='remote_addrs[%d]' % i)
    want['remote_addrs'] = addrs
    if want['default_addr_pool'] is not None:
        want['default_addr_pool'] = [_cidr(p, 'default_addr_pool[%d]' % i)
                                     for i, p in enumerate(want['default_addr_pool'])]
    if want['gwbridge_subnet'] is not None:
        want['gwbridge_subnet'] = _cidr(want['gwbridge_subnet'], 'gwbridge_subnet')
    if want['subnet_size'] is not None and not 1 <= want['subnet_size'] <= 32:
        raise ValidationError('%d is not a prefix length; use 1 to 32 (24 gives /24 networks)'
                              % want['subnet_size'], path='subnet_size')
    if want['data_path_port'] is not None and not 1024 <= want['data_path_port'] <= 49151:
        raise ValidationError('%d is outside 1024-49151, the range the engine accepts' % want['data_path_port'],
                              path='data_path_port')
    return want


# -- the swarm's root CA: what identifies a swarm whatever address it is reached through ----------------
def token_ca_digest(token):
    """The sha256 (hex) of the root CA a join token names ('SWMTKN-1-<digest in base 36>-<secret>'), or None."""
    parts = (token or '').split('-')
    if len(parts) != 4 or parts[0] != 'SWMTKN' or parts[1] not in ('1', '2'):
        return None
    try:
        return '%064x' % int(parts[2], 36)
    except ValueError:
        return None


def ca_digest(pem):
    """The digest a join token carries of a root CA bundle (the sha256 of its PEM bytes), or None."""
    if not pem:
        return None
    return hashlib.sha256(pem if isinstance(pem, bytes) else pem.encode('utf-8')).hexdigest()


def _worker_ca_digest(engine, info):
    """A worker's view of its swarm's root CA: the engine keeps it under its data root, read here through the
    engine process's own root (/proc/PID/root), so an engine in a container or another mount namespace is read,
    not a file of the same path on this host. None when it cannot be read (the engine on another host)."""
    root = info.get('DockerRootDir')
    pid = engine.pid() if root and engine.is_local else None
    if not pid:
        return None
    try:
        with open('/proc/%d/root%s' % (pid, os.path.join(root, 'swarm', 'certificates', 'swarm-root-ca.crt')),
                  'rb') as f:
            return ca_digest(f.read())
    except (IOError, OSError):
        return None


# -- have ---------------------------------------------------------------------------
def read_state(engine):
    """This engine's swarm state as plain data, with no join token or unlock key in it."""
    info = engine.info() or {}
    swarm = info.get('Swarm') or {}
    have = dict(
        local_state=swarm.get('LocalNodeState') or 'inactive',
        error=swarm.get('Error') or '',
        node_id=swarm.get('NodeID') or None,
        node_addr=swarm.get('NodeAddr') or None,
        is_manager=bool(swarm.get('ControlAvailable')),
        remote_managers=sorted(m.get('Addr') for m in swarm.get('RemoteManagers') or [] if m.get('Addr')),
        cluster=None,
        nodes=None,
        gwbridge=None,
        ca_digest=None,
    )
    gw = engine.find_network(GWBRIDGE)
    if gw:
        subnets = listed_subnets(gw)
        # gateway_* endpoints are the engine's own (ingress sandbox), not containers
        names = endpoint_names(gw)
        have['gwbridge'] = dict(subnet=subnets[0] if subnets else None,
                                containers=sorted(n for n in names if not n.startswith('gateway_')))
    if have['local_state'] == 'active' and have['is_manager']:
        inspected = engine.inspect_swarm()
        spec = inspected.get('Spec') or {}
        have['cluster'] = dict(
            id=inspected.get('ID'),
            version=(inspected.get('Version') or {}).get('Index'),
            data_path_port=inspected.get('DataPathPort'),
            default_addr_pool=[str(ipaddress.ip_network(p, strict=False)) for p in inspected.get('DefaultAddrPool') or []],
            subnet_size=inspected.get('SubnetSize'),
            autolock_managers=bool((spec.get('EncryptionConfig') or {}).get('AutoLockManagers')),
        )
        have['nodes'] = [node_record(n) for n in engine.swarm_nodes()]
        have['ca_digest'] = ca_digest((inspected.get('TLSInfo') or {}).get('TrustRoot'))
    elif have['local_state'] == 'active':
        have['ca_digest'] = _worker_ca_digest(engine, info)
    return have


def node_record(node):
    spec = node.get('Spec') or {}
    status = node.get('Status') or {}
    manager = node.get('ManagerStatus') or {}
    return dict(
        id=node.get('ID'),
        hostname=(node.get('Description') or {}).get('Hostname'),
        role=spec.get('Role'),
        availability=spec.get('Availability'),
        state=status.get('State'),
        addr=status.get('Addr'),
        leader=bool(manager.get('Leader')),
        reachability=manager.get('Reachability'),
        manager_addr=manager.get('Addr'),
        engine_version=((node.get('Description') or {}).get('Engine') or {}).get('EngineVersion'),
        labels=dict(spec.get('Labels') or {}),
    )


def role_of(have):
    if have['local_state'] != 'active':
        return None
    return 'manager' if have['is_manager'] else 'worker'


def manager_addresses(have):
    addrs = set(have['remote_managers'])
    for n in have['nodes'] or []:
        if n['role'] == 'manager' and n['manager_addr']:
            addrs.add(n['manager_addr'])
    return sorted(addrs)


def self_node(have):
    return next((n for n in have['nodes'] or [] if n['id'] == have['node_id']), None)


def summary(have):
    """What the module reports about this node: never a secret."""
    me = self_node(have)
    return dict(
        local_node_state=have['local_state'],
        node_id=have['node_id'],
        node_addr=have['node_addr'],
        role=role_of(have),
        cluster_id=(have['cluster'] or {}).get('id'),
        manager_addresses=manager_addresses(have),
        availability=me['availability'] if me else None,
        autolock_managers=(have['cluster'] or {}).get('autolock_managers'),
        gwbridge_subnet=(have['gwbridge'] or {}).get('subnet'),
    )


# -- plan ---------------------------------------------------------------------------
def shown(steps):
    """Swarm steps as docker_swarm and docker_swarm_node list them in ``plan``."""
    return render(steps, None, _SHOWN)


def plan(want, have):
    """Ordered steps from ``want`` to ``have``, and warnings; raises ConflictError when refusing."""
    warnings = []
    if want['state'] == 'absent':
        return _plan_leave(want, have), warnings
    state = have['local_state']
    if state == 'locked':
        raise ConflictError('this node\'s swarm is locked (autolock after an engine restart); unlock it with '
                            '`docker swarm unlock` and the unlock key, then run again', path='state')
    if state in HALF_JOINED:
        if not want['join']:
            raise ConflictError(
                'this node is stuck half-joined (swarm state %s%s); give remote_addrs and join_token to leave '
                'that state and join again, or use state: absent to leave it'
                % (state, ': ' + have['error'] if have['error'] else ''), path='state')
        steps = [step('leave', SWARM, 'the node is stuck half-joined (swarm state %s%s); leaving that state to join '
                      'again' % (state, ': ' + have['error'] if have['error'] else ''), force=True)]
        return steps + _gwbridge_steps(want, have) + [_join_step(want)], warnings
    if state == 'inactive':
        return _gwbridge_steps(want, have) + [_join_step(want) if want['join'] else _init_step(want)], warnings
    # active
    steps = _gwbridge_steps(want, have, in_swarm=True)
    if want['join']:
        steps += _plan_joined(want, have, warnings)
    if have['is_manager']:
        steps += _plan_update(want, have)
    else:
        ignored = [k for k in ('autolock_managers', 'data_path_port', 'default_addr_pool', 'subnet_size')
                   if want[k] is not None] + [k for k in ('rotate_worker_token', 'rotate_manager_token') if want[k]]
        if ignored:
            warnings.append('%s: this node is a worker, and only a manager can change swarm settings; '
                            'run this on a manager' % ', '.join(ignored))
    _check_advertise(want, have)
    return steps, warnings


def _join_step(want):
    role = want['role'] or 'worker'
    addrs = want['remote_addrs']
    where = addrs[0] if len(addrs) == 1 else 'the first of %s that lets it in' % ', '.join(addrs)
    return step('join', SWARM, 'not in a swarm; joining the swarm at %s as a %s%s'
                % (where, role, '' if want['role'] else ' or manager, as the token says'),
                remote_addrs=want['remote_addrs'], advertise_addr=want['advertise_addr'],
                listen_addr=want['listen_addr'], data_path_addr=want['data_path_addr'],
                availability=want['availability'], role=want['role'])


def _init_step(want):
    return step('init', SWARM, 'not in a swarm; initialising a new swarm with this node as its manager',
                advertise_addr=want['advertise_addr'], listen_addr=want['listen_addr'],
                data_path_addr=want['data_path_addr'], data_path_port=want['data_path_port'],
                default_addr_pool=want['default_addr_pool'], subnet_size=want['subnet_size'],
                autolock_managers=bool(want['autolock_managers']), availability=want['availability'])


def _gwbridge_steps(want, have, in_swarm=False):
    subnet = want['gwbridge_subnet']
    if subnet is None or want['state'] != 'present':
        return []
    gw = have['gwbridge']
    if gw is None:
        return [step('create_gwbridge', GWBRIDGE, '%s does not exist; creating it with subnet %s %s'
                     % (GWBRIDGE, subnet, 'now' if in_swarm else 'before the node enters the swarm, '
                        'since it cannot move afterwards'), subnet=subnet)]
    if gw['subnet'] and _cidr(gw['subnet'], 'gwbridge_subnet') == subnet:
        return []
    if in_swarm and have['local_state'] == 'active':
        raise ConflictError('%s has subnet %s and cannot move while this node is in the swarm; leave the swarm '
                            '(state: absent), then run again to recreate it with %s'
                            % (GWBRIDGE, gw['subnet'], subnet), path='gwbridge_subnet')
    if gw['containers']:
        raise ConflictError('%s has subnet %s, and containers %s are attached to it; stop them before it is '
                            'recreated with %s' % (GWBRIDGE, gw['subnet'], ', '.join(gw['containers']), subnet),
                            path='gwbridge_subnet')
    return [step('remove_gwbridge', GWBRIDGE, '%s has subnet %s, not %s, and nothing is attached; removing it'
                 % (GWBRIDGE, gw['subnet'], subnet)),
            step('create_gwbridge', GWBRIDGE, 'recreating %s with subnet %s before the node enters the swarm'
                 % (GWBRIDGE, subnet), subnet=subnet)]


def _same_swarm(want, have, warnings):
    """Whether the swarm ``want`` joins is the one the node is in.

    The managers' advertised addresses are all a node knows of them; a node that joined through a NAT, a VIP
    or a DNS name never sees the address it was given among them. What names a swarm whatever the address is
    its root CA, which the join token carries: the node's own is compared with it when the node can read it
    (a manager always, a worker on the engine's own host).
    """
    known = manager_addresses(have)
    if set(want['remote_addrs']) & set(known):
        return
    wanted, mine = token_ca_digest(want['join_token']), have.get('ca_digest')
    where = ('this node is already in a swarm whose managers advertise %s, and none of %s is among them'
             % (', '.join(known) or '(unknown)', ', '.join(want['remote_addrs'])))
    if wanted and mine:
        if wanted != mine:
            raise ConflictError('%s, and the join_token is of a swarm with another root CA (another swarm, or a '
                                'token from before a CA rotation); leave that swarm first (state: absent), or give '
                                'the current join token' % where, path='remote_addrs')
        return  # the same swarm, reached through an address its managers do not advertise
    warnings.append('%s; the node cannot read its swarm\'s root CA to compare with the join_token (a worker whose '
                    'engine is on another host), so it is left as it is. If it must move to another swarm, leave '
                    'first (state: absent)' % where)


def _plan_joined(want, have, warnings):
    _same_swarm(want, have, warnings)
    role = role_of(have)
    if want['role'] and want['role'] != role:
        raise ConflictError('this node is already a %s in this swarm, not a %s; change its role from a manager '
                            '(docker node %s %s), or leave (state: absent) and join again with the %s token'
                            % (role, want['role'], 'promote' if want['role'] == 'manager' else 'demote',
                               have['node_id'], want['role']), path='role')
    steps = []
    me = self_node(have)
    if want['availability'] and have['is_manager'] and me and me['availability'] != want['availability']:
        steps.append(step('update_node', have['node_id'], 'availability is %s, %s wanted'
                          % (me['availability'], want['availability']), availability=want['availability']))
    elif want['availability'] and not have['is_manager']:
        warnings.append('availability: applied only when joining; this worker is already in the swarm and cannot '
                        'change its own availability: use docker node update --availability on a manager')
    return steps


def _plan_update(want, have):
    cluster = have['cluster']
    for key in INIT_ONLY:
        if want[key] is not None and want[key] != cluster[key]:
            raise ConflictError('is %s in this swarm, %s wanted; it can only be set when the swarm is initialised. '
                                'Drop the option, or recreate the swarm' % (cluster[key], want[key]), path=key)
    changes, reasons = {}, []
    if want['autolock_managers'] is not None and want['autolock_managers'] != cluster['autolock_managers']:
        changes['autolock_managers'] = want['autolock_managers']
        reasons.append('autolock_managers is %s, %s wanted' % (cluster['autolock_managers'], want['autolock_managers']))
    for kind in ('worker', 'manager'):
        if want['rotate_%s_token' % kind]:
            changes['rotate_%s_token' % kind] = True
            reasons.append('rotate_%s_token: true rotates the %s join token on every run' % (kind, kind))
    if not changes:
        return []
    return [step('update', SWARM, '; '.join(reasons), **changes)]


def _check_advertise(want, have):
    ip = _ip_literal(want['advertise_addr']) if want['advertise_addr'] else None
    if ip and have['node_addr'] and ip != have['node_addr']:
        raise ConflictError('this node advertises %s in its swarm, %s wanted; the address can only be set when '
                            'joining: leave (state: absent) and join again' % (have['node_addr'], ip),
                            path='advertise_addr')


def _plan_leave(want, have):
    state = have['local_state']
    if state == 'inactive':
        return []
    if state in HALF_JOINED:
        return [step('leave', SWARM, 'the node is stuck half-joined (swarm state %s); leaving that state' % state,
                     force=True)]
    if state == 'locked':
        if not want['force']:
            raise ConflictError('this node\'s swarm is locked; unlock it first (docker swarm unlock), or leave with '
                                'force: true', path='force')
        return [step('leave', SWARM, 'the swarm is locked and force: true was given', force=True)]
    if not have['is_manager']:
        return [step('leave', SWARM, 'this worker is in a swarm and state: absent was asked', force=False)]
    managers = [n for n in have['nodes'] or [] if n['role'] == 'manager']
    others = [m for m in managers if m['id'] != have['node_id']]
    if not others:
        if not want['force']:
            raise ConflictError('this node is the last manager of its swarm; leaving ends the swarm for every node '
                                'in it (its state lives only here). Promote another node first, or give '
                                'force: true to leave anyway', path='force')
        return [step('leave', SWARM, 'the last manager leaves with force: true; the swarm ends', force=True)]
    up, total, keeps = demotion_quorum(have['nodes'], have['node_id'])
    if not keeps:
        if not want['force']:
            raise ConflictError('%d of %d managers are reachable; demoting this one would leave the swarm without '
                                'quorum. Bring the unreachable managers back (or remove them), or give force: true '
                                'to leave anyway' % (up, total), path='force')
        return [step('leave', SWARM, 'quorum cannot be kept (%d of %d managers reachable); leaving with force: true'
                     % (up, total), force=True)]
    return [step('demote', have['node_id'], '%d other manager(s) remain; demoting this node first keeps quorum'
                 % len(others)),
            step('leave', SWARM, 'this node, now a worker, leaves the swarm', force=False)]


def demotion_quorum(nodes, node_id):
    """(reachable managers, all managers, whether demoting ``node_id`` keeps quorum) among ``nodes`` records.

    The swarm must have quorum now, and still have it among the managers left
    once ``node_id`` is no longer one of them.
    """
    managers = [n for n in nodes or [] if n['role'] == 'manager']
    reachable = [m for m in managers if m['reachability'] == 'reachable']
    total, up = len(managers), len(reachable)
    it_up = any(m['id'] == node_id for m in reachable)
    return up, total, up >= total // 2 + 1 and (up - it_up) >= (total - 1) // 2 + 1


def predict(have, steps, want):
    """The summary after ``steps``, for check mode's diff."""
    after = summary(have)
    for s in steps:
        action = s['action']
        if action == 'leave':
            after.update(local_node_state='inactive', node_id=None, node_addr=None, role=None, cluster_id=None,
                         manager_addresses=[], availability=None, autolock_managers=None)
        elif action == 'init':
            after.update(local_node_state='active', role='manager', availability=s['availability'] or 'active',
                         autolock_managers=s['autolock_managers'], node_addr=_ip_literal(s['advertise_addr'] or ''))
        elif action == 'join':
            after.update(local_node_state='active', role=s['role'] or 'worker', manager_addresses=s['remote_addrs'],
                         node_addr=_ip_literal(s['advertise_addr'] or ''),
                         availability=s['availability'] or 'active' if s['role'] == 'manager' else None)
        elif action == 'demote':
            after.update(role='worker')
        elif action == 'update' and 'autolock_managers' in s:
            after['autolock_managers'] = s['autolock_managers']
        elif action == 'update_node':
            after['availability'] = s['availability']
        elif action == 'create_gwbridge':
            after['gwbridge_subnet'] = s['subnet']
        elif action == 'remove_gwbridge':
            after['gwbridge_subnet'] = None
    return after


# -- apply --------------------------------------------------------------------------
def _drop_none(d):
    return dict((k, v) for k, v in d.items() if v is not None)


def apply(engine, steps, want, wait=60):
    """Carry out ``steps`` in order."""
    for s in steps:
        action = s['action']
        if action == 'create_gwbridge':
            engine.create_network(bridge_body(
                GWBRIDGE, s['subnet'],
                {'com.docker.network.bridge.name': GWBRIDGE,
                 'com.docker.network.bridge.enable_icc': 'false',
                 'com.docker.network.bridge.enable_ip_masquerade': 'true'},
                {MANAGED_LABEL: 'true'}))
        elif action == 'remove_gwbridge':
            engine.remove_network(GWBRIDGE)
        elif action == 'init':
            body = _drop_none(dict(
                ListenAddr=s['listen_addr'] or '0.0.0.0:%d' % SWARM_PORT, AdvertiseAddr=s['advertise_addr'],
                DataPathAddr=s['data_path_addr'], DataPathPort=s['data_path_port'],
                DefaultAddrPool=s['default_addr_pool'], SubnetSize=s['subnet_size'],
                Availability=s['availability'], ForceNewCluster=False,
                Spec=dict(EncryptionConfig=dict(AutoLockManagers=s['autolock_managers']))))
            engine.post_json('initialise the swarm', '/swarm/init', body)
        elif action == 'join':
            _join(engine, s, want, wait)
        elif action == 'leave':
            engine.leave_swarm(s['force'])
        elif action == 'demote':
            _update_node(engine, s['subject'], Role='worker')
            _wait_for(engine, lambda sw: not sw.get('ControlAvailable'), wait,
                      'the demotion of node %s to worker' % s['subject'])
        elif action == 'update_node':
            _update_node(engine, s['subject'], Availability=s['availability'])
        elif action == 'update':
            inspected = engine.inspect_swarm()
            spec = copy.deepcopy(inspected['Spec'])
            if 'autolock_managers' in s:
                spec.setdefault('EncryptionConfig', {})['AutoLockManagers'] = s['autolock_managers']
            engine.update_swarm(inspected['Version']['Index'], spec,
                                rotate_worker_token=bool(s.get('rotate_worker_token')),
                                rotate_manager_token=bool(s.get('rotate_manager_token')))
        else:  # pragma: no cover - a bug in plan()
            raise ValueError('unknown step %r' % action)


def _join(engine, s, want, wait):
    """Join through the first manager in ``remote_addrs`` that lets the node in, trying each in turn.

    The engine dials only the first of the RemoteAddrs it is given (a dead
    first manager fails the whole join), so each address is put first in
    turn. A failed attempt that left the node half-joined is taken back out
    (leave with force) before the next one; when none lets the node in, the
    node is left out of any swarm and the error names every address tried.
    """
    token = want['join_token']
    failures = []
    for addr in s['remote_addrs']:
        body = _drop_none(dict(
            ListenAddr=s['listen_addr'] or '0.0.0.0:%d' % SWARM_PORT, AdvertiseAddr=s['advertise_addr'],
            DataPathAddr=s['data_path_addr'], RemoteAddrs=join_order(s['remote_addrs'], addr),
            Availability=s['availability']))
        body['JoinToken'] = token
        try:
            engine.post_json('join the swarm at %s' % addr, '/swarm/join', body)
            break
        except EngineError as exc:
            failed = str(exc).replace(token, '********')
            failures.append(failed)
            try:
                after = _back_out(engine)
            except EngineError:   # the engine itself is gone: no other address can help
                raise EngineError(failed)
            if after == 'active':
                break  # the engine gave up waiting, but the node got in all the same
    else:
        raise EngineError('no manager let this node join (%s); the node is out of any swarm again (inactive). '
                          'List a manager that is up and reachable from this node on its swarm port'
                          % '; '.join(failures), path='remote_addrs')
    if not s['role']:
        return
    wanted_manager = s['role'] == 'manager'
    try:
        _wait_for(engine, lambda sw: bool(sw.get('ControlAvailable')) == wanted_manager, 5 if wanted_manager else 0,
                  'the role')
    except EngineError:
        got = 'manager' if not wanted_manager else 'worker'
        undo = plan(dict(want, state='absent', force=False), read_state(engine))[0]
        apply(engine, undo, want, wait)
        raise ConflictError('role %s was asked, but the join_token is a %s token: the node joined as a %s and left '
                            'again. Use the %s token (docker_swarm_info with join_tokens: true, join_tokens.%s)'
                            % (s['role'], got, got, s['role'], s['role']), path='role')


def join_order(addrs, first):
    """``addrs`` with ``first`` moved to the front: the address the engine dials."""
    return [first] + [a for a in addrs if a != first]


def _back_out(engine):
    """After a failed join attempt: leave a half-joined state; the node's swarm state afterwards."""
    state = ((engine.info() or {}).get('Swarm') or {}).get('LocalNodeState') or 'inactive'
    if state in HALF_JOINED:
        engine.leave_swarm(True, what='leave the half-joined state')
        state = ((engine.info() or {}).get('Swarm') or {}).get('LocalNodeState') or 'inactive'
    return state


def _update_node(engine, node_id, **changes):
    node = engine.inspect_node(node_id)
    spec = copy.deepcopy(node['Spec'])
    spec.update(changes)
    engine.update_node(node_id, node['Version']['Index'], spec)


def _wait_for(engine, ok, seconds, what):
    """Until ``ok`` holds for this engine's swarm info."""
    poll(lambda: (engine.info() or {}).get('Swarm') or {}, ok, seconds, what)


def poll(read, ok, seconds, what):
    """read() every 0.5 s until ok(read()) holds; EngineError naming ``what`` after ``seconds``."""
    deadline = time.time() + seconds
    while True:
        if ok(read()):
            return
        if time.time() >= deadline:
            raise EngineError('%s did not take effect within %d s' % (what, seconds))
        time.sleep(0.5)


# -- info -----------------------------------------------------------------------------
def info(engine, nodes=True, join_tokens=False, unlock_key=False):
    """docker_swarm_info's result. Secrets only when asked, and only from a manager."""
    have = read_state(engine)
    cluster = have['cluster']
    result = summary(have)
    result.pop('availability')
    result.pop('autolock_managers')
    result.update(
        swarm_active=have['local_state'] == 'active',
        error=have['error'],
        is_manager=have['is_manager'],
        swarm=None if cluster is None else dict(
            (k, cluster[k]) for k in ('data_path_port', 'default_addr_pool', 'subnet_size', 'autolock_managers')),
    )
    if nodes and have['nodes'] is not None:
        result['nodes'] = have['nodes']
    if (join_tokens or unlock_key) and cluster is None:
        raise ConflictError('only a swarm manager has them, and this node is %s; ask a manager'
                            % ('a worker' if have['local_state'] == 'active' else 'not in a swarm (%s)' % have['local_state']),
                            path='join_tokens' if join_tokens else 'unlock_key')
    if join_tokens:
        tokens = engine.inspect_swarm().get('JoinTokens') or {}
        result['join_tokens'] = dict(worker=tokens.get('Worker'), manager=tokens.get('Manager'))
    if unlock_key:
        key = engine.unlock_key() or {}
        result['unlock_key'] = key.get('UnlockKey') or None
    return result
