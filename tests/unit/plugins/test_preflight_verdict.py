"""The preflight role's checks (plugins/plugin_utils/_preflight.py, the preflight_verdict filter): pure tables."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

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


def ok(want):
    """The inventory as the checks read it; it must be well formed."""
    checked, problems = pc.checked_want(want)
    assert problems == []
    return checked


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
    problems = pc.check_parents(ok(want), INFO)
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
    problems = pc.check_ranges(ok(want), ROUTES, existing)
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
    assert pc.check_ports(ok(want), listeners, in_swarm=False) == [
        'swarm port 7946/udp is taken by serf', 'swarm port 4789/udp is taken by a kernel socket (another VXLAN?)']
    assert pc.check_ports(ok(want), listeners, in_swarm=True) == ['swarm port 7946/udp is taken by serf']


def test_overlay_mtu_against_the_underlay():
    info = dict(INFO, links=[dict(LINKS[0], mtu=1400)])
    want = {'swarm': True, 'swarm_advertise_addr': '198.18.224.11',
            'swarm_networks': [{'name': 'plain'}, {'name': 'ok', 'mtu': 1350}, {'name': 'sec', 'encrypted': True, 'mtu': 1350}]}
    problems = pc.check_mtu(ok(want), info)
    assert len(problems) == 2
    assert "swarm_networks[0] 'plain': MTU 1450" in problems[0] and 'set mtu: 1350' in problems[0]
    assert "swarm_networks[2] 'sec'" in problems[1] and 'set mtu: 1324' in problems[1]


def test_engine_reachability_and_versions():
    assert pc.check_engine({'socket': '/s'}, {'reachable': False, 'error': 'refused'}) == ['engine not reachable on /s: refused']
    assert pc.check_engine({'min_engine_version': '23.0'}, {'reachable': True, 'version': '20.10.24'}) == [
        'engine 20.10.24 is older than preflight_min_engine_version 23.0']
    enc = {'swarm': True, 'swarm_networks': [{'name': 's', 'encrypted': True}]}
    assert pc.check_engine(ok(enc), {'reachable': True, 'version': '20.10.24'}) == []
    assert 'CVE-2023-28841' in pc.check_engine(ok(enc), {'reachable': True, 'version': '23.0.1'})[0]


def test_ipvs_is_a_warning_unless_required():
    want = {'swarm': True}
    assert pc.preflight_warnings(facts(), want) and not pc.check_kernel(ok(want), INFO)
    assert "kernel lacks ipvs" in pc.check_kernel(ok(dict(want, require_ipvs=True)), INFO)[0]


def test_the_routing_mesh_needs_ipvs_on_every_swarm_host_and_says_what_to_do():
    want = {'swarm': True, 'routing_mesh': True}
    [problem] = pc.check_kernel(ok(want), dict(INFO, missing_capabilities={'ipvs': 'generic netlink family IPVS not '
                                                                                   'found (ENOENT)'}))
    assert problem.startswith('kernel lacks ipvs, needed by swarm_routing_mesh (ports published in ingress mode')
    assert 'IPVS not found (ENOENT); load ip_vs' in problem
    assert 'host mode (mode=host) and set swarm_routing_mesh: false' in problem
    assert not any('IPVS' in w for w in pc.preflight_warnings(facts(), want))   # a problem, not also a warning
    # off, or not a swarm host: a warning at most; with IPVS: nothing
    assert pc.check_kernel(ok(dict(want, routing_mesh=False)), INFO) == []
    assert pc.check_kernel(ok({'routing_mesh': True}), INFO) == []
    assert pc.check_kernel(ok(want), dict(INFO, capabilities=dict(INFO['capabilities'], ipvs=True))) == []


def test_the_ingress_subnet_overlaps_no_host_route():
    routes = ROUTES + [{'dest': '198.18.250.0/23', 'dev': 'eth1'}]
    wanted = {'swarm': True, 'swarm_ingress': {'subnet': '198.18.250.0/24'}}
    assert pc.check_ranges(ok(wanted), routes, []) == [
        'swarm_ingress.subnet 198.18.250.0/24 overlaps the host route 198.18.250.0/23 dev eth1']
    # without a wanted subnet, the one the fleet's engines have now (read on another host: a manager)
    current = [{'name': 'ingress', 'ingress': True, 'ipam_config': [{'subnet': '10.20.9.0/24'}]}]
    [problem] = pc.check_ranges(ok({'swarm': True}), ROUTES, [], current)
    assert problem.startswith("the swarm's ingress network 'ingress' 10.20.9.0/24 overlaps the host route "
                              "10.20.0.0/16 dev eth0; give the swarm another ingress subnet (swarm_ingress.subnet)")
    assert pc.check_ranges(ok({'swarm': False}), ROUTES, [], current) == []   # not a swarm host
    # the wanted one replaces the engine's: the engine's is no longer in the way of it
    assert pc.check_ranges(ok(dict(wanted, swarm_ingress={'subnet': '10.20.9.0/25'})), [], current, current) == []
    facts_with = facts(fleet_ingress=current, network_info=dict(INFO))
    assert any('h1: the swarm\'s ingress network' in p for p in pc.preflight_problems(facts_with, {'swarm': True}))


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


# -- one table with the modules, what driver options say ---------------------------------------------------------

def test_preflight_reads_the_modules_own_tables():
    from ansible_collections.netprov.dockernet.plugins.module_utils._overlay import esp as _esp
    from ansible_collections.netprov.dockernet.plugins.module_utils._network import hostcheck as _hostcheck
    from ansible_collections.netprov.dockernet.plugins.module_utils._host import probes as _probes
    assert pc.network_features is _hostcheck.needed_features
    assert pc.feature_for_link_kind is _probes.feature_for_link_kind
    assert (pc.VXLAN_OVERHEAD, pc.ESP_OVERHEAD, pc.OVERLAY_DEFAULT_MTU) == (
        _esp.VXLAN_OVERHEAD, _esp.ESP_OVERHEAD, _esp.OVERLAY_DEFAULT_MTU)


def test_a_parentless_macvlan_or_ipvlan_needs_the_dummy_link_the_engine_makes():
    caps = dict(CAPS_NO_ESP, capabilities=dict(CAPS_NO_ESP['capabilities'], ipvlan=True))
    want = {'networks': [{'name': 'm', 'driver': 'macvlan'}, {'name': 'i', 'driver': 'ipvlan'},
                         {'name': 'p', 'driver': 'macvlan', 'parent': 'eth0'}]}
    problems = pc.preflight_problems(facts(network_info=dict(INFO, **caps)), want)
    assert problems == [
        "h1: kernel lacks dummy, needed by networks_networks[0] 'm' (driver macvlan without a parent: the engine "
        "hangs it on a dummy link): probe failed",
        "h1: kernel lacks dummy, needed by networks_networks[1] 'i' (driver ipvlan without a parent: the engine "
        "hangs it on a dummy link): probe failed"]


def test_a_named_bridges_own_route_is_not_in_the_way_on_the_second_run():
    bridge = {'com.docker.network.bridge.name': 'npapp0'}
    want = {'networks': [{'name': 'app', 'driver_options': bridge, 'ipam_config': [{'subnet': '198.18.234.0/24'}]},
                         {'name': 'db', 'ipam_config': [{'subnet': '198.18.236.0/24'}]}]}
    routes = ROUTES + [{'dest': '198.18.234.0/24', 'dev': 'npapp0'},           # app's own, second run
                       {'dest': '198.18.236.0/25', 'dev': 'npold0'},           # made by another, undeclared network
                       {'dest': '198.18.236.128/25', 'dev': 'eth1'}]          # a real route in the way
    existing = [{'name': 'app', 'driver': 'bridge', 'options': bridge, 'ipam_config': [{'subnet': '198.18.234.0/24'}]},
                {'name': 'old', 'driver': 'bridge', 'options': {'com.docker.network.bridge.name': 'npold0'},
                 'ipam_config': [{'subnet': '198.18.236.0/25'}]}]
    problems = pc.preflight_problems(facts(network_info=dict(INFO, routes=routes), engine_networks=existing), want)
    # The other network's bridge route is that network's: named once, as the engine's network it is.
    assert problems == ["h1: networks_networks[1] 'db' ipam_config[0].subnet 198.18.236.0/24 overlaps the host route "
                        "198.18.236.128/25 dev eth1",
                        "h1: networks_networks[1] 'db' ipam_config[0].subnet 198.18.236.0/24 overlaps the engine's "
                        "existing network 'old' 198.18.236.0/25"]


def test_mtu_and_encryption_given_as_driver_options_are_checked():
    info = dict(INFO, links=[dict(LINKS[0], mtu=1400)])
    want = {'swarm': True, 'swarm_advertise_addr': '198.18.224.11',
            'swarm_networks': [{'name': 'a', 'driver_options': {'mtu': '1350'}},
                               {'name': 'b', 'driver_options': {'com.docker.network.driver.mtu': '1360'}},
                               {'name': 'sec', 'driver_options': {'encrypted': 'true', 'mtu': '1350'}}]}
    problems = pc.preflight_problems(facts(network_info=info, engine={'reachable': True, 'version': '23.0.1'}), want)
    assert problems == [
        "h1: engine 23.0.1 can send encrypted overlay traffic (sec) in cleartext (CVE-2023-28841); use 20.10.24+ or "
        "23.0.3+",
        "h1: kernel lacks esp, needed by swarm_networks[2] 'sec' (encrypted overlay): ESP: not supported",
        "h1: swarm_networks[1] 'b': MTU 1360 is more than the underlay eth0's 1400 minus 50 (VXLAN); set mtu: 1350",
        "h1: swarm_networks[2] 'sec': MTU 1350 is more than the underlay eth0's 1400 minus 76 (VXLAN and ESP); "
        "set mtu: 1324"]


# -- odd nested input is one clean line, never a crash -------------------------------------------------------------

def test_odd_nested_types_are_clean_lines_naming_the_host_the_field_and_the_fix():
    want = {'networks': [{'name': 'a', 'ipam_config': {'subnet': '198.18.234.0/24'}}, 'b',
                         {'name': 'c', 'ipam_config': [{'subnet': 'nonsense'}]},
                         {'name': 'd', 'driver_options': {'mtu': 'big'}}],
            'swarm': True, 'swarm_advertise_addr': '198.18.224.11',
            'swarm_networks': [{'name': 'ov', 'mtu': '1400'}, {'name': 'bad', 'mtu': 'x'}],
            'address_pools': '198.18.0.0/16', 'external_ranges': [{'name': 'vpn'}],
            'links': [{'name': 'eth1', 'kind': 'vlan', 'mtu': 'big'}], 'swarm_data_path_port': 'port',
            'swarm_default_addr_pool': {'a': 1}}
    out = preflight_verdict(facts(), want)
    problems = out['problems']
    assert all(p.startswith('h1: ') for p in problems + out['warnings'])

    def line(start):
        found = [p for p in problems if p.startswith('h1: ' + start)]
        assert len(found) == 1, (start, problems)
        return found[0]
    assert 'is of type dict and we were unable to convert to list' in line("networks_networks[0] 'a' ipam_config: ")
    assert 'write it as netprov.dockernet.docker_network takes it' in line("networks_networks[0] 'a' ipam_config: ")
    assert "must be a dict, not str 'b'; write it like {name: app" in line('networks_networks[1]: ')
    assert "'nonsense' is not a CIDR network; write it like" in line("networks_networks[2] 'c' ipam_config[0].subnet: ")
    assert "'big' is not a whole number of bytes; write the MTU as digits only" in line(
        "networks_networks[3] 'd' driver_options.mtu: ")
    assert 'is of type str and we were unable to convert to int' in line("swarm_networks[1] 'bad' mtu: ")
    assert 'must be a list, not str' in line('engine_default_address_pools: ')
    assert 'missing required arguments: cidr' in line("preflight_external_ranges[0] 'vpn': ")
    assert 'is of type str' in line("interfaces_links[0] 'eth1' mtu: ")
    assert 'give a whole number' in line('swarm_data_path_port: ')
    assert 'give a list of strings' in line('swarm_default_addr_pool: ')
    # mtu '1400' is what the module accepts too: it is checked as 1400 (1500 - 50 = 1450 fits).
    assert not any("'ov'" in p for p in problems)


def test_odd_facts_do_not_crash_either():
    odd = facts(network_info={'links': 'eth0', 'routes': [None, {'dest': 5}], 'capabilities': []},
                engine={'reachable': True, 'version': 5}, engine_networks=[None, {'ipam_config': 'x', 'options': 3}],
                listeners=[None, 5, 'tcp x'])
    out = preflight_verdict(odd, {'swarm': True, 'networks': [{'name': 'a', 'ipam_config': [{'subnet': '198.18.1.0/24'}]}]})
    assert out == {'problems': [], 'warnings': []}


def test_any_nesting_of_any_type_gives_lines_not_a_crash():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=8),
                       st.sampled_from(['198.18.1.0/24', '1400', 'eth0', 'macvlan', 'overlay', 'absent', 'x/99']))
    junk = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                        max_leaves=6)
    keys = sorted(pc.network_options(top_level=False)) + ['bogus']
    entry = st.dictionaries(st.sampled_from(keys), junk, max_size=5).map(lambda d: dict(d, name=d.get('name', 'n')))
    lists = st.one_of(junk, st.lists(st.one_of(entry, junk), max_size=3))
    want = st.fixed_dictionaries({}, optional=dict((k, lists if k in pc._LISTS else junk)
                                                   for k in list(pc._LISTS) + list(pc._SCALARS)))

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(want=want, routes=junk, nets=junk)
    def check(want, routes, nets):
        out = preflight_verdict(facts(network_info=dict(INFO, routes=routes), engine_networks=nets), want)
        assert all(isinstance(p, str) and p.startswith('h1: ') for p in out['problems'] + out['warnings'])
    check()


def _role_options():
    import os
    import yaml
    path = os.path.join(os.path.dirname(pc.__file__), '..', '..', 'roles', 'preflight', 'meta', 'argument_specs.yml')
    with open(path) as f:
        return yaml.safe_load(f)['argument_specs']['main']['options']


def _shape(spec):
    """Each option's type, elements, required and choices. A role's argument spec has no aliases: an option
    with aliases is there once per name, none of them required (the filter checks that one is given)."""
    out = {}
    for key, opt in spec.items():
        names = [key] + list(opt.get('aliases') or [])
        for name in names:
            out[name] = (opt['type'], opt.get('elements'), opt.get('required', False) and len(names) == 1,
                         sorted(opt.get('choices') or []), _shape(opt.get('options') or {}))
    return out


def test_the_roles_argument_spec_checks_each_network_as_docker_network_does():
    options = _role_options()
    for var in ('preflight_networks', 'preflight_swarm_networks'):
        assert _shape(options[var]['options']) == _shape(pc.network_options(top_level=False)), var
    assert not any('aliases' in o for o in options['preflight_networks']['options'].values())
    assert _shape(options['preflight_default_address_pools']['options']) == _shape(pc._POOL_SPEC)


def test_the_roles_argument_spec_refuses_odd_nested_types_naming_them():
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    spec = dict((k, dict((kk, vv) for kk, vv in o.items() if kk != 'description')) for k, o in _role_options().items())

    def strip(opts):
        for o in opts.values():
            o.pop('description', None)
            strip(o.get('options') or {})
    strip(spec)
    errors = [str(e) for e in ArgumentSpecValidator(spec).validate({
        'preflight_networks': [{'name': 'a', 'ipam_config': {'subnet': '198.18.1.0/24'}}],
        'preflight_swarm_networks': [{'name': 'o', 'mtu': 'x'}],
        'preflight_default_address_pools': [{'base': '198.18.0.0/16'}]}).errors]
    # ansible-core's own words: before 2.19 it names the type as <class 'dict'>
    errors = [e.replace("<class 'dict'>", 'dict').replace("<class 'str'>", 'str') for e in errors]
    assert any("'ipam_config' is of type dict" in e and 'preflight_networks' in e for e in errors), errors
    assert any("'mtu' is of type str" in e and 'preflight_swarm_networks' in e for e in errors), errors
    assert any('missing required arguments: size' in e and 'preflight_default_address_pools' in e for e in errors)
    assert [str(e) for e in ArgumentSpecValidator(spec).validate(
        {'preflight_swarm_networks': [{'name': 'o', 'mtu': '1400'}]}).errors] == []


def test_an_option_the_engine_cannot_honour_is_a_problem_named_by_entry():
    """The preflight weighs the inventory's networks against the engine's API with the modules' own gates."""
    want = {'networks': [{'name': 'ok', 'ipam_config': [{'subnet': '198.18.234.0/24'}]},
                         {'name': 'r', 'gateway_mode_ipv4': 'routed'},
                         {'name': 'p', 'containers': [{'name': 'web', 'gw_priority': 5}]}]}
    old = dict(ENGINE, api_version='1.41', client_api_version='1.41')
    problems = pc.preflight_problems(facts(engine=old), want)
    assert problems == [
        "h1: networks_networks[1] 'r' gateway_mode_ipv4: routed needs Engine 27.0 (API 1.46); this engine speaks "
        "1.41; upgrade the engine or drop gateway_mode_ipv4",
        "h1: networks_networks[2] 'p' containers[0].gw_priority: gw_priority needs Engine 28.0 (API 1.48); this "
        "engine speaks 1.41; upgrade the engine or drop gw_priority"]
    assert pc.preflight_problems(facts(engine=dict(ENGINE, api_version='1.51', client_api_version='1.51')), want) == []
    # an engine that does not say its API version (an older role's facts) is not judged
    assert pc.preflight_problems(facts(), want) == []


