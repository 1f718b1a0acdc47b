# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconciliation core that docker_network and docker_networks share.

read (one listing of the engine, inspecting only what is needed) ->
validate -> plan -> host checks -> apply exactly the plan.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible_collections.netprov.dockernet.plugins.module_utils import _hostcheck
from ansible_collections.netprov.dockernet.plugins.module_utils._errors import (
    EngineError, KernelError, NetprovError, ValidationError, join_path)
from ansible_collections.netprov.dockernet.plugins.module_utils._plan import (
    compare, create_body, fixed_addresses_fit, plan_network)
from ansible_collections.netprov.dockernet.plugins.module_utils._spec import (
    API_ENABLE_IPV4, MANAGED_LABEL, api_at_least, endpoint_from_container, normalise_have, resolve_containers)
from ansible_collections.netprov.dockernet.plugins.module_utils._validate import (
    rule_config_source, rule_containers_exist, rule_overlaps, rule_verify, validate_want)


class _Lazy(object):
    """Import the netlink side only when a host check needs it (pyroute2 is optional)."""

    def __init__(self, name):
        self.name = name
        self.mod = None

    def __getattr__(self, attr):
        if self.mod is None:
            try:
                if self.name == 'probes':
                    from ansible_collections.netprov.dockernet.plugins.module_utils import _probes as mod
                else:
                    from ansible_collections.netprov.dockernet.plugins.module_utils import _netlink as mod
            except ImportError as exc:
                raise NetprovError('host checks need the Python library pyroute2 on the engine\'s host (%s); '
                                   'install it (pip install pyroute2) or set kernel_check: skip' % exc)
            self.mod = mod
        return getattr(self.mod, attr)


PROBES = _Lazy('probes')
NETLINK = _Lazy('netlink')


def _sort_key(net):
    return (net.get('created') or '', net.get('id') or '')


class EngineState(object):
    """What the engine has, read once per run and refreshed only where we change it."""

    def __init__(self, engine):
        self.engine = engine
        # The API version the client negotiated: which endpoint settings and flags the engine takes.
        self.api_version = getattr(engine, 'api_version', None)
        self.networks = [normalise_have(n) for n in engine.networks()]
        self._full = {}
        self._containers = {}

    def light(self, name):
        """The network as listed (no endpoints), or None: enough to see it is unchanged."""
        found = self.matches(name)
        return found[0] if found else None

    def matches(self, name):
        return sorted([n for n in self.networks if n['name'] == name], key=_sort_key)

    def full(self, name):
        """The network with every container that references it, or None. Duplicates: the oldest wins.

        Network inspect lists only running endpoints; stopped and created
        containers are found through the container listing filtered by the
        network, with their stored endpoint settings.
        """
        if name not in self._full:
            found = self.matches(name)
            self._full[name] = None
            if found:
                raw = self.engine.inspect_network(found[0]['id'])
                members = []
                for entry in self.engine.containers_on(raw.get('Id'), raw.get('Name')) or []:
                    info = self.container(entry.get('Id'))
                    if info is not None:
                        members.append(info)
                self._full[name] = normalise_have(raw, members)
        return self._full[name]

    def swarm_info(self):
        """The engine's Swarm section of /info, read once."""
        if not hasattr(self, '_swarm'):
            self._swarm = (self.engine.info() or {}).get('Swarm') or {}
        return self._swarm

    def container(self, name):
        if name not in self._containers:
            self._containers[name] = self.engine.inspect_container(name)
        return self._containers[name]

    def records(self, have, network_name):
        """{container name: endpoint_from_container record} for every container on the network, running or not."""
        out = {}
        for cname, ep in sorted((have or {}).get('endpoints', {}).items()):
            info = self.container(ep['id'])
            if info is not None:
                out[cname] = endpoint_from_container(info, network_name, network_id=have.get('id'),
                                                     api_version=self.api_version)
        return out


def _unchanged_without_inspect(state, want):
    """True when the listing alone proves there is nothing to do (no endpoint to look at)."""
    light = state.light(want['name'])
    return (light is not None and want['state'] == 'present' and not want['containers']
            and not want['containers_exclusive'] and want['recreate'] != 'always' and not compare(want, light))


def _rule_engine_api(want, state, path):
    """What the user set that this engine's API cannot do, refused before anything is touched."""
    if want.get('enable_ipv4') is False and not api_at_least(state.api_version, API_ENABLE_IPV4):
        raise ValidationError('enable_ipv4: false needs Docker Engine 28 or later (API %s); this engine speaks API '
                              '%s, where every network has IPv4; upgrade the engine or drop enable_ipv4'
                              % (API_ENABLE_IPV4, state.api_version or 'unknown'), path=join_path(path, 'enable_ipv4'))


