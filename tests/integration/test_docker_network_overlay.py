"""Overlay networks on a single-node swarm of an engine of its own.

The engine is a one-engine test fleet (tests/fleet.py) that this module starts,
swarm-inits and takes down, so it never changes the machine's engine that other
test files use, and runs beside them in parallel.
"""
import ipaddress
import os
import subprocess

import pytest

from ansible_play import run_module
from fleet import scratch_fleet

M = 'netprov.dockernet.docker_network'
OVERLAY_RANGE = '198.19.112.0/21'


@pytest.fixture(scope='module')
def swarm():
    if os.geteuid() != 0:
        pytest.skip('the engine of its own needs root (a network namespace, dockerd)')
    with scratch_fleet(1, OVERLAY_RANGE) as fleet:
        e = fleet.engine(1)
        # A default route in the engine's namespace, as a real host has: the MTU advice reads its link.
        # The fleet's bridge has no address, so nothing sent this way leaves the test fleet.
        subprocess.run(['ip', '-n', e['netns'], 'route', 'add', 'default', 'dev', 'eth0'], check=True)
        fleet.docker(1, 'swarm', 'init', '--advertise-addr', e['addr'],
                     '--default-addr-pool', fleet.swarm_pool, '--default-addr-pool-mask-length', '26')
        try:
            yield fleet
        finally:
            fleet.leave_swarms()


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
