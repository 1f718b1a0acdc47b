"""Pure planning of host_link: normalise, plan, guard; and applying address steps with a stand-in for netlink."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError, NetprovError, ValidationError
from ansible_collections.netprov.dockernet.tests.support.host_data import link, params, plan_steps


@pytest.mark.parametrize('kw, path, text', [
    (dict(name='a/b'), 'name', 'not a valid link name'),
    (dict(name='x', kind='vlan', parent='eth0'), 'vlan_id', 'between 1 and 4094'),
    (dict(name='x', kind='macvlan'), 'parent', 'needs a parent'),
    (dict(name='x', kind='bridge', vlan_id=3), 'vlan_id', 'only for kind vlan, not bridge'),
    (dict(name='x', vlan_id=3), 'vlan_id', 'needs kind'),
    (dict(name='x', kind='veth'), 'peer', 'needs the name of its peer'),
    (dict(name='x', kind='vxlan', vxlan_id=1, vxlan_group='198.18.192.1'), 'vxlan_group', 'not a multicast'),
    (dict(name='x', addresses=['198.18.192.1']), 'addresses[0]', 'no prefix length'),
    (dict(name='x', mac='zz'), 'mac', 'not a MAC address'),
    (dict(name='x', mtu=20), 'mtu', 'outside 68..65535'),
])
def test_normalise_refuses(kw, path, text):
    with pytest.raises(ValidationError) as exc:
        _links.normalise(params(**kw))
    assert exc.value.path == path and text in exc.value.msg


def test_normalise_canonical_forms():
    want = _links.normalise(params(name='x', mac='02-00-AA-00-00-01', addresses=['fd00::1/64', '198.18.192.1/24']))
    assert want['mac'] == '02:00:aa:00:00:01'
    assert want['addresses'] == ['198.18.192.1/24', 'fd00::1/64']


def test_plan_create_orders_steps():
    links = {'eth1': link('eth1')}
    want = _links.normalise(params(name='mv', kind='macvlan', parent='eth1', mtu=1400, state='up',
                                   addresses=['198.18.192.5/24']))
    steps = plan_steps(want, links)
    assert [(s['action'], s.get('field')) for s in steps] == [
        ('create', None), ('set', 'mtu'), ('add_address', None), ('set', 'state')]
    assert steps[0]['settings'] == {'parent': 'eth1', 'macvlan_mode': 'bridge'}
    after = _links.simulate(None, steps)
    assert (after['mtu'], after['state'], after['addresses']) == (1400, 'up', ['198.18.192.5/24'])


def test_plan_noop_and_master_must_be_bridge():
    links = {'v0': link('v0', kind='veth', peer='v1'), 'v1': link('v1', kind='veth', peer='v0')}
    want = _links.normalise(params(name='v0', kind='veth', peer='v1'))
    assert plan_steps(want, links) == []
    with pytest.raises(ValidationError) as exc:
        plan_steps(_links.normalise(params(name='v0', master='v1')), links)
    assert str(exc.value) == 'master: v1 is a veth link, not a bridge'


def test_management_links_propagate_to_parents_and_ports():
    links = {'eth0': link('eth0'), 'br0': link('br0', kind='bridge', addresses=['198.18.192.1/24']),
             'p0': link('p0', master='br0'), 'mv': link('mv', kind='macvlan', parent='eth1'),
             'eth1': link('eth1'), 'v': link('v', parent='eth0', kind='vlan')}
    routes = [{'family': 'ipv4', 'table': 254, 'gateway': '198.18.0.1', 'links': ['eth0']}]
    session = {'pid': 812, 'connections': [
        {'local': '198.18.192.1', 'local_port': 22, 'peer': '198.18.9.9', 'peer_port': 4000}]}
    mgmt = _links.management_links(links, routes, session)
    assert sorted(mgmt) == ['br0', 'eth0', 'p0']
    assert mgmt['br0'] == ('it carries 198.18.192.1, the local address of the SSH session of this task '
                           '(sshd 812: 198.18.9.9 port 4000 to 198.18.192.1 port 22)')
    assert mgmt['p0'].startswith('it is a port of br0 and it carries 198.18.192.1')
    mgmt = _links.management_links(links, [{'family': 'ipv4', 'table': 254, 'gateway': None, 'links': ['mv']}])
    assert mgmt['eth1'] == 'mv stands on it and it carries the ipv4 default route (table 254)'


def test_guard_allows_harmless_changes_on_management_link():
    links = {'eth0': link('eth0')}
    mgmt = {'eth0': 'it carries the ipv4 default route'}
    steps = plan_steps(_links.normalise(params(name='eth0', promisc=True, state='up')), links, mgmt)
    assert [s['field'] for s in steps] == ['promisc']
    with pytest.raises(ConflictError):
        plan_steps(_links.normalise(params(name='eth0', mtu=9000)), links, mgmt)
    assert plan_steps(_links.normalise(params(name='eth0', mtu=9000)), links, mgmt, allow_management=True)


def test_ipvlan_siblings_share_the_parent_mode():
    iv0 = link('iv0', kind='ipvlan', parent='eth1', ipvlan_mode='l2', ipvlan_flag='bridge')
    links = {'eth1': link('eth1'), 'iv0': iv0, 'eth2': link('eth2'),
             'mv0': link('mv0', kind='macvlan', parent='eth2')}
    same = _links.normalise(params(name='iv1', kind='ipvlan', parent='eth1', ipvlan_mode='l2'))
    assert plan_steps(same, links)[0]['action'] == 'create'
    with pytest.raises(ConflictError) as exc:
        plan_steps(_links.normalise(params(name='iv1', kind='ipvlan', parent='eth1', ipvlan_mode='l3')), links)
    assert exc.value.path == 'ipvlan_mode'
    with pytest.raises(ConflictError) as exc:
        plan_steps(_links.normalise(params(name='iv2', kind='ipvlan', parent='eth2')), links)
    assert str(exc.value).startswith('parent: eth2 carries macvlan links (mv0)')


def test_a_link_carrying_stacked_links_is_not_removed_or_recreated():
    links = {'v0': link('v0', kind='veth', peer='v1'), 'v1': link('v1', kind='veth', peer='v0'),
             'mv': link('mv', kind='macvlan', parent='v0', macvlan_mode='bridge'),
             'vx': link('vx', kind='vxlan', parent='v0', vxlan_id=7, vxlan_port=4789),
             'br': link('br', kind='bridge'), 'p': link('p', kind='veth', peer='q', master='br')}
    assert [s['action'] for s in plan_steps(_links.normalise(params(name='mv', state='absent')), links)] == [
        'remove']  # nothing stands on mv: it goes alone
    with pytest.raises(ConflictError) as exc:
        plan_steps(_links.normalise(params(name='v0', state='absent')), links)
    assert str(exc.value) == ('state: v0: removing it would make the kernel delete mv (a macvlan link on it); vx (a '
                              'vxlan link on it); v1 (its veth peer) too. Set force: true to let those links go '
                              'with it')
    assert [g['name'] for g in exc.value.details['goes_with']] == ['mv', 'vx', 'v1']
    with pytest.raises(ConflictError) as exc:
        plan_steps(_links.normalise(params(name='v0', kind='veth', peer='v9')), links, recreate=True)
    assert exc.value.path == 'recreate' and 'delete mv (a macvlan link on it)' in exc.value.msg
    # A bridge's ports only lose their master: they stay.
    assert [s['action'] for s in plan_steps(_links.normalise(params(name='br', state='absent')), links)] == ['remove']


def test_what_goes_with_a_link_is_refused_unless_force_then_named_in_the_step():
    links = {'eth1': link('eth1'), 'mv': link('mv', kind='macvlan', parent='eth1', macvlan_mode='bridge'),
             'vp': link('vp', kind='veth', peer=None)}
    elsewhere = {'eth1': [{'name': 'eth0', 'netns': '/run/docker/netns/abc', 'kind': 'macvlan'}]}
    want = _links.normalise(params(name='eth1', state='absent'))
    with pytest.raises(ConflictError) as exc:
        plan_steps(want, links, elsewhere=elsewhere)
    assert str(exc.value) == (
        'state: eth1: removing it would make the kernel delete mv (a macvlan link on it); eth0 in network namespace '
        '/run/docker/netns/abc (a macvlan link on it) too. Remove them first (state: absent), or set force: true to '
        'let those links go with it')
    steps = plan_steps(want, links, elsewhere=elsewhere, force=True)
    assert [g['name'] for g in steps[0]['goes_with']] == ['mv', 'eth0']
    assert steps[0]['reason'].startswith('state is absent (force: the kernel deletes mv (a macvlan link on it); eth0')
    # a veth whose peer is in a namespace nobody names: still one end of a pair
    with pytest.raises(ConflictError) as exc:
        plan_steps(_links.normalise(params(name='vp', state='absent')), links)
    assert exc.value.msg == ('vp: removing it would make the kernel delete its veth peer in another network namespace '
                             'too. Set force: true to let that link go with it')
    # force does not open the management path: a link that goes with it and carries it is still refused
    with pytest.raises(ConflictError) as exc:
        plan_steps(want, links, {'mv': 'it carries the ipv4 default route'}, elsewhere=elsewhere, force=True)
    assert 'would delete mv with eth1, but it carries the ipv4 default route' in exc.value.msg
    assert plan_steps(want, links, {'mv': 'why'}, elsewhere=elsewhere, force=True, allow_management=True)


def test_recreate_records_the_old_link_to_put_it_back():
    links = {'v0': link('v0', kind='veth', peer='v1'),
             'mv': link('mv', kind='macvlan', parent='v0', macvlan_mode='bridge', mtu=1400, promisc=True,
                        addresses=['198.18.192.5/24'])}
    want = _links.normalise(params(name='mv', kind='macvlan', parent='v0', macvlan_mode='private'))
    steps = plan_steps(want, links, recreate=True)
    assert [s['action'] for s in steps][:2] == ['remove', 'create']
    assert steps[0]['restore'] == {
        'kind': 'macvlan', 'settings': {'parent': 'v0', 'macvlan_mode': 'bridge'}, 'addresses': ['198.18.192.5/24'],
        'state': 'up', 'fields': {'mac': '02:00:00:00:00:01', 'mtu': 1400, 'promisc': True}}
    # A veth whose peer is in another namespace cannot be made again as it was: no restore.
    links['v0']['peer'] = None
    steps = plan_steps(_links.normalise(params(name='v0', kind='bridge')), {'v0': links['v0']}, recreate=True,
                       force=True)
    assert 'restore' not in steps[0]


def test_ipv6_link_local_address_is_found_among_the_link_local_ones():
    have = link('v0', kind='veth', peer='v1', addresses=['198.18.192.5/24'],
                link_local=['fe80::1/64', 'fe80::aa:1/64'])
    want = _links.normalise(params(name='v0', addresses=['fe80::aa:1/64', '198.18.192.5/24'],
                                   addresses_exclusive=True))
    assert plan_steps(want, {'v0': have}) == []
    assert _links.view(want, have)['addresses'] == ['198.18.192.5/24', 'fe80::aa:1/64']
    steps = plan_steps(_links.normalise(params(name='v0', addresses=['fe80::bb:1/64'], addresses_exclusive=True)),
                       {'v0': have})
    assert [(s['action'], s['address']) for s in steps] == [('remove_address', '198.18.192.5/24'),
                                                            ('add_address', 'fe80::bb:1/64')]
    after = _links.simulate(have, steps)
    assert after['addresses'] == [] and after['link_local'] == ['fe80::1/64', 'fe80::aa:1/64', 'fe80::bb:1/64']


def test_recreate_keeps_what_the_task_does_not_set():
    links = {'eth1': link('eth1', mtu=1500), 'br': link('br', kind='bridge'),
             'mv': link('mv', kind='macvlan', parent='eth1', macvlan_mode='bridge', mtu=1480, master='br',
                        promisc=True, addresses=['198.18.192.5/24'], state='up')}
    steps = plan_steps(_links.normalise(params(name='mv', kind='macvlan', parent='eth1', macvlan_mode='vepa')),
                       links, recreate=True)
    assert [(s['action'], s.get('field'), s.get('after') or s.get('address')) for s in steps[2:]] == [
        ('set', 'mtu', 1480), ('set', 'master', 'br'), ('set', 'promisc', True),
        ('add_address', None, '198.18.192.5/24'), ('set', 'state', 'up')]
    # what the task says wins; state down stays down; exclusive addresses replace the old ones
    steps = plan_steps(_links.normalise(params(name='mv', kind='macvlan', parent='eth1', macvlan_mode='vepa',
                                               mtu=1400, state='down', addresses=['198.18.192.6/24'],
                                               addresses_exclusive=True)), links, recreate=True)
    assert [(s['action'], s.get('field'), s.get('after') or s.get('address')) for s in steps[2:]] == [
        ('set', 'mtu', 1400), ('set', 'master', 'br'), ('set', 'promisc', True),
        ('add_address', None, '198.18.192.6/24')]
    # an MTU the new link cannot carry (vxlan header) is left to the kernel; a bridge takes no master
    steps = plan_steps(_links.normalise(params(name='mv', kind='vxlan', vxlan_id=9, parent='eth1')), links,
                       recreate=True)
    assert 'mtu' not in [s.get('field') for s in steps]
    steps = plan_steps(_links.normalise(params(name='mv', kind='bridge')), links, recreate=True)
    assert [s.get('field') for s in steps if s['action'] == 'set'] == ['mtu', 'promisc', 'state']
    # an MTU the kernel gives the new link anyway (its parent's) is no step
    links['mv']['mtu'] = 1500
    steps = plan_steps(_links.normalise(params(name='mv', kind='macvlan', parent='eth1', macvlan_mode='vepa')),
                       links, recreate=True)
    assert 'mtu' not in [s.get('field') for s in steps]


class Addrs(object):
    """An IPRoute stand-in whose kernel already dropped the secondary address with the primary."""

    def __init__(self, code):
        self.code = code

    def link_lookup(self, ifname):
        return [7]

    def addr(self, op, **kwargs):
        from ansible_collections.netprov.dockernet.plugins.module_utils._host.netlink import NetlinkError
        raise NetlinkError(self.code, 'nope')


def test_removing_an_address_the_kernel_already_dropped_is_done():
    # Found by tests/integration/test_property_host_link.py: with addresses_exclusive, removing an IPv4 primary
    # made the kernel drop the secondary of the same subnet, and the next step failed with EADDRNOTAVAIL.
    import errno
    from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links
    step = {'action': 'remove_address', 'subject': 'pv2', 'address': '198.18.170.2/24', 'reason': 'r'}
    _links.apply(Addrs(errno.EADDRNOTAVAIL), [step])
    with pytest.raises(NetprovError):
        _links.apply(Addrs(errno.EPERM), [step])
    with pytest.raises(NetprovError):
        _links.apply(Addrs(errno.EADDRNOTAVAIL), [dict(step, action='add_address')])


def test_removing_a_primary_address_plans_to_restore_kept_secondaries_of_its_subnet():
    # Found by the host_link property test: the kernel dropped the kept 198.18.170.2/24 together with the
    # removed primary 198.18.170.1/24, so the run ended without it and the next run added it back.
    from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links
    have = {'name': 'pv2', 'kind': 'veth', 'peer': 'pv3', 'state': 'up', 'promisc': False, 'master': None,
            'mtu': 1500, 'mac': None,
            'addresses': ['198.18.170.1/24', '198.18.170.2/24', '198.18.171.1/25', 'fd00:198:18:aa::1/64']}
    want = _links.normalise({'name': 'pv2', 'addresses': ['198.18.170.2/24', '198.18.171.1/25'],
                             'addresses_exclusive': True})
    steps = plan_steps(want, {'pv2': have})
    assert [(s['action'], s['address'], s.get('restore')) for s in steps] == [
        ('remove_address', '198.18.170.1/24', ['198.18.170.2/24']),
        ('remove_address', 'fd00:198:18:aa::1/64', None)]


class Restoring(Addrs):
    def __init__(self):
        super(Restoring, self).__init__(0)
        self.calls = []

    def addr(self, op, **kwargs):
        self.calls.append((op, kwargs['address']))


def test_a_restore_puts_the_dropped_secondary_back():
    from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links
    ipr = Restoring()
    _links.apply(ipr, [{'action': 'remove_address', 'subject': 'pv2', 'address': '198.18.170.1/24',
                        'restore': ['198.18.170.2/24'], 'reason': 'r'}])
    assert ipr.calls == [('del', '198.18.170.1'), ('add', '198.18.170.2')]


def test_macvlan_with_its_parents_mac_is_refused_up_front():
    # Found by the host_link property test: check mode planned it, the kernel refused it (EADDRINUSE).
    from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links
    links = {'pv0': {'name': 'pv0', 'kind': 'veth', 'mac': '02:00:c6:12:aa:01', 'parent': None},
             'pmw': {'name': 'pmw', 'kind': 'macvlan', 'mac': '02:00:c6:12:aa:02', 'parent': 'pv0'}}
    for mac in ('02:00:c6:12:aa:01', '02:00:c6:12:aa:02'):
        want = _links.normalise({'name': 'pmv', 'kind': 'macvlan', 'parent': 'pv0', 'mac': mac})
        with pytest.raises(NetprovError) as err:
            plan_steps(want, links)
        assert str(err.value).startswith('mac: ')
    ok = _links.normalise({'name': 'pmv', 'kind': 'macvlan', 'parent': 'pv0', 'mac': '02:00:c6:12:aa:03'})
    assert plan_steps(ok, links)[0]['action'] == 'create'


@pytest.mark.parametrize('kind, extra, mtu, ok', [
    ('vxlan', {'vxlan_id': 4100, 'vxlan_remote': '198.18.170.20'}, 1280, False),   # 1280 > 1280 - 50
    ('vxlan', {'vxlan_id': 4100, 'vxlan_remote': '198.18.170.20'}, 1230, True),
    ('vxlan', {'vxlan_id': 4100, 'vxlan_remote': 'fd00::20'}, 1230, False),         # IPv6 underlay: 70
    ('macvlan', {}, 1400, False),
    ('macvlan', {}, 1280, True),
])
def test_stacked_link_mtu_above_the_parents_is_refused_up_front(kind, extra, mtu, ok):
    # Found by the host_link property test: a vxlan with MTU 1280 on a 1280 parent was planned, then EINVAL.
    from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links
    links = {'pv0': {'name': 'pv0', 'kind': 'veth', 'mtu': 1280, 'mac': None, 'parent': None}}
    want = _links.normalise(dict(extra, name='pst', kind=kind, parent='pv0', mtu=mtu))
    if ok:
        assert plan_steps(want, links)[0]['action'] == 'create'
    else:
        with pytest.raises(NetprovError) as err:
            plan_steps(want, links)
        assert str(err.value).startswith('mtu: ')
