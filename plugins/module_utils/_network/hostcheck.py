# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host checks before a network is created: kernel features and the parent link.

They run only when the engine is on the module's host (a local unix
socket), in the engine's own network namespace, so engines in namespaces each
see their own links. Kernel features are per kernel: the probes (one
implementation, in _host.probes) run in a scratch namespace.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._overlay import esp as _esp
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import (
    KernelError, NetprovError, ValidationError, join_path)
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MTU_OPTION, PARENT_DRIVERS
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import network_from_body


def _esp_missing(engine, netns):
    """Besides ESP: the iptables matches of the engine's encryption rules, and an engine that fails closed."""
    missing = _esp.missing_matches(_esp.iptables_matches(netns, _esp.engine_iptables(engine.pid())))
    if not _esp.engine_fails_closed(engine.server_version):
        missing.append('Docker Engine %s: versions before 23.0.3 (20.10.24 on the 20.10 line) can send overlay '
                       'traffic in clear text when a match is missing; upgrade the engine' % engine.server_version)
    return missing


def _underlay_mtu(netns, netlink):
    """The MTU of the link carrying the default route in the engine's namespace."""
    try:
        for name in netlink.default_route_links(netns):
            link = netlink.get_link(name, netns)
            if link and link.get('mtu'):
                return link['mtu']
    except Exception:  # pylint: disable=broad-exception-caught
        return None  # advice only: never fail a run over it
    return None


def needed_features(driver, options):
    """Kernel features a network of this driver and these options needs."""
    features = []
    parent = options.get('parent')
    if driver in PARENT_DRIVERS:
        features.append(driver)
        if not parent:
            # Without a parent the engine makes a dummy link to hang it on.
            features.append('dummy')
    if parent and '.' in parent and driver in PARENT_DRIVERS:
        features.append('vlan')
    if driver == 'overlay' and 'encrypted' in options:
        features.append('esp')
    return features


def effective(step, networks):
    """(driver, options) the engine will use for a create/recreate body."""
    network = network_from_body(step['body'])
    driver = network['driver'] or 'bridge'
    options = network['options']
    src = network['config_from']
    if src:
        for n in networks:
            if n['name'] == src:
                options = n['options']
    return driver, options


def check_host(engine, step, networks, kernel_check, path, probes, netlink):
    """Raise (kernel_check: fail) or return warnings (warn) for one create/recreate step."""
    warnings = []
    if kernel_check == 'skip' or network_from_body(step['body'])['config_only']:
        return warnings  # a template: checked when a network is made from it
    driver, options = effective(step, networks)
    parent = options.get('parent')
    features = needed_features(driver, options)
    if not (features or parent):
        return warnings
    if not engine.is_local:
        if kernel_check != 'skip':
            unchecked = (['kernel support for %s' % ', '.join(features)] if features else []) + (
                ['that parent link %s exists' % parent] if parent else [])
            what = ' and '.join(unchecked)
            warnings.append('%s: the engine at %s is not on this host, so %s could not be checked here. Run the '
                            'netprov.dockernet.preflight role on the engine\'s host, or run this task there '
                            'against the engine\'s unix socket' % (path or step['subject'], engine.url, what))
        return warnings
    netns = engine.netns_path()
    if parent:
        base = parent.split('.')[0] if '.' in parent else parent
        if not netlink.link_exists(parent, netns) and not netlink.link_exists(base, netns):
            raise ValidationError('interface %s does not exist on the engine\'s host%s; create it first '
                                  '(netprov.dockernet.host_link) or name an existing one'
                                  % (base if base != parent else parent,
                                     ' (the base link of %s)' % parent if base != parent else ''),
                                  path=join_path(path, 'parent'))
    if not features:
        return warnings
    results = probes.probe(tuple(features))
    missing = [probes.missing_message(f, results[f]['detail']) for f in features if not results[f]['supported']]
    if 'esp' in features:
        missing.extend(_esp_missing(engine, netns))
        if not options.get(MTU_OPTION):
            advice = _esp.mtu_advice(_underlay_mtu(netns, netlink))
            if advice:
                warnings.append('%s: %s' % (path or step['subject'], advice))
    if missing:
        text = '; '.join(missing)
        if kernel_check == 'fail':
            raise KernelError('%s. Nothing was created; use a host whose kernel has it, or kernel_check: warn to '
                              'create the network anyway' % text, path=path or step['subject'],
                              missing=[f for f in features if not results[f]['supported']])
        warnings.append('%s: %s (kernel_check: warn, created anyway)' % (path or step['subject'], text))
    return warnings


def existing_parent_warning(engine, have, path, netlink):
    """A warning when an existing macvlan/ipvlan network's parent link is gone from the engine's host.

    The engine keeps such a network (and reports nothing) after its parent is
    deleted; its containers lose their interface and new ones cannot attach.
    """
    parent = (have.get('options') or {}).get('parent')
    if have.get('driver') not in PARENT_DRIVERS or not parent or not engine.is_local:
        return None
    try:
        if netlink.link_exists(parent, engine.netns_path()):
            return None
    except (NetprovError, OSError):
        return None  # no netlink here: the check is advice, never a failure
    return ('%s: interface %s, the parent of the existing %s network %s, does not exist on the engine\'s host; '
            'its containers have lost their link and new ones cannot attach; recreate the interface '
            '(netprov.dockernet.host_link) or recreate the network on an existing parent'
            % (join_path(path or have['name'], 'parent'), parent, have['driver'], have['name']))
