# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docker_networks: many networks on one engine, through the same core as docker_network.

Everything is validated and planned before anything is touched; one failing
network does not stop the others, and the result says what was done.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._network.core import apply_steps, prepare, verify_encryption
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import (
    ConflictError, NetprovError, ValidationError, join_path)
from ansible_collections.netprov.dockernet.plugins.module_utils._common.steps import step as _step
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import (
    GWBRIDGE, OPTION_ALIASES, PREDEFINED, SWARM_NETWORKS, _str_map, normalise_want)
from ansible_collections.netprov.dockernet.plugins.module_utils._network.validate import _OPTION_FIELDS, rule_overlaps

_MAPS = ('labels', 'driver_options', 'ipam_driver_options')
_POLICY = ('kernel_check', 'recreate', 'force')
# What a network made with config_from takes from its config-only network (the engine refuses them
# on it): defaults of these do not apply to such an entry. Its labels, too, are the template's.
_FROM_TEMPLATE = ('labels', 'driver_options', 'parent', 'macvlan_mode', 'ipvlan_mode', 'ipvlan_flag', 'mtu',
                  'ipam_config', 'ipam_driver', 'ipam_driver_options', 'enable_ipv6')


def _option_keys(params):
    """The engine option keys that ``params`` set, first-class (mtu) or as driver_options (any spelling)."""
    fields = dict((field, key) for key, field in _OPTION_FIELDS.items())
    keys = set(fields[f] for f in fields if params.get(f) is not None)
    keys.update(OPTION_ALIASES.get(k, k) for k in (params.get('driver_options') or {}))
    return keys


def _defaults_for(entry, defaults):
    """The defaults that apply to ``entry``: the entry wins over a default in another spelling (an entry's mtu
    over defaults.driver_options.mtu and the other way round), and a config_from entry takes none of what
    its template holds."""
    out = dict((k, v) for k, v in (defaults or {}).items() if v is not None)
    if entry.get('config_from') or (out.get('config_from') and not entry.get('config_only')):
        for key in _FROM_TEMPLATE:
            out.pop(key, None)
        return out
    given = _option_keys(entry)
    for key, field in _OPTION_FIELDS.items():
        if key in given:
            out.pop(field, None)
    if out.get('driver_options'):
        out['driver_options'] = dict((k, v) for k, v in out['driver_options'].items()
                                     if OPTION_ALIASES.get(k, k) not in given)
    return out


def merge_entry(entry, defaults, top):
    """One entry's parameters: the entry, over `defaults`, over the module's own policy options."""
    params = dict(entry)
    for key, value in _defaults_for(entry, defaults).items():
        if key in _MAPS and params.get(key) is not None:
            merged = dict(value)
            merged.update(params[key])
            params[key] = merged
        elif params.get(key) is None:
            params[key] = value
    for key in _POLICY:
        if params.get(key) is None and top.get(key) is not None:
            params[key] = top[key]
    return params


def _as_have(want):
    """A wanted network in the shape the rules against other networks read (overlaps, config_from, host checks)."""
    return {'name': want['name'], 'config_only': want.get('config_only'), 'ipam_config': want['ipam_config'],
            'options': want['options'], 'driver': want['driver']}


class _AfterRemovals(object):
    """The engine as this call leaves it, for the rules that weigh a network against the *others*: without the
    networks the call removes (their subnets are free), with the config-only networks it makes (a network
    made from one in the same call finds it). Everything else is the engine as read."""

    def __init__(self, state, removed, templates):
        self._state = state
        self.networks = [n for n in state.networks if n['name'] not in removed] + templates

    def __getattr__(self, name):
        return getattr(self._state, name)


def _apply_order(templates):
    """The order to apply the planned networks in: removals first (a network before the config-only network it
    was made from), then config-only networks, then the rest, so a subnet is freed before it is taken and a
    template is made before a network uses it. ``templates``: the names of the config-only networks."""
    def key(item):
        name, steps = item[0], item[1]
        if any(s['action'] == 'remove' for s in steps):
            return (0, name in templates)
        return (1, name not in templates)
    return key


