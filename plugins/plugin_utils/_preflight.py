# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight role's checks, as pure functions of what a host has and what
its inventory asks. Facts come from host_network_info, the engine's /version,
docker_network_info and `ss`; nothing here touches a host. The role calls
them on the controller through the netprov.dockernet.preflight_verdict filter."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.six import string_types

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import NetprovError, validator_message
from ansible_collections.netprov.dockernet.plugins.module_utils._overlay.esp import (
    ESP_OVERHEAD, OVERLAY_DEFAULT_MTU, VXLAN_OVERHEAD)
from ansible_collections.netprov.dockernet.plugins.module_utils._network import gates
from ansible_collections.netprov.dockernet.plugins.module_utils._network.hostcheck import needed_features as network_features
from ansible_collections.netprov.dockernet.plugins.module_utils._host.links import STACKED
from ansible_collections.netprov.dockernet.plugins.module_utils._host.probes import feature_for_link_kind
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import (
    GWBRIDGE, MTU_OPTION, PARENT_DRIVERS, PREDEFINED, network_options, normalise_want)
from ansible_collections.netprov.dockernet.plugins.plugin_utils import _preflight_ovs

BRIDGE_NAME = 'com.docker.network.bridge.name'
# Interfaces the engine makes for its own networks: their routes are the
# requested subnets themselves on a second run, not something in the way.
# A bridge named with com.docker.network.bridge.name is one too (see _engine_bridges).
DOCKER_LINK = re.compile(r'^(docker0|%s|br-[0-9a-f]{12}|veth.*|vx-.*)$' % GWBRIDGE)


# -- the inventory's input, checked before any check reads it -----------------------------------

# Each list of the inventory: the variable users set, the argument spec its entries take (the same spec the
# module that acts on them validates with), whether keys outside that spec are refused, and an example.
_POOL_SPEC = dict(base=dict(type='str', required=True), size=dict(type='int', required=True))
_RANGE_SPEC = dict(name=dict(type='str', required=True), cidr=dict(type='str', required=True))
_SHIM_SPEC = dict(name=dict(type='str', required=True), parent=dict(type='str', required=True),
                  address=dict(type='str'), routes=dict(type='list', elements='str'),
                  mode=dict(type='str', choices=['bridge', 'private', 'vepa', 'passthru', 'source']),
                  state=dict(type='str', choices=['present', 'absent']), persist=dict(type='bool'))
# host_link takes many more options; these are the ones read here (host_link checks the rest).
_LINK_SPEC = dict(name=dict(type='str', required=True), kind=dict(type='str'), parent=dict(type='str'),
                  state=dict(type='str'), mtu=dict(type='int'))
_LISTS = {
    'networks': ('networks_networks', network_options(top_level=False), True, 'netprov.dockernet.docker_network',
                 '{name: app, ipam_config: [{subnet: 198.18.1.0/24}]}'),
    'swarm_networks': ('swarm_networks', network_options(top_level=False), True,
                       'netprov.dockernet.docker_network', '{name: mesh, attachable: true, mtu: 1400}'),
    'links': ('interfaces_links', _LINK_SPEC, False, 'netprov.dockernet.host_link',
              '{name: eth1.30, kind: vlan, parent: eth1, vlan_id: 30}'),
    'shims': ('interfaces_macvlan_shims', _SHIM_SPEC, True, 'the interfaces role',
              '{name: lanshim, parent: eth1, address: 198.18.224.121/32}'),
    'address_pools': ('engine_default_address_pools', _POOL_SPEC, True, 'the engine role',
                      '{base: 198.18.0.0/16, size: 24}'),
    'external_ranges': ('preflight_external_ranges', _RANGE_SPEC, True, 'the preflight role',
                        '{name: vpn, cidr: 10.8.0.0/16}'),
    'ovs_bridges': (_preflight_ovs.BRIDGES, _preflight_ovs.BRIDGE_SPEC, False, 'netprov.dockernet.ovs_bridge',
                    _preflight_ovs.BRIDGE_EXAMPLE),
    'ovs_ports': (_preflight_ovs.PORTS, _preflight_ovs.PORT_SPEC, False, 'netprov.dockernet.ovs_port',
                  _preflight_ovs.PORT_EXAMPLE),
}
# The single values: the variable users set, and its spec.
_SCALARS = {
    'bip': ('engine_bip', dict(type='str')),
    'live_restore': ('engine_live_restore', dict(type='bool')),
    'swarm': ('preflight_swarm', dict(type='bool')),
    'swarm_manager': ('preflight_swarm_manager', dict(type='bool')),
    'swarm_default_addr_pool': ('swarm_default_addr_pool', dict(type='list', elements='str')),
    'swarm_gwbridge_subnet': ('swarm_gwbridge_subnet', dict(type='str')),
    'swarm_data_path_port': ('swarm_data_path_port', dict(type='int')),
    'swarm_advertise_addr': ('swarm_advertise_addr', dict(type='str')),
    'min_engine_version': ('preflight_min_engine_version', dict(type='str')),
    'require_ipvs': ('preflight_require_ipvs', dict(type='bool')),
    'routing_mesh': ('preflight_routing_mesh', dict(type='bool')),
    'swarm_ingress': ('preflight_swarm_ingress', dict(type='dict')),
    'socket': ('preflight_engine_socket', dict(type='str')),
    'own_links': ('interfaces_macvlan_shims', dict(type='list', elements='str')),
    'ovsdb': ('interfaces_ovsdb', dict(type='str')),
}


