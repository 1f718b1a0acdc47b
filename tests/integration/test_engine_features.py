"""Engine API gating and the features of Engine 25-28, each on the engines that have it and refused on those that
do not, read back with the engine's own CLI.

Subnets come from 198.19.192.0/20 (IPv6: 2001:db8:1992::/48); the private engines each have a namespace of their
own, and a test's names are unique, so a subnet may serve one test on each engine at once.
"""
import json
import uuid

import pytest

from ansible_play import run_module

M = 'netprov.dockernet.docker_network'
MS = 'netprov.dockernet.docker_networks'
GW4 = 'com.docker.network.bridge.gateway_mode_ipv4'
GW6 = 'com.docker.network.bridge.gateway_mode_ipv6'
THI = 'com.docker.network.bridge.trusted_host_interfaces'


def _inspect(info, name):
    proc = info.cli('network', 'inspect', name, check=False)
    return json.loads(proc.stdout)[0] if proc.returncode == 0 else None


@pytest.fixture
def names(engine_info):
    """Unique network names on the test's engine, removed afterwards."""
    made = []

    def name(suffix):
        made.append('npf%s-%s' % (uuid.uuid4().hex[:5], suffix))
        return made[-1]
    yield name
    for n in made:
        engine_info.cli('network', 'rm', n, check=False)


# (module arguments, the field named, the release and API in the message)
GATED_ON_2010 = [
    ({'enable_ipv4': False, 'enable_ipv6': True, 'ipam_config': [{'subnet': '2001:db8:1992:1::/64'}]},
     'enable_ipv4', 'false needs Engine 28.0 (API 1.48)'),
    ({'driver_options': {GW4: 'routed'}}, 'gateway_mode_ipv4', 'routed needs Engine 27.0 (API 1.46)'),
    ({'driver_options': {GW4: 'nat-unprotected'}}, 'gateway_mode_ipv4', 'nat-unprotected needs Engine 28.0 (API 1.48)'),
    ({'internal': True, 'driver_options': {GW4: 'isolated'}}, 'gateway_mode_ipv4',
     'isolated needs Engine 28.0 (API 1.48)'),
    ({'enable_ipv6': True, 'driver_options': {GW6: 'nat'}}, 'gateway_mode_ipv6', 'nat needs Engine 27.0 (API 1.46)'),
    ({'driver_options': {THI: 'lo'}}, 'trusted_host_interfaces', 'trusted_host_interfaces needs Engine 28.2 (API 1.50)'),
    ({'driver': 'ipvlan', 'ipvlan_mode': 'l3s', 'kernel_check': 'skip'}, 'ipvlan_mode', 'l3s needs Engine 23.0 (API 1.42)'),
    ({'driver': 'ipvlan', 'ipvlan_flag': 'vepa', 'kernel_check': 'skip'}, 'ipvlan_flag',
     'vepa needs Engine 23.0 (API 1.42)'),
]


@pytest.mark.parametrize('engine', ['20.10'], indirect=True)
@pytest.mark.parametrize('args, field, says', GATED_ON_2010, ids=[g[1] + ':' + g[2].split()[0] for g in GATED_ON_2010])
def test_an_option_the_engine_cannot_honour_is_refused_before_anything_changes(engine, engine_info, names, args,
                                                                                field, says):
    """Engine 20.10 would store each of these and ignore it; the module refuses, naming the field, the engine
    release and API version it needs and the one found, in check mode as in a real run, and makes nothing."""
    name = names('g')
    for check in (True, False):
        res = run_module(M, dict(args, name=name, docker_host=engine), check=check)
        assert res.get('failed') is True, 'accepted on %s: %s' % (engine_info.version, res.get('plan'))
        assert res['msg'].startswith('%s: %s; this engine speaks 1.41;' % (field, says)), res['msg']
        assert _inspect(engine_info, name) is None, 'the refused network was created'


@pytest.mark.parametrize('engine', ['20.10'], indirect=True)
def test_a_refused_option_leaves_an_existing_network_and_its_set_untouched(engine, engine_info, names):
    kept, other = names('k'), names('o')
    made = run_module(M, {'name': kept, 'docker_host': engine, 'labels': {'v': '1'}})
    assert made['changed'] is True, made.get('msg')
    before = _inspect(engine_info, kept)['Id']
    res = run_module(MS, {'docker_host': engine, 'networks': [
        {'name': other}, {'name': kept, 'labels': {'v': '2'}, 'driver_options': {GW4: 'routed'}}]})
    assert res.get('failed') is True
    assert res['msg'].startswith('1 problem(s), nothing was changed:\n'
                                 'networks[1].gateway_mode_ipv4: routed needs Engine 27.0 (API 1.46)'), res['msg']
    assert _inspect(engine_info, kept)['Id'] == before and _inspect(engine_info, kept)['Labels']['v'] == '1'
    assert _inspect(engine_info, other) is None, 'another network of the same call was made'


@pytest.mark.parametrize('engine', ['20.10', '26.1', '28.5'], indirect=True)
def test_the_client_speaks_the_engines_own_api_version(engine, engine_info):
    """api_version: auto (the default) negotiates: never a version below what the engine speaks, so Engine 29
    (which refuses clients older than 1.44) is spoken to with its own."""
    from ansible_collections.netprov.dockernet.plugins.module_utils._client import DOCKER_COMMON_ARGS, Engine
    params = dict((k, v.get('default')) for k, v in DOCKER_COMMON_ARGS.items())
    params['docker_host'] = engine
    assert params['api_version'] == 'auto'
    assert Engine(params).api_version == '%d.%d' % engine_info.api
