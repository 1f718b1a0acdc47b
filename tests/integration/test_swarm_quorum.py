"""In a 3-manager swarm the leader stops; joining with several remote_addrs still works, leaving keeps quorum.

A private fleet of four engines (198.18.200.0/21), driven by real
ansible-playbook runs; the tests run in file order and build on each other:

1. engine1 initialises, engine2 and engine3 join as managers through remote_addrs;
2. the leader's dockerd gets SIGKILL; the two survivors elect a new leader;
3. a join whose remote_addrs hold only dead managers fails cleanly and leaves
   engine4 out of any swarm; then engine4 joins as a worker with all three
   managers listed, the dead leader first, and a re-run changes nothing;
4. leaving a survivor is refused without force (quorum), in check mode too,
   and the swarm still works;
5. the dead engine comes back as a manager; the leader leaves (demote, then
   leave) and the two remaining managers keep quorum; the worker leaves.

The waits are bounded polls; no test asserts on time. What was measured
(re-election, the join with the dead leader first, ...) is written to
tests/output/swarm-quorum.json.
"""
import ipaddress
import json
import os
import time

import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play
from ansible_collections.netprov.dockernet.tests.support.fleet import scratch_fleet

SWARM = 'netprov.dockernet.docker_swarm'
INFO = 'netprov.dockernet.docker_swarm_info'
NETWORK = 'netprov.dockernet.docker_network'
DEFAULTS = {'group/netprov.dockernet.docker': {'docker_host': '{{ docker_host }}'}}
QUORUM_RANGE = '198.18.200.0/21'
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIGURES = os.path.join(ROOT, 'tests', 'output', 'swarm-quorum.json')
MANAGERS = ('engine1', 'engine2', 'engine3')
WAIT = 90   # bound of every poll, in seconds; never asserted on

# what the tests learn and measure, in file order
state = {}
figures = {}


@pytest.fixture(scope='module')
def qfleet():
    if os.geteuid() != 0:
        pytest.skip('the fleet needs root (network namespaces, a bridge, dockerd)')
    t0 = time.monotonic()
    with scratch_fleet(4, QUORUM_RANGE) as fleet:
        try:
            yield fleet
        finally:
            fleet.leave_swarms()   # every engine leaves, whatever the tests left
    figures['file_seconds_fixture'] = round(time.monotonic() - t0, 1)
    os.makedirs(os.path.dirname(FIGURES), exist_ok=True)
    with open(FIGURES, 'w') as f:
        json.dump(figures, f, indent=1, sort_keys=True)


def on(host, task):
    return dict(task, when="inventory_hostname == '%s'" % host)


def fleet_play(fleet, tasks, **kw):
    return play(tasks, hosts='fleet', inventory=fleet.inventory, module_defaults=DEFAULTS, **kw)


def addr(fleet, host):
    return '%s:2377' % fleet.engine(host)['addr']


def local_state(fleet, host):
    return fleet.client(host).info()['Swarm']['LocalNodeState']


def inventory_name(hostname):
    return hostname[len('fleet-'):]   # the fleet's engines are named fleet-<inventory name>


def node_table(fleet, host):
    """`docker node ls` on ``host``: {inventory name: (status, manager status)}; raises when it fails."""
    out = fleet.docker(host, 'node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.ManagerStatus}}', timeout=30)
    table = {}
    for line in out.stdout.splitlines():
        parts = line.split() + ['']
        table[inventory_name(parts[0])] = (parts[1], parts[2])
    return table


