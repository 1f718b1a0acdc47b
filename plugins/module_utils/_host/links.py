# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One kernel link: normalise the wanted spec, plan against the current link, apply.

``plan()`` is pure (wanted spec, the links that exist, the management links)
and returns the ordered steps; ``apply()`` carries out exactly those steps
through the netlink wrapper. Check mode stops after the plan.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import ipaddress
import re

from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink, probes as _probes
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import (
    ConflictError, KernelError, NetprovError, ValidationError)
from ansible_collections.netprov.dockernet.plugins.module_utils._common.hostargs import U16, check_int
from ansible_collections.netprov.dockernet.plugins.module_utils._common.steps import render, render_step
from ansible_collections.netprov.dockernet.plugins.module_utils._session import ssh

KINDS = ('vlan', 'macvlan', 'ipvlan', 'bridge', 'veth', 'vxlan', 'dummy')
STACKED = ('vlan', 'macvlan', 'ipvlan')
MACVLAN_MODES = ('private', 'vepa', 'bridge', 'passthru', 'source')
IPVLAN_MODES = ('l2', 'l3', 'l3s')
IPVLAN_FLAGS = ('bridge', 'private', 'vepa')

# Options that belong to one kind only, and which kinds take them.
KIND_OPTIONS = {
    'parent': ('vlan', 'macvlan', 'ipvlan', 'vxlan'),
    'vlan_id': ('vlan',),
    'macvlan_mode': ('macvlan',),
    'ipvlan_mode': ('ipvlan',),
    'ipvlan_flag': ('ipvlan',),
    'peer': ('veth',),
    'vxlan_id': ('vxlan',),
    'vxlan_local': ('vxlan',),
    'vxlan_remote': ('vxlan',),
    'vxlan_group': ('vxlan',),
    'vxlan_port': ('vxlan',),
}
# Fixed when the link is made: a difference needs remove + create.
IMMUTABLE = ('kind',) + tuple(KIND_OPTIONS)
# Changed in place, in this order.
MUTABLE = ('mac', 'mtu', 'master', 'promisc')
CREATE_DEFAULTS = {'macvlan': {'macvlan_mode': 'bridge'}, 'vxlan': {'vxlan_port': 4789}}
KEPT = ' (kept from the link it replaces)'
# The numbers the kernel takes for each numeric option (what netlink packs them in is wider for some).
RANGES = {'vlan_id': (1, 4094), 'vxlan_id': (0, 2 ** 24 - 1), 'vxlan_port': (1, U16), 'mtu': (68, U16)}

# Changes that can cut the management path.
PROTECTED = {
    'remove': 'delete it',
    'state': 'take it down',
    'mtu': 'change its MTU',
    'mac': 'change its MAC address',
    'master': 'move it to another master',
    'remove_address': 'remove its address',
}

# The argument spec of one link: host_link's own options, and each entry of host_links' ``links``.
LINK_OPTIONS = dict(
    name=dict(type='str', required=True),
    state=dict(type='str', default='present', choices=['present', 'absent', 'up', 'down']),
    kind=dict(type='str', choices=list(KINDS)),
    parent=dict(type='str'),
    vlan_id=dict(type='int'),
    macvlan_mode=dict(type='str', choices=list(MACVLAN_MODES)),
    ipvlan_mode=dict(type='str', choices=list(IPVLAN_MODES)),
    ipvlan_flag=dict(type='str', choices=list(IPVLAN_FLAGS)),
    peer=dict(type='str'),
    vxlan_id=dict(type='int'),
    vxlan_local=dict(type='str'),
    vxlan_remote=dict(type='str'),
    vxlan_group=dict(type='str'),
    vxlan_port=dict(type='int'),
    mtu=dict(type='int'),
    promisc=dict(type='bool'),
    master=dict(type='str'),
    mac=dict(type='str'),
    addresses=dict(type='list', elements='str'),
    addresses_exclusive=dict(type='bool', default=False),
    recreate=dict(type='bool', default=False),
    force=dict(type='bool', default=False),
    persist=dict(type='bool', default=False),
    persist_dir=dict(type='path', default='/etc/systemd/network'),
    persist_parent_network=dict(type='str'),
)
LINK_MUTUALLY_EXCLUSIVE = [('vxlan_remote', 'vxlan_group')]
# What applies to the whole call, not to one link.
CALL_OPTIONS = dict(
    allow_management=dict(type='bool', default=False),
    kernel_check=dict(type='str', default='fail', choices=['fail', 'warn', 'skip']),
)

