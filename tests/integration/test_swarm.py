"""docker_swarm and docker_swarm_info on a fleet of three engines, through real ansible-playbook runs.

The fleet runs each engine release of the engine tier in turn (the system's
20.10, then 28.5; 26.1 in ``make test-matrix``): a swarm of engines of one
release.

The tests run in file order and build on each other: engine1 initialises,
engine2 joins as a worker and engine3 as a manager, then the membership is
taken apart again. Each playbook targets the whole fleet; tasks pick their
host with ``when``.
"""
import ipaddress
import subprocess

import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play

SWARM = 'netprov.dockernet.docker_swarm'
INFO = 'netprov.dockernet.docker_swarm_info'
NETWORK = 'netprov.dockernet.docker_network'
DEFAULTS = {'group/netprov.dockernet.docker': {'docker_host': '{{ docker_host }}'}}
OVERLAY = 'npsw-overlay'

pytestmark = pytest.mark.engine_tier  # the whole file, once per engine release of NETPROV_ENGINES


def on(host, task):
    return dict(task, when="inventory_hostname == '%s'" % host)


def fleet_play(fleet, tasks, **kw):
    return play(tasks, hosts='fleet', inventory=fleet.inventory, module_defaults=DEFAULTS, **kw)


def swarm_state(fleet, host):
    return fleet.client(host).info()['Swarm']


def init_task(fleet):
    return on('engine1', {SWARM: {'advertise_addr': '{{ fleet_addr }}', 'default_addr_pool': ['{{ fleet_swarm_pool }}'],
                                  'subnet_size': 24}})


def join_task(host, role, token_from, **extra):
    args = {'remote_addrs': ["{{ hostvars.engine1.fleet_addr }}"],
            'join_token': '{{ hostvars.engine1.%s.join_tokens.%s }}' % (token_from, role),
            'advertise_addr': '{{ fleet_addr }}', 'role': role}
    args.update(extra)
    return on(host, {SWARM: args})


def gwbridge_subnet(fleet):
    return str(next(ipaddress.ip_network(fleet.scratch).subnets(new_prefix=24)))


def forming_tasks(fleet):
    """init engine1, read the tokens there, check-mode joins, then real joins."""
    tokens = '__r1'  # the play helper registers task i as __r<i>
    return [
        init_task(fleet),
        on('engine1', {INFO: {'join_tokens': True}}),
        dict(join_task('engine2', 'worker', tokens), check_mode=True),
        dict(join_task('engine3', 'manager', tokens, gwbridge_subnet=gwbridge_subnet(fleet)), check_mode=True),
        join_task('engine2', 'worker', tokens),
        join_task('engine3', 'manager', tokens, gwbridge_subnet=gwbridge_subnet(fleet)),
    ]


@pytest.fixture(scope='module')
def swarm_fleet(fleet):
    assert fleet.n >= 3, 'the swarm tests need a fleet of at least 3 engines'
    yield fleet
    for e in fleet.engines:  # whatever the tests left, the fleet leaves clean
        fleet.docker(e['name'], 'rm', '-f', 'npsw-a', 'npsw-b', check=False)
        fleet.docker(e['name'], 'swarm', 'leave', '--force', check=False)


def test_check_mode_init_predicts_and_changes_nothing(swarm_fleet):
    r = fleet_play(swarm_fleet, [init_task(swarm_fleet)], check=True, diff=True)
    res = r[0]['engine1']
    assert res['changed'] is True
    assert [s['action'] for s in res['plan']] == ['init']
    assert res['diff']['before']['local_node_state'] == 'inactive'
    assert res['diff']['after']['local_node_state'] == 'active' and res['diff']['after']['role'] == 'manager'
    assert swarm_state(swarm_fleet, 'engine1')['LocalNodeState'] == 'inactive'


def test_init_then_join_a_worker_and_a_manager_with_tokens_from_info(swarm_fleet):
    r = fleet_play(swarm_fleet, forming_tasks(swarm_fleet))
    assert r.rc == 0, r.stdout[-3000:]
    init, info, check2, check3, join2, join3 = r[0]['engine1'], r[1]['engine1'], r[2]['engine2'], r[3]['engine3'], \
        r[4]['engine2'], r[5]['engine3']
    assert init['changed'] and init['swarm']['role'] == 'manager'
    assert set(info['join_tokens']) == {'worker', 'manager'}
    # check mode predicted exactly the plan the real run applied
    assert check2['changed'] and check2['plan'] == join2['plan']
    assert check3['changed'] and check3['plan'] == join3['plan']
    assert [s['action'] for s in join2['plan']] == ['join']
    assert [s['action'] for s in join3['plan']] == ['create_gwbridge', 'join']
    assert join2['swarm']['role'] == 'worker' and join3['swarm']['role'] == 'manager'
    gw = swarm_fleet.client('engine3').inspect_network('docker_gwbridge')
    assert gw['IPAM']['Config'][0]['Subnet'] == gwbridge_subnet(swarm_fleet)


