"""On a kernel without ESP the encrypted-overlay playbook is refused before anything is made.

The same playbook as the UML tier's proof (playbooks/encrypted_overlay.yml,
run there by tests/kernel/test_guest_playbook_encrypted.py), on two engines
of the test fleet: the swarm forms, then docker_network with the default
kernel_check refuses the encrypted overlay naming ESP, no network is
created on either engine, and nothing after it runs (any_errors_fatal).
The two engines leave the swarm afterwards, so the fleet is as it was.
"""
import ipaddress

import pytest

from ansible_collections.netprov.dockernet.tests.support.esp_playbook import run_playbook, write_inventory

OVERLAY = 'npesp-enc'
PREFIX = 'npesp-c'
HOSTS = ('engine1', 'engine2')


def _swarm_state(fleet, host):
    return fleet.client(host).info()['Swarm']['LocalNodeState']


@pytest.fixture
def two_engines(fleet, tmp_path):
    for host in HOSTS:
        if _swarm_state(fleet, host) != 'inactive':
            pytest.skip('%s of the fleet is in a swarm that this test did not make' % host)
    inv = write_inventory(str(tmp_path / 'inventory.ini'),
                          [(h, fleet.engine(h)['url'], fleet.engine(h)['addr']) for h in HOSTS],
                          swarm_pool=fleet.swarm_pool, overlay_name=OVERLAY,
                          overlay_subnet=str(list(ipaddress.ip_network(fleet.scratch).subnets(new_prefix=24))[2]),
                          container_prefix=PREFIX, image=fleet.image)
    yield inv, str(tmp_path / 'results.json')
    for host in HOSTS:  # leave the fleet as it was: no containers, networks or swarm of ours
        fleet.docker(host, 'rm', '-f', '%s-%s' % (PREFIX, HOSTS[0]), '%s-%s' % (PREFIX, HOSTS[1]), check=False)
        fleet.docker(host, 'network', 'rm', OVERLAY, check=False)
        fleet.docker(host, 'swarm', 'leave', '--force', check=False)
        fleet.docker(host, 'network', 'rm', 'docker_gwbridge', check=False)


def test_encrypted_overlay_playbook_is_refused_naming_esp(fleet, two_engines):
    proc, results = run_playbook(*two_engines)
    assert proc.returncode != 0, proc.stdout[-4000:]
    assert set(results) == set(HOSTS), (results, proc.stdout[-4000:])
    mgr, wrk = results['engine1'], results['engine2']
    # the swarm formed: the refusal is about the kernel, not about a missing swarm
    assert mgr['swarm_init']['changed'] is True and wrk['swarm_join']['changed'] is True, (mgr, wrk)
    refused = mgr['overlay_made']
    print('refused: %s' % refused.get('msg'))
    assert refused.get('failed') is True and 'ESP' in refused['msg'], refused
    assert refused['msg'].startswith(OVERLAY + ':') and 'Nothing was created' in refused['msg'], refused['msg']
    # before anything is made: no network on either engine, and no later task ran anywhere
    for host in HOSTS:
        names = fleet.docker(host, 'network', 'ls', '--format', '{{.Name}}').stdout.split()
        assert OVERLAY not in names, (host, names)
        for later in ('container_run', 'overlay_verified', 'overlay_info', 'ping', 'overlay_info_after'):
            assert later not in results[host], (host, later, results[host][later])
        assert fleet.docker(host, 'ps', '-aq', '--filter', 'name=' + PREFIX).stdout.strip() == ''
