"""The Engine API's network JSON at the edge: inspect -> normalised -> create/connect bodies, and back.

The round trips run over what real engines answered (engine_samples/, one file
per engine version, captured by scripts/capture_engine_samples.py): a new
engine's file extends every test here.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._network.core import restore_body, summary
from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import compare, create_target
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MANAGED_LABEL, normalise_want
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import (
    bridge_body, connect_body, create_body, create_command, endpoint_from_body, endpoint_from_inspect, endpoint_names,
    listed_subnets, network_from_body, network_from_inspect, on_network, peer_addresses, without_duplicate_check)
from ansible_collections.netprov.dockernet.tests.support.network_samples import CASES, SAMPLES

MEMBERS = [(engine, case) for engine, case in CASES if SAMPLES[engine]['cases'][case].get('containers')]


def _case(engine, case):
    return SAMPLES[engine]['cases'][case]


def _settings(net):
    """What a network is, without what the engine assigns (id, creation time) or who is on it."""
    out = summary(net)
    out.pop('containers')
    return out


def test_every_engine_has_a_sample_with_endpoints():
    assert sorted(SAMPLES) == ['engine-20.10', 'engine-26.1', 'engine-28.5']
    assert set(engine for engine, _case in MEMBERS) == set(SAMPLES)


# -- networks ---------------------------------------------------------------------

@pytest.mark.parametrize('engine, case', CASES)
def test_inspect_to_body_and_back_is_the_same_network(engine, case):
    """A network read from the engine, written as the body that rebuilds it, reads back as the same network."""
    have = network_from_inspect(_case(engine, case)['network'])
    body = restore_body(have)
    assert body['Name'] == have['name'] and body['IPAM']['Config']
    back = network_from_body(body)
    assert _settings(back) == _settings(have)


@pytest.mark.parametrize('engine, case', CASES)
def test_the_body_sent_reads_back_as_the_wanted_network(engine, case):
    """The body the collection sent, read back, is what was asked for (no change to plan)."""
    c = _case(engine, case)
    want = normalise_want(dict(c['args'], name=c['name']))
    assert create_body(create_target(want)) == c['body']
    assert compare(want, network_from_body(c['body'])) == []


@pytest.mark.parametrize('engine, case', CASES)
def test_the_body_sent_rebuilds_itself(engine, case):
    """normalised -> body -> normalised -> body: the second body is the first."""
    body = _case(engine, case)['body']
    assert restore_body(network_from_body(body)) == body


@pytest.mark.parametrize('engine, case', CASES)
def test_what_the_engine_added_is_read_not_invented(engine, case):
    """The engine's own pools and gateways are read as it has them; the sent subnets are among them."""
    c = _case(engine, case)
    have = network_from_inspect(c['network'])
    sent = set(e['subnet'] for e in network_from_body(c['body'])['ipam_config'] if e.get('subnet'))
    assert sent <= set(e['subnet'] for e in have['ipam_config'])
    assert have['managed'] is True and have['labels'][MANAGED_LABEL] == 'true'
    assert have['id'] == c['network']['Id'] and have['created'] == c['network']['Created']


def test_the_api_versions_fields_are_read_where_the_engine_has_them():
    """EnableIPv4 exists from API 1.48 (Engine 28.0): an engine without it has IPv4 on."""
    for engine in SAMPLES:
        net = _case(engine, 'bridge_full')['network']
        assert ('EnableIPv4' in net) == (engine == 'engine-28.5')
        assert network_from_inspect(net)['enable_ipv4'] is True


def test_ipv4_off_is_sent_only_when_asked_or_kept():
    assert 'EnableIPv4' not in create_body(create_target(normalise_want({'name': 'n'})))
    assert create_body(create_target(normalise_want({'name': 'n', 'enable_ipv4': False})))['EnableIPv4'] is False
    off = network_from_inspect({'Name': 'n', 'Driver': 'bridge', 'EnableIPv4': False})
    assert restore_body(off)['EnableIPv4'] is False


def test_a_network_made_from_a_config_only_one_carries_no_labels_ipam_or_options():
    body = create_body(create_target(normalise_want({'name': 'n', 'config_from': 'tmpl', 'labels': {'a': 'b'}})))
    assert body['ConfigFrom'] == {'Network': 'tmpl'}
    assert not set(body) & set(['Labels', 'IPAM', 'Options'])
    assert network_from_body(body)['config_from'] == 'tmpl'
    assert create_command(body) == 'docker network create --config-from tmpl n'


def test_an_unmanaged_network_is_rebuilt_without_the_managed_label():
    have = network_from_inspect({'Name': 'n', 'Driver': 'bridge', 'Labels': {'a': 'b'},
                                 'IPAM': {'Config': [{'Subnet': '198.18.7.0/24'}]}})
    body = restore_body(have)
    assert body['Labels'] == {'a': 'b'}
    assert create_command(body) == 'docker network create --driver bridge --label a=b --subnet 198.18.7.0/24 n'