def test_second_run_changes_nothing_in_either_mode(swarm_fleet):
    for check in (False, True):
        r = fleet_play(swarm_fleet, forming_tasks(swarm_fleet), check=check)
        assert r.rc == 0, r.stdout[-3000:]
        for i in (0, 2, 3, 4, 5):
            for host, res in r[i].items():
                if not res.get('skipped'):
                    assert res['changed'] is False and res['plan'] == [], (check, i, host, res)


def test_nodes_and_roles(swarm_fleet):
    r = fleet_play(swarm_fleet, [{INFO: {}}])
    by_host = r[0]
    roles = dict((n['hostname'], n['role']) for n in by_host['engine1']['nodes'])
    assert roles == {'fleet-engine1': 'manager', 'fleet-engine2': 'worker', 'fleet-engine3': 'manager'}
    assert [by_host[h]['role'] for h in ('engine1', 'engine2', 'engine3')] == ['manager', 'worker', 'manager']
    assert by_host['engine1']['cluster_id'] and by_host['engine1']['cluster_id'] == by_host['engine3']['cluster_id']
    assert by_host['engine2']['cluster_id'] is None and 'nodes' not in by_host['engine2']
    managers = sorted('%s:2377' % swarm_fleet.engine(h)['addr'] for h in ('engine1', 'engine3'))
    assert by_host['engine2']['manager_addresses'] == managers
    assert by_host['engine1']['swarm']['default_addr_pool'] == [swarm_fleet.swarm_pool]
    assert 'join_tokens' not in by_host['engine1'] and 'unlock_key' not in by_host['engine1']


def test_containers_on_two_engines_ping_by_name_over_an_overlay(swarm_fleet):
    subnet = str(list(ipaddress.ip_network(swarm_fleet.scratch).subnets(new_prefix=24))[1])
    overlay = {NETWORK: {'name': OVERLAY, 'driver': 'overlay', 'attachable': True,
                         'ipam_config': [{'subnet': subnet}]}}
    encrypted = {NETWORK: {'name': OVERLAY + '-enc', 'driver': 'overlay', 'attachable': True, 'encrypted': True}}
    r = fleet_play(swarm_fleet, [on('engine1', overlay), on('engine1', overlay), on('engine1', encrypted)])
    try:
        made, again, refused = r[0]['engine1'], r[1]['engine1'], r[2]['engine1']
        assert made['changed'] is True and again['changed'] is False, made.get('msg')
        # this machine's kernel has no ESP: an encrypted overlay is refused, naming it
        assert refused.get('failed') is True and 'ESP' in refused['msg'], refused
        image = swarm_fleet.image
        swarm_fleet.docker('engine1', 'run', '-d', '--name', 'npsw-a', '--network', OVERLAY, image)
        swarm_fleet.docker('engine2', 'run', '-d', '--name', 'npsw-b', '--network', OVERLAY, image)
        out = swarm_fleet.docker('engine2', 'exec', 'npsw-b', 'ping', '-c', '2', '-W', '5', 'npsw-a', check=False)
        assert out.returncode == 0 and '2 packets received' in out.stdout, out.stdout + out.stderr
        out = swarm_fleet.docker('engine1', 'exec', 'npsw-a', 'ping', '-c', '1', '-W', '5', 'npsw-b', check=False)
        assert out.returncode == 0, out.stdout + out.stderr
    finally:
        for host in ('engine1', 'engine2'):
            swarm_fleet.docker(host, 'rm', '-f', 'npsw-a', 'npsw-b', check=False)
        swarm_fleet.docker('engine1', 'network', 'rm', OVERLAY, check=False)


