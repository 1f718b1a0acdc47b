"""The Engine 27/28 network options as first-class options: normalised, validated, compared and sent."""
import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import compare, create_body
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import (
    MANAGED_LABEL, network_options, normalise_have, normalise_want)
from ansible_collections.netprov.dockernet.plugins.module_utils._network.validate import validate_want

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


# -- per container on a network -------------------------------------------------------

IFNAME = 'com.docker.network.endpoint.ifname'
SYSCTLS = 'com.docker.network.endpoint.sysctls'


def cid(name):
    return (name.encode().hex() * 64)[:64]


def rec(name, **kw):
    r = {'container': name, 'aliases': [], 'links': [], 'ipv4_address': None, 'ipv6_address': None,
         'link_local_ips': [], 'mac': None, 'gw_priority': None, 'driver_opts': {}, 'service': None}
    r.update(kw)
    return r


def attached(*names):
    return have(Containers=dict((cid(c), {'Name': c, 'IPv4Address': '198.18.1.%d/24' % (10 + i)})
                                for i, c in enumerate(names)))


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


def test_a_new_container_is_connected_with_its_settings():
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import plan_network
    steps = plan_network(want(containers=[{'name': 'web', 'gw_priority': 5, 'interface_name': 'lan0',
                                           'sysctls': {'net.ipv4.conf.IFNAME.forwarding': '1'}}]), None, {})
    assert steps[1]['endpoint'] == {'GwPriority': 5, 'DriverOpts': {
        IFNAME: 'lan0', SYSCTLS: 'net.ipv4.conf.IFNAME.forwarding=1'}}


@pytest.mark.parametrize('entry, record, reason', [
    ({'gw_priority': 5}, {}, 'gw_priority: 0 -> 5'),
    ({'gw_priority': 0}, {'gw_priority': 3}, 'gw_priority: 3 -> 0'),
    ({'interface_name': 'lan0'}, {'driver_opts': {IFNAME: 'lan1'}}, 'interface_name: lan1 -> lan0'),
    ({'sysctls': {'net.ipv4.conf.IFNAME.forwarding': '1'}}, {},
     "sysctls: {} -> {'net.ipv4.conf.IFNAME.forwarding': '1'}"),
    ({'sysctls': {}}, {'driver_opts': {SYSCTLS: 'net.ipv4.conf.IFNAME.forwarding=1'}},
     "sysctls: {'net.ipv4.conf.IFNAME.forwarding': '1'} -> {}"),
    ({'mac_address': '02:42:c6:13:00:0b'}, {'mac': '02:42:c6:13:00:0a'}, 'mac_address: 02:42:c6:13:00:0a -> 02:42:c6:13:00:0b'),
])
def test_a_changed_endpoint_setting_is_a_reconnect_keeping_the_rest(entry, record, reason):
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import plan_network
    r = rec('web', aliases=['www'], **record)
    r['driver_opts'] = dict(r['driver_opts'], other='kept')
    steps = plan_network(want(containers=[dict(entry, name='web')]), attached('web'), {'web': r})
    assert [(s['action'], s['reason']) for s in steps] == [('reconnect', reason)]
    assert steps[0]['endpoint']['Aliases'] == ['www'] and steps[0]['endpoint']['DriverOpts']['other'] == 'kept'


@pytest.mark.parametrize('entry, record', [
    ({'gw_priority': 5}, {'gw_priority': 5}),
    ({'gw_priority': 0}, {}),
    ({'interface_name': 'lan0'}, {'driver_opts': {IFNAME: 'lan0'}}),
    ({'sysctls': {'net.ipv4.conf.IFNAME.forwarding': '1', 'net.ipv4.conf.IFNAME.log_martians': '1'}},
     {'driver_opts': {SYSCTLS: 'net.ipv4.conf.ifname.log_martians=1,net.ipv4.conf.IFNAME.forwarding=1'}}),
    ({'sysctls': {}}, {}),
    ({'mac_address': '02:42:C6:13:00:0A'}, {'mac': '02:42:c6:13:00:0a'}),
])
def test_an_endpoint_as_wanted_is_no_change(entry, record):
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import plan_network
    steps = plan_network(want(containers=[dict(entry, name='web')]), attached('web'), {'web': rec('web', **record)})
    assert [s['action'] for s in steps] == ['none']


def _container(ep, name='web', mode='default', config_mac=None, running=True):
    status = 'running' if running else 'exited'
    return {'Id': cid(name), 'Name': '/' + name, 'State': {'Running': running, 'Status': status},
            'Config': {'Labels': {}, 'MacAddress': config_mac}, 'HostConfig': {'NetworkMode': mode},
            'NetworkSettings': {'Networks': {'n1': dict({'NetworkID': 'id1'}, **ep)}}}


class _Engine(object):
    is_local = False

    def __init__(self, api, info):
        self.api_version = api
        self.info = info

    def networks(self):
        return []

    def inspect_container(self, ident):
        return self.info


def _record(api, info):
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.core import EngineState
    return EngineState(_Engine(api, info)).record(info, 'n1', 'id1')


@pytest.mark.parametrize('api, sent', [('1.41', False), ('1.44', False), ('1.51', False), ('1.53', False),
                                       ('1.54', True), ('1.55', True), (None, False)])
