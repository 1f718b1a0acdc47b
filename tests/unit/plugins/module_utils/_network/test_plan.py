"""The planner's decision for each kind of change."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError
from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import compare, create_body, plan_network
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MANAGED_LABEL
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import network_from_inspect
from ansible_collections.netprov.dockernet.tests.support.network_data import have, rec, want


def steps_of(want_, have_, records, path=''):
    """plan_network's steps; it warns of nothing here."""
    steps, warnings = plan_network(want_, have_, records, path)
    assert warnings == []
    return steps


def actions(steps):
    return [(s['action'], s.get('container')) for s in steps]


def test_missing_network_is_created_then_containers_connected():
    steps = steps_of(want(containers=[{'name': 'web', 'aliases': ['www']}]), None, {})
    assert actions(steps) == [('create', None), ('connect', 'web')]
    assert steps[0]['body']['Labels'] == {MANAGED_LABEL: 'true'}
    assert steps[1]['endpoint'] == {'Aliases': ['www']}


def test_same_spec_is_nothing():
    w = want(labels={'team': 'a'}, ipam_config=[{'subnet': '198.18.1.0/24'}])
    assert actions(steps_of(w, have(), {})) == [('none', None)]


def test_gateway_the_engine_chose_is_not_a_change():
    assert compare(want(ipam_config=[{'subnet': '198.18.1.7/24'}]), have()) == []


def test_engine_labels_and_options_are_not_compared():
    h = have(Labels={MANAGED_LABEL: 'true', 'com.docker.compose.network': 'x'}, Options={'foo': 'bar'})
    assert compare(want(), h) == []


@pytest.mark.parametrize('kw, text', [
    ({'driver': 'macvlan'}, 'driver: bridge -> macvlan'),
    ({'internal': True}, 'internal: False -> True'),
    ({'labels': {'team': 'b'}}, 'labels.team: a -> b'),
    ({'mtu': 1400}, 'driver_options.com.docker.network.driver.mtu: unset -> 1400'),
    ({'ipam_config': [{'subnet': '198.18.2.0/24'}]}, 'ipam_config subnets: 198.18.1.0/24 -> 198.18.2.0/24'),
    ({'ipam_config': [{'subnet': '198.18.1.0/24', 'gateway': '198.18.1.254'}]},
     'ipam_config[198.18.1.0/24].gateway: 198.18.1.1 -> 198.18.1.254'),
])
def test_each_difference_is_named(kw, text):
    assert text in compare(want(**kw), have())


def test_recreate_of_an_empty_network_needs_no_permission():
    steps = steps_of(want(internal=True), have(), {})
    assert actions(steps) == [('recreate', None)]
    # What was not asked for is kept: the subnet and labels stay.
    body = steps[0]['body']
    assert body['Internal'] is True and body['IPAM']['Config'][0]['Subnet'] == '198.18.1.0/24'
    assert body['Labels']['team'] == 'a'


def test_recreate_with_containers_refused_by_default_naming_them():
    with pytest.raises(ConflictError) as err:
        steps_of(want(internal=True), have(['web', 'db']), {'web': rec('web'), 'db': rec('db')})
    assert 'web' in str(err.value) and 'db' in str(err.value) and 'recreate: reconnect' in str(err.value)


def test_reconnect_records_every_endpoint_exactly():
    records = {'web': rec('web', aliases=['www'], ipv4_address='198.18.1.10'), 'db': rec('db', links=['x:y'])}
    steps = steps_of(want(internal=True, recreate='reconnect'), have(['web', 'db']), records)
    assert actions(steps) == [('recreate', None)]
    assert steps[0]['reconnect'] == [
        {'container': 'db', 'endpoint': {'Links': ['x:y']}},
        {'container': 'web', 'endpoint': {'Aliases': ['www'], 'IPAMConfig': {'IPv4Address': '198.18.1.10'}}}]


def test_swarm_service_tasks_block_a_recreate():
    with pytest.raises(ConflictError) as err:
        steps_of(want(internal=True, recreate='reconnect'), have(['svc.1.x']),
                 {'svc.1.x': rec('svc.1.x', service='svc')})
    assert 'svc' in str(err.value) and 'services' in str(err.value)


def test_endpoint_changes_reconnect_one_container():
    steps = steps_of(want(containers=[{'name': 'web', 'aliases': ['api']}]), have(['web']),
                     {'web': rec('web', aliases=['www'])})
    assert actions(steps) == [('reconnect', 'web')]
    assert steps[0]['endpoint'] == {'Aliases': ['api']}


