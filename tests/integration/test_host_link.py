"""host_link in a scratch network namespace: check mode and the SSH session's guard through real
ansible-playbook runs, the other tests' calls in-process (the module's real main())."""
import os
import re

import pytest
from pyroute2 import IPRoute

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play as playbook
from ansible_collections.netprov.dockernet.tests.support.inproc import play
from ansible_collections.netprov.dockernet.tests.support import ssh_double
from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink
from ansible_collections.netprov.dockernet.tests.support.kernel_expect import expected_capabilities
from ansible_collections.netprov.dockernet.tests.support.scratch_netns import ns  # noqa: F401 pylint: disable=unused-import

M = 'netprov.dockernet.host_link'


def lab(ns):
    """veth pair, bridge with a port, promiscuous macvlan parent, macvlan with an address, vxlan, MTU."""
    return [
        {M: {'name': 'nl-v0', 'kind': 'veth', 'peer': 'nl-v1', 'state': 'up', 'netns': ns}},
        {M: {'name': 'nl-v0', 'promisc': True, 'mtu': 1450, 'netns': ns}},
        {M: {'name': 'nl-br', 'kind': 'bridge', 'state': 'up', 'netns': ns}},
        {M: {'name': 'nl-v1', 'master': 'nl-br', 'state': 'up', 'netns': ns}},
        {M: {'name': 'nl-mv', 'kind': 'macvlan', 'parent': 'nl-v0', 'macvlan_mode': 'bridge', 'mtu': 1400,
             'addresses': ['198.18.192.10/24', 'fd00:198:18:c0::10/64'], 'state': 'up', 'netns': ns}},
        {M: {'name': 'nl-vx', 'kind': 'vxlan', 'vxlan_id': 4100, 'vxlan_local': '198.18.192.10',
             'vxlan_remote': '198.18.192.20', 'parent': 'nl-mv', 'mtu': 1350, 'netns': ns}},
        {M: {'name': 'nl-sw', 'kind': 'veth', 'peer': 'nl-sw1', 'mac': '02:00:c6:12:c0:01', 'netns': ns}},
    ]


def test_check_mode_changes_nothing(ns):
    res = playbook(lab(ns)[:1] + lab(ns)[2:3], check=True, diff=True)
    for r in res.results:
        assert r['changed'] is True, r
        assert r['plan'][0]['action'] == 'create'
        assert r['diff']['before'] == {'name': r['plan'][0]['link'], 'state': 'absent'}
    assert res[0]['diff']['after']['state'] == 'up'
    assert [l['name'] for l in _netlink.list_links(ns)] == ['lo']


