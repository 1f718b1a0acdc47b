# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner: wanted spec + current state -> ordered steps, each with its reason.

Pure functions. Check mode returns the plan; a real run applies exactly it.
A Docker network cannot be changed in place, so any difference in the
network itself is a `recreate`; endpoints change in place (connect,
disconnect, reconnect).
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError, join_path
from ansible_collections.netprov.dockernet.plugins.module_utils._common.steps import render, step as _step
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import (
    ENDPOINT_IFNAME, ENDPOINT_SYSCTLS, ENGINE_OPTIONS, MANAGED_LABEL, OPTION_DEFAULTS, ip_version, sysctls_of,
    sysctls_option)
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import (
    connect_body, create_body as _wire_body, endpoint_from_body, network_from_body)

_FLAGS = ('internal', 'attachable', 'ingress', 'enable_ipv6', 'enable_ipv4', 'config_only')


def _fmt(value):
    if value is None:
        return 'unset'
    if value == '':
        return "''"
    return str(value)


def compare(want, have):
    """The differences that need the network recreated, as readable strings."""
    changes = []
    if want['config_only'] is not None and want['config_only'] != have['config_only']:
        changes.append('config_only: %s -> %s' % (have['config_only'], want['config_only']))
    # A config-only network is stored with driver null.
    if want['driver'] and not have['config_only'] and want['driver'] != have['driver']:
        changes.append('driver: %s -> %s' % (have['driver'], want['driver']))
    if want['scope'] and want['scope'] != have['scope']:
        changes.append('scope: %s -> %s' % (have['scope'], want['scope']))
    for flag in _FLAGS:
        if flag != 'config_only' and want.get(flag) is not None and want[flag] != have[flag]:
            changes.append('%s: %s -> %s' % (flag, have[flag], want[flag]))
    if (want['config_from'] or None) != (have['config_from'] or None) and (
            want['config_from'] is not None or have['config_from']):
        if want['config_from'] is not None:
            changes.append('config_from: %s -> %s' % (_fmt(have['config_from']), want['config_from']))
    if not have['config_from']:
        for key in sorted(want['options']):
            if have['options'].get(key, OPTION_DEFAULTS.get(key)) != want['options'][key]:
                changes.append('driver_options.%s: %s -> %s'
                               % (key, _fmt(have['options'].get(key)), _fmt(want['options'][key])))
        if want['encrypted'] is False and have['encrypted']:
            changes.append('encrypted: true -> false')
    for key in sorted(want['labels']):
        if have['labels'].get(key) != want['labels'][key]:
            changes.append('labels.%s: %s -> %s' % (key, _fmt(have['labels'].get(key)), want['labels'][key]))
    if want['ipam_driver'] and want['ipam_driver'] != have['ipam_driver']:
        changes.append('ipam_driver: %s -> %s' % (have['ipam_driver'], want['ipam_driver']))
    for key in sorted(want['ipam_options'] or {}):
        if have['ipam_options'].get(key) != want['ipam_options'][key]:
            changes.append('ipam_driver_options.%s: %s -> %s'
                           % (key, _fmt(have['ipam_options'].get(key)), want['ipam_options'][key]))
    if want['ipam_config'] is not None and not have['config_from']:
        changes.extend(_compare_ipam(want['ipam_config'], have['ipam_config']))
    return changes


def _families(entries):
    return set(ip_version(e['subnet']) for e in entries if e.get('subnet'))


def _compare_ipam(want_cfg, have_cfg):
    """Subnets are compared per address family, and only in the families the
    user gave a subnet for: the engine adds a pool of its own choosing for a
    family left out (an IPv4 pool beside IPv6-only subnets; a ULA IPv6 pool on
    Engine 27 and later when IPv6 has no subnet), and that is not drift."""
    changes = []
    families = _families(want_cfg)
    have_by_subnet = dict((e['subnet'], e) for e in have_cfg if e.get('subnet') and ip_version(e['subnet']) in families)
    want_subnets = [e['subnet'] for e in want_cfg if e.get('subnet')]
    if sorted(want_subnets) != sorted(have_by_subnet):
        before = ', '.join(sorted(have_by_subnet)) or 'none'
        return ['ipam_config subnets: %s -> %s' % (before, ', '.join(sorted(want_subnets)))]
    for entry in want_cfg:
        if not entry.get('subnet'):
            continue
        have = have_by_subnet[entry['subnet']]
        for key in ('iprange', 'gateway'):
            if entry.get(key) and entry[key] != have.get(key):
                changes.append('ipam_config[%s].%s: %s -> %s' % (entry['subnet'], key, _fmt(have.get(key)), entry[key]))
        if entry.get('aux_addresses') is not None and entry['aux_addresses'] != (have.get('aux_addresses') or {}):
            changes.append('ipam_config[%s].aux_addresses: %s -> %s'
                           % (entry['subnet'], have.get('aux_addresses') or {}, entry['aux_addresses']))
    return changes


