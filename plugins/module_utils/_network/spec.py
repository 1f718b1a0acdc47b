# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network spec model: one argument spec, and one normalised shape.

Both the wanted spec (module arguments) and the current network (engine
inspect output) are brought into the same shape here, and only here, so a
second run never shows a false change: CIDR forms, IPv6 spellings, driver
option spellings, the engine's own defaults and labels.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import ipaddress
import re

from ansible.module_utils.six import string_types

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError, join_path

MANAGED_LABEL = 'netprov.dockernet.managed'
# The networks the engine names itself. Every engine has the three predefined
# ones and nobody can make another of those names; a swarm adds the other two,
# which docker_swarm may make ahead (a docker_gwbridge with gwbridge_subnet) and
# which are never removed from under a swarm.
PREDEFINED = ('bridge', 'host', 'none')
GWBRIDGE = 'docker_gwbridge'
INGRESS = 'ingress'
SWARM_NETWORKS = (GWBRIDGE, INGRESS)
# The drivers whose network hangs on a host link, its parent.
PARENT_DRIVERS = ('macvlan', 'ipvlan')
MTU_OPTION = 'com.docker.network.driver.mtu'

# Driver option spellings users write, mapped to the key the engine stores.
OPTION_ALIASES = {
    'mtu': MTU_OPTION,
    'com.docker.network.bridge.mtu': MTU_OPTION,
    'macvlan.mode': 'macvlan_mode',
    'ipvlan.mode': 'ipvlan_mode',
    'ipvlan.flag': 'ipvlan_flag',
}

# What the engine uses when an option is absent; an absent key and its
# default are the same network.
DRIVER_DEFAULTS = {
    'macvlan': {'macvlan_mode': 'bridge'},
    'ipvlan': {'ipvlan_mode': 'l2', 'ipvlan_flag': 'bridge'},
}

# Options the engine writes into a network on its own; never carried into a
# recreated network's body (a pinned VXLAN id would clash or leak).
ENGINE_OPTIONS = ('com.docker.network.driver.overlay.vxlanid_list',)

# Engine API versions that added a per-endpoint setting or a network flag.
API_ENDPOINT_MAC = '1.44'       # Engine 25: MacAddress in an endpoint config
API_ENABLE_IPV4 = '1.47'        # Engine 28: EnableIPv4
API_GW_PRIORITY = '1.48'        # Engine 28: GwPriority

# A network-inspect Containers key that is a container (not an overlay's
# load-balancer endpoint 'lb-...' or another node's 'ep-...').
_CONTAINER_KEY = re.compile(r'^[0-9a-f]{64}$')


def api_at_least(version, minimum):
    """True when the API version string ``version`` ('1.41') is at least ``minimum``; unknown is False."""
    try:
        return tuple(int(x) for x in str(version).split('.')) >= tuple(int(x) for x in minimum.split('.'))
    except (TypeError, ValueError):
        return False


IPAM_CONFIG_OPTIONS = dict(
    subnet=dict(type='str'),
    iprange=dict(type='str', aliases=['ip_range']),
    gateway=dict(type='str'),
    aux_addresses=dict(type='dict'),
)

CONTAINER_OPTIONS = dict(
    name=dict(type='str', required=True),
    aliases=dict(type='list', elements='str'),
    ipv4_address=dict(type='str'),
    ipv6_address=dict(type='str'),
)

# The options of one network. docker_network uses them at top level,
# docker_networks nests them under `networks` and `defaults`.
NETWORK_OPTIONS = dict(
    name=dict(type='str', required=True, aliases=['network_name']),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    driver=dict(type='str'),
    driver_options=dict(type='dict'),
    parent=dict(type='str'),
    macvlan_mode=dict(type='str', choices=['bridge', 'private', 'vepa', 'passthru']),
    ipvlan_mode=dict(type='str', choices=['l2', 'l3', 'l3s']),
    ipvlan_flag=dict(type='str', choices=['bridge', 'private', 'vepa']),
    mtu=dict(type='int'),
    encrypted=dict(type='bool'),
    attachable=dict(type='bool'),
    ingress=dict(type='bool'),
    internal=dict(type='bool'),
    enable_ipv6=dict(type='bool'),
    enable_ipv4=dict(type='bool'),
    scope=dict(type='str', choices=['local', 'global', 'swarm']),
    config_only=dict(type='bool'),
    config_from=dict(type='str'),
    labels=dict(type='dict'),
    ipam_driver=dict(type='str'),
    ipam_driver_options=dict(type='dict'),
    ipam_config=dict(type='list', elements='dict', options=IPAM_CONFIG_OPTIONS),
    containers=dict(type='list', elements='dict', options=CONTAINER_OPTIONS),
    containers_exclusive=dict(type='bool'),
    recreate=dict(type='str', choices=['never', 'reconnect', 'always']),
    force=dict(type='bool'),
    kernel_check=dict(type='str', choices=['fail', 'warn', 'skip']),
    verify=dict(type='bool'),
    verify_timeout=dict(type='int'),
)