def test_containers_not_listed_stay_unless_exclusive():
    h = have(['web', 'db'])
    records = {'web': rec('web'), 'db': rec('db')}
    assert actions(steps_of(want(containers=[{'name': 'web'}]), h, records)) == [('none', None)]
    assert actions(steps_of(want(containers=[{'name': 'web'}], containers_exclusive=True), h, records)) == [
        ('disconnect', 'db')]


def test_absent_with_containers_needs_force():
    with pytest.raises(ConflictError):
        steps_of(want(state='absent'), have(['web']), {})
    assert actions(steps_of(want(state='absent', force=True), have(['web']), {})) == [
        ('disconnect', 'web'), ('remove', None)]
    assert actions(steps_of(want(state='absent'), None, {})) == [('none', None)]


def test_config_from_body_carries_nothing_the_engine_refuses():
    body = create_body(want(driver='macvlan', config_from='tmpl'))
    assert body['ConfigFrom'] == {'Network': 'tmpl'} and 'Labels' not in body and 'IPAM' not in body


def test_pools_the_engine_added_for_a_family_left_out_are_not_drift():
    # IPv6-only subnets: the engine adds an IPv4 pool (every engine); IPv6 without a subnet: Engine 27+ adds a ULA one.
    h = have(EnableIPv6=True, IPAM={'Driver': 'default', 'Config': [
        {'Subnet': '172.30.0.0/16', 'Gateway': '172.30.0.1'}, {'Subnet': '2001:db8:1::/64'}]})
    assert compare(want(enable_ipv6=True, ipam_config=[{'subnet': '2001:db8:1::/64'}]), h) == []
    h = have(EnableIPv6=True, IPAM={'Driver': 'default', 'Config': [
        {'Subnet': '198.18.1.0/24'}, {'Subnet': 'fd12:3456:789a::/64', 'Gateway': 'fd12:3456:789a::1'}]})
    assert compare(want(enable_ipv6=True, ipam_config=[{'subnet': '198.18.1.0/24'}]), h) == []
    # Within a family the user gave, the set is exact.
    assert compare(want(enable_ipv6=True, ipam_config=[{'subnet': '198.18.2.0/24'}]), h) == [
        'ipam_config subnets: 198.18.1.0/24 -> 198.18.2.0/24']


def test_a_recreate_keeps_the_pools_of_families_the_user_left_out():
    h = have(EnableIPv6=True, IPAM={'Driver': 'default', 'Config': [
        {'Subnet': '198.18.1.0/24'}, {'Subnet': 'fd12:3456:789a::/64'}]})
    body = create_body(want(internal=True, ipam_config=[{'subnet': '198.18.1.0/24', 'gateway': '198.18.1.1'}]), h)
    assert body['IPAM']['Config'] == [{'Subnet': '198.18.1.0/24', 'Gateway': '198.18.1.1'},
                                      {'Subnet': 'fd12:3456:789a::/64'}]
    # Turning IPv6 off drops the IPv6 pools.
    body = create_body(want(enable_ipv6=False), h)
    assert body['IPAM']['Config'] == [{'Subnet': '198.18.1.0/24'}] and body['EnableIPv6'] is False


def test_options_the_daemon_merged_are_not_compared_but_kept():
    # default-network-opts in daemon.json lands in every new network's options.
    h = have(Options={'com.docker.network.driver.mtu': '1400', 'com.docker.network.bridge.enable_icc': 'true'})
    assert compare(want(driver_options={'com.docker.network.bridge.enable_icc': 'true'}), h) == []
    assert create_body(want(internal=True), h)['Options']['com.docker.network.driver.mtu'] == '1400'


def test_a_recreate_does_not_pin_the_vxlan_id():
    h = have(Driver='overlay', Scope='swarm', Options={'com.docker.network.driver.overlay.vxlanid_list': '4097',
                                                       'encrypted': ''})
    body = create_body(want(attachable=True), h)
    assert body['Options'] == {'encrypted': ''}


def test_engine_owned_endpoints_never_block_or_get_disconnected():
    h_raw = {'lb-n1': {'Name': 'n1-endpoint'}, 'ep-abc': {'Name': 'svc.1.x'}}
    net = network_from_inspect({'Name': 'n1', 'Id': 'id1', 'Driver': 'overlay', 'Containers': h_raw})
    assert actions(steps_of(want(state='absent'), net, {})) == [('remove', None)]
    assert actions(steps_of(want(containers=[], containers_exclusive=True), net, {})) == [('none', None)]


@pytest.mark.parametrize('given, have_flag, change', [
    (None, False, False), (None, True, False), (True, True, False), (False, True, True), (True, False, True)])
def test_enable_ipv4_compared_only_when_set(given, have_flag, change):
    h = have(EnableIPv4=have_flag)
    assert bool(compare(want(enable_ipv4=given), h)) is change