def test_lab_created_once_then_unchanged(ns):
    first = play(lab(ns), diff=True)
    for i, r in enumerate(first.results):
        assert r.get('failed') is not True, (i, r.get('msg'))
        assert r['changed'] is True, i
    links = dict((l['name'], l) for l in _netlink.list_links(ns))
    v0, mv, vx = links['nl-v0'], links['nl-mv'], links['nl-vx']
    assert (v0['kind'], v0['peer'], v0['state'], v0['promisc'], v0['mtu']) == ('veth', 'nl-v1', 'up', True, 1450)
    assert links['nl-v1']['master'] == 'nl-br' and links['nl-v1']['state'] == 'up'
    assert (mv['parent'], mv['macvlan_mode'], mv['mtu'], mv['state']) == ('nl-v0', 'bridge', 1400, 'up')
    assert mv['addresses'] == ['198.18.192.10/24', 'fd00:198:18:c0::10/64']
    assert (vx['vxlan_id'], vx['vxlan_local'], vx['vxlan_remote'], vx['vxlan_port'], vx['parent'], vx['mtu']) == \
        (4100, '198.18.192.10', '198.18.192.20', 4789, 'nl-mv', 1350)
    assert links['nl-sw']['mac'] == '02:00:c6:12:c0:01'
    assert first[4]['link']['addresses'] == mv['addresses']

    again = play(lab(ns))
    for i, r in enumerate(again.results):
        assert (r['changed'], r['plan']) == (False, []), (i, r)
    check = play(lab(ns), check=True)
    assert [r['changed'] for r in check.results] == [False] * len(lab(ns))

    # MTU change in place, exclusive addresses, then removal, each planned in check mode first
    change = [{M: {'name': 'nl-mv', 'mtu': 1300, 'addresses': ['198.18.192.11/24'],
                   'addresses_exclusive': True, 'netns': ns}}]
    planned = play(change, check=True)[0]['plan']
    assert [(s['action'], s.get('field') or s.get('address')) for s in planned] == [
        ('set', 'mtu'), ('remove_address', '198.18.192.10/24'), ('remove_address', 'fd00:198:18:c0::10/64'),
        ('add_address', '198.18.192.11/24')]
    assert _netlink.get_link('nl-mv', ns)['mtu'] == 1400
    done = play(change)[0]
    assert done['plan'] == planned and done['changed']
    assert (done['link']['mtu'], done['link']['addresses']) == (1300, ['198.18.192.11/24'])
    assert play(change)[0]['changed'] is False

    gone = play([{M: {'name': 'nl-vx', 'state': 'absent', 'netns': ns}},
                 {M: {'name': 'nl-vx', 'state': 'absent', 'netns': ns}}])
    assert [r['changed'] for r in gone.results] == [True, False]
    assert not _netlink.link_exists('nl-vx', ns)


def test_immutable_change_needs_recreate(ns):
    tasks = [{M: {'name': 'nl-v0', 'kind': 'veth', 'peer': 'nl-v1', 'netns': ns}},
             {M: {'name': 'nl-mv', 'kind': 'macvlan', 'parent': 'nl-v0', 'macvlan_mode': 'bridge', 'netns': ns}},
             {M: {'name': 'nl-mv', 'kind': 'macvlan', 'parent': 'nl-v0', 'macvlan_mode': 'private', 'netns': ns}},
             {M: {'name': 'nl-mv', 'kind': 'macvlan', 'parent': 'nl-v0', 'macvlan_mode': 'private',
                  'recreate': True, 'netns': ns}}]
    res = play(tasks)
    assert res[2]['failed'] and res[2]['msg'].startswith('macvlan_mode: nl-mv: macvlan_mode bridge -> private cannot')
    assert [s['action'] for s in res[3]['plan']] == ['remove', 'create']
    assert _netlink.get_link('nl-mv', ns)['macvlan_mode'] == 'private'


def test_refusals(ns):
    caps = expected_capabilities()
    tasks = [
        {M: {'name': 'nl-mv', 'kind': 'macvlan', 'parent': 'nl-nothere', 'netns': ns}},
        {M: {'name': 'nl-p', 'kind': 'veth', 'peer': 'nl-q', 'master': 'nl-nobr', 'netns': ns}},
        {M: {'name': 'nl-v0', 'kind': 'veth', 'peer': 'nl-v1', 'netns': ns}},
        {M: {'name': 'nl-iv', 'kind': 'ipvlan', 'parent': 'nl-v0', 'ipvlan_mode': 'l2', 'netns': ns}},
        {M: {'name': 'nl-v0.10', 'kind': 'vlan', 'parent': 'nl-v0', 'vlan_id': 10, 'netns': ns}},
        {M: {'name': 'nl-du', 'kind': 'dummy', 'netns': ns}},
        {M: {'name': 'nl-none', 'mtu': 1400, 'netns': ns}},
    ]
    res = play(tasks)
    assert res[0]['failed'] and res[0]['msg'] == 'parent: no link nl-nothere in this namespace; create it first'
    assert res[1]['failed'] and res[1]['msg'] == 'master: no link nl-nobr in this namespace; create it first'
    assert res[2]['changed']
    for i, kind, feature in ((3, 'ipvlan', 'ipvlan'), (4, 'vlan', 'vlan'), (5, 'dummy', 'dummy')):
        if caps[feature]:
            assert res[i]['changed'] and not res[i].get('failed'), res[i]
            continue
        assert res[i]['failed'], res[i]
        msg = res[i]['msg']
        assert msg.startswith('kind: ') and 'not supported by this kernel' in msg, msg
        assert 'creating a%s %s link failed with EOPNOTSUPP' % ('n' if kind[0] in 'aeiou' else '', kind) in msg
        assert msg.endswith('nothing was changed')
    assert res[6]['failed'] and res[6]['msg'] == 'name: no link nl-none exists; give kind to create it'
    names = [l['name'] for l in _netlink.list_links(ns)]
    assert sorted(names) == sorted(['lo', 'nl-v0', 'nl-v1'] + [n for n, f in (
        ('nl-iv', 'ipvlan'), ('nl-v0.10', 'vlan'), ('nl-du', 'dummy')) if caps[f]])


