"""_network.info: docker_network_info's description of a network, over what real engines stored (engine_samples/).

Reading the kernel's xfrm states of an encrypted overlay this engine has joined needs a swarm:
tests/integration/test_docker_network_overlay.py::test_encrypted_overlay_refused_without_esp_and_created_with_warn
exercises it on a real swarm.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._network import info
from ansible_collections.netprov.dockernet.plugins.module_utils._network.core import EngineState
from ansible_collections.netprov.dockernet.tests.support.network_samples import SAMPLES, ReplayEngine, case_of

MEMBER_ENGINES = [e for e in sorted(SAMPLES) if 'members' in SAMPLES[e]['cases']]


def _described(engine, sample=None, swarm=None):
    sample, c = (sample, sample['cases']['members']) if sample else case_of(engine, 'members')
    replay = ReplayEngine(sample, 'members')
    state = EngineState(replay)
    if swarm is not None:
        state._swarm = swarm
    return c, info.describe_network(state, c['network']['Id'])


@pytest.mark.parametrize('engine', MEMBER_ENGINES)
def test_every_member_is_described_with_what_its_container_says_of_it(engine):
    c, net = _described(engine)
    roles = c['roles']
    assert net['name'] == c['name'] and net['id'] == c['network']['Id'] and net['driver'] == 'bridge'
    assert sorted(net['endpoints']) == sorted(roles.values())
    stopped, created = net['endpoints'][roles['stopped']], net['endpoints'][roles['created']]
    assert (stopped['aliases'], stopped['ipv4_address'], stopped['state']) == (['db'], '198.19.72.141', 'exited')
    assert (created['aliases'], created['ipv4_address'], created['state']) == (['cache'], '198.19.72.142', 'created')
    assert net['endpoints'][roles['connected_created']]['ipv4_address'] == '198.19.72.143'
    for ep in net['endpoints'].values():
        assert ep['service'] is None and set(ep) >= {'aliases', 'links', 'ipv6_address'}
    assert 'encryption' not in net  # a bridge network has none to report


@pytest.mark.parametrize('engine', MEMBER_ENGINES)
def test_a_network_the_engine_no_longer_has_is_none(engine):
    sample, c = case_of(engine, 'members')
    assert info.describe_network(EngineState(ReplayEngine(sample, 'members')), 'f' * 64) is None


def _encrypted(engine):
    sample = copy.deepcopy(SAMPLES[engine])
    net = sample['cases']['members']['network']
    net.update(Driver='overlay', Scope='swarm', Options={'encrypted': ''},
               Peers=[{'Name': 'node2', 'IP': '198.19.72.2'}])
    return sample


@pytest.mark.parametrize('engine', MEMBER_ENGINES)
def test_an_encrypted_overlay_on_an_engine_elsewhere_says_where_to_run_the_task(engine):
    _c, net = _described(engine, _encrypted(engine), swarm={'NodeAddr': '198.19.72.1'})
    assert net['encrypted'] is True
    assert net['encryption'] == {
        'active': None, 'peers': [], 'missing': [], 'algorithm': None, 'states': 0, 'packets_out': 0,
        'reason': "the engine is not on this host; run the task on the engine's host to read its xfrm states"}


def test_an_encrypted_overlay_of_a_local_engine_outside_a_swarm_says_so():
    engine = MEMBER_ENGINES[0]
    sample = _encrypted(engine)
    replay = ReplayEngine(sample, 'members')
    replay.is_local = True
    state = EngineState(replay)
    assert info.encryption_of(state, sample['cases']['members']['network'])['reason'] == 'the engine is not in a swarm'