_MAC = re.compile(r'^([0-9a-f]{2}:){5}[0-9a-f]{2}$')
_NAME = re.compile(r'^[^/\s:]{1,15}$')


def _cidr(value, path):
    if '/' not in str(value):
        raise ValidationError('%r has no prefix length; write it as ADDRESS/PREFIX' % value, path=path)
    try:
        return str(ipaddress.ip_interface(str(value)))
    except ValueError as exc:
        raise ValidationError('%r is not an address in CIDR form: %s' % (value, exc), path=path)


def _ip(value, path):
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        raise ValidationError('%r is not an IP address' % (value,), path=path)


def normalise(params):
    """The wanted link from module params: only what was given, in canonical form."""
    name = params['name']
    if not _NAME.match(name or ''):
        raise ValidationError('%r is not a valid link name (1-15 characters, no "/", ":" or space)' % name,
                              path='name')
    want = {'name': name, 'state': params.get('state') or 'present'}
    kind = params.get('kind')
    if kind:
        want['kind'] = kind
    for opt, kinds in KIND_OPTIONS.items():
        value = params.get(opt)
        if value is None:
            continue
        if kind and kind not in kinds:
            raise ValidationError('only for kind %s, not %s' % (' or '.join(kinds), kind), path=opt)
        if not kind:
            raise ValidationError('needs kind (one of %s) to say what link it describes' % ', '.join(kinds),
                                  path=opt)
        want[opt] = check_int(value, RANGES[opt][0], RANGES[opt][1], opt) if opt in RANGES else value
    if kind in STACKED and 'parent' not in want:
        raise ValidationError('kind %s needs a parent link' % kind, path='parent')
    if kind == 'vlan' and want.get('vlan_id') is None:
        raise ValidationError('kind vlan needs vlan_id between 1 and 4094', path='vlan_id')
    if kind == 'veth' and not want.get('peer'):
        raise ValidationError('kind veth needs the name of its peer', path='peer')
    if kind == 'vxlan':
        if want.get('vxlan_id') is None:
            raise ValidationError('kind vxlan needs vxlan_id between 0 and 16777215', path='vxlan_id')
        for opt in ('vxlan_local', 'vxlan_remote', 'vxlan_group'):
            if opt in want:
                want[opt] = _ip(want[opt], opt)
        if 'vxlan_group' in want and not ipaddress.ip_address(want['vxlan_group']).is_multicast:
            raise ValidationError('%s is not a multicast address; use vxlan_remote for one peer'
                                  % want['vxlan_group'], path='vxlan_group')
        if 'vxlan_remote' in want and ipaddress.ip_address(want['vxlan_remote']).is_multicast:
            raise ValidationError('%s is multicast; use vxlan_group' % want['vxlan_remote'], path='vxlan_remote')
    if params.get('mtu') is not None:
        want['mtu'] = check_int(params['mtu'], RANGES['mtu'][0], RANGES['mtu'][1], 'mtu')
    if params.get('mac'):
        mac = params['mac'].lower().replace('-', ':')
        if not _MAC.match(mac):
            raise ValidationError('%r is not a MAC address (aa:bb:cc:dd:ee:ff)' % params['mac'], path='mac')
        want['mac'] = mac
    if params.get('promisc') is not None:
        want['promisc'] = bool(params['promisc'])
    if params.get('master') is not None:
        want['master'] = params['master'] or None  # '' = no master
    if params.get('addresses') is not None:
        want['addresses'] = sorted(set(_cidr(a, 'addresses[%d]' % i) for i, a in enumerate(params['addresses'])),
                                   key=_netlink._cidr_key)
        want['addresses_exclusive'] = bool(params.get('addresses_exclusive'))
    return want


