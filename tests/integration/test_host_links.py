"""host_links and host_routes in a scratch network namespace: the first test and the one whose
tasks read an earlier task's result through real ansible-playbook runs, the others' calls in-process (the
module's real main()).

A host's links in one call, in dependency order whatever order they are listed in,
planned by host_link's planner (the same guards), check mode equal to the real run,
a second run changing nothing, and one bad entry refusing the whole call.
"""
import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play as playbook
from ansible_collections.netprov.dockernet.tests.support.inproc import play
from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink, routes as _routes
from ansible_collections.netprov.dockernet.tests.support.scratch_netns import ns  # noqa: F401 pylint: disable=unused-import

M = 'netprov.dockernet.host_links'
R = 'netprov.dockernet.host_routes'
ONE = 'netprov.dockernet.host_link'


def links(ns):
    return dict((l['name'], l) for l in _netlink.list_links(ns))


def lab():
    """Listed so that every entry comes before what it stands on."""
    return [
        {'name': 'hl-vx', 'kind': 'vxlan', 'vxlan_id': 4242, 'vxlan_local': '198.19.230.10', 'parent': 'hl-mv',
         'mtu': 1350},
        {'name': 'hl-mv', 'kind': 'macvlan', 'parent': 'hl-v0', 'macvlan_mode': 'bridge', 'mtu': 1400,
         'addresses': ['198.19.230.10/24'], 'state': 'up'},
        {'name': 'hl-v1', 'master': 'hl-br', 'state': 'up'},  # the far end of the pair hl-v0 makes
        {'name': 'hl-v0', 'kind': 'veth', 'peer': 'hl-v1', 'promisc': True, 'mtu': 1450, 'state': 'up'},
        {'name': 'hl-br', 'kind': 'bridge', 'state': 'up'},
    ]


def test_links_in_dependency_order_check_mode_is_the_real_run_and_a_second_run_changes_nothing(ns):
    check = playbook([{M: {'links': lab(), 'netns': ns}}], check=True, diff=True)[0]
    assert check['changed'] is True and not check.get('failed'), check.get('msg')
    order = check['order']
    for before, after in (('hl-br', 'hl-v1'), ('hl-v0', 'hl-v1'), ('hl-v0', 'hl-mv'), ('hl-mv', 'hl-vx')):
        assert order.index(before) < order.index(after), order
    assert sorted(links(ns)) == ['lo']  # check mode made nothing
    assert [r['name'] for r in check['links']] == [e['name'] for e in lab()]  # results in the order given
    assert check['diff']['before']['hl-br'] == {'name': 'hl-br', 'state': 'absent'}
    assert check['diff']['after']['hl-v1']['master'] == 'hl-br'

    real = playbook([{M: {'links': lab(), 'netns': ns}}], diff=True)[0]
    assert real['changed'] is True and not real.get('failed'), real.get('msg')
    assert real['plan'] == check['plan'] and real['order'] == order
    have = links(ns)
    v0, v1, mv, vx = have['hl-v0'], have['hl-v1'], have['hl-mv'], have['hl-vx']
    assert (v0['kind'], v0['peer'], v0['state'], v0['promisc'], v0['mtu']) == ('veth', 'hl-v1', 'up', True, 1450)
    assert (v1['master'], v1['state']) == ('hl-br', 'up')
    assert (mv['parent'], mv['mtu'], mv['state'], mv['addresses']) == ('hl-v0', 1400, 'up', ['198.19.230.10/24'])
    assert (vx['parent'], vx['vxlan_id'], vx['mtu']) == ('hl-mv', 4242, 1350)
    assert dict((r['name'], r['link']['addresses']) for r in real['links'])['hl-mv'] == ['198.19.230.10/24']

    again = playbook([{M: {'links': lab(), 'netns': ns}}])[0]
    assert (again['changed'], again['plan']) == (False, [])
    assert all(r['changed'] is False for r in again['links'])
    assert playbook([{M: {'links': lab(), 'netns': ns}}], check=True)[0]['changed'] is False


