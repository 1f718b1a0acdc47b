"""Concurrent runs against one engine converge on one network per name, with the spec applied (no duplicates).

Each test checks the outcome on the engine, through the Docker SDK: exactly one network per name, with the
subnet and the ownership label asked for, containers attached once at an address of that subnet; every run
either succeeded or failed cleanly naming what it raced for; a later run finds nothing to do.
"""
import ipaddress
import threading

import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import run_module

MANAGED = 'netprov.dockernet.managed'
pytestmark = pytest.mark.engine_tier  # every test, once per engine of NETPROV_ENGINES


def _concurrently(fn, count):
    results = [None] * count
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, fn())) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _ours(client, prefix):
    """name -> [inspect of each network of that name]: duplicates show as several."""
    out = {}
    for n in client.api.networks():
        if n['Name'].startswith(prefix):
            out.setdefault(n['Name'], []).append(client.api.inspect_network(n['Id']))
    return out


def test_two_bulk_runs_creating_the_same_networks_leave_one_per_name(client, scratch):
    nets = [{'name': scratch.name('r%d' % i), 'ipam_config': [{'subnet': '198.19.90.%d/28' % (128 + 16 * i)}]}
            for i in range(6)]
    results = _concurrently(lambda: run_module('netprov.dockernet.docker_networks', {'networks': nets}), 2)
    for r in results:
        assert r.get('failed') is not True, r.get('msg')
        assert sorted(r['created'] + r['unchanged']) == sorted(n['name'] for n in nets), r
    found = _ours(client, scratch.prefix)
    assert sorted(found) == sorted(n['name'] for n in nets), 'losses: %s' % sorted(found)
    for spec in nets:
        copies = found[spec['name']]
        assert len(copies) == 1, 'duplicates of %s: %s' % (spec['name'], [c['Id'][:12] for c in copies])
        net = copies[0]
        assert [c['Subnet'] for c in net['IPAM']['Config']] == [spec['ipam_config'][0]['subnet']], net['IPAM']
        assert net['Labels'].get(MANAGED) == 'true'
    assert run_module('netprov.dockernet.docker_networks', {'networks': nets})['changed'] is False


def test_three_single_runs_with_containers_converge(client, scratch):
    name = scratch.name('one')
    subnet = '198.19.90.224/27'
    c = scratch.container('c')
    args = {'name': name, 'ipam_config': [{'subnet': subnet}], 'containers': [{'name': c.name, 'aliases': ['app']}]}
    results = _concurrently(lambda: run_module('netprov.dockernet.docker_network', args), 3)
    found = _ours(client, scratch.prefix)
    assert list(found) == [name] and len(found[name]) == 1, found
    net = found[name][0]
    assert [cfg['Subnet'] for cfg in net['IPAM']['Config']] == [subnet] and net['Labels'].get(MANAGED) == 'true'
    # The container is attached once, at an address of the subnet, with its alias.
    assert [ep['Name'] for ep in net['Containers'].values()] == [c.name]
    c.reload()
    ep = c.attrs['NetworkSettings']['Networks'][name]
    assert ipaddress.ip_address(ep['IPAddress']) in ipaddress.ip_network(subnet)
    assert 'app' in ep['Aliases']
    # At least one run did it; a racer that found the container already connected by another failed cleanly,
    # naming it: no traceback, no unexplained failure.
    assert any(not r.get('failed') for r in results), [r.get('msg') for r in results]
    for r in results:
        assert 'Traceback' not in (r.get('exception') or '') and not (r.get('msg') or '').startswith('unexpected')
        if r.get('failed'):
            assert c.name in r['msg'] or name in r['msg'], r['msg']
    again = run_module('netprov.dockernet.docker_network', args)
    assert again['changed'] is False and [s['action'] for s in again['plan']] == ['none']
