"""Which iptables an engine on a local unix socket uses, and what an encrypted overlay needs of the kernel (found in a UML guest).

dockerd runs the first `iptables` on its own PATH. In the UML guest that is
the legacy variant (the kernel has no nft NAT chain) while a module's PATH
has the nft one first; the encrypted-overlay dry run must use the engine's.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import subprocess

from ansible_collections.netprov.dockernet.plugins.module_utils._overlay import esp as _esp


def _script(path, body):
    path.write_text('#!/bin/sh\n' + body + '\n')
    path.chmod(0o755)
    return str(path)


def _process(path):
    """A process whose environment holds PATH=path (running, no exec pending, when this returns)."""
    proc = subprocess.Popen(['/bin/sh', '-c', 'echo ready; read line'], env={'PATH': path},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, universal_newlines=True)
    assert proc.stdout.readline() == 'ready\n'
    return proc


def test_engine_iptables_is_the_first_on_the_engine_process_path(tmp_path):
    legacy = tmp_path / 'legacy-first'
    legacy.mkdir()
    theirs = _script(legacy / 'iptables', 'exit 0')
    proc = _process('%s:/usr/sbin:/usr/bin:/sbin:/bin' % legacy)
    try:
        assert _esp.engine_iptables(proc.pid) == theirs
    finally:
        proc.kill()
        proc.wait()


def test_engine_iptables_falls_back_to_ours(tmp_path):
    ours = _esp.engine_iptables(None)
    assert ours.endswith('iptables')
    empty = tmp_path / 'empty'
    empty.mkdir()
    proc = _process(str(empty))
    try:
        assert _esp.engine_iptables(proc.pid) == ours  # nothing on its PATH: ours
    finally:
        proc.kill()
        proc.wait()
    assert _esp.engine_iptables(2 ** 22 + 7) == ours  # no such process


def test_iptables_matches_runs_the_given_iptables_and_names_it(tmp_path):
    log = tmp_path / 'calls'
    ok = _script(tmp_path / 'iptables-ok', 'echo "$@" >> %s' % log)
    found = _esp.iptables_matches(None, ok)
    assert all(supported for supported, _detail in found.values()), found
    calls = log.read_text().splitlines()
    assert calls[0].startswith('-w -N NETPROV-') and calls[-1].startswith('-w -X NETPROV-'), calls
    broken = _script(tmp_path / 'iptables-nft', 'echo "TABLE_ADD failed (Operation not supported): table filter" >&2; exit 4')
    found = _esp.iptables_matches(None, broken)
    assert not any(supported for supported, _detail in found.values())
    assert found['u32'][1].startswith(broken + ' unusable: TABLE_ADD failed'), found
    assert broken in _esp.missing_matches(found)[0]


def test_engine_versions_that_fail_closed():
    from ansible_collections.netprov.dockernet.plugins.module_utils._overlay.esp import engine_fails_closed
    assert engine_fails_closed('20.10.24+dfsg1') and engine_fails_closed('23.0.3') and engine_fails_closed('28.2.2')
    assert not engine_fails_closed('20.10.23') and not engine_fails_closed('23.0.2') and not engine_fails_closed('19.03.1')


def test_mtu_advice():
    from ansible_collections.netprov.dockernet.plugins.module_utils._overlay.esp import mtu_advice
    assert 'mtu: 1424' in mtu_advice(1500)
    assert mtu_advice(9000) is None and mtu_advice(None) is None


def test_missing_matches():
    from ansible_collections.netprov.dockernet.plugins.module_utils._overlay.esp import missing_matches
    ok = (True, '')
    assert missing_matches({'u32': (False, 'x'), 'bpf': ok, 'policy': ok, 'mark': ok}) == []
    msgs = missing_matches({'u32': (False, 'no u32'), 'bpf': (False, 'no bpf'), 'policy': (False, 'np'), 'mark': ok})
    assert len(msgs) == 2 and 'u32 or bpf' in msgs[0] and 'policy' in msgs[1]
