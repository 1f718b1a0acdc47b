# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an encrypted overlay needs besides ESP in the kernel.

The engine's encryption rules use the iptables matches u32 (or bpf) and
policy; without them old engines sent clear text and new ones drop the
traffic. They are dry-run in a scratch chain with the same `iptables` the
engine runs (the first on the engine process's own PATH: the nft and the
legacy variants are different rule sets, and the kernel may have only one),
in the engine's network namespace.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import shutil
import subprocess
import uuid

OVERLAY_DEFAULT_MTU = 1450
VXLAN_OVERHEAD = 50
ESP_OVERHEAD = 26

# (name, rule arguments); u32 and bpf are alternatives, the engine tries u32 first.
_MATCHES = (
    ('u32', ['-m', 'u32', '--u32', '0>>22&0x3C@12&0xFFFFFF00=0x10000000']),
    ('bpf', ['-m', 'bpf', '--bytecode', '4,48 0 0 9,21 0 1 50,6 0 0 1,6 0 0 0']),
    ('policy', ['-m', 'policy', '--dir', 'in', '--pol', 'ipsec', '--proto', 'esp']),
    ('mark', ['-m', 'mark', '--mark', '0xd0c4e3']),
)


def _run(cmd, netns):
    if netns:
        cmd = ['nsenter', '--net=%s' % netns] + cmd
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 1, str(exc)
    return proc.returncode, proc.stderr.decode('utf-8', 'replace').strip()


def engine_iptables(pid=None):
    """The `iptables` the engine runs: the first on its process's PATH, else the first on ours."""
    path = None
    if pid:
        try:
            with open('/proc/%d/environ' % pid, 'rb') as f:
                for item in f.read().split(b'\0'):
                    if item.startswith(b'PATH='):
                        path = item[len(b'PATH='):].decode('utf-8', 'replace')
        except OSError:
            path = None
    found = shutil.which('iptables', path=path) if path else None
    return found or shutil.which('iptables') or 'iptables'


def iptables_matches(netns=None, iptables='iptables'):
    """{match: (supported, detail)} from rules added to, then removed with, a scratch chain."""
    chain = 'NETPROV-%s' % uuid.uuid4().hex[:8].upper()
    rc, err = _run([iptables, '-w', '-N', chain], netns)
    if rc != 0:
        return dict((name, (False, '%s unusable: %s' % (iptables, err))) for name, _args in _MATCHES)
    found = {}
    try:
        for name, args in _MATCHES:
            rc, err = _run([iptables, '-w', '-A', chain] + args + ['-j', 'RETURN'], netns)
            found[name] = (rc == 0, err.splitlines()[-1] if err else '')
    finally:
        _run([iptables, '-w', '-F', chain], netns)
        _run([iptables, '-w', '-X', chain], netns)
    return found


def missing_matches(found):
    """Messages for the matches the engine's encryption rules need and the host lacks."""
    out = []
    if not (found['u32'][0] or found['bpf'][0]):
        out.append('iptables match u32 or bpf: neither loads (%s); the engine cannot mark VXLAN traffic for ESP'
                   % (found['u32'][1] or found['bpf'][1]))
    for name in ('policy', 'mark'):
        if not found[name][0]:
            out.append('iptables match %s: does not load (%s)' % (name, found[name][1]))
    return out


def _version(text):
    return tuple(int(x) for x in re.findall(r'\d+', text or '')[:3]) + (0, 0, 0)[:max(0, 3 - len(re.findall(r'\d+', text or '')[:3]))]


def engine_fails_closed(version):
    """Engines before 23.0.3 (20.10.24 on the 20.10 line) sent clear text without xt_u32."""
    v = _version(version)
    if v[:2] == (20, 10):
        return v >= (20, 10, 24)
    return v >= (23, 0, 3)


def mtu_advice(underlay_mtu):
    """A warning when the overlay default does not fit in the underlay once ESP is added."""
    if not underlay_mtu:
        return None
    fits = underlay_mtu - VXLAN_OVERHEAD - ESP_OVERHEAD
    if fits < OVERLAY_DEFAULT_MTU:
        return ('the underlay MTU is %d, so an encrypted overlay fits %d bytes (minus %d VXLAN, %d ESP), less than '
                'the overlay default of %d: large packets will be fragmented or dropped; set mtu: %d'
                % (underlay_mtu, fits, VXLAN_OVERHEAD, ESP_OVERHEAD, OVERLAY_DEFAULT_MTU, fits))
    return None
