"""Concurrent runs against one engine converge on one network per name (PITFALLS 7)."""
import threading

import pytest

from ansible_play import run_module

pytestmark = pytest.mark.engine_tier  # every test, once per engine of NETPROV_ENGINES


def _concurrently(fn, count):
    results = [None] * count
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, fn())) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_bulk_runs_creating_the_same_networks_leave_one_per_name(client, scratch):
    nets = [{'name': scratch.name('r%d' % i), 'ipam_config': [{'subnet': '198.18.62.%d/28' % (16 * i)}]}
            for i in range(6)]
    results = _concurrently(lambda: run_module('netprov.dockernet.docker_networks', {'networks': nets}), 2)
    for r in results:
        assert r.get('failed') is not True, r.get('msg')
    listed = [n.name for n in client.networks.list() if n.name.startswith(scratch.prefix)]
    assert sorted(listed) == sorted(n['name'] for n in nets), 'duplicates or losses: %s' % sorted(listed)
    assert run_module('netprov.dockernet.docker_networks', {'networks': nets})['changed'] is False


def test_three_single_runs_with_containers_converge(client, scratch):
    name = scratch.name('one')
    c = scratch.container('c')
    args = {'name': name, 'ipam_config': [{'subnet': '198.18.63.0/26'}], 'containers': [{'name': c.name}]}
    results = _concurrently(lambda: run_module('netprov.dockernet.docker_network', args), 3)
    assert [n.name for n in client.networks.list() if n.name.startswith(scratch.prefix)] == [name]
    c.reload()
    assert name in c.attrs['NetworkSettings']['Networks']
    # A racer may find the container already connected by another: that one fails cleanly, no traceback.
    for r in results:
        assert 'Traceback' not in (r.get('exception') or '')
    assert run_module('netprov.dockernet.docker_network', args)['changed'] is False
