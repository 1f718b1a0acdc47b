# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation of a normalised wanted network: one function per rule.

Every rule raises ValidationError naming the field and the fix, before
anything on the engine is touched. Rules that need engine state take it as
arguments, so all of them are pure and unit-tested.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError, join_path
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import (
    GATEWAY_MODE_IPV4, GATEWAY_MODE_IPV6, MANAGED_LABEL, MTU_OPTION, PARENT_DRIVERS, PREDEFINED, TRUSTED_HOST_INTERFACES)
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import network_from_body

# Where a driver option came from, to name the field the user wrote.
_OPTION_FIELDS = {'parent': 'parent', 'macvlan_mode': 'macvlan_mode', 'ipvlan_mode': 'ipvlan_mode',
                  'ipvlan_flag': 'ipvlan_flag', MTU_OPTION: 'mtu', 'encrypted': 'encrypted',
                  GATEWAY_MODE_IPV4: 'gateway_mode_ipv4', GATEWAY_MODE_IPV6: 'gateway_mode_ipv6',
                  TRUSTED_HOST_INTERFACES: 'trusted_host_interfaces'}


def _net(value):
    return ipaddress.ip_network(value, strict=False)


_SPANS = {}


def _span(value):
    """(version, first, last address as integers) of a subnet, parsed once per process.

    rule_overlaps runs for every pair of entries in docker_networks (N x N);
    parsing each subnet string there again dominated planning at 100 networks.
    """
    span = _SPANS.get(value)
    if span is None:
        net = _net(value)
        span = _SPANS[value] = (net.version, int(net.network_address), int(net.broadcast_address))
    return span


def rule_name(want, path):
    name = want['name']
    if not name or not name.strip():
        raise ValidationError('a network name is required', path=join_path(path, 'name'))
    if name in PREDEFINED:
        raise ValidationError("'%s' is a network the engine predefines: it cannot be created, changed or removed; "
                              "choose another name (the default bridge's addresses are set by the engine's bip)"
                              % name, path=join_path(path, 'name'))


def rule_driver(want, path):
    if want['driver'] in ('host', 'none'):
        drv = want['driver']
        raise ValidationError("driver %s: only the engine's predefined '%s' network uses it; attach containers "
                              "to '%s' instead of creating a network" % (drv, drv, drv), path=join_path(path, 'driver'))


def rule_driver_options(want, path, warnings):
    """Options that only mean something to one driver."""
    driver = want['driver'] or 'bridge'
    opts = want['options']

    def field(key):
        return join_path(path, _OPTION_FIELDS.get(key, 'driver_options.' + key))
    if 'encrypted' in opts and driver != 'overlay':
        raise ValidationError('encrypted applies only to driver overlay (driver is %s, which would silently '
                              'ignore it); set driver: overlay or drop encrypted' % driver, path=field('encrypted'))
    if want.get('attachable') and driver != 'overlay':
        warnings.append('%s: attachable has no effect on driver %s; the engine accepts and ignores it'
                        % (join_path(path, 'attachable'), driver))
    if 'macvlan_mode' in opts and driver != 'macvlan':
        raise ValidationError('macvlan_mode needs driver: macvlan (driver is %s)' % driver, path=field('macvlan_mode'))
    for key in ('ipvlan_mode', 'ipvlan_flag'):
        if key in opts and driver != 'ipvlan':
            raise ValidationError('%s needs driver: ipvlan (driver is %s)' % (key, driver), path=field(key))
    for key in (GATEWAY_MODE_IPV4, GATEWAY_MODE_IPV6, TRUSTED_HOST_INTERFACES):
        if key in opts and driver != 'bridge' and not want.get('config_only'):
            raise ValidationError('%s needs driver: bridge (driver is %s, which would silently ignore it)'
                                  % (_OPTION_FIELDS[key], driver), path=field(key))
    isolated = [key for key in (GATEWAY_MODE_IPV4, GATEWAY_MODE_IPV6) if opts.get(key) == 'isolated']
    if isolated and want.get('internal') is not True:
        raise ValidationError('isolated needs internal: true (the engine refuses it on a network with access beyond '
                              'the host: an isolated network has no gateway); set internal: true, or choose nat, '
                              'routed or nat-unprotected', path=field(isolated[0]))
    if opts.get(GATEWAY_MODE_IPV6) and want.get('enable_ipv6') is False:
        raise ValidationError('gateway_mode_ipv6 needs IPv6, and enable_ipv6 is false; drop one of them',
                              path=field(GATEWAY_MODE_IPV6))
    if 'parent' in opts and driver not in PARENT_DRIVERS and not want.get('config_only'):
        raise ValidationError('parent needs driver macvlan or ipvlan (driver is %s)' % driver, path=field('parent'))
    if MTU_OPTION in opts:
        try:
            mtu = int(opts[MTU_OPTION])
        except ValueError:
            raise ValidationError('%r is not a number' % opts[MTU_OPTION], path=field(MTU_OPTION))
        if not 68 <= mtu <= 65535:
            raise ValidationError('%d is out of range; an MTU is between 68 and 65535' % mtu, path=field(MTU_OPTION))


