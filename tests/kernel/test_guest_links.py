"""Kernel features the machine kernel lacks, made for real in the UML guest's kernel.

Each test works in its own scratch network namespace through pyroute2
(netlink), reads the link back and checks kind and parameters.
"""
import pytest
from pyroute2 import IPVS, IPRoute

from conftest import sh

IPVLAN_MODES = {'l2': 0, 'l3': 1, 'l3s': 2}


def _info(ipr, name):
    links = ipr.link('get', ifname=name)
    assert links, name
    link = links[0]
    linkinfo = link.get_attr('IFLA_LINKINFO')
    data = linkinfo.get_attr('IFLA_INFO_DATA') if linkinfo is not None else None
    return link, linkinfo.get_attr('IFLA_INFO_KIND'), data


def _add_parent(ipr, name='np-par0'):
    ipr.link('add', ifname=name, kind='dummy')
    idx = ipr.link_lookup(ifname=name)[0]
    ipr.link('set', index=idx, state='up')
    return idx


def test_dummy(netns):
    with IPRoute(netns=netns) as ipr:
        ipr.link('add', ifname='np-dum0', kind='dummy')
        kind = _info(ipr, 'np-dum0')[1]
        assert kind == 'dummy'


@pytest.mark.parametrize('mode', ['l2', 'l3'])
def test_ipvlan(netns, mode):
    with IPRoute(netns=netns) as ipr:
        parent = _add_parent(ipr)
        ipr.link('add', ifname='np-ipv0', kind='ipvlan', link=parent, ipvlan_mode=IPVLAN_MODES[mode])
        link, kind, data = _info(ipr, 'np-ipv0')
        assert kind == 'ipvlan'
        assert data.get_attr('IFLA_IPVLAN_MODE') == IPVLAN_MODES[mode]
        assert link.get_attr('IFLA_LINK') == parent
        ipr.addr('add', index=link['index'], address='198.19.60.2', prefixlen=24)
        ipr.link('set', index=link['index'], state='up')


def test_vlan(netns):
    with IPRoute(netns=netns) as ipr:
        parent = _add_parent(ipr)
        ipr.link('add', ifname='np-par0.30', kind='vlan', link=parent, vlan_id=30)
        link, kind, data = _info(ipr, 'np-par0.30')
        assert kind == 'vlan'
        assert data.get_attr('IFLA_VLAN_ID') == 30
        assert link.get_attr('IFLA_LINK') == parent


def test_ipvlan_on_vlan(netns):
    with IPRoute(netns=netns) as ipr:
        parent = _add_parent(ipr)
        ipr.link('add', ifname='np-par0.40', kind='vlan', link=parent, vlan_id=40)
        vlan = ipr.link_lookup(ifname='np-par0.40')[0]
        ipr.link('set', index=vlan, state='up')
        ipr.link('add', ifname='np-ipv40', kind='ipvlan', link=vlan, ipvlan_mode=IPVLAN_MODES['l2'])
        link, kind, data = _info(ipr, 'np-ipv40')
        assert kind == 'ipvlan'
        assert link.get_attr('IFLA_LINK') == vlan
        ipr.link('set', index=link['index'], state='up')


def test_macvlan_on_vlan(netns):
    with IPRoute(netns=netns) as ipr:
        parent = _add_parent(ipr)
        ipr.link('add', ifname='np-par0.50', kind='vlan', link=parent, vlan_id=50)
        vlan = ipr.link_lookup(ifname='np-par0.50')[0]
        ipr.link('add', ifname='np-mv50', kind='macvlan', link=vlan, macvlan_mode='bridge')
        kind = _info(ipr, 'np-mv50')[1]
        assert kind == 'macvlan'


def test_esp_xfrm_state(netns):
    """The probe the machine kernel fails: an ESP SA with rfc4106(gcm(aes)), as Docker's encrypted overlay makes."""
    key = '0x' + '11' * 20  # 16-byte AES key + 4-byte salt
    sh('ip', 'netns', 'exec', netns, 'ip', 'xfrm', 'state', 'add',
       'src', '198.19.61.1', 'dst', '198.19.61.2', 'proto', 'esp', 'spi', '0x100',
       'reqid', '0xd0c4e3', 'mode', 'transport', 'aead', 'rfc4106(gcm(aes))', key, '128')
    out = sh('ip', 'netns', 'exec', netns, 'ip', 'xfrm', 'state').stdout
    assert 'proto esp spi 0x00000100 reqid 13681891 mode transport' in out, out
    assert 'rfc4106(gcm(aes))' in out, out


def test_ip_vs(netns):
    """IPVS (swarm's VIP load balancing): a virtual service made and read back in a scratch namespace."""
    code = '''
import socket
from pyroute2 import IPVS, IPVSService
with IPVS() as ipvs:
    ipvs.service('add', service=IPVSService(addr='198.19.62.1', port=80, protocol=socket.IPPROTO_TCP))
    print([IPVSService.from_message(s).get('addr') for s in ipvs.service('dump')])
'''
    import sys
    out = sh('ip', 'netns', 'exec', netns, sys.executable, '-c', code).stdout
    assert out.strip().splitlines()[-1] == "['198.19.62.1']", out
    with IPVS() as ipvs:  # it stayed in the scratch namespace
        assert not list(ipvs.service('dump'))
