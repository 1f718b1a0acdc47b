"""_host.linkset's pure parts: the dependency order, and host_links' entries checked against host_link's spec."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links, linkset


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
