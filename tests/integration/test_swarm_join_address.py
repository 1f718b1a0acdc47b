"""A swarm on a private fleet of two engines (198.19.88.0/21): a worker that joined through an address its
managers do not advertise, and playbooks/teardown.yml taking the swarm and its docker_gwbridge apart.

- engine2 joins engine1's swarm through a second address of engine1 (as through a VIP, a NAT or a DNS
  name): the node only ever sees the managers' advertised addresses, so every later run must still find it
  in the intended swarm, told by the swarm's root CA, which the join token names.
- teardown.yml with teardown_swarm=true: both nodes leave, and the docker_gwbridge the swarm role made goes
  where nothing uses it, and stays where a container still does.
"""
import hashlib
import ipaddress
import os
import re
import subprocess

import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import PYTHON, ROOT, ansible_env, play
from ansible_collections.netprov.dockernet.tests.support.fleet import scratch_fleet

RANGE = '198.19.88.0/21'
VIP = '198.19.88.30'  # a second address of engine1, in the fleet's link block, that no engine advertises
SWARM = 'netprov.dockernet.docker_swarm'
DEFAULTS = {'group/netprov.dockernet.docker': {'docker_host': '{{ docker_host }}'}}


@pytest.fixture(scope='module')
def fleet():
    if os.geteuid() != 0:
        pytest.skip('the fleet needs root (network namespaces, a bridge, dockerd)')
    with scratch_fleet(2, RANGE) as f:
        subprocess.run(['ip', '-n', f.engine(1)['netns'], 'addr', 'add', '%s/27' % VIP, 'dev', 'eth0'], check=True)
        yield f


def gwbridge_subnets(fleet):
    return [str(s) for s in list(ipaddress.ip_network(fleet.scratch).subnets(new_prefix=27))[:2]]


def on(host, task):
    return dict(task, when="inventory_hostname == '%s'" % host)


def join_args(fleet, token):
    return {'remote_addrs': [VIP], 'join_token': token, 'advertise_addr': '{{ fleet_addr }}', 'role': 'worker',
            'gwbridge_subnet': gwbridge_subnets(fleet)[1]}


def form(fleet):
    """engine1 manages a swarm, engine2 is its worker, joined through the VIP; returns the worker token."""
    init = on('engine1', {SWARM: {'advertise_addr': '{{ fleet_addr }}', 'default_addr_pool': [fleet.swarm_pool],
                                  'subnet_size': 27, 'gwbridge_subnet': gwbridge_subnets(fleet)[0]}})
    r = play([init], hosts='fleet', inventory=fleet.inventory, module_defaults=DEFAULTS)
    assert not r[0]['engine1'].get('failed'), r[0]['engine1'].get('msg')
    token = fleet.client(1).inspect_swarm()['JoinTokens']['Worker']
    r = play([on('engine2', {SWARM: join_args(fleet, token)})], hosts='fleet', inventory=fleet.inventory,
             module_defaults=DEFAULTS)
    assert not r[0]['engine2'].get('failed'), r[0]['engine2'].get('msg')
    assert fleet.client(2).info()['Swarm']['LocalNodeState'] == 'active'
    return token


def _token_ca(token):
    """The root CA digest a join token carries: SWMTKN-1-<sha256 in base 36>-<secret>."""
    return '%064x' % int(token.split('-')[2], 36)