# Defaults applied after docker_networks merged its `defaults`, so that a
# nested entry can tell "not given" from "given as the default".
POLICY_DEFAULTS = dict(containers_exclusive=False, recreate='never', force=False, kernel_check='fail', verify=False,
                       verify_timeout=60)


def network_options(top_level=True):
    """A copy of NETWORK_OPTIONS; at top level the policy defaults are real defaults."""
    spec = copy.deepcopy(NETWORK_OPTIONS)
    if top_level:
        for key, value in POLICY_DEFAULTS.items():
            spec[key]['default'] = value
    return spec


def defaults_options():
    """The options `defaults` of docker_networks accepts: every option but the name."""
    spec = copy.deepcopy(NETWORK_OPTIONS)
    del spec['name']
    spec['state'].pop('default')
    return spec


# -- address forms ------------------------------------------------------------

def norm_cidr(value, path):
    """'198.18.1.5/24' -> '198.18.1.0/24'; IPv6 compressed and lower case."""
    try:
        return str(ipaddress.ip_network(u'%s' % value, strict=False))
    except ValueError:
        raise ValidationError('%r is not a CIDR network; write it like 198.18.1.0/24 or 2001:db8::/64'
                              % (value,), path=path)


def norm_ip(value, path):
    """An address, accepting and dropping a /prefix ('198.18.1.1/24' -> '198.18.1.1')."""
    text = u'%s' % value
    try:
        if '/' in text:
            return str(ipaddress.ip_interface(text).ip)
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ValidationError('%r is not an IP address; write it like 198.18.1.10 or 2001:db8::10'
                              % (value,), path=path)


def canon_ip(value):
    """An address as the engine recorded it, in canonical form; what cannot be parsed is kept as it is."""
    if not value:
        return None
    try:
        return norm_ip(value, '')
    except ValidationError:
        return value


def ip_version(cidr):
    return ipaddress.ip_network(u'%s' % cidr, strict=False).version


def norm_mtu(value, path):
    """An MTU as the engine parses it: plain digits. int() also takes ' 1500' and '1_500', the engine does not."""
    text = u'%s' % value
    if isinstance(value, bool) or not re.match(r'^[0-9]+$', text):
        raise ValidationError('%r is not a whole number of bytes; write the MTU as digits only, like 1500'
                              % (value,), path=path)
    return str(int(text))


def _str_map(value, path):
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationError('must be a map of names to values', path=path)
    out = {}
    for k, v in value.items():
        if isinstance(v, bool):
            v = 'true' if v else 'false'
        elif v is None:
            v = ''
        elif not isinstance(v, string_types + (int, float)):
            raise ValidationError('value of %r must be a string, not %s' % (k, type(v).__name__), path=path)
        out[str(k)] = u'%s' % v
    return out


def norm_ipam_entry(entry, path):
    """One ipam_config entry in canonical form; keys absent when not given."""
    out = {}
    if entry.get('subnet') not in (None, ''):
        out['subnet'] = norm_cidr(entry['subnet'], join_path(path, 'subnet'))
    if entry.get('iprange') not in (None, ''):
        out['iprange'] = norm_cidr(entry['iprange'], join_path(path, 'iprange'))
    if entry.get('gateway') not in (None, ''):
        out['gateway'] = norm_ip(entry['gateway'], join_path(path, 'gateway'))
    aux = entry.get('aux_addresses')
    if aux:
        out['aux_addresses'] = dict(
            (str(k), norm_ip(v, join_path(path, 'aux_addresses', str(k)))) for k, v in aux.items())
    return out