def management_links(links, default_routes, session=None):
    """{link name: why it is on the management path} for the links given.

    A link is on the path when it carries a default route or the local
    address of the SSH session (``session``: see ``_session.ssh.find()``), or
    when such a link stands on it (its parent, recursively) or it is a port of
    such a bridge.
    """
    found = {}
    for route in default_routes:
        for name in route['links']:
            found.setdefault(name, 'it carries the %s default route%s (table %s)' % (
                route['family'], ' via %s' % route['gateway'] if route.get('gateway') else '', route['table']))
    for conn in (session or {}).get('connections') or []:
        for link in links.values():
            if any(a.split('/')[0] == conn['local'] for a in link['addresses']):
                found.setdefault(link['name'], 'it carries %s, the local address of %s' % (
                    conn['local'], ssh.describe(session, conn)))
    changed = True
    while changed:
        changed = False
        for link in links.values():
            if link['name'] in found:
                continue
            for upper in links.values():
                if upper['name'] not in found:
                    continue
                if upper.get('parent') == link['name']:
                    why = '%s stands on it and %s' % (upper['name'], found[upper['name']])
                elif link.get('master') == upper['name']:
                    why = 'it is a port of %s and %s' % (upper['name'], found[upper['name']])
                else:
                    continue
                found[link['name']] = why
                changed = True
                break
    return found


def _kind_settings(want):
    settings = dict((k, want[k]) for k in KIND_OPTIONS if k in want)
    for k, v in CREATE_DEFAULTS.get(want['kind'], {}).items():
        settings.setdefault(k, v)
    return settings


def _differs(want, have, key):
    if key not in want:
        return False
    if key == 'peer' and have.get('peer') is None:
        return False  # the peer is in another namespace: cannot be compared
    return want[key] != have.get(key)


def _immutable_diffs(want, have):
    return [k for k in IMMUTABLE if _differs(want, have, k)]


def removes(want, links, recreate=False):
    """Whether the plan for ``want`` can remove the link: only then is it worth looking in other namespaces."""
    have = links.get(want['name'])
    return bool(have) and (want['state'] == 'absent' or (recreate and bool(_immutable_diffs(want, have))))


