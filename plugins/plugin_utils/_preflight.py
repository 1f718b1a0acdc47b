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

# Link kinds and Docker drivers -> the capability host_network_info probes.
KIND_FEATURE = {'vlan': 'vlan', 'macvlan': 'macvlan', 'ipvlan': 'ipvlan', 'bridge': 'bridge',
                'veth': 'veth', 'vxlan': 'vxlan', 'dummy': 'dummy'}
DRIVER_FEATURE = {'macvlan': 'macvlan', 'ipvlan': 'ipvlan', 'overlay': 'vxlan'}
# Interfaces the engine makes for its own networks: their routes are the
# requested subnets themselves on a second run, not something in the way.
DOCKER_LINK = re.compile(r'^(docker0|docker_gwbridge|br-[0-9a-f]{12}|veth.*|vx-.*)$')
OVERLAY_OVERHEAD = 50
ESP_OVERHEAD = 26


def _net(cidr):
    try:
        return ipaddress.ip_network(u'%s' % cidr, strict=False)
    except ValueError:
        return None


def _version(text):
    return tuple(int(x) for x in re.findall(r'\d+', str(text or ''))[:3])


def _subnets(entry):
    return [c.get('subnet') for c in (entry.get('ipam_config') or []) if c and c.get('subnet')]


def _wanted_ranges(want):
    """Every range the inventory asks for: (label, network, entry or None)."""
    out = []
    for label, cidr in [('engine_bip', want.get('bip'))] + \
            [('engine_default_address_pools[%d]' % i, p.get('base'))
             for i, p in enumerate(want.get('address_pools') or [])]:
        if cidr:
            out.append((label, cidr, None))
    if want.get('swarm'):
        for i, cidr in enumerate(want.get('swarm_default_addr_pool') or []):
            out.append(('swarm_default_addr_pool[%d]' % i, cidr, None))
        if want.get('swarm_gwbridge_subnet'):
            out.append(('swarm_gwbridge_subnet', want['swarm_gwbridge_subnet'], None))
    for var, entries in (('networks_networks', want.get('networks')),
                         ('swarm_networks', want.get('swarm_networks') if want.get('swarm') else None)):
        for i, entry in enumerate(entries or []):
            if entry.get('state', 'present') == 'absent':
                continue
            for j, cidr in enumerate(_subnets(entry)):
                out.append(("%s[%d] '%s' ipam_config[%d].subnet" % (var, i, entry.get('name'), j), cidr, entry))
    return out


def _on_parent_lan(entry, route):
    """A macvlan/ipvlan L2 network may share its parent's LAN subnet: that is the point of it."""
    if not entry or entry.get('driver') not in ('macvlan', 'ipvlan'):
        return False
    if entry.get('driver') == 'ipvlan' and entry.get('ipvlan_mode') in ('l3', 'l3s'):
        return False
    parent = entry.get('parent') or ''
    return route.get('dev') in (parent, parent.split('.')[0])


def _same_network_family(entry_a, entry_b):
    """Two macvlan/ipvlan L2 entries on one LAN legitimately share its subnet."""
    return (entry_a and entry_b and entry_a.get('driver') in ('macvlan', 'ipvlan')
            and entry_b.get('driver') in ('macvlan', 'ipvlan'))


def check_ranges(want, host_routes, engine_networks):
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
    for label, net, entry in ranges:
        for route in host_routes or []:
            dest = route.get('dest')
            if dest in (None, 'default') or DOCKER_LINK.match(route.get('dev') or '') \
                    or route.get('dev') in want.get('own_links', []):
                continue
            rnet = _net(dest)
            if rnet is None or rnet.version != net.version or rnet.prefixlen == 0 or not rnet.overlaps(net):
                continue
            if _on_parent_lan(entry, route):
                continue
            problems.append('%s %s overlaps the host route %s dev %s' % (label, net, rnet, route.get('dev')))
    # External ranges the inventory declares (VPN, corporate, cloud VPC).
    for ext in want.get('external_ranges') or []:
        enet = _net(ext.get('cidr'))
        if enet is None:
            problems.append("preflight_external_ranges '%s': %s is not a CIDR" % (ext.get('name'), ext.get('cidr')))
            continue
        for label, net, entry in ranges:
            if net.version == enet.version and net.overlaps(enet):
                problems.append("%s %s overlaps the external range '%s' %s" % (label, net, ext.get('name'), enet))
    # Networks already on the engine that the inventory does not declare (ingress, docker_gwbridge, others).
    declared = set(e.get('name') for e in (want.get('networks') or []) + (want.get('swarm_networks') or []))
    for existing in engine_networks or []:
        name = existing.get('name')
        if name in declared or name in ('bridge', 'host', 'none'):
            continue
        for cfg in existing.get('ipam_config') or []:
            enet = _net(cfg.get('subnet'))
            if enet is None:
                continue
            for label, net, entry in ranges:
                if net.version != enet.version or not net.overlaps(enet):
                    continue
                if name == 'docker_gwbridge' and label == 'swarm_gwbridge_subnet' and net == enet:
                    continue
                if label.startswith(('engine_default_address_pools', 'swarm_default_addr_pool')):
                    continue  # networks the engine took from its own pools
                problems.append("%s %s overlaps the engine's existing network '%s' %s" % (label, net, name, enet))
    return problems