def norm_options(driver, options, path=None):
    """Canonical driver options: aliased spellings folded, encrypted as a flag, the MTU as digits.

    ``path`` is the field the options came from; without it (engine output) an
    MTU the engine stored is kept as it is when it is not plain digits.
    """
    out = {}
    for given, value in (options or {}).items():
        key = OPTION_ALIASES.get(given, given)
        if key == MTU_OPTION:
            if path is not None:
                value = norm_mtu(value, join_path(path, given))
            elif re.match(r'^[0-9]+$', u'%s' % value):
                value = str(int(value))
        if key == 'encrypted':
            # The engine treats the key's presence as the flag; 'true' is a
            # common spelling of the same thing.
            value = '' if value in ('', 'true', 'True', '1') else value
        out[key] = value
    return out


# -- the wanted network -------------------------------------------------------

def normalise_want(params, path=''):
    """Module arguments of one network -> the normalised wanted shape."""
    p = params
    driver = p.get('driver')
    if driver == 'null':
        driver = 'none'
    opt_path = join_path(path, 'driver_options')
    options = norm_options(driver, _str_map(p.get('driver_options'), opt_path), opt_path) or {}
    first_class = (('parent', 'parent'), ('macvlan_mode', 'macvlan_mode'), ('ipvlan_mode', 'ipvlan_mode'),
                   ('ipvlan_flag', 'ipvlan_flag'))
    for arg, key in first_class:
        if p.get(arg) is not None:
            if key in options and options[key] != p[arg]:
                raise ValidationError('%s=%r contradicts driver_options.%s=%r; give it once'
                                      % (arg, p[arg], key, options[key]), path=join_path(path, arg))
            options[key] = p[arg]
    if p.get('mtu') is not None:
        mtu = norm_mtu(p['mtu'], join_path(path, 'mtu'))
        if MTU_OPTION in options and options[MTU_OPTION] != mtu:
            raise ValidationError('mtu=%s contradicts driver_options %s=%s; give it once'
                                  % (p['mtu'], MTU_OPTION, options[MTU_OPTION]), path=join_path(path, 'mtu'))
        options[MTU_OPTION] = mtu
    if p.get('encrypted'):
        options['encrypted'] = ''
    elif p.get('encrypted') is False:
        options.pop('encrypted', None)

    labels = _str_map(p.get('labels'), join_path(path, 'labels')) or {}
    ipam_config = None
    if p.get('ipam_config'):
        # An entry that sets nothing ({} or subnet: '') asks for nothing: it is
        # neither compared nor sent (kept in place so field paths keep their index).
        ipam_config = [norm_ipam_entry(e or {}, join_path(path, 'ipam_config[%d]' % i))
                       for i, e in enumerate(p['ipam_config'])]
        if not any(ipam_config):
            ipam_config = None
    enable_ipv6 = p.get('enable_ipv6')
    if enable_ipv6 is None and any(ip_version(e['subnet']) == 6 for e in ipam_config or [] if e.get('subnet')):
        # An IPv6 subnet asks for IPv6 (Engine 25 and later infer it the same way).
        enable_ipv6 = True
    containers = []
    for i, c in enumerate(p.get('containers') or []):
        cpath = join_path(path, 'containers[%d]' % i)
        if not c.get('name'):
            raise ValidationError('a container name is required', path=join_path(cpath, 'name'))
        containers.append({
            'name': c['name'],
            'aliases': sorted(set(c['aliases'])) if c.get('aliases') is not None else None,
            'ipv4_address': norm_ip(c['ipv4_address'], join_path(cpath, 'ipv4_address')) if c.get('ipv4_address') else None,
            'ipv6_address': norm_ip(c['ipv6_address'], join_path(cpath, 'ipv6_address')) if c.get('ipv6_address') else None,
        })
    want = {
        'name': p['name'],
        'state': p.get('state') or 'present',
        'driver': driver,
        'scope': p.get('scope'),
        'internal': p.get('internal'),
        'attachable': p.get('attachable'),
        'ingress': p.get('ingress'),
        'enable_ipv6': enable_ipv6,
        'enable_ipv4': p.get('enable_ipv4'),
        'config_only': p.get('config_only'),
        'config_from': p.get('config_from') or None,
        'options': options,
        'encrypted': p.get('encrypted'),
        'labels': labels,
        'ipam_driver': p.get('ipam_driver'),
        'ipam_options': _str_map(p.get('ipam_driver_options'), join_path(path, 'ipam_driver_options')),
        'ipam_config': ipam_config,
        'containers': containers,
    }
    for key, default in POLICY_DEFAULTS.items():
        want[key] = p.get(key) if p.get(key) is not None else default
    return want


