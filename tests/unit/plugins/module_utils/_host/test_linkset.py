"""_host.linkset's pure parts: the dependency order, host_links' entries checked against host_link's spec, and the
table of links as each planned entry leaves it.

converge() reads and changes the kernel's links: tests/integration/test_host_links.py exercises it in a scratch netns
(test_links_in_dependency_order_check_mode_is_the_real_run_and_a_second_run_changes_nothing,
test_a_failure_while_applying_names_what_was_done_and_what_was_not).
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links, linkset
from ansible_collections.netprov.dockernet.tests.support.host_data import link, params, plan_steps


def wants(*specs):
    return [_links.normalise(dict({'state': 'present'}, **s)) for s in specs]


def names(ws, order):
    return [ws[i]['name'] for i in order]


def test_each_link_after_what_it_stands_on_whatever_the_listing_order():
    ws = wants({'name': 'vx', 'kind': 'vxlan', 'vxlan_id': 1, 'parent': 'mv'},
               {'name': 'mv', 'kind': 'macvlan', 'parent': 'eth1'},
               {'name': 'port', 'master': 'br'},
               {'name': 'eth1', 'mtu': 9000},
               {'name': 'br', 'kind': 'bridge'},
               {'name': 'v0', 'kind': 'veth', 'peer': 'v1', 'master': 'br'},
               {'name': 'v1', 'mtu': 1400})
    order = names(ws, linkset.dependency_order(ws, {}))
    for before, after in (('mv', 'vx'), ('eth1', 'mv'), ('br', 'port'), ('br', 'v0'), ('v0', 'v1')):
        assert order.index(before) < order.index(after), order
    assert order == ['eth1', 'mv', 'vx', 'br', 'port', 'v0', 'v1']  # otherwise in the order given


def test_both_ends_of_a_veth_pair_declared_as_veth_is_no_circle():
    ws = wants({'name': 'v1', 'kind': 'veth', 'peer': 'v0'}, {'name': 'v0', 'kind': 'veth', 'peer': 'v1'})
    assert names(ws, linkset.dependency_order(ws, {})) == ['v1', 'v0']


def test_removals_first_each_before_what_it_stands_on_in_the_kernel():
    kernel = {'br': {'name': 'br', 'kind': 'bridge', 'parent': None, 'master': None},
              'mv': {'name': 'mv', 'kind': 'macvlan', 'parent': 'br', 'master': None},
              'p': {'name': 'p', 'kind': 'veth', 'parent': None, 'master': 'br'}}
    ws = wants({'name': 'new', 'kind': 'bridge'}, {'name': 'br', 'state': 'absent'},
               {'name': 'p', 'state': 'absent'}, {'name': 'mv', 'state': 'absent'})
    assert names(ws, linkset.dependency_order(ws, kernel)) == ['p', 'mv', 'br', 'new']


def test_a_circle_and_a_link_given_twice_are_refused_naming_the_entries():
    ws = wants({'name': 'a', 'kind': 'macvlan', 'parent': 'b'}, {'name': 'b', 'kind': 'macvlan', 'parent': 'a'})
    with pytest.raises(ValidationError) as err:
        linkset.dependency_order(ws, {}, 'links')
    assert str(err.value) == ('links[0]: these links stand on each other in a circle (parent, master or veth peer): '
                              'links[0] (a), links[1] (b)')
    ws = wants({'name': 'a', 'kind': 'bridge'}, {'name': 'a', 'kind': 'bridge', 'state': 'up'})
    with pytest.raises(ValidationError) as err:
        linkset.dependency_order(ws, {}, 'links')
    assert str(err.value) == 'links[1].name: a is already links[0]; give each link once'


@pytest.mark.parametrize('entry, message', [
    ({'name': 'x', 'state': 'gone'}, 'links[1].state: value of state must be one of: present, absent, up, down, '
                                     'got: gone; nothing was changed'),
    ({'name': 'x', 'vlan_id': 'ten'}, "links[1].vlan_id: argument 'vlan_id' is of type str and we were unable to "
                                      "convert to int"),
    ({'kind': 'bridge'}, 'links[1].name: missing required arguments: name; nothing was changed'),
    ({'name': 'x', 'kind': 'vxlan', 'vxlan_remote': '198.19.224.1', 'vxlan_group': '239.1.1.1'},
     'links[1].vxlan_remote: parameters are mutually exclusive: vxlan_remote|vxlan_group'),
    ({'name': 'x', 'colour': 'red'}, 'links[1].colour: colour. Supported parameters include'),
])
def test_a_bad_entry_is_named_with_its_field(entry, message):
    with pytest.raises(ValidationError) as err:
        linkset.validate([{'name': 'ok', 'kind': 'bridge'}, entry])
    assert str(err.value).startswith(message), str(err.value)


def test_null_is_not_given_and_defaults_and_conversions_are_host_links():
    got = linkset.validate([{'name': 'eth1', 'kind': None, 'mtu': '1400', 'promisc': 'yes', 'state': None}])[0]
    assert (got['kind'], got['mtu'], got['promisc'], got['state'], got['persist_dir']) == (
        None, 1400, True, 'present', '/etc/systemd/network')


def test_host_links_one_link_has_no_entry_path():
    ws = wants({'name': 'a', 'kind': 'bridge'}, {'name': 'a', 'kind': 'bridge'})
    with pytest.raises(ValidationError) as err:
        linkset.dependency_order(ws, {})
    assert err.value.path == 'name'


def test_an_entry_the_planner_refuses_is_placed_at_the_entry():
    with pytest.raises(ValidationError) as err:
        linkset._normalised(params(name='x', kind='vlan'), 'links[2]')
    assert str(err.value) == 'links[2].parent: kind vlan needs a parent link (x; nothing was changed)'
    with pytest.raises(ValidationError) as err:
        linkset._normalised(params(name='x', kind='vlan'), None)
    assert err.value.path == 'parent'


def test_a_veth_planned_leaves_both_ends_in_the_table():
    want = _links.normalise(params(name='v0', kind='veth', peer='v1'))
    steps = plan_steps(want, {}, {}, recreate=False, allow_management=False, force=False, elsewhere=None)
    table = {}
    linkset._settle(table, 'v0', steps, _links.simulate(None, steps))
    assert (table['v0']['peer'], table['v1']['peer'], table['v1']['kind']) == ('v1', 'v0', 'veth')
    assert table['v1']['index'] is None  # made by this run: no index yet


def test_a_removal_takes_what_the_kernel_deletes_with_it_out_of_the_table():
    table = {'eth1': link('eth1', index=2), 'mv': link('mv', index=3, kind='macvlan', parent='eth1'),
             'br': link('br', index=4, kind='bridge')}
    want = _links.normalise(params(name='eth1', state='absent'))
    steps = plan_steps(want, dict(table), {}, recreate=False, allow_management=False, force=True, elsewhere=[])
    assert [g['name'] for g in steps[0]['goes_with']] == ['mv']
    linkset._settle(table, 'eth1', steps, _links.simulate(table['eth1'], steps) or None)
    assert sorted(table) == ['br']