def rule_ipv4_off(want, path):
    """enable_ipv4: false makes an IPv6-only network: it needs IPv6, and no IPv4 subnet (the engine would keep
    one it never uses)."""
    if want.get('enable_ipv4') is not False or want.get('config_only'):
        return
    if not want.get('enable_ipv6'):
        raise ValidationError('false makes an IPv6-only network, and IPv6 is not on: set enable_ipv6: true (or give '
                              'an IPv6 subnet in ipam_config); a network needs IPv4 or IPv6',
                              path=join_path(path, 'enable_ipv4'))
    for i, entry in enumerate(want['ipam_config'] or []):
        if entry.get('subnet') and _net(entry['subnet']).version == 4:
            raise ValidationError('%s is an IPv4 subnet, and enable_ipv4 is false; drop the subnet or enable_ipv4'
                                  % entry['subnet'], path=join_path(path, 'ipam_config[%d].subnet' % i))


def rule_ipam(want, path):
    """Each entry is self-consistent and the entries do not overlap each other."""
    seen = []
    for i, entry in enumerate(want['ipam_config'] or []):
        epath = join_path(path, 'ipam_config[%d]' % i)
        subnet = entry.get('subnet')
        if subnet is None:
            if entry:
                raise ValidationError('iprange, gateway and aux_addresses need a subnet in the same entry',
                                      path=join_path(epath, 'subnet'))
            continue
        net = _net(subnet)
        if net.version == 6 and want.get('enable_ipv6') is False and not want.get('config_only'):
            raise ValidationError('%s is an IPv6 subnet, and enable_ipv6 is false; set enable_ipv6: true (or leave '
                                  'it out: an IPv6 subnet implies it) or drop the subnet' % subnet,
                                  path=join_path(epath, 'subnet'))
        if entry.get('iprange'):
            rng = _net(entry['iprange'])
            if rng.version != net.version or not rng.subnet_of(net):
                raise ValidationError('%s is not inside subnet %s; pick a range within it'
                                      % (entry['iprange'], subnet), path=join_path(epath, 'iprange'))
        if entry.get('gateway'):
            gw = ipaddress.ip_address(entry['gateway'])
            if gw.version != net.version or gw not in net:
                raise ValidationError('%s is not inside subnet %s; use an address within it'
                                      % (entry['gateway'], subnet), path=join_path(epath, 'gateway'))
            _rule_host_address(gw, net, join_path(epath, 'gateway'))
        for key, addr in sorted((entry.get('aux_addresses') or {}).items()):
            a = ipaddress.ip_address(addr)
            if a.version != net.version or a not in net:
                raise ValidationError('%s is not inside subnet %s; use an address within it' % (addr, subnet),
                                      path=join_path(epath, 'aux_addresses', key))
        for j, other in seen:
            if other.version == net.version and net.overlaps(other):
                raise ValidationError('%s overlaps ipam_config[%d].subnet %s of the same network; '
                                      'give each entry its own range' % (subnet, j, other),
                                      path=join_path(epath, 'subnet'))
        seen.append((i, net))


def _rule_host_address(addr, net, path):
    """A gateway must be a host of its subnet, not the subnet itself (198.18.0.0/24 as a gateway reads as
    198.18.0.0) nor, on IPv4, its broadcast address."""
    if net.num_addresses <= 2:
        return  # /31, /32, /127, /128: every address is a host
    if addr == net.network_address or (net.version == 4 and addr == net.broadcast_address):
        raise ValidationError('%s is the %s address of subnet %s, not a host in it; give the gateway\'s own address, '
                              'such as %s' % (addr, 'network' if addr == net.network_address else 'broadcast', net,
                                              net.network_address + 1), path=path)


def rule_labels(want, path):
    """The ownership label is the collection's: it is 'true' on every network it makes."""
    value = want['labels'].get(MANAGED_LABEL)
    if value is not None and value != 'true':
        raise ValidationError('%s=%r: the collection sets this label to true on every network it creates (purge '
                              'removes only networks carrying it); drop it from labels, and use purge_labels or '
                              'leave the network out of a purge to keep it' % (MANAGED_LABEL, value),
                              path=join_path(path, 'labels', MANAGED_LABEL))


def rule_config_from(want, path):
    if want.get('config_from'):
        given = [k for k in ('ipam_config', 'ipam_options', 'labels', 'enable_ipv6', 'ipam_driver') if want.get(k)]
        given += ['driver_options.%s' % k for k in sorted(want['options']) if k != 'encrypted']
        if given:
            raise ValidationError('a network created with config_from takes its addresses and options from %r; '
                                  'set %s on that config-only network instead'
                                  % (want['config_from'], ', '.join(given)), path=join_path(path, 'config_from'))
        if want.get('config_only'):
            raise ValidationError('config_only and config_from exclude each other', path=join_path(path, 'config_from'))
    if want.get('config_only') and want.get('containers'):
        raise ValidationError('a config-only network cannot have containers; attach them to the network '
                              'created with config_from', path=join_path(path, 'containers'))


