"""docker_swarm's planning: pure tables of (want, have) -> steps or refusal."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._swarm import membership as _swarm
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError, EngineError, ValidationError
from ansible_collections.netprov.dockernet.tests.support.swarm_data import membership_have as have, membership_node as node, membership_want as want

TOKEN = 'SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx'


def steps_of(w, h):
    return _swarm.plan(w, h)[0]


def actions(steps):
    return [s['action'] for s in steps]


JOIN = dict(remote_addrs=['198.18.128.11'], join_token=TOKEN)


# -- want ----------------------------------------------------------------------------
def test_join_needs_both_addrs_and_token():
    with pytest.raises(ValidationError, match='^join_token: joining needs both'):
        want(remote_addrs=['198.18.128.11'])
    with pytest.raises(ValidationError, match='^remote_addrs: '):
        want(join_token=TOKEN)


@pytest.mark.parametrize('given,expected', [
    ('198.18.128.11', '198.18.128.11:2377'),
    ('198.18.128.11:4000', '198.18.128.11:4000'),
    ('[2001:db8::1]:2377', '[2001:db8::1]:2377'),
    ('2001:db8::1', '[2001:db8::1]:2377'),
])
def test_manager_addresses_are_normalised(given, expected):
    assert _swarm.norm_addr(given, resolve=False) == expected


def test_bad_pool_names_its_item():
    with pytest.raises(ValidationError, match=r'^default_addr_pool\[1\]: '):
        want(default_addr_pool=['198.18.176.0/21', 'nonsense'])


# -- present ---------------------------------------------------------------------------
def test_inactive_without_join_initialises():
    steps = steps_of(want(advertise_addr='198.18.128.11', default_addr_pool=['198.18.176.0/21']), have('inactive'))
    assert actions(steps) == ['init']
    assert steps[0]['default_addr_pool'] == ['198.18.176.0/21']


def test_inactive_with_join_joins_and_no_step_holds_the_token():
    steps = steps_of(want(role='worker', availability='drain', **JOIN), have('inactive'))
    assert actions(steps) == ['join']
    assert steps[0]['remote_addrs'] == ['198.18.128.11:2377'] and steps[0]['availability'] == 'drain'
    assert TOKEN not in repr(steps)


def test_already_in_the_intended_swarm_changes_nothing():
    assert _swarm.plan(want(role='worker', **JOIN), have())[0] == []
    assert _swarm.plan(want(advertise_addr='198.18.128.11', default_addr_pool=['198.18.176.0/21'],
                            subnet_size=24), have(manager=True))[0] == []


def test_joined_to_another_swarm_is_refused():
    other = dict(have(remote=('198.18.128.99:2377',)), ca_digest='0' * 64)  # its root CA is not the token's
    with pytest.raises(ConflictError, match='^remote_addrs: this node is already in a swarm'):
        _swarm.plan(want(**JOIN), other)


def test_role_mismatch_on_a_joined_node_is_refused():
    with pytest.raises(ConflictError, match='^role: this node is already a worker in this swarm, not a manager'):
        _swarm.plan(want(role='manager', **JOIN), have())


@pytest.mark.parametrize('state', ['pending', 'error'])
def test_half_joined_node_leaves_then_joins(state):
    steps = steps_of(want(**JOIN), have(state))
    assert actions(steps) == ['leave', 'join']
    assert steps[0]['force'] is True and 'half-joined' in steps[0]['reason']


def test_half_joined_without_join_parameters_is_refused():
    with pytest.raises(ConflictError, match='half-joined'):
        _swarm.plan(want(), have('pending'))


def test_locked_node_is_refused():
    with pytest.raises(ConflictError, match='locked'):
        _swarm.plan(want(), have('locked'))


def test_rotation_is_honoured_on_its_own():
    steps = steps_of(want(rotate_worker_token=True), have(manager=True))
    assert actions(steps) == ['update']
    assert steps[0]['rotate_worker_token'] is True and 'rotate_manager_token' not in steps[0]


def test_autolock_change_is_an_update():
    steps = steps_of(want(autolock_managers=True), have(manager=True))
    assert _swarm.shown(steps) == [dict(action='update', reason='autolock_managers is False, True wanted', autolock_managers=True)]
    assert _swarm.plan(want(autolock_managers=False), have(manager=True))[0] == []


@pytest.mark.parametrize('key,value', [('data_path_port', 4790), ('subnet_size', 26),
                                       ('default_addr_pool', ['198.18.184.0/21'])])
def test_init_only_settings_cannot_change(key, value):
    with pytest.raises(ConflictError, match='^%s: .*only be set when the swarm is initialised' % key):
        _swarm.plan(want(**{key: value}), have(manager=True))


def test_swarm_settings_on_a_worker_warn():
    steps, warnings = _swarm.plan(want(rotate_worker_token=True), have())
    assert steps == [] and 'only a manager' in warnings[0]


def test_other_advertise_address_is_refused():
    with pytest.raises(ConflictError, match='^advertise_addr: this node advertises 198.18.128.11'):
        _swarm.plan(want(advertise_addr='198.18.128.12:2377'), have(manager=True))
    assert _swarm.plan(want(advertise_addr='eth0'), have(manager=True))[0] == []


def test_manager_availability_is_updated_worker_warns():
    steps = steps_of(want(availability='drain', **JOIN), have(manager=True))
    assert actions(steps) == ['update_node'] and steps[0]['subject'] == 'n1'
    steps, warnings = _swarm.plan(want(availability='drain', **JOIN), have())
    assert steps == [] and 'availability' in warnings[0]


# -- gwbridge ---------------------------------------------------------------------------
def test_gwbridge_made_before_init():
    steps = steps_of(want(gwbridge_subnet='198.18.184.0/24'), have('inactive'))
    assert actions(steps) == ['create_gwbridge', 'init']


def test_gwbridge_with_other_subnet_is_replaced_before_join_when_empty():
    gw = dict(subnet='198.18.144.0/26', containers=[])
    steps = steps_of(want(gwbridge_subnet='198.18.184.0/24', **JOIN), have('inactive', gwbridge=gw))
    assert actions(steps) == ['remove_gwbridge', 'create_gwbridge', 'join']


def test_gwbridge_with_containers_is_not_replaced():
    gw = dict(subnet='198.18.144.0/26', containers=['web'])
    with pytest.raises(ConflictError, match='^gwbridge_subnet: .*containers web'):
        _swarm.plan(want(gwbridge_subnet='198.18.184.0/24'), have('inactive', gwbridge=gw))


def test_gwbridge_cannot_move_in_a_swarm():
    gw = dict(subnet='198.18.144.0/26', containers=[])
    with pytest.raises(ConflictError, match='cannot move while this node is in the swarm'):
        _swarm.plan(want(gwbridge_subnet='198.18.184.0/24'), have(manager=True, gwbridge=gw))
    same = dict(subnet='198.18.184.0/24', containers=['x'])
    assert _swarm.plan(want(gwbridge_subnet='198.18.184.0/24'), have(manager=True, gwbridge=same))[0] == []


# -- absent -----------------------------------------------------------------------------
def test_absent_when_out_of_a_swarm_changes_nothing():
    assert _swarm.plan(want(state='absent'), have('inactive'))[0] == []


def test_worker_leaves():
    steps = steps_of(want(state='absent'), have())
    assert _swarm.shown(steps) == [dict(action='leave', reason='this worker is in a swarm and state: absent was asked', force=False)]


def test_last_manager_is_refused_without_force():
    with pytest.raises(ConflictError, match='^force: this node is the last manager'):
        _swarm.plan(want(state='absent'), have(manager=True))
    steps = steps_of(want(state='absent', force=True), have(manager=True))
    assert actions(steps) == ['leave'] and steps[0]['force'] is True


def test_manager_with_others_is_demoted_first():
    nodes = [node('n1', 'manager', addr='198.18.128.11'), node('n3', 'manager', addr='198.18.128.13'), node('n2')]
    steps = steps_of(want(state='absent'), have(manager=True, nodes=nodes))
    assert actions(steps) == ['demote', 'leave']
    assert steps[0]['subject'] == 'n1' and steps[1]['force'] is False


@pytest.mark.parametrize('reachable,ok', [
    ((True, True, True), True),     # 3 -> 2, both up
    ((True, True, False), False),   # 3 -> 2 with one down: 1 of 2 is no quorum
    ((True, False), False),         # 2 -> 1, the other down: demotion cannot commit
])
def test_quorum_guard(reachable, ok):
    nodes = [node('n%d' % i, 'manager', reachable=r, addr='198.18.128.%d' % (11 + i)) for i, r in enumerate(reachable)]
    h = have(manager=True, node_id='n0', nodes=nodes)
    if ok:
        assert actions(_swarm.plan(want(state='absent'), h)[0]) == ['demote', 'leave']
    else:
        with pytest.raises(ConflictError, match='^force: .*quorum'):
            _swarm.plan(want(state='absent'), h)
        steps = steps_of(want(state='absent', force=True), h)
        assert actions(steps) == ['leave'] and steps[0]['force'] is True


def test_half_joined_leaves_with_force():
    steps = steps_of(want(state='absent'), have('pending'))
    assert actions(steps) == ['leave'] and steps[0]['force'] is True


# -- predicted state --------------------------------------------------------------------
def test_prediction_follows_the_steps():
    h = have('inactive')
    steps = steps_of(want(role='manager', advertise_addr='198.18.128.13', **JOIN), h)
    after = _swarm.predict(h, steps, None)
    assert after['local_node_state'] == 'active' and after['role'] == 'manager'
    assert after['node_addr'] == '198.18.128.13' and after['manager_addresses'] == ['198.18.128.11:2377']
    h = have(manager=True, nodes=[node('n1', 'manager', addr='a'), node('n3', 'manager', addr='b')])
    after = _swarm.predict(h, _swarm.plan(want(state='absent'), h)[0], None)
    assert after['local_node_state'] == 'inactive' and after['role'] is None


# -- a 3-manager swarm whose leader is down ---------------------------------------------------
# (the real run: tests/integration/test_swarm_quorum.py) Planning with an unreachable manager, and the
# join that tries each of remote_addrs in turn, against a stand-in engine that answers as Engine 20.10
# does (it dials only RemoteAddrs[0]).
DEAD, LIVE2, LIVE3 = '198.18.200.11:2377', '198.18.200.12:2377', '198.18.200.13:2377'
ADDRS = [DEAD, LIVE2, LIVE3]


def managers(dead_reachability='unreachable'):
    nodes = [node('n1', 'manager', addr='198.18.200.11'), node('n2', 'manager', addr='198.18.200.12'),
             node('n3', 'manager', addr='198.18.200.13'), node('n4', addr='198.18.200.14')]
    nodes[0]['reachability'] = dead_reachability
    nodes[2]['leader'] = True
    return nodes


# -- planning with the leader down ------------------------------------------------------------
@pytest.mark.parametrize('reachability', ['unreachable', 'unknown', None])
def test_survivor_leaving_is_refused_naming_reachable_and_total(reachability):
    h = have(manager=True, node_id='n2', addr='198.18.200.12', nodes=managers(reachability))
    with pytest.raises(ConflictError) as err:
        _swarm.plan(want(state='absent'), h)
    assert str(err.value).startswith('force: 2 of 3 managers are reachable; demoting this one would leave the swarm '
                                     'without quorum')
    assert actions(steps_of(want(state='absent', force=True), h)) == ['leave']


def test_with_the_dead_manager_back_the_leader_is_demoted_then_leaves():
    h = have(manager=True, node_id='n3', addr='198.18.200.13', nodes=managers('reachable'))
    steps = steps_of(want(state='absent'), h)
    assert actions(steps) == ['demote', 'leave'] and steps[0]['subject'] == 'n3'


def test_worker_that_joined_with_the_dead_leader_first_changes_nothing():
    join = dict(remote_addrs=ADDRS, join_token=TOKEN, role='worker')
    # what the worker knows of the managers, with or without the dead one
    for remote in ((DEAD, LIVE2, LIVE3), (LIVE2, LIVE3)):
        assert steps_of(want(**join), have(node_id='n4', addr='198.18.200.14', remote=remote)) == []


def test_several_remote_addrs_are_named_in_the_join_reason():
    step = steps_of(want(remote_addrs=ADDRS, join_token=TOKEN), have('inactive'))[0]
    assert step['remote_addrs'] == ADDRS
    assert 'the first of %s that lets it in' % ', '.join(ADDRS) in step['reason']
    one = steps_of(want(remote_addrs=[LIVE2], join_token=TOKEN), have('inactive'))[0]
    assert 'joining the swarm at %s as a worker' % LIVE2 in one['reason']


def test_join_order_puts_one_address_first_and_keeps_the_rest():
    assert _swarm.join_order(ADDRS, LIVE3) == [LIVE3, DEAD, LIVE2]
    assert _swarm.join_order(ADDRS, DEAD) == ADDRS


# -- applying the join ------------------------------------------------------------------------
class SwarmEngine(object):
    """Joins like Engine 20.10: only RemoteAddrs[0] is dialed.

    ``refused`` addresses fail at once and leave the node inactive (a closed
    port); ``silent`` ones time out and leave it pending (no host answers).
    """

    def __init__(self, refused=(), silent=()):
        self.refused, self.silent = set(refused), set(silent)
        self.state = 'inactive'
        self.dialed, self.left = [], 0
        self.is_manager = False

    def post_json(self, what, path, body):
        assert path == '/swarm/join' and self.state == 'inactive'
        first = body['RemoteAddrs'][0]
        self.dialed.append(first)
        if first in self.refused:
            raise EngineError('%s: the engine refused: dial tcp %s: connection refused (token %s)'
                              % (what, first, body['JoinToken']))
        if first in self.silent:
            self.state = 'pending'
            raise EngineError('%s: the engine refused: Timeout was reached before node joined' % what)
        self.state = 'active'

    def info(self):
        return {'Swarm': {'LocalNodeState': self.state, 'ControlAvailable': self.is_manager}}

    def leave_swarm(self, force, what='leave the swarm'):
        assert force and self.state in ('pending', 'error')
        self.left += 1
        self.state = 'inactive'


def join(engine, addrs, role='worker'):
    w = want(remote_addrs=addrs, join_token=TOKEN, role=role)
    steps = steps_of(w, have('inactive'))
    _swarm.apply(engine, steps, w, wait=1)


def test_a_dead_first_manager_is_skipped_and_the_next_lets_the_node_in():
    engine = SwarmEngine(refused=[DEAD])
    join(engine, ADDRS)
    assert engine.dialed == [DEAD, LIVE2] and engine.state == 'active' and engine.left == 0


def test_a_manager_that_never_answers_leaves_the_node_pending_and_it_is_taken_out_before_the_next():
    engine = SwarmEngine(silent=[DEAD, LIVE2])
    join(engine, ADDRS)
    assert engine.dialed == ADDRS and engine.left == 2 and engine.state == 'active'


def test_no_manager_lets_the_node_in_it_is_left_inactive_and_every_address_is_named():
    engine = SwarmEngine(refused=[DEAD], silent=[LIVE2])
    with pytest.raises(EngineError) as err:
        join(engine, [DEAD, LIVE2])
    text = str(err.value)
    assert text.startswith('remote_addrs: no manager let this node join (join the swarm at %s: ' % DEAD)
    assert 'join the swarm at %s: the engine refused: Timeout' % LIVE2 in text
    assert 'the node is out of any swarm again (inactive)' in text
    assert TOKEN not in text and '********' in text
    assert engine.state == 'inactive' and engine.left == 1


def test_the_engine_gave_up_waiting_but_the_node_got_in():
    class LateEngine(SwarmEngine):
        def post_json(self, what, path, body):
            self.dialed.append(body['RemoteAddrs'][0])
            self.state = 'active'
            raise EngineError('%s: the engine refused: Timeout was reached before node joined' % what)
    engine = LateEngine()
    join(engine, ADDRS)
    assert engine.dialed == [DEAD] and engine.state == 'active' and engine.left == 0


def test_an_engine_lost_during_the_join_is_reported_as_the_join_and_nothing_more_is_tried():
    class LostEngine(SwarmEngine):
        def post_json(self, what, path, body):
            self.dialed.append(body['RemoteAddrs'][0])
            raise EngineError('%s: lost the Docker Engine at unix:///x.sock (Connection refused)' % what)

        def info(self):
            raise EngineError('engine info: lost the Docker Engine at unix:///x.sock (Connection refused)')
    engine = LostEngine()
    with pytest.raises(EngineError) as err:
        join(engine, ADDRS)
    assert str(err.value).startswith('join the swarm at %s: lost the Docker Engine' % DEAD)
    assert engine.dialed == [DEAD]


@pytest.mark.parametrize('addr', ['[::1', '[]:1', '1.2.3.4:x', ':', '', ':1', '1.2.3.4:99999', '[::1]x'])
def test_malformed_manager_address_is_refused_naming_the_entry(addr):
    # split_hostport raised a bare ValueError (unpacking, int()) out of want_from_params: a traceback.
    from ansible_collections.netprov.dockernet.plugins.module_utils._swarm.membership import SWARM_ARGS, want_from_params
    params = dict((k, v.get('default')) for k, v in SWARM_ARGS.items())
    params.update(remote_addrs=['198.18.160.11', addr], join_token='SWMTKN-1-x')
    with pytest.raises(ValidationError) as err:
        want_from_params(params, resolve=False)
    assert str(err.value).startswith('remote_addrs[1]: ')


@pytest.mark.parametrize('addr, expected', [('198.18.160.11', '198.18.160.11:2377'), ('[::1]:2378', '[::1]:2378'),
                                            ('[fd00::1]', '[fd00::1]:2377'), ('198.18.160.11:4000', '198.18.160.11:4000')])
def test_good_manager_addresses_still_normalise(addr, expected):
    from ansible_collections.netprov.dockernet.plugins.module_utils._swarm.membership import norm_addr
    assert norm_addr(addr, resolve=False) == expected
