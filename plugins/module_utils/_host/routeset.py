# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Routes in one call: read once, plan every entry with the host_route planner, then apply in the order given.

Each entry is planned against the routes as the entries before it leave
them (the default-route guard sees a default route an earlier entry adds),
so the whole call is checked before anything is touched; a real run applies
exactly that plan, and check mode returns it.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import NetprovError, ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._host import entries as _entries, netlink as _netlink, routes as _routes

# The fields a route read from the kernel has, for a route this run only plans to add.
_BLANK = {'gateway': None, 'dev': None, 'scope': 'universe', 'type': 'unicast'}


def validate(routes, path='routes'):
    """host_routes' ``routes``: each entry checked as host_route checks its options."""
    return _entries.validate(routes, _routes.ROUTE_OPTIONS, [], path)


def label(want):
    return '%s %s (table %s, metric %s)' % (want['family'], want['dest'], want['table'], want['metric'])


def converge(params, netns=None, allow_management=False, check_mode=False, session=None, expect_links=None, path=None,
             warn=None):
    """Plan, and unless ``check_mode`` apply, the routes of ``params`` (one dict of host_route options each).

    ``expect_links``: link names taken as present besides the kernel's (links an
    earlier task of the same run makes). ``path``: the list option the entries
    came from, for errors; None for host_route's one route. ``warn``: called with each warning of the planner.
    Returns one result per entry: dest, label, changed, plan, route (after), management, diff.
    """
    wants = []
    for i, p in enumerate(params):
        try:
            want = _routes.normalise(p)
        except NetprovError as exc:
            raise _placed(exc, path, i, str(p.get('dest')))
        for j, other in enumerate(wants):
            if _routes.find([dict(_BLANK, **other)], want):
                raise ValidationError('%s is already %s[%d] (a route is its family, destination, table and metric); '
                                      'give each route once' % (label(want), path, j), path='%s[%d].dest' % (path, i))
        wants.append(want)
    with _netlink.open_ipr(netns) as ipr:
        table = _routes.list_routes(ipr=ipr)
        links = set(l['name'] for l in _netlink.list_links(ipr=ipr)) | set(expect_links or [])
        plans = []
        for i, want in enumerate(wants):
            have = _routes.find(table, want)
            try:
                steps, warnings = _routes.plan(want, table, links, allow_management=allow_management)
                for warning in warnings if warn else ():
                    warn(warning)
            except NetprovError as exc:
                raise _placed(exc, path, i, label(want))
            after = have
            if steps:
                after = None if steps[0]['action'] == 'remove' else dict(_BLANK, **dict(have or {}, **steps[0]['subject']))
                table = [r for r in table if r is not have] + ([after] if after else [])
            plans.append({'want': want, 'have': have, 'steps': steps, 'after': after})
        if not check_mode and any(p['steps'] for p in plans):
            done = []
            for i, p in enumerate(plans):
                try:
                    _routes.apply(ipr, p['steps'])
                except NetprovError as exc:
                    if not path:
                        raise
                    raise _placed(exc, path, i, label(p['want']), done=done,
                                  not_done=[label(q['want']) for q in plans[i + 1:] if q['steps']])
                if p['steps']:
                    done.append(label(p['want']))
            now = _routes.list_routes(ipr=ipr)
            for p in plans:
                p['after'] = _routes.find(now, p['want'])
    return [{'dest': p['want']['dest'], 'label': label(p['want']), 'changed': bool(p['steps']), 'plan': _routes.shown(p['steps']), 'route': p['after'],
             'management': _routes.management(p['want'], session),
             'diff': {'before': p['have'] or {}, 'after': p['after'] or {}}} for p in plans]


def _placed(exc, path, i, item, **more):
    return _entries.located(exc, '%s[%d]' % (path, i), item, **more) if path else exc