_ARGUMENT = re.compile(r"^(?:argument|Elements value for option) '([^']+)' (.*)$", re.S)


def _messages(result, rename=None):
    """The argument validator's errors as (field or None, what is wrong), in the inventory's names."""
    out = []
    for err in result.errors:
        if type(err).__name__ == 'NoLogError':
            continue  # the same conversion failure, said again
        msg = validator_message(str(err))  # the same line on every ansible-core
        found = _ARGUMENT.match(msg)
        if found:
            out.append(((rename or {}).get(found.group(1), found.group(1)), found.group(2)))
        else:
            out.append((None, msg))
    return out


def _line(where, field, msg):
    return '%s %s: %s' % (where, field, msg) if field else '%s: %s' % (where, msg)


def _where(var, i, item):
    name = item.get('name') if isinstance(item, dict) else None
    return "%s[%d]%s" % (var, i, " '%s'" % name if isinstance(name, string_types) else '')


def _network(var, i, item, params, default_driver):
    """(entry, problems) for one validated network, normalised by the modules' own code, as the checks read it."""
    try:
        want = normalise_want(dict(params, driver=params.get('driver') or default_driver))
    except NetprovError as exc:
        return None, [_line(_where(var, i, item), exc.path, exc.msg)]
    opts = want['options']
    mtu = int(opts[MTU_OPTION]) if opts.get(MTU_OPTION) else None   # normalise_want refused one that is not digits
    return {'name': want['name'], 'state': want['state'], 'want': want, 'driver': want['driver'],
            'parent': opts.get('parent'),
            'ipvlan_mode': opts.get('ipvlan_mode'), 'encrypted': 'encrypted' in opts, 'mtu': mtu, 'options': opts,
            'config_only': want['config_only'], 'config_from': want['config_from'],
            'subnets': [e['subnet'] for e in want['ipam_config'] or [] if e.get('subnet')]}, []


def _checked_list(key, value):
    """(entries, problems): each entry validated as the module that takes it would; a bad one is None."""
    var, spec, strict, who, example = _LISTS[key]
    if value is None:
        return [], []
    if not isinstance(value, list):
        return [], ['%s: must be a list, not %s %r; write it like [%s]' % (var, type(value).__name__, value, example)]
    entries, problems = [], []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            entries.append(None)
            problems.append('%s[%d]: must be a dict, not %s %r; write it like %s'
                            % (var, i, type(item).__name__, item, example))
            continue
        params = item if strict else dict((k, v) for k, v in item.items() if k in spec)
        result = ArgumentSpecValidator(spec).validate(params)
        lines = _messages(result)
        if lines:
            entries.append(None)
            where = _where(var, i, item)
            problems.extend('%s; write it as %s takes it (for example %s)' % (_line(where, field, msg), who, example)
                            for field, msg in lines)
            continue
        entry = result.validated_parameters
        if key in ('networks', 'swarm_networks'):
            entry, lines = _network(var, i, item, entry, 'overlay' if key == 'swarm_networks' else 'bridge')
            problems.extend(lines)
        entries.append(entry)
    return entries, problems


