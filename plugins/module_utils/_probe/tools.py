# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The commands run inside the probe container, and what their output means (pure).

Written for busybox (``nslookup``, ``ping``, ``nc``, ``ip``, ``timeout``) and
for images with glibc tools (``getent``, iputils ``ping``). User input never
reaches a shell line: names, addresses and ports are passed as ``sh -c``'s
positional arguments.

The don't-fragment bit: iputils ``ping -M do`` sets it and never fragments
locally. Busybox ``ping`` has no such option (and busybox ``traceroute -F`` is
a no-op on Linux: it sets the BSD-only IP_DONTFRAG), but Linux's default path
MTU discovery sets DF on every datagram that fits the route's MTU, and the
probe sends nothing larger than its interface's MTU. Once the kernel has
learned a smaller limit from an ICMP "fragmentation needed", though, it
fragments larger datagrams itself and they seem to pass. So the limit a path
signals is asked for first, before any ping of that size: one busybox
``traceroute`` probe of the full size with TTL 64 prints the next-hop MTU of
the ICMP it gets (``!F-1400``); iputils ``ping -M do`` and iproute2's ``ip route
get`` name a learned limit too (busybox's ``ip`` does not show it).
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

IP_ICMP_HEADERS = 28  # IPv4 20 + ICMP 8: ping -s takes the payload

TOOLS = ('sh', 'nslookup', 'getent', 'ping', 'nc', 'ip', 'timeout', 'traceroute')

# One exec: which tools there are, whether ping takes -M do, every interface's MTU.
TOOLBOX = (
    'for t in nslookup getent ping nc ip timeout traceroute; do command -v "$t" >/dev/null 2>&1 && echo "tool $t"; done; '
    'ping -M do -c 1 -W 1 -s 8 127.0.0.1 >/dev/null 2>&1 && echo ping_df; '
    'for d in /sys/class/net/*; do echo "mtu ${d##*/} $(cat "$d/mtu")"; done; echo toolbox-end'
)

KILLED = (124, 137, 143)  # what timeout(1) (coreutils, busybox) returns for a command it ended


def toolbox_argv():
    return ['sh', '-c', TOOLBOX]


def parse_toolbox(out):
    """{'tools': set, 'ping_df': bool, 'mtu': {iface: int}, 'complete': bool} from the toolbox script's output."""
    found = {'tools': set(['sh']), 'ping_df': False, 'mtu': {}, 'complete': False}
    for line in (out or '').splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == 'tool':
            found['tools'].add(words[1])
        elif words == ['ping_df']:
            found['ping_df'] = True
        elif len(words) == 3 and words[0] == 'mtu' and words[2].isdigit():
            found['mtu'][words[1]] = int(words[2])
        elif words == ['toolbox-end']:
            found['complete'] = True
    return found


def bounded(argv, seconds, tools):
    """``argv`` ended after ``seconds`` when the image has timeout(1)."""
    if 'timeout' in tools:
        return ['timeout', '-s', 'KILL', str(max(1, int(seconds)))] + list(argv)
    return list(argv)


# -- name resolution -------------------------------------------------------------
def resolve_argv(name, tools):
    """Ask the container's resolver (the embedded DNS at 127.0.0.11 on user-defined networks)."""
    if 'nslookup' in tools:
        return ['nslookup', name]
    return ['getent', 'hosts', name]


_NSLOOKUP_FAIL = (
    (re.compile(r"can't find [^:]*: (\S+)"), lambda m: m.group(1)),  # NXDOMAIN, SERVFAIL, ...
    (re.compile(r'connection timed out|no servers could be reached'), lambda m: 'no answer from the DNS server'),
)


def parse_resolve(rc, out, err, tools):
    """(addresses, what was seen in words)."""
    addresses = []
    if 'nslookup' in tools:
        in_answer = False
        for line in (out or '').splitlines():
            if line.startswith('Name:'):
                in_answer = True
            elif in_answer and line.startswith('Address'):
                value = line.split(':', 1)[1].strip().split()[0] if ':' in line else ''
                if value and value not in addresses:
                    addresses.append(value)
    else:
        for line in (out or '').splitlines():
            words = line.split()
            if words and words[0] not in addresses:
                addresses.append(words[0])
    if addresses:
        return addresses, ', '.join(addresses)
    if rc in KILLED:
        return [], 'no answer in time'
    text = '%s\n%s' % (out or '', err or '')
    for pattern, word in _NSLOOKUP_FAIL:
        m = pattern.search(text)
        if m:
            return [], word(m)
    return [], 'no address (rc=%s)' % rc if rc else 'an answer without addresses'


def first_ipv4(addresses):
    return next((a for a in addresses if ':' not in a), None)


# -- ICMP ------------------------------------------------------------------------
def ping_argv(address, size, wait, ping_df):
    """One echo request whose IP packet is ``size`` bytes, DF set (see the module docstring)."""
    argv = ['ping', '-c', '1', '-W', str(wait), '-s', str(max(0, size - IP_ICMP_HEADERS))]
    if ping_df:
        argv[1:1] = ['-M', 'do']
    return argv + [address]


_LOCAL_MTU = re.compile(r'message too long,? mtu[=: ]+(\d+)', re.I)
_FRAG_NEEDED = re.compile(r'frag(?:mentation)? needed.*?mtu\s*=?\s*(\d+)', re.I)


def parse_ping(rc, out, err):
    """('ok' | 'lost', the MTU the output names, if any: a local 'message too long' or an ICMP 'frag needed')."""
    text = '%s\n%s' % (out or '', err or '')
    if rc == 0 and 'bytes from' in text:
        return 'ok', None
    m = _LOCAL_MTU.search(text) or _FRAG_NEEDED.search(text)
    return 'lost', int(m.group(1)) if m else None


def traceroute_argv(address, size, wait):
    """One UDP probe of ``size`` bytes with TTL 64: what answers is the peer, or a hop that cannot forward it."""
    return ['traceroute', '-n', '-q', '1', '-w', str(wait), '-f', '64', '-m', '64', address, str(size)]


_NEEDFRAG = re.compile(r'!F-(\d+)')


def parse_traceroute(out):
    """The next-hop MTU of an ICMP "fragmentation needed" the probe got (``!F-1400``), or None."""
    m = _NEEDFRAG.search(out or '')
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


# -- TCP -------------------------------------------------------------------------
def tcp_argv(address, port, wait):
    return ['sh', '-c', 'exec nc -w "$2" "$0" "$1" </dev/null >/dev/null', address, str(port), str(wait)]


_TCP_SEEN = (
    ('refused', 'connection refused'),
    ('timed out', 'no answer (timed out)'),
    ('no route', 'no route to host'),
    ('network is unreachable', 'network unreachable'),
    ('unreachable', 'host unreachable'),
    ('bad address', 'does not resolve'),
)


def parse_tcp(rc, out, err):
    """(open, what was seen in words)."""
    text = ('%s\n%s' % (out or '', err or '')).lower()
    for key, seen in _TCP_SEEN:
        if key in text:
            return False, seen
    if rc == 0 or (rc in KILLED and not text.strip()):
        return True, 'accepted'  # a peer that keeps the connection open is ended by timeout(1)
    return False, 'failed (rc=%s): %s' % (rc, ' '.join(text.split())[:200] or 'no message')


# -- routes ----------------------------------------------------------------------
def route_argv(address):
    return ['ip', 'route', 'get', address]


def parse_route(out):
    """(the device the route uses, the route's MTU from the cache or the route itself, or None)."""
    text = out or ''
    dev = re.search(r'\bdev (\S+)', text)
    mtu = re.search(r'\bmtu (?:lock )?(\d+)', text)
    return (dev.group(1) if dev else None), (int(mtu.group(1)) if mtu else None)
