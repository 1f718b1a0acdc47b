# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place the Engine API's network JSON is read and written.

The planner, validation, the kernel checks and the check-mode prediction work
in the normalised shape of _network.spec (lower case keys, canonical values).
This module translates at the edge: a network inspect (or listing) entry and a
container's stored endpoint into that shape; a network to create and an
endpoint to connect into the bodies the engine takes (/networks/create,
/networks/{id}/connect); and back from such a body, to see what it asks for.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import (
    DRIVER_DEFAULTS, MANAGED_LABEL, canon_ip, mac_from_ipv4, norm_ipam_entry, norm_options)

# A network-inspect Containers key that is a container (not an overlay's
# load-balancer endpoint 'lb-...' or another node's 'ep-...').
_CONTAINER_KEY = re.compile(r'^[0-9a-f]{64}$')

# One IPAM.Config entry: (the normalised key, the engine's). The engine's key is
# AuxiliaryAddresses both ways; AuxAddress (the CLI's flag name) is silently
# ignored by the engine.
_IPAM_FIELDS = (('subnet', 'Subnet'), ('iprange', 'IPRange'), ('gateway', 'Gateway'),
                ('aux_addresses', 'AuxiliaryAddresses'))
# One EndpointConfig: (the record's key, where the engine has it), in the body's order.
_ENDPOINT_FIELDS = (
    ('aliases', ('Aliases',)), ('links', ('Links',)), ('ipv4_address', ('IPAMConfig', 'IPv4Address')),
    ('ipv6_address', ('IPAMConfig', 'IPv6Address')), ('link_local_ips', ('IPAMConfig', 'LinkLocalIPs')),
    ('driver_opts', ('DriverOpts',)), ('mac_address', ('MacAddress',)), ('gw_priority', ('GwPriority',)),
)


def _copy(value):
    """A list or a map copied, so a body never shares one with the record it came from."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


# -- the network as the engine has it -----------------------------------------

def network_from_inspect(net, members=()):
    """Engine inspect output -> the same shape as normalise_want (plus id, endpoints).

    ``members`` are the inspect outputs of the containers that reference the
    network (the container listing filtered by it, stopped and created ones
    included); network inspect alone lists only running endpoints. Each
    endpoint carries the container's state.
    """
    ipam = net.get('IPAM') or {}
    config = []
    for entry in ipam.get('Config') or []:
        config.append(norm_ipam_entry(dict((key, entry.get(field)) for key, field in _IPAM_FIELDS), 'engine'))
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
        # Engines before 28.0 (API 1.48) have no EnableIPv4: IPv4 is always on there.
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


def peer_addresses(net):
    """The addresses of the other nodes an overlay's inspect lists as its peers."""
    return [p.get('IP') for p in (net.get('Peers') or [])]


# -- a container's endpoint ---------------------------------------------------

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


def on_network(info, network, net_id):
    """Whether an inspected container is attached to the network.

    A running container's endpoint has an EndpointID on that network's id; a
    refused connect can leave an entry without one (Engine 20.10), which is
    not an endpoint. A stopped container keeps only the configuration.
    """
    ep = ((info.get('NetworkSettings') or {}).get('Networks') or {}).get(network)
    if ep is None:
        return False
    if not (info.get('State') or {}).get('Running'):
        return True
    return bool(ep.get('EndpointID')) and (not net_id or ep.get('NetworkID') in (None, net_id))


def fixed_mac(container, network_name, network_id=None):
    """The MAC address the container was created with for this network, when the engine shows it; else None.

    The engine shows it as Config.MacAddress, for the network the container was
    created on (HostConfig.NetworkMode) only. It keeps showing it after a
    reconnect gave the endpoint another MAC, so it counts only while the
    endpoint still has it (or the container is not running: then the endpoint
    shows no MAC, and gets that one when it starts).
    """
    mode = ((container.get('HostConfig') or {}).get('NetworkMode') or '')
    configured = ((container.get('Config') or {}).get('MacAddress') or '').lower() or None
    if not configured or not mode or not (mode == network_name or (
            network_id and len(mode) >= 12 and network_id.startswith(mode))):
        return None
    ep = stored_endpoint(container, network_name, network_id) or {}
    live = (ep.get('MacAddress') or '').lower()
    if (container.get('State') or {}).get('Running') and live != configured:
        return None
    return configured


def endpoint_from_inspect(container, network_name, network_id=None):
    """What to record of one container's endpoint on a network (from its inspect), to restore it exactly.

    Which of it an engine takes back in a network connect (the MAC address) is
    the caller's to decide, by the engine's API version.
    """
    ep = stored_endpoint(container, network_name, network_id) or {}
    short_id = (container.get('Id') or '')[:12]
    ipam = ep.get('IPAMConfig') or {}
    labels = ((container.get('Config') or {}).get('Labels') or {})
    fixed = fixed_mac(container, network_name, network_id)
    mac = (ep.get('MacAddress') or '').lower() or fixed
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
        'mac_fixed': fixed,
        # whether the MAC is the one an engine derives from the IPv4 address; None when it cannot tell
        'mac_derived': (mac == mac_from_ipv4(ep['IPAddress'])) if mac and ep.get('IPAddress') else None,
        # an engine without GwPriority (before API 1.48) reports none
        'gw_priority': ep.get('GwPriority') or None,
        'driver_opts': dict(ep.get('DriverOpts') or {}),
        'service': labels.get('com.docker.swarm.service.name'),
    }


