"""An encrypted overlay really encrypts on a kernel with ESP (proven with the docker CLI).

Two engines in two network namespaces of the guest, joined by a bridge,
form a swarm; an attachable overlay created with `-o encrypted` carries a
ping by name between a container on each engine; each namespace's kernel
then holds ESP states in transport mode with Docker's reqid 0xd0c4e3 and
rfc4106(gcm(aes)), whose packet counters rise with more pings.

The same scenario made by the collection's modules through ansible-playbook
is test_guest_playbook_encrypted.py, in the default run; this CLI version
is opt-in (kernel_slow: `make test-kernel`), to keep the tier short.
"""
import time

import pytest

from ansible_collections.netprov.dockernet.tests.support.guest_engine import log, retry
from ansible_collections.netprov.dockernet.tests.support.guest_fabric import Node, bridged_namespaces, engines, esp_states

pytestmark = pytest.mark.kernel_slow

BRIDGE = 'np-ovbr'
NODES = (
    Node('np-ov1', '198.19.30.1', '198.19.31.1/24', '198.19.40.0/21'),
    Node('np-ov2', '198.19.30.2', '198.19.32.1/24', '198.19.48.0/21'),
)


@pytest.fixture(scope='module')
def swarm():
    with bridged_namespaces(BRIDGE, NODES), engines(NODES) as (mgr, wrk):
        mgr.docker('swarm', 'init', '--advertise-addr', NODES[0].addr,
                   '--default-addr-pool', '198.19.56.0/21', '--default-addr-pool-mask-length', '24')
        token = mgr.docker('swarm', 'join-token', '-q', 'worker').stdout.strip()
        retry('swarm join', lambda: wrk.docker('swarm', 'join', '--advertise-addr', NODES[1].addr,
                                               '--token', token, NODES[0].addr + ':2377', timeout=180))
        log('swarm formed')
        yield mgr, wrk


def test_encrypted_overlay_carries_ping_through_esp(swarm):
    mgr, wrk = swarm
    t0 = time.monotonic()
    mgr.docker('network', 'create', '-d', 'overlay', '--attachable', '-o', 'encrypted',
               '--subnet', '198.19.36.0/24', 'np-ovenc')
    mgr.run('np-ova', 'np-ovenc')
    wrk.run('np-ovb', 'np-ovenc')
    ping = retry('ping np-ova -> np-ovb over the encrypted overlay',
                 lambda: mgr.exec('np-ova', 'ping', '-c', '3', '-W', '3', 'np-ovb'))
    assert '3 packets received' in ping.stdout, ping.stdout
    log('encrypted overlay: ping by name across engines after %.1f s' % (time.monotonic() - t0))

    before = {}
    for node in NODES:
        states, out = esp_states(node.netns)
        # one state per direction towards the one peer
        assert len(states) >= 2, 'no ESP states with reqid 0xd0c4e3 in %s:\n%s' % (node.netns, out)
        before[node.netns] = dict((s['spi'], s['packets']) for s in states)
    ping = mgr.exec('np-ova', 'ping', '-c', '5', '-W', '3', 'np-ovb')
    assert '5 packets received' in ping.stdout, ping.stdout
    for node in NODES:
        states, out = esp_states(node.netns)
        after = dict((s['spi'], s['packets']) for s in states)
        rose = [spi for spi, n in after.items() if n > before[node.netns].get(spi, 0)]
        assert len(rose) >= 2, 'ESP packet counters in %s did not rise in both directions:\nbefore %s\n%s' % (
            node.netns, before[node.netns], out)
        log('%s: ESP states %s -> %s' % (node.netns, before[node.netns], after))
