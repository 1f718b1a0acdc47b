"""Normalisation: every spelling a user or the engine writes maps to one form."""
import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import (
    MANAGED_LABEL, endpoint_config, endpoint_from_container, norm_cidr, norm_ip, normalise_have, normalise_want)


def want(**kw):
    kw.setdefault('name', 'n1')
    return normalise_want(kw)


@pytest.mark.parametrize('given, canonical', [
    ('198.18.1.5/24', '198.18.1.0/24'),
    ('198.18.1.0/24', '198.18.1.0/24'),
    ('2001:DB8:0:0:1::/80', '2001:db8:0:0:1::/80'),
    ('2001:0db8::1:0:0:0/80', '2001:db8:0:0:1::/80'),
])
def test_cidr_forms(given, canonical):
    assert norm_cidr(given, 'p') == canonical


@pytest.mark.parametrize('given, canonical', [
    ('198.18.1.1', '198.18.1.1'), ('198.18.1.1/24', '198.18.1.1'), ('2001:0DB8::0001', '2001:db8::1')])
def test_address_forms(given, canonical):
    assert norm_ip(given, 'p') == canonical


def test_bad_cidr_names_the_field():
    with pytest.raises(ValidationError) as err:
        want(ipam_config=[{'subnet': '198.18.300.0/24'}])
    assert str(err.value).startswith('ipam_config[0].subnet:')


@pytest.mark.parametrize('options, expected', [
    ({'mtu': '1400'}, {'com.docker.network.driver.mtu': '1400'}),
    ({'com.docker.network.driver.mtu': 1400}, {'com.docker.network.driver.mtu': '1400'}),
    ({'macvlan.mode': 'vepa'}, {'macvlan_mode': 'vepa'}),
    ({'encrypted': 'true'}, {'encrypted': ''}),
    ({'flag': True}, {'flag': 'true'}),
])
def test_driver_option_spellings(options, expected):
    assert want(driver_options=options)['options'] == expected


def test_first_class_options_fold_into_driver_options():
    w = want(driver='macvlan', parent='eth9', macvlan_mode='private', mtu=1450)
    assert w['options'] == {'parent': 'eth9', 'macvlan_mode': 'private', 'com.docker.network.driver.mtu': '1450'}


def test_contradicting_spellings_are_refused():
    with pytest.raises(ValidationError) as err:
        want(mtu=1400, driver_options={'mtu': '1500'})
    assert str(err.value).startswith('mtu:')


def test_encrypted_flag():
    assert want(driver='overlay', encrypted=True)['options'] == {'encrypted': ''}


def test_policy_defaults_fill_in():
    w = want()
    assert (w['recreate'], w['kernel_check'], w['force'], w['containers_exclusive']) == ('never', 'fail', False, False)