def plan(want, links, management=None, recreate=False, allow_management=False, force=False, elsewhere=None):
    """(steps, warnings) taking the link from ``links[want['name']]`` to ``want``; each step's subject is the link.

    ``links``: name -> normalised link (every link in the namespace).
    ``management``: name -> reason, see management_links().
    ``elsewhere``: name -> the links in other namespaces the kernel deletes with
    it (see dependents_elsewhere()); a removal that takes any link with it is
    refused unless ``force``.
    """
    management = management or {}
    name = want['name']
    have = links.get(name)
    steps = []
    kept = {}
    if want['state'] == 'absent':
        if have:
            steps.append(_goes_with({'action': 'remove', 'subject': name, 'reason': 'state is absent'}, links,
                                    elsewhere))
        return _unless_forced(_guard(steps, management, allow_management), force, 'state'), []

    for opt in ('parent', 'master'):
        ref = want.get(opt)
        if ref and ref not in links:
            raise ValidationError('no link %s in this namespace; create it first' % ref, path=opt)
    if want.get('master'):
        master_kind = links[want['master']]['kind']
        if master_kind != 'bridge':
            raise ValidationError('%s is a %s link, not a bridge' % (want['master'], master_kind or 'physical'),
                                  path='master')
    if want.get('kind') == 'veth' and have is None and want['peer'] in links:
        raise ConflictError('a link named %s already exists; pick another peer name or remove it' % want['peer'],
                            path='peer')

    if want.get('kind') in ('macvlan', 'ipvlan') and (have is None or have.get('parent') != want['parent']):
        _check_siblings(want, links)
    if want.get('mac'):
        _check_macvlan_mac(want, have, links)
    if want.get('mtu'):
        _check_stacked_mtu(want, have, links)

    if have is None:
        if 'kind' not in want:
            raise ValidationError('no link %s exists; give kind to create it' % name, path='name')
        steps.append({'action': 'create', 'subject': name, 'kind': want['kind'], 'settings': _kind_settings(want),
                      'reason': 'no link %s' % name})
        have = {'name': name, 'kind': want['kind'], 'state': 'down', 'promisc': False, 'master': None,
                'addresses': [], 'mtu': None, 'mac': None}
    else:
        diffs = _immutable_diffs(want, have)
        if diffs:
            what = ', '.join('%s %s -> %s' % (k, have.get(k), want[k]) for k in diffs)
            if not recreate:
                raise ConflictError('%s: %s cannot change in place; set recreate: true to remove and re-create '
                                    'the link' % (name, what), path=diffs[0])
            remove = _goes_with({'action': 'remove', 'subject': name, 'reason': 'recreate: %s' % what}, links,
                                elsewhere)
            if have.get('kind') in KINDS and (have['kind'] != 'veth' or have.get('peer')):
                remove['restore'] = _as_it_was(have)  # put back if the new link cannot be made
            steps.append(remove)
            steps.append({'action': 'create', 'subject': name, 'kind': want['kind'],
                          'settings': _kind_settings(want), 'reason': 'recreate: %s' % what})
            kept = _kept(want, have, links)
            have = {'name': name, 'kind': want['kind'], 'state': 'down', 'promisc': False, 'master': None,
                    'addresses': [], 'mtu': None, 'mac': None}
    created = any(s['action'] == 'create' for s in steps)

    for key in MUTABLE:
        value, why = (want[key], '') if key in want else (kept.get(key), KEPT)
        if (key in want or key in kept) and value != have.get(key):
            steps.append({'action': 'set', 'subject': name, 'field': key, 'before': have.get(key), 'after': value,
                          'reason': '%s %s -> %s%s' % (key, have.get(key), value, why)})
    for addr in kept.get('addresses') or []:
        if addr not in want.get('addresses', []):
            steps.append({'action': 'add_address', 'subject': name, 'address': addr, 'reason': 'missing' + KEPT})
    if 'addresses' in want:
        if want['addresses_exclusive'] and not created:
            for addr in have['addresses']:
                if addr not in want['addresses']:
                    step = {'action': 'remove_address', 'subject': name, 'address': addr,
                            'reason': 'not in addresses (addresses_exclusive)'}
                    restore = _same_subnet_kept(addr, have['addresses'], want['addresses'])
                    if restore:
                        step['restore'] = restore
                    steps.append(step)
        for addr in want['addresses']:
            if addr not in have['addresses'] and addr not in have.get('link_local', []):
                steps.append({'action': 'add_address', 'subject': name, 'address': addr, 'reason': 'missing'})
    target = {'up': 'up', 'down': 'down'}.get(want['state']) or kept.get('state')
    if target and target != have.get('state'):
        steps.append({'action': 'set', 'subject': name, 'field': 'state', 'before': have.get('state'),
                      'after': target, 'reason': 'state is %s%s' % (target, '' if want['state'] == target else KEPT)})
    return _unless_forced(_guard(steps, management, allow_management), force, 'recreate'), []


def _goes_with(remove, links, elsewhere):
    """The remove step, with what the kernel deletes with its link in ``goes_with`` (when anything).

    The kernel deletes with a link its veth peer (in this or another namespace)
    and the macvlan, ipvlan, VLAN and vxlan links that stand on it, here or in
    other namespaces (a container's macvlan endpoint); and with each of those,
    what goes with it in turn.
    """
    name = remove['subject']
    elsewhere = elsewhere or {}
    gone, todo, seen = [], [name], set([name])
    while todo:
        current = todo.pop(0)
        have, on = links[current], 'it' if current == name else current
        peer_why = 'its veth peer' if current == name else 'the veth peer of %s' % current
        here = [(l['name'], 'a %s link on %s' % (l['kind'], on))
                for l in sorted(links.values(), key=lambda l: l['name'])
                if l.get('parent') == current and l.get('kind') in STACKED + ('vxlan',)]
        far = elsewhere.get(current) or []
        if have.get('kind') == 'veth':
            if have.get('peer'):
                here.append((have['peer'], peer_why))
            elif not any(f['kind'] == 'veth' for f in far):
                gone.append({'name': None, 'netns': None, 'why': peer_why + ' in another network namespace'})
        for other, why in here:
            if other not in seen:
                seen.add(other)
                gone.append({'name': other, 'netns': None, 'why': why})
                todo.append(other)
        gone.extend({'name': f['name'], 'netns': f['netns'],
                     'why': peer_why if f['kind'] == 'veth' else 'a %s link on %s' % (f['kind'], on)} for f in far)
    if gone:
        remove['goes_with'] = gone
        remove['reason'] += ' (force: the kernel deletes %s with it)' % '; '.join(_describe_gone(g) for g in gone)
    return remove


