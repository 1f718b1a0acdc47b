"""make fuzz: what every fuzz module shares (no name lookups, the figures written at the end)."""
import ipaddress
import socket
import sys

import pytest

from test_fuzz_modules import OUTPUT, write_stats


# -- no name is ever looked up: the machine's resolver is not ours to query ----------------

def _literal_only(real):
    def guarded(host, *args, **kwargs):
        text = host.decode() if isinstance(host, bytes) else (host or '')
        try:
            ipaddress.ip_address(text.strip('[]'))
        except ValueError:
            if text not in ('', 'localhost'):
                raise socket.gaierror(socket.EAI_NONAME, 'fuzz: name lookups are disabled (%r)' % text)
        return real(host, *args, **kwargs)
    return guarded


@pytest.fixture(scope='module', autouse=True)
def no_name_lookups():
    saved = socket.gethostbyname, socket.getaddrinfo
    socket.gethostbyname = _literal_only(saved[0])
    socket.getaddrinfo = _literal_only(saved[1])
    yield
    socket.gethostbyname, socket.getaddrinfo = saved


@pytest.fixture(scope='session', autouse=True)
def report():
    yield
    data = write_stats()
    sys.stderr.write('\nfuzz: %d calls %s; outcomes %s; %d distinct tracebacks (+%d in ansible-core); '
                     '%d unasked changes; %d unclear failure kinds; steps applied by real runs %s (%s)\n' % (
                         data['total_calls'], data['calls'], data['outcomes'], len(data['tracebacks']),
                         len(data['ansible_core_tracebacks']),
                         len(data['unasked_changes']), len(data['unclear_failures']), data['applied_steps'], OUTPUT))
