"""docker_network against the real engine: what a user would check after each run."""
import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play, run_module as play_module
# In-process calls (the module's real main()): these tests are about what the module plans, changes and
# refuses; the first test and the info test run it through ansible-playbook.
from ansible_collections.netprov.dockernet.tests.support.inproc import run_module

pytestmark = pytest.mark.engine_tier  # every test, once per engine of NETPROV_ENGINES

M = 'netprov.dockernet.docker_network'


def inspect(client, name):
    nets = [n for n in client.networks.list(names=[name]) if n.name == name]
    assert len(nets) <= 1, 'duplicate networks named %s' % name
    return client.api.inspect_network(nets[0].id) if nets else None


def four_way(args, expect_action, call=run_module):
    """community.docker's sequence: check, real, idempotent, idempotent check. Returns the real result."""
    check = call(M, args, check=True, diff=True)
    assert check.get('failed') is not True, check.get('msg')
    assert check['changed'] is True
    real = call(M, args, diff=True)
    assert real.get('failed') is not True, real.get('msg')
    assert real['changed'] is True
    assert [s['action'] for s in real['plan']] == [s['action'] for s in check['plan']]
    assert real['plan'] == check['plan'], 'the check-mode plan is not what the real run did'
    assert real['plan'][0]['action'] == expect_action
    again = call(M, args, diff=True)
    assert again['changed'] is False, again['plan']
    assert again['plan'] == [{'action': 'none', 'network': args['name'], 'reason': 'matches the spec'}]
    again_check = call(M, args, check=True)
    assert again_check['changed'] is False
    return real


def test_bridge_with_ipam_labels_four_way(client, scratch):
    name = scratch.name('br')
    args = {'name': name, 'labels': {'team': 'payments'}, 'mtu': 1400,
            'ipam_config': [{'subnet': '198.18.1.77/24', 'gateway': '198.18.1.1', 'iprange': '198.18.1.128/25',
                             'aux_addresses': {'router': '198.18.1.2'}}]}
    check = play_module(M, args, check=True)
    assert inspect(client, name) is None, 'check mode created the network'
    real = four_way(args, 'create', call=play_module)
    assert real['plan'] == check['plan']
    net = inspect(client, name)
    assert net['IPAM']['Config'] == [{'Subnet': '198.18.1.0/24', 'IPRange': '198.18.1.128/25',
                                      'Gateway': '198.18.1.1', 'AuxiliaryAddresses': {'router': '198.18.1.2'}}]
    assert net['Labels'] == {'team': 'payments', 'netprov.dockernet.managed': 'true'}
    assert net['Options']['com.docker.network.driver.mtu'] == '1400'
    assert real['diff']['before'] == {}
    assert real['network']['ipam_config'][0]['subnet'] == '198.18.1.0/24'


def test_spellings_never_show_a_false_change(client, scratch):
    name = scratch.name('v6')
    created = run_module(M, {'name': name, 'enable_ipv6': True, 'driver_options': {'mtu': '1450'},
                             'ipam_config': [{'subnet': '198.18.2.0/24'},
                                             {'subnet': '2001:DB8:0:0:1::/80', 'gateway': '2001:db8::1:0:0:1'}]})
    assert created['changed'] is True, created.get('msg')
    respelled = {'name': name, 'enable_ipv6': True, 'mtu': 1450,
                 'ipam_config': [{'subnet': '2001:db8::1:0:0:0/80', 'gateway': '2001:0db8:0:0:1::1'},
                                 {'subnet': '198.18.2.9/24'}]}
    again = run_module(M, respelled, check=True)
    assert again['changed'] is False, again['plan']
    # Options the user leaves out are not compared.
    assert run_module(M, {'name': name})['changed'] is False


