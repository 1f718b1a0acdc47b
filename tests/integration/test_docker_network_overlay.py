"""The swarm modules and overlay networks on a single-node swarm, once per engine of the engine tier.

The engine is a one-engine test fleet (tests/support/fleet.py) of the tier's release
(the system's dockerd, or 26.1/28.5 from scripts/engines.py) that this module
starts, swarm-inits through docker_swarm and takes down, so it never changes
the engines that other test files use, and runs beside them in parallel.
"""
import ipaddress

import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play
# In-process calls (the module's real main()) for module(); docker_swarm_info (an action plugin) and
# docker_swarm_node run through ansible-playbook.
from ansible_collections.netprov.dockernet.tests.support.inproc import run_module
from ansible_collections.netprov.dockernet.tests.support.fleet_fixtures import swarm_fleet

M = 'netprov.dockernet.docker_network'
SWARM = 'netprov.dockernet.docker_swarm'
INFO = 'netprov.dockernet.docker_swarm_info'
NODE = 'netprov.dockernet.docker_swarm_node'
OVERLAY_RANGE = '198.19.112.0/21'

pytestmark = pytest.mark.engine_tier  # every test, once per engine of NETPROV_ENGINES


@pytest.fixture(scope='module')
def swarm(docker_engine):
    """The fleet, in a swarm that docker_swarm made: check mode, the real init and a second run, recorded."""
    with swarm_fleet(docker_engine, 1, OVERLAY_RANGE) as fleet:
        yield fleet


def test_docker_swarm_init_check_mode_real_and_no_change_after(swarm):
    check, real, again, again_check = swarm.init.results
    assert swarm.before_init == 'inactive'
    assert check.get('failed') is not True, check.get('msg')
    assert check['changed'] is True and [s['action'] for s in check['plan']] == ['init']
    assert check['diff']['before']['local_node_state'] == 'inactive'
    assert real.get('failed') is not True, real.get('msg')
    assert real['changed'] is True and real['plan'] == check['plan'], 'check mode planned other than the real run'
    assert real['swarm']['role'] == 'manager'
    for r in (again, again_check):
        assert r['changed'] is False and r['plan'] == [], r
    state = swarm.client(1).info()['Swarm']
    assert state['LocalNodeState'] == 'active' and state['ControlAvailable'] is True
    spec = swarm.client(1).inspect_swarm()
    assert spec['DefaultAddrPool'] == [swarm.swarm_pool] and spec['SubnetSize'] == 26


def test_docker_swarm_info_reads_the_node_and_its_tokens(swarm):
    url = swarm.engine(1)['url']
    r = play([{INFO: {'docker_host': url}}, {INFO: {'docker_host': url, 'join_tokens': True}, 'check_mode': True}])
    info, tokens = r[0], r[1]
    assert info.get('failed') is not True, info.get('msg')
    assert info['swarm_active'] is True and info['role'] == 'manager' and info['is_manager'] is True
    assert info['cluster_id'] == swarm.client(1).inspect_swarm()['ID']
    assert [(n['hostname'], n['role']) for n in info['nodes']] == [('fleet-engine1', 'manager')]
    assert info['manager_addresses'] == ['%s:2377' % swarm.engine(1)['addr']]
    assert 'join_tokens' not in info
    real = swarm.client(1).inspect_swarm()['JoinTokens']
    assert tokens['join_tokens'] == {'worker': real['Worker'], 'manager': real['Manager']}


def test_docker_swarm_node_labels_the_node_check_real_rerun(swarm):
    url = swarm.engine(1)['url']
    task = {NODE: {'docker_host': url, 'node': 'fleet-engine1', 'labels': {'rack': 'r1'}}}
    r = play([dict(task, check_mode=True), task, task], diff=True)
    check, real, again = r[0], r[1], r[2]
    assert check.get('failed') is not True, check.get('msg')
    assert check['changed'] is True and check['plan'] == real['plan']
    assert [s['action'] for s in real['plan']] == ['update_node'] and real['node']['labels'] == {'rack': 'r1'}
    assert again['changed'] is False and again['plan'] == []
    node = swarm.client(1).inspect_node(real['node']['id'])
    assert node['Spec']['Labels'] == {'rack': 'r1'} and node['Spec']['Role'] == 'manager'


def overlay_subnet(fleet, k):
    """The k-th /26 of the fleet's scratch block."""
    return str(list(ipaddress.ip_network(fleet.scratch).subnets(new_prefix=26))[k])


def module(fleet, args, **kw):
    return run_module(M, dict(args, docker_host=fleet.engine(1)['url']), **kw)


def names(fleet):
    return fleet.docker(1, 'network', 'ls', '--format', '{{.Name}}').stdout.split()


def test_attachable_overlay_created_idempotent_and_usable(swarm):
    name = 'npov-ov'
    args = {'name': name, 'driver': 'overlay', 'attachable': True,
            'ipam_config': [{'subnet': overlay_subnet(swarm, 0)}]}
    check = module(swarm, args, check=True)
    real = module(swarm, args)
    assert real['changed'] is True and real['plan'] == check['plan'], real.get('msg')
    assert module(swarm, args)['changed'] is False
    net = swarm.client(1).inspect_network(name)
    assert net['Scope'] == 'swarm' and net['Attachable'] is True
    for c in ('npov-a', 'npov-b'):
        swarm.docker(1, 'run', '-d', '--name', c, '--network', name, swarm.image, 'sleep', '3600')
    ping = swarm.docker(1, 'exec', 'npov-b', 'ping', '-c', '1', '-W', '3', 'npov-a', check=False)
    assert ping.returncode == 0, ping.stdout + ping.stderr


def test_encrypted_overlay_refused_without_esp_and_created_with_warn(swarm):
    name = 'npov-enc'
    args = {'name': name, 'driver': 'overlay', 'attachable': True, 'encrypted': True,
            'ipam_config': [{'subnet': overlay_subnet(swarm, 1)}]}
    refused = module(swarm, args)
    assert refused.get('failed') is True
    assert 'ESP' in refused['msg'] and 'drop all traffic' in refused['msg'], refused['msg']
    assert name not in names(swarm)
    warned = module(swarm, dict(args, kernel_check='warn'))
    assert warned['changed'] is True and any('ESP' in w for w in warned['warnings'])
    assert 'encrypted' in swarm.client(1).inspect_network(name)['Options']
    assert any('MTU' in w for w in warned['warnings']), warned['warnings']
    info = run_module('netprov.dockernet.docker_network_info',
                      {'name': name, 'docker_host': swarm.engine(1)['url']})
    enc = info['network']['encryption']
    # One node, no peer yet: nothing to be active with, and the report says why.
    assert enc['active'] is False and enc['peers'] == [] and 'no other node' in enc['reason'], enc
    verify = module(swarm, dict(args, kernel_check='warn', verify=True, verify_timeout=2))
    assert verify.get('failed') is True and verify['msg'].startswith('verify:'), verify.get('msg')
