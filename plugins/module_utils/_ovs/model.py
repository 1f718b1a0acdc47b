# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wanted OVS bridges and ports: normalise, plan against a read of the switch, simulate.

Pure functions over the plain dicts ``db.Switch.read()`` returns. A plan is
an ordered list of steps of the one step shape (``_common.steps``):
create_bridge, remove_bridge (the subject a bridge), create_port, remove_port,
add_interface, remove_interface (a port), and ``set`` (a record of ``table``:
``field``, ``before``, ``after``). ``db.Switch.apply()`` writes exactly those
steps in one transaction; ``simulate()`` gives the switch as the steps leave
it, which is what check mode reports; ``shown()`` is how the modules list them.

Map columns (external_ids, other_config, tunnel options) are changed key by
key: only the keys given are compared and written, a key given as null is
removed, every other key is left as it is.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import ipaddress
import numbers

from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError, ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._common.hostargs import U16, check_int
from ansible_collections.netprov.dockernet.plugins.module_utils._common.steps import render

DATAPATH_TYPES = ('system', 'netdev')
FAIL_MODES = ('standalone', 'secure')
PROTOCOLS = ('OpenFlow10', 'OpenFlow11', 'OpenFlow12', 'OpenFlow13', 'OpenFlow14', 'OpenFlow15')
CONTROLLER_PREFIXES = ('tcp:', 'ssl:', 'unix:', 'ptcp:', 'pssl:', 'punix:')
BRIDGE_FIELDS = ('datapath_type', 'fail_mode', 'stp', 'rstp', 'protocols', 'controller', 'external_ids',
                 'other_config')
BRIDGE_DEFAULTS = {'datapath_type': 'system', 'fail_mode': 'standalone', 'stp': False, 'rstp': False,
                   'protocols': [], 'controller': [], 'external_ids': {}, 'other_config': {}}

PORT_TYPES = ('system', 'internal', 'patch', 'vxlan', 'gre', 'geneve', 'bond')
# Tunnel types and the largest key (VNI) each carries.
TUNNELS = {'vxlan': 2 ** 24 - 1, 'geneve': 2 ** 24 - 1, 'gre': 2 ** 32 - 1}
VLAN_MODES = ('access', 'trunk', 'native-tagged', 'native-untagged')
BOND_MODES = ('active-backup', 'balance-slb', 'balance-tcp')
LACP_MODES = ('active', 'passive', 'off')
# Options that belong to some port types only.
TYPE_OPTIONS = {
    'peer': ('patch',),
    'remote_ip': tuple(TUNNELS),
    'local_ip': tuple(TUNNELS),
    'key': tuple(TUNNELS),
    'interfaces': ('bond',),
    'bond_mode': ('bond',),
    'lacp': ('bond',),
}
PORT_FIELDS = ('tag', 'trunks', 'vlan_mode', 'bond_mode', 'lacp', 'external_ids')
PORT_DEFAULTS = {'tag': None, 'trunks': [], 'vlan_mode': None, 'bond_mode': None, 'lacp': None, 'external_ids': {}}
# The interface options this collection manages, per type (other keys are left alone).
MANAGED_OPTIONS = {'patch': ('peer',), 'vxlan': ('remote_ip', 'local_ip', 'key'),
                   'gre': ('remote_ip', 'local_ip', 'key'), 'geneve': ('remote_ip', 'local_ip', 'key')}

# What a step that touches the management path would do, by guard key (host_link's, and the switch's own).
PROTECTED = dict(_links.PROTECTED, port='change its VLAN or bond settings',
                 type='change its interface type or options', forwarding='change how its bridge forwards')


def check_name(name, path):
    """An OVS bridge, port or interface name that is also a valid kernel link name."""
    if not isinstance(name, str) or not _links._NAME.match(name):
        raise ValidationError('%r is not a valid name (1-15 characters, no "/", ":" or space: it becomes a '
                              'network device)' % (name,), path=path)
    return name