def _body_ipam_config(want, base, enable_ipv6, enable_ipv4):
    """The wanted subnets, and for each family the user gave none for, the pools the network had
    (a recreate keeps the addresses it was not asked to change), less a family the body turns off."""
    wanted = [e for e in want['ipam_config'] or [] if e]
    families = _families(wanted)
    kept = [e for e in base.get('ipam_config') or []
            if e.get('subnet') and ip_version(e['subnet']) not in families
            and (enable_ipv6 or ip_version(e['subnet']) != 6) and (enable_ipv4 or ip_version(e['subnet']) != 4)]
    return wanted + kept


def create_target(want, have=None):
    """The network a create makes, in the normalised shape: what is wanted, and for what is left out on a
    recreate, what the network had, so only the asked-for change happens."""
    base = have or {}

    def pick(key, default=None):
        return want[key] if want.get(key) is not None else base.get(key, default)

    config_from = pick('config_from')
    labels = dict(base.get('labels') or {})
    labels.update(want['labels'])
    labels[MANAGED_LABEL] = 'true'
    driver = want['driver'] or (base.get('driver') if not base.get('config_only') else None) or 'bridge'
    # enable_ipv4 only when asked for or when the network had IPv4 off (None: not sent, the engine's default on):
    # engines before API 1.48 do not know it.
    enable_ipv4 = pick('enable_ipv4', True)
    target = {
        'name': want['name'],
        'driver': driver,
        'internal': bool(pick('internal', False)),
        'attachable': bool(pick('attachable', False)),
        'ingress': bool(pick('ingress', False)),
        'enable_ipv6': bool(pick('enable_ipv6', False)),
        'config_only': bool(pick('config_only', False)),
        'labels': labels,
        'enable_ipv4': bool(enable_ipv4) if want.get('enable_ipv4') is not None or not enable_ipv4 else None,
        'scope': want['scope'] or (base.get('scope') if have and base.get('scope') != 'local' else None),
        'config_from': config_from,
    }
    if config_from:
        # The engine refuses labels, IPAM and options on such a network.
        return target
    options = dict((k, v) for k, v in (base.get('options') or {}).items() if k not in ENGINE_OPTIONS)
    if want['encrypted'] is False:
        options.pop('encrypted', None)
    options.update(want['options'])
    target['options'] = options
    target['ipam_config'] = _body_ipam_config(want, base, target['enable_ipv6'], enable_ipv4)
    ipam_options = dict(base.get('ipam_options') or {})
    ipam_options.update(want['ipam_options'] or {})
    target['ipam_driver'] = want['ipam_driver'] or base.get('ipam_driver') or 'default'
    target['ipam_options'] = ipam_options
    return target


def create_body(want, have=None):
    """The engine's create body of create_target(want, have)."""
    return _wire_body(create_target(want, have))


def _endpoint_for(wanted, recorded=None):
    """Merge a wanted container entry over what its endpoint had."""
    rec = dict(recorded or {})
    rec.pop('service', None)
    if wanted:
        if wanted.get('aliases') is not None:
            rec['aliases'] = wanted['aliases']
        for key in ('ipv4_address', 'ipv6_address', 'mac_address'):
            if wanted.get(key):
                rec[key] = wanted[key]
        if wanted.get('gw_priority') is not None:
            rec['gw_priority'] = wanted['gw_priority']
        opts = dict(rec.get('driver_opts') or {})
        if wanted.get('interface_name') is not None:
            opts[ENDPOINT_IFNAME] = wanted['interface_name']
        if wanted.get('sysctls') is not None:
            opts[ENDPOINT_SYSCTLS] = sysctls_option(wanted['sysctls'])
            if not wanted['sysctls']:
                del opts[ENDPOINT_SYSCTLS]
        rec['driver_opts'] = opts
    return connect_body(rec)