def test_unsupported_kind_with_kernel_check_skip_leaves_nothing(ns):
    if expected_capabilities()['ipvlan']:
        pytest.skip('this kernel has ipvlan')
    res = play([{M: {'name': 'nl-v0', 'kind': 'veth', 'peer': 'nl-v1', 'netns': ns}},
                {M: {'name': 'nl-iv', 'kind': 'ipvlan', 'parent': 'nl-v0', 'mtu': 1400, 'addresses': [
                    '198.18.192.30/24'], 'kernel_check': 'skip', 'netns': ns}}])
    assert res[1]['failed']
    assert 'ipvlan: not supported by this kernel' in res[1]['msg']
    assert not _netlink.link_exists('nl-iv', ns)


def test_management_path_protected(ns):
    with IPRoute(netns=ns, flags=0) as ipr:
        lo = ipr.link_lookup(ifname='lo')[0]
        ipr.link('set', index=lo, state='up')
        ipr.addr('add', index=lo, address='198.18.194.99', prefixlen=32)  # the SSH client's end
        ipr.link('add', ifname='nl-up', kind='veth', peer='nl-peer')
        ipr.link('add', ifname='nl-br', kind='bridge')
        up = ipr.link_lookup(ifname='nl-up')[0]
        br = ipr.link_lookup(ifname='nl-br')[0]
        ipr.link('set', index=up, state='up')
        ipr.link('set', index=br, state='up')
        ipr.addr('add', index=up, address='198.18.192.1', prefixlen=24)
        ipr.addr('add', index=br, address='198.18.194.1', prefixlen=24)
        ipr.route('add', dst='0.0.0.0/0', gateway='198.18.192.254', oif=up)
        ipr.link('add', ifname='nl-port', kind='veth', peer='nl-port1')
        ipr.link('set', index=ipr.link_lookup(ifname='nl-port')[0], master=br)
    tasks = [
        {M: {'name': 'nl-up', 'mtu': 1300, 'netns': ns}},
        {M: {'name': 'nl-up', 'state': 'absent', 'netns': ns}},
        {M: {'name': 'nl-br', 'state': 'down', 'netns': ns}},
        {M: {'name': 'nl-port', 'master': '', 'netns': ns}},
        {M: {'name': 'nl-up', 'promisc': True, 'netns': ns}},  # harmless: allowed
        {M: {'name': 'nl-up', 'mtu': 1300, 'allow_management': True, 'netns': ns}},
        {M: {'name': 'nl-mvx', 'kind': 'macvlan', 'parent': 'nl-up', 'netns': ns}},  # new link on top: allowed
    ]
    res = playbook(tasks, wrapper=ssh_double.wrapper(ns, '198.18.194.99 50000 198.18.194.1 22'))
    assert res[0]['failed'] and res[0]['msg'] == (
        'nl-up: refusing to touch the management path: would change its MTU, but it carries the ipv4 default '
        'route via 198.18.192.254 (table 254); set allow_management: true if another path reaches this host')
    assert res[1]['failed'] and 'would delete it, but it carries the ipv4 default route' in res[1]['msg']
    assert res[2]['failed'] and re.search(r'would take it down, but it carries 198\.18\.194\.1, the local address of '
                                          r'the SSH session of this task \(sshd \d+: 198\.18\.194\.99 port 50000 to '
                                          r'198\.18\.194\.1 port 22\)', res[2]['msg']), res[2]['msg']
    assert res[3]['failed'] and 'would move it to another master, but it is a port of nl-br and it carries ' \
        '198.18.194.1' in res[3]['msg']
    assert res[4]['changed'] and not res[4].get('failed')
    assert res[4]['management'].startswith('it carries the ipv4 default route')
    assert res[5]['changed'] and not res[5].get('failed')
    assert res[6]['changed'] and not res[6].get('failed')
    assert _netlink.get_link('nl-up', ns)['mtu'] == 1300
    assert _netlink.get_link('nl-br', ns)['state'] == 'up'
    assert _netlink.get_link('nl-port', ns)['master'] == 'nl-br'


