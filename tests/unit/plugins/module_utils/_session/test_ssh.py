"""The SSH session of a task, found in the kernel's socket table (_session/ssh.py), on recorded /proc data.

proc_samples/ssh-become-sudo.json and ssh-unprivileged.json were recorded on
a sample-fleet host (Debian 12, OpenSSH 9.2): a process started over SSH as
an unprivileged user, once under `sudo` (root: the sshd's descriptors can be
read; sudo dropped SSH_CONNECTION) and once as the user itself (the sshd's
descriptors cannot be read; SSH_CONNECTION is set). Each holds, per process
from the recording one up to the sshd listener: /proc/PID/stat, and for the
sshd processes their fd links and their namespace's /proc/PID/net/tcp{,6}.
The tests rebuild that /proc under a temporary directory.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import json
import os
import struct

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links, routes as _routes
from ansible_collections.netprov.dockernet.plugins.module_utils._session import ssh

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'proc_samples')
SESSION = {'local': '198.19.175.11', 'local_port': 22, 'peer': '198.19.175.1'}


def load(name):
    with open(os.path.join(SAMPLES, name)) as f:
        return json.load(f)


def fake_proc(tmp_path, sample, extra_fds=None, extra_tcp=''):
    """The recorded processes as a /proc tree; a process whose descriptors could not be read has no fd/."""
    root = tmp_path / 'proc'
    for pid, proc in sample.items():
        if not isinstance(proc, dict):
            continue
        d = root / pid
        d.mkdir(parents=True)
        (d / 'stat').write_text(proc['stat'])
        if 'fd' in proc:
            (d / 'fd').mkdir()
            for n, target in dict(proc['fd'], **(extra_fds or {}).get(pid, {})).items():
                os.symlink(target, str(d / 'fd' / n))
        if 'tcp' in proc:
            (d / 'net').mkdir()
            (d / 'net' / 'tcp').write_text(proc['tcp'] + extra_tcp)
            (d / 'net' / 'tcp6').write_text(proc['tcp6'])
    return str(root)


def tcp_line(local, lport, peer, pport, state, inode):
    return '   9: %s %s %s 00000000:00000000 00:00000000 00000000     0        0 %d 1 0000000000000000\n' % (
        hexlify(local, lport), hexlify(peer, pport), state, inode)


def hexlify(addr, port):
    """The kernel's spelling in /proc/net/tcp: each 32-bit word of the address as a host-order number."""
    packed = ipaddress.ip_address(addr).packed
    return '%s:%04X' % (''.join('%08X' % struct.unpack('=I', packed[i:i + 4])[0]
                                for i in range(0, len(packed), 4)), port)


def test_under_sudo_the_session_is_read_from_the_sshd_ancestor(tmp_path):
    sample = load('ssh-become-sudo.json')
    assert sample['SSH_CONNECTION'] is None  # what sudo leaves: the old guard saw no session here
    session = ssh.find(pid=sample['self'], root=fake_proc(tmp_path, sample))
    assert session['pid'] == 863 and session['how'] == 'the socket table'
    assert session['connections'] == [dict(SESSION, peer_port=49774)]
    assert ssh.describe(session) == ('the SSH session of this task '
                                     '(sshd 863: 198.19.175.1 port 49774 to 198.19.175.11 port 22)')


def test_a_stale_ssh_connection_does_not_move_the_session(tmp_path):
    sample = load('ssh-become-sudo.json')
    session = ssh.find(pid=sample['self'], root=fake_proc(tmp_path, sample),
                       ssh_connection='198.18.9.9 4000 198.18.192.1 22')
    assert session['connections'] == [dict(SESSION, peer_port=49774)]


def test_a_forwarded_port_is_told_apart_from_the_session(tmp_path):
    """sshd also holds the TCP connections of ports it forwards: the one on the port sshd listens on is the session."""
    sample = load('ssh-become-sudo.json')
    root = fake_proc(tmp_path, sample, extra_fds={'863': {'12': 'socket:[777]'}},
                     extra_tcp=tcp_line('127.0.0.1', 41000, '127.0.0.1', 5432, '01', 777))
    assert ssh.find(pid=sample['self'], root=root)['connections'] == [dict(SESSION, peer_port=49774)]