def _endpoint_changes(wanted, record, live):
    """Why an attached container's endpoint differs from the wanted entry."""
    reasons = []
    opts = record.get('driver_opts') or {}
    if wanted.get('mac_address') and wanted['mac_address'] != (record.get('mac') or live.get('mac')):
        reasons.append('mac_address: %s -> %s' % (_fmt(record.get('mac') or live.get('mac')), wanted['mac_address']))
    if wanted.get('gw_priority') is not None and wanted['gw_priority'] != (record.get('gw_priority') or 0):
        reasons.append('gw_priority: %s -> %s' % (record.get('gw_priority') or 0, wanted['gw_priority']))
    if wanted.get('interface_name') is not None and wanted['interface_name'] != opts.get(ENDPOINT_IFNAME):
        reasons.append('interface_name: %s -> %s' % (_fmt(opts.get(ENDPOINT_IFNAME)), wanted['interface_name']))
    if wanted.get('sysctls') is not None and wanted['sysctls'] != sysctls_of(opts):
        reasons.append('sysctls: %s -> %s' % (sysctls_of(opts), wanted['sysctls']))
    if wanted.get('aliases') is not None and sorted(wanted['aliases']) != sorted(record.get('aliases') or []):
        reasons.append('aliases: %s -> %s' % (record.get('aliases') or [], wanted['aliases']))
    for key, live_key in (('ipv4_address', 'ipv4'), ('ipv6_address', 'ipv6')):
        if wanted.get(key) and wanted[key] != (record.get(key) or live.get(live_key)):
            reasons.append('%s: %s -> %s' % (key, _fmt(record.get(key) or live.get(live_key)), wanted[key]))
        elif wanted.get(key) and not record.get(key):
            # Same address, but dynamic: pin it so it survives a restart.
            reasons.append('%s: dynamic -> fixed %s' % (key, wanted[key]))
    return reasons


def containers_text(have, names):
    """Container names for a message, each not running marked with its state (it counts all the same).

    ``have`` is wire.network_from_inspect() output; purge names busy networks' containers with it too.
    """
    out = []
    for name in names:
        state = (have['endpoints'].get(name) or {}).get('state')
        if state in (None, 'running'):
            out.append(name)
        else:
            out.append('%s (%s)' % (name, 'created, never started' if state == 'created' else state))
    return ', '.join(out)


def _refuse_mac_loss(network, reason, containers, records, path):
    """A reattach must not take away a MAC address set at container create that the engine cannot give back in a
    network connect (a record's ``mac_unrestorable``)."""
    lost = [(c, records[c]['mac_unrestorable']) for c in containers if (records.get(c) or {}).get('mac_unrestorable')]
    if lost:
        raise ConflictError(
            'network %s needs its containers reattached (%s), and this engine cannot give a container its MAC address '
            'back in a network connect (Engine 25.0 to 29.2 set one only when the container is created): %s would '
            'lose the MAC address it was created with; remove the container (docker rm -f), run this again, then '
            'create it with docker run --network %s --mac-address MAC; or upgrade to Engine 29.3 (API 1.54), whose '
            'network connect keeps it' % (network, reason, ', '.join('%s (%s)' % item for item in lost), network),
            path=path, containers=[c for c, _mac in lost])


def plan_network(want, have, records, path=''):
    """(steps, warnings) for one network; raises ConflictError when refusing.

    ``have`` is wire.network_from_inspect() output or None; ``records`` maps each attached
    container's name to wire.endpoint_from_inspect() output. Each step's subject is the network's name.
    """
    return _network_steps(want, have, records, path), []


