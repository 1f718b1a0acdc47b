"""A stand-in for the sshd of an SSH session, for tests that run modules locally in a scratch namespace.

The host modules find the SSH session a task came in on from the kernel: the
sshd among the module's ancestors and its TCP connection in the socket table.
A local `ansible-playbook` has none, so this puts one above it: a process
named sshd (PR_SET_NAME), in the test's network namespace, holding the server
end of a real, established TCP connection from CLIENT:PORT to SERVER:PORT
(the four fields of SSH_CONNECTION), runs the command as its child with
SSH_CONNECTION set as sshd sets it, and exits with the command's status.

Both addresses must be on an up link of the namespace (the client address
is best put on `lo`): the connection is real.

    play(tasks, wrapper=ssh_double.wrapper(ns, '198.19.83.99 50000 198.19.83.1 22'))
"""
import ctypes
import os
import socket
import subprocess
import sys

PR_SET_NAME = 15
CLONE_NEWNET = 0x40000000
NETNS_DIR = '/run/netns'


def wrapper(netns, ssh_connection):
    """The argv prefix that runs a command under the stand-in sshd (ansible_play.play's ``wrapper``)."""
    return [sys.executable, os.path.abspath(__file__), netns, ssh_connection, '--']


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(rc, what):
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, '%s: %s' % (what, os.strerror(err)))


def _enter(netns):
    fd = os.open(os.path.join(NETNS_DIR, netns), os.O_RDONLY)
    try:
        _check(_libc().setns(fd, CLONE_NEWNET), 'setns %s' % netns)
    finally:
        os.close(fd)


def _name(comm):
    _check(_libc().prctl(PR_SET_NAME, ctypes.c_char_p(comm.encode()), 0, 0, 0), 'prctl')


def _family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def main(argv):
    netns, ssh_connection, sep = argv[:3]
    assert sep == '--', 'usage: ssh_double.py NETNS "CLIENT CPORT SERVER SPORT" -- COMMAND...'
    client, cport, server, sport = ssh_connection.split()
    _enter(netns)
    _name('sshd')
    listener = socket.socket(_family(server), socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((server, int(sport)))
    listener.listen(1)
    hold_r, hold_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the client end, held until the stand-in sshd is done
        try:
            listener.close()
            os.close(hold_w)
            _name('ssh')
            conn = socket.socket(_family(client), socket.SOCK_STREAM)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            conn.bind((client, int(cport)))
            conn.connect((server, int(sport)))
            os.read(hold_r, 1)
        finally:
            os._exit(0)
    os.close(hold_r)
    session, _peer = listener.accept()
    listener.close()
    try:
        env = dict(os.environ, SSH_CONNECTION=ssh_connection)
        rc = subprocess.call(argv[3:], env=env)
    finally:
        session.close()
        os.close(hold_w)
        os.waitpid(pid, 0)
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
