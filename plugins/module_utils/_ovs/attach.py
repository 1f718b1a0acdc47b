# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Docker container on an OVS bridge, the way ovs-docker does it: a veth pair, one end in the container.

The container's end gets its own name, addresses, gateway, MAC and MTU; the
switch's end is a port of the bridge, with a VLAN tag. The port's
external_ids record the container (``container_id``, ``container_iface``,
as ovs-docker writes them) and the settings given (``netprov.*``), so that a
later run restores the attachment after the container restarted (its
namespace, and with it the veth pair, is then new): a task that names only
the container and the bridge puts back what the record says.

Order and the way back: the veth steps run first, then the switch's steps in
one OVSDB transaction; if that transaction fails, the veth pair this run made
is deleted again. When the container restarted, the port's row (its device
is gone) is taken out in a transaction of its own first: ovs-vswitchd does
not open a new device under a row removed and added in one transaction.
Removal takes the port out of OVSDB first, then deletes the veth pair (its
container end goes with it).
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links, netlink as _netlink
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import (
    ConflictError, KernelError, NetprovError, ValidationError)
from ansible_collections.netprov.dockernet.plugins.module_utils._common.hostargs import U16, check_int
from ansible_collections.netprov.dockernet.plugins.module_utils._ovs import model as _model

RECORD = ('addresses', 'gateway', 'mac', 'mtu')


def port_name(container_id):
    """The switch's end of a container's veth pair, as ovs-docker names it (15 characters at most)."""
    return ('%s_l' % container_id[:12])[:15]


def normalise(params):
    """The wanted attachment from module params (settings not given are None: taken from the record)."""
    want = {'container': params.get('container'), 'bridge': _model.check_name(params.get('bridge'), 'bridge'),
            'interface': _model.check_name(params.get('interface') or 'eth1', 'interface'),
            'state': params.get('state') or 'present'}
    if not want['container']:
        raise ValidationError('give the name or id of a container', path='container')
    if params.get('addresses') is not None:
        want['addresses'] = sorted(set(_links._cidr(a, 'addresses[%d]' % i) for i, a in enumerate(params['addresses'])),
                                   key=_netlink._cidr_key)
    if params.get('gateway'):
        want['gateway'] = _links._ip(params['gateway'], 'gateway')
    if params.get('mac'):
        mac = params['mac'].lower().replace('-', ':')
        if not _links._MAC.match(mac):
            raise ValidationError('%r is not a MAC address (aa:bb:cc:dd:ee:ff)' % params['mac'], path='mac')
        want['mac'] = mac
    if params.get('mtu') is not None:
        want['mtu'] = check_int(params['mtu'], 68, U16, 'mtu')
    if params.get('tag') is not None:
        want['tag'] = check_int(params['tag'], 0, 4094, 'tag') or None
    if want.get('gateway') and 'addresses' in want and not any(
            ipaddress.ip_address(want['gateway']) in ipaddress.ip_interface(a).network for a in want['addresses']):
        raise ValidationError('%s is in none of the subnets of addresses' % want['gateway'], path='gateway')
    return want


def recorded(port):
    """The settings an OVS port's external_ids record for its container."""
    ids = (port or {}).get('external_ids') or {}
    out = {}
    if ids.get('netprov.addresses') is not None:
        out['addresses'] = [a for a in ids['netprov.addresses'].split(',') if a]
    for key in ('gateway', 'mac'):
        if ids.get('netprov.' + key):
            out[key] = ids['netprov.' + key]
    if (ids.get('netprov.mtu') or '').isdigit():
        out['mtu'] = int(ids['netprov.mtu'])
    return out


def _record(container_id, settings, interface):
    ids = {'container_id': container_id, 'container_iface': interface}
    ids['netprov.addresses'] = ','.join(settings.get('addresses') or [])
    for key in ('gateway', 'mac', 'mtu'):
        ids['netprov.' + key] = str(settings[key]) if settings.get(key) is not None else None
    return ids