def _map(value, path):
    """A map column's wanted keys as strings; a null value means 'remove this key'."""
    if not isinstance(value, dict):
        raise ValidationError('give a mapping of keys to strings, not %r' % (value,), path=path)
    out = {}
    for key, val in value.items():
        if not isinstance(key, str) or not key:
            raise ValidationError('key %r is not a non-empty string' % (key,), path=path)
        if val is None:
            out[key] = None
        elif isinstance(val, bool):
            out[key] = 'true' if val else 'false'   # what OVS itself writes for its boolean keys
        elif isinstance(val, (str, numbers.Number)):
            out[key] = str(val)
        else:
            raise ValidationError('%r is not a string (a list or a mapping cannot be stored in an OVSDB map)'
                                  % (val,), path='%s.%s' % (path, key))
    return out


def _choice(value, choices, path):
    if value not in choices:
        raise ValidationError('%r is not one of %s' % (value, ', '.join(choices)), path=path)
    return value


# The key each step's subject has in the modules' results: a port's steps name it as ``port``.
_SHOWN = {'create_bridge': 'bridge', 'remove_bridge': 'bridge', 'set': 'record',
          'veth_create': 'link', 'veth_remove': 'link', 'veth_set': 'link'}


def shown(steps):
    """OVS steps (and ovs_container_port's veth steps) as the ovs_* modules list them in ``plan``."""
    return render(steps, 'port', _SHOWN)


# ---------------------------------------------------------------- bridges

def normalise_bridge(params):
    """The wanted bridge from module params: only what was given, in canonical form."""
    want = {'name': check_name(params.get('name'), 'name'), 'state': params.get('state') or 'present'}
    if params.get('ports') is not None:
        if want['state'] != 'absent':
            raise ValidationError('only with state: absent (the ports that may go with the bridge); add ports '
                                  'with ovs_port', path='ports')
        want['ports'] = sorted(set(check_name(p, 'ports[%d]' % i) for i, p in enumerate(params['ports'])))
    if want['state'] == 'absent':
        want.setdefault('ports', [])
        return want
    for field in ('datapath_type', 'fail_mode'):
        if params.get(field) is not None:
            want[field] = _choice(params[field], DATAPATH_TYPES if field == 'datapath_type' else FAIL_MODES, field)
    for field in ('stp', 'rstp'):
        if params.get(field) is not None:
            want[field] = bool(params[field])
    if want.get('stp') and want.get('rstp'):
        raise ValidationError('STP and RSTP exclude each other on one bridge; enable one', path='rstp')
    if params.get('protocols') is not None:
        want['protocols'] = sorted(set(_choice(p, PROTOCOLS, 'protocols[%d]' % i)
                                       for i, p in enumerate(params['protocols'])))
    if params.get('controller') is not None:
        targets = []
        for i, target in enumerate(params['controller']):
            if not isinstance(target, str) or not target.startswith(CONTROLLER_PREFIXES) \
                    or target.endswith(':'):
                raise ValidationError('%r is not an OpenFlow controller target (tcp:IP:PORT, ssl:IP:PORT, '
                                      'unix:PATH, ptcp:PORT, pssl:PORT, punix:PATH)' % (target,),
                                      path='controller[%d]' % i)
            targets.append(target)
        want['controller'] = sorted(set(targets))
    for field in ('external_ids', 'other_config'):
        if params.get(field) is not None:
            want[field] = _map(params[field], field)
    return want


def _map_changes(wanted, have):
    """The keys of ``wanted`` whose value differs in ``have`` (None: remove a key that is there)."""
    return dict((k, v) for k, v in wanted.items() if have.get(k) != v)


def _set_steps(table, record, want, have, fields):
    steps = []
    for field in fields:
        if field not in want:
            continue
        if isinstance(want[field], dict):
            after = _map_changes(want[field], have.get(field) or {})
            if after:
                before = dict((k, (have.get(field) or {}).get(k)) for k in after)
                steps.append({'action': 'set', 'table': table, 'subject': record, 'field': field,
                              'before': before, 'after': after,
                              'reason': '%s %s' % (field, ', '.join('%s: %s -> %s' % (k, before[k], after[k])
                                                                    for k in sorted(after)))})
        elif want[field] != have.get(field):
            steps.append({'action': 'set', 'table': table, 'subject': record, 'field': field,
                          'before': have.get(field), 'after': want[field],
                          'reason': '%s %s -> %s' % (field, have.get(field), want[field])})
    return steps


