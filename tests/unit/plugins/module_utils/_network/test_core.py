"""Every detach has a way back: the apply code against an engine double shaped like inspect output.

The double keeps networks and containers as the engine's inspect answers show
them (Containers of a network only for running endpoints, NetworkSettings.
Networks of a container with IPAMConfig, Aliases, NetworkID), refuses what the
engine refuses (a fixed address another endpoint holds or outside the subnet,
a duplicate name, a network with endpoints), and fails chosen calls: before
the engine acts ('refuse') or after it acted with the answer lost ('lose').
The real-engine counterparts are in tests/integration/test_faults.py and
tests/integration/test_fault_sweep.py.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._network import core as _core
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import EngineError, NetprovError
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MANAGED_LABEL, normalise_want
from ansible_collections.netprov.dockernet.tests.support.engine_double import Engine


def run(engine, **params):
    """prepare + apply_steps, as docker_network does; returns the outcome or raises."""
    params.setdefault('name', 'n1')
    state = _core.EngineState(engine)
    steps, _warnings = _core.prepare(state, normalise_want(dict(params, kernel_check='skip')))
    return _core.apply_steps(state, steps)


@pytest.fixture(autouse=True)
def no_wait(monkeypatch):
    # _create looks again briefly for a racer's network after a refused create
    monkeypatch.setattr(_core.time, 'sleep', lambda seconds: None)


@pytest.fixture
def eng():
    e = Engine()
    e.net_id = e.network('n1', '198.18.1.0/24')
    for i, name in enumerate(('a', 'b')):
        e.container(name)
        e.attach(name, e.net_id, aliases=['%s-alias' % name], ip='198.18.1.%d' % (10 + i))
    return e


def failed_recreate(eng, *faults):
    """A label change with recreate: reconnect, with the given (method, nth, how) faults; returns the error."""
    for method, nth, how in faults:
        eng.faults[(method, nth)] = how
    with pytest.raises(NetprovError) as err:
        run(eng, labels={'rev': '2'}, recreate='reconnect')
    return err.value


A_BEFORE = [('n1', '198.18.1.10', ['a-alias'], '198.18.1.10')]
B_BEFORE = [('n1', '198.18.1.11', ['b-alias'], '198.18.1.11')]


# -- an in-place reconnect (a new fixed address or aliases) -----------------------------------------

def test_reconnect_refused_puts_the_container_back_with_its_recorded_endpoint(eng):
    with pytest.raises(NetprovError) as err:
        run(eng, containers=[{'name': 'a', 'aliases': ['new'], 'ipv4_address': '198.18.1.11'}])   # b's address
    assert eng.endpoints('a') == A_BEFORE
    assert eng.endpoints('b') == B_BEFORE
    assert 'Address already in use' in err.value.msg, err.value.msg
    assert 'put back with their recorded endpoints: a' in err.value.msg
    assert err.value.details['restored'] == ['a'] and err.value.details['not_restored'] == []


def test_reconnect_and_restore_both_refused_name_the_container_and_its_recorded_settings(eng):
    eng.refuse_connect['a'] = 2
    with pytest.raises(NetprovError) as err:
        run(eng, containers=[{'name': 'a', 'aliases': ['new']}])
    msg = err.value.msg
    assert 'container a could NOT be put back on network n1' in msg
    assert 'aliases a-alias; ipv4_address 198.18.1.10' in msg
    assert 'docker network connect --alias a-alias --ip 198.18.1.10 n1 a' in msg
    [item] = err.value.details['not_restored']
    assert (item['container'], item['network'], item['recorded']['ipv4_address']) == ('a', 'n1', '198.18.1.10')


@pytest.mark.parametrize('fault', [('disconnect', 1, 'lose'), ('connect', 1, 'lose'), ('connect', 1, 'refuse')])
def test_reconnect_with_a_lost_answer_leaves_no_endpoint_detached(eng, fault):
    eng.faults[fault[:2]] = fault[2]
    with pytest.raises(NetprovError):
        run(eng, containers=[{'name': 'a', 'aliases': ['new']}])
    [(net, _addr, aliases, fixed)] = eng.endpoints('a')
    assert net == 'n1' and fixed == '198.18.1.10' and aliases in (['a-alias'], ['new'])


# -- a recreate -----------------------------------------------------------------------------

def test_recreate_whose_remove_fails_reattaches_every_detached_container(eng):
    err = failed_recreate(eng, ('remove_network', 1, 'refuse'))
    assert eng.endpoints('a') == A_BEFORE and eng.endpoints('b') == B_BEFORE
    assert [n['Id'] for n in eng.by_name('n1')] == [eng.net_id]
    assert sorted(err.details['restored']) == ['a', 'b']


def test_recreate_whose_remove_answer_is_lost_rebuilds_the_network_and_reattaches(eng):
    err = failed_recreate(eng, ('remove_network', 1, 'lose'))
    assert eng.endpoints('a') == A_BEFORE and eng.endpoints('b') == B_BEFORE
    assert 'network n1 was made again as it was' in err.msg


def test_rollback_of_a_failed_create_uses_the_recorded_endpoint_not_the_wanted_one(eng):
    # A subnet change with a fixed address in the new subnet whose create fails: the old network comes back
    # and the container must come back with its OLD address (the new one is outside the old subnet).
    eng.faults[('create_network', 1)] = 'refuse'
    with pytest.raises(NetprovError) as err:
        run(eng, ipam_config=[{'subnet': '198.18.2.0/24'}], recreate='reconnect',
            containers=[{'name': 'a', 'ipv4_address': '198.18.2.10'}, {'name': 'b', 'ipv4_address': '198.18.2.11'}])
    assert eng.endpoints('a') == A_BEFORE and eng.endpoints('b') == B_BEFORE
    assert err.value.details['not_restored'] == []
    assert 'network n1 was made again as it was' in err.value.msg


def test_a_failed_put_back_during_rollback_is_in_the_error_not_a_dropped_warning(eng):
    eng.faults[('create_network', 1)] = 'refuse'
    eng.refuse_connect['b'] = 1
    with pytest.raises(NetprovError) as err:
        run(eng, labels={'rev': '2'}, recreate='reconnect')
    assert eng.endpoints('a') == A_BEFORE and eng.endpoints('b') == []
    assert [i['container'] for i in err.value.details['not_restored']] == ['b']
    assert 'container b could NOT be put back on network n1' in err.value.msg
    assert 'ipv4_address 198.18.1.11' in err.value.msg


def test_a_failed_create_makes_a_network_without_endpoints_again():
    # Nothing was detached, so no endpoint leads the rollback back to it: the removed network must come back
    # from its recorded spec all the same.
    e = Engine()
    old = e.network('n1', '198.18.1.0/24')
    e.faults[('create_network', 1)] = 'refuse'
    with pytest.raises(NetprovError) as err:
        run(e, labels={'rev': '2'}, recreate='always')
    [net] = e.by_name('n1')
    assert net['Id'] != old and net['IPAM']['Config'] == [{'Subnet': '198.18.1.0/24'}]
    assert 'network n1 was made again as it was' in err.value.msg, err.value.msg
    assert err.value.details['networks_restored'] == ['n1']


def test_a_failed_create_and_a_failed_remake_name_the_network_without_endpoints():
    e = Engine()
    e.network('n1', '198.18.1.0/24')
    e.faults[('create_network', 1)] = 'refuse'
    e.faults[('create_network', 2)] = 'refuse'
    with pytest.raises(NetprovError) as err:
        run(e, labels={'rev': '2'}, recreate='always')
    assert e.by_name('n1') == []
    assert 'network n1 could NOT be made again' in err.value.msg, err.value.msg
    assert 'docker network create --driver bridge --label %s=true --subnet 198.18.1.0/24 n1' % MANAGED_LABEL \
        in err.value.msg
    [net] = err.value.details['networks_not_restored']
    assert net['network'] == 'n1'


def test_a_removed_network_the_engine_still_holds_is_named_not_made_again():
    # Engine 26.1 answers the removal of an ingress network that served the routing mesh and keeps listing it
    # (its name taken): the remake cannot succeed, and the error says why instead of blaming another network
    class Holding(Engine):
        def remove_network(self, ident):
            return self._call('remove_network', (ident,), lambda: None)
    e = Holding()
    old = e.network('n1', '198.18.1.0/24')
    with pytest.raises(NetprovError) as err:
        run(e, labels={'rev': '2'}, recreate='always')
    assert 'network n1 could NOT be made again' in err.value.msg, err.value.msg
    assert 'the engine still holds the network of that name this run removed (%s)' % old[:12] in err.value.msg
    [net] = err.value.details['networks_not_restored']
    assert net['network'] == 'n1' and 'docker network create' in net['command']


def test_create_and_restore_both_failing_name_the_network_spec_and_every_endpoint(eng):
    err = failed_recreate(eng, ('create_network', 1, 'refuse'), ('create_network', 2, 'refuse'))
    assert 'network n1 could NOT be made again' in err.msg
    assert 'docker network create --driver bridge --label %s=true --subnet 198.18.1.0/24 n1' % MANAGED_LABEL in err.msg
    for name, ip in (('a', '198.18.1.10'), ('b', '198.18.1.11')):
        assert 'container %s could NOT be put back on network n1' % name in err.msg
        assert 'docker network connect --alias %s-alias --ip %s n1 %s' % (name, ip, name) in err.msg
    [net] = err.details['networks_not_restored']
    assert net['spec']['IPAM']['Config'] == [{'Subnet': '198.18.1.0/24'}]


def test_a_reattach_refused_after_a_successful_recreate_fails_the_task(eng):
    eng.refuse_connect['b'] = 1
    with pytest.raises(NetprovError) as err:
        run(eng, labels={'rev': '2'}, recreate='reconnect')
    assert 'was recreated, but the engine refused to reattach b' in err.value.msg
    assert err.value.details.get('reconnect_failed') is None
    # put back on the new network with its recorded endpoint
    assert eng.endpoints('b') == B_BEFORE and eng.by_name('n1')[0]['Labels']['rev'] == '2'


def test_a_container_removed_before_it_is_put_back_is_said_in_the_error(eng):
    eng.faults[('remove_network', 1)] = 'refuse'
    real = eng.disconnect

    def disconnect_then_remove_a(container, network, force=False):
        out = real(container, network, force)
        if container == 'b':
            del eng.ctrs['a']
        return out
    eng.disconnect = disconnect_then_remove_a
    with pytest.raises(NetprovError) as err:
        run(eng, labels={'rev': '2'}, recreate='reconnect')
    assert 'also: container a was removed before it could be put back on network n1' in err.value.msg
    assert err.value.details['reconnect_failed'] == ['a'] and err.value.details['restored'] == ['b']


def test_reconnect_failed_means_removed_meanwhile_only(eng):
    real = eng.create_network

    def create_then_remove_b(body):
        out = real(body)
        del eng.ctrs['b']
        return out
    eng.create_network = create_then_remove_b
    outcome = run(eng, labels={'rev': '2'}, recreate='reconnect')
    assert outcome.reconnect_failed == ['b'] and outcome.reconnected == ['a']
    assert eng.endpoints('a') == A_BEFORE


# -- exclusive containers and removal with force ----------------------------------------------------

def test_exclusive_keeps_the_asked_disconnect_and_puts_back_a_kept_endpoint_when_a_later_step_fails(eng):
    eng.container('c')
    eng.attach('c', eng.net_id, aliases=['c-alias'], ip='198.18.1.12')
    eng.container('d')
    eng.attach('d', eng.net_id, ip='198.18.1.13')
    # plan: reconnect a (new aliases), disconnect c, disconnect d; the second disconnect fails
    eng.faults[('disconnect', 3)] = 'refuse'
    with pytest.raises(NetprovError):
        run(eng, containers=[{'name': 'a', 'aliases': ['new']}, {'name': 'b'}], containers_exclusive=True)
    assert eng.endpoints('a') == [('n1', '198.18.1.10', ['new'], '198.18.1.10')]   # as wanted
    assert eng.endpoints('b') == B_BEFORE
    assert eng.endpoints('c') == []                                               # asked for
    assert eng.endpoints('d') == [('n1', '198.18.1.13', [], '198.18.1.13')]        # not reached


@pytest.mark.parametrize('fault', ['refuse', 'lose'])
def test_absent_with_force_whose_remove_fails_puts_the_containers_back(eng, fault):
    eng.faults[('remove_network', 1)] = fault
    with pytest.raises(NetprovError):
        run(eng, state='absent', force=True)
    if fault == 'refuse':
        assert eng.endpoints('a') == A_BEFORE and eng.endpoints('b') == B_BEFORE
    else:   # the engine removed it: as asked
        assert eng.by_name('n1') == [] and eng.endpoints('a') == []


def test_purge_with_force_whose_remove_fails_puts_the_containers_back(eng):
    from ansible_collections.netprov.dockernet.plugins.module_utils._network import bulk as _bulk
    eng.faults[('remove_network', 1)] = 'refuse'
    state = _core.EngineState(eng)
    planned, _warnings = _bulk.plan_all(state, [], {}, {'force': True}, True)
    _done, failed, _w, _r, _rf = _bulk.apply_all(state, planned)
    assert [f['network'] for f in failed] == ['n1']
    assert eng.endpoints('a') == A_BEFORE and eng.endpoints('b') == B_BEFORE


# -- a stale network of the same name ----------------------------------------------------------

def test_a_stale_duplicate_is_not_adopted_as_a_race_winner_and_gets_the_spec(eng):
    # Two networks named n1 were already there when the run read the engine (an earlier race); the oldest is
    # managed and recreated; the create is refused because of the other, which must not be taken as a
    # concurrent run's network with the old spec.
    stale = eng.network('n1', '198.18.3.0/24', created='2026-02-01T00:00:00Z')
    eng.container('s')
    eng.attach('s', stale, aliases=['s-alias'])
    outcome = run(eng, labels={'rev': '2'}, recreate='reconnect')
    [net] = eng.by_name('n1')
    assert net['Labels']['rev'] == '2' and net['Id'] not in (eng.net_id, stale)
    assert not any('concurrently' in w for w in outcome.warnings), outcome.warnings
    assert any('already there when this run read the engine' in w for w in outcome.warnings)
    assert eng.endpoints('a') == A_BEFORE and eng.endpoints('b') == B_BEFORE
    [(net_name, _addr, aliases, _fixed)] = eng.endpoints('s')
    assert (net_name, aliases) == ('n1', ['s-alias'])


def test_a_stale_duplicate_whose_fixed_addresses_would_not_fit_is_left_and_everything_put_back(eng):
    stale = eng.network('n1', '198.18.3.0/24', created='2026-02-01T00:00:00Z')
    eng.container('s')
    eng.attach('s', stale, aliases=['s-alias'], ip='198.18.3.10')
    with pytest.raises(NetprovError) as err:
        run(eng, labels={'rev': '2'}, recreate='reconnect')
    assert 'fixed address 198.18.3.10' in err.value.msg
    assert err.value.details['not_restored'] == []
    assert eng.endpoints('a') == A_BEFORE and eng.endpoints('b') == B_BEFORE
    assert eng.endpoints('s') == [('n1', '198.18.3.10', ['s-alias'], '198.18.3.10')]
    assert len(eng.by_name('n1')) == 2


def test_a_network_made_after_the_read_is_still_a_race_winner():
    eng = Engine()
    state = _core.EngineState(eng)
    steps, _w = _core.prepare(state, normalise_want({'name': 'n9', 'ipam_config': [{'subnet': '198.18.9.0/24'}],
                                                     'kernel_check': 'skip'}))
    racer = eng.network('n9', '198.18.9.0/24')   # a concurrent run, after this one read the engine
    outcome = _core.apply_steps(state, steps)
    assert [n['Id'] for n in eng.by_name('n9')] == [racer]
    assert any('created concurrently by another run' in w for w in outcome.warnings)


def test_exclusive_recreate_whose_remove_fails_puts_back_the_kept_endpoints_not_the_dropped_one(eng):
    eng.container('c')
    eng.attach('c', eng.net_id, aliases=['c-alias'], ip='198.18.1.12')
    eng.faults[('remove_network', 1)] = 'refuse'
    with pytest.raises(NetprovError) as err:
        run(eng, labels={'rev': '2'}, recreate='reconnect', containers=[{'name': 'a'}, {'name': 'b'}],
            containers_exclusive=True)
    assert eng.endpoints('a') == A_BEFORE and eng.endpoints('b') == B_BEFORE
    assert eng.endpoints('c') == []     # containers_exclusive asked for it to go
    assert sorted(err.value.details['restored']) == ['a', 'b']


def test_a_removed_network_that_cannot_be_checked_is_named_with_its_spec(eng):
    # the remove's answer is lost (the network is gone), then the look at it is refused twice: the endpoints
    # cannot go back, and the error says the network may be gone, with its spec
    err = failed_recreate(eng, ('remove_network', 1, 'lose'), ('find_network', 1, 'refuse'),
                          ('find_network', 2, 'refuse'))
    assert 'network n1 could NOT be checked and may be gone; its recorded spec: docker network create' in err.msg
    assert sorted(i['container'] for i in err.details['not_restored']) == ['a', 'b']
    assert [n['network'] for n in err.details['networks_not_restored']] == ['n1']


def test_a_look_at_the_network_refused_once_is_tried_again(eng):
    err = failed_recreate(eng, ('remove_network', 1, 'lose'), ('find_network', 1, 'refuse'))
    assert 'network n1 was made again as it was' in err.msg
    assert eng.endpoints('a') == A_BEFORE and eng.endpoints('b') == B_BEFORE


# -- stopped containers (the read side lists them through the container listing) ----------------------


@pytest.fixture
def with_stopped(eng):
    eng.container('s', running=False)
    eng.attach('s', eng.net_id, aliases=['s-alias'], ip='198.18.1.12')
    return eng


S_BEFORE = [('n1', '', ['s-alias'], '198.18.1.12')]


def test_a_recreate_carries_a_stopped_container_over(with_stopped):
    run(with_stopped, labels={'rev': '2'}, recreate='reconnect')
    assert with_stopped.endpoints('s') == S_BEFORE
    assert with_stopped.by_name('n1')[0]['Labels']['rev'] == '2'


def test_a_failed_recreate_puts_a_stopped_container_back_on_the_network_made_again(with_stopped):
    err = failed_recreate(with_stopped, ('create_network', 1, 'refuse'))
    assert 'network n1 was made again as it was' in err.msg
    assert with_stopped.endpoints('s') == S_BEFORE
    assert with_stopped.endpoints('a') == A_BEFORE and with_stopped.endpoints('b') == B_BEFORE


class DyingEngine(object):
    """Answers the create, then is lost before the re-listing."""

    def __init__(self, create_fails=False):
        self.create_fails = create_fails

    def create_network(self, body):
        if self.create_fails:
            raise EngineError('create network %s: lost the Docker Engine' % body['Name'])
        return {'Id': 'abc123'}

    def networks(self):
        raise EngineError('list networks: lost the Docker Engine')


def test_create_answered_then_engine_lost_counts_as_created_with_a_warning():
    outcome = _core.Outcome()
    assert _core._create(DyingEngine(), {'Name': 'n1'}, outcome) == 'abc123'
    assert 'was created, but the engine was lost' in outcome.warnings[0]


def test_create_failed_and_engine_lost_reports_the_create_not_the_listing():
    with pytest.raises(EngineError) as err:
        _core._create(DyingEngine(create_fails=True), {'Name': 'n1'}, _core.Outcome())
    assert err.value.msg.startswith('create network n1')


# -- what an engine takes back of a recorded endpoint

GW4 = 'com.docker.network.bridge.gateway_mode_ipv4'
GW6 = 'com.docker.network.bridge.gateway_mode_ipv6'
THI = 'com.docker.network.bridge.trusted_host_interfaces'
IFNAME = 'com.docker.network.endpoint.ifname'
SYSCTLS = 'com.docker.network.endpoint.sysctls'


def _cid(name):
    return (name.encode().hex() * 64)[:64]


def _rec(name, **kw):
    r = {'container': name, 'aliases': [], 'links': [], 'ipv4_address': None, 'ipv6_address': None,
         'link_local_ips': [], 'mac': None, 'gw_priority': None, 'driver_opts': {}, 'service': None}
    r.update(kw)
    return r


def _container(ep, name='web', mode='default', config_mac=None, running=True):
    status = 'running' if running else 'exited'
    return {'Id': _cid(name), 'Name': '/' + name, 'State': {'Running': running, 'Status': status},
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
    return _core.EngineState(_Engine(api, info)).record(info, 'n1', 'id1')


@pytest.mark.parametrize('api, sent', [('1.41', False), ('1.44', False), ('1.51', False), ('1.53', False),
                                       ('1.54', True), ('1.55', True), (None, False)])
def test_the_mac_is_sent_back_only_where_a_network_connect_sets_it(api, sent):
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import connect_body
    r = _record(api, _container({'MacAddress': '02:42:c6:12:01:0a', 'IPAddress': '198.18.1.10', 'GwPriority': 10}))
    assert r['mac'] == '02:42:c6:12:01:0a'
    cfg = connect_body(r)
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


def test_the_hand_restore_command_and_description_carry_the_new_settings():
    r = _rec('web', gw_priority=5, mac='02:42:c6:13:00:99', mac_derived=False, mac_unrestorable=None,
             driver_opts={IFNAME: 'lan0'})
    assert _core.connect_command('web', 'n1', r) == 'docker network connect --gw-priority 5 --driver-opt %s=lan0 n1 web' % IFNAME
    assert _core.describe_record(r) == 'mac 02:42:c6:13:00:99; gw_priority 5; driver_opts %s=lan0' % IFNAME