def test_persist_files(ns, tmp_path):
    d = str(tmp_path / 'network')
    tasks = [
        {M: {'name': 'nl-v0', 'kind': 'veth', 'peer': 'nl-v1', 'promisc': True, 'state': 'up',
             'persist': True, 'persist_dir': d, 'netns': ns}},
        {M: {'name': 'nl-mv', 'kind': 'macvlan', 'parent': 'nl-v0', 'mtu': 1400, 'state': 'up',
             'addresses': ['198.18.192.10/24'], 'persist': True, 'persist_dir': d, 'netns': ns}},
        {M: {'name': 'nl-br', 'kind': 'bridge', 'persist': True, 'persist_dir': d, 'netns': ns}},
        {M: {'name': 'nl-v1', 'master': 'nl-br', 'mtu': 1450, 'persist': True, 'persist_dir': d,
             'netns': ns}},
    ]
    first = play(tasks)
    assert all(r['changed'] and not r.get('failed') for r in first.results), first.results
    assert sorted(os.listdir(d)) == sorted([
        '10-netprov-nl-v0.netdev', '10-netprov-nl-v0.network', '10-netprov-nl-v0.network.d',
        '10-netprov-nl-mv.netdev', '10-netprov-nl-mv.network', '10-netprov-nl-br.netdev',
        '10-netprov-nl-br.network', '10-netprov-nl-v1.network'])

    def read(name):
        with open(os.path.join(d, name)) as f:
            return f.read()
    head = '# Managed by netprov.dockernet host_link; changes here are overwritten.\n'
    assert read('10-netprov-nl-v0.netdev') == head + '[NetDev]\nName=nl-v0\nKind=veth\n\n[Peer]\nName=nl-v1\n'
    assert read('10-netprov-nl-v0.network') == head + (
        '[Match]\nName=nl-v0\n\n[Link]\nPromiscuous=yes\nActivationPolicy=up\n')
    assert read('10-netprov-nl-mv.netdev') == head + (
        '[NetDev]\nName=nl-mv\nKind=macvlan\nMTUBytes=1400\n\n[MACVLAN]\nMode=bridge\n')
    assert read('10-netprov-nl-mv.network') == head + (
        '[Match]\nName=nl-mv\n\n[Link]\nActivationPolicy=up\n\n[Network]\nAddress=198.18.192.10/24\n')
    assert read('10-netprov-nl-v0.network.d/netprov-nl-mv.conf') == head + '[Network]\nMACVLAN=nl-mv\n'
    assert read('10-netprov-nl-v1.network') == head + (
        '[Match]\nName=nl-v1\n\n[Link]\nMTUBytes=1450\n\n[Network]\nBridge=nl-br\n')

    again = play(tasks)
    assert [r['changed'] for r in again.results] == [False] * 4

    gone = play([{M: {'name': 'nl-mv', 'state': 'absent', 'persist': True, 'persist_dir': d, 'netns': ns}}],
                check=True)
    assert sorted(s['action'] for s in gone[0]['plan']) == ['remove', 'remove_file', 'remove_file', 'remove_file']
    play([{M: {'name': 'nl-mv', 'state': 'absent', 'persist': True, 'persist_dir': d, 'netns': ns}}])
    assert not os.path.exists(os.path.join(d, '10-netprov-nl-mv.netdev'))
    assert not os.path.exists(os.path.join(d, '10-netprov-nl-v0.network.d'))