def checked_want(want):
    """(want, problems): every value of the inventory in the type the checks read, or named in a problem and left
    out, so a bad value is one clean line, never a crash."""
    out, problems = {}, []
    for key, value in want.items():
        if key in _LISTS:
            out[key], lines = _checked_list(key, value)
            problems.extend(lines)
        elif key in _SCALARS:
            var, spec = _SCALARS[key]
            result = ArgumentSpecValidator({key: spec}).validate({key: value})
            lines = _messages(result, {key: var})
            problems.extend('%s: %s; give %s' % (field or var, msg, _SCALAR_FIX.get(spec['type'], 'a %s' % spec['type']))
                            for field, msg in lines)
            out[key] = None if lines else result.validated_parameters.get(key)
        else:
            out[key] = value
    return out, problems


_SCALAR_FIX = {'bool': 'true or false', 'int': 'a whole number', 'str': 'a string',
               'list': 'a list of strings, like [198.18.176.0/21]'}


def _items(want, key):
    """(index, entry) of the valid entries of one inventory list."""
    return [(i, e) for i, e in enumerate(want.get(key) or []) if e is not None]


def _dicts(value):
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _map(value):
    return value if isinstance(value, dict) else {}


def _net(cidr):
    try:
        return ipaddress.ip_network(u'%s' % cidr, strict=False)
    except ValueError:
        return None


def _version(text):
    return tuple(int(x) for x in re.findall(r'\d+', str(text or ''))[:3])


def _wanted_ranges(want):
    """Every range the inventory asks for: (label, network, entry or None)."""
    out = []
    for label, cidr in [('engine_bip', want.get('bip'))] + \
            [('engine_default_address_pools[%d]' % i, p.get('base')) for i, p in _items(want, 'address_pools')]:
        if cidr:
            out.append((label, cidr, None))
    if want.get('swarm'):
        for i, cidr in enumerate(want.get('swarm_default_addr_pool') or []):
            out.append(('swarm_default_addr_pool[%d]' % i, cidr, None))
        if want.get('swarm_gwbridge_subnet'):
            out.append(('swarm_gwbridge_subnet', want['swarm_gwbridge_subnet'], None))
        if _wanted_ingress(want):
            out.append(('swarm_ingress.subnet', _wanted_ingress(want), None))
    for var, key in (('networks_networks', 'networks'), ('swarm_networks', 'swarm_networks')):
        if key == 'swarm_networks' and not want.get('swarm'):
            continue
        for i, entry in _items(want, key):
            if entry['state'] == 'absent':
                continue
            for j, cidr in enumerate(entry['subnets']):
                out.append(("%s[%d] '%s' ipam_config[%d].subnet" % (var, i, entry['name'], j), cidr, entry))
    return out


def _wanted_ingress(want):
    """The subnet the inventory asks the swarm's ingress network to have (swarm_ingress.subnet), or None."""
    return _map(want.get('swarm_ingress')).get('subnet') or None


def _current_ingress(want, fleet_ingress):
    """(label, network) of the swarm's ingress network as the engines of the fleet have it, when the inventory
    does not ask for another subnet: the routing mesh's addresses must be clear of every swarm host's routes too."""
    if not want.get('swarm') or _wanted_ingress(want):
        return []
    out, seen = [], set()
    for net in _dicts(fleet_ingress):
        for cfg in _dicts(net.get('ipam_config')):
            enet = _net(cfg.get('subnet'))
            if enet is not None and enet not in seen:
                seen.add(enet)
                out.append(("the swarm's ingress network '%s'" % net.get('name'), enet))
    return out


def _on_parent_lan(entry, route):
    """A macvlan/ipvlan L2 network may share its parent's LAN subnet: that is the point of it."""
    if not entry or entry.get('driver') not in PARENT_DRIVERS:
        return False
    if entry.get('driver') == 'ipvlan' and entry.get('ipvlan_mode') in ('l3', 'l3s'):
        return False
    parent = entry.get('parent') or ''
    return route.get('dev') in (parent, parent.split('.')[0])


def _same_network_family(entry_a, entry_b):
    """Two macvlan/ipvlan L2 entries on one LAN legitimately share its subnet."""
    return (entry_a and entry_b and entry_a.get('driver') in PARENT_DRIVERS
            and entry_b.get('driver') in PARENT_DRIVERS)


def _engine_bridges(want, engine_networks):
    """The Linux bridges named with com.docker.network.bridge.name, by the inventory or on the engine: the engine
    made them, and their routes are its networks' own subnets."""
    names = set()
    for key in ('networks', 'swarm_networks'):
        for _i, entry in _items(want, key):
            names.add(entry['options'].get(BRIDGE_NAME))
    for net in _dicts(engine_networks):
        names.add(_map(net.get('options')).get(BRIDGE_NAME))
    return set(n for n in names if n)