def test_an_unmanaged_network_made_from_a_config_only_one_is_rebuilt_as_it_was():
    """A recreate records the body that rebuilds the network first; for a network the collection did not make,
    from a config-only one, that failed with KeyError 'Labels' (such a body has none) before anything changed."""
    have = network_from_inspect({'Name': 'made', 'Id': 'x', 'Driver': 'macvlan', 'ConfigFrom': {'Network': 'tmpl'},
                                 'Labels': {}})
    body = restore_body(have)
    assert body['ConfigFrom'] == {'Network': 'tmpl'} and 'Labels' not in body
    assert create_command(body) == 'docker network create --config-from tmpl made'


def test_driver_none_is_the_engines_null_both_ways():
    body = create_body(create_target(normalise_want({'name': 'n', 'driver': 'none'})))
    assert body['Driver'] == 'null' and network_from_body(body)['driver'] == 'none'


def test_an_overlays_peers_are_read():
    assert peer_addresses({'Peers': [{'Name': 'a', 'IP': '198.18.0.2'}, {'Name': 'b', 'IP': '198.18.0.3'}]}) == [
        '198.18.0.2', '198.18.0.3']
    assert peer_addresses({}) == []


# -- endpoints --------------------------------------------------------------------

def _members(engine, case):
    c = _case(engine, case)
    net = c['network']
    return net, [c['containers'][cid] for cid in sorted(c['containers'])]


@pytest.mark.parametrize('engine, case', MEMBERS)
def test_every_member_is_an_endpoint_with_its_recorded_addresses(engine, case):
    net, infos = _members(engine, case)
    have = network_from_inspect(net, infos)
    assert sorted(have['endpoints']) == sorted(info['Name'].lstrip('/') for info in infos)
    for info in infos:
        rec = endpoint_from_inspect(info, net['Name'], net['Id'])
        ep = have['endpoints'][rec['container']]
        assert ep['id'] == rec['id'] == info['Id']
        if rec['ipv4_address']:
            # a fixed address is the one the endpoint has, once it runs
            assert ep['ipv4'] in (None, rec['ipv4_address'])


@pytest.mark.parametrize('engine, case', MEMBERS)
def test_recorded_endpoint_to_connect_body_and_back(engine, case):
    """inspect -> record -> connect body -> the record's settings, and that body again."""
    net, infos = _members(engine, case)
    for info in infos:
        rec = endpoint_from_inspect(info, net['Name'], net['Id'])
        body = connect_body(rec)
        back = endpoint_from_body(body)
        for key in ('aliases', 'links', 'ipv4_address', 'ipv6_address', 'link_local_ips', 'driver_opts',
                    'gw_priority'):
            assert back.get(key) == (rec[key] or None), (info['Name'], key)
        # the MAC address goes back only when the caller asks (by the engine's API version): not recorded as sent
        assert 'MacAddress' not in body
        assert connect_body(back) == body


@pytest.mark.parametrize('engine, case', MEMBERS)
def test_an_endpoint_is_on_its_network_running_or_not(engine, case):
    net, infos = _members(engine, case)
    for info in infos:
        assert on_network(info, net['Name'], net['Id']), info['Name']
        assert not on_network(info, net['Name'] + '-other', None)


def test_a_wanted_mac_and_gateway_priority_are_sent_and_read_back():
    rec = {'aliases': ['web'], 'ipv4_address': '198.18.1.10', 'mac_address': '02:42:c6:12:01:0a', 'gw_priority': 5}
    body = connect_body(rec)
    assert body == {'Aliases': ['web'], 'IPAMConfig': {'IPv4Address': '198.18.1.10'},
                    'MacAddress': '02:42:c6:12:01:0a', 'GwPriority': 5}
    assert endpoint_from_body(body) == rec
    assert endpoint_from_body(None) == {} == endpoint_from_body({})


def test_a_second_try_of_a_create_drops_only_the_duplicate_check():
    body = create_body(create_target(normalise_want({'name': 'n'})))
    again = without_duplicate_check(body)
    assert again.pop('CheckDuplicate') is False and body.pop('CheckDuplicate') is True and again == body


def test_docker_gwbridge_is_asked_for_with_only_its_subnet_options_and_labels():
    """Every field it does not name is the engine's default (an explicit EnableIPv6: false would not be)."""
    body = bridge_body('docker_gwbridge', '198.18.184.0/24', {'com.docker.network.bridge.enable_icc': 'false'},
                       {MANAGED_LABEL: 'true'})
    assert body == {'Name': 'docker_gwbridge', 'Driver': 'bridge', 'CheckDuplicate': True,
                    'IPAM': {'Driver': 'default', 'Config': [{'Subnet': '198.18.184.0/24'}]},
                    'Options': {'com.docker.network.bridge.enable_icc': 'false'}, 'Labels': {MANAGED_LABEL: 'true'}}
    assert listed_subnets(body) == ['198.18.184.0/24']
    assert network_from_body(body)['ipam_config'] == [{'subnet': '198.18.184.0/24'}]


