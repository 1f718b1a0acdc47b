"""playbooks/site.yml and the roles on a private three-host sample fleet
(Docker-in-Docker over SSH). The tests run in file order on one fleet.

- The engine role restarts an engine under running containers with
  live-restore: they keep running (same process, same start time) and still
  reach each other.
- One host is unreachable during a site.yml run: the other two converge, the
  run names the one left out, a later run converges it while the two report
  no change.
- On a swarm node live-restore is refused (dockerd would not start again).
- Preflight names a macvlan network whose parent link was deleted.
- The sample's Open vSwitch VXLAN mesh carries its VLAN between containers on
  different hosts (playbooks/fleet_mesh.yml).
"""
import json

import pytest

from ansible_collections.netprov.dockernet.tests.support.dind import dind_fleet, recap

PREFIX = 'npsite'
SUBNET = '198.18.227.0/24'
SAMPLE_NETWORKS = {'app', 'backend', 'lan'}


@pytest.fixture(scope='module')
def sample_fleet():
    with dind_fleet(PREFIX, 3, SUBNET) as fleet:
        yield fleet


def networks_on(fleet, k):
    out = fleet.on_host(k, 'docker', 'network', 'ls', '--format', '{{.Name}}').stdout.split()
    return set(out) & (SAMPLE_NETWORKS | {'fleet'})


def swarm_nodes(fleet):
    """hostname -> status, as the manager (host1) sees them."""
    out = fleet.on_host(1, 'docker', 'node', 'ls', '--format', '{{.Hostname}} {{.Status}}').stdout
    return dict(line.split() for line in out.splitlines())


ENGINE_PLAY = """
- name: The engine role on one sample host
  hosts: host2
  gather_facts: false
  roles:
    - role: netprov.dockernet.engine
"""


def engine_role(fleet, *args, **extra):
    path = fleet.workdir + '/engine.yml'
    with open(path, 'w') as f:
        f.write(ENGINE_PLAY)
    return fleet.playbook(path, '-e', json.dumps(extra), *args)


def dockerd_pid(fleet, k):
    return fleet.on_host(k, 'systemctl', 'show', '-p', 'MainPID', '--value', 'docker').stdout.strip()


def container_run(fleet, k, name):
    """(pid, started at) of a running container on host k; None when it does not run."""
    out = fleet.on_host(k, 'docker', 'inspect', '-f', '{{.State.Running}} {{.State.Pid}} {{.State.StartedAt}}', name).stdout
    running, pid, started = out.split()
    return (pid, started) if running == 'true' else None


def test_engine_restart_with_live_restore_keeps_containers_running(sample_fleet):
    fleet = sample_fleet
    base = engine_role(fleet)  # the sample's keys, before anything runs
    assert base.returncode == 0, base.stdout[-4000:]
    image = 'netprov-test/busybox:latest'
    fleet.on_host(2, 'docker', 'network', 'create', 'lr-net')  # from the engine's pool (198.18.236.0/22)
    for name in ('lr-a', 'lr-b'):
        fleet.on_host(2, 'docker', 'run', '-d', '--name', name, '--network', 'lr-net', image, 'sleep', '3600')
    before = dict((n, container_run(fleet, 2, n)) for n in ('lr-a', 'lr-b'))

    # Without live-restore a restart would stop them: refused before anything is written.
    refused = engine_role(fleet, engine_dns=['198.18.227.53'])
    assert refused.returncode == 2 and 'set engine_live_restore=true' in refused.stdout, refused.stdout[-4000:]
    assert 'lr-a' in refused.stdout and 'dns' in refused.stdout
    assert '198.18.227.53' not in fleet.on_host(2, 'cat', '/etc/docker/daemon.json').stdout

    # live-restore alone is a reload: the same dockerd, live-restore on.
    pid = dockerd_pid(fleet, 2)
    reloaded = engine_role(fleet, engine_live_restore=True)
    assert reloaded.returncode == 0 and recap(reloaded.stdout)['host2']['changed'] > 0, reloaded.stdout[-4000:]
    assert dockerd_pid(fleet, 2) == pid
    assert fleet.on_host(2, 'docker', 'info', '-f', '{{.LiveRestoreEnabled}}').stdout.strip() == 'true'

    # Check mode and diff: the change is shown, nothing is written or restarted.
    planned = engine_role(fleet, '--check', '--diff', engine_live_restore=True, engine_dns=['198.18.227.53'])
    assert planned.returncode == 0 and recap(planned.stdout)['host2']['changed'] > 0, planned.stdout[-4000:]
    assert '198.18.227.53' in planned.stdout and dockerd_pid(fleet, 2) == pid
    assert '198.18.227.53' not in fleet.on_host(2, 'cat', '/etc/docker/daemon.json').stdout

    # A key that needs a restart: the engine restarts, the containers never stop.
    restarted = engine_role(fleet, engine_live_restore=True, engine_dns=['198.18.227.53'])
    assert restarted.returncode == 0, restarted.stdout[-4000:]
    assert dockerd_pid(fleet, 2) != pid
    assert dict((n, container_run(fleet, 2, n)) for n in ('lr-a', 'lr-b')) == before
    ping = fleet.on_host(2, 'docker', 'exec', 'lr-a', 'ping', '-c', '1', '-W', '2', 'lr-b', check=False)
    assert ping.returncode == 0, ping.stdout + ping.stderr

    again = engine_role(fleet, engine_live_restore=True, engine_dns=['198.18.227.53'])
    assert again.returncode == 0 and recap(again.stdout)['host2']['changed'] == 0, again.stdout[-4000:]

    # Off again (the sample inventory's value, and swarm mode needs it off): a reload, the same dockerd.
    pid = dockerd_pid(fleet, 2)
    off = engine_role(fleet, engine_live_restore=False, engine_dns=['198.18.227.53'])
    assert off.returncode == 0 and dockerd_pid(fleet, 2) == pid, off.stdout[-4000:]
    assert fleet.on_host(2, 'docker', 'info', '-f', '{{.LiveRestoreEnabled}}').stdout.strip() == 'false'
    fleet.on_host(2, 'docker', 'rm', '-f', 'lr-a', 'lr-b')
    fleet.on_host(2, 'docker', 'network', 'rm', 'lr-net')