def _host_route_problems(label, net, entry, host_routes, own, fix=''):
    problems = []
    for route in _dicts(host_routes):
        dest, dev = route.get('dest'), route.get('dev')
        if dest in (None, 'default') or DOCKER_LINK.match(u'%s' % (dev or '')) or dev in own:
            continue
        rnet = _net(dest)
        if rnet is None or rnet.version != net.version or rnet.prefixlen == 0 or not rnet.overlaps(net):
            continue
        if _on_parent_lan(entry, route):
            continue
        problems.append('%s %s overlaps the host route %s dev %s%s' % (label, net, rnet, dev, fix))
    return problems


def check_ranges(want, host_routes, engine_networks, fleet_ingress=()):
    """``fleet_ingress``: the ingress networks (docker_network_info entries) the engines of the fleet have."""
    problems = []
    ranges = []
    for label, cidr, entry in _wanted_ranges(want):
        net = _net(cidr)
        if net is None:
            problems.append('%s: %s is not a CIDR' % (label, cidr))
        else:
            ranges.append((label, net, entry))
    # Among themselves.
    for i, (label_a, net_a, entry_a) in enumerate(ranges):
        for label_b, net_b, entry_b in ranges[i + 1:]:
            if net_a.version == net_b.version and net_a.overlaps(net_b) and \
                    not _same_network_family(entry_a, entry_b):
                problems.append('%s %s overlaps %s %s' % (label_a, net_a, label_b, net_b))
    # The host's routes (not the engine's own bridges, not default routes).
    own = set(want.get('own_links') or []) | _engine_bridges(want, engine_networks)
    for label, net, entry in ranges:
        problems += _host_route_problems(label, net, entry, host_routes, own)
    for label, net in _current_ingress(want, fleet_ingress):
        problems += _host_route_problems(label, net, None, host_routes, own,
                                         '; give the swarm another ingress subnet (swarm_ingress.subnet) or move '
                                         'the route')
    # External ranges the inventory declares (VPN, corporate, cloud VPC).
    for _i, ext in _items(want, 'external_ranges'):
        enet = _net(ext.get('cidr'))
        if enet is None:
            problems.append("preflight_external_ranges '%s': %s is not a CIDR" % (ext.get('name'), ext.get('cidr')))
            continue
        for label, net, entry in ranges:
            if net.version == enet.version and net.overlaps(enet):
                problems.append("%s %s overlaps the external range '%s' %s" % (label, net, ext.get('name'), enet))
    # Networks already on the engine that the inventory does not declare (ingress, docker_gwbridge, others).
    declared = set(e['name'] for key in ('networks', 'swarm_networks') for _i, e in _items(want, key))
    for existing in _dicts(engine_networks):
        name = existing.get('name')
        if name in declared or name in PREDEFINED:
            continue
        if existing.get('ingress') and _wanted_ingress(want) and want.get('swarm'):
            continue  # swarm_ingress replaces it
        for cfg in _dicts(existing.get('ipam_config')):
            enet = _net(cfg.get('subnet'))
            if enet is None:
                continue
            for label, net, entry in ranges:
                if net.version != enet.version or not net.overlaps(enet):
                    continue
                if name == GWBRIDGE and label == 'swarm_gwbridge_subnet' and net == enet:
                    continue
                if label.startswith(('engine_default_address_pools', 'swarm_default_addr_pool')):
                    continue  # networks the engine took from its own pools
                problems.append("%s %s overlaps the engine's existing network '%s' %s" % (label, net, name, enet))
    return problems


def _why(where, feature, driver, options):
    if feature == 'vlan':
        return '%s (parent %s is an 802.1Q sub-interface)' % (where, options.get('parent'))
    if feature == 'esp':
        return '%s (encrypted overlay)' % where
    if feature == 'dummy':
        return '%s (driver %s without a parent: the engine hangs it on a dummy link)' % (where, driver)
    return '%s (driver %s)' % (where, driver)


# Why a swarm host needs IPVS, and what to do without it.
ROUTING_MESH = ('swarm_routing_mesh (ports published in ingress mode answer on every node through the routing mesh, '
                'which needs IPVS)')