def _unless_forced(steps, force, path):
    """Refuse a removal that takes other links with it (see _goes_with), naming each, unless ``force``."""
    for step in steps:
        gone = step.get('goes_with')
        if not gone or force:
            continue
        them = 'that link' if len(gone) == 1 else 'those links'
        if any('veth peer' in g['why'] for g in gone):  # removing the peer first would remove this link too
            fix = 'Set force: true to let %s go with it' % them
        else:
            fix = 'Remove %s first (state: absent), or set force: true to let %s go with it' % (
                'it' if len(gone) == 1 else 'them', them)
        raise ConflictError('%s: removing it would make the kernel delete %s too. %s' % (
            step['subject'], '; '.join(_describe_gone(g) for g in gone), fix), path=path, goes_with=gone)
    return steps


def _describe_gone(gone):
    where = ' in network namespace %s' % gone['netns'] if gone['netns'] else ''
    if gone['name'] is None:
        return gone['why']
    return '%s%s (%s)' % (gone['name'], where, gone['why'])


def _as_it_was(have):
    """What it takes to make ``have`` again: its kind settings, then its mutable fields and addresses."""
    kind = have['kind']
    settings = dict((k, have[k]) for k, kinds in KIND_OPTIONS.items() if kind in kinds and have.get(k) is not None)
    return {'kind': kind, 'settings': settings, 'addresses': list(have.get('addresses') or []),
            'state': have.get('state'), 'fields': dict((k, have.get(k)) for k in MUTABLE if have.get(k))}


def _same_subnet_kept(addr, have, wanted):
    """Kept IPv4 addresses in ``addr``'s subnet: the kernel drops an address's secondaries with it.

    Removing it is then followed by putting them back if they went (promote_secondaries is off by default).
    """
    net = ipaddress.ip_interface(addr).network
    if net.version != 4:
        return []
    return [a for a in have if a in wanted and a != addr and ipaddress.ip_interface(a).network == net]


def _vxlan_header(want, have=None):
    ends = [want.get(k) or (have or {}).get(k) for k in ('vxlan_local', 'vxlan_remote', 'vxlan_group')]
    return 70 if any(e and ':' in e for e in ends) else 50


def _mtu_ceiling(want, have, links):
    """(highest MTU, parent, header) for a stacked link: its parent's MTU, less the vxlan header for vxlan; or None."""
    kind = want.get('kind') or (have or {}).get('kind')
    parent = links.get(want.get('parent') or (have or {}).get('parent'))
    if kind not in STACKED + ('vxlan',) or not parent or not parent.get('mtu'):
        return None
    overhead = _vxlan_header(want, have) if kind == 'vxlan' else 0
    return parent['mtu'] - overhead, parent, overhead


def _kernel_mtu(want, links):
    """The MTU the kernel gives a new link of ``want``: its parent's for macvlan, ipvlan and VLAN, the
    parent's (or 1500) less the header for vxlan, 1500 for the rest; None when the parent's is not known."""
    parent = links.get(want.get('parent')) or {}
    if want['kind'] in STACKED:
        return parent.get('mtu')
    if want['kind'] == 'vxlan':
        return (parent.get('mtu') or 1500) - _vxlan_header(want)
    return 1500


def _check_stacked_mtu(want, have, links):
    """The kernel refuses (EINVAL) a stacked link's MTU above its parent's, less the vxlan header for vxlan."""
    found = _mtu_ceiling(want, have, links)
    if found and want['mtu'] > found[0]:
        ceiling, parent, overhead = found
        kind = want.get('kind') or have.get('kind')
        raise ValidationError('%d is above what parent %s (MTU %d) can carry for a %s link: at most %d%s'
                              % (want['mtu'], parent['name'], parent['mtu'], kind, ceiling,
                                 ' (the vxlan header takes %d)' % overhead if overhead else ''), path='mtu')


