"""Every validation rule: the error names the field and the fix."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import normalise_want
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import network_from_inspect
from ansible_collections.netprov.dockernet.plugins.module_utils._network.validate import (
    rule_config_source, rule_containers_exist, rule_overlaps, validate_want)
from ansible_collections.netprov.dockernet.plugins.module_utils._network.hostcheck import needed_features


def refused(path_prefix, **kw):
    kw.setdefault('name', 'n1')
    with pytest.raises(ValidationError) as err:
        validate_want(normalise_want(kw), path_prefix)
    return str(err.value)


@pytest.mark.parametrize('kw, field', [
    ({'name': 'bridge'}, 'name'),
    ({'name': ' '}, 'name'),
    ({'driver': 'host'}, 'driver'),
    ({'driver': 'none'}, 'driver'),
    ({'encrypted': True}, 'encrypted'),
    ({'driver': 'bridge', 'macvlan_mode': 'vepa'}, 'macvlan_mode'),
    ({'driver': 'macvlan', 'ipvlan_mode': 'l3'}, 'ipvlan_mode'),
    ({'driver': 'macvlan', 'ipvlan_flag': 'private'}, 'ipvlan_flag'),
    ({'parent': 'eth1'}, 'parent'),
    ({'mtu': 20}, 'mtu'),
    ({'ipam_config': [{'gateway': '198.18.1.1'}]}, 'ipam_config[0].subnet'),
    ({'ipam_config': [{'subnet': '198.18.1.0/24', 'gateway': '198.18.2.1'}]}, 'ipam_config[0].gateway'),
    ({'ipam_config': [{'subnet': '198.18.1.0/24', 'iprange': '198.18.0.0/16'}]}, 'ipam_config[0].iprange'),
    ({'ipam_config': [{'subnet': '198.18.1.0/24', 'aux_addresses': {'a': '2001:db8::1'}}]},
     'ipam_config[0].aux_addresses.a'),
    ({'ipam_config': [{'subnet': '198.18.1.0/24'}, {'subnet': '198.18.1.0/25'}]}, 'ipam_config[1].subnet'),
    ({'enable_ipv6': False, 'ipam_config': [{'subnet': '2001:db8::/64'}]}, 'ipam_config[0].subnet'),
    ({'config_from': 'tmpl', 'ipam_config': [{'subnet': '198.18.1.0/24'}]}, 'config_from'),
    ({'config_from': 'tmpl', 'labels': {'a': 'b'}}, 'config_from'),
    ({'config_only': True, 'containers': [{'name': 'c'}]}, 'containers'),
    ({'containers': [{'name': 'c'}, {'name': 'c'}]}, 'containers[1].name'),
    ({'ipam_config': [{'subnet': '198.18.1.0/24'}], 'containers': [{'name': 'c', 'ipv4_address': '198.18.2.5'}]},
     'containers[0].ipv4_address'),
    ({'containers': [{'name': 'c', 'ipv4_address': '2001:db8::5'}]}, 'containers[0].ipv4_address'),
])
def test_rule_names_the_field(kw, field):
    assert refused('networks[3]', **kw).startswith('networks[3].%s:' % field)


def test_attachable_outside_overlay_only_warns():
    warnings = validate_want(normalise_want({'name': 'n', 'attachable': True}))
    assert warnings and 'attachable' in warnings[0]


def test_absent_skips_spec_rules():
    assert validate_want(normalise_want({'name': 'n', 'state': 'absent', 'encrypted': True})) == []


def _net(name, subnet, **kw):
    d = {'Name': name, 'Driver': 'bridge', 'IPAM': {'Config': [{'Subnet': subnet}]}}
    d.update(kw)
    return network_from_inspect(d)


def test_overlap_with_another_network_names_it():
    w = normalise_want({'name': 'n', 'ipam_config': [{'subnet': '198.18.1.128/25'}]})
    with pytest.raises(ValidationError) as err:
        rule_overlaps(w, [_net('other', '198.18.1.0/24')], 'networks[0]')
    assert str(err.value).startswith('networks[0].ipam_config[0].subnet:') and 'other' in str(err.value)
    # config-only templates and the network itself do not count
    rule_overlaps(w, [_net('tmpl', '198.18.1.0/24', ConfigOnly=True), _net('n', '198.18.1.0/24')], '')


def test_config_from_needs_a_config_only_network():
    w = normalise_want({'name': 'n', 'config_from': 'plain'})
    with pytest.raises(ValidationError, match='not a config-only'):
        rule_config_source(w, [_net('plain', '198.18.1.0/24')], '')
    with pytest.raises(ValidationError, match='does not exist'):
        rule_config_source(w, [], '')


def test_container_in_none_mode_is_refused():
    w = normalise_want({'name': 'n', 'containers': [{'name': 'c'}]})
    with pytest.raises(ValidationError, match='network mode none'):
        rule_containers_exist(w, {'c': {'HostConfig': {'NetworkMode': 'none'}}}, '')


@pytest.mark.parametrize('driver, options, features', [
    ('bridge', {}, []),
    ('macvlan', {'parent': 'eth1'}, ['macvlan']),
    ('macvlan', {}, ['macvlan', 'dummy']),
    ('ipvlan', {'parent': 'eth1.30'}, ['ipvlan', 'vlan']),
    ('overlay', {'encrypted': ''}, ['esp']),
])
def test_kernel_features_needed(driver, options, features):
    assert needed_features(driver, options) == features


@pytest.mark.parametrize('gateway, subnet, word', [
    ('198.18.0.0/24', '198.18.0.0/24', 'network'), ('198.18.0.0', '198.18.0.0/24', 'network'),
    ('198.18.0.255', '198.18.0.0/24', 'broadcast'), ('2001:db8::', '2001:db8::/64', 'network')])
def test_gateway_must_be_a_host_of_its_subnet(gateway, subnet, word):
    text = refused('', enable_ipv6=True, ipam_config=[{'subnet': subnet, 'gateway': gateway}])
    assert text.startswith('ipam_config[0].gateway:') and word in text and 'such as' in text


def test_gateway_host_address_and_tiny_subnets_are_fine():
    for subnet, gateway in (('198.18.0.0/24', '198.18.0.1/24'), ('198.18.0.0/31', '198.18.0.0')):
        validate_want(normalise_want({'name': 'n', 'ipam_config': [{'subnet': subnet, 'gateway': gateway}]}))


@pytest.mark.parametrize('value', ['false', False, 'no', ''])
def test_the_ownership_label_is_the_collections(value):
    text = refused('networks[1]', labels={'netprov.dockernet.managed': value})
    assert text.startswith('networks[1].labels.netprov.dockernet.managed:') and 'purge' in text


def test_the_ownership_label_as_true_is_fine():
    validate_want(normalise_want({'name': 'n', 'labels': {'netprov.dockernet.managed': 'true'}}))


def _want(**kw):
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import normalise_want
    kw.setdefault('name', 'n1')
    return normalise_want(kw)


@pytest.mark.parametrize('body, light', [
    ({'Driver': 'bridge', 'Options': {}}, None),                           # would create a bridge
    ({'Driver': 'overlay', 'Options': {}}, None),                          # an unencrypted overlay
    (None, {'driver': 'bridge', 'encrypted': False}),                      # an existing bridge, unchanged
])
def test_verify_on_what_is_not_an_encrypted_overlay_is_refused_before_anything_is_touched(body, light):
    # docker_network with verify: true on a bridge created the bridge, then failed (the fuzzer's unasked change).
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.validate import rule_verify
    steps = [{'action': 'create', 'subject': 'n1', 'reason': 'r', 'body': body}] if body else \
        [{'action': 'none', 'subject': 'n1', 'reason': 'r'}]
    with pytest.raises(ValidationError) as err:
        rule_verify(_want(verify=True), steps, light, 'networks[0]')
    assert str(err.value).startswith('networks[0].verify: ')


def test_verify_on_an_encrypted_overlay_passes():
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.validate import rule_verify
    steps = [{'action': 'create', 'subject': 'n1', 'reason': 'r',
              'body': {'Driver': 'overlay', 'Options': {'encrypted': ''}}}]
    rule_verify(_want(verify=True), steps, None, '')
    rule_verify(_want(verify=True), [{'action': 'none', 'subject': 'n1', 'reason': 'r'}],
                {'driver': 'overlay', 'encrypted': True}, '')


@pytest.mark.parametrize('kw, field', [
    ({'enable_ipv4': False}, 'enable_ipv4'),
    ({'enable_ipv4': False, 'enable_ipv6': False}, 'enable_ipv4'),
    ({'enable_ipv4': False, 'ipam_config': [{'subnet': '2001:db8::/64'}, {'subnet': '198.18.1.0/24'}]},
     'ipam_config[1].subnet'),
])
def test_an_ipv6_only_network_needs_ipv6_and_no_ipv4_subnet(kw, field):
    assert refused('', **kw).startswith(field + ':')


def test_an_ipv6_only_network_is_valid():
    validate_want(normalise_want({'name': 'n1', 'enable_ipv4': False, 'ipam_config': [{'subnet': '2001:db8::/64'}]}))
    validate_want(normalise_want({'name': 'n1', 'enable_ipv4': False, 'enable_ipv6': True}))


# -- the Engine 27/28 bridge options

GW4 = 'com.docker.network.bridge.gateway_mode_ipv4'
GW6 = 'com.docker.network.bridge.gateway_mode_ipv6'
THI = 'com.docker.network.bridge.trusted_host_interfaces'
IFNAME = 'com.docker.network.endpoint.ifname'
SYSCTLS = 'com.docker.network.endpoint.sysctls'


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
    msg = refused('', **kw)
    assert msg.startswith(field + ':') and says in msg, msg


def test_isolated_on_an_internal_network_is_valid():
    validate_want(_want(gateway_mode_ipv4='isolated', gateway_mode_ipv6='isolated', internal=True, enable_ipv6=True))
