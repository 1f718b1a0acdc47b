"""Fault handling in the core, with stand-ins for the engine and netlink (the real faults: tests/integration/test_faults.py)."""
import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._network import core as _core, hostcheck as _hostcheck
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import EngineError, NetprovError


class DyingEngine(object):
    """Answers the create, then is lost before the re-listing."""

    def __init__(self, create_fails=False):
        self.create_fails = create_fails

    def create_network(self, body):
        if self.create_fails:
            raise EngineError('create network %s: lost the Docker Engine' % body['Name'])
        return {'Id': 'abc123'}

    def networks(self):
        raise EngineError('list networks: lost the Docker Engine')


def test_create_answered_then_engine_lost_counts_as_created_with_a_warning():
    outcome = _core.Outcome()
    assert _core._create(DyingEngine(), {'Name': 'n1'}, outcome) == 'abc123'
    assert 'was created, but the engine was lost' in outcome.warnings[0]


def test_create_failed_and_engine_lost_reports_the_create_not_the_listing():
    with pytest.raises(EngineError) as err:
        _core._create(DyingEngine(create_fails=True), {'Name': 'n1'}, _core.Outcome())
    assert err.value.msg.startswith('create network n1')


class LocalEngine(object):
    is_local = True

    def netns_path(self):
        return None


class Links(object):
    def __init__(self, present, broken=False):
        self.present = present
        self.broken = broken

    def link_exists(self, name, netns=None):
        if self.broken:
            raise NetprovError('host checks need pyroute2')
        return name in self.present


def macvlan(parent='veth9'):
    return {'name': 'mv', 'driver': 'macvlan', 'options': {'parent': parent, 'macvlan_mode': 'bridge'}}


def test_existing_macvlan_whose_parent_is_gone_is_reported_naming_the_field():
    text = _hostcheck.existing_parent_warning(LocalEngine(), macvlan(), 'networks[3]', Links(['eth0']))
    assert text.startswith('networks[3].parent: interface veth9, the parent of the existing macvlan network mv')
    assert _hostcheck.existing_parent_warning(LocalEngine(), macvlan(), '', Links([])).startswith('mv.parent: ')


@pytest.mark.parametrize('have, links', [
    (macvlan(), Links(['veth9'])),                              # parent there
    ({'name': 'b', 'driver': 'bridge', 'options': {}}, Links([])),  # no parent to lose
    (macvlan(), Links([], broken=True)),                         # no netlink: advice only, never a failure
])
def test_no_parent_warning(have, links):
    assert _hostcheck.existing_parent_warning(LocalEngine(), have, 'p', links) is None


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
    step = {'action': 'remove_address', 'link': 'pv2', 'address': '198.18.170.2/24', 'reason': 'r'}
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
    steps = _links.plan(want, {'pv2': have})
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
    _links.apply(ipr, [{'action': 'remove_address', 'link': 'pv2', 'address': '198.18.170.1/24',
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
            _links.plan(want, links)
        assert str(err.value).startswith('mac: ')
    ok = _links.normalise({'name': 'pmv', 'kind': 'macvlan', 'parent': 'pv0', 'mac': '02:00:c6:12:aa:03'})
    assert _links.plan(ok, links)[0]['action'] == 'create'


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
        assert _links.plan(want, links)[0]['action'] == 'create'
    else:
        with pytest.raises(NetprovError) as err:
            _links.plan(want, links)
        assert str(err.value).startswith('mtu: ')