def _kept(want, old, links):
    """What a re-created link keeps from the one it replaces, where the task does not set it.

    MTU (when the new link can carry it and the kernel would not give it that
    anyway), bridge master (a bridge cannot be a port), promiscuous mode, the
    up state (for state: present, which leaves it alone), and the addresses
    (unless addresses_exclusive replaces them).
    """
    kept = {}
    ceiling = _mtu_ceiling(want, None, links)
    if old.get('mtu') and old['mtu'] != _kernel_mtu(want, links) and (ceiling is None or old['mtu'] <= ceiling[0]):
        kept['mtu'] = old['mtu']
    if old.get('master') and want['kind'] != 'bridge':
        kept['master'] = old['master']
    if old.get('promisc'):
        kept['promisc'] = True
    if want['state'] == 'present' and old.get('state') == 'up':
        kept['state'] = 'up'
    if not ('addresses' in want and want['addresses_exclusive']):
        kept['addresses'] = list(old.get('addresses') or [])
    return kept


def _check_macvlan_mac(want, have, links):
    """The kernel refuses (EADDRINUSE) a macvlan MAC that its parent or a sibling macvlan already has."""
    kind = want.get('kind') or (have or {}).get('kind')
    parent = want.get('parent') or (have or {}).get('parent')
    if kind != 'macvlan' or parent not in links:
        return
    taken = [l['name'] for l in links.values() if l['name'] != want['name'] and l.get('mac') == want['mac']
             and (l['name'] == parent or (l.get('parent') == parent and l['kind'] == 'macvlan'))]
    if taken:
        raise ConflictError('%s is the MAC address of %s on parent %s; a macvlan link needs its own'
                            % (want['mac'], ', '.join(sorted(taken)), parent), path='mac')


def _check_siblings(want, links):
    """The kernel keeps one macvlan or one ipvlan port per parent: ipvlan mode
    and flag belong to the parent, and the two kinds cannot share it."""
    kind, parent = want['kind'], want['parent']
    siblings = [l for l in links.values() if l.get('parent') == parent and l['kind'] in ('macvlan', 'ipvlan')
                and l['name'] != want['name']]
    other = 'ipvlan' if kind == 'macvlan' else 'macvlan'
    clash = sorted(l['name'] for l in siblings if l['kind'] == other)
    if clash:
        raise ConflictError('%s carries %s links (%s); the kernel does not allow macvlan and ipvlan links on one '
                            'parent' % (parent, other, ', '.join(clash)), path='parent')
    if kind != 'ipvlan':
        return
    mates = [l for l in siblings if l['kind'] == 'ipvlan']
    for key in ('ipvlan_mode', 'ipvlan_flag'):
        differ = [l for l in mates if want.get(key) and l.get(key) != want[key]]
        if differ:
            raise ConflictError('%s already carries ipvlan links in mode %s, flag %s (%s); the mode and flag belong '
                                'to the parent and would change for all of them' % (
                                    parent, differ[0].get('ipvlan_mode'), differ[0].get('ipvlan_flag'),
                                    ', '.join(sorted(l['name'] for l in differ))), path=key)


def _guard(steps, management, allow_management, protected=None):
    """``steps`` unless one would cut the management path; ``protected``: step key -> what it would do
    (PROTECTED by default; the OVS modules add their own)."""
    if allow_management:
        return steps
    protected = PROTECTED if protected is None else protected
    cuts = []
    for step in steps:
        link = step['subject']
        if link not in management:
            continue
        key = step.get('field') if step['action'] == 'set' else step['action']
        if key == 'state' and step['after'] != 'down':
            continue
        if key == 'master' and step['before'] is None and step['after'] is None:
            continue
        if key in protected:
            cuts.append('would %s, but %s' % (protected[key], management[link]))
    for step in steps:
        for gone in step.get('goes_with') or []:
            if gone['netns'] is None and gone['name'] in management:
                cuts.append('would delete %s with %s, but %s' % (gone['name'], step['subject'], management[gone['name']]))
    if cuts:
        link = steps[0]['subject']
        raise ConflictError('refusing to touch the management path: %s; set allow_management: true if another '
                            'path reaches this host' % '; '.join(cuts), path=link)
    return steps


def shown(steps):
    """Link (and link file) steps as host_link and host_links list them in ``plan``: the subject as ``link``."""
    return render(steps, 'link')


def shown_step(step):
    return render_step(step, 'link')