def test_what_host_link_refuses_one_by_one_in_this_order_host_links_orders_and_does(ns):
    """Removing a bridge and the macvlan on it, the bridge listed first: host_link refuses the bridge
    (the kernel would delete the macvlan with it); host_links removes the macvlan first, then the bridge."""
    made = play([{M: {'links': [{'name': 'hl-br', 'kind': 'bridge', 'state': 'up'},
                                {'name': 'hl-mv', 'kind': 'macvlan', 'parent': 'hl-br'}], 'netns': ns}}])[0]
    assert made['changed'] and not made.get('failed'), made.get('msg')
    gone = [{'name': 'hl-br', 'state': 'absent'}, {'name': 'hl-mv', 'state': 'absent'}]
    one = play([{ONE: dict(gone[0], netns=ns)}])[0]
    assert one['failed'] and 'removing it would make the kernel delete hl-mv' in one['msg'], one['msg']
    assert sorted(links(ns)) == ['hl-br', 'hl-mv', 'lo']
    planned = play([{M: {'links': gone, 'netns': ns}}], check=True)[0]
    assert planned['order'] == ['hl-mv', 'hl-br'] and [s['action'] for s in planned['plan']] == ['remove', 'remove']
    done = play([{M: {'links': gone, 'netns': ns}}])[0]
    assert done['plan'] == planned['plan'] and sorted(links(ns)) == ['lo']
    assert play([{M: {'links': gone, 'netns': ns}}])[0]['changed'] is False


def test_the_guards_of_host_link_hold_for_each_entry(ns):
    play([{M: {'links': [{'name': 'hl-v0', 'kind': 'veth', 'peer': 'hl-v1'}], 'netns': ns}}])
    refused = play([{M: {'links': [{'name': 'hl-br', 'kind': 'bridge'}, {'name': 'hl-v0', 'state': 'absent'}],
                         'netns': ns}}])[0]
    assert refused['failed']
    assert refused['msg'].startswith('links[1].state: hl-v0: removing it would make the kernel delete hl-v1'), \
        refused['msg']
    assert refused['msg'].endswith('(hl-v0; nothing was changed)'), refused['msg']
    assert refused['goes_with'][0]['name'] == 'hl-v1'
    assert sorted(links(ns)) == ['hl-v0', 'hl-v1', 'lo']  # not even the bridge
    forced = play([{M: {'links': [{'name': 'hl-v0', 'state': 'absent', 'force': True}], 'netns': ns}}])[0]
    assert forced['changed'] and forced['plan'][0]['goes_with'][0]['name'] == 'hl-v1'
    assert sorted(links(ns)) == ['lo']


@pytest.mark.parametrize('entries, path, words', [
    ([{'name': 'hl-br', 'kind': 'bridge'}, {'name': 'hl-mv', 'kind': 'macvlan', 'parent': 'hl-v0', 'mtu': 'big'}],
     'links[1].mtu', "argument 'mtu' is of type str and we were unable to convert to int"),
    ([{'name': 'hl-br', 'kind': 'bridge'}, {'name': 'hl-mv', 'kind': 'macvlan', 'parent': 'hl-none'}],
     'links[1].parent', 'no link hl-none in this namespace; create it first (hl-mv; nothing was changed)'),
    ([{'name': 'hl-br', 'kind': 'bridge'}, {'name': 'hl-x', 'kind': 'vlan', 'parent': 'hl-br'}],
     'links[1].vlan_id', 'kind vlan needs vlan_id between 1 and 4094 (hl-x; nothing was changed)'),
    ([{'name': 'hl-br', 'kind': 'bridge'}, {'name': 'hl-br', 'kind': 'bridge', 'state': 'up'}],
     'links[1].name', 'hl-br is already links[0]; give each link once'),
    ([{'name': 'hl-br', 'kind': 'bridge'}, {'name': 'hl-br2', 'kind': 'bridge', 'colour': 'red'}],
     'links[1].colour', 'colour. Supported parameters include'),
    ([{'name': 'hl-a', 'kind': 'macvlan', 'parent': 'hl-b'}, {'name': 'hl-b', 'kind': 'macvlan', 'parent': 'hl-a'}],
     'links[0]', 'these links stand on each other in a circle (parent, master or veth peer): links[0] (hl-a), '
                 'links[1] (hl-b)'),
])
def test_one_bad_entry_refuses_the_whole_call_naming_the_entry_and_field(ns, entries, path, words):
    for check in (True, False):
        res = play([{M: {'links': entries, 'netns': ns}}], check=check)[0]
        assert res['failed'] and res['msg'].startswith(path + ': '), res['msg']
        assert words in res['msg'], res['msg']
        assert sorted(links(ns)) == ['lo']