# -- the network as the engine has it -----------------------------------------

def normalise_have(net, members=()):
    """Engine inspect output -> the same shape as normalise_want (plus id, endpoints).

    ``members`` are the inspect outputs of the containers that reference the
    network (the container listing filtered by it, stopped and created ones
    included); network inspect alone lists only running endpoints. Each
    endpoint carries the container's state.
    """
    ipam = net.get('IPAM') or {}
    config = []
    for entry in ipam.get('Config') or []:
        config.append(norm_ipam_entry({
            'subnet': entry.get('Subnet'),
            'iprange': entry.get('IPRange'),
            'gateway': entry.get('Gateway'),
            # The engine's key is AuxiliaryAddresses both ways; AuxAddress
            # (the CLI's flag name) is silently ignored by the engine.
            'aux_addresses': entry.get('AuxiliaryAddresses'),
        }, 'engine'))
    driver = net.get('Driver')
    if driver == 'null':
        driver = 'none'
    options = norm_options(driver, net.get('Options') or {})
    for key, value in DRIVER_DEFAULTS.get(driver, {}).items():
        options.setdefault(key, value)
    endpoints = {}
    for cid, ep in (net.get('Containers') or {}).items():
        if not _CONTAINER_KEY.match(cid):
            # The engine's own endpoints: an overlay's load balancer (lb-NET),
            # other swarm nodes' tasks (ep-ID). No container to record or move.
            continue
        endpoints[ep.get('Name') or cid] = {
            'id': cid,
            'ipv4': canon_ip((ep.get('IPv4Address') or '').split('/')[0]),
            'ipv6': canon_ip((ep.get('IPv6Address') or '').split('/')[0]),
            'mac': ep.get('MacAddress') or None,
            'state': 'running',
        }
    known = dict((ep['id'], name) for name, ep in endpoints.items())
    for info in members:
        stored = stored_endpoint(info, net.get('Name'), net.get('Id'))
        if stored is None:
            continue
        state = ((info.get('State') or {}).get('Status')) or None
        if info.get('Id') in known:
            endpoints[known[info['Id']]]['state'] = state or 'running'
            continue
        ipam_cfg = stored.get('IPAMConfig') or {}
        endpoints[(info.get('Name') or '').lstrip('/') or info.get('Id')] = {
            'id': info.get('Id'),
            'ipv4': canon_ip(stored.get('IPAddress') or ipam_cfg.get('IPv4Address')),
            'ipv6': canon_ip(stored.get('GlobalIPv6Address') or ipam_cfg.get('IPv6Address')),
            'mac': stored.get('MacAddress') or None,
            'state': state,
        }
    return {
        'id': net.get('Id'),
        'name': net.get('Name'),
        'created': net.get('Created'),
        'driver': driver,
        'scope': net.get('Scope'),
        'internal': bool(net.get('Internal')),
        'attachable': bool(net.get('Attachable')),
        'ingress': bool(net.get('Ingress')),
        'enable_ipv6': bool(net.get('EnableIPv6')),
        # Engines before 28 (API 1.47) have no EnableIPv4: IPv4 is always on there.
        'enable_ipv4': bool(net.get('EnableIPv4', True)),
        'config_only': bool(net.get('ConfigOnly')),
        'config_from': ((net.get('ConfigFrom') or {}).get('Network')) or None,
        'options': options,
        'encrypted': 'encrypted' in options,
        'labels': dict(net.get('Labels') or {}),
        'ipam_driver': ipam.get('Driver') or 'default',
        'ipam_options': dict(ipam.get('Options') or {}),
        'ipam_config': config,
        'endpoints': endpoints,
        'managed': (net.get('Labels') or {}).get(MANAGED_LABEL) == 'true',
    }


