# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SSH session a module runs under, from the kernel's socket table.

Ansible starts a module on a host through that host's sshd (and sudo, su, ...
in between when it becomes another user). The module process's ancestors
therefore include the sshd serving the session, and that sshd holds the
session's TCP connection: its socket inodes (``/proc/PID/fd``) matched
against the TCP table of its network namespace (``/proc/PID/net/tcp``,
``tcp6``) give the connection's local address, which names the link that
carries the session.

- No sshd among the ancestors: a local connection (or a container or
  chroot connection), no session to guard - unless ``SSH_CONNECTION`` names a
  connection the socket table has (an ``async`` task, which detaches from its
  parents, keeps the variable).
- ``SSH_CONNECTION`` is a hint only: it picks the session among several
  connections the sshd holds (forwarded ports), and stands in when the sshd's
  sockets cannot be read (a module not run as root), always checked against
  the socket table first. sudo drops it, so it is never needed.

Every reader takes ``root`` (``/proc`` by default), so the parsing is tested
on recorded ``/proc`` files.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import os
import re
import struct

SSHD_NAMES = ('sshd', 'sshd-session')  # OpenSSH 9.8 and later serve a session from sshd-session
ESTABLISHED = '01'
LISTEN = '0A'
_SOCKET = re.compile(r'^socket:\[(\d+)\]$')


def _read(root, *parts):
    try:
        with open(os.path.join(root, *parts)) as f:
            return f.read()
    except (IOError, OSError):
        return None


def parse_stat(text):
    """(comm, parent pid) from the text of /proc/PID/stat (the name may hold spaces and parentheses)."""
    comm = text[text.index('(') + 1:text.rindex(')')]
    fields = text[text.rindex(')') + 2:].split()
    return comm, int(fields[1])


def ancestors(pid, root='/proc'):
    """[(pid, comm)] of ``pid`` and its ancestors, nearest first, up to PID 1 or the first that cannot be read."""
    chain = []
    seen = set()
    while pid and pid not in seen:
        seen.add(pid)
        text = _read(root, str(pid), 'stat')
        if text is None:
            break
        comm, parent = parse_stat(text)
        chain.append((pid, comm))
        if pid == 1:
            break
        pid = parent
    return chain


def _address(text):
    """('198.18.0.1', 22) from a /proc/net/tcp address field ('0100A8C6:0016').

    The kernel prints each 32-bit word of the address as a number in the host's
    byte order; an IPv4-mapped IPv6 address comes back as the IPv4 address.
    """
    hexaddr, hexport = text.split(':')
    raw = b''.join(struct.pack('=I', int(hexaddr[i:i + 8], 16)) for i in range(0, len(hexaddr), 8))
    addr = ipaddress.ip_address(raw if len(raw) == 16 else struct.unpack('!I', raw)[0])
    if addr.version == 6 and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return str(addr), int(hexport, 16)


def parse_tcp(text):
    """The sockets of a /proc/net/tcp or tcp6 table: [{'local', 'local_port', 'peer', 'peer_port', 'state', 'inode'}]."""
    sockets = []
    for line in (text or '').splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10:
            continue
        local, local_port = _address(fields[1])
        peer, peer_port = _address(fields[2])
        sockets.append({'local': local, 'local_port': local_port, 'peer': peer, 'peer_port': peer_port,
                        'state': fields[3].upper(), 'inode': int(fields[9])})
    return sockets


def socket_inodes(pid, root='/proc'):
    """The inodes of the sockets process ``pid`` holds; raises OSError when its descriptors cannot be read."""
    fd_dir = os.path.join(root, str(pid), 'fd')
    inodes = set()
    for name in os.listdir(fd_dir):
        try:
            match = _SOCKET.match(os.readlink(os.path.join(fd_dir, name)))
        except OSError:
            continue  # closed meanwhile
        if match:
            inodes.add(int(match.group(1)))
    return inodes


def tcp_table(pid, root='/proc'):
    """Every TCP socket of the network namespace process ``pid`` is in."""
    return parse_tcp(_read(root, str(pid), 'net', 'tcp')) + parse_tcp(_read(root, str(pid), 'net', 'tcp6'))


def parse_hint(ssh_connection):
    """SSH_CONNECTION ('CLIENT CLIENT_PORT SERVER SERVER_PORT') as a connection, or None."""
    parts = (ssh_connection or '').split()
    if len(parts) != 4:
        return None
    try:
        return {'peer': str(ipaddress.ip_address(parts[0])), 'peer_port': int(parts[1]),
                'local': str(ipaddress.ip_address(parts[2])), 'local_port': int(parts[3])}
    except ValueError:
        return None


def _key(conn):
    return (conn['local'], conn['local_port'], conn['peer'], conn['peer_port'])