def test_have_fills_driver_defaults_and_reads_aux_addresses():
    have = normalise_have({
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
    assert normalise_have({'Name': 'c', 'Driver': 'null', 'ConfigOnly': True})['driver'] == 'none'


def test_endpoint_record_drops_the_engine_alias_and_restores_exactly():
    container = {'Id': '0123456789abcdef', 'Name': '/web', 'Config': {'Labels': {}}, 'NetworkSettings': {'Networks': {
        'n1': {'Aliases': ['0123456789ab', 'www'], 'Links': ['db:db'], 'IPAMConfig': {'IPv4Address': '198.18.1.10'},
               'DriverOpts': {'k': 'v'}, 'MacAddress': '02:42:c6:12:01:0a'}}}}
    rec = endpoint_from_container(container, 'n1')
    assert rec['aliases'] == ['www'] and rec['ipv4_address'] == '198.18.1.10'
    assert endpoint_config(rec) == {'Aliases': ['www'], 'Links': ['db:db'],
                                    'IPAMConfig': {'IPv4Address': '198.18.1.10'}, 'DriverOpts': {'k': 'v'}}


@pytest.mark.parametrize('field, value', [
    ('driver_options', {'mtu': ' 1500'}), ('driver_options', {'mtu': '1_500'}),
    ('driver_options', {'com.docker.network.driver.mtu': '+1500'}), ('driver_options', {'mtu': '1500.0'}),
])
def test_mtu_strings_int_takes_but_the_engine_does_not_are_refused(field, value):
    with pytest.raises(ValidationError) as err:
        want(**{field: value})
    key = list(value)[0]
    assert str(err.value).startswith('driver_options.%s:' % key) and 'digits' in str(err.value)


def test_mtu_is_sent_canonical():
    assert want(driver_options={'mtu': '01400'})['options'] == {'com.docker.network.driver.mtu': '1400'}
    assert want(mtu=1400, driver_options={'mtu': '1400'})['options'] == {'com.docker.network.driver.mtu': '1400'}


def test_engine_owned_endpoints_are_not_containers():
    """An overlay lists its load balancer (lb-NET) and other nodes' tasks (ep-ID) beside real containers."""
    have = normalise_have({'Name': 'ov', 'Id': 'x', 'Driver': 'overlay', 'Containers': {
        'lb-ov': {'Name': 'ov-endpoint', 'IPv4Address': '198.18.9.3/24'},
        'ep-0123abcd': {'Name': 'svc.1.abc', 'IPv4Address': '198.18.9.4/24'},
        'ingress-sbox': {'Name': 'ingress-endpoint'},
        'a' * 64: {'Name': 'web', 'IPv4Address': '198.18.9.5/24'}}})
    assert sorted(have['endpoints']) == ['web']


def test_ipv6_subnet_implies_enable_ipv6():
    assert want(ipam_config=[{'subnet': '2001:db8::/64'}])['enable_ipv6'] is True
    assert want(ipam_config=[{'subnet': '198.18.1.0/24'}])['enable_ipv6'] is None
    assert want(enable_ipv6=False, ipam_config=[{'subnet': '198.18.1.0/24'}])['enable_ipv6'] is False


@pytest.mark.parametrize('entries', [[{}], [{'subnet': ''}], [{'subnet': None, 'iprange': '', 'gateway': ''}]])
def test_empty_ipam_entries_are_no_ipam_config(entries):
    assert want(ipam_config=entries)['ipam_config'] is None


def test_enable_ipv4_absent_on_old_engines_means_on():
    assert normalise_have({'Name': 'n'})['enable_ipv4'] is True
    assert normalise_have({'Name': 'n', 'EnableIPv4': False})['enable_ipv4'] is False


def _container(ep, api_id='0123456789abcdef'):
    return {'Id': api_id, 'Name': '/web', 'Config': {'Labels': {}}, 'State': {'Status': 'running'},
            'NetworkSettings': {'Networks': {'n1': ep}}}


@pytest.mark.parametrize('api, mac_sent, prio_sent', [
    ('1.41', False, False), ('1.43', False, False), ('1.44', True, False), ('1.47', True, False),
    ('1.48', True, True), ('1.51', True, True), (None, False, False)])
def test_mac_and_gateway_priority_are_restored_where_the_api_takes_them(api, mac_sent, prio_sent):
    rec = endpoint_from_container(_container({'MacAddress': '02:42:c6:12:01:0a', 'GwPriority': 10,
                                              'IPAMConfig': {'IPv4Address': '198.18.1.10'}}), 'n1', api_version=api)
    assert rec['mac'] == '02:42:c6:12:01:0a'
    cfg = endpoint_config(rec)
    assert (cfg.get('MacAddress') == '02:42:c6:12:01:0a') is mac_sent
    assert (cfg.get('GwPriority') == 10) is prio_sent


def test_record_finds_the_endpoint_by_network_id_and_the_stored_one_by_name():
    running = _container({'NetworkID': 'net1', 'Aliases': ['a']})
    running['NetworkSettings']['Networks'] = {'renamed': running['NetworkSettings']['Networks']['n1']}
    assert endpoint_from_container(running, 'n1', network_id='net1')['aliases'] == ['a']
    created = _container({'NetworkID': '', 'Aliases': ['b']})
    assert endpoint_from_container(created, 'n1', network_id='net1')['aliases'] == ['b']
    other = _container({'NetworkID': 'net2', 'Aliases': ['c']})
    assert endpoint_from_container(other, 'n1', network_id='net1')['aliases'] == []


def test_recorded_addresses_are_canonical():
    rec = endpoint_from_container(_container({'IPAMConfig': {'IPv6Address': '2001:DB8:0:0::0010',
                                                             'LinkLocalIPs': ['FE80::0001']}}), 'n1')
    assert rec['ipv6_address'] == '2001:db8::10' and rec['link_local_ips'] == ['fe80::1']
