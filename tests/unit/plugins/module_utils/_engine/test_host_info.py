"""docker_host_info's shaping: recorded /version, /info, bridge and container answers -> the module's result."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest
import yaml

from ansible_collections.netprov.dockernet.plugins.module_utils._engine import host_info as _host_info
from ansible_collections.netprov.dockernet.plugins.modules import docker_host_info

# Recorded from Engine 20.10.24 on this project's machines (trimmed to what matters).
VERSION_2010 = {
    'Platform': {'Name': ''},
    'Version': '20.10.24+dfsg1', 'ApiVersion': '1.41', 'MinAPIVersion': '1.12', 'GitCommit': '5d6db84',
    'GoVersion': 'go1.19.8', 'Os': 'linux', 'Arch': 'amd64', 'KernelVersion': '6.18.44-fc-v669',
}
INFO_2010 = {
    'ID': '3HJ5:HGVE:XNVG:7LE2:IDRX:MGHQ:ZZHF:IHYK:E4RF:UGRP:EWDK:SPZJ',
    'Containers': 5, 'ContainersRunning': 3, 'ContainersPaused': 1, 'ContainersStopped': 1,
    'Plugins': {'Volume': ['local'], 'Network': ['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'],
                'Authorization': None, 'Log': ['json-file']},
    'IPv4Forwarding': True, 'BridgeNfIptables': True, 'BridgeNfIp6tables': True,
    'CgroupDriver': 'cgroupfs', 'CgroupVersion': '1', 'KernelVersion': '6.18.44-fc-v669',
    'OperatingSystem': 'Debian GNU/Linux 12 (bookworm)', 'OSType': 'linux', 'Architecture': 'x86_64',
    'DockerRootDir': '/var/lib/docker', 'Name': 'vm', 'ServerVersion': '20.10.24+dfsg1',
    'Swarm': {'NodeID': '', 'NodeAddr': '', 'LocalNodeState': 'inactive', 'ControlAvailable': False,
              'Error': '', 'RemoteManagers': None},
    'LiveRestoreEnabled': False,
    'DefaultAddressPools': [{'Base': '198.19.128.0/17', 'Size': 24}],
    'Warnings': None,
}
BRIDGE_2010 = {
    'Name': 'bridge', 'Id': 'dd0521cd56018fab189509ef5a4c18a90e66351b527b543ffac2686cdf617316',
    'Created': '2026-11-25T12:02:51.167180017Z', 'Scope': 'local', 'Driver': 'bridge', 'EnableIPv6': False,
    'IPAM': {'Driver': 'default', 'Options': None,
             'Config': [{'Subnet': '198.19.255.0/24', 'Gateway': '198.19.255.1'}]},
    'Internal': False, 'Attachable': False, 'Ingress': False, 'ConfigFrom': {'Network': ''}, 'ConfigOnly': False,
    'Containers': {},
    'Options': {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        'com.docker.network.bridge.name': 'docker0',
        'com.docker.network.driver.mtu': '1500',
    },
    'Labels': {},
}
CONTAINER = {
    'Id': 'a1b2c3d4e5f6' + '0' * 52,
    'Name': '/web',
    'State': {'Status': 'running', 'Running': True},
    'Config': {'Labels': {}},
    'NetworkSettings': {'Networks': {
        'bridge': {'IPAMConfig': None, 'Aliases': None, 'IPAddress': '198.19.255.2', 'GlobalIPv6Address': '',
                   'MacAddress': '02:42:c6:13:ff:02'},
        'backend': {'IPAMConfig': {'IPv4Address': '198.18.40.10'}, 'Aliases': ['web', 'a1b2c3d4e5f6', 'www'],
                    'IPAddress': '198.18.40.10', 'GlobalIPv6Address': 'fd00:40::10',
                    'MacAddress': '02:42:c6:12:28:0a'},
    }},
}


def info(**changes):
    out = copy.deepcopy(INFO_2010)
    out.update(changes)
    return out


def test_engine_from_version_and_info():
    assert _host_info.engine_facts(VERSION_2010, INFO_2010) == {
        'version': '20.10.24+dfsg1', 'api_version': '1.41', 'min_api_version': '1.12', 'os': 'linux',
        'arch': 'amd64', 'kernel_version': '6.18.44-fc-v669', 'operating_system': 'Debian GNU/Linux 12 (bookworm)',
        'name': 'vm', 'id': INFO_2010['ID'], 'root_dir': '/var/lib/docker', 'cgroup_driver': 'cgroupfs',
        'cgroup_version': '1', 'client_api_version': None,
    }


def test_engine_falls_back_to_info_when_version_lacks_a_field():
    facts = _host_info.engine_facts({'ApiVersion': '1.41'}, INFO_2010)
    assert (facts['version'], facts['os'], facts['arch'], facts['kernel_version']) == (
        '20.10.24+dfsg1', 'linux', 'x86_64', '6.18.44-fc-v669')
    assert facts['min_api_version'] is None


def test_engine_from_nothing_is_all_null():
    assert set(_host_info.engine_facts(None, None).values()) == {None}


def test_networking_on_a_2010_engine():
    net = _host_info.networking_facts(INFO_2010, BRIDGE_2010)
    assert net['live_restore'] is False
    assert net['swarm'] == {'local_node_state': 'inactive', 'node_id': None, 'node_addr': None, 'is_manager': False}
    assert net['default_address_pools'] == [{'base': '198.19.128.0/17', 'size': 24}]
    assert net['network_drivers'] == ['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay']
    assert net['ipv4_forwarding'] is True and net['bridge_nf_iptables'] is True
    assert net['warnings_engine'] == []
    bridge = net['bridge']
    assert (bridge['interface'], bridge['subnet'], bridge['gateway'], bridge['mtu']) == (
        'docker0', '198.19.255.0/24', '198.19.255.1', 1500)
    assert bridge['enable_icc'] is True and bridge['enable_ip_masquerade'] is True
    assert (bridge['enable_ipv6'], bridge['ipv6_subnet'], bridge['ipv6_gateway']) == (False, None, None)
    assert net['ipv6'] == {'bridge_enabled': False, 'bridge_subnet': None, 'bridge_gateway': None,
                           'bridge_nf_ip6tables': True}


def test_address_pools_missing_is_null_not_empty():
    raw = info()
    del raw['DefaultAddressPools']
    assert _host_info.networking_facts(raw, BRIDGE_2010)['default_address_pools'] is None
    assert _host_info.networking_facts(info(DefaultAddressPools=[]), BRIDGE_2010)['default_address_pools'] == []


def test_live_restore_and_a_swarm_manager():
    raw = info(LiveRestoreEnabled=True, Swarm={'NodeID': 'n1abc', 'NodeAddr': '198.18.40.1',
                                               'LocalNodeState': 'active', 'ControlAvailable': True})
    net = _host_info.networking_facts(raw, BRIDGE_2010)
    assert net['live_restore'] is True
    assert net['swarm'] == {'local_node_state': 'active', 'node_id': 'n1abc', 'node_addr': '198.18.40.1',
                            'is_manager': True}


def test_a_worker_is_not_a_manager():
    raw = info(Swarm={'NodeID': 'w1', 'NodeAddr': '198.18.40.2', 'LocalNodeState': 'active',
                      'ControlAvailable': False})
    assert _host_info.swarm_facts(raw)['is_manager'] is False


def test_engine_warnings_are_returned_as_worded():
    words = ['WARNING: IPv4 forwarding is disabled', 'WARNING: bridge-nf-call-iptables is disabled']
    net = _host_info.networking_facts(info(Warnings=words, IPv4Forwarding=False, BridgeNfIptables=False),
                                      BRIDGE_2010)
    assert net['warnings_engine'] == words
    assert net['ipv4_forwarding'] is False and net['bridge_nf_iptables'] is False


def test_ipv6_bridge():
    raw = copy.deepcopy(BRIDGE_2010)
    raw['EnableIPv6'] = True
    raw['IPAM']['Config'] = [{'Subnet': 'fd00:dead:beef::/64', 'Gateway': 'fd00:dead:beef::1'},
                             {'Subnet': '198.19.255.0/24', 'Gateway': '198.19.255.1'}]
    net = _host_info.networking_facts(INFO_2010, raw)
    assert (net['bridge']['subnet'], net['bridge']['gateway']) == ('198.19.255.0/24', '198.19.255.1')
    assert net['ipv6']['bridge_enabled'] is True
    assert (net['ipv6']['bridge_subnet'], net['ipv6']['bridge_gateway']) == ('fd00:dead:beef::/64',
                                                                             'fd00:dead:beef::1')


def test_bridge_without_mtu_option_or_gateway():
    raw = copy.deepcopy(BRIDGE_2010)
    del raw['Options']['com.docker.network.driver.mtu']
    del raw['Options']['com.docker.network.bridge.enable_icc']
    raw['IPAM']['Config'] = [{'Subnet': '198.19.255.0/24'}]
    bridge = _host_info.bridge_facts(raw)
    assert bridge['mtu'] is None and bridge['gateway'] is None and bridge['enable_icc'] is None


def test_no_default_bridge():
    net = _host_info.networking_facts(info(), None)
    assert net['bridge'] is None
    assert net['ipv6']['bridge_enabled'] is None and net['ipv6']['bridge_nf_ip6tables'] is True


def test_old_engine_without_plugins_or_swarm():
    raw = info()
    for key in ('Plugins', 'Swarm', 'DefaultAddressPools', 'Warnings', 'LiveRestoreEnabled'):
        del raw[key]
    net = _host_info.networking_facts(raw, BRIDGE_2010)
    assert net['network_drivers'] == [] and net['warnings_engine'] == [] and net['live_restore'] is False
    assert net['swarm']['local_node_state'] == 'inactive'


def test_counts():
    assert _host_info.container_counts(INFO_2010) == {'total': 5, 'running': 3, 'paused': 1, 'stopped': 1}
    assert _host_info.container_counts({}) == {'total': 0, 'running': 0, 'paused': 0, 'stopped': 0}


def test_container_entry_names_each_network_with_addresses_and_user_aliases():
    assert _host_info.container_entry(CONTAINER) == {
        'id': CONTAINER['Id'], 'name': 'web', 'state': 'running',
        'networks': {
            'backend': {'ipv4': '198.18.40.10', 'ipv6': 'fd00:40::10', 'aliases': ['web', 'www'],
                        'mac': '02:42:c6:12:28:0a'},
            'bridge': {'ipv4': '198.19.255.2', 'ipv6': None, 'aliases': [], 'mac': '02:42:c6:13:ff:02'},
        },
    }


def test_container_without_networks():
    bare = {'Id': 'f' * 64, 'Name': '/solo', 'State': {'Status': 'running'}, 'NetworkSettings': {'Networks': None}}
    assert _host_info.container_entry(bare)['networks'] == {}


def test_describe_lists_containers_only_when_asked():
    plain = _host_info.describe(VERSION_2010, INFO_2010, BRIDGE_2010)
    assert sorted(plain) == ['containers', 'engine', 'networking']
    assert 'list' not in plain['containers']
    other = dict(copy.deepcopy(CONTAINER), Name='/api', Id='b' * 64)
    listed = _host_info.describe(VERSION_2010, INFO_2010, BRIDGE_2010, [CONTAINER, other])
    assert [c['name'] for c in listed['containers']['list']] == ['api', 'web']
    assert _host_info.describe(VERSION_2010, INFO_2010, BRIDGE_2010, [])['containers']['list'] == []


def test_documented_return_keys_match_the_result():
    """RETURN documents every key the module returns, at every level, and nothing it does not."""
    ret = yaml.safe_load(docker_host_info.RETURN)
    result = _host_info.describe(VERSION_2010, INFO_2010, BRIDGE_2010, [CONTAINER])
    result.update(changed=False, plan=[])

    def check(doc, value, path):
        assert sorted(doc) == sorted(value), path
        for key, sub in doc.items():
            if 'contains' in sub and isinstance(value[key], dict):
                check(sub['contains'], value[key], path + '.' + key)

    documented = dict(ret)
    documented['changed'] = {}
    check(documented, result, 'result')


def test_documented_options_match_the_argument_spec():
    documented = yaml.safe_load(docker_host_info.DOCUMENTATION)['options']
    assert documented == {'containers': {
        'description': documented['containers']['description'], 'type': 'bool', 'default': False}}


def test_the_api_range_and_the_version_the_client_speaks():
    facts = _host_info.engine_facts({'ApiVersion': '1.51', 'MinAPIVersion': '1.24'}, INFO_2010, '1.51')
    assert (facts['min_api_version'], facts['api_version'], facts['client_api_version']) == ('1.24', '1.51', '1.51')
    assert _host_info.describe(VERSION_2010, INFO_2010, BRIDGE_2010, client_api_version='1.41')['engine'][
        'client_api_version'] == '1.41'


@pytest.mark.parametrize('raw, facts', [
    (None, None),
    ({'Driver': 'iptables'}, {'driver': 'iptables', 'info': {}}),
    ({'Driver': 'iptables+firewalld', 'Info': [['ReloadedAt', '2026-01-01T00:00:00Z']]},
     {'driver': 'iptables+firewalld', 'info': {'ReloadedAt': '2026-01-01T00:00:00Z'}}),
    ({'Driver': 'nftables'}, {'driver': 'nftables', 'info': {}}),
])
def test_the_firewall_backend_as_engine_28_1_reports_it(raw, facts):
    """FirewallBackend is in /info from API 1.49 (Engine 28.1); older engines report none: null, not a guess."""
    raw_info = info(FirewallBackend=raw) if raw is not None else info()
    assert _host_info.networking_facts(raw_info, BRIDGE_2010)['firewall_backend'] == facts