def needed_features(want):
    """(feature, why) for every kernel feature the inventory needs."""
    needs = []
    for i, link in enumerate(want.get('links') or []):
        kind = link.get('kind')
        if kind in KIND_FEATURE and link.get('state', 'up') != 'absent':
            needs.append((KIND_FEATURE[kind], "interfaces_links[%d] '%s' (kind %s)" % (i, link.get('name'), kind)))
    for i, shim in enumerate(want.get('shims') or []):
        needs.append(('macvlan', "interfaces_macvlan_shims[%d] '%s'" % (i, shim.get('name'))))
    for var, entries in (('networks_networks', want.get('networks')),
                         ('swarm_networks', want.get('swarm_networks') if want.get('swarm') else None)):
        for i, entry in enumerate(entries or []):
            if entry.get('state', 'present') == 'absent':
                continue
            driver = entry.get('driver') or ('overlay' if var == 'swarm_networks' else 'bridge')
            where = "%s[%d] '%s'" % (var, i, entry.get('name'))
            if driver in DRIVER_FEATURE:
                needs.append((DRIVER_FEATURE[driver], '%s (driver %s)' % (where, driver)))
            if '.' in (entry.get('parent') or ''):
                needs.append(('vlan', '%s (parent %s is an 802.1Q sub-interface)' % (where, entry['parent'])))
            if entry.get('encrypted'):
                needs.append(('esp', '%s (encrypted overlay)' % where))
    if want.get('swarm'):
        needs.append(('vxlan', 'swarm membership (overlay data plane)'))
        if want.get('require_ipvs'):
            needs.append(('ipvs', 'preflight_require_ipvs (swarm VIP load balancing)'))
    return needs


def check_kernel(want, info):
    caps = info.get('capabilities') or {}
    missing = info.get('missing_capabilities') or {}
    problems, seen = [], set()
    for feature, why in needed_features(want):
        if caps.get(feature, True) or (feature, why) in seen:
            continue
        seen.add((feature, why))
        problems.append('kernel lacks %s, needed by %s: %s' % (feature, why, missing.get(feature, 'probe failed')))
    return problems


def _declared_links(want):
    names = set()
    for link in want.get('links') or []:
        if link.get('state', 'up') != 'absent':
            names.add(link.get('name'))
    for shim in want.get('shims') or []:
        names.add(shim.get('name'))
    return names


def check_parents(want, info):
    links = dict((l.get('name'), l) for l in info.get('links') or [])
    declared = dict((l.get('name'), l) for l in want.get('links') or [] if l.get('state', 'up') != 'absent')
    problems = []

    def need(parent, why):
        if not parent:
            return
        if parent in declared:
            if declared[parent].get('state', 'up') == 'down':
                problems.append('%s: parent %s is declared down in interfaces_links' % (why, parent))
            return
        link = links.get(parent)
        if link is None:
            problems.append('%s: parent %s does not exist on the host and is not in interfaces_links' % (why, parent))
        elif link.get('state') != 'up':
            problems.append('%s: parent %s is down (declare it in interfaces_links with state up)' % (why, parent))

    for i, link in enumerate(want.get('links') or []):
        if link.get('state', 'up') != 'absent' and link.get('kind') in ('vlan', 'macvlan', 'ipvlan'):
            need(link.get('parent'), "interfaces_links[%d] '%s'" % (i, link.get('name')))
    for i, shim in enumerate(want.get('shims') or []):
        need(shim.get('parent'), "interfaces_macvlan_shims[%d] '%s'" % (i, shim.get('name')))
    for i, entry in enumerate(want.get('networks') or []):
        if entry.get('state', 'present') == 'absent' or entry.get('driver') not in ('macvlan', 'ipvlan'):
            continue
        parent = entry.get('parent') or ''
        where = "networks_networks[%d] '%s'" % (i, entry.get('name'))
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
    links = set(l.get('name') for l in info.get('links') or [])
    out = []
    for net in engine_networks or []:
        parent = (net.get('options') or {}).get('parent')
        if net.get('driver') not in ('macvlan', 'ipvlan') or net.get('config_only') or not parent:
            continue
        if parent not in links:
            out.append("Docker network '%s' (%s) hangs on parent %s, which no longer exists on the host: its containers "
                       "have no connectivity. Bring %s back (interfaces_links) or recreate the network"
                       % (net.get('name'), net.get('driver'), parent, parent))
    return out


