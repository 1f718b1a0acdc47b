# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docker_network_probe's options, validated, and the checks they ask for (pure).

A check is a dict: ``path`` (the option it comes from, as errors name it),
``check`` (``resolve``, ``not_resolve``, ``icmp``, ``tcp``, ``path_mtu``),
``target`` (the name or address), ``expected`` (what must be seen, in words)
and, for ``tcp``, ``port``. The list is what check mode returns as the plan
and what a real run goes through, in the same order.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import re

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError, join_path

DEFAULT_IMAGE = 'busybox:latest'
PROBE_LABEL = 'netprov.dockernet.probe'             # value: the network probed
EXPIRES_LABEL = 'netprov.dockernet.probe.expires'   # value: when the probe container ends itself (epoch seconds)

TARGET_OPTIONS = dict(
    name=dict(type='str', required=True),
    ping=dict(type='bool', default=True),
    tcp=dict(type='list', elements='int', default=[]),
    expect=dict(type='str', choices=['reachable', 'unreachable'], default='reachable'),
    path_mtu=dict(type='bool', default=True),
    mtu=dict(type='int'),
)

PROBE_OPTIONS = dict(
    network=dict(type='str', required=True),
    image=dict(type='str', default=DEFAULT_IMAGE),
    pull=dict(type='bool', default=False),
    resolve=dict(type='list', elements='str', default=[]),
    not_resolve=dict(type='list', elements='str', default=[]),
    targets=dict(type='list', elements='dict', options=TARGET_OPTIONS, default=[]),
    published=dict(type='list', elements='dict', default=[], options=dict(
        service=dict(type='str', required=True),
        port=dict(type='int'),
    )),
    dns=dict(type='list', elements='str'),
    dns_search=dict(type='list', elements='str'),
    dns_opts=dict(type='list', elements='str'),
    reply_timeout=dict(type='int', default=2),
    probe_timeout=dict(type='int', default=120),
    fail_on_mismatch=dict(type='bool', default=True),
)

MIN_MTU = 576      # the smallest datagram every IPv4 host must accept (RFC 791)
MAX_MTU = 65535
VXLAN_OVERHEAD = 50  # outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8

# A name the embedded DNS can hold: container names, aliases, service names, dotted names.
_NAME = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.-]*$')


def is_address(value):
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return False


def _name(value, path):
    if not value or not _NAME.match(value) or len(value) > 253:
        raise ValidationError('%r is not a name the embedded DNS can hold; give a container name, alias or service '
                              '(letters, digits, _ . -), or an address' % (value,), path=path)
    return value


def _in_range(value, low, high, path, what):
    if value is None or not low <= value <= high:
        raise ValidationError('%r is not %s; give a whole number from %d to %d' % (value, what, low, high), path=path)
    return value


def validate(params):
    """The checks ``params`` (the module's, after Ansible's own type checks) ask for, in run order."""
    _in_range(params.get('reply_timeout'), 1, 60, 'reply_timeout', 'a number of seconds to wait for a reply')
    _in_range(params.get('probe_timeout'), 5, 3600, 'probe_timeout', 'a number of seconds for the whole probe')
    if not (params.get('network') or '').strip():
        raise ValidationError('the network to probe from is required', path='network')
    if not (params.get('image') or '').strip():
        raise ValidationError('the probe image is required; give one that has sh, nslookup, ping, nc and ip '
                              '(busybox has them all)', path='image')
    for i, server in enumerate(params.get('dns') or []):
        if not is_address(server):
            raise ValidationError('%r is not an IP address; the probe container takes DNS servers by address, '
                                  'as docker run --dns does' % (server,), path='dns[%d]' % i)

    checks = []
    must = {}
    for i, name in enumerate(params.get('resolve') or []):
        path = 'resolve[%d]' % i
        must[_name(name, path)] = path
        checks.append(dict(path=path, check='resolve', target=name, expected='to resolve to an address'))
    for i, name in enumerate(params.get('not_resolve') or []):
        path = 'not_resolve[%d]' % i
        if _name(name, path) in must:
            raise ValidationError('%s must resolve (%s) and must not resolve; give it once' % (name, must[name]),
                                  path=path)
        checks.append(dict(path=path, check='not_resolve', target=name, expected='not to resolve'))

    seen = {}
    for i, target in enumerate(params.get('targets') or []):
        checks.extend(_target_checks(target, 'targets[%d]' % i, seen))
    for i, entry in enumerate(params.get('published') or []):
        if not (entry.get('service') or '').strip():
            raise ValidationError('the service whose published port to check is required',
                                  path='published[%d].service' % i)
    if not checks and not params.get('published'):
        raise ValidationError('nothing to check; give names to resolve, names that must not resolve (not_resolve), '
                              'targets to reach or published service ports', path='targets')
    return checks


def _target_checks(target, path, seen):
    name = target.get('name')
    if is_address(name or ''):
        name = str(ipaddress.ip_address(name))
    else:
        _name(name, join_path(path, 'name'))
    if name in seen:
        raise ValidationError('%s is also %s; give each target once, with all its checks' % (name, seen[name]),
                              path=join_path(path, 'name'))
    seen[name] = path
    reachable = target.get('expect', 'reachable') != 'unreachable'
    ports = target.get('tcp') or []
    out = []
    if not is_address(name):
        expected = 'to resolve to an address' if reachable else 'anything (an isolated name need not resolve)'
        out.append(dict(path=join_path(path, 'name'), check='resolve', target=name, expected=expected))
    if target.get('ping', True):
        out.append(dict(path=join_path(path, 'ping'), check='icmp', target=name,
                        expected='to answer ping' if reachable else 'no answer to ping'))
    for j, port in enumerate(ports):
        ppath = join_path(path, 'tcp[%d]' % j)
        _in_range(port, 1, 65535, ppath, 'a TCP port')
        if port in ports[:j]:
            raise ValidationError('port %d is listed twice' % port, path=ppath)
        out.append(dict(path=ppath, check='tcp', target=name, port=port,
                        expected='to accept a TCP connection' if reachable else 'no TCP connection'))
    mtu = target.get('mtu')
    if mtu is not None:
        _in_range(mtu, MIN_MTU, MAX_MTU, join_path(path, 'mtu'), 'an MTU in bytes')
        if not (reachable and target.get('ping', True) and target.get('path_mtu', True)):
            raise ValidationError('an expected path MTU needs ping: true, path_mtu: true and expect: reachable',
                                  path=join_path(path, 'mtu'))
    if reachable and target.get('ping', True) and target.get('path_mtu', True):
        out.append(dict(path=join_path(path, 'path_mtu'), check='path_mtu', target=name,
                        expected=mtu if mtu is not None else 'the MTU of the probe\'s interface on the network',
                        mtu=mtu))
    for check in out:
        check['reachable'] = reachable
    return out
