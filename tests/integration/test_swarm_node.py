"""docker_swarm_node on a private fleet of three engines (198.18.208.0/21), through real ansible-playbook runs.

The tests run in file order and build on each other:

1. engine1 initialises, engine2 joins as a manager, engine3 as a worker;
2. engine3 is labelled and drained through docker_swarm_node on engine1:
   check mode, real, then a re-run that changes nothing;
3. removing engine3 while it is up is refused without force;
4. engine3 leaves (docker_swarm state: absent); once the managers see it down,
   docker_swarm_node removes its entry, `docker node ls` no longer lists it,
   and a re-run changes nothing;
5. engine2, a manager, leaves (demote, then leave) and is listed Down; its
   entry is removed the same way;
6. the swarm role forms the swarm again, then with swarm_state: absent on
   engine2 and engine3 makes both leave and removes their entries on engine1
   (check mode first, which removes nothing); a re-run changes nothing;
7. an up manager removed with force is demoted first, then removed.

The waits are bounded polls; no test asserts on time.
"""
import os
import time

import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import FLEET_ROLE_DEFAULTS, play
from ansible_collections.netprov.dockernet.tests.support.fleet import scratch_fleet

SWARM = 'netprov.dockernet.docker_swarm'
INFO = 'netprov.dockernet.docker_swarm_info'
NODE = 'netprov.dockernet.docker_swarm_node'
DEFAULTS = {'group/netprov.dockernet.docker': {'docker_host': '{{ docker_host }}'}}
NODE_RANGE = '198.18.208.0/21'
WAIT = 60   # bound of every poll, in seconds; never asserted on


@pytest.fixture(scope='module')
def nfleet():
    if os.geteuid() != 0:
        pytest.skip('the fleet needs root (network namespaces, a bridge, dockerd)')
    with scratch_fleet(3, NODE_RANGE) as fleet:
        try:
            yield fleet
        finally:
            fleet.leave_swarms()   # every engine leaves, whatever the tests left


def on(host, task):
    return dict(task, when="inventory_hostname == '%s'" % host)


def fleet_play(fleet, tasks, **kw):
    return play(tasks, hosts='fleet', inventory=fleet.inventory, module_defaults=DEFAULTS, **kw)


def node_table(fleet, host):
    """`docker node ls` on ``host``: {hostname: status}."""
    out = fleet.docker(host, 'node', 'ls', '--format', '{{.Hostname}} {{.Status}}', timeout=30)
    return dict(line.split() for line in out.stdout.splitlines())


