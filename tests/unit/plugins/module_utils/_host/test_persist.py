"""Rendering a host link as systemd-networkd files."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links, persist as _persist

from ansible_collections.netprov.dockernet.tests.support.host_data import link, params, plan_steps


def test_persist_render_vxlan_and_vlan(tmp_path):
    d = str(tmp_path)
    want = _links.normalise(params(name='vx0', kind='vxlan', vxlan_id=7, vxlan_remote='198.18.192.2',
                                   parent='eth1', state='up'))
    after = _links.simulate(None, plan_steps(want, {'eth1': link('eth1')}))
    files = _persist.render(want, after, d, parent_network='20-eth1.network')
    assert files[d + '/10-netprov-vx0.netdev'].endswith(
        '[NetDev]\nName=vx0\nKind=vxlan\n\n[VXLAN]\nVNI=7\nRemote=198.18.192.2\nDestinationPort=4789\n')
    assert files[d + '/20-eth1.network.d/netprov-vx0.conf'].endswith('[Network]\nVXLAN=vx0\n')
    want = _links.normalise(params(name='eth1.10', kind='vlan', vlan_id=10, parent='eth1'))
    after = _links.simulate(None, plan_steps(want, {'eth1': link('eth1')}))
    assert _persist.render(want, after, d)[d + '/10-netprov-eth1.10.netdev'].endswith('[VLAN]\nId=10\n')