_FIXES = {('ipvs', ROUTING_MESH): 'load ip_vs (modprobe ip_vs, or run a kernel with CONFIG_IP_VS), or publish every '
                                  'port in host mode (mode=host) and set swarm_routing_mesh: false'}


def needed_features(want):
    """(feature, why) for every kernel feature the inventory needs."""
    needs = []
    for i, link in _items(want, 'links'):
        feature = feature_for_link_kind(link.get('kind'))
        if feature and link.get('state') != 'absent':
            needs.append((feature, "interfaces_links[%d] '%s' (kind %s)" % (i, link.get('name'), link.get('kind'))))
    for i, shim in _items(want, 'shims'):
        needs.append(('macvlan', "interfaces_macvlan_shims[%d] '%s'" % (i, shim.get('name'))))
    for var, key in (('networks_networks', 'networks'), ('swarm_networks', 'swarm_networks')):
        if key == 'swarm_networks' and not want.get('swarm'):
            continue
        entries = _items(want, key)
        templates = dict((e['name'], e) for _i, e in entries if e['config_only'])
        for i, entry in entries:
            if entry['state'] == 'absent' or entry['config_only']:
                continue  # a template needs what the networks made from it need
            options = templates[entry['config_from']]['options'] if entry['config_from'] in templates \
                else entry['options']
            where = "%s[%d] '%s'" % (var, i, entry['name'])
            for feature in network_features(entry['driver'], options):
                needs.append((feature, _why(where, feature, entry['driver'], options)))
            if entry['driver'] == 'overlay':
                needs.append(('vxlan', '%s (driver overlay)' % where))
    if want.get('swarm'):
        needs.append(('vxlan', 'swarm membership (overlay data plane)'))
        if want.get('routing_mesh'):
            needs.append(('ipvs', ROUTING_MESH))
        elif want.get('require_ipvs'):
            needs.append(('ipvs', 'preflight_require_ipvs (swarm VIP load balancing)'))
    return needs


def check_kernel(want, info):
    caps = _map(info.get('capabilities'))
    missing = _map(info.get('missing_capabilities'))
    problems, seen = [], set()
    for feature, why in needed_features(want):
        if caps.get(feature, True) or (feature, why) in seen:
            continue
        seen.add((feature, why))
        fix = _FIXES.get((feature, why))
        problems.append('kernel lacks %s, needed by %s: %s%s' % (feature, why, missing.get(feature, 'probe failed'),
                                                                 '; ' + fix if fix else ''))
    return problems


def check_parents(want, info):
    links = dict((l.get('name'), l) for l in _dicts(info.get('links')))
    declared = dict((l.get('name'), l) for _i, l in _items(want, 'links') if l.get('state') != 'absent')
    problems = []

    def need(parent, why):
        if not parent:
            return
        if parent in declared:
            if declared[parent].get('state') == 'down':
                problems.append('%s: parent %s is declared down in interfaces_links' % (why, parent))
            return
        link = links.get(parent)
        if link is None:
            problems.append('%s: parent %s does not exist on the host and is not in interfaces_links' % (why, parent))
        elif link.get('state') != 'up':
            problems.append('%s: parent %s is down (declare it in interfaces_links with state up)' % (why, parent))

    for i, link in _items(want, 'links'):
        if link.get('state') != 'absent' and link.get('kind') in STACKED:
            need(link.get('parent'), "interfaces_links[%d] '%s'" % (i, link.get('name')))
    for i, shim in _items(want, 'shims'):
        need(shim.get('parent'), "interfaces_macvlan_shims[%d] '%s'" % (i, shim.get('name')))
    for i, entry in _items(want, 'networks'):
        if entry['state'] == 'absent' or entry['driver'] not in PARENT_DRIVERS:
            continue
        parent = entry['parent'] or ''
        where = "networks_networks[%d] '%s'" % (i, entry['name'])
        if not parent:
            continue
        if '.' in parent and parent not in declared and parent not in links:
            need(parent.split('.')[0], where)  # the engine makes the sub-interface on this one
        else:
            need(parent, where)
    return problems


