"""host_link never removes a link that the kernel would delete others with, unless force: true.

The kernel deletes with a link its veth peer and every macvlan, ipvlan, VLAN
or vxlan link standing on it, also those in other network namespaces (a
container's macvlan endpoint). Each case is built for real: scratch
namespaces made here (bind-mounted under /run/netns, or held only by a
process, as a container's are), and a container on a macvlan network of the
machine's engine whose parent is a scratch veth (never eth0).
"""
import os
import subprocess

import docker
import pytest
from pyroute2 import IPRoute

from ansible_collections.netprov.dockernet.tests.support import inproc
from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink
from ansible_collections.netprov.dockernet.tests.support.engine_fixtures import client, scratch  # noqa: F401 pylint: disable=unused-import
from ansible_collections.netprov.dockernet.tests.support.scratch_netns import scratch_netns

M = 'host_link'


def link(ns, name, **kw):
    with IPRoute(netns=ns, flags=0) as ipr:
        ipr.link('add', ifname=name, **kw)


def move(ns, name, target_ns=None, pid=None):
    with IPRoute(netns=ns, flags=0) as ipr:
        idx = ipr.link_lookup(ifname=name)[0]
        if pid:
            ipr.link('set', index=idx, net_ns_pid=pid)
        else:
            ipr.link('set', index=idx, net_ns_fd=target_ns)


def names(ns):
    return sorted(l['name'] for l in _netlink.list_links(ns) if l['name'] != 'lo')


def both_ways(args):
    """Check mode and the real run refuse alike; the real result is returned."""
    check = inproc.call(M, args, check=True)
    real = inproc.call(M, args)
    for r in (check, real):
        assert r.traceback is None, r.traceback
    assert check.failed == real.failed and check.get('msg') == real.get('msg'), (check.result, real.result)
    return real


@pytest.fixture
def two():
    with scratch_netns('np8a') as a, scratch_netns('np8b') as b:
        yield a, b


def test_a_veth_end_is_not_removed_without_force(two):
    a, b = two
    link(a, 'g-v0', kind='veth', peer='g-v1')
    refused = both_ways({'name': 'g-v0', 'state': 'absent', 'netns': a})
    assert refused.failed and refused['msg'] == (
        'state: g-v0: removing it would make the kernel delete g-v1 (its veth peer) too. Set force: true to let '
        'that link go with it'), refused['msg']
    assert refused['goes_with'] == [{'name': 'g-v1', 'netns': None, 'why': 'its veth peer'}]
    recreate = both_ways({'name': 'g-v0', 'kind': 'bridge', 'recreate': True, 'netns': a})
    assert recreate.failed and recreate['msg'].startswith('recreate: g-v0: removing it would make the kernel delete '
                                                          'g-v1 (its veth peer) too')
    assert names(a) == ['g-v0', 'g-v1']

    # the peer in another namespace: found there, named with its namespace
    move(a, 'g-v1', target_ns=b)
    refused = both_ways({'name': 'g-v0', 'state': 'absent', 'netns': a})
    assert refused.failed and refused['msg'] == (
        'state: g-v0: removing it would make the kernel delete g-v1 in network namespace /run/netns/%s (its veth '
        'peer) too. Set force: true to let that link go with it' % b), refused['msg']

    done = inproc.call(M, {'name': 'g-v0', 'state': 'absent', 'force': True, 'netns': a})
    assert done['changed'] and not done.failed, done.result
    assert done['plan'][0]['goes_with'] == [{'name': 'g-v1', 'netns': '/run/netns/%s' % b, 'why': 'its veth peer'}]
    assert names(a) == [] and names(b) == []
    assert inproc.call(M, {'name': 'g-v0', 'state': 'absent', 'force': True, 'netns': a})['changed'] is False