def rule_containers(want, path):
    names = set()
    subnets = [_net(e['subnet']) for e in (want['ipam_config'] or []) if e.get('subnet')]
    for i, c in enumerate(want['containers']):
        cpath = join_path(path, 'containers[%d]' % i)
        if c['name'] in names:
            raise ValidationError('container %s is listed twice; merge the entries' % c['name'],
                                  path=join_path(cpath, 'name'))
        names.add(c['name'])
        for key, version in (('ipv4_address', 4), ('ipv6_address', 6)):
            addr = c.get(key)
            if not addr:
                continue
            ip = ipaddress.ip_address(addr)
            if ip.version != version:
                raise ValidationError('%s is not an IPv%d address' % (addr, version), path=join_path(cpath, key))
            fams = [s for s in subnets if s.version == version]
            if want['ipam_config'] is not None and not fams:
                raise ValidationError('a fixed address needs a subnet of its family in ipam_config; '
                                      'the engine only honours fixed addresses on user-configured subnets',
                                      path=join_path(cpath, key))
            if fams and not any(ip in s for s in fams):
                raise ValidationError('%s is not inside any subnet of the network (%s)'
                                      % (addr, ', '.join(str(s) for s in fams)), path=join_path(cpath, key))


def validate_want(want, path=''):
    """All rules that need nothing but the spec. Returns warnings."""
    warnings = []
    rule_name(want, path)
    if want['state'] == 'absent':
        return warnings
    rule_driver(want, path)
    rule_driver_options(want, path, warnings)
    rule_ipam(want, path)
    rule_ipv4_off(want, path)
    rule_labels(want, path)
    rule_config_from(want, path)
    rule_containers(want, path)
    return warnings


# -- rules that read engine state ----------------------------------------------

def rule_overlaps(want, others, path, skip=()):
    """Wanted subnets against every other network on the engine.

    Config-only networks hold a template, not an allocation, and a network
    made from one repeats its subnet: both are skipped.
    """
    for i, entry in enumerate(want['ipam_config'] or []):
        if not entry.get('subnet'):
            continue
        version, first, last = _span(entry['subnet'])
        for other in others:
            if other['name'] == want['name'] or other['name'] in skip or other.get('config_only'):
                continue
            if want.get('config_only') or other['name'] == want.get('config_from'):
                continue
            for oentry in other.get('ipam_config') or []:
                if not oentry.get('subnet'):
                    continue
                oversion, ofirst, olast = _span(oentry['subnet'])
                if oversion == version and first <= olast and ofirst <= last:
                    raise ValidationError('%s overlaps %s of network %s; choose a free range'
                                          % (entry['subnet'], oentry['subnet'], other['name']),
                                          path=join_path(path, 'ipam_config[%d].subnet' % i))


def rule_config_source(want, others, path):
    src = want.get('config_from')
    if not src:
        return
    match = [o for o in others if o['name'] == src]
    if not match:
        raise ValidationError('network %s does not exist; create it first with config_only: true' % src,
                              path=join_path(path, 'config_from'))
    if not match[0].get('config_only'):
        raise ValidationError('network %s is not a config-only network; config_from needs one created with '
                              'config_only: true' % src, path=join_path(path, 'config_from'))


def rule_containers_exist(want, containers, path):
    """containers: name -> inspect result or None."""
    for i, c in enumerate(want['containers']):
        info = containers.get(c['name'])
        if info is None:
            raise ValidationError('container %s does not exist on this engine; create it first or remove it '
                                  'from containers' % c['name'], path=join_path(path, 'containers[%d].name' % i))
        mode = ((info.get('HostConfig') or {}).get('NetworkMode') or '')
        if mode in ('none', 'host') or mode.startswith('container:'):
            raise ValidationError('container %s uses network mode %s, which cannot join other networks; '
                                  'recreate it on a bridge network' % (c['name'], mode),
                                  path=join_path(path, 'containers[%d].name' % i))


def rule_verify(want, steps, light, path):
    """verify: true needs an encrypted overlay: refused before anything is touched, not after making the network.

    ``light`` is the network as listed (or None); what it will be comes from a create/recreate step's body.
    """
    if want['state'] != 'present' or not want.get('verify'):
        return
    body = next((s['body'] for s in steps if s['action'] in ('create', 'recreate')), None)
    if body is not None:
        network = network_from_body(body)
        if network['config_from']:
            return  # its options are the config-only network's: verify says after the run
        driver, encrypted = network['driver'], network['encrypted']
    elif light is not None:
        driver, encrypted = light['driver'], light['encrypted']
    else:
        return
    if driver != 'overlay' or not encrypted:
        raise ValidationError('verify applies to encrypted overlay networks only, and %s would be %s; drop verify, '
                              'or set driver: overlay and encrypted: true'
                              % (want['name'], 'an unencrypted overlay' if driver == 'overlay' else 'a %s network'
                                 % driver), path=join_path(path, 'verify'))