def wait_down(fleet, hostname):
    """Until engine1 lists ``hostname`` as Down (the managers notice a leave within seconds)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if node_table(fleet, 'engine1').get(hostname) == 'Down':
            return
        time.sleep(0.5)
    raise AssertionError('%s not listed Down on engine1 within %d s: %s' % (hostname, WAIT, node_table(fleet, 'engine1')))


def node_task(**args):
    return on('engine1', {NODE: args})


# -- 1. the swarm -----------------------------------------------------------------------------

def test_swarm_of_two_managers_and_a_worker(nfleet):
    def join(host, role):
        return on(host, {SWARM: {'remote_addrs': ['{{ hostvars.engine1.fleet_addr }}'], 'role': role,
                                 'join_token': '{{ hostvars.engine1.__r1.join_tokens.%s }}' % role,
                                 'advertise_addr': '{{ fleet_addr }}'}})
    r = fleet_play(nfleet, [
        on('engine1', {SWARM: {'advertise_addr': '{{ fleet_addr }}', 'default_addr_pool': ['{{ fleet_swarm_pool }}'],
                               'subnet_size': 26}}),
        on('engine1', {INFO: {'join_tokens': True}}),
        join('engine2', 'manager'),
        join('engine3', 'worker'),
    ])
    assert r.rc == 0, r.stdout[-3000:]
    assert node_table(nfleet, 'engine1') == {'fleet-engine1': 'Ready', 'fleet-engine2': 'Ready',
                                             'fleet-engine3': 'Ready'}


# -- 2. label and drain a worker --------------------------------------------------------------

def test_label_and_drain_a_worker_check_real_rerun(nfleet):
    task = node_task(node='fleet-engine3', availability='drain', labels={'rack': 'r2', 'zone': 'b'})
    r = fleet_play(nfleet, [dict(task, check_mode=True), task, task], diff=True)
    assert r.rc == 0, r.stdout[-3000:]
    check, real, again = r[0]['engine1'], r[1]['engine1'], r[2]['engine1']
    assert check['changed'] is True and check['plan'] == real['plan']
    [s] = real['plan']
    assert s['action'] == 'update_node' and s['availability'] == 'drain' and s['labels'] == {'rack': 'r2', 'zone': 'b'}
    assert s['reason'] == 'availability: active -> drain; labels: add rack=r2, add zone=b'
    assert check['diff']['before']['availability'] == 'active' and check['diff']['after']['availability'] == 'drain'
    assert real['changed'] is True and real['node']['availability'] == 'drain'
    assert real['node']['labels'] == {'rack': 'r2', 'zone': 'b'}
    assert again['changed'] is False and again['plan'] == []
    spec = nfleet.client('engine1').inspect_node(real['node']['id'])['Spec']
    assert spec['Availability'] == 'drain' and spec['Labels'] == {'rack': 'r2', 'zone': 'b'}
    # replace keeps only the labels given; merge then adds without touching the rest
    r = fleet_play(nfleet, [node_task(node='fleet-engine3', labels={'rack': 'r3'}, labels_state='replace'),
                            node_task(node=real['node']['id'][:8], labels={'zone': 'c'})])
    assert r.rc == 0, r.stdout[-3000:]
    assert r[0]['engine1']['node']['labels'] == {'rack': 'r3'}
    assert r[1]['engine1']['node']['labels'] == {'rack': 'r3', 'zone': 'c'}


# -- 3. an up node is not removed without force ---------------------------------------------

def test_removing_an_up_node_is_refused_without_force(nfleet):
    task = node_task(node='fleet-engine3', state='absent')
    r = fleet_play(nfleet, [dict(task, check_mode=True, ignore_errors=True), dict(task, ignore_errors=True),
                            on('engine3', {'ansible.builtin.debug': {'msg': 'engine3 still here'}})])
    for res in (r[0]['engine1'], r[1]['engine1']):
        assert res.get('failed') is True and res.get('changed') is False, res
        assert res['msg'].startswith('force: fleet-engine3 (') and 'is still up (status ready); make it leave first ' \
            '(docker_swarm state: absent on it) or give force: true' in res['msg'], res['msg']
    assert 'fleet-engine3' in node_table(nfleet, 'engine1')
    assert nfleet.client('engine3').info()['Swarm']['LocalNodeState'] == 'active'


# -- 4. a worker leaves, its entry is removed ------------------------------------------------

def test_worker_leaves_then_its_entry_is_removed(nfleet):
    r = fleet_play(nfleet, [on('engine3', {SWARM: {'state': 'absent'}})])
    assert r.rc == 0, r.stdout[-3000:]
    assert [s['action'] for s in r[0]['engine3']['plan']] == ['leave']
    wait_down(nfleet, 'fleet-engine3')
    task = node_task(node='fleet-engine3', state='absent')
    r = fleet_play(nfleet, [dict(task, check_mode=True), task, task], diff=True)
    assert r.rc == 0, r.stdout[-3000:]
    check, real, again = r[0]['engine1'], r[1]['engine1'], r[2]['engine1']
    assert [s['action'] for s in real['plan']] == ['remove'] and real['plan'][0]['force'] is False
    assert check['plan'] == real['plan'] and check['changed'] is True and real['changed'] is True
    assert real['diff']['before']['hostname'] == 'fleet-engine3' and real['diff']['after'] == {}
    assert real['node'] is None
    assert again['changed'] is False and again['plan'] == [] and again['node'] is None
    assert 'fleet-engine3' not in node_table(nfleet, 'engine1')


# -- 5. a manager leaves, its entry is removed -----------------------------------------------

def test_manager_leaves_then_its_entry_is_removed(nfleet):
    r = fleet_play(nfleet, [on('engine2', {SWARM: {'state': 'absent'}})])
    assert r.rc == 0, r.stdout[-3000:]
    assert [s['action'] for s in r[0]['engine2']['plan']] == ['demote', 'leave']
    wait_down(nfleet, 'fleet-engine2')
    task = node_task(node='fleet-engine2', state='absent')
    r = fleet_play(nfleet, [task, task])
    assert r.rc == 0, r.stdout[-3000:]
    real, again = r[0]['engine1'], r[1]['engine1']
    assert [s['action'] for s in real['plan']] == ['remove'] and real['changed'] is True   # demoted by its leave
    assert again['changed'] is False
    assert node_table(nfleet, 'engine1') == {'fleet-engine1': 'Ready'}


# -- 6. the swarm role removes the hosts it makes leave -------------------------------------

# Delegated tasks template module_defaults with the task host's vars: FLEET_ROLE_DEFAULTS takes the delegate's
# docker_host.
def role_play(fleet, tmp_path, leaving, **kw):
    inventory = str(tmp_path / 'role-inventory.ini')
    with open(fleet.inventory) as f, open(inventory, 'w') as out:
        out.write(f.read() + '\n[swarm_managers]\nengine1\nengine2\n\n[swarm_workers]\nengine3\n')
    task = {'ansible.builtin.include_role': {'name': 'netprov.dockernet.swarm'},
            'vars': {'swarm_advertise_addr': '{{ fleet_addr }}',
                     'swarm_state': "{{ 'absent' if inventory_hostname in %r else 'present' }}" % list(leaving)}}
    return play([task], hosts='fleet', inventory=inventory, module_defaults=FLEET_ROLE_DEFAULTS, **kw)


def test_swarm_role_removes_the_nodes_that_leave(nfleet, tmp_path):
    r = role_play(nfleet, tmp_path, [])
    assert r.rc == 0, r.stdout[-3000:]
    assert node_table(nfleet, 'engine1') == {'fleet-engine1': 'Ready', 'fleet-engine2': 'Ready',
                                             'fleet-engine3': 'Ready'}
    check = role_play(nfleet, tmp_path, ['engine2', 'engine3'], check=True)
    assert check.rc == 0, check.stdout[-3000:]
    assert 'fleet-engine3' in node_table(nfleet, 'engine1')   # check mode removed nothing
    r = role_play(nfleet, tmp_path, ['engine2', 'engine3'])
    assert r.rc == 0, r.stdout[-3000:]
    assert node_table(nfleet, 'engine1') == {'fleet-engine1': 'Ready'}
    for host in ('engine2', 'engine3'):
        assert nfleet.client(host).info()['Swarm']['LocalNodeState'] == 'inactive'
    again = role_play(nfleet, tmp_path, ['engine2', 'engine3'])
    assert again.rc == 0, again.stdout[-3000:]
    changed = [line for line in again.stdout.splitlines() if line.startswith('changed:') and '-> localhost]' not in line]
    assert changed == [], again.stdout[-3000:]   # only the helper's own result dump changes


# -- 7. an up manager removed with force: demoted first ---------------------------------------

def test_up_manager_removed_with_force_is_demoted_first(nfleet, tmp_path):
    r = role_play(nfleet, tmp_path, [])   # the role brings engine2 (manager) and engine3 (worker) back
    assert r.rc == 0, r.stdout[-3000:]
    task = node_task(node='fleet-engine2', state='absent', force=True)
    r = fleet_play(nfleet, [dict(task, check_mode=True), task, task])
    assert r.rc == 0, r.stdout[-3000:]
    check, real, again = r[0]['engine1'], r[1]['engine1'], r[2]['engine1']
    assert [s['action'] for s in real['plan']] == ['demote', 'remove'] and real['plan'][1]['force'] is True
    assert check['plan'] == real['plan'] and real['changed'] is True and real['node'] is None
    assert again['changed'] is False
    assert node_table(nfleet, 'engine1') == {'fleet-engine1': 'Ready', 'fleet-engine3': 'Ready'}