def test_macvlan_on_a_veth_parent_and_config_from(client, scratch):
    parent = scratch.veth('m')
    name = scratch.name('mv')
    four_way({'name': name, 'driver': 'macvlan', 'parent': parent, 'macvlan_mode': 'bridge',
              'ipam_config': [{'subnet': '198.18.3.0/24'}]}, 'create')
    assert inspect(client, name)['Options'] == {'parent': parent, 'macvlan_mode': 'bridge'}
    c = scratch.container('mc')
    r = run_module(M, {'name': name, 'driver': 'macvlan', 'parent': parent,
                       'containers': [{'name': c.name, 'ipv4_address': '198.18.3.20'}]})
    assert [s['action'] for s in r['plan']] == ['connect'], r.get('msg')
    c.reload()
    assert c.attrs['NetworkSettings']['Networks'][name]['IPAddress'] == '198.18.3.20'
    scratch.client.containers.get(c.id).remove(force=True)

    tmpl, made = scratch.name('tmpl'), scratch.name('fromtmpl')
    parent2 = scratch.veth('n')
    four_way({'name': tmpl, 'driver': 'macvlan', 'config_only': True, 'parent': parent2,
              'ipam_config': [{'subnet': '198.18.4.0/24'}]}, 'create')
    four_way({'name': made, 'driver': 'macvlan', 'config_from': tmpl}, 'create')
    assert inspect(client, made)['ConfigFrom'] == {'Network': tmpl}


def test_ipvlan_refused_by_default_then_created_with_warn(client, scratch):
    parent = scratch.veth('i')
    name = scratch.name('ipv')
    args = {'name': name, 'driver': 'ipvlan', 'parent': parent, 'ipvlan_mode': 'l2',
            'ipam_config': [{'subnet': '198.18.5.0/24'}]}
    refused = run_module(M, args)
    assert refused.get('failed') is True
    assert 'ipvlan' in refused['msg'] and 'kernel' in refused['msg'], refused['msg']
    assert inspect(client, name) is None, 'a refused network was created'
    warned = run_module(M, dict(args, kernel_check='warn'))
    assert warned['changed'] is True, warned.get('msg')
    assert any('ipvlan' in w for w in warned.get('warnings', [])), warned.get('warnings')
    assert inspect(client, name)['Driver'] == 'ipvlan'


def test_dotted_parent_needs_8021q_and_its_base(client, scratch):
    parent = scratch.veth('q')
    refused = run_module(M, {'name': scratch.name('vl'), 'driver': 'macvlan', 'parent': parent + '.30'})
    assert refused.get('failed') and 'vlan' in refused['msg'].lower(), refused['msg']
    missing = run_module(M, {'name': scratch.name('vl'), 'driver': 'macvlan', 'parent': 'npnosuch0.30'})
    assert missing.get('failed') and 'npnosuch0' in missing['msg'] and 'parent' in missing['msg'], missing['msg']
    assert scratch.networks() == []


def test_reconnect_keeps_address_and_alias_and_peer_still_pings(client, scratch):
    name = scratch.name('rc')
    web, peer = scratch.container('web'), scratch.container('peer')
    base = {'name': name, 'ipam_config': [{'subnet': '198.18.6.0/24'}],
            'containers': [{'name': web.name, 'ipv4_address': '198.18.6.10', 'aliases': ['www']},
                           {'name': peer.name}]}
    r = run_module(M, base)
    assert [s['action'] for s in r['plan']] == ['create', 'connect', 'connect'], r.get('msg')
    before = inspect(client, name)

    changed = dict(base, labels={'tier': 'two'}, containers=[])
    refused = run_module(M, changed)
    assert refused.get('failed') is True
    assert web.name in refused['msg'] and peer.name in refused['msg'] and 'recreate' in refused['msg']
    assert inspect(client, name)['Id'] == before['Id'], 'a refused recreate touched the network'

    check = run_module(M, dict(changed, recreate='reconnect'), check=True)
    assert inspect(client, name)['Id'] == before['Id']
    real = run_module(M, dict(changed, recreate='reconnect'))
    assert real['plan'] == check['plan']
    assert sorted(real['reconnected']) == sorted([web.name, peer.name])
    after = inspect(client, name)
    assert after['Id'] != before['Id'] and after['Labels']['tier'] == 'two'
    web.reload()
    ep = web.attrs['NetworkSettings']['Networks'][name]
    assert ep['IPAddress'] == '198.18.6.10' and ep['IPAMConfig']['IPv4Address'] == '198.18.6.10'
    assert 'www' in ep['Aliases']
    ping = peer.exec_run(['ping', '-c', '1', '-W', '2', 'www'])
    assert ping.exit_code == 0, ping.output
    assert run_module(M, dict(changed, recreate='reconnect'))['changed'] is False


