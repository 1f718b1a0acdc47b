"""docker_networks against the real engine: many networks in one call, ownership-safe purge."""
import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play
# In-process calls (the module's real main()) where a test is about the module's work; the networks role's
# test runs ansible-playbook.
from ansible_collections.netprov.dockernet.tests.support.inproc import run_module

pytestmark = pytest.mark.engine_tier  # every test, once per engine of NETPROV_ENGINES

M = 'netprov.dockernet.docker_networks'


def fleet_spec(scratch, count, third_octet=32, label='v1'):
    """count bridge networks with IPAM and labels, one /26 each inside 198.18.32.0/19."""
    nets = []
    for i in range(count):
        base = third_octet + i // 4
        nets.append({'name': scratch.name('n%02d' % i),
                     'ipam_config': [{'subnet': '198.18.%d.%d/26' % (base, (i % 4) * 64)}],
                     'labels': {'idx': str(i), 'rev': label}})
    return nets


def names(client, prefix):
    return sorted(n.name for n in client.networks.list() if n.name.startswith(prefix))


def test_twenty_networks_one_call_then_no_change_then_one_label(client, scratch):
    nets = fleet_spec(scratch, 20)
    args = {'networks': nets, 'defaults': {'labels': {'stack': scratch.prefix}}}
    check = run_module(M, args, check=True)
    assert check['changed'] is True and names(client, scratch.prefix) == [], check.get('msg')
    real = run_module(M, args)
    assert real['plan'] == check['plan'], 'check mode plan differs from the real run'
    assert sorted(real['created']) == sorted(n['name'] for n in nets)
    assert len(names(client, scratch.prefix)) == 20
    net = client.api.inspect_network(nets[7]['name'])
    assert net['Labels'] == {'idx': '7', 'rev': 'v1', 'stack': scratch.prefix, 'netprov.dockernet.managed': 'true'}

    again = run_module(M, args)
    assert again['changed'] is False and len(again['unchanged']) == 20

    nets[3]['labels']['rev'] = 'v2'
    one = run_module(M, args, diff=True)
    assert one['recreated'] == [nets[3]['name']] and len(one['unchanged']) == 19
    assert one['diff']['after'][nets[3]['name']]['labels']['rev'] == 'v2'
    assert client.api.inspect_network(nets[3]['name'])['Labels']['rev'] == 'v2'


def test_purge_is_ownership_safe(client, scratch):
    stack = {'stack': scratch.prefix}
    keep, drop, busy = scratch.name('keep'), scratch.name('drop'), scratch.name('busy')
    run_module(M, {'defaults': {'labels': stack}, 'networks': [
        {'name': keep, 'ipam_config': [{'subnet': '198.18.60.0/26'}]},
        {'name': drop, 'ipam_config': [{'subnet': '198.18.60.64/26'}]},
        {'name': busy, 'ipam_config': [{'subnet': '198.18.60.128/26'}]}]})
    hand = client.networks.create(scratch.name('hand'), labels=stack)  # same labels, not managed
    plain = client.networks.create(scratch.name('plain'))
    c = scratch.container('c', network=busy)

    args = {'purge': True, 'purge_labels': stack, 'defaults': {'labels': stack},
            'networks': [{'name': keep, 'ipam_config': [{'subnet': '198.18.60.0/26'}]}]}
    refused = run_module(M, args)
    assert refused.get('failed') is True and busy in refused['msg'] and c.name in refused['msg'], refused.get('msg')
    assert names(client, scratch.prefix) == sorted([keep, drop, busy, hand.name, plain.name]), 'a refusal removed something'

    c.remove(force=True)
    check = run_module(M, args, check=True)
    real = run_module(M, args)
    assert real['plan'] == check['plan']
    assert sorted(real['removed']) == sorted([drop, busy])
    assert names(client, scratch.prefix) == sorted([keep, hand.name, plain.name])
    assert run_module(M, args)['changed'] is False


