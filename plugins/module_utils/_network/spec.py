# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network spec model: one argument spec, and one normalised shape.

Both the wanted spec (module arguments, normalise_want) and the current
network (engine inspect output, read by _network.wire with the canonical
forms defined here) are brought into the same shape, so a second run never
shows a false change: CIDR forms, IPv6 spellings, driver option spellings,
the engine's own defaults and labels.
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

# Bridge driver options with a module option of their own (the engine's keys).
GATEWAY_MODE_IPV4 = 'com.docker.network.bridge.gateway_mode_ipv4'
GATEWAY_MODE_IPV6 = 'com.docker.network.bridge.gateway_mode_ipv6'
TRUSTED_HOST_INTERFACES = 'com.docker.network.bridge.trusted_host_interfaces'
GATEWAY_MODES = ('nat', 'routed', 'nat-unprotected', 'isolated')
# What the engine does when these are absent: an absent key and this value are the same network.
OPTION_DEFAULTS = {GATEWAY_MODE_IPV4: 'nat', GATEWAY_MODE_IPV6: 'nat', TRUSTED_HOST_INTERFACES: ''}

# Endpoint driver options with a module option of their own.
ENDPOINT_IFNAME = 'com.docker.network.endpoint.ifname'
ENDPOINT_SYSCTLS = 'com.docker.network.endpoint.sysctls'

# Options the engine writes into a network on its own; never carried into a
# recreated network's body (a pinned VXLAN id would clash or leak).
ENGINE_OPTIONS = ('com.docker.network.driver.overlay.vxlanid_list',)


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
    mac_address=dict(type='str'),
    gw_priority=dict(type='int'),
    interface_name=dict(type='str'),
    sysctls=dict(type='dict'),
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
    gateway_mode_ipv4=dict(type='str', choices=list(GATEWAY_MODES)),
    gateway_mode_ipv6=dict(type='str', choices=list(GATEWAY_MODES)),
    trusted_host_interfaces=dict(type='list', elements='str'),
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


def norm_mac(value, path):
    """A unicast MAC address in lower case with colons ('02-42-C6-13-00-0A' -> '02:42:c6:13:00:0a')."""
    text = (u'%s' % value).strip().lower().replace('-', ':')
    if not re.match(r'^([0-9a-f]{2}:){5}[0-9a-f]{2}$', text) or int(text[:2], 16) & 1:
        raise ValidationError('%r is not a unicast MAC address; write it like 02:42:c6:13:00:0a (the first byte even)'
                              % (value,), path=path)
    return text


_SYSCTL = re.compile(r'^net\.(ipv4|ipv6|mpls)\.[^.=,]+\.ifname\.[^=,]+$', re.I)


def norm_sysctls(value, path):
    """Per-interface sysctls as the engine takes them: 'net.X.Y.IFNAME.Z' -> value, values as strings."""
    out = {}
    for key, val in (_str_map(value, path) or {}).items():
        parts = key.split('.')
        if not _SYSCTL.match(key) or len(parts) < 5:
            raise ValidationError('%r is not an interface sysctl the engine takes; write it like '
                                  'net.ipv4.conf.IFNAME.forwarding (X in net.X.Y.IFNAME.Z is ipv4, ipv6 or mpls; '
                                  'IFNAME stands for the interface)' % (key,), path=join_path(path, key))
        if val in ('true', 'false'):
            val = '1' if val == 'true' else '0'
        if ',' in val or not val:
            raise ValidationError('%r is not a sysctl value the engine takes (not empty, no comma)' % (val,),
                                  path=join_path(path, key))
        parts[3] = 'IFNAME'
        out['.'.join(parts)] = val
    return out


def sysctls_option(sysctls):
    """The com.docker.network.endpoint.sysctls value: 'k=v,k=v', sorted."""
    return ','.join('%s=%s' % kv for kv in sorted(sysctls.items()))


def sysctls_of(driver_opts):
    """An endpoint's sysctls, from its driver options, in the form norm_sysctls gives."""
    out = {}
    for item in (driver_opts or {}).get(ENDPOINT_SYSCTLS, '').split(','):
        key, sep, val = item.partition('=')
        if sep:
            parts = key.split('.')
            if len(parts) > 3:
                parts[3] = 'IFNAME'
            out['.'.join(parts)] = val
    return out


def interface_name(name, path):
    """A Linux interface name: 1 to 15 characters, no space, ':' or '/'."""
    if not name or len(name) > 15 or re.search(r'[\s:/]', name):
        raise ValidationError('%r is not an interface name; give 1 to 15 characters without spaces, \':\' or \'/\''
                              % (name,), path=path)
    return name


def _interface_names(names, path):
    """A list of host interface names as the engine's option holds them: sorted, ':' between them."""
    return ':'.join(sorted(set(interface_name(name, '%s[%d]' % (path, i)) for i, name in enumerate(names))))


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
        if key == TRUSTED_HOST_INTERFACES:
            # the engine takes the names in any order, ':' between them
            value = ':'.join(sorted(set(n for n in (u'%s' % value).split(':') if n)))
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
                   ('ipvlan_flag', 'ipvlan_flag'), ('gateway_mode_ipv4', GATEWAY_MODE_IPV4),
                   ('gateway_mode_ipv6', GATEWAY_MODE_IPV6))
    if p.get('trusted_host_interfaces') is not None:
        p = dict(p, trusted_host_interfaces=_interface_names(p['trusted_host_interfaces'],
                                                             join_path(path, 'trusted_host_interfaces')))
        first_class += (('trusted_host_interfaces', TRUSTED_HOST_INTERFACES),)
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
            'mac_address': norm_mac(c['mac_address'], join_path(cpath, 'mac_address')) if c.get('mac_address') else None,
            'gw_priority': c.get('gw_priority'),
            'interface_name': (interface_name(c['interface_name'], join_path(cpath, 'interface_name'))
                               if c.get('interface_name') is not None else None),
            'sysctls': norm_sysctls(c['sysctls'], join_path(cpath, 'sysctls')) if c.get('sysctls') is not None else None,
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


def mac_from_ipv4(address):
    """The MAC an engine derives from an endpoint's IPv4 address (bridge and macvlan before Engine 28, overlay
    always): 02:42 and the four bytes of the address; None without an IPv4 address."""
    try:
        packed = ipaddress.IPv4Address(u'%s' % address).packed
    except ValueError:
        return None
    return '02:42:' + ':'.join('%02x' % (b if isinstance(b, int) else ord(b)) for b in packed)


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
