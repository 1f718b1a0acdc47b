# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight role's Open vSwitch check: can the host run the bridges and ports its inventory asks for?

A pure function of what ovs_info returned on the host (``facts['ovs']``) and
the interfaces role's OVS lists: OVSDB answers on the socket the role uses,
every bridge's datapath type is one ovs-vswitchd offers (and ``system`` one
the kernel has: ovs-vswitchd lists it without the kernel's module), and every
port's interface type (a vxlan, gre or geneve tunnel, internal, patch) is
one ovs-vswitchd offers.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._ovs.model import BRIDGE_DEFAULTS

# The fields read here; ovs_bridge and ovs_port check the rest when the interfaces role runs.
BRIDGE_SPEC = dict(name=dict(type='str', required=True), datapath_type=dict(type='str'), state=dict(type='str'))
PORT_SPEC = dict(bridge=dict(type='str', required=True), name=dict(type='str', required=True),
                 type=dict(type='str'), state=dict(type='str'))
BRIDGE_EXAMPLE = '{name: br-lab, datapath_type: netdev}'
PORT_EXAMPLE = '{bridge: br-lab, name: vx-host2, type: vxlan, remote_ip: 198.18.20.2}'
BRIDGES, PORTS = 'interfaces_ovs_bridges', 'interfaces_ovs_ports'
# Port types that are not an interface type of ovs-vswitchd's (a bond is a port of several system interfaces).
NOT_IFACE_TYPES = ('bond',)


def _present(entries):
    return [(i, e) for i, e in enumerate(entries or []) if e is not None and (e.get('state') or 'present') != 'absent']


def check_ovs(want, ovs):
    """Problem lines (without the host's name) for the OVS lists in ``want`` against ``ovs``, the facts the role
    read: {'ovsdb', 'reachable', 'error', and ovs_info's datapath_types, iface_types, kernel_datapath, bridges}."""
    bridges, ports = want.get('ovs_bridges') or [], want.get('ovs_ports') or []
    if not [e for e in bridges + ports if e is not None]:
        return []
    ovs = ovs or {}
    asked = ', '.join(["%s '%s'" % (BRIDGES, e['name']) for e in bridges if e] +
                      ["%s '%s'" % (PORTS, e['name']) for e in ports if e])
    ovsdb = ovs.get('ovsdb') or want.get('ovsdb')
    if not ovs.get('reachable'):
        return ['ovsdb: %s ask for Open vSwitch, but OVSDB does not answer at %s (%s); install and start Open '
                'vSwitch (ovsdb-server and ovs-vswitchd), or set interfaces_ovsdb to the socket its ovsdb-server '
                'listens on' % (asked, ovsdb, (ovs.get('error') or 'no answer').strip())]
    problems = []
    offered = ovs.get('datapath_types') or []
    kernel = ovs.get('kernel_datapath') or {}
    existing = dict((b.get('name'), b) for b in ovs.get('bridges') or [])
    for i, entry in _present(bridges):
        where = "%s[%d] '%s' datapath_type" % (BRIDGES, i, entry['name'])
        datapath = entry.get('datapath_type') or (existing.get(entry['name']) or {}).get('datapath_type') \
            or BRIDGE_DEFAULTS['datapath_type']
        given = '' if entry.get('datapath_type') else ' (the default)'
        if not offered:
            problems.append('%s: %s%s, but ovs-vswitchd has recorded no datapath types in OVSDB at %s (it is not '
                            'running, or not connected to that database); start ovs-vswitchd'
                            % (where, datapath, given, ovsdb))
        elif datapath not in offered:
            problems.append('%s: %s%s is not a datapath type ovs-vswitchd offers here (it offers %s); use one '
                            'of those' % (where, datapath, given, ', '.join(offered)))
        elif datapath == 'system' and kernel.get('supported') is False:
            problems.append('%s: system%s needs the kernel\'s Open vSwitch datapath, which this host lacks (%s); '
                            'set datapath_type: netdev (the userspace datapath), or use a kernel with the '
                            'openvswitch module' % (where, given, kernel.get('detail')))
    iface_types = ovs.get('iface_types') or []
    for i, entry in _present(ports):
        kind = entry.get('type') or 'system'
        if kind in NOT_IFACE_TYPES or kind in iface_types:
            continue
        problems.append("%s[%d] '%s' type: ovs-vswitchd here offers no %s interfaces (it offers %s); use a type "
                        "it offers" % (PORTS, i, entry['name'], kind, ', '.join(iface_types) or 'none: is it running?'))
    return problems
