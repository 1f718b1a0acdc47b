"""docker_networks against the real engine: many networks in one call, ownership-safe purge."""
import pytest

from ansible_play import run_module

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