def test_a_failure_while_applying_names_what_was_done_and_what_was_not(ns):
    """The kernel refuses a macvlan MTU above its new bridge parent's (unknown before the bridge exists)."""
    entries = [{'name': 'hl-br', 'kind': 'bridge', 'state': 'up'},
               {'name': 'hl-mv', 'kind': 'macvlan', 'parent': 'hl-br', 'mtu': 9000},
               {'name': 'hl-b2', 'kind': 'bridge'}]
    res = play([{M: {'links': entries, 'netns': ns}}])[0]
    assert res['failed'], res
    assert res['msg'].startswith('links[1]: setting mtu to 9000 failed'), res['msg']
    assert res['msg'].endswith('(hl-mv; done: hl-br; not done: hl-b2)'), res['msg']
    assert (res['done'], res['not_done']) == (['hl-br'], ['hl-b2'])
    assert sorted(links(ns)) == ['hl-br', 'lo']  # the macvlan it made is gone again, the bridge stays
    entries[1]['mtu'] = 1400
    fixed = play([{M: {'links': entries, 'netns': ns}}])[0]
    assert fixed['changed'] and not fixed.get('failed'), fixed.get('msg')
    assert [r['changed'] for r in fixed['links']] == [False, True, True]
    assert links(ns)['hl-mv']['mtu'] == 1400


def test_routes_in_one_call(ns):
    play([{M: {'links': [{'name': 'hl-br', 'kind': 'bridge', 'state': 'up', 'addresses': ['198.19.231.1/24']}],
               'netns': ns}}])
    routes = [{'dest': '198.19.232.0/28', 'dev': 'hl-br', 'scope': 'link'},
              {'dest': '198.19.233.0/24', 'gateway': '198.19.231.254'},
              {'dest': '198.19.234.0/24', 'gateway': '198.19.231.253', 'metric': 50}]
    check = play([{R: {'routes': routes, 'netns': ns}}], check=True, diff=True)[0]
    assert check['changed'] and [s['action'] for s in check['plan']] == ['add', 'add', 'add'], check
    assert not [r for r in _routes.list_routes(ns) if r['dest'].startswith('198.19.23') and r['proto'] != 'kernel']
    real = play([{R: {'routes': routes, 'netns': ns}}], diff=True)[0]
    assert real['plan'] == check['plan'] and not real.get('failed'), real.get('msg')
    have = dict((r['dest'], r) for r in _routes.list_routes(ns))
    assert (have['198.19.232.0/28']['dev'], have['198.19.232.0/28']['scope']) == ('hl-br', 'link')
    assert have['198.19.233.0/24']['gateway'] == '198.19.231.254'
    assert (have['198.19.234.0/24']['gateway'], have['198.19.234.0/24']['metric']) == ('198.19.231.253', 50)
    assert [r['route']['dest'] for r in real['routes']] == [r['dest'] for r in routes]
    again = play([{R: {'routes': routes, 'netns': ns}}])[0]
    assert (again['changed'], again['plan']) == (False, [])

    routes[1]['gateway'] = '198.19.231.250'
    routes.append({'dest': '198.19.234.0/24', 'metric': 50, 'state': 'absent'})
    dup = play([{R: {'routes': routes, 'netns': ns}}])[0]
    assert dup['failed'] and dup['msg'].startswith('routes[3].dest: ipv4 198.19.234.0/24 (table 254, metric 50) '
                                                   'is already routes[2]'), dup['msg']
    routes[2:] = [{'dest': '198.19.234.0/24', 'metric': 50, 'state': 'absent'}]
    changed = play([{R: {'routes': routes, 'netns': ns}}])[0]
    assert [s['action'] for s in changed['plan']] == ['replace', 'remove'], changed
    have = dict((r['dest'], r) for r in _routes.list_routes(ns))
    assert have['198.19.233.0/24']['gateway'] == '198.19.231.250' and '198.19.234.0/24' not in have