def test_containers_exclusive_and_guarded_removal(client, scratch):
    name = scratch.name('ex')
    a, b = scratch.container('a'), scratch.container('b')
    run_module(M, {'name': name, 'containers': [{'name': a.name}, {'name': b.name}]})
    kept = run_module(M, {'name': name, 'containers': [{'name': a.name}]})
    assert kept['changed'] is False, 'containers is not exclusive by default'
    ex = run_module(M, {'name': name, 'containers': [{'name': a.name}], 'containers_exclusive': True})
    assert [(s['action'], s.get('container')) for s in ex['plan']] == [('disconnect', b.name)]
    refused = run_module(M, {'name': name, 'state': 'absent'})
    assert refused.get('failed') and a.name in refused['msg'], refused.get('msg')
    assert inspect(client, name) is not None
    gone = run_module(M, {'name': name, 'state': 'absent', 'force': True})
    assert [s['action'] for s in gone['plan']] == ['disconnect', 'remove']
    assert inspect(client, name) is None
    assert run_module(M, {'name': name, 'state': 'absent'})['changed'] is False


@pytest.mark.parametrize('args, field', [
    ({'ipam_config': [{'subnet': '198.18.7.0/24', 'gateway': '198.18.8.1'}]}, 'ipam_config[0].gateway'),
    ({'ipam_config': [{'subnet': '198.18.7.0/24', 'iprange': '198.18.9.0/25'}]}, 'ipam_config[0].iprange'),
    ({'ipam_config': [{'subnet': '198.18.7.0/24', 'aux_addresses': {'r': '198.18.6.1'}}]},
     'ipam_config[0].aux_addresses.r'),
    ({'ipam_config': [{'subnet': '198.18.7.0/24'}, {'subnet': '198.18.7.128/25'}]}, 'ipam_config[1].subnet'),
    ({'ipam_config': [{'subnet': 'not-a-cidr'}]}, 'ipam_config[0].subnet'),
    ({'encrypted': True}, 'encrypted'),
    ({'macvlan_mode': 'private'}, 'macvlan_mode'),
    ({'driver': 'macvlan', 'ipvlan_mode': 'l3'}, 'ipvlan_mode'),
    ({'driver': 'ipvlan', 'ipvlan_flag': 'private', 'macvlan_mode': 'vepa'}, 'macvlan_mode'),
    ({'driver': 'macvlan', 'parent': 'npnosuch1'}, 'parent'),
    ({'driver': 'host'}, 'driver'),
    ({'config_from': 'bridge'}, 'config_from'),
    ({'containers': [{'name': 'np-no-such-container'}]}, 'containers[0].name'),
    ({'mtu': 10}, 'mtu'),
])
def test_bad_input_refused_naming_the_field(client, scratch, args, field):
    res = run_module(M, dict(args, name=scratch.name('bad')))
    assert res.get('failed') is True
    assert res['msg'].startswith(field + ':'), res['msg']
    assert 'Traceback' not in res.get('module_stderr', '') + res.get('exception', '')
    assert scratch.networks() == [], 'a refused call left a network behind'


def test_overlap_with_another_network_and_predefined_names(client, scratch):
    first = run_module(M, {'name': scratch.name('one'), 'ipam_config': [{'subnet': '198.18.10.0/24'}]})
    assert first['changed'] is True
    clash = run_module(M, {'name': scratch.name('two'), 'ipam_config': [{'subnet': '198.18.10.128/25'}]})
    assert clash.get('failed') and scratch.name('one') in clash['msg'], clash.get('msg')
    assert clash['msg'].startswith('ipam_config[0].subnet:')
    for predefined in ('bridge', 'host', 'none'):
        res = run_module(M, {'name': predefined, 'state': 'absent'})
        assert res.get('failed') and 'predefine' in res['msg']
    assert [n.name for n in scratch.networks()] == [scratch.name('one')]


