# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Persistence of a host link across reboot as systemd-networkd files.

Per link NAME, in the persist directory:
  10-netprov-NAME.netdev   the virtual link (kind, kind settings, MTU, MAC)
  10-netprov-NAME.network  its configuration (addresses, master, promisc,
                           activation, MTU/MAC for links networkd does not make)
  PARENT.network.d/netprov-NAME.conf  for vlan/macvlan/ipvlan/vxlan: the
                           drop-in attaching the link to its parent's .network
                           (PARENT.network is 10-netprov-PARENT.network unless
                           persist_parent_network names another file)
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import tempfile

HEADER = '# Managed by netprov.dockernet host_link; changes here are overwritten.\n'
_PARENT_KEYS = {'vlan': 'VLAN', 'macvlan': 'MACVLAN', 'ipvlan': 'IPVLAN', 'vxlan': 'VXLAN'}


def _section(name, items):
    lines = ['[%s]' % name] + ['%s=%s' % (k, v) for k, v in items if v is not None and v != '']
    return '\n'.join(lines) + '\n' if len(lines) > 1 else ''


def _yes(value):
    return None if value is None else ('yes' if value else 'no')


def netdev_path(directory, name):
    return os.path.join(directory, '10-netprov-%s.netdev' % name)


def network_path(directory, name):
    return os.path.join(directory, '10-netprov-%s.network' % name)


def dropin_path(directory, name, parent, parent_network=None):
    base = parent_network or os.path.basename(network_path(directory, parent))
    return os.path.join(directory, base + '.d', 'netprov-%s.conf' % name)


def render(want, link, directory, parent_network=None):
    """{path: content} for the link as it will be (``link``: the whole link after the plan)."""
    name = want['name']
    kind = want.get('kind')
    files = {}
    sections = []
    if kind:
        sections.append(_section('NetDev', [('Name', name), ('Kind', kind), ('MTUBytes', want.get('mtu')),
                                            ('MACAddress', want.get('mac'))]))
        if kind == 'vlan':
            sections.append(_section('VLAN', [('Id', link.get('vlan_id'))]))
        elif kind == 'macvlan':
            sections.append(_section('MACVLAN', [('Mode', link.get('macvlan_mode'))]))
        elif kind == 'ipvlan':
            sections.append(_section('IPVLAN', [('Mode', (link.get('ipvlan_mode') or '').upper()),
                                                ('Flags', link.get('ipvlan_flag'))]))
        elif kind == 'vxlan':
            sections.append(_section('VXLAN', [('VNI', link.get('vxlan_id')), ('Local', link.get('vxlan_local')),
                                               ('Remote', link.get('vxlan_remote')),
                                               ('Group', link.get('vxlan_group')),
                                               ('DestinationPort', link.get('vxlan_port'))]))
        elif kind == 'veth':
            sections.append(_section('Peer', [('Name', link.get('peer'))]))
        files[netdev_path(directory, name)] = HEADER + '\n'.join(s for s in sections if s)
    activation = {'up': 'up', 'down': 'down'}.get(want['state'])
    network = [_section('Match', [('Name', name)]),
               _section('Link', [('MTUBytes', None if kind else want.get('mtu')),
                                 ('MACAddress', None if kind else want.get('mac')),
                                 ('Promiscuous', _yes(want.get('promisc'))),
                                 ('ActivationPolicy', activation)])]
    net_items = [('Address', a) for a in (want.get('addresses') or [])]
    if want.get('master'):
        net_items.append(('Bridge', want['master']))
    network.append(_section('Network', net_items))
    files[network_path(directory, name)] = HEADER + '\n'.join(s for s in network if s)
    parent = link.get('parent')
    if kind in _PARENT_KEYS and parent:
        files[dropin_path(directory, name, parent, parent_network)] = HEADER + _section(
            'Network', [(_PARENT_KEYS[kind], name)])
    return files


def owned(directory, name):
    """Every file this collection wrote for link ``name`` in ``directory``."""
    found = [p for p in (netdev_path(directory, name), network_path(directory, name)) if os.path.exists(p)]
    found += glob.glob(os.path.join(glob.escape(directory), '*.network.d', 'netprov-%s.conf' % glob.escape(name)))
    return sorted(found)


def plan(want, link, directory, parent_network=None):
    """(steps, warnings) writing or removing the files, only where the disk differs; each step's subject is the link."""
    steps = []
    wanted = {} if want['state'] == 'absent' else render(want, link, directory, parent_network)
    for path in owned(directory, want['name']):
        if path not in wanted:
            steps.append({'action': 'remove_file', 'subject': want['name'], 'path': path,
                          'reason': 'no longer part of the persisted link'})
    for path, content in sorted(wanted.items()):
        current = None
        if os.path.exists(path):
            with open(path) as f:
                current = f.read()
        if current != content:
            steps.append({'action': 'write_file', 'subject': want['name'], 'path': path, 'content': content,
                          'reason': 'missing' if current is None else 'content differs'})
    return steps, []


def apply(steps):
    for step in steps:
        if step['action'] == 'remove_file':
            os.unlink(step['path'])
            parent = os.path.dirname(step['path'])
            if parent.endswith('.network.d') and not os.listdir(parent):
                os.rmdir(parent)
        elif step['action'] == 'write_file':
            parent = os.path.dirname(step['path'])
            if not os.path.isdir(parent):
                os.makedirs(parent, 0o755)
            fd, tmp = tempfile.mkstemp(dir=parent, prefix='.netprov-')
            with os.fdopen(fd, 'w') as f:
                f.write(step['content'])
            os.chmod(tmp, 0o644)
            os.rename(tmp, step['path'])