def simulate(have, steps):
    """The whole link as it will be after ``steps`` ({} when removed)."""
    link = dict(have or {})
    for step in steps:
        if step['action'] == 'remove':
            link = {}
        elif step['action'] == 'create':
            link = dict(step['settings'], name=step['subject'], kind=step['kind'], state='down', promisc=False,
                        master=None, addresses=[], link_local=[])
        elif step['action'] == 'set':
            link[step['field']] = step['after']
        elif step['action'] == 'add_address':
            key = 'link_local' if _netlink.is_link_local6(step['address']) else 'addresses'
            link[key] = sorted(set(link.get(key) or []) | {step['address']}, key=_netlink._cidr_key)
        elif step['action'] == 'remove_address':
            link['addresses'] = [a for a in link['addresses'] if a != step['address']]
    return link


def view(want, have):
    """``have`` cut down to the fields ``want`` names (diff before/after)."""
    if not have:
        return {'name': want['name'], 'state': 'absent'}
    keys = (set(want) - {'addresses_exclusive', 'state'}) | {'name'}
    out = dict((k, have.get(k)) for k in sorted(keys))
    if 'addresses' in want:  # with the IPv6 link-local ones asked for, which the link keeps apart
        asked = [a for a in have.get('link_local') or [] if a in want['addresses']]
        out['addresses'] = sorted(list(have.get('addresses') or []) + asked, key=_netlink._cidr_key)
    out['state'] = have.get('state')
    return out


def read(ipr, session=None):
    """(links by name, management links) in the namespace ``ipr`` talks to (``session``: the SSH session there)."""
    links = dict((l['name'], l) for l in _netlink.list_links(ipr=ipr))
    mgmt = management_links(links, _netlink.default_routes(ipr=ipr), session)
    return links, mgmt


def dependents_elsewhere(links, netns=None):
    """{link name: the links in other network namespaces that stand on it or are its veth peer}.

    Each is {'name', 'kind', 'netns' (a path naming that namespace)}: what a
    container's macvlan or ipvlan endpoint, or the container end of a veth, is.
    """
    names = dict((l['index'], l['name']) for l in links.values())
    return dict((names[index], found) for index, found in _netlink.links_elsewhere(netns).items() if index in names)


# ---------------------------------------------------------------- applying

def _create_args(ipr, step):
    kind, s = step['kind'], step['settings']
    args = {'ifname': step['subject'], 'kind': kind}
    if s.get('parent'):
        idx = _netlink.index_of(ipr, s['parent'], 'parent')
        args['vxlan_link' if kind == 'vxlan' else 'link'] = idx
    if kind == 'vlan':
        args['vlan_id'] = s['vlan_id']
    elif kind == 'macvlan':
        args['macvlan_mode'] = s['macvlan_mode']
    elif kind == 'ipvlan':
        if s.get('ipvlan_mode'):
            args['ipvlan_mode'] = IPVLAN_MODES.index(s['ipvlan_mode'])
        if s.get('ipvlan_flag'):
            args['ipvlan_flags'] = IPVLAN_FLAGS.index(s['ipvlan_flag'])
    elif kind == 'veth':
        args['peer'] = s['peer']
    elif kind == 'vxlan':
        args['vxlan_id'] = s['vxlan_id']
        args['vxlan_port'] = s['vxlan_port']
        for opt in ('vxlan_local', 'vxlan_group'):
            addr = s.get(opt) or (s.get('vxlan_remote') if opt == 'vxlan_group' else None)
            if addr:
                args[opt + ('6' if ':' in addr else '')] = addr
    return args


def apply(ipr, steps):
    """Carry out ``steps``; if anything fails after this run created the
    link, the link is removed again so nothing is left half-made, and a link
    removed to be re-created is put back as it was."""
    created = replaced = None
    try:
        for step in steps:
            _apply_step(ipr, step)
            if step['action'] == 'create':
                created = step['subject']
            elif step['action'] == 'remove' and step.get('restore'):
                replaced = step
    except NetprovError as exc:
        if created:
            _rollback(ipr, created)
        if replaced:
            raise _put_back(ipr, replaced, exc)
        raise