def plan_bridge(want, switch, force=False, kernel=None):
    """(steps, warnings) taking the bridge in ``switch`` (a db read) to ``want``. ``kernel``: the kernel datapath
    probe (conn.kernel_datapath); a bridge it would make or move onto ``system`` without it is refused."""
    return _bridge_steps(want, switch, force, kernel), []


def _bridge_steps(want, switch, force, kernel):
    name = want['name']
    have = switch['bridges'].get(name)
    if want['state'] == 'absent':
        if not have:
            return []
        ports = [p for p in have['ports'] if p != name]
        unlisted = [p for p in ports if p not in want['ports']]
        if unlisted and not force:
            raise ConflictError('bridge %s carries ports that are not in ports: %s; list them to remove them with '
                                'the bridge, or set force: true' % (name, ', '.join(unlisted)), path='ports',
                                ports=unlisted)
        return [{'action': 'remove_bridge', 'subject': name, 'ports': ports,
                 'reason': 'state is absent%s' % (' (ports %s go with it)' % ', '.join(ports) if ports else '')}]
    offered = switch['system'].get('datapath_types') or []
    if want.get('datapath_type') and offered and want['datapath_type'] not in offered:
        raise ValidationError('ovs-vswitchd here offers datapath types %s only%s' % (
            ', '.join(offered), ' (the kernel has no OVS datapath: use netdev, the userspace datapath)'
            if want['datapath_type'] == 'system' else ''), path='datapath_type')
    datapath = want.get('datapath_type') or (have or {}).get('datapath_type') or BRIDGE_DEFAULTS['datapath_type']
    if datapath == 'system' and (kernel or {}).get('supported') is False and (have or {}).get('datapath_type') != \
            'system':
        raise ValidationError('%s needs the kernel\'s Open vSwitch datapath, which this host lacks (%s); set '
                              'datapath_type: netdev (the userspace datapath)' % (
                                  'system' if want.get('datapath_type') else 'not given, so system (the default)',
                                  kernel.get('detail')), path='datapath_type')
    if name in switch['ports'] and not have:
        raise ConflictError('%s is a port of bridge %s; a bridge needs a name no port has'
                            % (name, switch['ports'][name]['bridge']), path='name')
    if not have:
        settings = dict((f, want[f]) for f in BRIDGE_FIELDS if f in want)
        for field in ('external_ids', 'other_config'):
            if field in settings:
                settings[field] = dict((k, v) for k, v in settings[field].items() if v is not None)
                if not settings[field]:
                    del settings[field]
        return [{'action': 'create_bridge', 'subject': name, 'settings': settings, 'reason': 'no bridge %s' % name}]
    return _set_steps('Bridge', name, want, have, BRIDGE_FIELDS)


def bridge_view(want, switch):
    """The bridge in ``switch`` cut down to the fields ``want`` names (diff before/after)."""
    have = switch['bridges'].get(want['name'])
    if not have:
        return {'name': want['name'], 'state': 'absent'}
    out = {'name': want['name'], 'state': 'present'}
    for field in BRIDGE_FIELDS:
        if field in want:
            out[field] = _cut(want[field], have[field])
    if want['state'] == 'absent':
        out['ports'] = list(have['ports'])
    return out


def _cut(wanted, have):
    """A map column cut down to the keys asked about; any other value as it is."""
    if isinstance(wanted, dict):
        return dict((k, have.get(k)) for k in sorted(wanted))
    return have


# ---------------------------------------------------------------- ports