def test_no_token_or_unlock_key_in_vvv_output(swarm_fleet):
    old = swarm_fleet.client('engine1').inspect_swarm()['JoinTokens']
    tasks = [
        on('engine1', {SWARM: {'autolock_managers': True}}),
        on('engine1', {INFO: {'join_tokens': True, 'unlock_key': True}}),
        join_task('engine2', 'worker', '__r1'),   # already joined: no change, token passed through
        join_task('engine3', 'manager', '__r1'),
        on('engine1', {SWARM: {'rotate_worker_token': True}}),
    ]
    r = fleet_play(swarm_fleet, tasks, verbosity=3, diff=True)
    assert r.rc == 0, r.stdout[-3000:]
    new = swarm_fleet.client('engine1').inspect_swarm()['JoinTokens']
    info = r[1]['engine1']
    unlock_key = info['unlock_key']
    # they were returned to the playbook...
    assert info['join_tokens'] == {'worker': old['Worker'], 'manager': old['Manager']}
    assert unlock_key and unlock_key.startswith('SWMKEY-')
    # The same secrets handled in check mode, still at -vvv with --diff: the info module reads them for real,
    # the joins pass them on, rotation and unlocking are only planned.
    checked = fleet_play(swarm_fleet, [
        on('engine1', {INFO: {'join_tokens': True, 'unlock_key': True}}),
        join_task('engine2', 'worker', '__r0'),
        join_task('engine3', 'manager', '__r0'),
        on('engine1', {SWARM: {'rotate_manager_token': True}}),
        on('engine1', {SWARM: {'autolock_managers': False}}),
    ], verbosity=3, diff=True, check=True)
    assert checked.rc == 0, checked.stdout[-3000:]
    assert checked[0]['engine1']['unlock_key'] == unlock_key
    assert checked[0]['engine1']['join_tokens'] == {'worker': new['Worker'], 'manager': new['Manager']}
    assert checked[3]['engine1']['changed'] and checked[4]['engine1']['changed']
    assert swarm_fleet.client('engine1').inspect_swarm()['JoinTokens'] == new   # check mode rotated nothing
    unlocked = fleet_play(swarm_fleet, [on('engine1', {SWARM: {'autolock_managers': False}})], verbosity=3, diff=True)
    assert unlocked.rc == 0, unlocked.stdout[-3000:]
    # ...and never printed, in any mode
    output = r.stdout + r.stderr + checked.stdout + checked.stderr + unlocked.stdout + unlocked.stderr
    for secret in (old['Worker'], old['Manager'], new['Worker'], unlock_key):
        assert secret not in output
        assert secret.split('-')[-1] not in output  # not even the secret part alone
    assert r[0]['engine1']['plan'][0]['action'] == 'update' and r[0]['engine1']['changed']
    assert r[2]['engine2']['changed'] is False and r[3]['engine3']['changed'] is False
    rotate = r[4]['engine1']
    assert rotate['changed'] and rotate['plan'][0]['rotate_worker_token'] is True
    assert new['Worker'] != old['Worker'] and new['Manager'] == old['Manager']
    assert 'censored' in output  # the info task's output was hidden


def test_worker_leaves_and_leaving_again_changes_nothing(swarm_fleet):
    task = on('engine2', {SWARM: {'state': 'absent'}})
    r = fleet_play(swarm_fleet, [dict(task, check_mode=True), task, task])
    check, first, second = r[0]['engine2'], r[1]['engine2'], r[2]['engine2']
    assert check['changed'] and check['plan'] == first['plan']
    assert [s['action'] for s in first['plan']] == ['leave'] and first['changed']
    assert second['changed'] is False and second['plan'] == []
    assert swarm_state(swarm_fleet, 'engine2')['LocalNodeState'] == 'inactive'


def test_half_joined_node_is_recovered_and_role_is_checked_against_the_token(swarm_fleet):
    token = swarm_fleet.client('engine1').inspect_swarm()['JoinTokens']['Worker']
    engine2 = swarm_fleet.engine('engine2')
    # a join towards a manager that does not exist leaves the engine pending
    # once the client gives up; the engine keeps trying in the background
    subprocess.run(['timeout', '3', swarm_fleet.docker_cli, '-H', engine2['url'], 'swarm', 'join', '--token', token,
                    '198.18.128.254:2377'], capture_output=True, check=False)
    assert swarm_state(swarm_fleet, 'engine2')['LocalNodeState'] == 'pending'
    tasks = [
        on('engine1', {INFO: {'join_tokens': True}}),
        join_task('engine2', 'worker', '__r0'),
        on('engine2', {SWARM: {'state': 'absent'}}),
        join_task('engine2', 'manager', '__r0', join_token='{{ hostvars.engine1.__r0.join_tokens.worker }}'),
    ]
    r = fleet_play(swarm_fleet, tasks)
    recover = r[1]['engine2']
    assert [s['action'] for s in recover['plan']] == ['leave', 'join'], recover
    assert 'half-joined' in recover['plan'][0]['reason'] and recover['swarm']['role'] == 'worker'
    mismatch = r[3]['engine2']
    assert mismatch['failed'] and mismatch['msg'].startswith('role: role manager was asked, but the join_token is a '
                                                             'worker token')
    assert swarm_state(swarm_fleet, 'engine2')['LocalNodeState'] == 'inactive'


def test_guarded_leave_demotes_a_manager_and_refuses_the_last_one(swarm_fleet):
    leave3 = on('engine3', {SWARM: {'state': 'absent'}})
    leave1 = on('engine1', {SWARM: {'state': 'absent'}})
    r = fleet_play(swarm_fleet, [dict(leave3, check_mode=True), leave3, leave1])
    check, demoted, refused = r[0]['engine3'], r[1]['engine3'], r[2]['engine1']
    assert [s['action'] for s in demoted['plan']] == ['demote', 'leave'] and demoted['changed']
    assert check['plan'] == demoted['plan']
    assert swarm_state(swarm_fleet, 'engine3')['LocalNodeState'] == 'inactive'
    assert refused['failed'] and 'last manager' in refused['msg'] and 'force: true' in refused['msg']
    assert swarm_state(swarm_fleet, 'engine1')['LocalNodeState'] == 'active'
    r = fleet_play(swarm_fleet, [on('engine1', {SWARM: {'state': 'absent', 'force': True}})])
    assert r[0]['engine1']['changed'] and r[0]['engine1']['plan'][0]['force'] is True
    assert swarm_state(swarm_fleet, 'engine1')['LocalNodeState'] == 'inactive'
