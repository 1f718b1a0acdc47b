# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shaping the engine's /version, /info and default bridge into docker_host_info's result.

Pure functions over the engine's own answers (dicts as the Engine API returns
them), so every field can be tested from a recorded answer. Fields an engine
does not report come back as None, never as a guess.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MTU_OPTION
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import (
    endpoint_from_inspect, network_from_inspect)

BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name'
BRIDGE_BOOL_OPTIONS = (
    ('enable_icc', 'com.docker.network.bridge.enable_icc'),
    ('enable_ip_masquerade', 'com.docker.network.bridge.enable_ip_masquerade'),
)


def _bool(value):
    """The engine's option strings ('true'/'false') as a bool; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ('true', '1', 'yes')


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def engine_facts(version, info, client_api_version=None):
    """What the engine is: from /version, with /info filling what an old engine's /version lacks."""
    version = version or {}
    info = info or {}
    return {
        'version': version.get('Version') or info.get('ServerVersion'),
        'api_version': version.get('ApiVersion'),
        'min_api_version': version.get('MinAPIVersion'),
        'client_api_version': client_api_version,
        'os': version.get('Os') or info.get('OSType'),
        'arch': version.get('Arch') or info.get('Architecture'),
        'kernel_version': version.get('KernelVersion') or info.get('KernelVersion'),
        'operating_system': info.get('OperatingSystem'),
        'name': info.get('Name'),
        'id': info.get('ID'),
        'root_dir': info.get('DockerRootDir'),
        'cgroup_driver': info.get('CgroupDriver'),
        'cgroup_version': info.get('CgroupVersion'),
    }


def swarm_facts(info):
    swarm = (info or {}).get('Swarm') or {}
    return {
        'local_node_state': swarm.get('LocalNodeState') or 'inactive',
        'node_id': swarm.get('NodeID') or None,
        'node_addr': swarm.get('NodeAddr') or None,
        'is_manager': bool(swarm.get('ControlAvailable')),
    }


def address_pools(info):
    """/info DefaultAddressPools as [{base, size}]; None when the engine does not report them."""
    pools = (info or {}).get('DefaultAddressPools')
    if pools is None:
        return None
    return [{'base': p.get('Base'), 'size': _int(p.get('Size'))} for p in pools]


def _split_families(ipam_config):
    v4, v6 = {}, {}
    for entry in ipam_config:
        subnet = entry.get('subnet') or ''
        family = v6 if ':' in subnet or ':' in (entry.get('gateway') or '') else v4
        if not family:
            family.update(entry)
    return v4, v6


def bridge_facts(raw):
    """The default `bridge` network (inspect output) as subnet/gateway/MTU; None when the engine has none."""
    if not raw:
        return None
    net = network_from_inspect(raw)
    v4, v6 = _split_families(net['ipam_config'])
    options = net['options']
    out = {
        'id': net['id'],
        'interface': options.get(BRIDGE_NAME_OPTION),
        'subnet': v4.get('subnet'),
        'gateway': v4.get('gateway'),
        'mtu': _int(options.get(MTU_OPTION)),
        'enable_ipv6': net['enable_ipv6'],
        'ipv6_subnet': v6.get('subnet'),
        'ipv6_gateway': v6.get('gateway'),
        'options': dict(options),
    }
    for key, option in BRIDGE_BOOL_OPTIONS:
        out[key] = _bool(options.get(option))
    return out


def ipv6_facts(info, bridge):
    """What the engine says of IPv6: the default bridge's IPv6 and the bridge-nf-call-ip6tables switch."""
    bridge = bridge or {}
    return {
        'bridge_enabled': bridge.get('enable_ipv6'),
        'bridge_subnet': bridge.get('ipv6_subnet'),
        'bridge_gateway': bridge.get('ipv6_gateway'),
        'bridge_nf_ip6tables': (info or {}).get('BridgeNfIp6tables'),
    }


def firewall_facts(info):
    """/info FirewallBackend (API 1.49, Engine 28.1) as {driver, info}; None when the engine does not report it."""
    backend = (info or {}).get('FirewallBackend')
    if not isinstance(backend, dict):
        return None
    return {'driver': backend.get('Driver') or None,
            'info': dict((str(pair[0]), str(pair[1])) for pair in backend.get('Info') or [] if len(pair) == 2)}


def networking_facts(info, bridge_raw):
    info = info or {}
    bridge = bridge_facts(bridge_raw)
    return {
        'firewall_backend': firewall_facts(info),
        'live_restore': bool(info.get('LiveRestoreEnabled')),
        'swarm': swarm_facts(info),
        'default_address_pools': address_pools(info),
        'bridge': bridge,
        'ipv6': ipv6_facts(info, bridge),
        'network_drivers': list(((info.get('Plugins') or {}).get('Network')) or []),
        'ipv4_forwarding': info.get('IPv4Forwarding'),
        'bridge_nf_iptables': info.get('BridgeNfIptables'),
        'warnings_engine': [str(w) for w in (info.get('Warnings') or [])],
    }


def container_counts(info):
    info = info or {}
    return {
        'total': _int(info.get('Containers')) or 0,
        'running': _int(info.get('ContainersRunning')) or 0,
        'paused': _int(info.get('ContainersPaused')) or 0,
        'stopped': _int(info.get('ContainersStopped')) or 0,
    }


def container_entry(container):
    """One inspected container: id, name and, per attached network, its addresses and aliases."""
    nets = ((container.get('NetworkSettings') or {}).get('Networks') or {})
    networks = {}
    for name in sorted(nets):
        ep = nets[name] or {}
        rec = endpoint_from_inspect(container, name)
        networks[name] = {
            'ipv4': ep.get('IPAddress') or None,
            'ipv6': ep.get('GlobalIPv6Address') or None,
            'aliases': rec['aliases'],
            'mac': rec['mac'],
        }
    return {
        'id': container.get('Id'),
        'name': (container.get('Name') or '').lstrip('/'),
        'state': (container.get('State') or {}).get('Status'),
        'networks': networks,
    }


def describe(version, info, bridge_raw, containers=None, client_api_version=None):
    """The whole result; ``containers`` is a list of inspected containers, or None when not asked for;
    ``client_api_version`` the API version the client speaks with the engine."""
    counts = container_counts(info)
    if containers is not None:
        counts['list'] = sorted((container_entry(c) for c in containers), key=lambda c: (c['name'], c['id']))
    return {
        'engine': engine_facts(version, info, client_api_version),
        'networking': networking_facts(info, bridge_raw),
        'containers': counts,
    }


def read(engine, with_containers=False):
    """Ask the engine (an _engine.client.Engine) once for each part, then shape it with describe()."""
    info = engine.info() or {}
    bridge = engine.find_network('bridge')
    if bridge is not None and bridge.get('Driver') != 'bridge':
        bridge = None
    containers = None
    if with_containers:
        listed = engine.running_containers()
        # One that stopped or went between the listing and its inspect is not running any more: left out.
        inspected = (engine.inspect_container(c.get('Id')) for c in listed or [])
        containers = [c for c in inspected if c is not None and (c.get('State') or {}).get('Running')]
    return describe(engine.version_info, info, bridge, containers, client_api_version=engine.api_version)