def normalise_port(params):
    """The wanted port from module params: only what was given, in canonical form."""
    want = {'name': check_name(params.get('name'), 'name'), 'bridge': check_name(params.get('bridge'), 'bridge'),
            'state': params.get('state') or 'present'}
    if want['state'] == 'absent':
        return want
    if params.get('type') is not None:
        want['type'] = _choice(params['type'], PORT_TYPES, 'type')
    if params.get('peer') is not None:
        want['peer'] = check_name(params['peer'], 'peer')
    for field in ('remote_ip', 'local_ip'):
        if params.get(field) is not None:
            want[field] = _links._ip(params[field], field)
    if params.get('key') is not None:
        want['key'] = check_int(params['key'], 0, 2 ** 32 - 1, 'key')
    if params.get('interfaces') is not None:
        members = [check_name(m, 'interfaces[%d]' % i) for i, m in enumerate(params['interfaces'])]
        if len(set(members)) != len(members):
            raise ValidationError('lists a link twice', path='interfaces')
        want['interfaces'] = members   # in the order given, so a path names the user's index
    if params.get('bond_mode') is not None:
        want['bond_mode'] = _choice(params['bond_mode'], BOND_MODES, 'bond_mode')
    if params.get('lacp') is not None:
        want['lacp'] = _choice(params['lacp'], LACP_MODES, 'lacp')
    if params.get('tag') is not None:
        tag = check_int(params['tag'], 0, 4094, 'tag')
        want['tag'] = tag or None   # 0: no access VLAN
    if params.get('trunks') is not None:
        want['trunks'] = sorted(set(check_int(t, 0, 4094, 'trunks[%d]' % i) for i, t in enumerate(params['trunks'])))
    if params.get('vlan_mode') is not None:
        want['vlan_mode'] = _choice(params['vlan_mode'], VLAN_MODES, 'vlan_mode')
    if params.get('mtu') is not None:
        want['mtu'] = check_int(params['mtu'], 68, U16, 'mtu')
    if params.get('external_ids') is not None:
        want['external_ids'] = _map(params['external_ids'], 'external_ids')
    mode = want.get('vlan_mode')
    if mode == 'access' and want.get('trunks'):
        raise ValidationError('an access port carries one VLAN (tag), not trunks; drop trunks or use '
                              'vlan_mode: trunk', path='trunks')
    if mode == 'trunk' and want.get('tag'):
        raise ValidationError('a trunk port has no access VLAN; drop tag or use vlan_mode: native-untagged or '
                              'native-tagged', path='tag')
    if mode in ('native-tagged', 'native-untagged') and 'tag' in want and not want['tag']:
        raise ValidationError('vlan_mode %s needs tag, the native VLAN' % mode, path='tag')
    return want


def port_type(port, interfaces):
    """The port type as the modules name it: bond for several interfaces, else its interface's type."""
    if len(port['interfaces']) != 1:
        return 'bond'
    return interfaces[port['interfaces'][0]]['type']


def _wanted_interfaces(want, kind):
    """[{name, type, options, mtu_request}] the port should have."""
    if kind == 'bond':
        members = [{'name': m, 'type': 'system'} for m in want['interfaces']]
    else:
        member = {'name': want['name'], 'type': kind}
        options = dict((k, want[k]) for k in MANAGED_OPTIONS.get(kind, ()) if k in want)
        if 'key' in options:
            options['key'] = str(options['key'])
        if options:
            member['options'] = options
        members = [member]
    if 'mtu' in want:
        for m in members:
            m['mtu_request'] = want['mtu']
    return members


def _check_type_options(want, kind, making):
    """The options given fit the port type; ``making``: the port is new or changes type, so the
    options that type cannot do without must be given."""
    for opt, kinds in TYPE_OPTIONS.items():
        if opt in want and kind not in kinds:
            raise ValidationError('only for type %s, not %s' % (' or '.join(kinds), kind), path=opt)
    if kind == 'patch' and 'peer' not in want and making:
        raise ValidationError('type patch needs peer, the patch port on the other bridge', path='peer')
    if kind in TUNNELS:
        if 'remote_ip' not in want and making:
            raise ValidationError('type %s needs remote_ip, the tunnel\'s far end' % kind, path='remote_ip')
        if want.get('key', 0) > TUNNELS[kind]:
            raise ValidationError('%d is outside 0..%d, the %s key range' % (want['key'], TUNNELS[kind], kind),
                                  path='key')
        if 'local_ip' in want and 'remote_ip' in want and \
                ipaddress.ip_address(want['local_ip']).version != ipaddress.ip_address(want['remote_ip']).version:
            raise ValidationError('%s is not of the address family of remote_ip %s'
                                  % (want['local_ip'], want['remote_ip']), path='local_ip')
    if kind == 'bond' and ('interfaces' in want or making) and len(want.get('interfaces') or []) < 2:
        raise ValidationError('type bond needs interfaces, two links or more', path='interfaces')