def test_the_mac_is_sent_back_only_where_a_network_connect_sets_it(api, sent):
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import endpoint_config
    r = _record(api, _container({'MacAddress': '02:42:c6:12:01:0a', 'IPAddress': '198.18.1.10', 'GwPriority': 10}))
    assert r['mac'] == '02:42:c6:12:01:0a'
    cfg = endpoint_config(r)
    assert (cfg.get('MacAddress') == '02:42:c6:12:01:0a') is sent
    assert cfg['GwPriority'] == 10   # an engine that reports one takes it back


@pytest.mark.parametrize('api, info, lost', [
    # created with a MAC on the network it was created on: Config.MacAddress shows it
    ('1.51', _container({'MacAddress': '02:42:c6:13:00:99', 'IPAddress': '198.18.1.10'}, mode='n1',
                        config_mac='02:42:c6:13:00:99'), '02:42:c6:13:00:99'),
    # ... stopped: the endpoint shows no MAC, and gets that one when it starts
    ('1.51', _container({'MacAddress': ''}, mode='n1', config_mac='02:42:c6:13:00:99', running=False),
     '02:42:c6:13:00:99'),
    # ... after a reconnect gave it another, Config.MacAddress still says the old one: already gone
    ('1.51', _container({'MacAddress': '5a:11:22:33:44:55', 'IPAddress': '198.18.1.10'}, mode='n1',
                        config_mac='02:42:c6:13:00:99'), None),
    # another network than the one it was created on: not shown as set on 28.x (random MACs there) ...
    ('1.51', _container({'MacAddress': '02:42:c6:13:00:99', 'IPAddress': '198.18.1.10'}), None),
    # ... but before Engine 28 a MAC the engine chose is derived from the address
    ('1.45', _container({'MacAddress': '02:42:c6:13:00:99', 'IPAddress': '198.18.1.10'}), '02:42:c6:13:00:99'),
    ('1.45', _container({'MacAddress': '02:42:c6:12:01:0a', 'IPAddress': '198.18.1.10'}), None),
    # Engine 20.10 gives it back itself; 29.3 takes it in the connect
    ('1.41', _container({'MacAddress': '02:42:c6:13:00:99', 'IPAddress': '198.18.1.10'}, mode='n1',
                        config_mac='02:42:c6:13:00:99'), None),
    ('1.54', _container({'MacAddress': '02:42:c6:13:00:99', 'IPAddress': '198.18.1.10'}, mode='n1',
                        config_mac='02:42:c6:13:00:99'), None),
])
def test_a_mac_set_at_create_that_a_connect_cannot_give_back_is_known(api, info, lost):
    assert _record(api, info)['mac_unrestorable'] == lost


def test_a_reattach_that_would_lose_a_set_mac_is_refused_and_one_that_would_not_goes_ahead():
    from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import plan_network
    records = {'web': rec('web', mac='02:42:c6:13:00:99', mac_unrestorable='02:42:c6:13:00:99'), 'db': rec('db')}
    for w in (want(labels={'x': 'y'}, recreate='reconnect'), want(containers=[{'name': 'web', 'aliases': ['a']}])):
        with pytest.raises(ConflictError) as err:
            plan_network(w, attached('web', 'db'), records)
        assert 'web (02:42:c6:13:00:99) would lose the MAC address it was created with' in str(err.value)
        assert err.value.details['containers'] == ['web']
    steps = plan_network(want(labels={'x': 'y'}, recreate='reconnect', containers_exclusive=True,
                              containers=[{'name': 'db'}]), attached('web', 'db'), records)
    assert steps[0]['disconnect'] == ['web'], 'a container the task detaches on purpose is not refused'


@pytest.mark.parametrize('api', ['1.41', '1.51', '1.53'])
def test_a_wanted_mac_in_a_connect_is_refused_where_the_connect_ignores_it(api):
    from ansible_collections.netprov.dockernet.plugins.module_utils._network import gates
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import plan_network
    w = want(containers=[{'name': 'a'}, {'name': 'web', 'mac_address': '02:42:c6:13:00:99'}])
    steps = plan_network(w, attached('a'), {'a': rec('a')})
    with pytest.raises(ValidationError) as err:
        gates.refuse_connect_mac(w, steps, api)
    assert str(err.value).startswith('containers[1].mac_address: mac_address in a network connect needs Engine 29.3 '
                                     '(API 1.54); this engine speaks %s;' % api)
    gates.refuse_connect_mac(w, steps, '1.54')
    # one the container already has is no connect
    same = plan_network(w, attached('a', 'web'), {'a': rec('a'), 'web': rec('web', mac='02:42:c6:13:00:99')})
    gates.refuse_connect_mac(w, same, api)


def test_the_hand_restore_command_and_description_carry_the_new_settings():
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.core import connect_command, describe_record
    r = rec('web', gw_priority=5, mac='02:42:c6:13:00:99', mac_derived=False, mac_unrestorable=None,
            driver_opts={IFNAME: 'lan0'})
    assert connect_command('web', 'n1', r) == 'docker network connect --gw-priority 5 --driver-opt %s=lan0 n1 web' % IFNAME
    assert describe_record(r) == 'mac 02:42:c6:13:00:99; gw_priority 5; driver_opts %s=lan0' % IFNAME