def plan(want, container, switch, outer, inner, inner_gateway):
    """(steps, warnings): veth steps (``veth_*``, the subject the veth's switch end, or for veth_set its
    container end) and then the switch's (plan_port's).

    ``container``: {'id', 'name', 'pid', 'running'}; ``outer``: the switch's end
    (a _host.netlink link, or None); ``inner``: the container's end, ``inner_gateway``
    its default gateway.
    """
    port = port_name(container['id'])
    have = switch['ports'].get(port)
    if have and have['bridge'] != want['bridge']:
        raise ConflictError('container %s is attached to bridge %s (port %s), not %s; detach it there first '
                            '(state: absent, bridge: %s)'
                            % (container['name'], have['bridge'], port, want['bridge'], have['bridge']),
                            path='bridge')
    if want['state'] == 'absent':
        steps = []
        if have:
            steps.append({'action': 'remove_port', 'subject': port, 'bridge': want['bridge'],
                          'interfaces': list(have['interfaces']), 'reason': 'state is absent'})
        if outer:
            steps.append({'action': 'veth_remove', 'subject': port, 'reason': 'state is absent (the container\'s end '
                          'goes with it)'})
        return steps, []
    if not container['running']:
        raise ConflictError('container %s is not running, so it has no network namespace to attach to; start it '
                            'first (a later run restores the attachment from the port\'s record)'
                            % container['name'], path='container')
    if want['bridge'] not in switch['bridges']:
        raise ValidationError('no OVS bridge %s (bridges: %s); create it first with ovs_bridge'
                              % (want['bridge'], ', '.join(sorted(switch['bridges'])) or 'none'), path='bridge')
    settings = recorded(have)
    settings.update(dict((k, want[k]) for k in RECORD if k in want))
    steps = []
    remade = outer is None or inner is None
    if remade:
        why = 'the container restarted: its end is gone; made again from the port\'s record' if have \
            else 'no veth pair into container %s' % container['name']
        if have:   # the row of the device that went: out first, so that ovs-vswitchd opens the new one
            steps.append({'action': 'remove_port', 'subject': port, 'bridge': want['bridge'],
                          'interfaces': list(have['interfaces']), 'reason': 'its device is gone'})
            switch = _model.simulate(switch, steps)
            if 'tag' not in want and have.get('tag'):
                want = dict(want, tag=have['tag'])
        if outer:
            steps.append({'action': 'veth_remove', 'subject': port, 'reason': 'its container end is gone'})
        steps.append({'action': 'veth_create', 'subject': port, 'interface': want['interface'],
                      'netns': '/proc/%d/ns/net' % container['pid'], 'settings': settings, 'reason': why})
    else:
        for key in ('mac', 'mtu'):
            if settings.get(key) is not None and settings[key] != inner.get(key):
                steps.append({'action': 'veth_set', 'subject': want['interface'], 'field': key,
                              'before': inner.get(key), 'after': settings[key],
                              'netns': '/proc/%d/ns/net' % container['pid'],
                              'reason': '%s %s -> %s' % (key, inner.get(key), settings[key])})
        if settings.get('addresses') is not None and settings['addresses'] != inner.get('addresses'):
            steps.append({'action': 'veth_set', 'subject': want['interface'], 'field': 'addresses',
                          'before': inner.get('addresses'), 'after': settings['addresses'],
                          'netns': '/proc/%d/ns/net' % container['pid'], 'reason': 'addresses differ'})
        if settings.get('gateway') and settings['gateway'] != inner_gateway:
            steps.append({'action': 'veth_set', 'subject': want['interface'], 'field': 'gateway',
                          'before': inner_gateway, 'after': settings['gateway'],
                          'netns': '/proc/%d/ns/net' % container['pid'],
                          'reason': 'default gateway %s -> %s' % (inner_gateway, settings['gateway'])})
    record = _record(container['id'], settings, want['interface'])
    port_want = {'name': port, 'bridge': want['bridge'], 'state': 'present', 'type': 'system',
                 'external_ids': record}
    if 'tag' in want:
        port_want['tag'] = want['tag']
    port_steps, warnings = _model.plan_port(port_want, switch, None)
    return steps + port_steps, warnings


# ---------------------------------------------------------------- applying