def parse_listeners(lines):
    """`ss -Hlntup` lines -> [(proto, port, process or None)]."""
    out = []
    for line in lines or []:
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
    links = dict((l.get('name'), l) for l in info.get('links') or [])
    underlay = None
    addr = want.get('swarm_advertise_addr')
    for link in links.values():
        if addr and any(a.split('/')[0] == addr for a in link.get('addresses') or []):
            underlay = link
    if underlay is None:
        for name in info.get('default_route_links') or []:
            if name in links:
                underlay = links[name]
    if underlay is None or not underlay.get('mtu'):
        return []
    problems = []
    for i, entry in enumerate(want.get('swarm_networks') or []):
        if entry.get('state', 'present') == 'absent':
            continue
        limit = underlay['mtu'] - OVERLAY_OVERHEAD - (ESP_OVERHEAD if entry.get('encrypted') else 0)
        mtu = entry.get('mtu') or 1450
        if mtu > limit:
            problems.append("swarm_networks[%d] '%s': MTU %d is more than the underlay %s's %d minus %d (%s); set mtu: %d"
                            % (i, entry.get('name'), mtu, underlay.get('name'), underlay['mtu'], underlay['mtu'] - limit,
                               'VXLAN and ESP' if entry.get('encrypted') else 'VXLAN', limit))
    return problems


def check_engine(want, engine, in_swarm=False):
    if not engine or not engine.get('reachable'):
        return ['engine not reachable on %s: %s' % (want.get('socket'), (engine or {}).get('error') or 'no answer')]
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
    encrypted = [e.get('name') for e in (want.get('swarm_networks') or []) if e.get('encrypted')] if want.get('swarm') else []
    if encrypted:
        v = _version(version)
        if v < (20, 10, 24) or (20, 11) <= v[:2] and v < (23, 0, 3):
            problems.append('engine %s can send encrypted overlay traffic (%s) in cleartext (CVE-2023-28841); '
                            'use 20.10.24+ or 23.0.3+' % (version, ', '.join(encrypted)))
    return problems


def preflight_problems(facts, want):
    """Every problem of one host, one line each, prefixed with the host's name."""
    host = facts.get('host', '?')
    info = facts.get('network_info') or {}
    problems = check_engine(want, facts.get('engine'), facts.get('in_swarm'))
    problems += check_kernel(want, info)
    problems += check_parents(want, info)
    problems += check_ranges(want, info.get('routes'), facts.get('engine_networks'))
    problems += check_ports(want, parse_listeners(facts.get('listeners')), facts.get('in_swarm'))
    problems += check_mtu(want, info)
    return ['%s: %s' % (host, p) for p in problems]


def preflight_warnings(facts, want):
    """What a host lacks that its inventory does not ask for but users meet: IPVS for swarm services,
    networks whose parent link is gone."""
    info = facts.get('network_info') or {}
    caps = info.get('capabilities') or {}
    out = []
    if want.get('swarm') and not want.get('require_ipvs') and caps.get('ipvs') is False:
        out.append('%s: kernel lacks IPVS: swarm services with endpoint_mode vip will not balance; '
                   'standalone containers on overlays work' % facts.get('host', '?'))
    out += ['%s: %s' % (facts.get('host', '?'), w) for w in orphaned_networks(facts.get('engine_networks'), info)]
    return out


def verdict(facts, want):
    """{'problems': [...], 'warnings': [...]}, each line prefixed with the host's name."""
    return {'problems': preflight_problems(facts, want), 'warnings': preflight_warnings(facts, want)}