def test_a_parent_of_links_in_other_namespaces_is_not_removed_without_force(two):
    a, b = two
    link(a, 'g-par', kind='veth', peer='g-parp')
    with IPRoute(netns=a, flags=0) as ipr:
        par = ipr.link_lookup(ifname='g-par')[0]
        ipr.link('add', ifname='g-mv', kind='macvlan', link=par, macvlan_mode='bridge')
        ipr.link('add', ifname='g-vx', kind='vxlan', vxlan_id=4180, vxlan_link=par, vxlan_port=4789)
    move(a, 'g-mv', target_ns=b)
    # a namespace that no bind mount names and only a process holds (how a container's often is)
    holder = subprocess.Popen(['unshare', '--net', 'sh', '-c', 'echo ready; exec sleep 600'],
                              stdout=subprocess.PIPE, universal_newlines=True)
    try:
        assert holder.stdout.readline().strip() == 'ready'
        move(a, 'g-vx', pid=holder.pid)
        proc = '/proc/%d/ns/net (process %d, sleep)' % (holder.pid, holder.pid)
        want = {'name': 'g-par', 'state': 'absent', 'netns': a}
        refused = both_ways(want)
        assert refused.failed, refused.result
        assert refused['msg'] == (
            'state: g-par: removing it would make the kernel delete g-parp (its veth peer); g-mv in network namespace '
            '/run/netns/%s (a macvlan link on it); g-vx in network namespace %s (a vxlan link on it) too. Set force: '
            'true to let those links go with it' % (b, proc)), refused['msg']
        # the peer end alone: it takes g-par with it, and everything on g-par
        peer = both_ways({'name': 'g-parp', 'state': 'absent', 'netns': a})
        assert peer.failed and peer['msg'] == (
            'state: g-parp: removing it would make the kernel delete g-par (its veth peer); g-mv in network namespace '
            '/run/netns/%s (a macvlan link on g-par); g-vx in network namespace %s (a vxlan link on g-par) too. Set '
            'force: true to let those links go with it' % (b, proc)), peer['msg']
        assert names(a) == ['g-par', 'g-parp'] and names(b) == ['g-mv']
        done = inproc.call(M, dict(want, force=True))
        assert done['changed'] and not done.failed, done.result
        assert [g['name'] for g in done['plan'][0]['goes_with']] == ['g-parp', 'g-mv', 'g-vx']
        assert names(a) == [] and names(b) == []
        with IPRoute(netns='/proc/%d/ns/net' % holder.pid, flags=0) as ipr:
            assert not ipr.link_lookup(ifname='g-vx')
    finally:
        holder.kill()
        holder.wait()


def test_a_parent_of_a_containers_macvlan_endpoint_is_not_removed_without_force(client, scratch):  # noqa: F811
    parent = scratch.veth('g')
    net = client.networks.create(scratch.name('mv'), driver='macvlan', options={'parent': parent},
                                 ipam=docker.types.IPAMConfig(pool_configs=[
                                     docker.types.IPAMPool(subnet='198.19.84.0/24')]))
    box = scratch.container('c', network=net.name)
    box.reload()
    sandbox = box.attrs['NetworkSettings']['SandboxKey']
    assert sandbox.startswith('/run/docker/netns/') or sandbox.startswith('/var/run/docker/netns/'), sandbox
    for args in ({'name': parent, 'state': 'absent'}, {'name': parent, 'kind': 'bridge', 'recreate': True}):
        refused = both_ways(args)
        assert refused.failed, refused.result
        gone = [g for g in refused['goes_with'] if g['netns']]
        assert [(g['name'], g['why']) for g in gone] == [('eth0', 'a macvlan link on it')], refused['goes_with']
        assert os.path.samefile(gone[0]['netns'], sandbox), (gone, sandbox)
        assert 'eth0 in network namespace %s (a macvlan link on it)' % gone[0]['netns'] in refused['msg']
    # the container kept its endpoint, with its address
    out = box.exec_run(['ip', '-4', 'addr', 'show', 'eth0']).output.decode()
    assert '198.19.84.' in out, out
    assert _netlink.link_exists(parent)