def prepare(state, want, path='', skip_overlap=()):
    """Validate and plan one normalised network. Returns (steps, warnings); raises on refusal."""
    warnings = validate_want(want, path)
    found = state.matches(want['name'])
    if len(found) > 1:
        warnings.append('%s: %d networks are named %s (a concurrent create); the oldest, %s, is the one managed'
                        % (path or want['name'], len(found), want['name'], found[0]['id'][:12]))
    light = state.light(want['name'])
    if light is not None and want['state'] == 'present' and want['kernel_check'] != 'skip':
        gone = _hostcheck.existing_parent_warning(state.engine, light, path, NETLINK)
        if gone:
            warnings.append(gone)
    if _unchanged_without_inspect(state, want):
        steps = [{'action': 'none', 'network': want['name'], 'reason': 'matches the spec'}]
        rule_verify(want, steps, light, path)
        return steps, warnings
    have = state.full(want['name'])
    if want['state'] == 'present':
        rule_config_source(want, state.networks, path)
        if have is None or want['ipam_config'] is not None:
            rule_overlaps(want, state.networks, path, skip=skip_overlap)
        _rule_engine_api(want, state, path)
        containers = dict((c['name'], state.container(c['name'])) for c in want['containers'])
        rule_containers_exist(want, containers, path)
        want = resolve_containers(want, containers, path)
    records = state.records(have, want['name'])
    steps = plan_network(want, have, records, path)
    for step in steps:
        if step['action'] in ('create', 'recreate'):
            fixed_addresses_fit(step, path)
            warnings.extend(_hostcheck.check_host(state.engine, step, state.networks, want['kernel_check'],
                                                  path, PROBES, NETLINK))
    rule_verify(want, steps, light, path)
    return steps, warnings


# -- applying ---------------------------------------------------------------------

class Outcome(object):
    """What a real run did, to report it (and, on failure, what it did not)."""

    def __init__(self):
        self.done = []
        self.reconnected = []
        self.reconnect_failed = []
        self.warnings = []


def _create(engine, body, outcome):
    """Create, then settle a concurrent create of the same name (PITFALLS 7).

    Every racer keeps the oldest network of that name (then the lowest id)
    and removes its own if it lost, so all runs converge on one network.
    """
    failure = None
    try:
        my_id = engine.create_network(body).get('Id')
    except EngineError as exc:
        failure = exc
        # A racer that created it first makes ours fail ("already exists",
        # or "Pool overlaps" with its own subnet): use the racer's network.
        my_id = None
    try:
        same = [n for n in engine.networks() if n.get('Name') == body['Name']]
    except EngineError:
        if failure is not None:
            raise failure
        # The engine answered the create with an id: the network exists, only the duplicate check is missed.
        outcome.warnings.append('network %s was created, but the engine was lost before it could be listed again '
                                'to rule out a concurrent duplicate' % body['Name'])
        return my_id
    # The racer's network holds its pool before it is listed: look again briefly.
    for _attempt in range(10 if failure is not None and not same else 0):
        time.sleep(0.2)
        same = [n for n in engine.networks() if n.get('Name') == body['Name']]
        if same:
            break
    if failure is not None:
        if not same:
            raise failure
        outcome.warnings.append('network %s was created concurrently by another run; using it' % body['Name'])
        return sorted(same, key=lambda n: (n.get('Created') or '', n.get('Id') or ''))[0]['Id']
    if len(same) <= 1:
        return my_id
    same.sort(key=lambda n: (n.get('Created') or '', n.get('Id') or ''))
    winner = same[0]['Id']
    if winner != my_id:
        try:
            engine.remove_network(my_id)
        except EngineError:
            pass
        outcome.warnings.append('network %s was created concurrently by another run; kept the oldest (%s) and '
                                'removed the duplicate this run made' % (body['Name'], winner[:12]))
    return winner


def _reattach(engine, net_id, items, outcome):
    for item in items:
        try:
            engine.connect(item['container'], net_id, item['endpoint'])
            outcome.reconnected.append(item['container'])
        except EngineError as exc:
            outcome.reconnect_failed.append(item['container'])
            outcome.warnings.append('container %s could not be reattached: %s' % (item['container'], exc))


def _recreate(engine, step, have, outcome):
    net_id = have['id']
    for name in step.get('disconnect', []) + [i['container'] for i in step.get('reconnect', [])]:
        try:
            engine.disconnect(name, net_id, force=False)
        except EngineError as exc:
            if engine.inspect_container(name) is not None:
                # Put back those already detached before giving up.
                _reattach(engine, net_id, [i for i in step['reconnect'] if i['container'] in outcome.done_detach],
                          outcome)
                raise
            outcome.warnings.append('container %s disappeared before it was detached: %s' % (name, exc))
        outcome.done_detach.append(name)
    engine.remove_network(net_id)
    try:
        new_id = _create(engine, step['body'], outcome)
    except EngineError as exc:
        restored = _create(engine, restore_body(have), outcome)
        _reattach(engine, restored, step.get('reconnect', []), outcome)
        raise EngineError('recreating network %s failed (%s); the previous network was restored%s'
                          % (step['network'], exc.msg,
                             ' and its containers reattached: %s' % ', '.join(outcome.reconnected)
                             if outcome.reconnected else ''))
    _reattach(engine, new_id, step.get('reconnect', []), outcome)
    return new_id


