# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Engine API version each network feature needs, and the one check that refuses what the engine cannot do.

An engine that does not know an option mostly stores it and ignores it
(a driver option such as a gateway mode, an endpoint driver option, a MAC
address in a network connect): the network then reads back as asked while the
engine does something else. So an option is refused, before anything changes,
when the API the client speaks with the engine is older than the one that
brought it. The versions are those of moby's API changelog
(api/docs/CHANGELOG.md) and of each release's highest API version.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError, join_path
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import (
    GATEWAY_MODE_IPV4, GATEWAY_MODE_IPV6, TRUSTED_HOST_INTERFACES, api_at_least)
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import endpoint_from_body

# API version -> the first Engine release that speaks it.
RELEASES = {
    '1.41': '20.10', '1.42': '23.0', '1.43': '24.0', '1.44': '25.0', '1.45': '26.0', '1.46': '27.0',
    '1.47': '27.2', '1.48': '28.0', '1.49': '28.1', '1.50': '28.2', '1.51': '28.3', '1.52': '29.0',
    '1.53': '29.2', '1.54': '29.3', '1.55': '29.6',
}

# The one table: (field, where its value is, the values that need it (None: any value), API version, what to
# do instead). ``where`` is 'want' for a key of the wanted network, 'option' for a driver option, 'container'
# for a key of each containers[] entry.
_DROP = 'upgrade the engine or drop %s'
GATES = (
    ('enable_ipv4', ('want', 'enable_ipv4'), (False,), '1.48',
     'every network has IPv4 there; upgrade the engine or drop enable_ipv4'),
    ('gateway_mode_ipv4', ('option', GATEWAY_MODE_IPV4), ('nat', 'routed'), '1.46', None),
    ('gateway_mode_ipv4', ('option', GATEWAY_MODE_IPV4), ('nat-unprotected', 'isolated'), '1.48', None),
    ('gateway_mode_ipv6', ('option', GATEWAY_MODE_IPV6), ('nat', 'routed'), '1.46', None),
    ('gateway_mode_ipv6', ('option', GATEWAY_MODE_IPV6), ('nat-unprotected', 'isolated'), '1.48', None),
    ('trusted_host_interfaces', ('option', TRUSTED_HOST_INTERFACES), None, '1.50', None),
    ('ipvlan_mode', ('option', 'ipvlan_mode'), ('l3s',), '1.42', None),
    ('ipvlan_flag', ('option', 'ipvlan_flag'), ('private', 'vepa'), '1.42', None),
    ('gw_priority', ('container', 'gw_priority'), None, '1.48', None),
    ('interface_name', ('container', 'interface_name'), None, '1.48', None),
    ('sysctls', ('container', 'sysctls'), None, '1.46', None),
)


# A MAC address in a network connect: the engine takes one in an endpoint config from API 1.44 on, but applies it
# only at container create; a network connect ignores it before API 1.54 (running, stopped or created containers
# alike: the endpoint gets a MAC of the engine's choosing when it starts).
CONNECT_MAC = '1.54'
ENDPOINT_MAC = '1.44'
# From Engine 28.0 a bridge or macvlan endpoint's MAC is random, unless set; before, derived from its IPv4 address.
RANDOM_MAC = '1.48'


def release(api):
    """The Engine release that brought API version ``api`` ('1.48' -> '28.0')."""
    return RELEASES.get(api, 'with API %s' % api)


def honours(api_version, minimum):
    """True when an engine spoken to with ``api_version`` takes what API ``minimum`` brought."""
    return api_at_least(api_version, minimum)


def _needs(label, api, found, hint):
    return '%s needs Engine %s (API %s); this engine speaks %s; %s' % (
        label, release(api), api, found or 'an unknown API version', hint)


def _given(want):
    """(field path, the value as the user wrote it, table row) for each gated option the want sets."""
    for field, (where, key), values, api, hint in GATES:
        if where == 'container':
            items = [('containers[%d].%s' % (i, field), c.get(key)) for i, c in enumerate(want.get('containers') or [])]
        elif where == 'option':
            items = [(field, (want.get('options') or {}).get(key))]
        else:
            items = [(field, want.get(key))]
        for fpath, value in items:
            if value not in (None, '') and (values is None or value in values):
                yield fpath, value, (field, api, hint, values)


def refuse_unsupported(want, api_version, path=''):
    """Raise ValidationError for the first option ``want`` sets that an engine spoken to with ``api_version``
    cannot honour: '<option> needs Engine <release> (API <v>); this engine speaks <found>'."""
    if want.get('state') == 'absent':
        return
    for fpath, value, (field, api, hint, values) in _given(want):
        if not honours(api_version, api):
            # 'gateway_mode_ipv4: isolated needs ...'; 'containers[0].gw_priority: gw_priority needs ...'
            label = field if values is None else (str(value).lower() if isinstance(value, bool) else value)
            raise ValidationError(_needs(label, api, api_version, hint or _DROP % field), path=join_path(path, fpath))


def refuse_connect_mac(want, steps, api_version, path=''):
    """A wanted mac_address that a step must send in a network connect, on an engine whose connect ignores it."""
    if honours(api_version, CONNECT_MAC):
        return
    index = dict((c['name'], i) for i, c in enumerate(want.get('containers') or []))
    for step in steps:
        items = [(step.get('container'), step.get('endpoint'))] + [
            (i['container'], i['endpoint']) for i in step.get('reconnect') or []]
        for container, endpoint in items:
            mac = endpoint_from_body(endpoint).get('mac_address')
            if mac and container in index:
                raise ValidationError(
                    _needs('mac_address in a network connect', CONNECT_MAC, api_version,
                           'Engine 25.0 to 29.2 set a MAC address only when the container is created (docker run '
                           '--network %s --mac-address %s): the %s would give %s another one; create the container '
                           'that way, or upgrade the engine' % (want['name'], mac, step['action'], container)),
                    path=join_path(path, 'containers[%d].mac_address' % index[container]))