def test_enable_ipv4_sent_when_set_or_kept_when_off():
    assert 'EnableIPv4' not in create_body(want())
    assert create_body(want(enable_ipv4=False))['EnableIPv4'] is False
    assert create_body(want(internal=True), have(EnableIPv4=False))['EnableIPv4'] is False
    assert 'EnableIPv4' not in create_body(want(internal=True), have())


def test_refusals_say_which_containers_are_not_running():
    h = have(['web'])
    h['endpoints']['db'] = {'id': 'x', 'ipv4': None, 'ipv6': None, 'mac': None, 'state': 'exited'}
    h['endpoints']['job'] = {'id': 'y', 'ipv4': None, 'ipv6': None, 'mac': None, 'state': 'created'}
    with pytest.raises(ConflictError) as err:
        steps_of(want(internal=True), h, {})
    assert 'db (exited), job (created, never started), web;' in str(err.value)


def test_containers_text_serves_any_caller_naming_members():
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import containers_text
    h = have(['web'])
    h['endpoints']['db'] = {'id': 'x', 'state': 'exited'}
    assert containers_text(h, ['db', 'web', 'gone']) == 'db (exited), web, gone'


# -- the Engine 27/28 network and endpoint options: compared, sent, kept

GW4 = 'com.docker.network.bridge.gateway_mode_ipv4'
GW6 = 'com.docker.network.bridge.gateway_mode_ipv6'
THI = 'com.docker.network.bridge.trusted_host_interfaces'
IFNAME = 'com.docker.network.endpoint.ifname'
SYSCTLS = 'com.docker.network.endpoint.sysctls'


@pytest.mark.parametrize('given, option', [
    ('nat', {}), ('nat', {GW4: 'nat'}), ('routed', {GW4: 'routed'})])
def test_nat_is_what_a_network_without_the_option_has(given, option):
    assert compare(want(gateway_mode_ipv4=given), have(Options=option)) == []


@pytest.mark.parametrize('given, option', [('routed', {}), ('nat', {GW4: 'routed'}), ('isolated', {GW4: 'nat'})])
def test_another_gateway_mode_is_a_change(given, option):
    changes = compare(want(gateway_mode_ipv4=given, internal=True), have(Options=option, Internal=True))
    assert changes == ['driver_options.%s: %s -> %s' % (GW4, option.get(GW4, 'unset'), given)]


def test_trusted_interfaces_compare_as_a_set_and_empty_is_none():
    assert compare(want(trusted_host_interfaces=['eth1', 'eth0']), have(Options={THI: 'eth0:eth1'})) == []
    assert compare(want(trusted_host_interfaces=['eth0', 'eth1']), have(Options={THI: 'eth1:eth0'})) == []
    assert compare(want(trusted_host_interfaces=[]), have()) == []
    assert compare(want(trusted_host_interfaces=[]), have(Options={THI: 'eth0'})) == [
        "driver_options.%s: eth0 -> ''" % THI]
    assert compare(want(trusted_host_interfaces=['eth0']), have()) == ['driver_options.%s: unset -> eth0' % THI]


def test_left_out_they_are_not_compared():
    assert compare(want(), have(Options={GW4: 'routed', THI: 'eth0'})) == []


def test_a_new_container_is_connected_with_its_settings():
    steps = steps_of(want(containers=[{'name': 'web', 'gw_priority': 5, 'interface_name': 'lan0',
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
    r = rec('web', aliases=['www'], **record)
    r['driver_opts'] = dict(r['driver_opts'], other='kept')
    steps = steps_of(want(containers=[dict(entry, name='web')]), have(['web']), {'web': r})
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
    steps = steps_of(want(containers=[dict(entry, name='web')]), have(['web']), {'web': rec('web', **record)})
    assert [s['action'] for s in steps] == ['none']


def test_a_reattach_that_would_lose_a_set_mac_is_refused_and_one_that_would_not_goes_ahead():
    from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError
    records = {'web': rec('web', mac='02:42:c6:13:00:99', mac_unrestorable='02:42:c6:13:00:99'), 'db': rec('db')}
    for w in (want(labels={'x': 'y'}, recreate='reconnect'), want(containers=[{'name': 'web', 'aliases': ['a']}])):
        with pytest.raises(ConflictError) as err:
            steps_of(w, have(['web', 'db']), records)
        assert 'web (02:42:c6:13:00:99) would lose the MAC address it was created with' in str(err.value)
        assert err.value.details['containers'] == ['web']
    steps = steps_of(want(labels={'x': 'y'}, recreate='reconnect', containers_exclusive=True,
                          containers=[{'name': 'db'}]), have(['web', 'db']), records)
    assert steps[0]['disconnect'] == ['web'], 'a container the task detaches on purpose is not refused'
