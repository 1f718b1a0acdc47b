"""playbooks/site.yml on a private three-host sample fleet (Docker-in-Docker over SSH).

One host is unreachable during a run: the other two converge, the run names
the one left out, and a later run converges it while the two report no change.
"""
import pytest

from dind import dind_fleet, recap

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