def orphaned_networks(engine_networks, info):
    """Existing macvlan/ipvlan networks whose parent link is gone from the host.

    The engine keeps such a network and says nothing; its containers have no
    connectivity. Inventory networks with a missing parent are already problems
    (check_parents); this names every other one, and dotted parents the engine made.
    """
    links = set(l.get('name') for l in _dicts(info.get('links')))
    out = []
    for net in _dicts(engine_networks):
        parent = _map(net.get('options')).get('parent')
        if net.get('driver') not in PARENT_DRIVERS or net.get('config_only') or not parent:
            continue
        if parent not in links:
            out.append("Docker network '%s' (%s) hangs on parent %s, which no longer exists on the host: its containers "
                       "have no connectivity. Bring %s back (interfaces_links) or recreate the network"
                       % (net.get('name'), net.get('driver'), parent, parent))
    return out


def parse_listeners(lines):
    """`ss -Hlntup` lines -> [(proto, port, process or None)]."""
    out = []
    for line in lines if isinstance(lines, list) else []:
        if not isinstance(line, string_types):
            continue
        fields = line.split()
        if len(fields) < 5 or fields[0] not in ('tcp', 'udp'):
            continue
        port = fields[4].rsplit(':', 1)[-1]
        if not port.isdigit():
            continue
        proc = re.search(r'users:\(\("([^"]+)"', line)
        out.append((fields[0], int(port), proc.group(1) if proc else None))
    return out


def check_ports(want, listeners, in_swarm):
    if not want.get('swarm'):
        return []
    ports = [('tcp', 7946), ('udp', 7946), ('udp', int(want.get('swarm_data_path_port') or 4789))]
    if want.get('swarm_manager'):
        ports.insert(0, ('tcp', 2377))
    problems = []
    for proto, port in ports:
        for lproto, lport, proc in listeners:
            if (lproto, lport) != (proto, port):
                continue
            if proc == 'dockerd' or (proc is None and in_swarm):
                continue  # the engine's own swarm sockets (the VXLAN one is the kernel's)
            problems.append('swarm port %d/%s is taken by %s' % (port, proto, proc or 'a kernel socket (another VXLAN?)'))
    return problems


def check_mtu(want, info):
    """Overlay MTU against the underlay's: underlay - 50 (VXLAN), - 26 more when encrypted."""
    if not want.get('swarm'):
        return []
    links = dict((l.get('name'), l) for l in _dicts(info.get('links')))
    underlay = None
    addr = want.get('swarm_advertise_addr')
    for link in links.values():
        if addr and any((u'%s' % a).split('/')[0] == addr for a in link.get('addresses') or []):
            underlay = link
    if underlay is None:
        for name in info.get('default_route_links') or []:
            if name in links:
                underlay = links[name]
    if underlay is None or not isinstance(underlay.get('mtu'), int) or not underlay['mtu']:
        return []
    problems = []
    for i, entry in _items(want, 'swarm_networks'):
        if entry['state'] == 'absent':
            continue
        limit = underlay['mtu'] - VXLAN_OVERHEAD - (ESP_OVERHEAD if entry['encrypted'] else 0)
        mtu = entry['mtu'] or OVERLAY_DEFAULT_MTU
        if mtu > limit:
            problems.append("swarm_networks[%d] '%s': MTU %d is more than the underlay %s's %d minus %d (%s); set mtu: %d"
                            % (i, entry['name'], mtu, underlay.get('name'), underlay['mtu'], underlay['mtu'] - limit,
                               'VXLAN and ESP' if entry['encrypted'] else 'VXLAN', limit))
    return problems


def check_engine(want, engine, in_swarm=False):
    if not isinstance(engine, dict) or not engine.get('reachable'):
        return ['engine not reachable on %s: %s' % (want.get('socket'), _map(engine).get('error') or 'no answer')]
    version = engine.get('version') or ''
    problems = []
    minimum = want.get('min_engine_version')
    if minimum and _version(version) < _version(minimum):
        problems.append('engine %s is older than preflight_min_engine_version %s' % (version, minimum))
    if want.get('swarm') and want.get('live_restore'):
        problems.append('engine_live_restore is true, but this host is in the swarm: dockerd refuses to start with '
                        'live-restore in swarm mode ("--live-restore daemon configuration is incompatible with swarm '
                        'mode"); set engine_live_restore: false for swarm hosts')
    elif in_swarm and engine.get('live_restore') and want.get('live_restore') is None:
        problems.append('the running engine has live-restore on while in a swarm (a reload turned it on): dockerd will '
                        'refuse to start at its next restart; set engine_live_restore: false, which the engine role '
                        'applies with a reload')
    encrypted = [e['name'] for _i, e in _items(want, 'swarm_networks') if e['encrypted']] if want.get('swarm') else []
    if encrypted:
        v = _version(version)
        if v < (20, 10, 24) or (20, 11) <= v[:2] and v < (23, 0, 3):
            problems.append('engine %s can send encrypted overlay traffic (%s) in cleartext (CVE-2023-28841); '
                            'use 20.10.24+ or 23.0.3+' % (version, ', '.join(encrypted)))
    return problems