def restore_body(have):
    """The create body that rebuilds a network as it was."""
    blank = {'name': have['name'], 'driver': None, 'scope': None, 'internal': None, 'attachable': None,
             'ingress': None, 'enable_ipv6': None, 'config_only': None, 'config_from': None, 'options': {},
             'encrypted': None, 'labels': {}, 'ipam_driver': None, 'ipam_options': None, 'ipam_config': None}
    body = create_body(blank, have)
    if not have['managed']:
        body['Labels'].pop(MANAGED_LABEL, None)
    return body


def apply_steps(state, steps):
    """Apply one network's steps in order. Raises NetprovError with done/not_done on failure."""
    engine = state.engine
    outcome = Outcome()
    outcome.done_detach = []
    net_ids = {}
    for index, step in enumerate(steps):
        name = step['network']
        try:
            action = step['action']
            if action == 'none':
                pass
            elif action == 'create':
                net_ids[name] = _create(engine, step['body'], outcome)
            elif action == 'recreate':
                net_ids[name] = _recreate(engine, step, state.full(name), outcome)
            elif action == 'remove':
                engine.remove_network(step['id'])
            else:
                net_id = net_ids.get(name) or state.full(name)['id']
                if action in ('disconnect', 'reconnect'):
                    engine.disconnect(step['container'], net_id, force=False)
                if action in ('connect', 'reconnect'):
                    engine.connect(step['container'], net_id, step['endpoint'])
        except NetprovError as exc:
            exc.details.setdefault('done', [_label(s) for s in outcome.done])
            exc.details.setdefault('not_done', [_label(s) for s in steps[index:]])
            raise
        outcome.done.append(step)
    return outcome


def verify_encryption(state, want, path=''):
    """verify: wait (bounded) until the kernel's ESP states cover every peer of an encrypted overlay."""
    from ansible_collections.netprov.dockernet.plugins.module_utils._info import describe_network
    if not (want.get('verify') and want['state'] == 'present'):
        return None
    deadline = time.time() + max(0, want['verify_timeout'])
    while True:
        fresh = EngineState(state.engine)
        found = fresh.matches(want['name'])
        described = describe_network(fresh, found[0]['id']) if found else None
        report = (described or {}).get('encryption')
        if report is None:
            raise ValidationError('verify applies to encrypted overlay networks only', path=join_path(path, 'verify'))
        if report['active'] or time.time() >= deadline:
            break
        time.sleep(2)
    if not report['active']:
        raise KernelError('network %s is not encrypted end to end after %ds: %s' % (
            want['name'], want['verify_timeout'], report['reason']), path=join_path(path, 'verify'),
            encryption=report)
    return report


def _label(step):
    if step.get('container'):
        return '%s %s on %s' % (step['action'], step['container'], step['network'])
    return '%s %s' % (step['action'], step['network'])


# -- what users see of a network -----------------------------------------------------

_SUMMARY_KEYS = ('name', 'driver', 'scope', 'internal', 'attachable', 'ingress', 'enable_ipv6', 'enable_ipv4',
                 'config_only',
                 'config_from', 'options', 'labels', 'ipam_driver', 'ipam_options', 'ipam_config')


def summary(have):
    """The normalised network without volatile fields, for diff and results."""
    if not have:
        return {}
    out = dict((k, have.get(k)) for k in _SUMMARY_KEYS)
    out['containers'] = sorted(have.get('endpoints') or {})
    return out


def _body_as_inspect(body):
    ipam = body.get('IPAM') or {}
    return {
        'Name': body['Name'], 'Driver': body.get('Driver'), 'Scope': body.get('Scope') or 'local',
        'Internal': body.get('Internal'), 'Attachable': body.get('Attachable'), 'Ingress': body.get('Ingress'),
        'EnableIPv6': body.get('EnableIPv6'), 'EnableIPv4': body.get('EnableIPv4', True),
        'ConfigOnly': body.get('ConfigOnly'),
        'ConfigFrom': body.get('ConfigFrom') or {}, 'Options': body.get('Options') or {},
        'Labels': body.get('Labels') or {},
        'IPAM': {'Driver': ipam.get('Driver'), 'Options': ipam.get('Options'),
                 'Config': [dict((k, v) for k, v in e.items())
                            for e in ipam.get('Config') or []]},
    }


def predict(have, steps):
    """The summary the plan leads to: diff mode's 'after' in check mode."""
    after = summary(have)
    containers = set(after.get('containers') or [])
    for step in steps:
        if step['action'] in ('create', 'recreate'):
            after = summary(normalise_have(_body_as_inspect(step['body'])))
            containers = set(i['container'] for i in step.get('reconnect', []))
        elif step['action'] == 'remove':
            return {}
        elif step['action'] in ('connect', 'reconnect'):
            containers.add(step['container'])
        elif step['action'] == 'disconnect':
            containers.discard(step['container'])
    if after:
        after['containers'] = sorted(containers)
    return after
