"""The netlink wrapper and the kernel probes against the real kernel."""
import os
import subprocess

import pytest
from pyroute2 import IPRoute

from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink, probes as _probes
from ansible_collections.netprov.dockernet.tests.support.kernel_expect import expected_capabilities
from ansible_collections.netprov.dockernet.tests.support.scratch_netns import ns, scratch_names  # noqa: F401 pylint: disable=unused-import


def test_probe_matches_this_kernel():
    before = scratch_names()
    _probes._CACHE.clear()
    result = _probes.probe()
    assert set(result) == set(_probes.FEATURES)
    assert dict((f, r['supported']) for f, r in result.items()) == expected_capabilities()
    for feature, r in result.items():
        assert r['detail'], feature
    if not result['ipvlan']['supported']:
        assert result['ipvlan']['detail'] == 'EOPNOTSUPP'
        assert _probes.missing()['ipvlan'].endswith('creating an ipvlan link failed with EOPNOTSUPP')
    if not result['esp']['supported']:
        assert result['esp']['detail'].startswith('ip xfrm state add: ')
    assert scratch_names() == before, 'the probe left its scratch namespace behind'


def test_probe_is_cached_per_process():
    _probes._CACHE.clear()
    first = _probes.probe(('veth',))
    _probes._CACHE['veth']['detail'] = 'cached'
    assert _probes.probe(('veth',))['veth']['detail'] == 'cached'
    _probes._CACHE.clear()
    assert first['veth']['supported'] is True


def test_scratch_namespace_removed_on_exception(monkeypatch):
    _probes._CACHE.clear()
    before = scratch_names()

    def boom(netns):
        assert os.path.exists(os.path.join('/run/netns', netns))
        raise RuntimeError('probe failed half way')
    monkeypatch.setattr(_probes, '_probe_esp', boom)
    with pytest.raises(RuntimeError):
        _probes.probe(('veth', 'esp'))
    assert scratch_names() == before
    _probes._CACHE.clear()


def test_open_ipr_by_name_and_by_path(ns):
    with IPRoute(netns=ns, flags=0) as ipr:
        ipr.link('add', ifname='nl-a', kind='veth', peer='nl-b')
    assert _netlink.link_exists('nl-a', ns)
    assert not _netlink.link_exists('nl-a')  # not in ours
    # a process in the namespace: once it has printed, it is inside
    sleeper = subprocess.Popen(['ip', 'netns', 'exec', ns, 'sh', '-c', 'echo in; exec sleep 60'],
                               stdout=subprocess.PIPE, universal_newlines=True)
    try:
        assert sleeper.stdout.readline() == 'in\n'
        path = '/proc/%d/ns/net' % sleeper.pid
        assert os.stat(path).st_ino == os.stat('/run/netns/' + ns).st_ino
        names = [l['name'] for l in _netlink.list_links(path)]
        assert sorted(names) == ['lo', 'nl-a', 'nl-b']
    finally:
        sleeper.kill()
        sleeper.wait()


def test_get_link_normalised(ns):
    with IPRoute(netns=ns, flags=0) as ipr:
        ipr.link('add', ifname='nl-p', kind='veth', peer='nl-q')
        p = ipr.link_lookup(ifname='nl-p')[0]
        ipr.link('set', index=p, flags=0x101, change=0x101, mtu=1450)
        ipr.link('add', ifname='nl-mv', kind='macvlan', link=p, macvlan_mode='bridge')
        mv = ipr.link_lookup(ifname='nl-mv')[0]
        ipr.addr('add', index=mv, address='198.18.192.10', prefixlen=24)
        ipr.link('add', ifname='nl-br', kind='bridge')
        br = ipr.link_lookup(ifname='nl-br')[0]
        ipr.link('set', index=ipr.link_lookup(ifname='nl-q')[0], master=br)
        ipr.link('add', ifname='nl-vx', kind='vxlan', vxlan_id=77, vxlan_port=4790,
                 vxlan_local='198.18.192.1', vxlan_group='198.18.192.2', vxlan_link=p)
    p = _netlink.get_link('nl-p', ns)
    assert (p['kind'], p['peer'], p['state'], p['promisc'], p['mtu'], p['parent']) == \
        ('veth', 'nl-q', 'up', True, 1450, None)
    mv = _netlink.get_link('nl-mv', ns)
    assert (mv['kind'], mv['parent'], mv['macvlan_mode'], mv['addresses']) == \
        ('macvlan', 'nl-p', 'bridge', ['198.18.192.10/24'])
    assert _netlink.get_link('nl-q', ns)['master'] == 'nl-br'
    vx = _netlink.get_link('nl-vx', ns)
    assert (vx['vxlan_id'], vx['vxlan_port'], vx['vxlan_local'], vx['vxlan_remote'], vx['vxlan_group'],
            vx['parent']) == (77, 4790, '198.18.192.1', '198.18.192.2', None, 'nl-p')
    assert _netlink.get_link('nl-none', ns) is None


def test_default_route_links(ns):
    assert _netlink.default_route_links(ns) == []
    with IPRoute(netns=ns, flags=0) as ipr:
        ipr.link('add', ifname='nl-up', kind='veth', peer='nl-down')
        i = ipr.link_lookup(ifname='nl-up')[0]
        ipr.link('set', index=i, state='up')
        ipr.addr('add', index=i, address='198.18.192.1', prefixlen=24)
        ipr.route('add', dst='0.0.0.0/0', gateway='198.18.192.254', oif=i)
    assert _netlink.default_route_links(ns) == ['nl-up']
    routes = _netlink.default_routes(ns)
    assert routes == [{'family': 'ipv4', 'table': 254, 'gateway': '198.18.192.254', 'links': ['nl-up']}]


def test_a_scratch_namespace_that_cannot_be_made_is_a_clean_error(monkeypatch):
    """pyroute2 makes the namespace through a child process; one that does not answer (a busy host) is a
    KernelError naming what failed, which the modules report as a clean failure, not a bug."""
    _probes._CACHE.clear()

    def stuck(name):
        raise TimeoutError('no response from the child pid 4242')
    monkeypatch.setattr(_probes, '_create_netns', stuck)
    with pytest.raises(_netlink.KernelError) as exc:
        _probes.probe(('veth',))
    assert exc.value.msg.startswith('cannot make the scratch network namespace netprov-probe-')
    assert exc.value.msg.endswith('the kernel probes run in: no response from the child pid 4242')
    _probes._CACHE.clear()