def _public(conn):
    return dict((k, conn[k]) for k in ('local', 'local_port', 'peer', 'peer_port'))


def _confirmed(hint, table):
    """The hint, when the socket table has that connection established; else None."""
    if hint and any(c['state'] == ESTABLISHED and _key(c) == _key(hint) for c in table):
        return hint
    return None


def find(pid=None, root='/proc', ssh_connection=None):
    """The SSH session process ``pid`` (default: this one) runs under, or None when there is none.

    A session is {'pid': the sshd's pid (None when only SSH_CONNECTION named it),
    'connections': [{'local', 'local_port', 'peer', 'peer_port'}],
    'netns': the path of its network namespace, 'how': where it was read}, and
    'unknown' (why) with no connections when an sshd serves the task but which
    connection is its own could not be read.
    """
    pid = pid or os.getpid()
    hint = parse_hint(ssh_connection)
    sshds = [p for p, comm in ancestors(pid, root) if comm in SSHD_NAMES]
    if not sshds:
        found = _confirmed(hint, tcp_table(pid, root))
        if found:
            return {'pid': None, 'connections': [found], 'netns': os.path.join(root, str(pid), 'ns', 'net'),
                    'how': 'SSH_CONNECTION, found in the socket table'}
        return None
    listen_ports = set()
    served = None
    unreadable = []
    for sshd in sshds:
        try:
            inodes = socket_inodes(sshd, root)
        except OSError as exc:
            unreadable.append('%d (%s)' % (sshd, exc.strerror or exc))
            continue
        held = [c for c in tcp_table(sshd, root) if c['inode'] in inodes]
        listen_ports.update(c['local_port'] for c in held if c['state'] == LISTEN)
        established = [c for c in held if c['state'] == ESTABLISHED]
        if established and served is None:
            served = (sshd, established)
    netns = os.path.join(root, str(sshds[0]), 'ns', 'net')
    if served is None:
        found = _confirmed(hint, tcp_table(sshds[0], root))
        if found:
            return {'pid': sshds[0], 'connections': [found], 'netns': netns,
                    'how': 'SSH_CONNECTION, found in the socket table'}
        return {'pid': sshds[0], 'connections': [], 'netns': netns,
                'unknown': 'the sockets of sshd %s cannot be read' % ', '.join(unreadable) if unreadable
                else 'sshd %d holds no established TCP connection' % sshds[0]}
    sshd, conns = served
    # Besides the session, an sshd holds the connections of forwarded ports: the hint, or the port sshd listens
    # on, picks the session; failing both, every one is guarded.
    chosen = [c for c in conns if hint and _key(c) == _key(hint)] or \
        [c for c in conns if c['local_port'] in listen_ports] or conns
    return {'pid': sshd, 'connections': sorted((_public(c) for c in chosen), key=_key),
            'netns': os.path.join(root, str(sshd), 'ns', 'net'), 'how': 'the socket table'}


def in_netns(session, netns_path=None):
    """Whether ``session`` is in the network namespace ``netns_path`` (None: this process's).

    A namespace that cannot be compared counts as the same one: the guard errs on the side of the session.
    """
    try:
        a = os.stat(session['netns'])
        b = os.stat(netns_path or '/proc/self/ns/net')
    except (OSError, KeyError, TypeError):
        return True
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def current(netns_path=None, root='/proc', environ=None):
    """The SSH session of this module when it is in network namespace ``netns_path`` (None: ours), else None."""
    env = os.environ if environ is None else environ
    session = find(root=root, ssh_connection=env.get('SSH_CONNECTION'))
    if session and not in_netns(session, netns_path):
        return None
    return session


def for_module(module, netns_path=None):
    """``current()`` for a host module, warning the task where the session cannot be fully seen."""
    session = current(netns_path)
    if blind_spot(session):
        module.warn(blind_spot(session))
    return session


def describe(session, conn=None):
    """'the SSH session of this task (sshd 812: 198.18.0.9 port 50022 to 198.18.0.1 port 22)'."""
    conns = [conn] if conn else session.get('connections') or []
    ends = ', '.join('%s port %d to %s port %d' % (c['peer'], c['peer_port'], c['local'], c['local_port'])
                     for c in conns)
    who = 'sshd %d' % session['pid'] if session.get('pid') else session.get('how', 'SSH_CONNECTION')
    return 'the SSH session of this task (%s%s)' % (who, ': ' + ends if ends else '')


def blind_spot(session):
    """The warning for a session whose connection could not be read, or None."""
    if not session or not session.get('unknown'):
        return None
    return ('an SSH session serves this task (sshd %d), but %s, so the management guard cannot tell which link '
            'and route carry it; run the task as root (become: true)' % (session['pid'], session['unknown']))