def test_nothing_is_lost_when_a_recreate_fails_or_a_parent_carries_links(ns):
    """A failed recreate puts the old link back; a link carrying stacked links is not removed under them."""
    made = play([{M: {'name': 'nl-a', 'kind': 'veth', 'peer': 'nl-b', 'state': 'up', 'netns': ns}},
                 {M: {'name': 'nl-x', 'kind': 'macvlan', 'parent': 'nl-a', 'mtu': 1400, 'state': 'up',
                      'addresses': ['198.18.193.5/24'], 'netns': ns}},
                 {M: {'name': 'nl-vx1', 'kind': 'vxlan', 'vxlan_id': 77, 'netns': ns}}])
    assert not any(r.get('failed') for r in made.results), made.results
    before = _netlink.get_link('nl-x', ns)

    # nl-x as a vxlan with the VNI and port nl-vx1 already has: the kernel refuses the new link.
    failed = play([{M: {'name': 'nl-x', 'kind': 'vxlan', 'vxlan_id': 77, 'recreate': True, 'netns': ns}}])[0]
    assert failed['failed'] and failed['restored'] is True, failed
    assert 'the old macvlan link nl-x is back as it was' in failed['msg']
    after = _netlink.get_link('nl-x', ns)
    for key in ('kind', 'parent', 'macvlan_mode', 'mtu', 'mac', 'state', 'addresses'):
        assert after[key] == before[key], key

    for task in ({'state': 'absent'}, {'kind': 'veth', 'peer': 'nl-c', 'recreate': True}):
        refused = play([{M: dict(task, name='nl-a', netns=ns)}])[0]
        assert refused['failed'] and 'nl-a: removing it would make the kernel delete nl-x (a macvlan link on it); ' \
            'nl-b (its veth peer) too. Set force: true' in refused['msg'], refused
    assert _netlink.get_link('nl-a', ns) and _netlink.get_link('nl-x', ns)


def test_ipv6_link_local_address_converges(ns):
    """A link-local address the task names is added once; the kernel's own link-local address is never removed."""
    tasks = [{M: {'name': 'nl-v0', 'kind': 'veth', 'peer': 'nl-v1', 'state': 'up', 'netns': ns}},
             {M: {'name': 'nl-v1', 'state': 'up', 'netns': ns}},
             {M: {'name': 'nl-v0', 'addresses': ['fe80::c6:1280:1/64', '198.19.80.1/24'],
                  'addresses_exclusive': True, 'netns': ns}}]
    first = play(tasks, diff=True)
    assert [(r['changed'], r.get('failed', False)) for r in first.results] == [(True, False)] * 3, first.results
    assert [s['address'] for s in first[2]['plan']] == ['198.19.80.1/24', 'fe80::c6:1280:1/64']
    assert first[2]['diff']['after']['addresses'] == ['198.19.80.1/24', 'fe80::c6:1280:1/64']
    v0 = _netlink.get_link('nl-v0', ns)
    assert 'fe80::c6:1280:1/64' in v0['link_local'] and v0['addresses'] == ['198.19.80.1/24']
    kernels = [a for a in v0['link_local'] if a != 'fe80::c6:1280:1/64']
    assert kernels, 'the kernel made no link-local address of its own for an up veth: %s' % v0
    for again in (play(tasks[2:]), play(tasks[2:], check=True)):
        assert (again[0]['changed'], again[0].get('failed', False), again[0]['plan']) == (False, False, []), again[0]
    # exclusive leaves the kernel's link-local address and ours alone; a global address not named goes
    res = play([{M: {'name': 'nl-v0', 'addresses': ['fe80::c6:1280:1/64'], 'addresses_exclusive': True,
                     'netns': ns}}])[0]
    assert [(s['action'], s['address']) for s in res['plan']] == [('remove_address', '198.19.80.1/24')], res
    v0 = _netlink.get_link('nl-v0', ns)
    assert v0['addresses'] == [] and sorted(v0['link_local']) == sorted(kernels + ['fe80::c6:1280:1/64'])


