"""_probe.tools: the argv run in the probe container and its output -> what was seen."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._probe import tools


# -- tool output ---------------------------------------------------------------------------
NSLOOKUP_OK = """Server:\t\t127.0.0.11
Address:\t127.0.0.11:53

Non-authoritative answer:

Non-authoritative answer:
Name:\tweb
Address: 198.19.208.2
"""


def test_nslookup_answer_gives_the_addresses_not_the_server():
    assert tools.parse_resolve(0, NSLOOKUP_OK, '', {'nslookup'}) == (['198.19.208.2'], '198.19.208.2')


@pytest.mark.parametrize('rc, out, err, seen', [
    (1, 'Server:\t\t127.0.0.11\n', "** server can't find ghost: NXDOMAIN\n", 'NXDOMAIN'),
    (1, ';; connection timed out; no servers could be reached\n', '', 'no answer from the DNS server'),
    (0, 'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\n', '',
     'an answer without addresses'),
    (137, '', '', 'no answer in time'),
])
def test_nslookup_failures_say_what_was_seen(rc, out, err, seen):
    assert tools.parse_resolve(rc, out, err, {'nslookup'}) == ([], seen)


def test_getent_when_there_is_no_nslookup():
    argv = tools.resolve_argv('web', {'getent'})
    assert argv == ['getent', 'hosts', 'web']
    assert tools.parse_resolve(0, '198.19.208.2    web\n', '', {'getent'})[0] == ['198.19.208.2']


def test_toolbox_output():
    found = tools.parse_toolbox('tool nslookup\ntool ping\ntool nc\nmtu eth0 1450\nmtu lo 65536\ntoolbox-end\n')
    assert found['tools'] == {'sh', 'nslookup', 'ping', 'nc'} and found['ping_df'] is False
    assert found['mtu'] == {'eth0': 1450, 'lo': 65536} and found['complete']


def test_ping_sizes_are_ip_packet_sizes_and_df_is_forced_with_iputils():
    assert tools.ping_argv('198.18.0.2', 1450, 2, False) == ['ping', '-c', '1', '-W', '2', '-s', '1422', '198.18.0.2']
    assert tools.ping_argv('198.18.0.2', 1450, 2, True)[:3] == ['ping', '-M', 'do']


@pytest.mark.parametrize('rc, out, err, seen', [
    (0, '1480 bytes from 198.18.0.2: seq=0 ttl=64 time=0.08 ms\n', '', ('ok', None)),
    (1, '1 packets transmitted, 0 packets received, 100% packet loss\n', '', ('lost', None)),
    (1, '', 'ping: local error: message too long, mtu=1400\n', ('lost', 1400)),
    (1, 'From 198.18.0.1 icmp_seq=1 Frag needed and DF set (mtu = 1380)\n', '', ('lost', 1380)),
])
def test_ping_output(rc, out, err, seen):
    assert tools.parse_ping(rc, out, err) == seen


@pytest.mark.parametrize('rc, err, seen', [
    (0, '', (True, 'accepted')),
    (137, '', (True, 'accepted')),  # connected, and the peer kept it open until timeout(1) ended nc
    (1, 'nc: can\'t connect to remote host (198.18.0.2): Connection refused\n', (False, 'connection refused')),
    (1, 'nc: timed out\n', (False, 'no answer (timed out)')),
    (1, 'nc: bad address \'ghost\'\n', (False, 'does not resolve')),
])
def test_nc_output(rc, err, seen):
    assert tools.parse_tcp(rc, '', err) == seen


def test_user_input_never_reaches_a_shell_line():
    argv = tools.tcp_argv('$(reboot)', 80, 2)
    assert argv[:2] == ['sh', '-c'] and '$(reboot)' not in argv[2] and argv[3] == '$(reboot)'


def test_route_cache_mtu():
    assert tools.parse_route('198.18.0.2 dev eth0  src 198.18.0.3 \n    cache  expires 598sec mtu 1350\n') == \
        ('eth0', 1350)
    assert tools.parse_route('198.18.0.2 dev eth0  src 198.18.0.3 \n') == ('eth0', None)


def test_bounded_only_with_timeout():
    assert tools.bounded(['ping'], 3.7, {'timeout'}) == ['timeout', '-s', 'KILL', '3', 'ping']
    assert tools.bounded(['ping'], 3, set()) == ['ping']


def test_traceroute_needfrag():
    assert tools.parse_traceroute('64  198.19.209.1  0.007 ms !F-1400\n') == 1400
    assert tools.parse_traceroute('64  198.19.210.2  0.006 ms\n') is None
    assert tools.parse_traceroute('64  *\n') is None
    assert tools.traceroute_argv('198.18.0.2', 1500, 2)[-2:] == ['198.18.0.2', '1500']


def test_the_toolbox_is_one_sh_line_and_an_output_cut_short_is_incomplete():
    argv = tools.toolbox_argv()
    assert argv[:2] == ['sh', '-c'] and len(argv) == 3 and argv[2].endswith('echo toolbox-end')
    found = tools.parse_toolbox('tool ping\nping_df\nmtu eth0 1450\nmtu eth1 ???\n')
    assert found == {'tools': {'sh', 'ping'}, 'ping_df': True, 'mtu': {'eth0': 1450}, 'complete': False}
    assert tools.parse_toolbox(None)['tools'] == {'sh'}


def test_the_first_ipv4_address_of_an_answer():
    assert tools.first_ipv4(['2001:db8::5', '198.18.0.5', '198.18.0.6']) == '198.18.0.5'
    assert tools.first_ipv4(['2001:db8::5']) is None


def test_route_argv_and_a_locked_route_mtu():
    assert tools.route_argv('198.18.0.2') == ['ip', 'route', 'get', '198.18.0.2']
    assert tools.parse_route('198.18.0.2 via 198.18.0.1 dev eth1 src 198.18.0.3 mtu lock 1280\n') == ('eth1', 1280)
    assert tools.parse_route('') == (None, None)


def test_a_ping_too_small_to_carry_headers_asks_for_no_payload():
    assert tools.ping_argv('198.18.0.2', 20, 1, False)[-2:] == ['0', '198.18.0.2']
