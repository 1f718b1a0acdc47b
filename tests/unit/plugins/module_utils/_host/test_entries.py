"""_host.entries: the entries of a bulk call checked against one item's spec, errors placed at the entry."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import EngineError, ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._host import entries


def test_an_error_placed_at_an_entry_keeps_its_field_and_details():
    exc = ValidationError('no link x in this namespace', path='dev', failed={'action': 'add'})
    placed = entries.located(exc, 'routes[2]', 'ipv4 198.19.224.0/24 (table 254, metric 0)')
    assert str(placed) == ('routes[2].dev: no link x in this namespace (ipv4 198.19.224.0/24 (table 254, metric 0); '
                           'nothing was changed)')
    assert placed.details == {'failed': {'action': 'add'}} and placed.__class__.__name__ == 'ValidationError'
    named = entries.located(ValidationError('gone', path='mv'), 'links[1]', 'mv', done=['a'], not_done=[])
    assert str(named) == 'links[1]: gone (mv; done: a; not done: none)'
    assert named.details == {'done': ['a'], 'not_done': []}


SPEC = dict(name=dict(type='str', required=True), mtu=dict(type='int'),
            state=dict(type='str', default='present', choices=['present', 'absent']))


def test_entries_take_ansible_cores_conversions_and_defaults_and_null_is_not_given():
    got = entries.validate([{'name': 'a', 'mtu': '1400', 'state': None}, {'name': 'b'}], SPEC, [], 'links')
    assert got == [{'name': 'a', 'mtu': 1400, 'state': 'present'}, {'name': 'b', 'mtu': None, 'state': 'present'}]


@pytest.mark.parametrize('entry, path, words', [
    ('eth0', 'links[1]', "each entry is a dict of options, got str 'eth0'"),
    ({'name': 'b', 'mtu': 'big'}, 'links[1].mtu', 'unable to convert to int'),
    ({'name': 'b', 'state': 'gone'}, 'links[1].state', 'must be one of: present, absent'),
    ({'mtu': 1400}, 'links[1].name', 'missing required arguments: name'),
    ({'name': 'b', 'colour': 'red'}, 'links[1].colour', 'Supported parameters include'),
])
def test_a_bad_entry_is_refused_naming_the_entry_and_its_field(entry, path, words):
    with pytest.raises(ValidationError) as err:
        entries.validate([{'name': 'a'}, entry], SPEC, [], 'links')
    assert err.value.path == path and words in err.value.msg, str(err.value)
    assert '<class' not in err.value.msg


def test_a_path_that_is_only_the_item_becomes_the_entry_and_the_error_kind_is_kept():
    placed = entries.located(EngineError('refused', path='br0'), 'links[3]', 'br0')
    assert isinstance(placed, EngineError) and placed.path == 'links[3]'
    assert str(placed) == 'links[3]: refused (br0; nothing was changed)'
