"""The Engine 27/28 network options as first-class options: normalised, validated, compared and sent."""
import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._plan import compare, create_body
from ansible_collections.netprov.dockernet.plugins.module_utils._spec import (
    MANAGED_LABEL, network_options, normalise_have, normalise_want)
from ansible_collections.netprov.dockernet.plugins.module_utils._validate import validate_want

GW4 = 'com.docker.network.bridge.gateway_mode_ipv4'
GW6 = 'com.docker.network.bridge.gateway_mode_ipv6'
THI = 'com.docker.network.bridge.trusted_host_interfaces'


def want(**kw):
    kw.setdefault('name', 'n1')
    return normalise_want(kw)


def have(options=None, **kw):
    net = {'Name': 'n1', 'Id': 'id1', 'Driver': 'bridge', 'Scope': 'local', 'Options': options or {},
           'Labels': {MANAGED_LABEL: 'true'}, 'IPAM': {'Driver': 'default', 'Config': [{'Subnet': '198.18.1.0/24'}]}}
    net.update(kw)
    return normalise_have(net)


def refused(**kw):
    with pytest.raises(ValidationError) as err:
        validate_want(want(**kw))
    return str(err.value)


def test_the_options_are_in_the_one_spec_both_modules_use():
    for top in (True, False):
        spec = network_options(top_level=top)
        assert spec['gateway_mode_ipv4']['choices'] == ['nat', 'routed', 'nat-unprotected', 'isolated']
        assert spec['gateway_mode_ipv6']['choices'] == spec['gateway_mode_ipv4']['choices']
        assert spec['trusted_host_interfaces'] == {'type': 'list', 'elements': 'str'}


def test_gateway_modes_and_trusted_interfaces_become_the_engines_options():
    w = want(gateway_mode_ipv4='routed', gateway_mode_ipv6='nat-unprotected', enable_ipv6=True,
             trusted_host_interfaces=['eth2', 'eth1', 'eth2'])
    assert w['options'] == {GW4: 'routed', GW6: 'nat-unprotected', THI: 'eth1:eth2'}
    body = create_body(w)
    assert body['Options'] == {GW4: 'routed', GW6: 'nat-unprotected', THI: 'eth1:eth2'}


def test_the_same_given_through_driver_options_is_the_same_want():
    assert want(gateway_mode_ipv4='routed', trusted_host_interfaces=['b', 'a']) == \
        want(driver_options={GW4: 'routed', THI: 'b:a'})


def test_a_first_class_option_contradicting_driver_options_is_refused():
    with pytest.raises(ValidationError) as err:
        want(gateway_mode_ipv4='routed', driver_options={GW4: 'nat'})
    assert str(err.value).startswith('gateway_mode_ipv4:')


@pytest.mark.parametrize('given, option', [
    ('nat', {}), ('nat', {GW4: 'nat'}), ('routed', {GW4: 'routed'})])
def test_nat_is_what_a_network_without_the_option_has(given, option):
    assert compare(want(gateway_mode_ipv4=given), have(option)) == []


@pytest.mark.parametrize('given, option', [('routed', {}), ('nat', {GW4: 'routed'}), ('isolated', {GW4: 'nat'})])
def test_another_gateway_mode_is_a_change(given, option):
    changes = compare(want(gateway_mode_ipv4=given, internal=True), have(option, Internal=True))
    assert changes == ['driver_options.%s: %s -> %s' % (GW4, option.get(GW4, 'unset'), given)]


def test_trusted_interfaces_compare_as_a_set_and_empty_is_none():
    assert compare(want(trusted_host_interfaces=['eth1', 'eth0']), have({THI: 'eth0:eth1'})) == []
    assert compare(want(trusted_host_interfaces=['eth0', 'eth1']), have({THI: 'eth1:eth0'})) == []
    assert compare(want(trusted_host_interfaces=[]), have()) == []
    assert compare(want(trusted_host_interfaces=[]), have({THI: 'eth0'})) == [
        "driver_options.%s: eth0 -> ''" % THI]
    assert compare(want(trusted_host_interfaces=['eth0']), have()) == ['driver_options.%s: unset -> eth0' % THI]


def test_left_out_they_are_not_compared():
    assert compare(want(), have({GW4: 'routed', THI: 'eth0'})) == []


@pytest.mark.parametrize('kw, field, says', [
    ({'gateway_mode_ipv4': 'isolated'}, 'gateway_mode_ipv4', 'isolated needs internal: true'),
    ({'gateway_mode_ipv6': 'isolated', 'internal': False, 'enable_ipv6': True}, 'gateway_mode_ipv6',
     'isolated needs internal: true'),
    ({'driver': 'macvlan', 'gateway_mode_ipv4': 'routed'}, 'gateway_mode_ipv4', 'needs driver: bridge'),
    ({'driver': 'overlay', 'trusted_host_interfaces': ['eth0']}, 'trusted_host_interfaces', 'needs driver: bridge'),
    ({'driver': 'ipvlan', 'driver_options': {GW6: 'nat'}}, 'gateway_mode_ipv6', 'needs driver: bridge'),
    ({'gateway_mode_ipv6': 'routed', 'enable_ipv6': False}, 'gateway_mode_ipv6', 'needs IPv6'),
])
def test_what_the_engine_would_refuse_or_ignore_is_refused_naming_the_field(kw, field, says):
    msg = refused(**kw)
    assert msg.startswith(field + ':') and says in msg, msg


@pytest.mark.parametrize('names, index', [(['eth0', ''], 1), (['a' * 16], 0), (['eth0:1'], 0), (['e th'], 0)])
def test_a_bad_interface_name_is_refused_naming_it(names, index):
    with pytest.raises(ValidationError) as err:
        want(trusted_host_interfaces=names)
    assert err.value.path == 'trusted_host_interfaces[%d]' % index


def test_isolated_on_an_internal_network_is_valid():
    validate_want(want(gateway_mode_ipv4='isolated', gateway_mode_ipv6='isolated', internal=True, enable_ipv6=True))