def plan_port(want, switch, links=None):
    """(steps, warnings) taking the port in ``switch`` (a db read) to ``want``.

    ``links``: the kernel links of the switch's namespace by name, or None
    when they cannot be seen (a switch reached over TCP): then a link a
    system port or bond names is not checked here.
    """
    return _port_steps(want, switch, links), []


def _port_steps(want, switch, links):
    name, bridge = want['name'], want['bridge']
    have = switch['ports'].get(name)
    if have and have['bridge'] != bridge:
        raise ConflictError('port %s is on bridge %s, not %s; remove it there first (state: absent, bridge: %s) '
                            'to move it' % (name, have['bridge'], bridge, have['bridge']), path='bridge')
    if want['state'] == 'absent':
        if not have:
            return []
        if name == bridge:
            raise ConflictError('%s is the bridge\'s own internal port; it goes with the bridge (ovs_bridge '
                                'state: absent)' % name, path='name')
        return [{'action': 'remove_port', 'subject': name, 'bridge': bridge,
                 'interfaces': list(have['interfaces']), 'reason': 'state is absent'}]
    if bridge not in switch['bridges']:
        raise ValidationError('no OVS bridge %s (bridges: %s); create it first with ovs_bridge'
                              % (bridge, ', '.join(sorted(switch['bridges'])) or 'none'), path='bridge')
    kind = want.get('type') or (port_type(have, switch['interfaces']) if have else 'system')
    _check_type_options(want, kind, making=not have or kind != port_type(have, switch['interfaces']))
    if kind == 'bond' and 'interfaces' not in want:   # an existing bond keeps its links
        want = dict(want, interfaces=list(have['interfaces']))
    if name == bridge and kind != 'internal':
        raise ValidationError('%s is the bridge\'s own port, always internal' % name, path='type')
    if kind == 'bond' and name in want['interfaces']:
        raise ValidationError('a bond port needs a name of its own, not one of its links', path='name')
    members = _wanted_interfaces(want, kind)
    for i, member in enumerate(members):
        path = 'interfaces[%d]' % want['interfaces'].index(member['name']) if kind == 'bond' else 'name'
        owner = switch['interfaces'].get(member['name'], {}).get('port')
        if owner and owner != name:
            raise ConflictError('interface %s is already on port %s (bridge %s)' % (
                member['name'], owner, switch['ports'][owner]['bridge']), path=path)
        if links is None or owner:
            continue
        if member['type'] == 'system' and member['name'] not in links:
            raise ValidationError('no link %s in the switch\'s network namespace; a %s port adds an existing '
                                  'link (create it first, or use type internal for a port OVS makes)'
                                  % (member['name'], kind), path=path)
        if member['type'] != 'system' and member['name'] in links and not links[member['name']].get('expected'):
            raise ConflictError('a %s link named %s already exists; OVS makes a device of that name for a %s port: '
                                'pick another name' % (links[member['name']].get('kind') or 'physical',
                                                       member['name'], kind), path=path)
    settings = dict((f, want[f]) for f in PORT_FIELDS if f in want and f != 'external_ids')
    if not have:
        if want.get('external_ids'):
            settings['external_ids'] = dict((k, v) for k, v in want['external_ids'].items() if v is not None)
        settings = dict((k, v) for k, v in settings.items() if v not in (None, []))
        return [{'action': 'create_port', 'subject': name, 'bridge': bridge, 'type': kind, 'interfaces': members,
                 'settings': settings, 'reason': 'no port %s on %s' % (name, bridge)}]
    steps = []
    wanted_names = [m['name'] for m in members]
    for old in have['interfaces']:
        if old not in wanted_names:
            steps.append({'action': 'remove_interface', 'subject': name, 'interface': old,
                          'reason': 'interface %s is not in the wanted %s port' % (old, kind)})
    for member in members:
        current = switch['interfaces'].get(member['name'])
        if current is None:
            steps.append({'action': 'add_interface', 'subject': name, 'interface': member,
                          'reason': 'interface %s missing' % member['name']})
            continue
        steps.extend(_interface_steps(member, current))
    steps.extend(_set_steps('Port', name, want, have, PORT_FIELDS))
    return steps


