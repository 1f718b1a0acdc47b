# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One kernel route: read and normalise routes, plan against the wanted one, apply.

A route is identified as the kernel does: family, destination, table and
metric. Gateway, device and scope are what a ``replace`` changes in place.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import socket

from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import (
    ConflictError, KernelError, ValidationError)
from ansible_collections.netprov.dockernet.plugins.module_utils._common.hostargs import U32, check_int
from ansible_collections.netprov.dockernet.plugins.module_utils._common.steps import render
from ansible_collections.netprov.dockernet.plugins.module_utils._session import ssh

SCOPES = {0: 'universe', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere'}
PROTOS = {0: 'unspec', 1: 'redirect', 2: 'kernel', 3: 'boot', 4: 'static', 16: 'dhcp', 186: 'bgp', 188: 'ospf'}
TYPES = {1: 'unicast', 2: 'local', 3: 'broadcast', 4: 'anycast', 5: 'multicast', 6: 'blackhole',
         7: 'unreachable', 8: 'prohibit'}
FAMILIES = {socket.AF_INET: 'ipv4', socket.AF_INET6: 'ipv6'}
DEFAULT_METRIC = {'ipv4': 0, 'ipv6': 1024}
MAIN = 254
LOCAL = 255

# The argument spec of one route: host_route's own options, and each entry of host_routes' ``routes``.
ROUTE_OPTIONS = dict(
    dest=dict(type='str', required=True),
    gateway=dict(type='str'),
    dev=dict(type='str'),
    metric=dict(type='int'),
    table=dict(type='int', default=MAIN),
    scope=dict(type='str', choices=['universe', 'site', 'link', 'host']),
    state=dict(type='str', default='present', choices=['present', 'absent']),
)


def normalise_msg(msg, names):
    family = FAMILIES.get(msg['family'])
    dst = msg.get_attr('RTA_DST')
    dest = 'default' if msg['dst_len'] == 0 else str(ipaddress.ip_network('%s/%d' % (dst, msg['dst_len']),
                                                                          strict=False))
    oifs = [names.get(i, str(i)) for i in _netlink._route_oifs(msg)]
    return {
        'family': family,
        'dest': dest,
        'gateway': msg.get_attr('RTA_GATEWAY'),
        'dev': oifs[0] if oifs else None,
        'metric': msg.get_attr('RTA_PRIORITY') or 0,
        'table': msg.get_attr('RTA_TABLE') or msg['table'],
        'scope': SCOPES.get(msg['scope'], msg['scope']),
        'proto': PROTOS.get(msg['proto'], msg['proto']),
        'type': TYPES.get(msg['type'], msg['type']),
        'prefsrc': msg.get_attr('RTA_PREFSRC'),
    }


def list_routes(netns=None, ipr=None, include_local=False):
    """Every v4 and v6 route (the local table left out unless asked), normalised."""
    if ipr is None:
        with _netlink.open_ipr(netns) as ipr:
            return list_routes(ipr=ipr, include_local=include_local)
    names = dict((m['index'], m.get_attr('IFLA_IFNAME')) for m in ipr.get_links())
    out = []
    for family in FAMILIES:
        for msg in ipr.get_routes(family=family):
            route = normalise_msg(msg, names)
            if route['table'] == LOCAL and not include_local:
                continue
            out.append(route)
    return out


def normalise(params):
    """The wanted route from module params, canonical, with its family and metric filled in."""
    dest = str(params['dest']).strip()
    gateway = params.get('gateway')
    if gateway:
        try:
            gateway = str(ipaddress.ip_address(gateway))
        except ValueError:
            raise ValidationError('%r is not an IP address' % gateway, path='gateway')
    if dest in ('default', '0.0.0.0/0', '::/0'):
        family = 'ipv6' if dest == '::/0' or (gateway and ':' in gateway) else 'ipv4'
        dest = 'default'
    else:
        try:
            net = ipaddress.ip_network(dest, strict=False)
        except ValueError as exc:
            raise ValidationError('%r is not a network in CIDR form or "default": %s' % (dest, exc), path='dest')
        if str(net) != dest and '/' in dest:
            raise ValidationError('%s has host bits set; did you mean %s?' % (dest, net), path='dest')
        family = 'ipv%d' % net.version
        dest = 'default' if net.prefixlen == 0 else str(net)
    if gateway and ('ipv6' if ':' in gateway else 'ipv4') != family:
        raise ValidationError('%s is not an %s address like the destination %s' % (gateway, family, dest),
                              path='gateway')
    table = MAIN if params.get('table') is None else check_int(params['table'], 0, U32, 'table')
    metric = params.get('metric')
    metric = DEFAULT_METRIC[family] if metric is None else check_int(metric, 0, U32, 'metric')
    if family == 'ipv6' and metric == 0:
        metric = DEFAULT_METRIC['ipv6']  # the kernel stores an IPv6 route's metric 0 as 1024
    want = {'family': family, 'dest': dest, 'table': table or MAIN,  # table 0: the kernel's main table
            'metric': metric, 'state': params.get('state') or 'present'}
    for key in ('gateway', 'dev', 'scope'):
        if params.get(key) is not None:
            want[key] = gateway if key == 'gateway' else params[key]
    if want['state'] == 'present' and not (want.get('gateway') or want.get('dev')):
        raise ValidationError('a route needs a gateway, a dev, or both', path='gateway')
    return want


def _same(route, want):
    return all(route[k] == want[k] for k in ('family', 'dest', 'table', 'metric'))


def find(routes, want):
    return next((r for r in routes if _same(r, want) and r['type'] == 'unicast'), None)


def plan(want, routes, links, allow_management=False):
    """(steps, warnings) for one route: add, replace or remove (at most one); the subject is the route."""
    have = find(routes, want)
    if want.get('dev') and want['dev'] not in links:
        raise ValidationError('no link %s in this namespace' % want['dev'], path='dev')
    label = '%s %s (table %s, metric %s)' % (want['family'], want['dest'], want['table'], want['metric'])
    if want['state'] == 'absent':
        steps = [{'action': 'remove', 'subject': _ident(have), 'reason': 'state is absent'}] if have else []
    elif have is None:
        steps = [{'action': 'add', 'subject': _spec(want), 'reason': 'no route %s' % label}]
    else:
        diffs = [k for k in ('gateway', 'dev', 'scope') if k in want and want[k] != have[k]]
        steps = [{'action': 'replace', 'subject': _spec(want, have),
                  'reason': ', '.join('%s %s -> %s' % (k, have[k], want[k]) for k in diffs)}] if diffs else []
    if want['dest'] == 'default' and steps and not allow_management:
        defaults = [r for r in routes if r['dest'] == 'default' and r['family'] == want['family']
                    and r['table'] == want['table'] and r['type'] == 'unicast']
        takes_over = [r for r in defaults if r is have or r['metric'] >= want['metric']]
        if steps[0]['action'] != 'add' or takes_over:
            current = have or takes_over[0]
            raise ConflictError(
                'refusing to %s the %s default route via %s dev %s (table %s, metric %s): it may carry the '
                'management connection; set allow_management: true if another path reaches this host' % (
                    {'add': 'take over', 'replace': 'replace', 'remove': 'remove'}[steps[0]['action']],
                    want['family'], current['gateway'], current['dev'], current['table'], current['metric']),
                path='dest')
    return steps, []


def shown(steps):
    """Route steps as host_route and host_routes list them in ``plan``: the subject as ``route``."""
    return render(steps, 'route')


def management(want, session=None):
    """Why changing this route could cut the management path (the way replies reach the SSH client), or None.

    A default route carries everything not routed otherwise; any other route
    does when its destination covers the client's address (``session``: the
    SSH session of the task, see ``_session.ssh.find()``).
    """
    if want['dest'] == 'default':
        return 'it is the %s default route (table %s)' % (want['family'], want['table'])
    net = ipaddress.ip_network(want['dest'])
    for conn in (session or {}).get('connections') or []:
        peer = ipaddress.ip_address(conn['peer'])
        if peer.version == net.version and peer in net:
            return 'it covers %s, the client of %s' % (peer, ssh.describe(session, conn))
    return None


def _ident(route):
    return dict((k, route[k]) for k in ('family', 'dest', 'table', 'metric', 'gateway', 'dev'))


def _spec(want, have=None):
    spec = dict((k, want[k]) for k in ('family', 'dest', 'table', 'metric'))
    for key in ('gateway', 'dev', 'scope'):
        if key in want:
            spec[key] = want[key]
        elif have and have.get(key) is not None and key != 'scope':
            spec[key] = have[key]
    if 'scope' not in spec and not spec.get('gateway'):
        spec['scope'] = 'link'  # what `ip route add` picks for a route without a gateway
    return spec


def apply(ipr, steps):
    for step in steps:
        route = step['subject']
        kw = {'dst': '0.0.0.0/0' if route['family'] == 'ipv4' else '::/0'} if route['dest'] == 'default' \
            else {'dst': route['dest']}
        kw.update(family=socket.AF_INET if route['family'] == 'ipv4' else socket.AF_INET6,
                  table=route['table'], priority=route['metric'])
        if route.get('gateway'):
            kw['gateway'] = route['gateway']
        if route.get('dev'):
            kw['oif'] = _netlink.index_of(ipr, route['dev'], 'dev')
        if route.get('scope'):
            kw['scope'] = dict((v, k) for k, v in SCOPES.items())[route['scope']]
        try:
            ipr.route({'add': 'add', 'replace': 'replace', 'remove': 'del'}[step['action']], **kw)
        except _netlink.NetlinkError as exc:
            raise KernelError('%s route %s failed: %s' % (step['action'], route['dest'], _netlink.describe(exc)),
                              path='dest', failed=shown([step])[0])