def test_unprivileged_the_hint_names_the_session_once_the_socket_table_has_it(tmp_path):
    sample = load('ssh-unprivileged.json')
    assert all('fd' not in p for p in sample.values() if isinstance(p, dict))  # sshd's descriptors: EACCES
    root = fake_proc(tmp_path, sample)
    session = ssh.find(pid=sample['self'], root=root, ssh_connection=sample['SSH_CONNECTION'])
    assert session['pid'] == 872 and session['how'] == 'SSH_CONNECTION, found in the socket table'
    assert session['connections'] == [dict(SESSION, peer_port=49780)]
    assert ssh.blind_spot(session) is None

    # A hint the socket table does not have, or none: the session is there, which connection is not known.
    for hint in ('198.19.175.1 1 198.19.175.11 22', None):
        blind = ssh.find(pid=sample['self'], root=root, ssh_connection=hint)
        assert blind['connections'] == [] and blind['pid'] == 872
        assert ssh.blind_spot(blind).startswith('an SSH session serves this task (sshd 872), but the sockets of '
                                                'sshd 872 (')
        assert ssh.blind_spot(blind).endswith('run the task as root (become: true)')


def test_without_an_sshd_ancestor_there_is_no_session(tmp_path):
    """A local connection: SSH_CONNECTION alone (inherited, or set by hand) names nothing."""
    root = tmp_path / 'proc'
    for pid, comm, ppid in ((300, 'python3', 200), (200, 'bash', 1), (1, 'init', 0)):
        (root / str(pid)).mkdir(parents=True)
        (root / str(pid) / 'stat').write_text('%d (%s) S %d 300 300 0 -1\n' % (pid, comm, ppid))
    (root / '300' / 'net').mkdir()
    header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'
    (root / '300' / 'net' / 'tcp').write_text(header + tcp_line('198.18.192.1', 22, '198.18.9.9', 4000, '01', 55))
    (root / '300' / 'net' / 'tcp6').write_text(header)
    assert ssh.find(pid=300, root=str(root)) is None
    assert ssh.find(pid=300, root=str(root), ssh_connection='198.18.194.99 50000 198.18.194.1 22') is None
    # ... unless the socket table has that connection: an async task, detached from the sshd, keeps the variable
    detached = ssh.find(pid=300, root=str(root), ssh_connection='198.18.9.9 4000 198.18.192.1 22')
    assert detached['connections'] == [{'local': '198.18.192.1', 'local_port': 22, 'peer': '198.18.9.9',
                                        'peer_port': 4000}]
    assert detached['pid'] is None


@pytest.mark.parametrize('addr', ['198.18.0.1', 'fd00::1:2', '::ffff:198.18.0.7'])
def test_addresses_as_the_kernel_prints_them(addr):
    table = '  sl  local_address ...\n' + tcp_line(addr, 22, '::' if ':' in addr else '0.0.0.0', 0, '0A', 1)
    got = ssh.parse_tcp(table)[0]
    ip = ipaddress.ip_address(addr)
    assert got['local'] == str(getattr(ip, 'ipv4_mapped', None) or ip)
    assert (got['local_port'], got['state'], got['inode']) == (22, '0A', 1)


def test_recorded_ipv4_spelling():
    """0BAF13C6:0016 is 198.19.175.11 port 22 on this little-endian machine, as the recording shows."""
    assert ssh.parse_tcp('header\n   3: 0BAF13C6:0016 01AF13C6:C26E 01 0:0 0:0 0 0 0 6591638 3\n')[0] == {
        'local': '198.19.175.11', 'local_port': 22, 'peer': '198.19.175.1', 'peer_port': 49774, 'state': '01',
        'inode': 6591638}


def test_process_names_with_spaces_and_parentheses():
    assert ssh.parse_stat('42 (sshd: a (b)) S 7 42 42 0 -1 4194560') == ('sshd: a (b)', 7)


def test_the_session_marks_its_link_and_the_route_to_its_client():
    session = {'pid': 863, 'connections': [dict(SESSION, peer_port=49774)]}
    links = {'eth0': {'name': 'eth0', 'addresses': ['198.19.168.11/24']},
             'eth1': {'name': 'eth1', 'addresses': ['198.19.175.11/24']}}
    assert _links.management_links(links, [], session) == {
        'eth1': 'it carries 198.19.175.11, the local address of the SSH session of this task '
                '(sshd 863: 198.19.175.1 port 49774 to 198.19.175.11 port 22)'}
    assert _links.management_links(links, [], None) == {}
    route = _routes.normalise({'dest': '198.19.175.0/28', 'dev': 'eth1', 'metric': None, 'table': None})
    assert _routes.management(route, session).startswith('it covers 198.19.175.1, the client of the SSH session')