def _interface_steps(member, current):
    iface = member['name']
    steps = []
    options = dict(member.get('options') or {})
    if member['type'] != current['type']:
        steps.append({'action': 'set', 'table': 'Interface', 'subject': iface, 'field': 'type',
                      'before': current['type'], 'after': member['type'],
                      'reason': 'type %s -> %s' % (current['type'], member['type'])})
        # the options of the old type do not belong to the new one
        for key in current['options']:
            options.setdefault(key, None)
    steps.extend(_set_steps('Interface', iface, {'options': options}, current, ('options',)) if options else [])
    if 'mtu_request' in member:
        steps.extend(_set_steps('Interface', iface, member, current, ('mtu_request',)))
    return steps


def port_view(want, switch):
    """The port in ``switch`` cut down to the fields ``want`` names (diff before/after)."""
    have = switch['ports'].get(want['name'])
    if not have or have['bridge'] != want['bridge']:
        return {'name': want['name'], 'bridge': want['bridge'], 'state': 'absent'}
    out = {'name': want['name'], 'bridge': want['bridge'], 'state': 'present',
           'type': port_type(have, switch['interfaces'])}
    for field in PORT_FIELDS:
        if field in want:
            out[field] = _cut(want[field], have[field])
    first = switch['interfaces'].get(have['interfaces'][0]) or {}
    for field in ('peer', 'remote_ip', 'local_ip', 'key'):
        if field in want:
            value = first.get('options', {}).get(field)
            out[field] = int(value) if field == 'key' and value is not None and value.isdigit() else value
    if 'interfaces' in want:
        out['interfaces'] = list(have['interfaces'])
    if 'mtu' in want:
        out['mtu'] = first.get('mtu_request')
    return out


def port_facts(name, switch):
    """The whole port as ovs_port and ovs_info return it, its interfaces with their state; None when absent."""
    port = switch['ports'].get(name)
    if not port:
        return None
    out = dict(port, type=port_type(port, switch['interfaces']))
    out['interfaces'] = [dict(switch['interfaces'][i]) for i in port['interfaces'] if i in switch['interfaces']]
    return out


# ---------------------------------------------------------------- check mode

def simulate(switch, steps):
    """The switch as ``steps`` leave it (a deep copy; ``switch`` is not changed)."""
    sw = copy.deepcopy(switch)
    bridges, ports, ifaces = sw['bridges'], sw['ports'], sw['interfaces']

    def add_port(bridge, name, members, settings):
        ports[name] = dict(PORT_DEFAULTS, name=name, bridge=bridge, interfaces=sorted(m['name'] for m in members))
        ports[name].update(copy.deepcopy(settings))
        for m in members:
            add_iface(name, m)
        bridges[bridge]['ports'] = sorted(set(bridges[bridge]['ports']) | {name})

    def add_iface(port, m):
        ifaces[m['name']] = {'name': m['name'], 'port': port, 'type': m.get('type', 'system'),
                             'options': dict(m.get('options') or {}), 'mtu_request': m.get('mtu_request'),
                             'mtu': None, 'admin_state': None, 'link_state': None, 'ofport': None,
                             'mac_in_use': None, 'error': None}

    def drop_port(name):
        for i in ports[name]['interfaces']:
            ifaces.pop(i, None)
        del ports[name]

    for step in steps:
        action = step['action']
        if action == 'create_bridge':
            bridges[step['subject']] = dict(copy.deepcopy(BRIDGE_DEFAULTS), name=step['subject'], ports=[])
            bridges[step['subject']].update(copy.deepcopy(step['settings']))
            add_port(step['subject'], step['subject'], [{'name': step['subject'], 'type': 'internal'}], {})
        elif action == 'remove_bridge':
            for port in bridges[step['subject']]['ports']:
                drop_port(port)
            del bridges[step['subject']]
        elif action == 'create_port':
            add_port(step['bridge'], step['subject'], step['interfaces'], step['settings'])
        elif action == 'remove_port':
            drop_port(step['subject'])
            bridges[step['bridge']]['ports'] = [p for p in bridges[step['bridge']]['ports'] if p != step['subject']]
        elif action == 'add_interface':
            add_iface(step['subject'], step['interface'])
            ports[step['subject']]['interfaces'] = sorted(ports[step['subject']]['interfaces'] +
                                                          [step['interface']['name']])
        elif action == 'remove_interface':
            ifaces.pop(step['interface'], None)
            ports[step['subject']]['interfaces'] = [i for i in ports[step['subject']]['interfaces']
                                                    if i != step['interface']]
        elif action == 'set':
            record = {'Bridge': bridges, 'Port': ports, 'Interface': ifaces}[step['table']][step['subject']]
            if isinstance(step['after'], dict):
                current = record.setdefault(step['field'], {})
                for key, value in step['after'].items():
                    if value is None:
                        current.pop(key, None)
                    else:
                        current[key] = value
            else:
                record[step['field']] = step['after']
    return sw


