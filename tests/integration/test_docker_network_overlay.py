"""Overlay networks on a single-node swarm that this test initialises and leaves."""
import pytest

from ansible_play import run_module

M = 'netprov.dockernet.docker_network'


@pytest.fixture(scope='module')
def swarm(client):
    if client.info().get('Swarm', {}).get('LocalNodeState') == 'active':
        pytest.skip('the engine is already in a swarm that this test did not make')
    client.swarm.init(advertise_addr='127.0.0.1', listen_addr='127.0.0.1:2377',
                      default_addr_pool=['198.18.96.0/19'], subnet_size=24)
    yield client
    client.swarm.leave(force=True)


def test_attachable_overlay_created_idempotent_and_usable(swarm, scratch):
    name = scratch.name('ov')
    args = {'name': name, 'driver': 'overlay', 'attachable': True,
            'ipam_config': [{'subnet': '198.18.120.0/24'}]}
    check = run_module(M, args, check=True)
    real = run_module(M, args)
    assert real['changed'] is True and real['plan'] == check['plan'], real.get('msg')
    assert run_module(M, args)['changed'] is False
    net = swarm.api.inspect_network(name)
    assert net['Scope'] == 'swarm' and net['Attachable'] is True
    a, b = scratch.container('a', network=name), scratch.container('b', network=name)
    assert b.exec_run(['ping', '-c', '1', '-W', '3', a.name]).exit_code == 0


def test_encrypted_overlay_refused_without_esp_and_created_with_warn(swarm, scratch):
    name = scratch.name('enc')
    args = {'name': name, 'driver': 'overlay', 'attachable': True, 'encrypted': True,
            'ipam_config': [{'subnet': '198.18.121.0/24'}]}
    refused = run_module(M, args)
    assert refused.get('failed') is True
    assert 'ESP' in refused['msg'] and 'drop all traffic' in refused['msg'], refused['msg']
    assert scratch.networks() == []
    warned = run_module(M, dict(args, kernel_check='warn'))
    assert warned['changed'] is True and any('ESP' in w for w in warned['warnings'])
    assert 'encrypted' in swarm.api.inspect_network(name)['Options']
    assert any('MTU' in w for w in warned['warnings']), warned['warnings']
    info = run_module('netprov.dockernet.docker_network_info', {'name': name})
    enc = info['network']['encryption']
    # One node, no peer yet: nothing to be active with, and the report says why.
    assert enc['active'] is False and enc['peers'] == [] and 'no other node' in enc['reason'], enc
    verify = run_module(M, dict(args, kernel_check='warn', verify=True, verify_timeout=2))
    assert verify.get('failed') is True and verify['msg'].startswith('verify:'), verify.get('msg')