def _network_steps(want, have, records, path):
    name = want['name']
    if want['state'] == 'absent':
        if have is None:
            return [_step('none', name, 'absent already')]
        attached = sorted(have['endpoints'])
        if attached and not want['force']:
            raise ConflictError('network %s still has containers attached: %s; detach them first or set '
                                'force: true to disconnect them' % (name, containers_text(have, attached)),
                                path=join_path(path, 'state'), containers=attached)
        steps = [_step('disconnect', name, 'force: remove the network', container=c) for c in attached]
        return steps + [_step('remove', name, 'state is absent', id=have['id'])]

    wanted_by_name = dict((c['name'], c) for c in want['containers'])
    if have is None:
        steps = [_step('create', name, 'does not exist', body=create_body(want))]
        for c in want['containers']:
            steps.append(_step('connect', name, 'listed in containers', container=c['name'],
                               endpoint=_endpoint_for(c)))
        return steps

    changes = compare(want, have)
    if changes or want['recreate'] == 'always':
        reason = '; '.join(changes) if changes else 'recreate: always'
        attached = sorted(have['endpoints'])
        keep = [c for c in attached if not (want['containers_exclusive'] and c not in wanted_by_name)]
        services = sorted(set(records[c]['service'] for c in keep if records.get(c, {}).get('service')))
        if services:
            raise ConflictError('network %s needs recreation (%s) but swarm services use it: %s; their tasks '
                                'cannot be reattached by hand; update or remove the services first'
                                % (name, reason, ', '.join(services)), path=path, services=services)
        if keep and want['recreate'] == 'never':
            raise ConflictError('network %s needs recreation (%s) and has containers attached: %s; set recreate: '
                                'reconnect to record and reattach them, or detach them first'
                                % (name, reason, containers_text(have, keep)), path=join_path(path, 'recreate'),
                                containers=keep, changes=changes)
        _refuse_mac_loss(name, reason, keep, records, path)
        reconnect = [{'container': c, 'endpoint': _endpoint_for(wanted_by_name.get(c), records.get(c))}
                     for c in keep]
        dropped = [c for c in attached if c not in keep]
        steps = [_step('recreate', name, reason, changes=changes, id=have['id'],
                       body=create_body(want, have), reconnect=reconnect, disconnect=dropped)]
        for c in want['containers']:
            if c['name'] not in have['endpoints']:
                steps.append(_step('connect', name, 'listed in containers', container=c['name'],
                                   endpoint=_endpoint_for(c)))
        return steps

    steps = []
    for c in want['containers']:
        if c['name'] not in have['endpoints']:
            steps.append(_step('connect', name, 'listed in containers', container=c['name'],
                               endpoint=_endpoint_for(c)))
            continue
        record = records.get(c['name'], {})
        reasons = _endpoint_changes(c, record, have['endpoints'][c['name']])
        if reasons:
            _refuse_mac_loss(name, '; '.join(reasons), [c['name']], records, path)
            steps.append(_step('reconnect', name, '; '.join(reasons), container=c['name'],
                               endpoint=_endpoint_for(c, record)))
    if want['containers_exclusive']:
        for c in sorted(have['endpoints']):
            if c not in wanted_by_name:
                steps.append(_step('disconnect', name, 'not in containers (containers_exclusive)', container=c))
    return steps or [_step('none', name, 'matches the spec')]


def is_change(steps):
    return any(s['action'] != 'none' for s in steps)


def shown(steps):
    """``steps`` as docker_network and docker_networks list them in ``plan``: the subject as ``network``."""
    return render(steps, 'network')


def fixed_addresses_fit(step, path=''):
    """A recreate that would strand a recorded fixed address is refused up front."""
    import ipaddress
    network = network_from_body(step['body'])
    subnets = [ipaddress.ip_network(e['subnet'], strict=False) for e in network['ipam_config'] if e.get('subnet')]
    if network['config_from']:
        return
    for item in step.get('reconnect', []):
        endpoint = endpoint_from_body(item['endpoint'])
        for key in ('ipv4_address', 'ipv6_address'):
            addr = endpoint.get(key)
            if not addr:
                continue
            ip = ipaddress.ip_address(addr)
            if not any(ip.version == s.version and ip in s for s in subnets):
                raise ConflictError('container %s has the fixed address %s, which the recreated network %s would '
                                    'not contain (subnets: %s); keep a subnet that holds it or reconnect the '
                                    'container without it first'
                                    % (item['container'], addr, step['subject'],
                                       ', '.join(str(s) for s in subnets) or 'engine-assigned'),
                                    path=join_path(path, 'ipam_config'), containers=[item['container']])