def apply_veth(steps, netns):
    """Carry out the veth steps in the switch's namespace ``netns``; returns what it made (for the way back)."""
    made = []
    for step in steps:
        try:
            if step['action'] == 'veth_remove':
                with _netlink.open_ipr(netns) as ipr:
                    idx = ipr.link_lookup(ifname=step['subject'])
                    if idx:
                        ipr.link('del', index=idx[0])
            elif step['action'] == 'veth_create':
                _create(step, netns)
                made.append(step['subject'])
            elif step['action'] == 'veth_set':
                with _netlink.open_ipr(step['netns']) as ipr:
                    _set_inner(ipr, _netlink.index_of(ipr, step['subject'], 'interface'), step['field'], step['after'],
                               step['before'])
        except _netlink.NetlinkError as exc:
            remove_veths(made, netns)
            raise KernelError('%s failed: %s; %s' % (step['reason'], _netlink.describe(exc),
                                                     'the veth pair this run made was deleted again' if made
                                                     else 'nothing was changed'), path='container',
                              failed=_model.shown([step])[0])
    return made


def _create(step, netns):
    settings, temp = step['settings'], step['subject'][:-1] + 'c'
    with _netlink.open_ipr(netns) as ipr:
        ipr.link('add', ifname=step['subject'], kind='veth', peer=temp)
        try:
            if settings.get('mtu'):
                ipr.link('set', index=_netlink.index_of(ipr, step['subject']), mtu=settings['mtu'])
            ipr.link('set', index=_netlink.index_of(ipr, temp), net_ns_fd=step['netns'])
            ipr.link('set', index=_netlink.index_of(ipr, step['subject']), state='up')
        except _netlink.NetlinkError:
            ipr.link('del', index=_netlink.index_of(ipr, step['subject']))
            raise
    try:
        with _netlink.open_ipr(step['netns']) as inner:
            idx = _netlink.index_of(inner, temp)
            inner.link('set', index=idx, ifname=step['interface'])
            for field in ('mac', 'mtu', 'addresses'):
                if settings.get(field):
                    _set_inner(inner, idx, field, settings[field], [])
            inner.link('set', index=idx, state='up')
            if settings.get('gateway'):
                _set_inner(inner, idx, 'gateway', settings['gateway'], None)
    except (_netlink.NetlinkError, NetprovError):
        remove_veths([step['subject']], netns)
        raise


def _set_inner(ipr, idx, field, after, before):
    if field == 'mac':
        ipr.link('set', index=idx, address=after)
    elif field == 'mtu':
        ipr.link('set', index=idx, mtu=after)
    elif field == 'addresses':
        for addr in before or []:
            if addr not in after:
                iface = ipaddress.ip_interface(addr)
                ipr.addr('del', index=idx, address=str(iface.ip), prefixlen=iface.network.prefixlen)
        for addr in after:
            if addr not in (before or []):
                iface = ipaddress.ip_interface(addr)
                ipr.addr('add', index=idx, address=str(iface.ip), prefixlen=iface.network.prefixlen)
    elif field == 'gateway':
        family = 10 if ':' in after else 2
        if before:
            ipr.route('del', dst='default', family=family)
        ipr.route('add', dst='default', gateway=after, oif=idx, family=family)


def remove_veths(names, netns):
    """Delete the veth pairs named (their other ends go with them); the names that could not be deleted."""
    left = []
    for name in names:
        try:
            with _netlink.open_ipr(netns) as ipr:
                idx = ipr.link_lookup(ifname=name)
                if idx:
                    ipr.link('del', index=idx[0])
        except (_netlink.NetlinkError, NetprovError):
            left.append(name)
    return left


def inner_gateway(ipr, interface):
    """The container's default gateway through ``interface``, or None."""
    for route in _netlink.default_routes(ipr=ipr):
        if interface in route['links'] and route.get('gateway'):
            return route['gateway']
    return None


def simulate_container(inner, steps):
    """The container's end as the veth steps leave it (check mode)."""
    out = dict(inner or {})
    for step in steps:
        if step['action'] == 'veth_create':
            out = dict(name=step['interface'], mac=step['settings'].get('mac'), mtu=step['settings'].get('mtu'),
                       addresses=list(step['settings'].get('addresses') or []), state='up')
            out['gateway'] = step['settings'].get('gateway')
        elif step['action'] == 'veth_set':
            out[step['field']] = step['after']
        elif step['action'] == 'veth_remove':
            out = {}
    return out or None


def phases(steps):
    """``steps`` cut into runs of one kind, in order: ('veth', steps) or ('ovsdb', steps, one transaction)."""
    out = []
    for step in steps:
        kind = 'veth' if step['action'].startswith('veth_') else 'ovsdb'
        if out and out[-1][0] == kind:
            out[-1][1].append(step)
        else:
            out.append((kind, [step]))
    return out
