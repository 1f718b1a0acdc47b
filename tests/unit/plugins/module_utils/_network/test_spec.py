"""Normalisation: every spelling a user or the engine writes maps to one form."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._network import spec as _spec
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import (
    norm_cidr, norm_ip, normalise_want)


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


def test_ipv6_subnet_implies_enable_ipv6():
    assert want(ipam_config=[{'subnet': '2001:db8::/64'}])['enable_ipv6'] is True
    assert want(ipam_config=[{'subnet': '198.18.1.0/24'}])['enable_ipv6'] is None
    assert want(enable_ipv6=False, ipam_config=[{'subnet': '198.18.1.0/24'}])['enable_ipv6'] is False


@pytest.mark.parametrize('entries', [[{}], [{'subnet': ''}], [{'subnet': None, 'iprange': '', 'gateway': ''}]])
def test_empty_ipam_entries_are_no_ipam_config(entries):
    assert want(ipam_config=entries)['ipam_config'] is None


# -- the Engine 27/28 network and endpoint options

GW4 = 'com.docker.network.bridge.gateway_mode_ipv4'
GW6 = 'com.docker.network.bridge.gateway_mode_ipv6'
THI = 'com.docker.network.bridge.trusted_host_interfaces'
IFNAME = 'com.docker.network.endpoint.ifname'
SYSCTLS = 'com.docker.network.endpoint.sysctls'


def test_the_options_are_in_the_one_spec_both_modules_use():
    for top in (True, False):
        spec = _spec.network_options(top_level=top)
        assert spec['gateway_mode_ipv4']['choices'] == ['nat', 'routed', 'nat-unprotected', 'isolated']
        assert spec['gateway_mode_ipv6']['choices'] == spec['gateway_mode_ipv4']['choices']
        assert spec['trusted_host_interfaces'] == {'type': 'list', 'elements': 'str'}


def test_gateway_modes_and_trusted_interfaces_become_the_engines_options():
    w = want(gateway_mode_ipv4='routed', gateway_mode_ipv6='nat-unprotected', enable_ipv6=True,
             trusted_host_interfaces=['eth2', 'eth1', 'eth2'])
    assert w['options'] == {GW4: 'routed', GW6: 'nat-unprotected', THI: 'eth1:eth2'}
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import create_body
    body = create_body(w)
    assert body['Options'] == {GW4: 'routed', GW6: 'nat-unprotected', THI: 'eth1:eth2'}


def test_the_same_given_through_driver_options_is_the_same_want():
    assert want(gateway_mode_ipv4='routed', trusted_host_interfaces=['b', 'a']) == \
        want(driver_options={GW4: 'routed', THI: 'b:a'})


def test_a_first_class_option_contradicting_driver_options_is_refused():
    with pytest.raises(ValidationError) as err:
        want(gateway_mode_ipv4='routed', driver_options={GW4: 'nat'})
    assert str(err.value).startswith('gateway_mode_ipv4:')


@pytest.mark.parametrize('names, index', [(['eth0', ''], 1), (['a' * 16], 0), (['eth0:1'], 0), (['e th'], 0)])
def test_a_bad_interface_name_is_refused_naming_it(names, index):
    with pytest.raises(ValidationError) as err:
        want(trusted_host_interfaces=names)
    assert err.value.path == 'trusted_host_interfaces[%d]' % index


def test_endpoint_settings_are_normalised():
    c = want(containers=[{'name': 'web', 'mac_address': '02-42-C6-13-00-0A', 'gw_priority': 5,
                          'interface_name': 'lan0',
                          'sysctls': {'net.ipv4.conf.ifname.forwarding': 1, 'net.ipv6.conf.IFNAME.disable_ipv6': False}}]
             )['containers'][0]
    assert c['mac_address'] == '02:42:c6:13:00:0a' and c['gw_priority'] == 5 and c['interface_name'] == 'lan0'
    assert c['sysctls'] == {'net.ipv4.conf.IFNAME.forwarding': '1', 'net.ipv6.conf.IFNAME.disable_ipv6': '0'}


@pytest.mark.parametrize('entry, field', [
    ({'mac_address': '02:42:c6:13:00'}, 'mac_address'),
    ({'mac_address': '03:42:c6:13:00:0a'}, 'mac_address'),
    ({'interface_name': 'a' * 16}, 'interface_name'),
    ({'interface_name': 'eth/0'}, 'interface_name'),
    ({'sysctls': {'net.ipv4.conf.eth0.forwarding': '1'}}, 'sysctls.net.ipv4.conf.eth0.forwarding'),
    ({'sysctls': {'kernel.shmmax': '1'}}, 'sysctls.kernel.shmmax'),
    ({'sysctls': {'net.ipv4.conf.IFNAME.forwarding': '1,2'}}, 'sysctls.net.ipv4.conf.IFNAME.forwarding'),
])
def test_a_bad_endpoint_setting_is_refused_naming_the_field(entry, field):
    with pytest.raises(ValidationError) as err:
        want(containers=[{'name': 'a'}, dict(entry, name='web')])
    assert err.value.path == 'containers[1].' + field