def test_an_unreachable_host_is_left_out_named_and_converged_later(sample_fleet):
    fleet = sample_fleet
    fleet.pause(3)
    try:
        first = fleet.playbook('site.yml')
    finally:
        fleet.unpause(3)
    counts = recap(first.stdout)
    assert counts['host3']['unreachable'] == 1 and counts['host3']['changed'] == 0, first.stdout[-3000:]
    for host in ('host1', 'host2'):
        assert counts[host]['unreachable'] == 0 and counts[host]['failed'] == 0, first.stdout[-6000:]
        assert counts[host]['changed'] > 0
    assert first.returncode == 4  # ansible-playbook's code for "a host was unreachable"
    assert 'site: 2 of 3 hosts converged; 1 did not: host3.' in first.stdout
    # The two reachable hosts converged: their networks, and the swarm of the two.
    assert networks_on(fleet, 1) == SAMPLE_NETWORKS | {'fleet'}
    assert networks_on(fleet, 2) == SAMPLE_NETWORKS
    assert swarm_nodes(fleet) == {'host1': 'Ready', 'host2': 'Ready'}
    assert networks_on(fleet, 3) == set()

    second = fleet.playbook('site.yml')
    assert second.returncode == 0, second.stdout[-6000:]
    counts = recap(second.stdout)
    assert counts['host1']['changed'] == 0 and counts['host2']['changed'] == 0, second.stdout[-6000:]
    assert counts['host3']['changed'] > 0
    assert 'site: 3 of 3 hosts converged; 0 did not: none.' in second.stdout
    assert networks_on(fleet, 3) == SAMPLE_NETWORKS
    assert swarm_nodes(fleet) == {'host1': 'Ready', 'host2': 'Ready', 'host3': 'Ready'}

    third = fleet.playbook('site.yml')
    assert third.returncode == 0
    assert all(c['changed'] == 0 for c in recap(third.stdout).values()), third.stdout[-6000:]