def test_one_bad_entry_touches_nothing_and_names_every_problem(client, scratch):
    args = {'networks': [
        {'name': scratch.name('ok'), 'ipam_config': [{'subnet': '198.18.61.0/26'}]},
        {'name': scratch.name('gw'), 'ipam_config': [{'subnet': '198.18.61.64/26', 'gateway': '198.18.62.1'}]},
        {'name': scratch.name('dup'), 'ipam_config': [{'subnet': '198.18.61.0/27'}]},
        {'name': scratch.name('enc'), 'encrypted': True}]}
    res = run_module(M, args)
    assert res.get('failed') is True
    assert 'networks[1].ipam_config[0].gateway:' in res['msg']
    assert 'networks[2].ipam_config[0].subnet:' in res['msg'] and scratch.name('ok') in res['msg']
    assert 'networks[3].encrypted:' in res['msg']
    assert names(client, scratch.prefix) == []


def test_engine_refusal_on_one_network_leaves_the_others_applied(client, scratch):
    good1, bad, good2 = scratch.name('g1'), scratch.name('bad'), scratch.name('g2')
    args = {'networks': [{'name': good1}, {'name': bad, 'driver': 'npnosuchdriver'}, {'name': good2}]}
    res = run_module(M, args)
    assert res.get('failed') is True and bad in res['msg']
    assert [f['network'] for f in res['failed_networks']] == [bad]
    assert names(client, scratch.prefix) == sorted([good1, good2])
    args['networks'].pop(1)
    assert run_module(M, args)['changed'] is False


# -- valid sets the module must accept; subnets from 198.19.88.0/21 ----------------------------------

def test_defaults_state_absent_removes_the_entries_that_do_not_say_otherwise(client, scratch):
    gone, kept = scratch.name('gone'), scratch.name('kept')
    made = run_module(M, {'networks': [{'name': gone, 'ipam_config': [{'subnet': '198.19.88.0/27'}]},
                                       {'name': kept, 'ipam_config': [{'subnet': '198.19.88.32/27'}]}]})
    assert sorted(made['created']) == sorted([gone, kept]), made.get('msg')
    args = {'defaults': {'state': 'absent'},
            'networks': [{'name': gone}, {'name': kept, 'state': 'present', 'ipam_config': [{'subnet': '198.19.88.32/27'}]}]}
    check = run_module(M, args, check=True)
    real = run_module(M, args)
    assert real['plan'] == check['plan'], 'check mode plan differs from the real run'
    assert real['removed'] == [gone] and real['unchanged'] == [kept], real.get('msg')
    assert names(client, scratch.prefix) == [kept]
    assert run_module(M, args)['changed'] is False


def _role_tasks(networks, **role_vars):
    role_vars['networks_networks'] = networks
    return [{'ansible.builtin.include_role': {'name': 'netprov.dockernet.networks'}, 'vars': role_vars},
            {'ansible.builtin.debug': {'var': '__networks_result'}}]


def test_networks_role_makes_a_network_from_a_template_and_purges_both(client, scratch):
    tpl, net = scratch.name('tpl'), scratch.name('from')
    template = {'name': tpl, 'config_only': True, 'ipam_config': [{'subnet': '198.19.88.64/26'}]}
    first = play(_role_tasks([template]))
    assert first.rc == 0, first.stdout[-3000:]
    nets = [template, {'name': net, 'config_from': tpl}]
    second = play(_role_tasks(nets))
    assert second.rc == 0, second.stdout[-3000:]
    assert second[1]['__networks_result']['created'] == [net]
    inspected = client.api.inspect_network(net)
    assert inspected['ConfigFrom'] == {'Network': tpl}
    assert [c['Subnet'] for c in inspected['IPAM']['Config']] == ['198.19.88.64/26']
    # The labels come from the template: the role's purge finds the network as its own.
    assert inspected['Labels'] == {'netprov.dockernet.managed': 'true', 'netprov.dockernet.role': 'networks'}
    again = play(_role_tasks(nets))
    assert again.rc == 0 and again[1]['__networks_result']['changed'] is False, again.stdout[-3000:]
    purged = play(_role_tasks([], networks_purge=True))
    assert purged.rc == 0, purged.stdout[-3000:]
    assert sorted(purged[1]['__networks_result']['removed']) == sorted([tpl, net])
    assert names(client, scratch.prefix) == []


