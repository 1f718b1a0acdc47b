"""Two or more Docker Engines in network namespaces of the UML guest, joined by a bridge.

Shared by the encrypted-overlay guest tests (the docker CLI one and the
ansible-playbook one):

    NODES = [Node('np-x1', '198.19.20.1', '198.19.21.1/24', '198.19.16.0/23'), ...]
    with bridged_namespaces('np-xbr', NODES), engines(NODES) as (eng1, eng2):
        ...
    esp_states('np-x1')   # Docker's ESP states in that namespace, with their packet counters

Each namespace gets `eth0` with the node's address (/24) on a veth whose
other end is on the bridge; the bridge has no address, so nothing leaves
the fabric. FORWARD on the bridge is accepted (an engine in the guest's
root namespace would set FORWARD's policy to DROP).
"""
import collections
import contextlib
import os
import re
import shutil
import time

from pyroute2 import IPRoute
from pyroute2 import netns as _netns

from conftest import sh
from ansible_collections.netprov.dockernet.tests.support.guest_engine import GuestEngine

REQID = 0xd0c4e3  # the reqid libnetwork's overlay driver gives its ESP states

# netns name, address on the bridge, the engine's bip, the engine's default address pool
Node = collections.namedtuple('Node', 'netns addr bip pool')


@contextlib.contextmanager
def bridged_namespaces(bridge, nodes):
    """The namespaces of `nodes` on a new bridge; all removed afterwards."""
    made_ns = []
    rule = ['FORWARD', '-i', bridge, '-o', bridge, '-j', 'ACCEPT']
    with IPRoute() as ipr:
        try:
            ipr.link('add', ifname=bridge, kind='bridge')
            br = ipr.link_lookup(ifname=bridge)[0]
            ipr.link('set', index=br, state='up')
            sh('iptables', '-I', *rule)
            for node in nodes:
                _netns.create(node.netns)
                made_ns.append(node.netns)
                host_end = node.netns + 'h'
                ipr.link('add', ifname=host_end, kind='veth', peer={'ifname': 'eth0', 'net_ns_fd': node.netns})
                idx = ipr.link_lookup(ifname=host_end)[0]
                ipr.link('set', index=idx, master=br, state='up')
                with IPRoute(netns=node.netns) as nsr:
                    nsr.link('set', index=nsr.link_lookup(ifname='lo')[0], state='up')
                    eth = nsr.link_lookup(ifname='eth0')[0]
                    nsr.addr('add', index=eth, address=node.addr, prefixlen=24)
                    nsr.link('set', index=eth, state='up')
            yield nodes
        finally:
            for ns in made_ns:
                _netns.remove(ns)
            sh('iptables', '-D', *rule, check=False)
            idx = ipr.link_lookup(ifname=bridge)
            if idx:
                ipr.link('del', index=idx[0])


@contextlib.contextmanager
def engines(nodes):
    """A dockerd in each node's namespace (started together), with the test image loaded; stopped afterwards.

    No `swarm leave` at the end: the engines' state lives on the guest's tmpfs /run and goes with them.
    Each engine's log is kept as dockerd-<netns>.log in the results directory (the host keeps that
    directory after a failing run).
    """
    started = []
    try:
        for node in nodes:
            started.append(GuestEngine(node.netns, netns=node.netns, bip=node.bip, pool=node.pool).launch())
        for eng in started:
            eng.wait_ready()
            eng.load_test_image()
        yield started
    finally:
        results = os.environ.get('NETPROV_UML_RESULTS')
        for eng in started:
            if results and os.path.exists(os.path.join(eng.dir, 'dockerd.log')):
                shutil.copy(os.path.join(eng.dir, 'dockerd.log'), os.path.join(results, 'dockerd-%s.log' % eng.name))
            eng.signal_stop()
        # One short wait for all (they were all told at once): a swarm dockerd seldom exits within 10 s
        # of SIGTERM in the guest, and what it would tidy lives on the guest's tmpfs.
        deadline = time.monotonic() + 5
        for eng in started:
            eng.stop(timeout=max(1, deadline - time.monotonic()))


def esp_states(ns):
    """Docker's ESP states in namespace ns from `ip -s xfrm state`: ([{src, dst, spi, packets}], raw output).

    Read here with its own parser, independently of the collection's _xfrm, so the test does not take the
    module's word for what the kernel holds.
    """
    out = sh('ip', 'netns', 'exec', ns, 'ip', '-s', 'xfrm', 'state').stdout
    states = []
    for block in re.split(r'\n(?=src )', out.strip()):
        if 'proto esp' not in block or not re.search(r'reqid %d\b' % REQID, block):
            continue
        assert 'mode transport' in block and 'rfc4106(gcm(aes))' in block, block
        src, dst = re.match(r'src (\S+) dst (\S+)', block).groups()
        spi = re.search(r'spi (0x[0-9a-f]+)', block).group(1)
        m = re.search(r'lifetime current:\s*\n\s*(\d+)\(bytes\), (\d+)\(packets\)', block)
        states.append({'src': src, 'dst': dst, 'spi': spi, 'packets': int(m.group(2)) if m else 0})
    return states, out
