# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconciliation core that docker_network and docker_networks share.

read (one listing of the engine, inspecting only what is needed) ->
validate -> plan -> host checks -> apply exactly the plan.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible_collections.netprov.dockernet.plugins.module_utils._network import hostcheck as _hostcheck
from ansible_collections.netprov.dockernet.plugins.module_utils._network import gates
from ansible_collections.netprov.dockernet.plugins.module_utils._network import ingress as _ingress
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import (
    EngineError, KernelError, NetprovError, ValidationError, join_path)
from ansible_collections.netprov.dockernet.plugins.module_utils._common.steps import step as _step
from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import (
    compare, create_target, fixed_addresses_fit, plan_network)
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import (
    MANAGED_LABEL, resolve_containers)
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import (
    connect_body, create_body, create_command, endpoint_from_inspect, network_from_body, network_from_inspect,
    on_network, without_duplicate_check)
from ansible_collections.netprov.dockernet.plugins.module_utils._network.validate import (
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
                    from ansible_collections.netprov.dockernet.plugins.module_utils._host import probes as mod
                else:
                    from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as mod
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
        self.networks = [network_from_inspect(n) for n in engine.networks()]
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
                self._full[name] = network_from_inspect(raw, self.members(raw))
        return self._full[name]

    def members(self, raw):
        """The inspect outputs of every container that references the network ``raw`` (inspect output)."""
        found = (self.container(entry.get('Id')) for entry in
                 self.engine.containers_on(raw.get('Id'), raw.get('Name')) or [])
        return [info for info in found if info is not None]

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
        """{container name: endpoint record} for every container on the network, running or not."""
        out = {}
        for cname, ep in sorted((have or {}).get('endpoints', {}).items()):
            info = self.container(ep['id'])
            if info is not None:
                out[cname] = self.record(info, network_name, have.get('id'))
        return out

    def record(self, info, network_name, network_id=None):
        """endpoint_from_inspect, and what this engine takes back of it in a network connect.

        The MAC address: from API 1.54 a connect sets it (``mac_address``, sent). From 1.44 to 1.53 the engine
        applies a MAC only at container create, so one set there cannot be put back (``mac_unrestorable``).
        Before 1.44 the engine itself gives a container its MAC (Config.MacAddress) again on every connect to
        the network it was created on.
        """
        rec = endpoint_from_inspect(info, network_name, network_id=network_id)
        connect_mac = gates.honours(self.api_version, gates.CONNECT_MAC)
        rec['mac_address'] = rec['mac'] if connect_mac else None
        lost = None
        if not connect_mac and gates.honours(self.api_version, gates.ENDPOINT_MAC):
            lost = rec['mac_fixed']
            if not lost and rec['mac_derived'] is False and not gates.honours(self.api_version, gates.RANDOM_MAC):
                lost = rec['mac']   # an engine before 28.0 derives the MAC it chooses from the IPv4 address
        rec['mac_unrestorable'] = lost
        return rec


def _unchanged_without_inspect(state, want):
    """True when the listing alone proves there is nothing to do (no endpoint to look at)."""
    light = state.light(want['name'])
    return (light is not None and want['state'] == 'present' and not want['containers']
            and not want['containers_exclusive'] and want['recreate'] != 'always' and not compare(want, light))


def prepare(state, want, path='', skip_overlap=()):
    """Validate and plan one normalised network. Returns (steps, warnings); raises on refusal."""
    warnings = validate_want(want, path)
    gates.refuse_unsupported(want, state.api_version, path)
    found = state.matches(want['name'])
    if len(found) > 1:
        warnings.append('%s: %d networks are named %s (a concurrent create); the oldest, %s, is the one managed'
                        % (path or want['name'], len(found), want['name'], found[0]['id'][:12]))
    light = state.light(want['name'])
    if light is not None and want['state'] == 'present' and want['kernel_check'] != 'skip':
        gone = _hostcheck.existing_parent_warning(state.engine, light, path, NETLINK)
        if gone:
            warnings.append(gone)
    if _ingress.is_ingress_want(want, light):
        steps = _prepare_ingress(state, want, light, path, skip_overlap, warnings)
        if steps is not None:
            return steps, warnings
    if _unchanged_without_inspect(state, want):
        steps = [_step('none', want['name'], 'matches the spec')]
        rule_verify(want, steps, light, path)
        return steps, warnings
    have = state.full(want['name'])
    if want['state'] == 'present':
        rule_config_source(want, state.networks, path)
        if have is None or want['ipam_config'] is not None:
            rule_overlaps(want, state.networks, path, skip=skip_overlap)
        containers = dict((c['name'], state.container(c['name'])) for c in want['containers'])
        rule_containers_exist(want, containers, path)
        want = resolve_containers(want, containers, path)
    records = state.records(have, want['name'])
    steps, planned = plan_network(want, have, records, path)
    warnings.extend(planned)
    gates.refuse_connect_mac(want, steps, state.api_version, path)
    for step in steps:
        if step['action'] in ('create', 'recreate'):
            fixed_addresses_fit(step, path)
            warnings.extend(_hostcheck.check_host(state.engine, step, state.networks, want['kernel_check'],
                                                  path, PROBES, NETLINK))
    rule_verify(want, steps, light, path)
    return steps, warnings


def _prepare_ingress(state, want, light, path, skip_overlap, warnings):
    """The steps that make ``want`` the swarm's ingress network (replacing the one there is), or None for the
    ordinary removal of it; refused before anything changes while services publish ports in ingress mode."""
    _ingress.rule_ingress(want, path)
    swarm = state.swarm_info()
    if want['state'] == 'present':
        _ingress.manager_required(swarm, path)
    current = next((n for n in sorted(state.networks, key=_sort_key) if n['ingress']), None)
    users = _ingress.ingress_users(state.engine.services()) if swarm.get('ControlAvailable') else {}
    if want['state'] == 'present':
        skip = tuple(skip_overlap) + ((current['name'],) if current else ())
        rule_overlaps(want, state.networks, path, skip=skip)
    steps, planned = _ingress.plan_ingress(want, light, current, users, path)
    warnings.extend(planned)
    for step in steps or []:
        if step['action'] == 'create':
            warnings.extend(_hostcheck.check_host(state.engine, step, state.networks, want['kernel_check'],
                                                  path, PROBES, NETLINK))
    return steps


def before_of(state, want, steps):
    """The network a run changes, as it is now: the wanted name's, or the ingress network the plan replaces."""
    for step in steps:
        if step.get('replaced_by'):
            return state.full(step['subject'])
    return state.full(want['name'])


# -- applying ---------------------------------------------------------------------

class Outcome(object):
    """What a real run did, to report it (and, on failure, what it did not)."""

    def __init__(self):
        self.done = []
        self.reconnected = []
        self.reconnect_failed = []
        self.warnings = []


class StaleNetwork(EngineError):
    """The create is blocked by a network of that name that was already there when this run read the engine."""

    def __init__(self, msg, network):
        super(StaleNetwork, self).__init__(msg)
        self.network = network


def _by_age(nets):
    return sorted(nets, key=lambda n: (n.get('Created') or '', n.get('Id') or ''))


def _create(engine, body, outcome, known=()):
    """Create, then settle a concurrent create of the same name.

    Every racer keeps the oldest network of that name (then the lowest id)
    and removes its own if it lost, so all runs converge on one network.
    ``known`` holds the ids this run listed when it read the engine: a
    network among them is no racer's, so it is never adopted as one
    (StaleNetwork when it blocks the create) nor wins over the new one.
    """
    failure = None
    try:
        my_id = engine.create_network(body).get('Id')
    except EngineError as exc:
        failure = exc
        # A racer that created it first makes ours fail ("already exists",
        # or "Pool overlaps" with its own subnet): use the racer's network.
        my_id = None

    def listed():
        same = [n for n in engine.networks() if n.get('Name') == body['Name']]
        return [n for n in same if n.get('Id') not in known], [n for n in same if n.get('Id') in known]
    try:
        racers, stale = listed()
    except EngineError:
        if failure is not None:
            raise failure
        # The engine answered the create with an id: the network exists, only the duplicate check is missed.
        outcome.warnings.append('network %s was created, but the engine was lost before it could be listed again '
                                'to rule out a concurrent duplicate' % body['Name'])
        return my_id
    # The racer's network holds its pool before it is listed: look again briefly.
    for _attempt in range(10 if failure is not None and not racers and not stale else 0):
        time.sleep(0.2)
        racers, stale = listed()
        if racers or stale:
            break
    if failure is not None:
        if racers:
            outcome.warnings.append('network %s was created concurrently by another run (or by this run\'s create, '
                                    'whose answer was lost); using it' % body['Name'])
            return _by_age(racers)[0]['Id']
        if stale:
            raise StaleNetwork('create network %s: the engine refused it, as another network of that name (%s) was '
                               'already there when this run read the engine' % (body['Name'], stale[0]['Id'][:12]),
                               _by_age(stale)[0])
        raise failure
    if len(racers) <= 1:
        return my_id
    winner = _by_age(racers)[0]['Id']
    if winner != my_id:
        try:
            engine.remove_network(my_id)
        except EngineError:
            pass
        outcome.warnings.append('network %s was created concurrently by another run; kept the oldest (%s) and '
                                'removed the duplicate this run made' % (body['Name'], winner[:12]))
    return winner


def _gone(engine, net_id, name, wait=120):
    """A swarm network's removal answers before this engine has let go of it (its tasks' endpoints go first):
    until then a network of its name cannot be made again (the engine's duplicate check still finds it). Wait
    (bounded) until it is gone."""
    deadline = time.time() + wait
    while engine.find_network(net_id) is not None:
        if time.time() >= deadline:
            raise EngineError('network %s was removed, but the engine still lists it after %d s; the network that '
                              'replaces it was not created' % (name, wait))
        time.sleep(0.5)


def _allocated(engine, net_id, name, wait=20):
    """A swarm network is allocated after the create has answered (its driver and subnet are set then); one the
    swarm could not allocate stays without them, useless. Such a one is removed again and the run fails."""
    deadline = time.time() + wait
    while True:
        net = network_from_inspect(engine.find_network(net_id) or {})
        if net['driver'] and net['ipam_config']:
            return
        if time.time() >= deadline:
            try:
                engine.remove_network(net_id)
            except EngineError:
                pass
            raise EngineError('network %s was created, but the swarm did not allocate it within %d s (it has no '
                              'driver or subnet; the manager\'s log says why, such as a subnet that overlaps '
                              'another network or an exhausted address pool); it was removed again' % (name, wait))
        time.sleep(0.5)


_RECORD_KEYS = ('aliases', 'ipv4_address', 'ipv6_address', 'links', 'link_local_ips', 'mac', 'gw_priority',
                'driver_opts')
# what a record says about its MAC for the planner, not a setting of the endpoint
_RECORD_NOTES = ('container', 'id', 'service', 'mac_address', 'mac_fixed', 'mac_derived', 'mac_unrestorable')


def describe_record(record):
    """A recorded endpoint in words: every setting it has (a dynamic address is not one)."""
    parts = []
    for key in sorted(record or {}, key=lambda k: (_RECORD_KEYS.index(k) if k in _RECORD_KEYS else 99, k)):
        value = record[key]
        if key in _RECORD_NOTES or value in (None, '', [], {}):
            continue
        if isinstance(value, dict):
            value = ', '.join('%s=%s' % kv for kv in sorted(value.items()))
        elif isinstance(value, list):
            value = ', '.join(str(v) for v in value)
        parts.append('%s %s' % (key, value))
    return '; '.join(parts) or 'no fixed settings'


def connect_command(container, network, record):
    """The docker CLI command that puts an endpoint back by hand."""
    args = ['docker network connect']
    args.extend('--alias %s' % a for a in record.get('aliases') or [])
    if record.get('ipv4_address'):
        args.append('--ip %s' % record['ipv4_address'])
    if record.get('ipv6_address'):
        args.append('--ip6 %s' % record['ipv6_address'])
    args.extend('--link %s' % link for link in record.get('links') or [])
    args.extend('--link-local-ip %s' % a for a in record.get('link_local_ips') or [])
    if record.get('gw_priority'):
        args.append('--gw-priority %s' % record['gw_priority'])
    args.extend('--driver-opt %s=%s' % kv for kv in sorted((record.get('driver_opts') or {}).items()))
    return ' '.join(args + [network, container])


class Journal(object):
    """Every endpoint a run takes off a network, recorded before it is detached, until it is as wanted.

    Every detaching step goes through detach(); attach() settles an entry once
    the endpoint is back as wanted; restore() is the one way back, run on any
    failure: each endpoint still detached is put back on its network (rebuilt
    from its recorded spec if this run removed it) with its recorded
    endpoint, never the wanted one. What it cannot put back is reported with
    its recorded settings, so a person can.
    """

    def __init__(self, state, outcome, removing=()):
        self.state = state
        self.engine = state.engine
        self.outcome = outcome
        self.known = set(n['id'] for n in state.networks)
        self.removing = set(removing)   # networks the plan removes: their detaches only serve the removal
        self.entries = []
        self.homes = {}                 # network id as read -> the id its endpoints go back to; None: removed
        self.bodies = {}                # network id as read -> the body that rebuilds it as it was
        self.replacing = {}             # network id as read -> name: removed for another to take its place
        self._records = {}

    def record(self, have, container):
        """What the endpoint of ``container`` on ``have`` has, as read before this run touched it."""
        if have['id'] not in self._records:
            self._records[have['id']] = self.state.records(have, have['name'])
        records = self._records[have['id']]
        if container in records:
            return records[container]
        for rec in records.values():
            if rec.get('id') and rec['id'].startswith(container):
                return rec
        info = self.engine.inspect_container(container)
        return self.state.record(info, have['name'], have['id']) if info else {'container': container}

    def detach(self, have, container, restore=True):
        """Take ``container`` off ``have``; False when it no longer exists. Recorded before the call, so an
        answer lost after the engine acted still leaves the way back."""
        entry = {'container': container, 'network': have['name'], 'read_id': have['id'],
                 'record': self.record(have, container), 'restore': restore}
        self.homes.setdefault(have['id'], have['id'])
        self.entries.append(entry)
        try:
            self.engine.disconnect(container, have['id'], force=False)
        except EngineError as exc:
            if not self.gone(container):
                raise
            self.entries.remove(entry)
            self.outcome.warnings.append('container %s disappeared before it was detached: %s' % (container, exc))
            return False
        return True

    def attach(self, container, network, net_id, endpoint):
        """Connect with the wanted endpoint; the entry is settled once the engine says so."""
        self.engine.connect(container, net_id, endpoint)
        self.settle(container, network)

    def settle(self, container, network):
        self.entries = [e for e in self.entries if not (e['container'] == container and e['network'] == network)]

    def moved(self, read_id, net_id):
        """The network read as ``read_id`` is now ``net_id`` (None: removed, not yet made again)."""
        self.homes[read_id] = net_id

    def replace(self, have, same_name=False):
        """Remove ``have`` for another network to take its place (the swarm's one ingress network): its spec is
        recorded first, and until replaced() it is made again from it on any failure. One of the same name is
        made only once the engine has let go of ``have``."""
        self.bodies[have['id']] = restore_body(have)
        self.replacing[have['id']] = have['name']
        self.engine.remove_network(have['id'])
        self.homes[have['id']] = None
        if same_name:
            _gone(self.engine, have['id'], have['name'])

    def replaced(self, read_id):
        """The network that takes the place of ``read_id`` exists: the removal is as the plan asked."""
        self.replacing.pop(read_id, None)

    def removed(self, read_id):
        """Removed as the plan asked: its detached endpoints are as wanted."""
        self.homes[read_id] = None
        self.entries = [e for e in self.entries if e['read_id'] != read_id]

    def gone(self, container):
        """True only when the engine says the container no longer exists."""
        try:
            return self.engine.inspect_container(container) is None
        except EngineError:
            return False

    def restore(self):
        """Put back every endpoint still detached; returns what was and what was not."""
        report = {'restored': [], 'not_restored': [], 'networks_restored': [], 'networks_not_restored': []}
        pending = [e for e in self.entries if e['restore']]
        self.entries = []
        for read_id in sorted(set(e['read_id'] for e in pending), key=[e['read_id'] for e in pending].index):
            entries = [e for e in pending if e['read_id'] == read_id]
            network = entries[0]['network']
            target, why = self._home(read_id, network, report)
            missed = len(report['not_restored'])
            for entry in entries:
                if target is None and why is None:
                    continue   # the plan removed the network, as asked
                if target is None:
                    self._not_restored(entry, report, why)
                else:
                    self._put_back(entry, target, report)
            if why == 'unchecked' and len(report['not_restored']) > missed and read_id in self.bodies:
                # the network could not be looked at and the endpoints did not go back: it may be gone
                body = self.bodies[read_id]
                report['networks_not_restored'].append({
                    'network': network, 'error': None, 'spec': body, 'command': create_command(body)})
        for read_id, network in sorted(self.replacing.items()):
            # removed for a network that was not made: made again from its recorded spec
            self._home(read_id, network, report)
        self.replacing = {}
        return report

    def _home(self, read_id, network, report):
        """(id to put endpoints back on, None or 'unchecked') or (None, why not); (None, None): removed as
        asked."""
        home = self.homes.get(read_id, read_id)
        if home is not None:
            for attempt in (1, 2):
                try:
                    if self.engine.find_network(home) is not None:
                        return home, None
                    break
                except EngineError:
                    if attempt == 2:
                        return home, 'unchecked'   # cannot tell: try it
        if read_id in self.removing and read_id not in self.bodies:
            return None, None
        body = self.bodies.get(read_id)
        if body is None:
            return None, 'network %s no longer exists' % network
        try:
            try:
                new_id = _create(self.engine, body, self.outcome, self.known)
            except StaleNetwork as exc:
                if exc.network.get('Id') == read_id:
                    raise _held(network, read_id)
                # it was one of several of that name before this run: it may be again
                new_id = _create(self.engine, without_duplicate_check(body), self.outcome, self.known)
        except EngineError as exc:
            report['networks_not_restored'].append({'network': network, 'error': exc.msg, 'spec': body,
                                                    'command': create_command(body)})
            return None, 'network %s is gone and could not be made again' % network
        self.homes[read_id] = new_id
        report['networks_restored'].append(network)
        return new_id, None

    def _put_back(self, entry, net_id, report):
        container, network = entry['container'], entry['network']
        try:
            info = self.engine.inspect_container(container)
        except EngineError:
            info = False   # cannot tell: try the connect
        if info is None:
            self.outcome.reconnect_failed.append(container)
            self.outcome.warnings.append('container %s was removed before it could be put back on network %s'
                                         % (container, network))
            return
        if info and on_network(info, network, net_id):
            report['restored'].append(container)
            return
        try:
            self.engine.connect(container, net_id, connect_body(entry['record']))
        except EngineError as exc:
            try:
                back = on_network(self.engine.inspect_container(container) or {}, network, net_id)
            except EngineError:
                back = False
            if not back:
                self._not_restored(entry, report, exc.msg)
                return
        report['restored'].append(container)

    @staticmethod
    def _not_restored(entry, report, why):
        report['not_restored'].append({
            'container': entry['container'], 'network': entry['network'], 'error': why,
            'recorded': dict((k, v) for k, v in entry['record'].items() if k not in ('service',)),
            'command': connect_command(entry['container'], entry['network'], entry['record'])})


def _restore_text(report):
    text = ''
    if report['networks_restored']:
        text += '; network %s was made again as it was' % ', '.join(report['networks_restored'])
    if report['restored']:
        text += '; put back with their recorded endpoints: %s' % ', '.join(report['restored'])
    for net in report['networks_not_restored']:
        if net['error'] is None:
            text += ('; network %s could NOT be checked and may be gone; its recorded spec: %s'
                     % (net['network'], net['command']))
        else:
            text += ('; network %s could NOT be made again (%s); its recorded spec: %s'
                     % (net['network'], net['error'], net['command']))
    for item in report['not_restored']:
        text += ('; container %s could NOT be put back on network %s (%s); its recorded endpoint: %s; put it back '
                 'with: %s' % (item['container'], item['network'], item['error'], describe_record(item['recorded']),
                               item['command']))
    return text


def _recreate(journal, step, have):
    """Detach, remove, create, reattach; a failure anywhere leaves the journal the way back."""
    engine, outcome = journal.engine, journal.outcome
    name, old_id = step['subject'], have['id']
    kept = [i['container'] for i in step.get('reconnect', [])]
    journal.bodies[old_id] = restore_body(have)
    for container in step.get('disconnect', []) + kept:
        # containers_exclusive asked for the dropped ones to go: they are not put back
        journal.detach(have, container, restore=container in kept)
    engine.remove_network(old_id)
    journal.moved(old_id, None)
    # Until the new network exists the old one is made again from its spec on any failure, also when no
    # endpoint leads the rollback back to it.
    journal.replacing[old_id] = name
    try:
        new_id = _create(engine, step['body'], outcome, journal.known)
    except StaleNetwork as exc:
        if exc.network.get('Id') in journal.bodies:
            raise _held(name, exc.network['Id'])
        new_id = _recreate_stale(journal, step, exc.network)
    journal.replaced(old_id)
    journal.moved(old_id, new_id)
    refused = []
    for item in step.get('reconnect', []):
        try:
            journal.attach(item['container'], name, new_id, item['endpoint'])
            outcome.reconnected.append(item['container'])
        except EngineError as exc:
            if journal.gone(item['container']):
                journal.settle(item['container'], name)
                outcome.reconnect_failed.append(item['container'])
                outcome.warnings.append('container %s could not be reattached: it was removed meanwhile (%s)'
                                        % (item['container'], exc.msg))
            else:
                refused.append('%s (%s)' % (item['container'], exc.msg))
    if refused:
        raise EngineError('network %s was recreated, but the engine refused to reattach %s with the wanted endpoint'
                          % (name, ', '.join(refused)), containers=[r.split(' ')[0] for r in refused])
    return new_id


def _held(name, net_id):
    """The create of ``name`` is blocked by the very network this run removed, which the engine still holds:
    Engine 26.1 keeps listing an ingress network whose routing mesh served a published port after its removal
    answered, and its name stays taken."""
    return EngineError('create network %s: the engine still holds the network of that name this run removed (%s), '
                       'so the name stays taken' % (name, net_id[:12]))


def _recreate_stale(journal, step, listed):
    """A duplicate of the network, there before this run, blocks the create: apply the spec to it as well,
    keeping its endpoints as recorded."""
    stale = network_from_inspect(journal.engine.inspect_network(listed['Id']))
    sub = _step('recreate', step['subject'], step['reason'], id=stale['id'], body=step['body'], disconnect=[],
                reconnect=[{'container': c, 'endpoint': connect_body(journal.record(stale, c))}
                           for c in sorted(stale['endpoints'])])
    fixed_addresses_fit(sub)
    journal.outcome.warnings.append(
        'network %s: another network of that name (%s) was already there when this run read the engine (a '
        'duplicate left by an earlier concurrent create); the spec was applied to it too, keeping its endpoints'
        % (step['subject'], stale['id'][:12]))
    return _recreate(journal, sub, stale)


def restore_body(have):
    """The create body that rebuilds a network as it was."""
    blank = {'name': have['name'], 'driver': None, 'scope': None, 'internal': None, 'attachable': None,
             'ingress': None, 'enable_ipv6': None, 'config_only': None, 'config_from': None, 'options': {},
             'encrypted': None, 'labels': {}, 'ipam_driver': None, 'ipam_options': None, 'ipam_config': None}
    network = create_target(blank, have)
    if not have['managed']:
        network['labels'].pop(MANAGED_LABEL, None)
    return create_body(network)


def _apply_step(journal, step, net_ids):
    engine, state = journal.engine, journal.state
    action, name = step['action'], step['subject']
    if action == 'create':
        net_ids[name] = _create(engine, step['body'], journal.outcome, journal.known)
        if step.get('replaces') or network_from_body(step['body'])['ingress']:
            _allocated(engine, net_ids[name], name)
        if step.get('replaces'):
            journal.replaced(step['replaces'])
    elif action == 'remove' and step.get('replaced_by'):
        journal.replace(state.full(name), same_name=step['replaced_by'] == name)
    elif action == 'recreate':
        net_ids[name] = _recreate(journal, step, state.full(name))
    elif action == 'remove':
        engine.remove_network(step['id'])
        journal.removed(step['id'])
    elif action == 'connect':
        engine.connect(step['container'], net_ids.get(name) or state.full(name)['id'], step['endpoint'])
    elif action in ('disconnect', 'reconnect'):
        have = state.full(name)
        # Before a removal a detach only serves it (put back if the removal fails); containers_exclusive's
        # are asked for.
        journal.detach(have, step['container'], restore=action == 'reconnect' or have['id'] in journal.removing)
        if action == 'reconnect':
            journal.attach(step['container'], name, have['id'], step['endpoint'])


def apply_steps(state, steps):
    """Apply one network's steps in order. On failure every endpoint this run detached is put back as recorded
    (Journal.restore); raises NetprovError with done/not_done and what could not be put back."""
    outcome = Outcome()
    journal = Journal(state, outcome, removing=[s['id'] for s in steps if s['action'] == 'remove'])
    net_ids = {}
    for index, step in enumerate(steps):
        try:
            _apply_step(journal, step, net_ids)
        except NetprovError as exc:
            report = journal.restore()
            details = dict(exc.details)
            details.setdefault('done', [_label(s) for s in outcome.done])
            details.setdefault('not_done', [_label(s) for s in steps[index:]])
            details.update(report)
            if outcome.reconnect_failed:
                details['reconnect_failed'] = list(outcome.reconnect_failed)
            # a failed task shows no warnings: what they say goes into the error
            also = '; also: %s' % '; '.join(outcome.warnings) if outcome.warnings else ''
            cls = EngineError if isinstance(exc, StaleNetwork) else type(exc)
            raise cls(exc.msg + _restore_text(report) + also, path=exc.path, **details)
        except Exception:
            journal.restore()
            raise
        outcome.done.append(step)
    return outcome


def verify_encryption(state, want, path=''):
    """verify: wait (bounded) until the kernel's ESP states cover every peer of an encrypted overlay."""
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.info import describe_network
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
        return '%s %s on %s' % (step['action'], step['container'], step['subject'])
    return '%s %s' % (step['action'], step['subject'])


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


def _as_listed(network):
    """The network the engine makes of a body: it keeps IPv4 and IPv6 pools apart and lists the IPv4 ones first,
    whatever the body's order."""
    network['ipam_config'] = sorted(network['ipam_config'], key=lambda e: ':' in (e.get('subnet') or ''))
    return network


def predict(have, steps):
    """The summary the plan leads to: diff mode's 'after' in check mode."""
    after = summary(have)
    containers = set(after.get('containers') or [])
    for step in steps:
        if step['action'] in ('create', 'recreate'):
            after = summary(_as_listed(network_from_body(step['body'])))
            containers = set(i['container'] for i in step.get('reconnect', []))
        elif step['action'] == 'remove' and step.get('replaced_by'):
            continue   # another network takes its place: the create that follows
        elif step['action'] == 'remove':
            return {}
        elif step['action'] in ('connect', 'reconnect'):
            containers.add(step['container'])
        elif step['action'] == 'disconnect':
            containers.discard(step['container'])
    if after:
        after['containers'] = sorted(containers)
    return after