def _put_back(ipr, removed, exc):
    """Re-make the link a failed recreate removed; the error to raise, saying whether it is back."""
    old, name = removed['restore'], removed['subject']
    steps = [{'action': 'create', 'subject': name, 'kind': old['kind'], 'settings': old['settings']}]
    steps += [{'action': 'set', 'subject': name, 'field': k, 'after': v} for k, v in sorted(old['fields'].items())]
    steps += [{'action': 'add_address', 'subject': name, 'address': a} for a in old['addresses']]
    if old['state'] in ('up', 'down'):
        steps.append({'action': 'set', 'subject': name, 'field': 'state', 'after': old['state']})
    try:
        for step in steps:
            _apply_step(ipr, step)
    except NetprovError as again:
        _rollback(ipr, name)
        return type(exc)('%s; putting the old %s link back failed too (%s): %s is gone, re-create it'
                         % (exc.msg, old['kind'], again, name), path=exc.path, restored=False, **exc.details)
    return type(exc)('%s; the old %s link %s is back as it was (settings, MAC, MTU, master, addresses; routes '
                     'through it went with it)' % (exc.msg, old['kind'], name), path=exc.path, restored=True,
                     **exc.details)


def _rollback(ipr, name):
    idx = ipr.link_lookup(ifname=name)
    if idx:
        try:
            ipr.link('del', index=idx[0])
        except _netlink.NetlinkError:
            pass


def _apply_step(ipr, step):
    name, action = step['subject'], step['action']
    try:
        if action == 'create':
            ipr.link('add', **_create_args(ipr, step))
            return
        idx = _netlink.index_of(ipr, name, 'name')
        if action == 'remove':
            ipr.link('del', index=idx)
        elif action in ('add_address', 'remove_address'):
            iface = ipaddress.ip_interface(step['address'])
            try:
                ipr.addr('add' if action == 'add_address' else 'del', index=idx, address=str(iface.ip),
                         prefixlen=iface.network.prefixlen)
            except _netlink.NetlinkError as exc:
                # Removing an IPv4 primary address takes the kernel's secondaries in its subnet with it:
                # one of those, removed next, is already gone, which is what the step asked for.
                if action == 'remove_address' and exc.code == errno.EADDRNOTAVAIL:
                    return
                raise
            for kept in step.get('restore', []):
                _restore_address(ipr, idx, kept)
        elif step['field'] == 'state':
            ipr.link('set', index=idx, state=step['after'])
        elif step['field'] == 'promisc':
            ipr.link('set', index=idx, flags=_netlink.IFF_PROMISC if step['after'] else 0,
                     change=_netlink.IFF_PROMISC)
        elif step['field'] == 'master':
            master = _netlink.index_of(ipr, step['after'], 'master') if step['after'] else 0
            ipr.link('set', index=idx, master=master)
        elif step['field'] == 'mtu':
            ipr.link('set', index=idx, mtu=step['after'])
        elif step['field'] == 'mac':
            ipr.link('set', index=idx, address=step['after'])
    except _netlink.NetlinkError as exc:
        what = action if action != 'set' else 'setting %s to %s' % (step['field'], step['after'])
        if action == 'create':
            what = 'creating %s link %s' % (step['kind'], name)
            feature = _probes.feature_for_link_kind(step['kind'])
            if exc.code in _netlink.UNSUPPORTED and feature:
                raise KernelError(_probes.missing_message(feature, _netlink.errno_name(exc.code)), path='kind',
                                  done=[], failed=shown_step(step))
        elif action in ('add_address', 'remove_address'):
            what = '%s %s' % (action.replace('_', ' '), step['address'])
        raise KernelError('%s failed: %s' % (what, _netlink.describe(exc)), path=name, failed=shown_step(step))


def _restore_address(ipr, idx, cidr):
    """Put back an address the kernel dropped as a secondary of one just removed; there already is fine."""
    iface = ipaddress.ip_interface(cidr)
    try:
        ipr.addr('add', index=idx, address=str(iface.ip), prefixlen=iface.network.prefixlen)
    except _netlink.NetlinkError as exc:
        if exc.code != errno.EEXIST:
            raise


def check_kernel(want, steps, kernel_check):
    """Refuse (or warn about) a link kind the kernel lacks before anything is made.

    Returns a list of warnings."""
    if kernel_check == 'skip' or not any(s['action'] == 'create' for s in steps):
        return []
    feature = _probes.feature_for_link_kind(want['kind'])
    if not feature:
        return []
    result = _probes.probe((feature,))[feature]
    if result['supported']:
        return []
    msg = _probes.missing_message(feature, result['detail'])
    if kernel_check == 'warn':
        return [msg + '; going ahead because kernel_check is warn']
    raise KernelError(msg + '; nothing was changed', path='kind', feature=feature)