def poll(what, fn, seconds=WAIT):
    """fn() until it returns something true; that value. Fails naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            got = fn()
            if got:
                return got
            last = 'not yet'
        except Exception as exc:   # an API that answers errors while the swarm settles
            last = exc
        time.sleep(0.5)
    raise AssertionError('%s: not within %d s (last: %s)' % (what, seconds, last))


def stamp(host):
    return on(host, {'ansible.builtin.debug': {'msg': '{{ now(utc=true).timestamp() }}'}})


def overlay_task(fleet, host, name, k):
    subnet = str(list(ipaddress.ip_network(fleet.scratch).subnets(new_prefix=26))[k])
    return on(host, {NETWORK: {'name': name, 'driver': 'overlay', 'ipam_config': [{'subnet': subnet}]}})


# -- 1. three managers ------------------------------------------------------------------------

def test_three_managers_join_through_remote_addrs(qfleet):
    tasks = [
        on('engine1', {SWARM: {'advertise_addr': '{{ fleet_addr }}', 'default_addr_pool': ['{{ fleet_swarm_pool }}'],
                               'subnet_size': 26}}),
        on('engine1', {INFO: {'join_tokens': True}}),
        on('engine2', {SWARM: {'remote_addrs': ['{{ hostvars.engine1.fleet_addr }}'], 'role': 'manager',
                               'join_token': '{{ hostvars.engine1.__r1.join_tokens.manager }}',
                               'advertise_addr': '{{ fleet_addr }}'}}),
        on('engine3', {SWARM: {'remote_addrs': ['{{ hostvars.engine1.fleet_addr }}', '{{ hostvars.engine2.fleet_addr }}'],
                               'join_token': '{{ hostvars.engine1.__r1.join_tokens.manager }}', 'role': 'manager',
                               'advertise_addr': '{{ fleet_addr }}'}}),
        on('engine1', {INFO: {}}),
    ]
    r = fleet_play(qfleet, tasks)
    assert r.rc == 0, r.stdout[-3000:]
    assert r[0]['engine1']['changed'] and r[2]['engine2']['changed'] and r[3]['engine3']['changed']
    assert [s['action'] for s in r[3]['engine3']['plan']] == ['join']
    nodes = r[4]['engine1']['nodes']
    assert sorted(inventory_name(n['hostname']) for n in nodes if n['role'] == 'manager') == list(MANAGERS)
    assert all(n['reachability'] == 'reachable' for n in nodes)


# -- 2. the leader stops -----------------------------------------------------------------------

def test_leader_killed_and_the_survivors_elect_a_new_one(qfleet):
    r = fleet_play(qfleet, [on('engine1', {INFO: {}})])
    leaders = [inventory_name(n['hostname']) for n in r[0]['engine1']['nodes'] if n['leader']]
    assert len(leaders) == 1, r[0]['engine1']['nodes']
    dead = state['dead'] = leaders[0]
    survivors = state['survivors'] = [h for h in MANAGERS if h != dead]
    t0 = time.monotonic()
    qfleet.kill(dead)

    def new_leader():
        table = node_table(qfleet, survivors[0])
        return next((h for h, row in table.items() if row[1] == 'Leader' and h != dead), None)
    leader = state['leader'] = poll('a new leader among %s' % ', '.join(survivors), new_leader)
    figures['reelect_seconds'] = round(time.monotonic() - t0, 1)
    assert leader in survivors
    # docker_swarm_info on both survivors: the dead leader is an unreachable manager, no longer leader
    r = fleet_play(qfleet, [on(h, {INFO: {}}) for h in survivors])
    assert r.rc == 0, r.stdout[-3000:]
    for i, h in enumerate(survivors):
        res = r[i][h]
        assert res['is_manager'] and res['swarm_active'], res
        by_name = dict((inventory_name(n['hostname']), n) for n in res['nodes'])
        assert by_name[dead]['reachability'] == 'unreachable' and not by_name[dead]['leader']
        assert by_name[leader]['leader'] and by_name[leader]['reachability'] == 'reachable'


# -- 3. joining with the dead leader first -----------------------------------------------------

def test_join_through_dead_managers_only_fails_cleanly(qfleet):
    """The dead leader (its port closed: refused) and an address where no host answers (the engine times out)."""
    nobody = str(ipaddress.ip_network(qfleet.layout['link']).network_address + 30)
    survivor = state['survivors'][0]
    task = on('engine4', {SWARM: {'remote_addrs': [addr(qfleet, state['dead']), nobody],
                                  'join_token': '{{ hostvars.%s.__r0.join_tokens.worker }}' % survivor,
                                  'advertise_addr': '{{ fleet_addr }}', 'role': 'worker'}})
    t0 = time.monotonic()
    r = fleet_play(qfleet, [on(survivor, {INFO: {'join_tokens': True}}), dict(task, check_mode=True), task])
    figures['join_all_dead_play_seconds'] = round(time.monotonic() - t0, 1)
    check, failed = r[1]['engine4'], r[2]['engine4']
    assert check['changed'] and [s['action'] for s in check['plan']] == ['join']
    assert failed.get('failed') is True, failed
    msg = failed['msg']
    assert msg.startswith('remote_addrs: no manager let this node join'), msg
    assert addr(qfleet, state['dead']) in msg and '%s:2377' % nobody in msg
    assert 'inactive' in msg and 'SWMTKN' not in msg
    assert local_state(qfleet, 'engine4') == 'inactive'


def test_worker_joins_with_the_dead_leader_listed_first(qfleet):
    survivor = state['survivors'][0]
    addrs = [addr(qfleet, state['dead'])] + [addr(qfleet, h) for h in state['survivors']]
    join = on('engine4', {SWARM: {'remote_addrs': addrs, 'role': 'worker', 'advertise_addr': '{{ fleet_addr }}',
                                  'join_token': '{{ hostvars.%s.__r0.join_tokens.worker }}' % survivor}})
    tasks = [on(survivor, {INFO: {'join_tokens': True}}), dict(join, check_mode=True), stamp('engine4'), join,
             stamp('engine4'), join]
    r = fleet_play(qfleet, tasks)
    assert r.rc == 0, r.stdout[-3000:]
    check, joined, again = r[1]['engine4'], r[3]['engine4'], r[5]['engine4']
    figures['join_dead_leader_first_seconds'] = round(float(r[4]['engine4']['msg']) - float(r[2]['engine4']['msg']), 1)
    assert joined['changed'] is True and joined['swarm']['role'] == 'worker'
    assert check['plan'] == joined['plan'] and [s['action'] for s in joined['plan']] == ['join']
    assert joined['plan'][0]['remote_addrs'] == addrs
    assert again['changed'] is False and again['plan'] == []

    def listed_ready():
        table = node_table(qfleet, survivor)
        return table if table.get('engine4') == ('Ready', '') else None
    table = poll('engine4 listed as a Ready worker on %s' % survivor, listed_ready)
    assert table['engine4'] == ('Ready', '')   # no manager status: a worker


# -- 4. leaving keeps quorum -------------------------------------------------------------------

def test_leaving_a_survivor_is_refused_while_the_leader_is_down(qfleet):
    a, b = state['survivors']
    leave = on(a, {SWARM: {'state': 'absent'}})
    r = fleet_play(qfleet, [dict(leave, check_mode=True), leave, on(a, {INFO: {}}), on(b, {INFO: {}}),
                            overlay_task(qfleet, b, 'npq-while-down', 0)])
    check, real = r[0][a], r[1][a]
    for res in (check, real):
        assert res.get('failed') is True and res.get('changed') is False, res
        assert res['msg'].startswith('force: 2 of 3 managers are reachable; demoting this one would leave the swarm '
                                     'without quorum'), res['msg']
        assert 'force: true' in res['msg']
    assert check['msg'] == real['msg']
    assert local_state(qfleet, a) == 'active' and qfleet.client(a).info()['Swarm']['ControlAvailable']
    # the swarm still works: both survivors list the nodes, an overlay network is made on one
    for i, h in ((2, a), (3, b)):
        assert len(r[i][h]['nodes']) == 4, r[i][h]
    assert r[4][b]['changed'] is True, r[4][b]
    assert set(node_table(qfleet, a)) == set(node_table(qfleet, b)) == {'engine1', 'engine2', 'engine3', 'engine4'}


# -- 5. the dead engine comes back; the leader leaves ----------------------------------------

def test_dead_engine_returns_and_the_leader_leaves_keeping_quorum(qfleet):
    dead, leader = state['dead'], state['leader']
    t0 = time.monotonic()
    qfleet.restart(dead)

    def all_managers_reachable():
        if not qfleet.client(dead).info()['Swarm'].get('ControlAvailable'):
            return None
        table = node_table(qfleet, dead)
        return all(table[h][1] in ('Leader', 'Reachable') for h in MANAGERS)
    poll('%s back as a reachable manager' % dead, all_managers_reachable)
    figures['restart_to_reachable_manager_seconds'] = round(time.monotonic() - t0, 1)

    remaining = [h for h in MANAGERS if h != leader]
    leave = on(leader, {SWARM: {'state': 'absent'}})
    r = fleet_play(qfleet, [dict(leave, check_mode=True), stamp(leader), leave, stamp(leader),
                            on(remaining[0], {INFO: {}}), on(remaining[1], {INFO: {}})])
    assert r.rc == 0, r.stdout[-3000:]
    check, left = r[0][leader], r[2][leader]
    figures['leader_demote_and_leave_seconds'] = round(float(r[3][leader]['msg']) - float(r[1][leader]['msg']), 1)
    assert [s['action'] for s in left['plan']] == ['demote', 'leave'] and left['changed'] is True
    assert check['plan'] == left['plan']
    assert left['swarm']['local_node_state'] == 'inactive'
    assert local_state(qfleet, leader) == 'inactive'
    # the two remaining managers keep quorum: both list the nodes, one of them leads, an overlay is made
    for i, h in ((4, remaining[0]), (5, remaining[1])):
        assert r[i][h]['is_manager'], r[i][h]

    def settled(h):
        table = node_table(qfleet, h)
        return table if 'Leader' in [row[1] for row in table.values()] and table[leader] == ('Down', '') else None
    for h in remaining:   # demoted, then left: the old leader is a worker that is down; one of the two leads
        table = poll('node ls on %s with a leader and %s down' % (h, leader), lambda h=h: settled(h))
        assert sorted(n for n, row in table.items() if row[1] in ('Leader', 'Reachable')) == sorted(remaining)
    r = fleet_play(qfleet, [overlay_task(qfleet, remaining[1], 'npq-after-leave', 1),
                            on('engine4', {SWARM: {'state': 'absent'}})])
    assert r.rc == 0, r.stdout[-3000:]
    assert r[0][remaining[1]]['changed'] is True
    worker = r[1]['engine4']
    assert [s['action'] for s in worker['plan']] == ['leave'] and worker['changed']
    assert local_state(qfleet, 'engine4') == 'inactive'
    assert node_table(qfleet, remaining[0])['engine4'][0] in ('Down', 'Ready')   # listed until node rm