def stored_endpoint(container, network_name, network_id=None):
    """A container's stored settings for one network, running or not; None when it has none.

    A running container's entry carries the network's id. One connected while
    stopped, or created with the network, has no id until it starts: its entry
    is the one under the network's name.
    """
    nets = ((container.get('NetworkSettings') or {}).get('Networks') or {})
    if network_id:
        for ep in nets.values():
            if ep and ep.get('NetworkID') == network_id:
                return ep
    ep = nets.get(network_name)
    if ep is None or (network_id and ep.get('NetworkID') and ep['NetworkID'] != network_id):
        return None
    return ep


def endpoint_from_container(container, network_name, network_id=None, api_version=None):
    """What to record of one container's endpoint on a network, to restore it exactly.

    ``api_version`` is the API the client speaks: the MAC is restored from
    1.44 (Engine 25) on, the gateway priority from 1.48 (Engine 28) on; older
    engines take neither in an endpoint config.
    """
    ep = stored_endpoint(container, network_name, network_id) or {}
    short_id = (container.get('Id') or '')[:12]
    ipam = ep.get('IPAMConfig') or {}
    labels = ((container.get('Config') or {}).get('Labels') or {})
    mac = ep.get('MacAddress') or None
    gw_priority = ep.get('GwPriority') or None
    return {
        'container': (container.get('Name') or '').lstrip('/'),
        'id': container.get('Id'),
        'state': ((container.get('State') or {}).get('Status')) or None,
        # The engine adds the short id as an alias on its own; it is not the user's.
        'aliases': sorted(a for a in (ep.get('Aliases') or []) if a != short_id),
        'links': list(ep.get('Links') or []),
        'ipv4_address': canon_ip(ipam.get('IPv4Address')),
        'ipv6_address': canon_ip(ipam.get('IPv6Address')),
        'link_local_ips': [canon_ip(a) for a in ipam.get('LinkLocalIPs') or []],
        'mac': mac,
        'mac_address': mac if api_at_least(api_version, API_ENDPOINT_MAC) else None,
        'gw_priority': gw_priority if api_at_least(api_version, API_GW_PRIORITY) else None,
        'driver_opts': dict(ep.get('DriverOpts') or {}),
        'service': labels.get('com.docker.swarm.service.name'),
    }


def resolve_containers(want, infos, path=''):
    """The wanted containers under the names the engine knows them by.

    ``infos`` maps each name as given (a name, a full or a short id) to its
    container inspect output. Endpoints are keyed by container name, so an id
    must become that name to match.
    """
    out, seen = [], {}
    for i, c in enumerate(want['containers']):
        info = infos.get(c['name']) or {}
        name = (info.get('Name') or '').lstrip('/') or c['name']
        if name in seen:
            raise ValidationError('container %s is listed twice (containers[%d] names it too); merge the entries'
                                  % (name, seen[name]), path=join_path(path, 'containers[%d].name' % i))
        seen[name] = i
        out.append(dict(c, name=name))
    resolved = dict(want)
    resolved['containers'] = out
    return resolved


def endpoint_config(record):
    """An engine EndpointConfig from a recorded or wanted endpoint."""
    cfg = {}
    if record.get('aliases'):
        cfg['Aliases'] = list(record['aliases'])
    if record.get('links'):
        cfg['Links'] = list(record['links'])
    ipam = {}
    if record.get('ipv4_address'):
        ipam['IPv4Address'] = record['ipv4_address']
    if record.get('ipv6_address'):
        ipam['IPv6Address'] = record['ipv6_address']
    if record.get('link_local_ips'):
        ipam['LinkLocalIPs'] = list(record['link_local_ips'])
    if ipam:
        cfg['IPAMConfig'] = ipam
    if record.get('driver_opts'):
        cfg['DriverOpts'] = dict(record['driver_opts'])
    if record.get('mac_address'):
        cfg['MacAddress'] = record['mac_address']
    if record.get('gw_priority'):
        cfg['GwPriority'] = record['gw_priority']
    return cfg