@pytest.mark.parametrize('bad, path, words', [
    ({'dest': '198.19.235.0/24', 'gateway': 'fd00::1'}, 'routes[1].gateway', 'is not an ipv4 address'),
    ({'dest': '198.19.235.0/24', 'dev': 'hl-none'}, 'routes[1].dev', 'no link hl-none in this namespace'),
    ({'dest': '198.19.235.0/24', 'metric': -1, 'dev': 'lo'}, 'routes[1].metric', '-1 is outside 0..4294967295'),
    ({'gateway': '198.19.231.1'}, 'routes[1].dest', 'missing required arguments: dest'),
])
def test_one_bad_route_refuses_the_whole_call(ns, bad, path, words):
    good = {'dest': '198.19.236.0/24', 'dev': 'lo', 'scope': 'link'}
    res = play([{R: {'routes': [good, bad], 'netns': ns}}])[0]
    assert res['failed'] and res['msg'].startswith(path + ': ') and words in res['msg'], res['msg']
    assert '198.19.236.0/24' not in [r['dest'] for r in _routes.list_routes(ns)]


def test_routes_through_links_the_same_run_makes_plan_in_check_mode(ns):
    """expect_links: the interfaces role's check mode plans a shim's routes before the shim exists."""
    shim = [{'name': 'hl-br', 'kind': 'bridge', 'state': 'up'},
            {'name': 'hl-shim', 'kind': 'macvlan', 'parent': 'hl-br', 'addresses': ['198.19.237.2/32'],
             'state': 'up'}]
    route = [{'dest': '198.19.237.64/28', 'dev': 'hl-shim', 'scope': 'link'}]
    res = playbook([{M: {'links': shim, 'netns': ns}},
                    {R: {'routes': route, 'netns': ns}},
                    {R: {'routes': route, 'netns': ns,
                         'expect_links': "{{ __r0.links | selectattr('link') | map(attribute='name') | list }}"}}],
                   check=True)
    assert res[1]['failed'] and res[1]['msg'].startswith('routes[0].dev: no link hl-shim'), res[1]
    assert res[2]['changed'] and res[2]['plan'][0]['action'] == 'add', res[2]
    real = playbook([{M: {'links': shim, 'netns': ns}},
                     {R: {'routes': route, 'netns': ns,
                          'expect_links': "{{ __r0.links | selectattr('link') | map(attribute='name') | list }}"}}])
    assert real[1]['plan'] == res[2]['plan'] and not real[1].get('failed'), real[1]
    assert [r for r in _routes.list_routes(ns) if r['dest'] == '198.19.237.64/28'][0]['dev'] == 'hl-shim'


def test_an_entry_that_is_not_a_dict_is_refused_before_anything_is_made(ns):
    """ansible-core's own check of the list's elements: it names the option, not the entry."""
    res = play([{M: {'links': [{'name': 'hl-br', 'kind': 'bridge'}, 'hl-x'], 'netns': ns}}])[0]
    assert res['failed'] and res['msg'].startswith("Elements value for option 'links' is of type str"), res['msg']
    assert sorted(links(ns)) == ['lo']
