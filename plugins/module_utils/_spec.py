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

from ansible.module_utils.six import string_types

from ansible_collections.netprov.dockernet.plugins.module_utils._errors import ValidationError, join_path

MANAGED_LABEL = 'netprov.dockernet.managed'
PREDEFINED = ('bridge', 'host', 'none')
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


def norm_options(driver, options):
    """Canonical driver options: aliased spellings folded, encrypted as a flag."""
    out = {}
    for key, value in (options or {}).items():
        key = OPTION_ALIASES.get(key, key)
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
    options = norm_options(driver, _str_map(p.get('driver_options'), join_path(path, 'driver_options'))) or {}
    first_class = (('parent', 'parent'), ('macvlan_mode', 'macvlan_mode'), ('ipvlan_mode', 'ipvlan_mode'),
                   ('ipvlan_flag', 'ipvlan_flag'))
    for arg, key in first_class:
        if p.get(arg) is not None:
            if key in options and options[key] != p[arg]:
                raise ValidationError('%s=%r contradicts driver_options.%s=%r; give it once'
                                      % (arg, p[arg], key, options[key]), path=join_path(path, arg))
            options[key] = p[arg]
    if p.get('mtu') is not None:
        if MTU_OPTION in options and options[MTU_OPTION] != str(p['mtu']):
            raise ValidationError('mtu=%s contradicts driver_options %s=%s; give it once'
                                  % (p['mtu'], MTU_OPTION, options[MTU_OPTION]), path=join_path(path, 'mtu'))
        options[MTU_OPTION] = str(p['mtu'])
    if p.get('encrypted'):
        options['encrypted'] = ''
    elif p.get('encrypted') is False:
        options.pop('encrypted', None)

    labels = _str_map(p.get('labels'), join_path(path, 'labels')) or {}
    ipam_config = None
    if p.get('ipam_config'):
        ipam_config = [norm_ipam_entry(e or {}, join_path(path, 'ipam_config[%d]' % i))
                       for i, e in enumerate(p['ipam_config'])]
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
        'enable_ipv6': p.get('enable_ipv6'),
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

def normalise_have(net):
    """Engine inspect output -> the same shape as normalise_want (plus id, endpoints)."""
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
        if cid.startswith('ep-'):
            # Endpoints of other swarm nodes' tasks, listed on overlays.
            continue
        endpoints[ep.get('Name') or cid] = {
            'id': cid,
            'ipv4': (ep.get('IPv4Address') or '').split('/')[0] or None,
            'ipv6': (ep.get('IPv6Address') or '').split('/')[0] or None,
            'mac': ep.get('MacAddress') or None,
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


def endpoint_from_container(container, network_name):
    """What to record of one container's endpoint on a network, to restore it exactly."""
    nets = ((container.get('NetworkSettings') or {}).get('Networks') or {})
    ep = nets.get(network_name) or {}
    short_id = (container.get('Id') or '')[:12]
    ipam = ep.get('IPAMConfig') or {}
    labels = ((container.get('Config') or {}).get('Labels') or {})
    return {
        'container': (container.get('Name') or '').lstrip('/'),
        'id': container.get('Id'),
        # The engine adds the short id as an alias on its own; it is not the user's.
        'aliases': sorted(a for a in (ep.get('Aliases') or []) if a != short_id),
        'links': list(ep.get('Links') or []),
        'ipv4_address': ipam.get('IPv4Address') or None,
        'ipv6_address': ipam.get('IPv6Address') or None,
        'link_local_ips': list(ipam.get('LinkLocalIPs') or []),
        'mac': ep.get('MacAddress') or None,
        'driver_opts': dict(ep.get('DriverOpts') or {}),
        'service': labels.get('com.docker.swarm.service.name'),
    }


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
    return cfg