def plan_all(state, entries, defaults, top, purge, purge_labels=None):
    """Validate and plan every entry, then purge. Returns (planned, warnings).

    planned is a list of (name, steps, want, path), one network's plan each, in the order to apply them (its
    steps of the one step shape, their subject the network's name); want is None for a purge. Raises one
    ValidationError listing every bad entry, before anything is touched.
    """
    wants, errors, warnings, planned, purged = [], [], [], [], []
    seen = {}
    for i, entry in enumerate(entries):
        path = 'networks[%d]' % i
        try:
            want = normalise_want(merge_entry(entry, defaults, top), path)
            if want['name'] in seen:
                raise ValidationError('network %s is listed twice (also networks[%d]); merge the entries'
                                      % (want['name'], seen[want['name']]), path=join_path(path, 'name'))
            seen[want['name']] = i
            if want['state'] == 'present':
                others = [_as_have(w) for _path, w in wants if w['state'] == 'present']
                rule_overlaps(want, others, path)
            wants.append((path, want))
        except NetprovError as exc:
            errors.append(str(exc))
    if purge:
        try:
            purged, warns = plan_purge(state, set(seen), top.get('force'), purge_labels)
            warnings.extend(warns)
        except NetprovError as exc:
            errors.append(str(exc))
    removed = set(w['name'] for _path, w in wants if w['state'] == 'absent') | set(p[0] for p in purged)
    templates = [_as_have(w) for _path, w in wants if w['state'] == 'present' and w['config_only']]
    after = _AfterRemovals(state, removed, templates)
    for path, want in wants:
        try:
            steps, warns = prepare(after, want, path)
            planned.append((want['name'], steps, want, path))
            warnings.extend(warns)
        except NetprovError as exc:
            errors.append(str(exc))
    planned.extend(purged)
    if errors:
        raise ValidationError('%d problem(s), nothing was changed:\n%s' % (len(errors), '\n'.join(errors)),
                              errors=errors)
    config_only = set(n['name'] for n in state.networks if n['config_only']) | set(t['name'] for t in templates)
    return sorted(planned, key=_apply_order(config_only)), warnings


def _gwbridge_left(state):
    """A managed docker_gwbridge is purged like any other network once the engine is out of every swarm and
    nothing is attached to it; never while a swarm may use it, never forced."""
    if (state.swarm_info().get('LocalNodeState') or 'inactive') != 'inactive':
        return False
    return not (state.full(GWBRIDGE) or {}).get('endpoints')


def plan_purge(state, declared, force, labels=None):
    """Remove managed networks that are not declared; never a hand-made or predefined one.

    ``labels`` narrows the purge to managed networks that also carry all of
    them, so several stacks can share one engine. Returns (planned, warnings), planned as plan_all's.
    """
    planned, busy = [], []
    labels = _str_map(labels, 'purge_labels') or {}
    for net in sorted(state.networks, key=lambda n: n['name']):
        if not net['managed'] or net['name'] in declared or net['name'] in PREDEFINED or net['ingress']:
            continue
        if any(net['labels'].get(k) != v for k, v in labels.items()):
            continue
        if net['name'] in SWARM_NETWORKS and not (net['name'] == GWBRIDGE and _gwbridge_left(state)):
            continue
        full = state.full(net['name']) or net
        attached = sorted(full['endpoints'])
        if attached and not force:
            busy.append('%s (containers: %s)' % (net['name'], ', '.join(attached)))
            continue
        steps = [_step('disconnect', net['name'], 'purge with force', container=c) for c in attached]
        steps.append(_step('remove', net['name'], 'managed and not declared (purge)', id=full['id']))
        planned.append((net['name'], steps, None, 'purge'))
    if busy:
        raise ConflictError('purge would remove networks that still have containers attached: %s; detach them or '
                            'set force: true' % '; '.join(busy), path='purge', networks=busy)
    return planned, []


_KIND = {'create': 'created', 'recreate': 'recreated', 'remove': 'removed'}


def classify(steps):
    """created / recreated / removed / updated (endpoints only) / unchanged."""
    if any(step.get('replaced_by') for step in steps):
        return 'recreated'   # the swarm's ingress network, replaced by another
    for step in steps:
        if step['action'] in _KIND:
            return _KIND[step['action']]
    if all(s['action'] == 'none' for s in steps):
        return 'unchanged'
    return 'updated'


def apply_all(state, planned):
    """Apply each network's steps; a failure is recorded and the others go on.

    Returns (done, failed, warnings, reconnected, reconnect_failed).
    """
    done, failed, warnings, reconnected, reconnect_failed = [], [], [], [], []
    for name, steps, _want, _path in planned:
        if all(s['action'] == 'none' for s in steps):
            continue
        try:
            outcome = apply_steps(state, steps)
            warnings.extend(outcome.warnings)
            reconnected.extend(outcome.reconnected)
            reconnect_failed.extend(outcome.reconnect_failed)
            done.append(name)
        except NetprovError as exc:
            failed.append({'network': name, 'msg': str(exc), 'done': exc.details.get('done', []),
                           'not_done': exc.details.get('not_done', []),
                           'not_restored': exc.details.get('not_restored', []),
                           'networks_not_restored': exc.details.get('networks_not_restored', [])})
    return done, failed, warnings, reconnected, reconnect_failed


def verify_all(state, planned, failed):
    """verify: true entries, once everything is applied; a failure joins the failed list."""
    reports = {}
    broken = set(f['network'] for f in failed)
    for name, _steps, want, path in planned:
        if want is None or not want.get('verify') or name in broken:
            continue
        try:
            reports[name] = verify_encryption(state, want, path)
        except NetprovError as exc:
            failed.append({'network': name, 'msg': str(exc), 'done': [], 'not_done': ['verify']})
    return reports


def summarise(planned):
    lists = dict((k, []) for k in ('created', 'updated', 'recreated', 'removed', 'unchanged'))
    for name, steps, _want, _path in planned:
        lists[classify(steps)].append(name)
    return lists