@pytest.mark.parametrize('backend, swarm, in_swarm, refused', [
    ({'driver': 'nftables', 'info': {}}, True, False, True),
    ({'driver': 'nftables', 'info': {}}, False, True, True),
    ({'driver': 'nftables', 'info': {}}, False, False, False),
    ({'driver': 'iptables', 'info': {}}, True, True, False),
    (None, True, False, False),
])
def test_nftables_is_refused_for_swarm_hosts(backend, swarm, in_swarm, refused):
    engine = dict(ENGINE, firewall_backend=backend)
    problems = pc.preflight_problems(facts(engine=engine, in_swarm=in_swarm), {'swarm': swarm})
    said = [p for p in problems if 'nftables' in p]
    assert bool(said) is refused, problems
    if refused:
        assert said[0].startswith("h1: the engine's firewall backend is nftables, which swarm mode does not support")
        assert '"firewall-backend": "iptables"' in said[0]


def test_ip_forwarding_off_is_said_for_bridge_networks_that_reach_beyond_the_host():
    want = {'networks': [{'name': 'app'}, {'name': 'sealed', 'internal': True},
                         {'name': 'lan', 'driver': 'macvlan', 'parent': 'eth0'}]}
    off = pc.preflight_warnings(facts(engine=dict(ENGINE, ipv4_forwarding=False)), want)
    assert [w for w in off if 'forwarding' in w] == [
        "h1: IPv4 forwarding is off on the engine's host (net.ipv4.ip_forward=0, or the engine runs with ip-forward: "
        "false): the containers of networks_networks[0] 'app' reach nothing beyond the host"]
    for value in (True, None):
        assert not [w for w in pc.preflight_warnings(facts(engine=dict(ENGINE, ipv4_forwarding=value)), want)
                    if 'forwarding' in w]
