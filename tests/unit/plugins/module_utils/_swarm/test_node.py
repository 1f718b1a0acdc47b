"""docker_swarm_node's planning: pure tables of (want, have) -> steps or refusal."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import yaml

from ansible_collections.netprov.dockernet.plugins.module_utils._swarm import membership as _swarm, node as _swarm_node
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError, ValidationError
from ansible_collections.netprov.dockernet.plugins.modules import docker_swarm_node
from ansible_collections.netprov.dockernet.tests.support.swarm_data import SELF, node_have as have, node_record as node, node_want as want


def plan(w, h):
    return _swarm_node.plan(w, h)[0]


def actions(steps):
    return [s['action'] for s in steps]


# -- the engine must be a manager -------------------------------------------------------
@pytest.mark.parametrize('state,manager,what', [('active', False, 'a worker'), ('inactive', False, 'not in a swarm \\(inactive\\)')])
def test_refused_unless_the_engine_is_a_manager(state, manager, what):
    h = have(local_state=state, is_manager=manager, nodes=None)
    with pytest.raises(ValidationError, match='^docker_host: this engine is %s; only a manager' % what):
        _swarm_node.plan(want(node='engine3'), h)


# -- finding the node --------------------------------------------------------------------
def test_node_by_id_hostname_and_prefix():
    h = have(node('abc123', 'engine3'), node('abd456', 'engine2'))
    for ident in ('abc123', 'engine3', 'abc'):
        assert _swarm_node.find_node(h['nodes'], ident)['id'] == 'abc123'
    assert _swarm_node.find_node(h['nodes'], 'nothere') is None


def test_ambiguous_hostname_lists_the_candidates():
    h = have(node('old111', 'engine3', state='down'), node('new222', 'engine3'))
    with pytest.raises(ValidationError) as err:
        _swarm_node.plan(want(node='engine3', state='absent'), h)
    assert str(err.value).startswith("node: 'engine3' is the hostname of 2 nodes: new222 (engine3, worker, ready), "
                                     "old111 (engine3, worker, down); give the ID")
    assert err.value.details['candidates'] == ['new222', 'old111']
    assert actions(plan(want(node='old111', state='absent'), h)) == ['remove']


def test_ambiguous_id_prefix():
    h = have(node('abc123', 'x'), node('abd456', 'y'))
    with pytest.raises(ValidationError, match="^node: 'ab' is the ID prefix of 2 nodes"):
        plan(want(node='ab', labels={'a': 'b'}), h)


def test_present_needs_an_existing_node():
    with pytest.raises(ValidationError, match="^node: no node of this swarm has the ID, ID prefix or hostname 'ghost'"):
        plan(want(node='ghost', availability='drain'), have())


# -- present -----------------------------------------------------------------------------
def test_update_one_step_naming_each_field():
    h = have(node('w3', 'engine3', labels={'rack': 'r1', 'keep': 'x'}))
    steps = plan(want(node='engine3', role='manager', availability='drain', labels={'rack': 'r2', 'zone': 'b'}), h)
    assert _swarm.shown(steps) == [dict(action='update_node', node_id='w3', role='manager', availability='drain',
                                        labels={'rack': 'r2', 'keep': 'x', 'zone': 'b'},
                                        reason='role: worker -> manager; availability: active -> drain; '
                                               'labels: rack: r1 -> r2, add zone=b')]
    after = _swarm_node.predict(h['nodes'][1], steps)
    assert (after['role'], after['availability'], after['labels']) == ('manager', 'drain', steps[0]['labels'])


def test_labels_merge_vs_replace():
    h = have(node('w3', 'engine3', labels={'rack': 'r1', 'old': 'y'}))
    assert plan(want(node='w3', labels={'rack': 'r1'}), h) == []   # merge: already there
    steps = plan(want(node='w3', labels={'rack': 'r1'}, labels_state='replace'), h)
    assert steps[0]['labels'] == {'rack': 'r1'} and steps[0]['reason'] == 'labels: remove old'
    assert plan(want(node='w3', labels={'rack': 'r1', 'old': 'y'}, labels_state='replace'), h) == []
    assert plan(want(node='w3', labels={}, labels_state='replace'), h)[0]['labels'] == {}
    assert plan(want(node='w3', labels_state='replace'), h) == []   # no labels given: left alone


def test_label_values_are_strings():
    assert want(node='n', labels={'n': 1})['labels'] == {'n': '1'}
    with pytest.raises(ValidationError, match='^labels.bad: '):
        want(node='n', labels={'bad': None})


def test_already_as_wanted_is_no_change():
    h = have(node('w3', 'engine3', availability='drain', labels={'a': 'b'}))
    assert plan(want(node='engine3', role='worker', availability='drain', labels={'a': 'b'}), h) == []


def test_demoting_by_role_keeps_quorum():
    h = have(node('m2', 'engine2', 'manager'), node('m3', 'engine3', 'manager', reachable=False))
    with pytest.raises(ConflictError, match='^role: 2 of 3 managers are reachable; demoting engine2 \\(m2\\) would '
                                            'leave the swarm without quorum'):
        plan(want(node='engine2', role='worker'), h)
    assert actions(plan(want(node='engine3', role='worker'), h)) == ['update_node']   # the unreachable one: fine
    with pytest.raises(ConflictError, match='last manager'):
        plan(want(node='engine1', role='worker'), have())


# -- absent ------------------------------------------------------------------------------
def test_remove_a_down_worker():
    h = have(node('w3', 'engine3', state='down'))
    steps, warnings = _swarm_node.plan(want(node='engine3', state='absent'), h)
    before = _swarm_node.target(want(node='engine3', state='absent'), h)
    assert warnings == [] and _swarm.shown(steps) == [
        dict(action='remove', node_id='w3', force=False, reason='engine3 (w3) is down; removing its entry from the swarm')]
    assert before['id'] == 'w3' and _swarm_node.predict(before, steps) is None


def test_absent_node_is_no_change():
    assert _swarm_node.plan(want(node='engine3', state='absent'), have()) == ([], [])
    assert _swarm_node.target(want(node='engine3', state='absent'), have()) is None


def test_up_node_refused_without_force():
    h = have(node('w3', 'engine3'))
    with pytest.raises(ConflictError) as err:
        plan(want(node='engine3', state='absent'), h)
    assert str(err.value) == ('force: engine3 (w3) is still up (status ready); make it leave first (docker_swarm '
                              'state: absent on it) or give force: true to remove it anyway')
    steps = plan(want(node='engine3', state='absent', force=True), h)
    assert actions(steps) == ['remove'] and steps[0]['force'] is True


def test_down_manager_is_demoted_then_removed():
    h = have(node('m2', 'engine2', 'manager'), node('m3', 'engine3', 'manager', state='down', reachable=False))
    steps = plan(want(node='m3', state='absent'), h)
    assert actions(steps) == ['demote', 'remove'] and steps[0]['subject'] == 'm3' and steps[1]['force'] is False
    after = _swarm_node.predict(h['nodes'][2], steps[:1])
    assert (after['role'], after['reachability']) == ('worker', None)


def test_up_manager_with_force_is_demoted_then_removed():
    h = have(node('m2', 'engine2', 'manager'), node('m3', 'engine3', 'manager'))
    assert actions(plan(want(node='m3', state='absent', force=True), h)) == ['demote', 'remove']


def test_demotion_that_breaks_quorum_is_refused():
    # 3 managers, engine3 unreachable: demoting the reachable engine2 leaves 1 of 2
    h = have(node('m2', 'engine2', 'manager', state='down', reachable=True),
             node('m3', 'engine3', 'manager', state='down', reachable=False))
    with pytest.raises(ConflictError, match='^node: 2 of 3 managers are reachable; demoting engine2'):
        plan(want(node='m2', state='absent'), h)
    # engine2 and engine3 unreachable: no quorum at all
    h = have(node('m2', 'engine2', 'manager', state='down', reachable=False),
             node('m3', 'engine3', 'manager', state='down', reachable=False))
    with pytest.raises(ConflictError, match='^node: 1 of 3 managers are reachable'):
        plan(want(node='m3', state='absent'), h)


def test_the_engine_talked_to_cannot_remove_itself():
    with pytest.raises(ConflictError, match='^node: engine1 \\(%s\\) is the manager this task talks to' % SELF):
        plan(want(node='engine1', state='absent', force=True), have())


def test_quorum_rule_is_shared_with_docker_swarm_leave():
    nodes = [node('a', role='manager'), node('b', role='manager'), node('c', role='manager', reachable=False)]
    assert _swarm.demotion_quorum(nodes, 'c') == (2, 3, True)
    assert _swarm.demotion_quorum(nodes, 'a') == (2, 3, False)
    assert _swarm.demotion_quorum(nodes[:2], 'a') == (2, 2, True)


def test_node_record_carries_labels():
    rec = _swarm.node_record({'ID': 'x', 'Spec': {'Role': 'worker', 'Labels': {'a': 'b'}}, 'Status': {'State': 'down'}})
    assert rec['labels'] == {'a': 'b'} and rec['state'] == 'down'
    assert _swarm.node_record({'ID': 'y'})['labels'] == {}


def test_documented_options_match_the_argument_spec():
    documented = yaml.safe_load(docker_swarm_node.DOCUMENTATION)['options']
    assert sorted(documented) == sorted(_swarm_node.NODE_ARGS)
    for name, spec in _swarm_node.NODE_ARGS.items():
        for key in ('type', 'default', 'choices', 'required'):
            assert documented[name].get(key) == spec.get(key), (name, key)
