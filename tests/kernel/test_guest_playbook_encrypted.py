"""Proven on a real kernel: the collection's modules make an encrypted overlay that really encrypts.

Inside the UML guest: two engines in two network namespaces on a bridge
(guest_fabric). A real ansible-playbook (tests/integration/playbooks/encrypted_overlay.yml;
inventory: the two engines as two hosts with ansible_connection=local and
their own docker_host) forms a swarm with docker_swarm (tokens from
docker_swarm_info), creates an encrypted attachable overlay with
docker_network and the default kernel_check (which must pass on this
kernel), runs a container on each engine, checks `verify: true` and
docker_network_info's `encryption` (active, the other engine as peer). A
second run of the same playbook (tag `ping`) pings by name across; the test
reads each namespace's ESP states itself before and after it and asserts
that the output (and input) packet counters rose. Retries are Ansible's own
(`until`, bounded) and each one is logged to guest.log.

kernel_slow (`make test-kernel`, not `make test`): in the guest the first `docker run` on the overlay misses
the engine's 20 s attach deadline again and again (5 misses on a quiet machine, 9 and more under load, the
cause not found), so the file takes 10-15 minutes; it failed CI's `make test`, and here it once outlasted 900 s.
"""
import os
import subprocess
import tempfile
import time

import pytest

from ansible_collections.netprov.dockernet.tests.support.guest_engine import IMAGE, log
from ansible_collections.netprov.dockernet.tests.support.guest_fabric import Node, bridged_namespaces, engines, esp_states

from ansible_collections.netprov.dockernet.tests.support.esp_playbook import retries, run_playbook, write_inventory  # noqa: E402

pytestmark = pytest.mark.kernel_slow

BRIDGE = 'np-apbr'
NODES = (  # 198.19.16.0/20 of the tier's range: engine pools, link, bips, swarm pool
    Node('np-ap1', '198.19.20.1', '198.19.21.1/24', '198.19.16.0/23'),
    Node('np-ap2', '198.19.20.2', '198.19.22.1/24', '198.19.18.0/23'),
)
HOSTS = ('engine1', 'engine2')
OWN = dict(zip(HOSTS, (n.addr for n in NODES)))


@pytest.fixture(scope='module')
def scenario():
    with bridged_namespaces(BRIDGE, NODES), engines(NODES) as engs:
        tmp = tempfile.mkdtemp(prefix='np-esp-', dir=os.environ.get('NETPROV_UML_RESULTS') or '/tmp')
        inv = write_inventory(os.path.join(tmp, 'inventory.ini'),
                              [(h, e.host, n.addr) for h, e, n in zip(HOSTS, engs, NODES)],
                              swarm_pool='198.19.24.0/22', overlay_name='np-apenc', overlay_subnet='198.19.28.0/24',
                              container_prefix='np-apc', image=IMAGE)
        yield inv, os.path.join(tmp, 'results.json'), engs


def _play(scenario, what, *args):
    inv, results_file, engs = scenario
    t0 = time.monotonic()
    # -vv: each retry with its result; the junit callback records each task's time
    proc, results = run_playbook(inv, results_file, '-vv', *args, callbacks=['ansible.builtin.junit'],
                                 env={'JUNIT_OUTPUT_DIR': os.path.dirname(inv)}, timeout=1300)
    with open(os.path.join(os.path.dirname(inv), 'playbook-%s.log' % '-'.join(args).strip('-')), 'w') as f:
        f.write(proc.stdout + proc.stderr)
    log('%s: ansible-playbook rc=%d in %.1f s' % (what, proc.returncode, time.monotonic() - t0))
    for line in retries(results):
        log('RETRY (ansible until) %s' % line)
    if proc.returncode != 0:
        kernel = '\n'.join('--- ip -s xfrm state in %s\n%s' % (n.netns, esp_states(n.netns)[1]) for n in NODES)
        # what each engine makes of the swarm: an attach that times out again and again is the dispatcher's
        for eng in engs:
            for argv in (('node', 'ls'), ('info', '--format', '{{json .Swarm}}'), ('network', 'ls')):
                try:
                    out = eng.docker(*argv, check=False, timeout=30).stdout
                except subprocess.TimeoutExpired:
                    out = '(no answer in 30 s)'
                kernel += '\n--- %s: docker %s\n%s' % (eng.name, ' '.join(argv), out)
        raise AssertionError('%s: ansible-playbook rc=%d\n%s\n%s\n%s' % (
            what, proc.returncode, proc.stdout[-8000:], proc.stderr[-3000:], kernel))
    assert set(results) == set(HOSTS), results.keys()
    return results


