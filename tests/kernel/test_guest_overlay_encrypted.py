"""An encrypted overlay really encrypts on a kernel with ESP (issue 8's proof, with the docker CLI).

Two engines in two network namespaces of the guest, joined by a bridge,
form a swarm; an attachable overlay created with `-o encrypted` carries a
ping by name between a container on each engine; each namespace's kernel
then holds ESP states in transport mode with Docker's reqid 0xd0c4e3 and
rfc4106(gcm(aes)), whose packet counters rise with more pings.
"""
import re
import time

import pytest
from pyroute2 import IPRoute
from pyroute2 import netns as _netns

from conftest import sh
from guest_engine import GuestEngine, log, retry

BRIDGE = 'np-ovbr'
NODES = (  # netns, address on the bridge, bip, address pool
    ('np-ov1', '198.19.30.1', '198.19.31.1/24', '198.19.40.0/21'),
    ('np-ov2', '198.19.30.2', '198.19.32.1/24', '198.19.48.0/21'),
)
NAMESPACES = [node[0] for node in NODES]
REQID = 0xd0c4e3


def _esp_states(ns):
    """[(spi, packets)] of Docker's ESP states in namespace ns, from `ip -s xfrm state`."""
    out = sh('ip', 'netns', 'exec', ns, 'ip', '-s', 'xfrm', 'state').stdout
    states = []
    for block in re.split(r'\n(?=src )', out.strip()):
        if 'proto esp' not in block or not re.search(r'reqid %d\b' % REQID, block):
            continue
        assert 'mode transport' in block and 'rfc4106(gcm(aes))' in block, block
        spi = re.search(r'spi (0x[0-9a-f]+)', block).group(1)
        m = re.search(r'lifetime current:\s*\n\s*(\d+)\(bytes\), (\d+)\(packets\)', block)
        states.append((spi, int(m.group(2)) if m else 0))
    return states, out


@pytest.fixture(scope='module')
def fabric():
    """Two namespaces on a bridge in the guest's root namespace."""
    made_ns = []
    rule = ['FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-j', 'ACCEPT']
    with IPRoute() as ipr:
        try:
            ipr.link('add', ifname=BRIDGE, kind='bridge')
            br = ipr.link_lookup(ifname=BRIDGE)[0]
            ipr.link('set', index=br, state='up')
            sh('iptables', '-I', *rule)
            for ns, addr, _bip, _pool in NODES:
                _netns.create(ns)
                made_ns.append(ns)
                host_end = ns + 'h'
                ipr.link('add', ifname=host_end, kind='veth', peer={'ifname': 'eth0', 'net_ns_fd': ns})
                idx = ipr.link_lookup(ifname=host_end)[0]
                ipr.link('set', index=idx, master=br, state='up')
                with IPRoute(netns=ns) as nsr:
                    nsr.link('set', index=nsr.link_lookup(ifname='lo')[0], state='up')
                    eth = nsr.link_lookup(ifname='eth0')[0]
                    nsr.addr('add', index=eth, address=addr, prefixlen=24)
                    nsr.link('set', index=eth, state='up')
            yield
        finally:
            for ns in made_ns:
                _netns.remove(ns)
            sh('iptables', '-D', *rule, check=False)
            idx = ipr.link_lookup(ifname=BRIDGE)
            if idx:
                ipr.link('del', index=idx[0])


@pytest.fixture(scope='module')
def swarm(fabric):
    engines = []
    try:
        for ns, _addr, bip, pool in NODES:
            engines.append(GuestEngine(ns, netns=ns, bip=bip, pool=pool).launch())
        for eng in engines:
            eng.wait_ready()
            eng.load_test_image()
        mgr, wrk = engines
        mgr.docker('swarm', 'init', '--advertise-addr', NODES[0][1],
                   '--default-addr-pool', '198.19.56.0/21', '--default-addr-pool-mask-length', '24')
        token = mgr.docker('swarm', 'join-token', '-q', 'worker').stdout.strip()
        retry('swarm join', lambda: wrk.docker('swarm', 'join', '--advertise-addr', NODES[1][1],
                                               '--token', token, NODES[0][1] + ':2377', timeout=180))
        log('swarm formed')
        yield mgr, wrk
    finally:
        # No `swarm leave`: the engines' state lives on the guest's tmpfs and goes with them.
        for eng in engines:
            eng.signal_stop()
        for eng in engines:
            eng.stop(timeout=10)


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
    for ns in NAMESPACES:
        states, out = _esp_states(ns)
        # one state per direction towards the one peer
        assert len(states) >= 2, 'no ESP states with reqid 0xd0c4e3 in %s:\n%s' % (ns, out)
        before[ns] = dict(states)
    ping = mgr.exec('np-ova', 'ping', '-c', '5', '-W', '3', 'np-ovb')
    assert '5 packets received' in ping.stdout, ping.stdout
    for ns in NAMESPACES:
        states, out = _esp_states(ns)
        after = dict(states)
        rose = [spi for spi, n in after.items() if n > before[ns].get(spi, 0)]
        assert len(rose) >= 2, 'ESP packet counters in %s did not rise in both directions:\nbefore %s\n%s' % (
            ns, before[ns], out)
        log('%s: ESP states %s -> %s' % (ns, before[ns], after))
