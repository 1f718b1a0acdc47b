"""Unit-test data for _host: module parameters and kernel links as the planners take them."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links


def plan_steps(*args, **kwargs):
    """The planner's steps; it warns of nothing here."""
    steps, warnings = _links.plan(*args, **kwargs)
    assert warnings == []
    return steps


def params(**kw):
    base = dict((k, None) for k in ('kind', 'parent', 'vlan_id', 'macvlan_mode', 'ipvlan_mode', 'ipvlan_flag',
                                    'peer', 'vxlan_id', 'vxlan_local', 'vxlan_remote', 'vxlan_group',
                                    'vxlan_port', 'mtu', 'promisc', 'master', 'mac', 'addresses'))
    base.update(state='present', addresses_exclusive=False)
    base.update(kw)
    return base


def link(name, **kw):
    out = {'name': name, 'index': 1, 'kind': None, 'parent': None, 'mtu': 1500, 'mac': '02:00:00:00:00:01',
           'state': 'up', 'promisc': False, 'master': None, 'addresses': []}
    out.update(kw)
    return out