def test_a_worker_joined_through_another_address_stays_converged(fleet):
    token = form(fleet)
    worker = fleet.client(2).info()['Swarm']
    # What makes the case: the worker knows its managers only by their advertised addresses.
    assert [m['Addr'] for m in worker['RemoteManagers']] == ['%s:2377' % fleet.engine(1)['addr']]

    task = on('engine2', {SWARM: join_args(fleet, token)})
    for check in (True, False):
        r = play([task], hosts='fleet', inventory=fleet.inventory, module_defaults=DEFAULTS, check=check)
        res = r[0]['engine2']
        assert not res.get('failed') and res['changed'] is False and res['plan'] == [], (check, res.get('msg'))
        assert res['swarm']['role'] == 'worker' and not res.get('warnings'), res.get('warnings')

    # What tells the swarm apart: the join token names its root CA, as the manager and the worker hold it.
    trust_root = fleet.client(1).inspect_swarm()['TLSInfo']['TrustRoot'].encode()
    assert _token_ca(token) == hashlib.sha256(trust_root).hexdigest()
    with open(os.path.join(worker_root(fleet), 'swarm', 'certificates', 'swarm-root-ca.crt'), 'rb') as f:
        assert _token_ca(token) == hashlib.sha256(f.read()).hexdigest()

    # A token of another swarm (another root CA) through the same address is refused, naming the field.
    other = 'SWMTKN-1-%s-%s' % (token.split('-')[2][::-1], token.split('-')[3])
    r = play([on('engine2', {SWARM: join_args(fleet, other)})], hosts='fleet', inventory=fleet.inventory,
             module_defaults=DEFAULTS)
    res = r[0]['engine2']
    assert res.get('failed') and res['msg'].startswith('remote_addrs: ') and 'another root CA' in res['msg'], res
    assert other not in res['msg'] and fleet.client(2).info()['Swarm']['LocalNodeState'] == 'active'


def worker_root(fleet):
    return fleet.client(2).info()['DockerRootDir']


def _teardown_inventory(fleet, tmp_path):
    """The fleet as teardown.yml expects it; each host's modules reach its own engine through DOCKER_HOST, as
    modules on a real host reach /var/run/docker.sock: the playbook runs as it ships, with no module_defaults."""
    lines = ['[docker_hosts]']
    for e in fleet.engines:
        wrapper = tmp_path / ('python-%s' % e['name'])
        wrapper.write_text('#!/bin/sh\nDOCKER_HOST=%s exec %s "$@"\n' % (e['url'], PYTHON))
        wrapper.chmod(0o755)
        lines.append('%s ansible_connection=local ansible_python_interpreter=%s' % (e['name'], wrapper))
    lines += ['[swarm_managers]', 'engine1', '[swarm_workers]', 'engine2', '']
    path = tmp_path / 'inventory.ini'
    path.write_text('\n'.join(lines))
    return str(path)


def _teardown(inventory):
    proc = subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), '-i', inventory,
                           os.path.join(ROOT, 'playbooks', 'teardown.yml'), '-e', 'teardown_swarm=true'],
                          capture_output=True, text=True, env=ansible_env(), timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return dict(re.findall(r'^(engine\d)\s+:.*?changed=(\d+)', proc.stdout, re.M))


def test_teardown_takes_the_swarm_and_its_unused_gwbridge_apart(fleet, tmp_path):
    form(fleet)
    one, two = fleet.client(1), fleet.client(2)
    assert one.inspect_network('docker_gwbridge')['Labels'] == {'netprov.dockernet.managed': 'true'}
    # Something that is the user's on each side: a hand-made network, and a container on engine2's gwbridge.
    one.create_network('npbk-hand', driver='bridge')
    fleet.docker(2, 'run', '-d', '--name', 'npbk-gw', '--network', 'docker_gwbridge', fleet.image, 'sleep', '3600')
    try:
        changed = _teardown(_teardown_inventory(fleet, tmp_path))
        assert changed['engine1'] != '0' and changed['engine2'] != '0', changed
        for client in (one, two):
            assert client.info()['Swarm']['LocalNodeState'] == 'inactive'
        assert [n['Name'] for n in one.networks(names=['docker_gwbridge'])] == []
        assert [n['Name'] for n in one.networks(names=['npbk-hand'])] == ['npbk-hand']
        kept = two.inspect_network('docker_gwbridge')
        assert [c['Name'] for c in kept['Containers'].values()] == ['npbk-gw']
        # A second teardown finds nothing left to do.
        assert _teardown(_teardown_inventory(fleet, tmp_path)) == {'engine1': '0', 'engine2': '0'}
    finally:
        fleet.docker(2, 'rm', '-f', 'npbk-gw', check=False)
        fleet.docker(1, 'network', 'rm', 'npbk-hand', check=False)
