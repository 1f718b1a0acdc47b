# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Is an encrypted overlay really encrypted? Read the kernel's xfrm states, not the engine's word.

pyroute2 has no xfrm support, so the states come from `ip -s xfrm state`,
run in the engine's network namespace (nsenter) when the engine is in one.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import subprocess

DOCKER_REQID = 0xd0c4e3  # the reqid libnetwork's overlay driver gives its ESP states


def parse_states(text):
    """`ip -s xfrm state` output -> list of dicts (src, dst, proto, spi, reqid, mode, aead, packets)."""
    states = []
    for block in re.split(r'\n(?=src )', (text or '').strip()):
        head = re.match(r'src (\S+) dst (\S+)', block)
        if not head:
            continue
        state = {'src': head.group(1), 'dst': head.group(2), 'proto': None, 'spi': None, 'reqid': None,
                 'mode': None, 'aead': None, 'packets': None}
        # iproute2 6.x prints `spi 0x2b5858e6(727210214) reqid 13681891(0x00d0c4e3)`, older ones the hex alone
        m = re.search(r'proto (\S+) spi (0x[0-9a-fA-F]+)(?:\(\d+\))? reqid (\d+)(?:\(0x[0-9a-fA-F]+\))? mode (\S+)',
                      block)
        if m:
            state.update(proto=m.group(1), spi=m.group(2), reqid=int(m.group(3)), mode=m.group(4))
        m = re.search(r'aead (\S+)', block)
        if m:
            state['aead'] = m.group(1)
        m = re.search(r'lifetime current:\s*\n\s*\d+\(bytes\), (\d+)\(packets\)', block)
        if m:
            state['packets'] = int(m.group(1))
        states.append(state)
    return states


def docker_states(states):
    """The ESP transport states the overlay driver made."""
    return [s for s in states if s['proto'] == 'esp' and s['reqid'] == DOCKER_REQID and s['mode'] == 'transport']


def encryption_report(states, own_addr, peers):
    """active: every peer has Docker ESP states both ways; peers/missing: which do and which do not."""
    ours = docker_states(states)
    pairs = set((s['src'], s['dst']) for s in ours)
    ok, missing = [], []
    for peer in sorted(set(p for p in peers if p and p != own_addr)):
        if (own_addr, peer) in pairs and (peer, own_addr) in pairs:
            ok.append(peer)
        else:
            missing.append(peer)
    algorithms = sorted(set(s['aead'] for s in ours if s['aead']))
    return {
        'active': bool(ok) and not missing,
        'peers': ok,
        'missing': missing,
        'algorithm': algorithms[0] if len(algorithms) == 1 else (algorithms or None),
        'states': len(ours),
        'packets_out': sum(s['packets'] or 0 for s in ours if s['src'] == own_addr),
    }


def read_states(netns_path=None, timeout=10):
    """Run `ip -s xfrm state` here or in the given namespace; returns its output text."""
    cmd = ['ip', '-s', 'xfrm', 'state']
    if netns_path:
        cmd = ['nsenter', '--net=%s' % netns_path] + cmd
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise OSError(proc.stderr.decode('utf-8', 'replace').strip() or 'ip xfrm state failed')
    return proc.stdout.decode('utf-8', 'replace')