def expected(switch, links, bridges=(), link_names=()):
    """(switch, links) as the earlier tasks of a check-mode run would leave them: each of ``bridges`` that is
    not there is added as ovs_bridge would make it (with its internal port), each of ``link_names`` is taken as
    a link of unknown kind (which a port OVS makes may be: host_links may have planned that very device).
    ``links`` None (a switch on another host) stays None."""
    missing = [b for b in bridges if b not in switch['bridges']]
    switch = simulate(switch, [{'action': 'create_bridge', 'subject': b, 'settings': {}, 'reason': 'expected'}
                               for b in missing])
    if links is not None:
        links = dict(links)
        for name in list(link_names) + missing:
            links.setdefault(name, {'name': name, 'kind': None, 'expected': True})
    return switch, links


# ---------------------------------------------------------------- management path

def management(links, default_routes, switch, session=None):
    """{kernel link: why it is on the management path}, host_link's rules with OVS ports as bridge ports.

    A link that is an interface of an OVS port counts as a port of its bridge
    (the bridge's internal device), so when that device carries the default
    route or the SSH session's address (``session``: see ``_session.ssh.find()``),
    every link on the bridge does too.
    """
    links = dict((n, dict(l)) for n, l in links.items())
    for port in switch['ports'].values():
        if port['bridge'] not in links:
            continue
        for iface in port['interfaces']:
            if iface in links and iface != port['bridge']:
                links[iface]['master'] = port['bridge']
    return _links.management_links(links, default_routes, session)


def guard(steps, switch, mgmt, allow_management=False):
    """``steps`` unless one would cut the management path (host_link's guard, on the interfaces each touches)."""
    def ifaces_of_port(port):
        return (switch['ports'].get(port) or {}).get('interfaces') or []

    probes = []
    for step in steps:
        action = step['action']
        if action == 'remove_bridge':
            for port in (switch['bridges'].get(step['subject']) or {}).get('ports') or []:
                probes += [{'action': 'remove', 'subject': i} for i in ifaces_of_port(port)]
        elif action == 'remove_port':
            probes += [{'action': 'remove', 'subject': i} for i in ifaces_of_port(step['subject'])]
        elif action == 'remove_interface':
            probes.append({'action': 'remove', 'subject': step['interface']})
        elif action == 'create_port':
            probes += [{'action': 'set', 'field': 'master', 'subject': m['name'], 'before': None,
                        'after': step['bridge']} for m in step['interfaces']]
        elif action == 'add_interface':
            probes.append({'action': 'set', 'field': 'master', 'subject': step['interface']['name'], 'before': None,
                           'after': (switch['ports'].get(step['subject']) or {}).get('bridge')})
        elif action == 'set':
            if step['table'] == 'Bridge':
                if step['field'] in ('external_ids', 'other_config'):
                    continue
                touched = [i for p in switch['bridges'][step['subject']]['ports'] for i in ifaces_of_port(p)]
                key = 'forwarding'
            elif step['table'] == 'Port':
                if step['field'] == 'external_ids':
                    continue
                touched, key = ifaces_of_port(step['subject']), 'port'
            else:
                touched = [step['subject']]
                key = 'mtu' if step['field'] == 'mtu_request' else 'type'
            probes += [{'action': 'set', 'field': key, 'subject': i, 'before': step['before'], 'after': step['after']}
                       for i in touched]
    _links._guard(probes, mgmt, allow_management, protected=PROTECTED)
    return steps