def check_features(want, engine):
    """Each network option the engine cannot honour (the modules' own API gates), before anything is made."""
    if not isinstance(engine, dict) or not engine.get('reachable'):
        return []
    api = engine.get('client_api_version') or engine.get('api_version')
    if not api:
        return []
    problems = []
    for var, key in (('networks_networks', 'networks'), ('swarm_networks', 'swarm_networks')):
        if key == 'swarm_networks' and not want.get('swarm'):
            continue
        for i, entry in _items(want, key):
            try:
                gates.refuse_unsupported(entry['want'], api)
            except NetprovError as exc:
                problems.append("%s[%d] '%s' %s" % (var, i, entry['name'], exc))
    return problems


def check_firewall(want, engine, in_swarm=False):
    """Swarm mode and the nftables firewall backend do not go together (Engine 29 refuses to start a swarm)."""
    driver = _map(_map(engine).get('firewall_backend')).get('driver')
    if driver == 'nftables' and (want.get('swarm') or in_swarm):
        return ['the engine\'s firewall backend is nftables, which swarm mode does not support (Engine 29 refuses it: '
                '"--firewall-backend=nftables is incompatible with swarm mode"); set "firewall-backend": "iptables" '
                'in the engine\'s daemon.json on swarm hosts']
    return []


def forwarding_warnings(want, engine):
    """A bridge network that reaches beyond the host needs IPv4 forwarding; the engine says when it is off."""
    if _map(engine).get('ipv4_forwarding') is not False:
        return []
    bridges = ["networks_networks[%d] '%s'" % (i, e['name']) for i, e in _items(want, 'networks')
               if e['state'] != 'absent' and (e['driver'] or 'bridge') == 'bridge' and not e['config_only']
               and not e['want'].get('internal')]
    if not bridges:
        return []
    return ['IPv4 forwarding is off on the engine\'s host (net.ipv4.ip_forward=0, or the engine runs with '
            'ip-forward: false): the containers of %s reach nothing beyond the host' % ', '.join(bridges)]


def _facts(facts):
    info = _map(facts.get('network_info'))
    return facts.get('host', '?'), info


def preflight_problems(facts, want):
    """Every problem of one host, one line each, prefixed with the host's name."""
    host, info = _facts(facts)
    want, problems = checked_want(want)
    problems += check_engine(want, facts.get('engine'), facts.get('in_swarm'))
    problems += check_firewall(want, facts.get('engine'), facts.get('in_swarm'))
    problems += check_features(want, facts.get('engine'))
    problems += check_kernel(want, info)
    problems += check_parents(want, info)
    problems += check_ranges(want, info.get('routes'), facts.get('engine_networks'), facts.get('fleet_ingress'))
    problems += check_ports(want, parse_listeners(facts.get('listeners')), facts.get('in_swarm'))
    problems += check_mtu(want, info)
    problems += _preflight_ovs.check_ovs(want, facts.get('ovs'))
    return ['%s: %s' % (host, p) for p in problems]


def preflight_warnings(facts, want):
    """What a host lacks that its inventory does not ask for but users meet: IPVS for swarm services,
    networks whose parent link is gone."""
    host, info = _facts(facts)
    want = checked_want(want)[0]
    caps = _map(info.get('capabilities'))
    out = []
    if want.get('swarm') and not (want.get('require_ipvs') or want.get('routing_mesh')) and caps.get('ipvs') is False:
        out.append('%s: kernel lacks IPVS: swarm services with endpoint_mode vip will not balance; '
                   'standalone containers on overlays work' % host)
    out += ['%s: %s' % (host, w) for w in orphaned_networks(facts.get('engine_networks'), info)]
    out += ['%s: %s' % (host, w) for w in forwarding_warnings(want, facts.get('engine'))]
    return out


def verdict(facts, want):
    """{'problems': [...], 'warnings': [...]}, each line prefixed with the host's name."""
    return {'problems': preflight_problems(facts, want), 'warnings': preflight_warnings(facts, want)}
