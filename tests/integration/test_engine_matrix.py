"""docker_network on every engine of the matrix (20.10, 26.1, 28.5), read back with that engine's own CLI.

Subnets come from 198.19.97.0/24 (free for tests in the engines' block, see
scripts/engines.py); the private engines each have a namespace of their own,
so the same subnet serves each.
"""
import json
import subprocess
import uuid

import pytest

# In-process calls (the module's real main()): the test is about what docker_network does on each engine.
from ansible_collections.netprov.dockernet.tests.support.inproc import run_module
from ansible_collections.netprov.dockernet.tests.support.engine_matrix import MATRIX, PRIVATE

M = 'netprov.dockernet.docker_network'


def _inspect(info, name):
    proc = info.cli('network', 'inspect', name, check=False)
    return json.loads(proc.stdout)[0] if proc.returncode == 0 else None


@pytest.mark.parametrize('engine', MATRIX, indirect=True)
def test_bridge_network_made_converges_and_is_removed(engine, engine_info):
    name = 'npe-m%s' % uuid.uuid4().hex[:6]
    args = {'name': name, 'docker_host': engine, 'labels': {'team': 'matrix'},
            'ipam_config': [{'subnet': '198.19.97.0/26', 'gateway': '198.19.97.1'}]}
    try:
        made = run_module(M, args)
        assert made.get('failed') is not True, made.get('msg')
        assert made['changed'] is True
        net = _inspect(engine_info, name)
        assert net is not None, 'docker network inspect %s finds nothing on %s' % (name, engine_info.version)
        assert net['Driver'] == 'bridge'
        assert net['IPAM']['Config'] == [{'Subnet': '198.19.97.0/26', 'Gateway': '198.19.97.1'}]
        assert net['Labels'] == {'team': 'matrix', 'netprov.dockernet.managed': 'true'}
        again = run_module(M, args)
        assert again.get('failed') is not True, again.get('msg')
        assert again['changed'] is False, again.get('plan')
        gone = run_module(M, {'name': name, 'docker_host': engine, 'state': 'absent'})
        assert gone['changed'] is True, gone.get('msg')
        assert _inspect(engine_info, name) is None, 'the network is still there after state: absent'
    finally:
        engine_info.cli('network', 'rm', name, check=False)


@pytest.mark.parametrize('engine', PRIVATE, indirect=True)
def test_parent_checks_look_into_the_engines_namespace(engine, engine_info):
    """A macvlan parent is looked for where the engine runs: a link only in the root namespace is refused."""
    tag = uuid.uuid4().hex[:5]
    inside, outside = 'npi%s' % tag, 'npo%s' % tag
    name = 'npe-mv%s' % tag
    ns = ['ip', '-n', engine_info.netns]
    subprocess.run(ns + ['link', 'add', inside, 'type', 'veth', 'peer', 'name', inside + 'p'], check=True)
    subprocess.run(ns + ['link', 'set', inside, 'up'], check=True)
    subprocess.run(['ip', 'link', 'add', outside, 'type', 'veth', 'peer', 'name', outside + 'p'], check=True)
    try:
        refused = run_module(M, {'name': name, 'docker_host': engine, 'driver': 'macvlan', 'parent': outside,
                                 'ipam_config': [{'subnet': '198.19.97.64/26'}]})
        assert refused.get('failed') is True, 'a parent that is not in the engine\'s namespace was accepted'
        assert 'parent' in refused['msg'] and outside in refused['msg'], refused['msg']
        assert _inspect(engine_info, name) is None, 'a refused network was created'
        made = run_module(M, {'name': name, 'docker_host': engine, 'driver': 'macvlan', 'parent': inside,
                              'ipam_config': [{'subnet': '198.19.97.64/26'}]})
        assert made.get('failed') is not True, made.get('msg')
        assert _inspect(engine_info, name)['Options']['parent'] == inside
    finally:
        engine_info.cli('network', 'rm', name, check=False)
        subprocess.run(ns + ['link', 'del', inside], check=False)
        subprocess.run(['ip', 'link', 'del', outside], check=False)


@pytest.mark.parametrize('engine', MATRIX, indirect=True)
def test_engine_runs_containers_that_reach_each_other_by_name(engine, engine_info):
    """The engine itself, without the collection: a user-defined bridge network and name resolution on it."""
    tag = uuid.uuid4().hex[:5]
    name, a, b = 'npe-p%s' % tag, 'npe-pa%s' % tag, 'npe-pb%s' % tag
    try:
        engine_info.cli('network', 'create', '--subnet', '198.19.97.128/26', name)
        for c in (a, b):
            engine_info.cli('run', '-d', '--name', c, '--network', name, 'netprov-test/busybox:latest', 'sleep', '600')
        for src, dst in ((a, b), (b, a)):
            ping = engine_info.cli('exec', src, 'ping', '-c', '1', '-W', '5', dst, check=False)
            assert ping.returncode == 0, ('%s could not ping %s by name on %s: %s'
                                          % (src, dst, engine_info.version, ping.stdout + ping.stderr))
    finally:
        engine_info.cli('rm', '-f', a, b, check=False)
        engine_info.cli('network', 'rm', name, check=False)
