# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The path MTU to one peer, measured with don't-fragment pings (pure: the pings are a callable).

``send(size)`` sends one echo request whose IP packet is ``size`` bytes and
returns ``(passed, limit)``: whether the reply came, and a route MTU the
sender's kernel learned meanwhile (from an ICMP "fragmentation needed", or
named by ping itself), if any.

The verdicts:

- ``ok``: a packet of the interface's MTU passes: nothing on the path is smaller.
- ``signalled``: the path is smaller and says so (ICMP "fragmentation needed"):
  larger packets are fragmented, or refused where DF is required.
- ``black_hole``: packets above a size vanish and nothing says why (the classic
  hang of TLS handshakes across hosts): ``path_mtu`` is the largest that passed.
- ``unreachable``: not even a small packet passes; the MTU cannot be told.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._probe.spec import MIN_MTU


def measure(send, mtu, floor=MIN_MTU, attempts=2, signalled=None):
    """{'verdict', 'path_mtu', 'limit', 'sizes': [{'size', 'passed'}]} for a path whose first link has ``mtu``.

    The interface's MTU and the floor are tried ``attempts`` times (one lost
    packet is not a verdict), the sizes between once each, in a binary
    search. Once the kernel has learned a smaller limit it fragments whatever
    is larger, so from then on only sizes up to that limit are asked.
    ``signalled(size)``, when given, is asked first: the limit the path signals
    for a packet of that size, or None.
    """
    sizes = []
    learned = []

    def probe(size, tries=1):
        for _attempt in range(tries):
            passed, limit = send(size)
            sizes.append({'size': size, 'passed': passed})
            if limit and limit < size and limit not in learned:
                learned.append(limit)
            if passed:
                return True
            if limit:
                return False  # told, not lost: asking again says the same
        return False

    def result(verdict, path_mtu):
        return dict(verdict=verdict, path_mtu=path_mtu, limit=min(learned) if learned else None, sizes=sizes)

    told = signalled(mtu) if signalled else None
    if told and told < mtu:
        learned.append(told)
    elif probe(mtu, attempts):
        return result('ok', mtu)
    high = mtu  # the smallest size known to be lost
    while learned and min(learned) < high:
        high = min(learned)
        if probe(high, attempts):
            return result('signalled', high)
    floor = min(floor, high)
    if not probe(floor, attempts):
        return result('unreachable', None)
    low = floor  # the largest size known to pass
    while high - low > 1:
        mid = (low + high) // 2
        passed = probe(mid)
        if learned and min(learned) < high:
            high = min(learned)
            if high <= low:
                break
            if probe(high, attempts):
                return result('signalled', high)
            continue
        if passed:
            low = mid
        else:
            high = mid
    return result('black_hole', low)