def connect_body(record):
    """An engine EndpointConfig (a network connect's) from a recorded or wanted endpoint.

    What an API version takes back of a record (the MAC address) is decided
    when it is recorded (_network.core.EngineState.record); a gated setting
    the engine's API cannot honour never gets here (_network.gates).
    """
    cfg = {}
    for key, where in _ENDPOINT_FIELDS:
        if record.get(key):
            parent = cfg.setdefault(where[0], {}) if len(where) > 1 else cfg
            parent[where[-1]] = _copy(record[key])
    return cfg


def endpoint_from_body(cfg):
    """A connect body (connect_body's output) back in the record's keys; only what it sets."""
    out = {}
    for key, where in _ENDPOINT_FIELDS:
        value = cfg or {}
        for field in where:
            value = value.get(field) or {}
        if value:
            out[key] = value
    return out


# -- the network to create ----------------------------------------------------

def create_body(network):
    """The engine's create body for a network to make (_network.plan.create_target's output).

    ``enable_ipv4`` None leaves EnableIPv4 out: engines before API 1.48 do not
    know the field. A network made from a config-only one (``config_from``)
    carries no labels, IPAM or options: the engine refuses them there.
    """
    driver = network['driver']
    body = {
        'Name': network['name'],
        'CheckDuplicate': True,
        'Driver': 'null' if driver == 'none' else driver,
        'Internal': network['internal'],
        'Attachable': network['attachable'],
        'Ingress': network['ingress'],
        'EnableIPv6': network['enable_ipv6'],
        'ConfigOnly': network['config_only'],
        'Labels': network['labels'],
    }
    if network.get('enable_ipv4') is not None:
        body['EnableIPv4'] = network['enable_ipv4']
    if network.get('scope'):
        body['Scope'] = network['scope']
    if network.get('config_from'):
        body['ConfigFrom'] = {'Network': network['config_from']}
        del body['Labels']
        return body
    body['Options'] = network['options']
    body['IPAM'] = {
        'Driver': network['ipam_driver'],
        'Options': network['ipam_options'],
        'Config': [_ipam_entry_body(e) for e in network['ipam_config']],
    }
    return body


def without_duplicate_check(body):
    """The same create body, without the engine's refusal of a second network of that name."""
    return dict(body, CheckDuplicate=False)


def bridge_body(name, subnet, options, labels):
    """A bridge network's create body with one subnet, options and labels; every other field left to the
    engine's defaults (docker_swarm's docker_gwbridge)."""
    return dict(Name=name, Driver='bridge', CheckDuplicate=True,
                IPAM=dict(Driver='default', Config=[dict(Subnet=subnet)]), Options=options, Labels=labels)


def listed_subnets(net):
    """A network inspect's subnets, as the engine wrote them, in its order."""
    return [c.get('Subnet') for c in (net.get('IPAM') or {}).get('Config') or [] if c.get('Subnet')]


def endpoint_names(net):
    """The name of every endpoint a network inspect lists, the engine's own ones included."""
    return [c.get('Name') or k for k, c in (net.get('Containers') or {}).items()]


def _ipam_entry_body(entry):
    return dict((field, _copy(entry[key])) for key, field in _IPAM_FIELDS if entry.get(key))


def _body_as_inspect(body):
    ipam = body.get('IPAM') or {}
    return {
        'Name': body.get('Name'), 'Driver': body.get('Driver'), 'Scope': body.get('Scope') or 'local',
        'Internal': body.get('Internal'), 'Attachable': body.get('Attachable'), 'Ingress': body.get('Ingress'),
        'EnableIPv6': body.get('EnableIPv6'), 'EnableIPv4': body.get('EnableIPv4', True),
        'ConfigOnly': body.get('ConfigOnly'),
        'ConfigFrom': body.get('ConfigFrom') or {}, 'Options': body.get('Options') or {},
        'Labels': body.get('Labels') or {},
        'IPAM': {'Driver': ipam.get('Driver'), 'Options': ipam.get('Options'),
                 'Config': [dict((k, v) for k, v in e.items()) for e in ipam.get('Config') or []]},
    }


def network_from_body(body):
    """What a create body asks for, in the normalised shape (as network_from_inspect, without id or endpoints).

    The IPAM entries keep the body's order; the engine lists IPv4 pools first
    (_network.core.predict orders them so).
    """
    return network_from_inspect(_body_as_inspect(body))


def create_command(body):
    """The docker CLI command that makes a network from a create body by hand."""
    args = ['docker network create']
    if body.get('ConfigFrom'):
        args.append('--config-from %s' % body['ConfigFrom']['Network'])
    else:
        args.append('--driver %s' % (body.get('Driver') or 'bridge'))
    for flag, key in (('--internal', 'Internal'), ('--attachable', 'Attachable'), ('--ingress', 'Ingress'),
                      ('--ipv6', 'EnableIPv6'), ('--config-only', 'ConfigOnly')):
        if body.get(key):
            args.append(flag)
    if body.get('Scope'):
        args.append('--scope %s' % body['Scope'])
    args.extend('--opt %s=%s' % kv for kv in sorted((body.get('Options') or {}).items()))
    args.extend('--label %s=%s' % kv for kv in sorted((body.get('Labels') or {}).items()))
    ipam = body.get('IPAM') or {}
    if ipam.get('Driver') not in (None, 'default'):
        args.append('--ipam-driver %s' % ipam['Driver'])
    args.extend('--ipam-opt %s=%s' % kv for kv in sorted((ipam.get('Options') or {}).items()))
    for entry in ipam.get('Config') or []:
        for flag, key in (('--subnet', 'Subnet'), ('--ip-range', 'IPRange'), ('--gateway', 'Gateway')):
            if entry.get(key):
                args.append('%s %s' % (flag, entry[key]))
        args.extend('--aux-address %s=%s' % kv for kv in sorted((entry.get('AuxiliaryAddresses') or {}).items()))
    return ' '.join(args + [body['Name']])
