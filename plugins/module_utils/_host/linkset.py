# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Links in one call: read once, order, plan every entry with the host_link planner, then apply in order.

The order: removals first, each before what it stands on (reverse dependency
order), then the rest in dependency order: a link after its parent (vlan,
macvlan, ipvlan, vxlan) and after the bridge it is a port of, the far end of
a veth pair after the entry that makes the pair. Each entry is planned
against the links as the entries before it leave them, so the whole call is
checked (every guard of host_link: the management path, links that would go
with a removal, siblings, MTU ceilings) before anything is touched; a real
run applies exactly that plan, and check mode returns it.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import NetprovError, ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._host import entries as _entries, links as _links, netlink as _netlink, persist as _persist

# The fields a link read from the kernel has, for a link this run only plans to make.
_BLANK = {'index': None, 'parent': None, 'peer': None, 'mtu': None, 'mac': None, 'operstate': None}


def validate(links, path='links'):
    """host_links' ``links``: each entry checked as host_link checks its options."""
    return _entries.validate(links, _links.LINK_OPTIONS, _links.LINK_MUTUALLY_EXCLUSIVE, path)


def converge(params, netns=None, allow_management=False, kernel_check='fail', check_mode=False, session=None,
             warn=None, path=None):
    """Plan, and unless ``check_mode`` apply, the links of ``params`` (one dict of host_link options each).

    ``path``: the list option the entries came from (``links``), for errors;
    None for host_link's one link, whose errors keep their own paths.
    Returns (one result per entry in the order given, the names in the order applied).
    Each result: name, changed, plan (link steps, then file steps), link (after),
    management, diff (before/after views of the fields given).
    """
    wants = [_normalised(p, _where(path, i)) for i, p in enumerate(params)]
    with _netlink.open_ipr(netns) as ipr:
        links, mgmt = _links.read(ipr, session)
        order = dependency_order(wants, links, path)
        table = dict(links)
        elsewhere = None
        plans = [None] * len(wants)
        for i in order:
            want, p = wants[i], params[i]
            try:
                if elsewhere is None and _links.removes(want, table, p['recreate']):
                    elsewhere = _links.dependents_elsewhere(links, netns)
                steps, warnings = _links.plan(want, table, mgmt, recreate=p['recreate'],
                                              allow_management=allow_management, force=p['force'], elsewhere=elsewhere)
                _emit(warn, warnings + _links.check_kernel(want, steps, kernel_check))
            except NetprovError as exc:
                raise _placed(exc, path, i, want['name'])
            have = table.get(want['name'])
            after = _links.simulate(have, steps) or None
            files = []
            if p['persist']:
                files, warnings = _persist.plan(want, after or {}, p['persist_dir'], p['persist_parent_network'])
                _emit(warn, warnings)
            _settle(table, want['name'], steps, after)
            plans[i] = {'want': want, 'have': have, 'steps': steps, 'files': files, 'after': after}
        if not check_mode:
            _apply(ipr, plans, order, path)
            if any(p['steps'] for p in plans):
                now = dict((l['name'], l) for l in _netlink.list_links(ipr=ipr))
                for p in plans:
                    p['after'] = now.get(p['want']['name'])
    results = []
    for p in plans:
        name = p['want']['name']
        results.append({'name': name, 'changed': bool(p['steps'] or p['files']), 'plan': _links.shown(p['steps'] + p['files']),
                        'link': p['after'], 'management': mgmt.get(name),
                        'diff': {'before': _links.view(p['want'], p['have']),
                                 'after': _links.view(p['want'], p['after'])}})
    return results, [wants[i]['name'] for i in order]


def _emit(warn, warnings):
    for warning in warnings if warn else ():
        warn(warning)


def _where(path, i):
    return '%s[%d]' % (path, i) if path else None


def _placed(exc, path, i, name, **more):
    return _entries.located(exc, _where(path, i), name, **more) if path else exc


def _normalised(params, where):
    try:
        return _links.normalise(params)
    except NetprovError as exc:
        raise _entries.located(exc, where, params.get('name')) if where else exc


def dependency_order(wants, links, path=None):
    """Indices of ``wants`` in the order to apply them (see the module docstring).

    What a link stands on is what its entry says, else what the link in ``links``
    (the kernel's) stands on: an entry that only removes a link names no parent.
    """
    names = {}
    for i, want in enumerate(wants):
        if want['name'] in names:
            raise ValidationError('%s is already links[%d]; give each link once' % (want['name'], names[want['name']]),
                                  path='%s.name' % _where(path, i) if path else 'name')
        names[want['name']] = i
    needs = dict((i, set()) for i in range(len(wants)))
    for i, want in enumerate(wants):
        have = links.get(want['name']) or {}
        for key in ('parent', 'master'):
            ref = want[key] if key in want else have.get(key)
            if ref in names and names[ref] != i:
                needs[i].add(names[ref])
        if want.get('kind') == 'veth' and want['peer'] in names:
            far = names[want['peer']]
            if not (wants[far].get('kind') == 'veth' and wants[far].get('peer') == want['name']):
                needs[far].add(i)  # the far end is configured once this entry has made the pair
    absent = [i for i, w in enumerate(wants) if w['state'] == 'absent']
    present = [i for i, w in enumerate(wants) if w['state'] != 'absent']
    stands_on_it = dict((j, set(i for i in absent if j in needs[i])) for j in absent)
    return _sorted(absent, stands_on_it, wants, path) + _sorted(present, needs, wants, path)


def _sorted(indices, needs, wants, path):
    """``indices`` with each after what it needs (among them), otherwise in the order given."""
    todo, out = list(indices), []
    while todo:
        ready = [i for i in todo if not needs[i] & set(todo)]
        if not ready:
            cycle = ', '.join('%s (%s)' % (_where(path, i) or 'name', wants[i]['name']) for i in todo)
            raise ValidationError('these links stand on each other in a circle (parent, master or veth peer): %s'
                                  % cycle, path=_where(path, todo[0]))
        out.append(ready[0])
        todo.remove(ready[0])
    return out


def _settle(table, name, steps, after):
    """The links as they will be once ``steps`` ran: what the kernel deletes with a removed link goes too."""
    for step in steps:
        if step['action'] == 'remove':
            for gone in step.get('goes_with') or []:
                if gone['netns'] is None and gone['name']:
                    table.pop(gone['name'], None)
    if not after:
        table.pop(name, None)
        return
    table[name] = dict(_BLANK, **after)
    for step in steps:
        if step['action'] == 'create' and step['kind'] == 'veth':
            peer = step['settings']['peer']
            table[peer] = dict(_BLANK, name=peer, kind='veth', peer=name, state='down', promisc=False, master=None,
                               addresses=[], link_local=[])


def _apply(ipr, plans, order, path):
    done = []
    for n, i in enumerate(order):
        p = plans[i]
        try:
            _links.apply(ipr, p['steps'])
            _persist.apply(p['files'])
        except NetprovError as exc:
            if not path:
                raise
            raise _placed(exc, path, i, p['want']['name'], done=done,
                          not_done=[plans[j]['want']['name'] for j in order[n + 1:]])
        if p['steps'] or p['files']:
            done.append(p['want']['name'])