def test_template_and_network_from_it_in_one_call_in_either_order(client, scratch):
    tpl, net = scratch.name('tpl'), scratch.name('from')
    args = {'networks': [{'name': net, 'config_from': tpl},
                         {'name': tpl, 'config_only': True, 'ipam_config': [{'subnet': '198.19.88.128/26'}]}]}
    check = run_module(M, args, check=True)
    assert check['changed'] is True and names(client, scratch.prefix) == [], check.get('msg')
    real = run_module(M, args)
    assert real['plan'] == check['plan'], 'check mode plan differs from the real run'
    assert sorted(real['created']) == sorted([net, tpl]), real.get('msg')
    assert client.api.inspect_network(net)['ConfigFrom'] == {'Network': tpl}
    assert run_module(M, args)['changed'] is False
    # Removing both in one call takes the network first, then its template.
    gone = run_module(M, {'defaults': {'state': 'absent'}, 'networks': [{'name': tpl}, {'name': net}]})
    assert sorted(gone['removed']) == sorted([net, tpl]), gone.get('msg')
    assert names(client, scratch.prefix) == []


def test_a_subnet_freed_by_a_removal_in_the_same_call_can_be_taken(client, scratch):
    old, new, stale, newer = scratch.name('old'), scratch.name('new'), scratch.name('stale'), scratch.name('newer')
    # A YAML boolean label: the engine stores 'true', and purge_labels must match it.
    stack = {'stack': scratch.prefix, 'disposable': True}
    run_module(M, {'defaults': {'labels': stack},
                   'networks': [{'name': old, 'ipam_config': [{'subnet': '198.19.88.192/27'}]},
                                {'name': stale, 'ipam_config': [{'subnet': '198.19.88.224/27'}]}]})
    args = {'defaults': {'labels': stack},
            'networks': [{'name': new, 'ipam_config': [{'subnet': '198.19.88.192/27'}]},
                         {'name': old, 'state': 'absent'}, {'name': stale}]}
    check = run_module(M, args, check=True)
    real = run_module(M, args)
    assert real['plan'] == check['plan'], 'check mode plan differs from the real run'
    assert real['created'] == [new] and real['removed'] == [old], real.get('msg')
    assert client.api.inspect_network(new)['IPAM']['Config'][0]['Subnet'] == '198.19.88.192/27'
    # The same through a purge: the stale network is managed, carries the labels and is no longer listed.
    args = {'purge': True, 'purge_labels': stack, 'defaults': {'labels': stack},
            'networks': [{'name': new, 'ipam_config': [{'subnet': '198.19.88.192/27'}]},
                         {'name': newer, 'ipam_config': [{'subnet': '198.19.88.224/27'}]}]}
    check = run_module(M, args, check=True)
    purge = run_module(M, args)
    assert purge['plan'] == check['plan'], 'check mode plan differs from the real run'
    assert purge['created'] == [newer] and purge['removed'] == [stale], purge.get('msg')
    assert names(client, scratch.prefix) == sorted([new, newer])
    assert run_module(M, args)['changed'] is False


def test_an_entrys_mtu_wins_over_the_defaults_driver_option(client, scratch):
    a, b, c = scratch.name('a'), scratch.name('b'), scratch.name('c')
    args = {'defaults': {'driver_options': {'mtu': '1400'}},
            'networks': [{'name': a, 'mtu': 1300, 'ipam_config': [{'subnet': '198.19.89.0/28'}]},
                         {'name': b, 'ipam_config': [{'subnet': '198.19.89.16/28'}]}]}
    real = run_module(M, args)
    assert sorted(real['created']) == sorted([a, b]), real.get('msg')
    mtu = 'com.docker.network.driver.mtu'
    assert client.api.inspect_network(a)['Options'][mtu] == '1300'
    assert client.api.inspect_network(b)['Options'][mtu] == '1400'
    assert run_module(M, args)['changed'] is False
    # And the other way round: the entry's driver option over the defaults' mtu.
    other = {'defaults': {'mtu': 1400},
             'networks': [{'name': c, 'driver_options': {mtu: '1280'}, 'ipam_config': [{'subnet': '198.19.89.32/28'}]}]}
    assert run_module(M, other)['created'] == [c]
    assert client.api.inspect_network(c)['Options'][mtu] == '1280'