def test_the_ovs_mesh_carries_its_vlan_between_containers_on_different_hosts(sample_fleet):
    fleet = sample_fleet
    if any(fleet.on_host(k, 'ovs-vsctl', 'br-exists', 'br-mesh', check=False).returncode for k in (1, 2, 3)):
        converge = fleet.playbook('site.yml')   # this test alone: the fleet is not converged yet
        assert converge.returncode == 0, converge.stdout[-6000:]
    for k in (1, 2, 3):
        others = sorted('vx-host%d' % j for j in (1, 2, 3) if j != k)
        assert fleet.on_host(k, 'ovs-vsctl', 'list-ports', 'br-mesh').stdout.split() == others
        assert fleet.on_host(k, 'ovs-vsctl', 'list-ports', 'br-phy').stdout.split() == ['eth1']
        # the underlay address is on br-phy's device, not on eth1 (the userspace datapath tunnels out of br-phy)
        assert ' inet ' not in fleet.on_host(k, 'ip', '-o', '-4', 'addr', 'show', 'eth1').stdout
        assert fleet.mesh_base + '%d/25' % (10 + k) in fleet.on_host(k, 'ip', '-o', '-4', 'addr', 'show', 'br-phy').stdout
    res = fleet.playbook('fleet_mesh.yml')
    assert res.returncode == 0, res.stdout[-6000:]
    for k, peer in ((1, 2), (2, 3), (3, 1)):
        line = ('host%d container %s%d -> host%d container %s%d through br-mesh (VLAN 100, VXLAN over the underlay): '
                '3 packets transmitted, 3 packets received, 0%% packet loss'
                % (k, fleet.mesh_base, 138 + k, peer, fleet.mesh_base, 138 + peer))
        assert line in res.stdout, res.stdout[-6000:]
    for k in (1, 2, 3):   # the containers and their OVS ports are gone again
        assert fleet.on_host(k, 'ovs-vsctl', 'list-ports', 'br-mesh').stdout.split() == \
            sorted('vx-host%d' % j for j in (1, 2, 3) if j != k)
        assert fleet.on_host(k, 'docker', 'ps', '-aq', '--filter', 'name=netprov-report-mesh').stdout.strip() == ''


def test_live_restore_is_refused_on_a_swarm_node(sample_fleet):
    """dockerd will not start with live-restore in swarm mode: refused before anything is written."""
    fleet = sample_fleet
    assert fleet.on_host(2, 'docker', 'info', '-f', '{{.Swarm.LocalNodeState}}').stdout.strip() == 'active'
    pid, config = dockerd_pid(fleet, 2), fleet.on_host(2, 'cat', '/etc/docker/daemon.json').stdout
    refused = engine_role(fleet, engine_live_restore=True)
    assert refused.returncode == 2, refused.stdout[-4000:]
    assert 'daemon.json would have live-restore: true while this node is in a swarm (state active)' in refused.stdout
    assert fleet.on_host(2, 'cat', '/etc/docker/daemon.json').stdout == config and dockerd_pid(fleet, 2) == pid
    flagged = fleet.playbook('preflight.yml', '-e', 'engine_live_restore=true')
    assert flagged.returncode == 2 and 'host2: engine_live_restore is true, but this host is in the swarm' in flagged.stdout

    # The trap itself, set by hand: live-restore in daemon.json and a reload, which the engine accepts in swarm mode.
    fleet.on_host(2, 'sh', '-c', "sed -i 's/\"live-restore\": false/\"live-restore\": true/' /etc/docker/daemon.json"
                  ' && systemctl reload docker')
    fleet.on_host(2, 'sh', '-c', 'for i in $(seq 20); do [ "$(docker info -f {{.LiveRestoreEnabled}})" = true ] && exit 0;'
                  ' sleep 0.5; done; exit 1')
    trapped = fleet.playbook('preflight.yml', '-e', '{"engine_live_restore": null}')
    assert trapped.returncode == 2, trapped.stdout[-3000:]
    assert 'host2: the running engine has live-restore on while in a swarm' in trapped.stdout
    # The sample inventory turns it off: the engine role does it with a reload, the same dockerd.
    fixed = engine_role(fleet)
    assert fixed.returncode == 0 and dockerd_pid(fleet, 2) == pid, fixed.stdout[-3000:]
    assert fleet.on_host(2, 'docker', 'info', '-f', '{{.LiveRestoreEnabled}}').stdout.strip() == 'false'


def test_preflight_names_a_network_whose_parent_link_was_deleted(sample_fleet):
    fleet = sample_fleet
    fleet.on_host(1, 'ip', 'link', 'add', 'orph0', 'type', 'veth', 'peer', 'name', 'orph1')
    fleet.on_host(1, 'ip', 'link', 'set', 'orph0', 'up')
    fleet.on_host(1, 'docker', 'network', 'create', '-d', 'macvlan', '-o', 'parent=orph0', '--subnet', '198.18.231.0/26',
                  'orphan')
    try:
        fleet.on_host(1, 'ip', 'link', 'del', 'orph0')
        report = fleet.playbook('preflight.yml')
        assert report.returncode == 0, report.stdout[-4000:]  # a warning: the inventory does not ask for that network
        assert ("host1: Docker network 'orphan' (macvlan) hangs on parent orph0, which no longer exists on the host"
                in report.stdout), report.stdout[-4000:]
    finally:
        fleet.on_host(1, 'docker', 'network', 'rm', 'orphan', check=False)