def test_info_reports_endpoints(client, scratch):
    name = scratch.name('inf')
    c = scratch.container('c')
    run_module(M, {'name': name, 'ipam_config': [{'subnet': '198.18.11.0/24'}],
                   'containers': [{'name': c.name, 'aliases': ['db'], 'ipv4_address': '198.18.11.5'}]})
    r = play([{'netprov.dockernet.docker_network_info': {'name': name}},
              {'netprov.dockernet.docker_network_info': {'name': scratch.name('nope')}},
              {'netprov.dockernet.docker_network_info': {}}])
    one, none, every = r[0], r[1], r[2]
    assert one['exists'] is True and one['network']['managed'] is True
    ep = one['network']['endpoints'][c.name]
    assert ep['ipv4'] == '198.18.11.5' and ep['ipv4_address'] == '198.18.11.5' and ep['aliases'] == ['db']
    assert none['exists'] is False and none['network'] == {}
    assert name in [n['name'] for n in every['networks']]


# -- stopped and created containers, ids, what the engine adds (subnets from 198.19.72.0/21) --------------

def _stored(client, cname, network):
    return client.api.inspect_container(cname)['NetworkSettings']['Networks'].get(network)


def _attach(client, cname, net_id, aliases, ipv4):
    client.api._raise_for_status(client.api._post_json(
        client.api._url('/networks/{0}/connect', net_id),
        data={'Container': cname, 'EndpointConfig': {'Aliases': aliases, 'IPAMConfig': {'IPv4Address': ipv4}}}))


def test_stopped_and_created_containers_count_and_start_after_a_recreate(client, scratch):
    name = scratch.name('stp')
    web, db = scratch.container('web'), scratch.container('db')
    base = {'name': name, 'ipam_config': [{'subnet': '198.19.73.0/24'}],
            'containers': [{'name': web.name, 'ipv4_address': '198.19.73.10', 'aliases': ['www']},
                           {'name': db.name, 'ipv4_address': '198.19.73.11', 'aliases': ['dbase']}]}
    made = run_module(M, base)
    assert made['changed'] is True, made.get('msg')
    db.stop(timeout=0)
    # A container created and never started, attached while not running.
    job = client.containers.create('netprov-test/busybox:latest', ['sleep', '3600'], name=scratch.name('job'))
    _attach(client, job.name, inspect(client, name)['Id'], ['batch'], '198.19.73.12')
    net_id = inspect(client, name)['Id']
    assert list(inspect(client, name)['Containers']) == [web.id], 'network inspect lists only running endpoints'

    # Listed containers already attached, stopped or not: nothing to do.
    again = run_module(M, base)
    assert again['changed'] is False, again['plan']

    changed = dict(base, labels={'tier': 'two'}, containers=[])
    refused = run_module(M, changed)
    assert refused.get('failed') is True
    assert '%s (exited)' % db.name in refused['msg'] and job.name in refused['msg'], refused['msg']
    absent = run_module(M, {'name': name, 'state': 'absent'})
    assert absent.get('failed') is True and db.name in absent['msg'] and job.name in absent['msg'], absent['msg']
    assert inspect(client, name)['Id'] == net_id, 'a refusal touched the network'

    check = run_module(M, dict(changed, recreate='reconnect'), check=True)
    real = run_module(M, dict(changed, recreate='reconnect'))
    assert real.get('failed') is not True, real.get('msg')
    assert real['plan'] == check['plan']
    assert sorted(i['container'] for i in real['plan'][0]['reconnect']) == sorted([web.name, db.name, job.name])
    assert inspect(client, name)['Id'] != net_id
    # They start afterwards, with the addresses and aliases they had.
    db.start()
    job.start()
    for c, addr, alias in ((db, '198.19.73.11', 'dbase'), (job, '198.19.73.12', 'batch')):
        ep = _stored(client, c.name, name)
        assert ep['IPAddress'] == addr and ep['IPAMConfig']['IPv4Address'] == addr, ep
        assert alias in ep['Aliases'], ep
    ping = web.exec_run(['ping', '-c', '1', '-W', '2', 'batch'])
    assert ping.exit_code == 0, ping.output
    assert run_module(M, dict(changed, recreate='reconnect'))['changed'] is False


