"""The preflight role's checks (plugins/plugin_utils/_preflight.py, the preflight_verdict filter): pure tables."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netprov.dockernet.plugins.filter.preflight_verdict import preflight_verdict
from ansible_collections.netprov.dockernet.plugins.plugin_utils import _preflight as pc

CAPS_NO_ESP = {'capabilities': {'macvlan': True, 'ipvlan': False, 'vlan': False, 'vxlan': True, 'esp': False,
                                'ipvs': False, 'bridge': True, 'veth': True, 'dummy': False},
               'missing_capabilities': {'ipvlan': 'ipvlan: not supported', 'esp': 'ESP: not supported',
                                        'vlan': 'vlan: not supported'}}
LINKS = [{'name': 'eth0', 'state': 'up', 'mtu': 1500, 'addresses': ['198.18.224.11/24']},
         {'name': 'eth1', 'state': 'down', 'mtu': 1500, 'addresses': []},
         {'name': 'docker0', 'state': 'up', 'mtu': 1500, 'addresses': ['198.18.232.1/24']}]
ROUTES = [{'dest': 'default', 'dev': 'eth0', 'gateway': '198.18.224.1'},
          {'dest': '198.18.224.0/24', 'dev': 'eth0'},
          {'dest': '198.18.232.0/24', 'dev': 'docker0'},
          {'dest': '10.20.0.0/16', 'dev': 'eth0', 'gateway': '198.18.224.1'}]
INFO = dict(CAPS_NO_ESP, links=LINKS, routes=ROUTES, default_route_links=['eth0'])
ENGINE = {'reachable': True, 'version': '20.10.24+dfsg1'}


def facts(**kw):
    base = {'host': 'h1', 'network_info': INFO, 'engine': ENGINE, 'engine_networks': [], 'listeners': [],
            'in_swarm': False}
    base.update(kw)
    return base


def test_clean_inventory_has_no_problem():
    want = {'bip': '198.18.232.1/24', 'networks': [
        {'name': 'app', 'ipam_config': [{'subnet': '198.18.234.0/24'}]},
        {'name': 'lan', 'driver': 'macvlan', 'parent': 'eth0', 'ipam_config': [{'subnet': '198.18.224.0/24'}]}]}
    assert pc.preflight_problems(facts(), want) == []


def test_missing_kernel_features_name_the_item_and_the_feature():
    want = {'swarm': True, 'networks': [{'name': 'l2', 'driver': 'ipvlan', 'parent': 'eth0'},
                                        {'name': 'v', 'driver': 'macvlan', 'parent': 'eth0.30'}],
            'swarm_networks': [{'name': 'sec', 'encrypted': True, 'mtu': 1400}]}
    problems = pc.preflight_problems(facts(), want)
    assert any("kernel lacks ipvlan, needed by networks_networks[0] 'l2'" in p for p in problems)
    assert any("kernel lacks vlan, needed by networks_networks[1] 'v'" in p for p in problems)
    assert any("kernel lacks esp, needed by swarm_networks[0] 'sec' (encrypted overlay)" in p for p in problems)
    assert all(p.startswith('h1: ') for p in problems)


def test_parents_must_exist_and_be_up_unless_declared():
    want = {'networks': [{'name': 'a', 'driver': 'macvlan', 'parent': 'eth9'},
                         {'name': 'b', 'driver': 'macvlan', 'parent': 'eth1'},
                         {'name': 'c', 'driver': 'macvlan', 'parent': 'eth2'}],
            'links': [{'name': 'eth2', 'kind': 'dummy', 'state': 'up'}]}
    problems = pc.check_parents(want, INFO)
    assert problems == ["networks_networks[0] 'a': parent eth9 does not exist on the host and is not in interfaces_links",
                        "networks_networks[1] 'b': parent eth1 is down (declare it in interfaces_links with state up)"]


def test_overlaps_between_requests_routes_external_ranges_and_engine_networks():
    want = {'bip': '198.18.232.1/24', 'swarm': True, 'swarm_gwbridge_subnet': '198.18.233.0/24',
            'networks': [{'name': 'x', 'ipam_config': [{'subnet': '10.20.5.0/24'}]},
                         {'name': 'y', 'ipam_config': [{'subnet': '198.18.232.128/25'}]},
                         {'name': 'z', 'ipam_config': [{'subnet': '172.31.0.0/24'}]}],
            'external_ranges': [{'name': 'vpn', 'cidr': '172.31.0.0/16'}]}
    existing = [{'name': 'ingress', 'ipam_config': [{'subnet': '198.18.233.0/24'}]},
                {'name': 'docker_gwbridge', 'ipam_config': [{'subnet': '198.18.233.0/24'}]}]
    problems = pc.check_ranges(want, ROUTES, existing)
    assert "networks_networks[0] 'x' ipam_config[0].subnet 10.20.5.0/24 overlaps the host route 10.20.0.0/16 dev eth0" in problems
    assert "engine_bip 198.18.232.0/24 overlaps networks_networks[1] 'y' ipam_config[0].subnet 198.18.232.128/25" in problems
    assert "networks_networks[2] 'z' ipam_config[0].subnet 172.31.0.0/24 overlaps the external range 'vpn' 172.31.0.0/16" in problems
    assert "swarm_gwbridge_subnet 198.18.233.0/24 overlaps the engine's existing network 'ingress' 198.18.233.0/24" in problems
    assert not any('docker_gwbridge' in p for p in problems)
    # The engine's own bridge routes are not in the way (second run).
    assert not any('dev docker0' in p for p in problems)


def test_swarm_ports_free_or_the_engines_own():
    lines = ['tcp LISTEN 0 4096 *:2377 *:* users:(("dockerd",pid=7,fd=3))',
             'udp UNCONN 0 0 0.0.0.0:7946 0.0.0.0:* users:(("serf",pid=9,fd=3))',
             'udp UNCONN 0 0 0.0.0.0:4789 0.0.0.0:*']
    listeners = pc.parse_listeners(lines)
    assert listeners == [('tcp', 2377, 'dockerd'), ('udp', 7946, 'serf'), ('udp', 4789, None)]
    want = {'swarm': True, 'swarm_manager': True}
    assert pc.check_ports(want, listeners, in_swarm=False) == [
        'swarm port 7946/udp is taken by serf', 'swarm port 4789/udp is taken by a kernel socket (another VXLAN?)']
    assert pc.check_ports(want, listeners, in_swarm=True) == ['swarm port 7946/udp is taken by serf']


def test_overlay_mtu_against_the_underlay():
    info = dict(INFO, links=[dict(LINKS[0], mtu=1400)])
    want = {'swarm': True, 'swarm_advertise_addr': '198.18.224.11',
            'swarm_networks': [{'name': 'plain'}, {'name': 'ok', 'mtu': 1350}, {'name': 'sec', 'encrypted': True, 'mtu': 1350}]}
    problems = pc.check_mtu(want, info)
    assert len(problems) == 2
    assert "swarm_networks[0] 'plain': MTU 1450" in problems[0] and 'set mtu: 1350' in problems[0]
    assert "swarm_networks[2] 'sec'" in problems[1] and 'set mtu: 1324' in problems[1]


def test_engine_reachability_and_versions():
    assert pc.check_engine({'socket': '/s'}, {'reachable': False, 'error': 'refused'}) == ['engine not reachable on /s: refused']
    assert pc.check_engine({'min_engine_version': '23.0'}, {'reachable': True, 'version': '20.10.24'}) == [
        'engine 20.10.24 is older than preflight_min_engine_version 23.0']
    enc = {'swarm': True, 'swarm_networks': [{'name': 's', 'encrypted': True}]}
    assert pc.check_engine(enc, {'reachable': True, 'version': '20.10.24'}) == []
    assert 'CVE-2023-28841' in pc.check_engine(enc, {'reachable': True, 'version': '23.0.1'})[0]


def test_ipvs_is_a_warning_unless_required():
    want = {'swarm': True}
    assert pc.preflight_warnings(facts(), want) and not pc.check_kernel(want, INFO)
    assert "kernel lacks ipvs" in pc.check_kernel(dict(want, require_ipvs=True), INFO)[0]


def test_existing_networks_whose_parent_is_gone_are_named():
    existing = [{'name': 'lan', 'driver': 'macvlan', 'options': {'parent': 'eth0'}},
                {'name': 'gone', 'driver': 'macvlan', 'options': {'parent': 'veth9', 'macvlan_mode': 'bridge'}},
                {'name': 'v30', 'driver': 'ipvlan', 'options': {'parent': 'eth0.30'}},
                {'name': 'tmpl', 'driver': 'macvlan', 'config_only': True, 'options': {'parent': 'eth7'}},
                {'name': 'app', 'driver': 'bridge', 'options': {}}]
    warnings = pc.preflight_warnings(facts(engine_networks=existing), {})
    assert warnings == [
        "h1: Docker network 'gone' (macvlan) hangs on parent veth9, which no longer exists on the host: its containers "
        "have no connectivity. Bring veth9 back (interfaces_links) or recreate the network",
        "h1: Docker network 'v30' (ipvlan) hangs on parent eth0.30, which no longer exists on the host: its containers "
        "have no connectivity. Bring eth0.30 back (interfaces_links) or recreate the network"]
    assert pc.preflight_problems(facts(engine_networks=existing), {}) == []


def test_live_restore_on_a_swarm_host_is_a_problem():
    assert pc.check_engine({'swarm': False, 'live_restore': True}, ENGINE) == []
    assert pc.check_engine({'swarm': True, 'live_restore': False}, ENGINE) == []
    problems = pc.check_engine({'swarm': True, 'live_restore': True}, ENGINE)
    assert len(problems) == 1 and 'engine_live_restore is true, but this host is in the swarm' in problems[0]


def test_the_filter_returns_both_lists_and_refuses_non_dicts():
    out = preflight_verdict(facts(), {'swarm': True})
    assert out == {'problems': [], 'warnings': pc.preflight_warnings(facts(), {'swarm': True})}
    with pytest.raises(AnsibleFilterError, match='want must be a dict, got list'):
        preflight_verdict(facts(), [])


def test_live_restore_already_on_in_a_running_swarm_engine_is_a_problem_unless_the_inventory_turns_it_off():
    live = dict(ENGINE, live_restore=True)
    problems = pc.check_engine({'swarm': True}, live, in_swarm=True)
    assert len(problems) == 1 and 'the running engine has live-restore on while in a swarm' in problems[0]
    assert pc.check_engine({'swarm': True, 'live_restore': False}, live, in_swarm=True) == []
    assert pc.check_engine({}, live, in_swarm=False) == []
    assert any('live-restore on while in a swarm' in p
               for p in pc.preflight_problems(facts(engine=live, in_swarm=True), {'swarm': True}))
