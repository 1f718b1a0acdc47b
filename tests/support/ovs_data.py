"""Unit-test data for _ovs: a hand-made read of a switch, the kernel links beside it, module parameters."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible_collections.netprov.dockernet.plugins.module_utils._ovs import model as _model


def iface(name, port, type_='system', options=None, mtu_request=None):
    return {'name': name, 'port': port, 'type': type_, 'options': options or {}, 'mtu_request': mtu_request,
            'mtu': 1500, 'admin_state': 'up', 'link_state': 'up', 'ofport': 1, 'mac_in_use': None, 'error': None}


def port(name, bridge, interfaces=None, **fields):
    out = dict(_model.PORT_DEFAULTS, name=name, bridge=bridge, interfaces=interfaces or [name])
    out.update(fields)
    return out


def switch():
    """br0 (netdev) with its own port, a system port p1 on VLAN 10, a vxlan port vx1 and a bond bo."""
    br0 = dict(copy.deepcopy(_model.BRIDGE_DEFAULTS), name='br0', datapath_type='netdev',
               external_ids={'foreign': 'keep'}, ports=['bo', 'br0', 'p1', 'vx1'])
    return {
        'system': {'datapath_types': ['netdev', 'system'], 'iface_types': [], 'ovs_version': '3.1.0',
                   'db_version': '8.3.1'},
        'bridges': {'br0': br0},
        'ports': {'br0': port('br0', 'br0'), 'p1': port('p1', 'br0', tag=10),
                  'vx1': port('vx1', 'br0'),
                  'bo': port('bo', 'br0', ['e1', 'e2'], bond_mode='active-backup')},
        'interfaces': {'br0': iface('br0', 'br0', 'internal'), 'p1': iface('p1', 'p1'),
                       'vx1': iface('vx1', 'vx1', 'vxlan', {'remote_ip': '198.19.180.2', 'key': '5001',
                                                            'csum': 'true'}),
                       'e1': iface('e1', 'bo'), 'e2': iface('e2', 'bo')},
    }


LINKS = dict((n, {'name': n, 'kind': k, 'addresses': [], 'master': None, 'parent': None})
             for n, k in (('br0', 'tun'), ('p1', 'veth'), ('e1', 'veth'), ('e2', 'veth'), ('e3', 'veth'),
                          ('new1', 'veth'), ('lo', None)))


def bridge_params(**kw):
    params = dict((k, None) for k in ('datapath_type', 'fail_mode', 'stp', 'rstp', 'external_ids', 'other_config',
                                      'controller', 'protocols', 'ports'))
    params.update(name='br0', state='present')
    params.update(kw)
    return params


def port_params(**kw):
    params = dict((k, None) for k in ('type', 'peer', 'remote_ip', 'local_ip', 'key', 'interfaces', 'bond_mode',
                                      'lacp', 'tag', 'trunks', 'vlan_mode', 'mtu', 'external_ids'))
    params.update(bridge='br0', state='present')
    params.update(kw)
    return params


def steps_of(planned):
    """A planner's steps; it warns of nothing here."""
    steps, warnings = planned
    assert warnings == []
    return steps


CID = 'ab12cd34ef56' + '0' * 52


RUNNING = {'id': CID, 'name': 'web1', 'pid': 4242, 'running': True}


def attach_params(**kw):
    params = dict(container='web1', bridge='br0', interface=None, state='present', addresses=None, gateway=None,
                  mac=None, mtu=None, tag=None)
    params.update(kw)
    return params