def test_absent_with_force_detaches_stopped_containers_so_they_start_elsewhere(client, scratch):
    name = scratch.name('stpf')
    db = scratch.container('db')
    run_module(M, {'name': name, 'ipam_config': [{'subnet': '198.19.74.0/24'}],
                   'containers': [{'name': db.name, 'aliases': ['dbase']}]})
    db.stop(timeout=0)
    gone = run_module(M, {'name': name, 'state': 'absent', 'force': True})
    assert [(s['action'], s.get('container')) for s in gone['plan']] == [('disconnect', db.name), ('remove', None)]
    assert inspect(client, name) is None
    assert _stored(client, db.name, name) is None, 'the stopped container still references the removed network'
    db.start()


@pytest.mark.parametrize('how', ['full id', 'short id'])
def test_containers_given_by_id_converge(client, scratch, how):
    name = scratch.name('cid')
    a, b = scratch.container('a'), scratch.container('b')
    ident = dict((c.name, c.id if how == 'full id' else c.id[:12]) for c in (a, b))
    args = {'name': name, 'ipam_config': [{'subnet': '198.19.75.0/24'}], 'containers_exclusive': True,
            'containers': [{'name': ident[a.name], 'aliases': ['alpha']}, {'name': ident[b.name]}]}
    real = four_way(args, 'create')
    assert sorted(s.get('container') for s in real['plan'][1:]) == sorted([a.name, b.name])
    assert sorted(inspect(client, name)['Containers']) == sorted([a.id, b.id])


def test_ipv6_only_subnets_converge(client, scratch):
    """The engine adds an IPv4 pool beside IPv6-only subnets; it is not drift."""
    name = scratch.name('v6o')
    four_way({'name': name, 'enable_ipv6': True, 'ipam_config': [{'subnet': '2001:db8:1973:1::/64'}]}, 'create')
    subnets = [e['Subnet'] for e in inspect(client, name)['IPAM']['Config']]
    assert '2001:db8:1973:1::/64' in subnets and len(subnets) == 2, subnets
    # The IPv6 subnet alone implies enable_ipv6.
    assert run_module(M, {'name': name, 'ipam_config': [{'subnet': '2001:db8:1973:1::/64'}]})['changed'] is False


@pytest.mark.parametrize('entries', [[{}], [{'subnet': ''}]])
def test_empty_ipam_entries_converge(client, scratch, entries):
    four_way({'name': scratch.name('emp'), 'ipam_config': entries}, 'create')


def test_enable_ipv4_on_an_engine_without_it(client, scratch):
    name = scratch.name('v4')
    api = client.version()['ApiVersion']
    if tuple(int(x) for x in api.split('.')) >= (1, 48):
        pytest.skip('the engine has EnableIPv4 (API %s): covered where it does not' % api)
    refused = run_module(M, {'name': name, 'enable_ipv4': False, 'enable_ipv6': True,
                             'ipam_config': [{'subnet': '2001:db8:1973:2::/64'}]})
    assert refused.get('failed') and refused['msg'].startswith('enable_ipv4:') and 'Engine 28' in refused['msg']
    assert inspect(client, name) is None
    four_way({'name': name, 'enable_ipv4': True, 'ipam_config': [{'subnet': '198.19.76.0/24'}]}, 'create')


@pytest.mark.parametrize('args, field', [
    ({'driver_options': {'mtu': ' 1500'}}, 'driver_options.mtu'),
    ({'driver_options': {'com.docker.network.driver.mtu': '1_500'}}, 'driver_options.com.docker.network.driver.mtu'),
    ({'ipam_config': [{'subnet': '198.19.77.0/24', 'gateway': '198.19.77.0/24'}]}, 'ipam_config[0].gateway'),
    ({'labels': {'netprov.dockernet.managed': 'false'}}, 'labels.netprov.dockernet.managed'),
])
def test_minor_bad_inputs_refused_naming_the_field(client, scratch, args, field):
    res = run_module(M, dict(args, name=scratch.name('bad2')))
    assert res.get('failed') is True
    assert res['msg'].startswith(field + ':'), res['msg']
    assert scratch.networks() == []