@pytest.mark.parametrize('engine', sorted(SAMPLES))
def test_subnets_and_endpoint_names_as_the_engine_lists_them(engine):
    net = _case(engine, 'members')['network']
    assert listed_subnets(net) == [e['Subnet'] for e in net['IPAM']['Config']]
    assert sorted(endpoint_names(net)) == sorted(ep['Name'] for ep in net['Containers'].values())
    assert endpoint_names({'Containers': {'ingress-sbox': {'Name': 'gateway_ingress-sbox'}, 'x': {}}}) == [
        'gateway_ingress-sbox', 'x']


# -- moved from test_spec.py with the code they test

def test_have_fills_driver_defaults_and_reads_aux_addresses():
    have = network_from_inspect({
        'Name': 'n1', 'Id': 'abc', 'Driver': 'macvlan', 'Options': {'parent': 'eth9'},
        'IPAM': {'Driver': 'default', 'Config': [{'Subnet': '198.18.1.5/24', 'AuxiliaryAddresses': {'r': '198.18.1.2'}}]},
        'Labels': {MANAGED_LABEL: 'true'}, 'Containers': {'c' * 64: {'Name': 'web', 'IPv4Address': '198.18.1.9/24'},
                                                          'ep-x': {'Name': 'remote'}}})
    assert have['options'] == {'parent': 'eth9', 'macvlan_mode': 'bridge'}
    assert have['ipam_config'] == [{'subnet': '198.18.1.0/24', 'aux_addresses': {'r': '198.18.1.2'}}]
    assert have['managed'] is True
    assert have['endpoints'] == {'web': {'id': 'c' * 64, 'ipv4': '198.18.1.9', 'ipv6': None, 'mac': None,
                                         'state': 'running'}}


def test_config_only_network_is_driver_none():
    assert network_from_inspect({'Name': 'c', 'Driver': 'null', 'ConfigOnly': True})['driver'] == 'none'


def test_endpoint_record_drops_the_engine_alias_and_restores_exactly():
    container = {'Id': '0123456789abcdef', 'Name': '/web', 'Config': {'Labels': {}}, 'NetworkSettings': {'Networks': {
        'n1': {'Aliases': ['0123456789ab', 'www'], 'Links': ['db:db'], 'IPAMConfig': {'IPv4Address': '198.18.1.10'},
               'DriverOpts': {'k': 'v'}, 'MacAddress': '02:42:c6:12:01:0a'}}}}
    rec = endpoint_from_inspect(container, 'n1')
    assert rec['aliases'] == ['www'] and rec['ipv4_address'] == '198.18.1.10'
    assert connect_body(rec) == {'Aliases': ['www'], 'Links': ['db:db'],
                                 'IPAMConfig': {'IPv4Address': '198.18.1.10'}, 'DriverOpts': {'k': 'v'}}


def test_engine_owned_endpoints_are_not_containers():
    """An overlay lists its load balancer (lb-NET) and other nodes' tasks (ep-ID) beside real containers."""
    have = network_from_inspect({'Name': 'ov', 'Id': 'x', 'Driver': 'overlay', 'Containers': {
        'lb-ov': {'Name': 'ov-endpoint', 'IPv4Address': '198.18.9.3/24'},
        'ep-0123abcd': {'Name': 'svc.1.abc', 'IPv4Address': '198.18.9.4/24'},
        'ingress-sbox': {'Name': 'ingress-endpoint'},
        'a' * 64: {'Name': 'web', 'IPv4Address': '198.18.9.5/24'}}})
    assert sorted(have['endpoints']) == ['web']


def test_enable_ipv4_absent_on_old_engines_means_on():
    assert network_from_inspect({'Name': 'n'})['enable_ipv4'] is True
    assert network_from_inspect({'Name': 'n', 'EnableIPv4': False})['enable_ipv4'] is False


def _container(ep, api_id='0123456789abcdef'):
    return {'Id': api_id, 'Name': '/web', 'Config': {'Labels': {}}, 'State': {'Status': 'running'},
            'NetworkSettings': {'Networks': {'n1': ep}}}


def test_record_finds_the_endpoint_by_network_id_and_the_stored_one_by_name():
    running = _container({'NetworkID': 'net1', 'Aliases': ['a']})
    running['NetworkSettings']['Networks'] = {'renamed': running['NetworkSettings']['Networks']['n1']}
    assert endpoint_from_inspect(running, 'n1', network_id='net1')['aliases'] == ['a']
    created = _container({'NetworkID': '', 'Aliases': ['b']})
    assert endpoint_from_inspect(created, 'n1', network_id='net1')['aliases'] == ['b']
    other = _container({'NetworkID': 'net2', 'Aliases': ['c']})
    assert endpoint_from_inspect(other, 'n1', network_id='net1')['aliases'] == []


def test_recorded_addresses_are_canonical():
    rec = endpoint_from_inspect(_container({'IPAMConfig': {'IPv6Address': '2001:DB8:0:0::0010',
                                                           'LinkLocalIPs': ['FE80::0001']}}), 'n1')
    assert rec['ipv6_address'] == '2001:db8::10' and rec['link_local_ips'] == ['fe80::1']