def test_recreate_keeps_what_the_task_does_not_change(ns):
    """A re-created link keeps the old one's addresses, MTU, master, promiscuous mode and up state."""
    made = play([{M: {'name': 'nl-a', 'kind': 'veth', 'peer': 'nl-b', 'state': 'up', 'netns': ns}},
                 {M: {'name': 'nl-br', 'kind': 'bridge', 'state': 'up', 'netns': ns}},
                 {M: {'name': 'nl-vx', 'kind': 'vxlan', 'vxlan_id': 7, 'parent': 'nl-a', 'mtu': 1400,
                      'master': 'nl-br', 'promisc': True, 'state': 'up', 'netns': ns,
                      'addresses': ['198.19.81.1/24', 'fd00:198:19:81::1/64']}}])
    assert not any(r.get('failed') for r in made.results), made.results
    before = _netlink.get_link('nl-vx', ns)
    recreate = {M: {'name': 'nl-vx', 'kind': 'vxlan', 'vxlan_id': 7, 'parent': 'nl-a', 'vxlan_port': 8472,
                    'recreate': True, 'netns': ns}}
    planned = play([recreate], check=True)[0]
    assert [(s['action'], s.get('field') or s.get('address')) for s in planned['plan']] == [
        ('remove', None), ('create', None), ('set', 'mtu'), ('set', 'master'), ('set', 'promisc'),
        ('add_address', '198.19.81.1/24'), ('add_address', 'fd00:198:19:81::1/64'), ('set', 'state')], planned
    assert all(s['reason'].endswith('(kept from the link it replaces)') for s in planned['plan'][2:])
    done = play([recreate, recreate])
    assert done[0]['changed'] and not done[0].get('failed') and done[0]['plan'] == planned['plan'], done[0]
    assert (done[1]['changed'], done[1]['plan']) == (False, []), done[1]
    after = _netlink.get_link('nl-vx', ns)
    assert after['vxlan_port'] == 8472 and after['index'] != before['index']
    for key in ('mtu', 'master', 'promisc', 'addresses', 'state', 'parent', 'vxlan_id'):
        assert after[key] == before[key], (key, before[key], after[key])

    # what the task sets wins: a new MTU, exclusive addresses; the rest is kept
    change = {M: {'name': 'nl-vx', 'kind': 'vxlan', 'vxlan_id': 7, 'parent': 'nl-a', 'vxlan_port': 4789,
                  'mtu': 1300, 'addresses': ['198.19.81.2/24'], 'addresses_exclusive': True, 'recreate': True,
                  'netns': ns}}
    res = play([change, change])
    assert res[0]['changed'] and not res[0].get('failed'), res[0]
    assert (res[1]['changed'], res[1]['plan']) == (False, []), res[1]
    after = _netlink.get_link('nl-vx', ns)
    assert (after['vxlan_port'], after['mtu'], after['addresses']) == (4789, 1300, ['198.19.81.2/24'])
    assert (after['master'], after['promisc'], after['state']) == ('nl-br', True, 'up')