def _counters(wait=60):
    """{netns: {(src, dst): packets}} once each namespace holds Docker's ESP states both ways (bounded wait).

    A direction can have more than one state (the engine keeps the previous key's for a while): their
    packets are summed.
    """
    deadline = time.monotonic() + wait
    while True:
        found, raw = {}, {}
        for node in NODES:
            states, raw[node.netns] = esp_states(node.netns)
            found[node.netns] = sums = {}
            for s in states:
                sums[(s['src'], s['dst'])] = sums.get((s['src'], s['dst']), 0) + s['packets']
        ready = all(set(found[n.netns]) == set([(n.addr, peer.addr) for peer in NODES if peer != n] +
                                               [(peer.addr, n.addr) for peer in NODES if peer != n]) for n in NODES)
        if ready or time.monotonic() > deadline:
            assert ready, 'ESP states with reqid 0xd0c4e3 missing in one direction:\n%s' % '\n'.join(
                '--- %s\n%s' % kv for kv in raw.items())
            return found
        time.sleep(2)


def test_playbook_makes_an_overlay_that_pings_through_esp(scenario):
    made = _play(scenario, 'swarm, encrypted overlay, containers, verify, info', '--skip-tags', 'ping')
    mgr, wrk = made['engine1'], made['engine2']
    assert mgr['swarm_init']['changed'] is True and wrk['swarm_join']['changed'] is True
    created = mgr['overlay_made']
    assert created['changed'] is True and [s['action'] for s in created['plan']] == ['create'], created
    # the default kernel_check passed on a kernel with ESP: no refusal, and nothing missing in a warning
    # (MTU advice would be fair: the namespaces here have no default route, so there is none)
    assert not [w for w in created.get('warnings', []) if 'kernel_check' in w or 'iptables' in w], created['warnings']
    for host in HOSTS:
        assert made[host]['container_run']['rc'] == 0, made[host]['container_run']
    verified = mgr['overlay_verified']
    assert verified['changed'] is False and verified['encryption']['active'] is True, verified
    enc = mgr['overlay_info']['network']['encryption']
    assert enc['active'] is True and enc['peers'] == [OWN['engine2']] and enc['missing'] == [], enc
    assert enc['algorithm'] == 'rfc4106(gcm(aes))' and enc['states'] >= 2 and enc['reason'] is None, enc
    log('docker_network_info on engine1: %s' % enc)

    before = _counters()
    pinged = _play(scenario, 'ping by name across the overlay', '--tags', 'ping')
    for host in HOSTS:
        assert '3 packets received' in pinged[host]['ping']['stdout'], pinged[host]['ping']
    after = _counters(wait=0)
    for node in NODES:
        was, now = before[node.netns], after[node.netns]
        log('%s: ESP packets before %s, after %s' % (node.netns, was, now))
        for pair in was:
            direction = 'output' if pair[0] == node.addr else 'input'
            assert now.get(pair, 0) > was[pair], 'ESP %s counter %s->%s in %s did not rise with the pings: %s -> %s' % (
                direction, pair[0], pair[1], node.netns, was, now)
    again = pinged['engine1']['overlay_info_after']['network']['encryption']
    assert again['active'] is True and again['packets_out'] > enc['packets_out'], (enc, again)
