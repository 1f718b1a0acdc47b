"""The normaliser and the read side against what real engines stored (one file per engine version).

The files under engine_samples/ (read by tests/support/network_samples.py) are written by scripts/capture_engine_samples.py
against a real engine: each case's network was created from the body the
collection builds from the case's arguments, so reading it back with the same
arguments must show no change, on every engine. A new file (another engine
version) extends every test here.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._network.core import EngineState, prepare
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError
from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import compare, create_body
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import normalise_want
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import connect_body, network_from_inspect
from ansible_collections.netprov.dockernet.tests.support.network_samples import CASES, FILES, SAMPLES, ReplayEngine, case_of


def want_of(c, **extra):
    args = dict(c['args'], name=c['name'], kernel_check='skip')
    args.update(extra)
    return normalise_want(args)


def test_there_is_a_sample_of_the_machines_engine():
    assert any(name.startswith('engine-20.10') for name in SAMPLES), FILES


@pytest.mark.parametrize('engine, case', CASES)
def test_sample_is_what_the_collection_sends(engine, case):
    """The sample stays valid only while the collection builds the same body; else re-capture."""
    _sample, c = case_of(engine, case)
    assert create_body(normalise_want(dict(c['args'], name=c['name']))) == c['body'], (
        'create_body changed: run scripts/capture_engine_samples.py against each engine again')


@pytest.mark.parametrize('engine, case', CASES)
def test_a_network_made_from_the_spec_matches_the_spec(engine, case):
    """No false change on a re-run: the engine's own additions (a pool for a family left out, the implied
    EnableIPv6, a gateway it chose, canonical spellings) are not drift."""
    _sample, c = case_of(engine, case)
    have = network_from_inspect(c['network'])
    assert compare(want_of(c), have) == []


@pytest.mark.parametrize('engine, case', CASES)
def test_second_run_plans_nothing(engine, case):
    sample, c = case_of(engine, case)
    steps, _warnings = prepare(EngineState(ReplayEngine(sample, case)), want_of(c))
    assert [s['action'] for s in steps] == ['none'], steps


@pytest.mark.parametrize('ipam_config', [[{}], [{'subnet': ''}], [{'subnet': None, 'gateway': ''}]])
@pytest.mark.parametrize('engine', sorted(SAMPLES))
def test_empty_ipam_entries_ask_for_nothing(engine, ipam_config):
    _sample, c = case_of(engine, 'empty_entry')
    assert compare(want_of(c, ipam_config=ipam_config), network_from_inspect(c['network'])) == []


def _members(engine):
    sample, c = case_of(engine, 'members')
    return sample, c, EngineState(ReplayEngine(sample, 'members'))


MEMBER_ENGINES = [e for e in sorted(SAMPLES) if 'members' in SAMPLES[e]['cases']]


@pytest.mark.parametrize('engine', MEMBER_ENGINES)
def test_stopped_and_created_containers_are_members(engine):
    sample, c, state = _members(engine)
    have = state.full(c['name'])
    roles = c['roles']
    assert sorted(have['endpoints']) == sorted(roles.values())
    states = dict((role, have['endpoints'][name]['state']) for role, name in roles.items())
    assert states['stopped'] == 'exited' and states['created'] == 'created'
    assert states['connected_created'] == 'created' and states['running'] == 'running'
    records = state.records(have, c['name'])
    assert records[roles['stopped']]['aliases'] == ['db']
    assert records[roles['stopped']]['ipv4_address'] == '198.19.72.141'
    assert records[roles['created']]['aliases'] == ['cache']
    assert records[roles['created']]['ipv4_address'] == '198.19.72.142'
    assert records[roles['connected_created']]['ipv4_address'] == '198.19.72.143'


@pytest.mark.parametrize('engine', MEMBER_ENGINES)
def test_recorded_fixed_addresses_are_canonical(engine):
    """The engine keeps a fixed address as it was given; the wanted one is canonical."""
    sample, c, state = _members(engine)
    running = c['roles']['running']
    record = state.records(state.full(c['name']), c['name'])[running]
    assert record['ipv6_address'] == '2001:db8:1972:4::10'
    want = want_of(c, containers=[{'name': running, 'aliases': ['web'], 'ipv4_address': '198.19.72.140',
                                   'ipv6_address': '2001:db8:1972:4::10'}])
    steps, _warnings = prepare(state, want)
    assert [s['action'] for s in steps] == ['none'], steps


@pytest.mark.parametrize('engine', MEMBER_ENGINES)
def test_recreate_never_names_stopped_and_created_containers(engine):
    sample, c, state = _members(engine)
    with pytest.raises(ConflictError) as err:
        prepare(state, want_of(c, labels={'tier': 'two'}))
    roles = c['roles']
    for role in ('stopped', 'created', 'connected_created', 'running'):
        assert roles[role] in str(err.value), role
    assert '%s (exited)' % roles['stopped'] in str(err.value)
    assert sorted(err.value.details['containers']) == sorted(roles.values())


@pytest.mark.parametrize('engine', MEMBER_ENGINES)
def test_absent_without_force_names_stopped_containers(engine):
    sample, c, state = _members(engine)
    with pytest.raises(ConflictError) as err:
        prepare(state, want_of(c, state='absent'))
    assert c['roles']['stopped'] in str(err.value) and c['roles']['created'] in str(err.value)
    steps, _warnings = prepare(EngineState(ReplayEngine(sample, 'members')), want_of(c, state='absent', force=True))
    assert sorted(s['container'] for s in steps if s['action'] == 'disconnect') == sorted(c['roles'].values())


def _without(engine, role, case='members'):
    """A case of ``engine`` without the container of ``role``, if given (sample, case, EngineState)."""
    sample = copy.deepcopy(SAMPLES[engine])
    c = sample['cases'][case]
    if role:
        name = c['roles'].pop(role)
        cid = [k for k, info in c['containers'].items() if info['Name'] == '/' + name][0]
        del c['containers'][cid]
        c['network']['Containers'].pop(cid, None)
        c['listing'] = [e for e in c['listing'] if e['Id'] != cid]
    return sample, c, EngineState(ReplayEngine(sample, case))


def _mac_lost(engine):
    """Whether the engine's sample has a container with a MAC set at create that a reconnect cannot give back:
    Engine 25-27 (API 1.44 to 1.47) derive the MAC they choose from the address, so one that is not derived was set."""
    api = tuple(int(x) for x in SAMPLES[engine]['engine']['ApiVersion'].split('.'))
    return 'mac' in SAMPLES[engine]['cases']['members']['roles'] and (1, 44) <= api < (1, 48)


@pytest.mark.parametrize('engine', MEMBER_ENGINES)
def test_recreate_reconnect_repoints_every_member_as_recorded(engine):
    sample, c, state = _without(engine, 'mac') if _mac_lost(engine) else _members(engine)
    steps, _warnings = prepare(state, want_of(c, labels={'tier': 'two'}, recreate='reconnect'))
    assert [s['action'] for s in steps] == ['recreate']
    by_name = dict((i['container'], i['endpoint']) for i in steps[0]['reconnect'])
    roles = c['roles']
    assert sorted(by_name) == sorted(roles.values())
    assert by_name[roles['stopped']]['Aliases'] == ['db']
    assert by_name[roles['stopped']]['IPAMConfig'] == {'IPv4Address': '198.19.72.141'}
    assert by_name[roles['created']]['IPAMConfig'] == {'IPv4Address': '198.19.72.142'}
    assert by_name[roles['running']]['IPAMConfig'] == {'IPv4Address': '198.19.72.140',
                                                       'IPv6Address': '2001:db8:1972:4::10'}
    # A MAC is sent back only where a network connect sets it (API 1.54, Engine 29.3): none of these engines.
    assert not any('MacAddress' in ep for ep in by_name.values())


@pytest.mark.parametrize('engine', MEMBER_ENGINES)
@pytest.mark.parametrize('how', ['full id', 'short id'])
def test_containers_given_by_id_match_their_endpoint(engine, how):
    sample, c, state = _members(engine)
    roles = c['roles']
    ids = dict((info['Name'].lstrip('/'), cid) for cid, info in c['containers'].items())

    def ident(role):
        cid = ids[roles[role]]
        return cid if how == 'full id' else cid[:12]
    want = want_of(c, containers_exclusive=True, containers=[
        {'name': ident(role), 'aliases': ['web' if role == 'running' else 'db']} for role in ('running', 'stopped')])
    steps, _warnings = prepare(state, want)
    # Nothing to connect; only the containers not listed are disconnected.
    assert sorted((s['action'], s.get('container')) for s in steps) == sorted(
        ('disconnect', name) for role, name in roles.items() if role not in ('running', 'stopped'))


@pytest.mark.parametrize('engine', MEMBER_ENGINES)
def test_recorded_endpoint_config_round_trips(engine):
    sample, c, state = _members(engine)
    records = state.records(state.full(c['name']), c['name'])
    cfg = connect_body(records[c['roles']['stopped']])
    assert cfg == {'Aliases': ['db'], 'IPAMConfig': {'IPv4Address': '198.19.72.141'}}


@pytest.mark.parametrize('engine', [e for e in MEMBER_ENGINES if _mac_lost(e)])
def test_a_recreate_that_would_lose_a_mac_set_at_create_is_refused_naming_it(engine):
    """Engines 25-29.2 ignore a MAC address in a network connect: the reattached container would get another."""
    sample, c, state = _members(engine)
    with pytest.raises(ConflictError) as err:
        prepare(state, want_of(c, labels={'tier': 'two'}, recreate='reconnect'))
    assert '%s (02:42:c6:13:48:99) would lose the MAC address it was created with' % c['roles']['mac'] in str(err.value)
    assert err.value.details['containers'] == [c['roles']['mac']]


ENDPOINT_ENGINES = [e for e in sorted(SAMPLES) if 'endpoints' in SAMPLES[e]['cases']]
ENDPOINT_OPTS = {'com.docker.network.endpoint.ifname': 'lan0',
                 'com.docker.network.endpoint.sysctls': 'net.ipv4.conf.IFNAME.log_martians=1'}


def _endpoints(engine, drop=None):
    return _without(engine, drop, 'endpoints')[1:]


@pytest.mark.parametrize('engine', ENDPOINT_ENGINES)
def test_endpoint_settings_are_recorded_for_running_and_stopped_containers(engine):
    c, state = _endpoints(engine)
    records = state.records(state.full(c['name']), c['name'])
    roles = c['roles']
    assert records[roles['running']]['gw_priority'] == 7 and records[roles['stopped']]['gw_priority'] == 3
    for role in ('running', 'stopped'):
        assert records[roles[role]]['driver_opts'] == ENDPOINT_OPTS
    assert records[roles['mac_primary']]['mac_unrestorable'] == '02:42:c6:13:c8:c9'


@pytest.mark.parametrize('engine', ENDPOINT_ENGINES)
def test_endpoint_settings_as_the_engine_has_them_are_no_change(engine):
    c, state = _endpoints(engine)
    roles = c['roles']
    same = {'interface_name': 'lan0', 'sysctls': {'net.ipv4.conf.IFNAME.log_martians': 1}}
    want = want_of(c, containers=[dict(same, name=roles['running'], gw_priority=7),
                                  dict(same, name=roles['stopped'], gw_priority=3),
                                  {'name': roles['mac_primary'], 'mac_address': '02:42:C6:13:C8:C9'}])
    steps, _warnings = prepare(state, want)
    assert [s['action'] for s in steps] == ['none'], steps


@pytest.mark.parametrize('engine', ENDPOINT_ENGINES)
def test_a_recreate_puts_endpoint_settings_back_and_refuses_to_lose_a_set_mac(engine):
    c, state = _endpoints(engine)
    with pytest.raises(ConflictError) as err:
        prepare(state, want_of(c, labels={'tier': 'two'}, recreate='reconnect'))
    assert err.value.details['containers'] == [c['roles']['mac_primary']]
    c, state = _endpoints(engine, drop='mac_primary')
    steps, _warnings = prepare(state, want_of(c, labels={'tier': 'two'}, recreate='reconnect'))
    by_name = dict((i['container'], i['endpoint']) for i in steps[0]['reconnect'])
    assert by_name[c['roles']['running']] == {'Aliases': ['web'], 'GwPriority': 7, 'DriverOpts': ENDPOINT_OPTS}
    assert by_name[c['roles']['stopped']] == {'Aliases': ['db'], 'GwPriority': 3, 'DriverOpts': ENDPOINT_OPTS}
