"""host_route and host_network_info in a scratch network namespace: the refusals through real ansible-playbook
runs, the other tests' calls in-process (the module's real main())."""

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play as playbook
from ansible_collections.netprov.dockernet.tests.support.inproc import play
from ansible_collections.netprov.dockernet.plugins.module_utils._host import routes as _routes
from ansible_collections.netprov.dockernet.tests.support.kernel_expect import expected_capabilities
from ansible_collections.netprov.dockernet.tests.support.scratch_netns import ns, scratch_names  # noqa: F401 pylint: disable=unused-import

L = 'netprov.dockernet.host_link'
R = 'netprov.dockernet.host_route'
I = 'netprov.dockernet.host_network_info'


def base(ns):
    return [
        {L: {'name': 'nl-v0', 'kind': 'veth', 'peer': 'nl-v1', 'state': 'up', 'promisc': True, 'netns': ns}},
        {L: {'name': 'nl-v1', 'state': 'up', 'netns': ns}},
        {L: {'name': 'nl-mv', 'kind': 'macvlan', 'parent': 'nl-v0', 'state': 'up',
             'addresses': ['198.18.192.10/24'], 'netns': ns}},
    ]


def route(ns, **kw):
    args = {'dest': '198.18.193.0/24', 'gateway': '198.18.192.1', 'dev': 'nl-mv', 'netns': ns}
    args.update(kw)
    return {R: args}


def find(ns, dest, metric=0):
    want = {'family': 'ipv6' if ':' in dest else 'ipv4', 'dest': dest, 'table': 254, 'metric': metric}
    return _routes.find(_routes.list_routes(ns), want)


def test_route_through_macvlan(ns):
    setup = play(base(ns))
    assert all(r['changed'] for r in setup.results), setup.results
    checked = play([route(ns)], check=True, diff=True)[0]
    assert checked['changed'] and [s['action'] for s in checked['plan']] == ['add']
    assert checked['diff']['before'] == {} and checked['diff']['after']['gateway'] == '198.18.192.1'
    assert find(ns, '198.18.193.0/24') is None

    res = play([route(ns), route(ns), route(ns, gateway='198.18.192.2'), route(ns, gateway='198.18.192.2'),
                route(ns, dest='198.18.195.0/24', metric=50, gateway=None),
                route(ns, dest='198.18.195.0/24', metric=50, gateway=None)])
    assert [r['changed'] for r in res.results] == [True, False, True, False, True, False], res.results
    assert res[0]['plan'] == checked['plan']
    assert res[2]['plan'][0]['action'] == 'replace' and res[2]['plan'][0]['reason'] == \
        'gateway 198.18.192.1 -> 198.18.192.2'
    r = find(ns, '198.18.193.0/24')
    assert (r['gateway'], r['dev'], r['table'], r['metric']) == ('198.18.192.2', 'nl-mv', 254, 0)
    assert find(ns, '198.18.195.0/24', 50)['scope'] == 'link'
    assert play([route(ns)], check=True)[0]['changed'] is True  # gateway differs again

    gone = play([route(ns, state='absent', gateway=None, dev=None)] * 2)
    assert [r['changed'] for r in gone.results] == [True, False]
    assert find(ns, '198.18.193.0/24') is None


def test_route_refusals(ns):
    playbook(base(ns))
    res = playbook([
        route(ns, dest='default'),
        route(ns, dest='default', gateway='198.18.192.2'),
        route(ns, dest='default', gateway=None, state='absent'),
        route(ns, dest='default', gateway='198.18.192.3', metric=100),
        route(ns, dest='default', gateway='198.18.192.2', allow_management=True),
        route(ns, dev='nl-nothere'),
        route(ns, dest='198.18.193.1/24'),
        route(ns, gateway='fd00::1'),
    ])
    assert res[0]['changed'] and not res[0].get('failed')
    assert res[1]['failed'] and res[1]['msg'] == (
        'dest: refusing to replace the ipv4 default route via 198.18.192.1 dev nl-mv (table 254, metric 0): it '
        'may carry the management connection; set allow_management: true if another path reaches this host')
    assert res[2]['failed'] and 'refusing to remove the ipv4 default route' in res[2]['msg']
    assert res[3]['changed'] and not res[3].get('failed'), res[3]  # higher metric: a fallback, allowed
    assert res[4]['changed'] and not res[4].get('failed')
    assert res[5]['failed'] and res[5]['msg'] == 'dev: no link nl-nothere in this namespace'
    assert res[6]['failed'] and res[6]['msg'].startswith('dest: 198.18.193.1/24 has host bits set')
    assert res[7]['failed'] and res[7]['msg'].startswith('gateway: fd00::1 is not an ipv4 address')
    assert find(ns, 'default')['gateway'] == '198.18.192.2'


