"""Parsing `ip -s xfrm state` into the encryption report."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._overlay.xfrm import encryption_report, parse_states

SAMPLE = """src 198.19.30.1 dst 198.19.30.2
\tproto esp spi 0x5a3b1c2d reqid 13681891(0x00d0c4e3) mode transport
\treplay-window 0 seq 0x00000000 flag  (0x00000000)
\taead rfc4106(gcm(aes)) 0x0123456789abcdef0123456789abcdef01234567 128
\tanti-replay context: seq 0x0, oseq 0x8, bitmap 0x00000000
\tsel src 0.0.0.0/0 dst 0.0.0.0/0 uid 0
\tlifetime config:
\t  limit: soft (INF)(bytes), hard (INF)(bytes)
\t  limit: soft (INF)(packets), hard (INF)(packets)
\tlifetime current:
\t  832(bytes), 8(packets)
\t  add 2026-11-25 09:30:01 use 2026-11-25 09:30:05
\tstats:
\t  replay-window 0 replay 0 failed 0
src 198.19.30.2 dst 198.19.30.1
\tproto esp spi 0x1f2e3d4c reqid 13681891(0x00d0c4e3) mode transport
\treplay-window 0 seq 0x00000000 flag  (0x00000000)
\taead rfc4106(gcm(aes)) 0xfedcba9876543210fedcba9876543210fedcba98 128
\tlifetime current:
\t  0(bytes), 0(packets)
src 198.18.0.1 dst 198.18.0.9
\tproto esp spi 0x00000001 reqid 1 mode tunnel
\taead rfc4106(gcm(aes)) 0x00 128
"""


def test_parse_states():
    states = parse_states(SAMPLE)
    assert len(states) == 3
    assert states[0] == {'src': '198.19.30.1', 'dst': '198.19.30.2', 'proto': 'esp', 'spi': '0x5a3b1c2d',
                         'reqid': 0xd0c4e3, 'mode': 'transport', 'aead': 'rfc4106(gcm(aes))', 'packets': 8}
    assert states[2]['mode'] == 'tunnel'


def test_active_when_every_peer_has_states_both_ways():
    r = encryption_report(parse_states(SAMPLE), '198.19.30.1', ['198.19.30.1', '198.19.30.2'])
    assert r['active'] is True and r['peers'] == ['198.19.30.2'] and r['missing'] == []
    assert r['algorithm'] == 'rfc4106(gcm(aes))' and r['states'] == 2 and r['packets_out'] == 8


def test_missing_peer_and_foreign_states_do_not_count():
    r = encryption_report(parse_states(SAMPLE), '198.19.30.1', ['198.19.30.2', '198.19.30.3'])
    assert r['active'] is False and r['missing'] == ['198.19.30.3']
    assert encryption_report([], '198.18.0.1', ['198.18.0.9'])['active'] is False
    assert encryption_report([], '198.18.0.1', [])['active'] is False


# What iproute2 6.1 (Debian 12) printed in the UML guest for an encrypted overlay between
# 198.19.20.1 and 198.19.20.2: the spi with its decimal value in parentheses.
IPROUTE2_6_1 = """src 198.19.20.2 dst 198.19.20.1
\tproto esp spi 0x2b5858e6(727210214) reqid 13681891(0x00d0c4e3) mode transport
\treplay-window 0 seq 0x00000000 flag  (0x00000000)
\taead rfc4106(gcm(aes)) 0x7f3c5791cbbd6ebcffa111213f6326602b5858e6 (160 bits) 64
\tanti-replay context: seq 0x0, oseq 0x0, bitmap 0x00000000
\tsel src 0.0.0.0/0 dst 0.0.0.0/0 uid 0
\tlifetime config:
\t  limit: soft (INF)(bytes), hard (INF)(bytes)
\t  limit: soft (INF)(packets), hard (INF)(packets)
\t  expire add: soft 0(sec), hard 0(sec)
\t  expire use: soft 0(sec), hard 0(sec)
\tlifetime current:
\t  0(bytes), 0(packets)
\t  add 2026-11-25 10:05:00 use -
\tstats:
\t  replay-window 0 replay 0 failed 0
src 198.19.20.1 dst 198.19.20.2
\tproto esp spi 0x8d2f6db3(2368695731) reqid 13681891(0x00d0c4e3) mode transport
\treplay-window 0 seq 0x00000000 flag  (0x00000000)
\taead rfc4106(gcm(aes)) 0x9fe8cd39888eb15dba9610387e5422598d2f6db3 (160 bits) 64
\tanti-replay context: seq 0x0, oseq 0x5, bitmap 0x00000000
\tsel src 0.0.0.0/0 dst 0.0.0.0/0 uid 0
\tlifetime config:
\t  limit: soft (INF)(bytes), hard (INF)(bytes)
\t  limit: soft (INF)(packets), hard (INF)(packets)
\t  expire add: soft 0(sec), hard 0(sec)
\t  expire use: soft 0(sec), hard 0(sec)
\tlifetime current:
\t  620(bytes), 5(packets)
\t  add 2026-11-25 10:05:00 use 2026-11-25 10:06:10
\tstats:
\t  replay-window 0 replay 0 failed 0
"""


def test_parse_states_of_iproute2_6_with_decimal_spi():
    states = parse_states(IPROUTE2_6_1)
    assert [(s['spi'], s['reqid'], s['mode'], s['aead'], s['packets']) for s in states] == [
        ('0x2b5858e6', 0xd0c4e3, 'transport', 'rfc4106(gcm(aes))', 0),
        ('0x8d2f6db3', 0xd0c4e3, 'transport', 'rfc4106(gcm(aes))', 5)]
    r = encryption_report(states, '198.19.20.1', ['198.19.20.1', '198.19.20.2'])
    assert r['active'] is True and r['peers'] == ['198.19.20.2'] and r['states'] == 2 and r['packets_out'] == 5