def test_network_info_matches_kernel(ns):
    play(base(ns) + [route(ns), route(ns, dest='default')])
    before = scratch_names()
    info = play([{I: {'netns': ns}}], check=True)[0]
    assert info['changed'] is False and info['plan'] == []
    assert info['capabilities'] == expected_capabilities()
    for feature, ok in info['capabilities'].items():
        assert info['capability_details'][feature]
        assert (feature in info['missing_capabilities']) is (not ok)
    if not info['capabilities']['esp']:
        assert info['missing_capabilities']['esp'].startswith(
            'ESP/IPsec (xfrm): not supported by this kernel (%s): an encrypted overlay would drop all traffic'
            % info['kernel_release'])
    links = dict((l['name'], l) for l in info['links'])
    assert sorted(links) == ['lo', 'nl-mv', 'nl-v0', 'nl-v1']
    mv = links['nl-mv']
    assert (mv['kind'], mv['parent'], mv['macvlan_mode'], mv['state'], mv['addresses']) == \
        ('macvlan', 'nl-v0', 'bridge', 'up', ['198.18.192.10/24'])
    assert links['nl-v0']['promisc'] is True
    assert info['default_route_links'] == ['nl-mv']
    dests = set((r['dest'], r['dev']) for r in info['routes'])
    assert {('198.18.193.0/24', 'nl-mv'), ('default', 'nl-mv'), ('198.18.192.0/24', 'nl-mv')} <= dests
    assert scratch_names() == before

    subset = play([{I: {'netns': ns, 'features': ['veth', 'esp']}}, {I: {'netns': ns, 'capabilities': False}}])
    assert sorted(subset[0]['capabilities']) == ['esp', 'veth']
    assert 'capabilities' not in subset[1]


def test_ipv6_route_with_metric_0_converges(ns):
    """The kernel stores an IPv6 route's metric 0 as 1024: the second run finds it and changes nothing."""
    setup = play([{L: {'name': 'nl-v0', 'kind': 'veth', 'peer': 'nl-v1', 'state': 'up',
                       'addresses': ['fd00:198:19:80::1/64'], 'netns': ns}}])
    assert setup[0]['changed'] and not setup[0].get('failed'), setup[0]
    six = {'dest': 'fd00:198:19:81::/64', 'gateway': 'fd00:198:19:80::2', 'dev': 'nl-v0', 'metric': 0, 'netns': ns}
    res = play([{R: six}, {R: six}, {R: dict(six, metric=1024)}, {R: dict(six, gateway='fd00:198:19:80::3')}])
    assert [(r['changed'], r.get('failed', False)) for r in res.results] == [
        (True, False), (False, False), (False, False), (True, False)], res.results
    assert res[1]['plan'] == [] and res[1]['route']['metric'] == 1024
    assert play([{R: six}], check=True)[0]['changed'] is True  # the gateway differs again
    assert find(ns, 'fd00:198:19:81::/64', 1024)['gateway'] == 'fd00:198:19:80::3'
    routes = [r for r in _routes.list_routes(ns) if r['dest'] == 'fd00:198:19:81::/64']
    assert len(routes) == 1, routes  # replaced in place, never a second route beside it
    gone = play([{R: dict(six, state='absent', gateway=None)}] * 2)
    assert [r['changed'] for r in gone.results] == [True, False]
    assert find(ns, 'fd00:198:19:81::/64', 1024) is None
