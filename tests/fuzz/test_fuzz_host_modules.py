"""Fuzz host_link, host_route and host_network_info in-process, in a scratch network namespace (``make fuzz``).

The same rules as test_fuzz_modules.py (strategies from each module's real
argument spec, Ansible's real argument validation, tracebacks and unasked
changes counted), with the module's ``netns`` always the scratch namespace
and host_link's ``persist_dir`` always a temporary directory: nothing a call
does can reach the machine's own links, routes or /etc. NETPROV_FUZZ_HOST_CALLS
(default 3000) spreads over the three modules.

The snapshot an unasked change is read from holds every link with its kind,
MTU, MAC, promiscuity, master and admin state, every address, every route of
every table, and every file under the persist directory with its content: in
check mode and from host_network_info nothing may differ; host_link may
change only the links it names (a bridge's MTU that follows its new port's is
the kernel's, and so is a port set free when the call removed its master)
and only their persist files; host_route no link and no file.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import test_fuzz_modules as base  # noqa: E402  pylint: disable=wrong-import-position
from test_fuzz_modules import TALLY, UNICODE, from_spec, spec_names  # noqa: E402

from ansible.module_utils import basic  # noqa: E402

from ansible_collections.netprov.dockernet.tests.support.scratch_netns import scratch_netns  # noqa: E402

TOTAL = int(os.environ.get('NETPROV_FUZZ_HOST_CALLS', '3000'))
SHARE = {'host_link': 0.6, 'host_route': 0.3, 'host_network_info': 0.1}
LINKS = ['hv0', 'hv1', 'hbr', 'hmv', 'hvx', 'lo', 'eth0', '', 'x' * 16, 'a/b', 'a b', 'hv0.5']


class _Spec(Exception):
    pass


def argument_spec(module):
    """The argument_spec a module's main() builds inline, read by stopping AnsibleModule before it starts."""
    import importlib
    mod = importlib.import_module(base.inproc.PACKAGE + module)
    original = basic.AnsibleModule.__init__

    def capture(self, argument_spec=None, **kwargs):
        raise _Spec(argument_spec)
    basic.AnsibleModule.__init__ = capture
    try:
        mod.main()
    except _Spec as found:
        return found.args[0]
    finally:
        basic.AnsibleModule.__init__ = original
    raise AssertionError('%s: main() built no AnsibleModule' % module)


@pytest.fixture(scope='module')
def scratch():
    if os.geteuid() != 0:
        pytest.skip('namespaces need root')
    with scratch_netns('npfz') as ns, tempfile.TemporaryDirectory(prefix='npfz-persist-') as persist:
        yield {'ns': ns, 'persist': persist}


def _ip_json(ns, *args):
    out = subprocess.run(['ip', '-n', ns, '-j'] + list(args), capture_output=True, text=True, check=True).stdout
    return json.loads(out or '[]')


def state_of(ns, persist=None):
    """(link names, routes, {link: its settings}, {file: digest}): everything a host module could change."""
    links = {}
    for link in _ip_json(ns, '-d', 'link', 'show'):
        links[link['ifname']] = dict(
            kind=(link.get('linkinfo') or {}).get('info_kind'), mtu=link.get('mtu'), mac=link.get('address'),
            promiscuity=link.get('promiscuity'), master=link.get('master'), up='UP' in (link.get('flags') or []),
            addresses=[])
    for entry in _ip_json(ns, 'addr', 'show'):
        if entry.get('ifname') in links:
            links[entry['ifname']]['addresses'] = sorted(
                '%s/%s' % (a['local'], a['prefixlen']) for a in entry.get('addr_info') or [] if a.get('local'))
    routes = subprocess.run(['ip', '-n', ns, 'route', 'show', 'table', 'all'], capture_output=True, text=True,
                            check=True).stdout + subprocess.run(['ip', '-n', ns, '-6', 'route', 'show', 'table', 'all'],
                                                                capture_output=True, text=True, check=True).stdout
    files = {}
    for root, _dirs, names in os.walk(persist or '/nonexistent'):
        for name in names:
            path = os.path.join(root, name)
            with open(path, 'rb') as f:
                files[os.path.relpath(path, persist)] = hashlib.sha256(f.read()).hexdigest()
    return sorted(links), routes, links, files


def reset(ns):
    names = state_of(ns)[0]
    if len(names) > 8:
        for name in names:
            if name != 'lo':
                subprocess.run(['ip', '-n', ns, 'link', 'del', name], capture_output=True, check=False)


def domain(ns, persist):
    ips = st.sampled_from(['198.18.170.1', '198.18.170.254', '198.18.171.9', 'fd00:198:18:aa::1', '224.0.0.5',
                           '999.1.1.1', 'abc', '', '0.0.0.0'])
    cidrs = st.sampled_from(['198.18.170.1/24', '198.18.170.2/24', '198.18.171.0/25', 'fd00:198:18:aa::1/64',
                             '0.0.0.0/0', 'default', '198.18.170.0/33', '1.2.3', '', '::/0'])
    return {
        'netns': st.just(ns),
        'persist_dir': st.just(persist),
        'name': st.one_of(st.sampled_from(LINKS), UNICODE),
        'peer': st.sampled_from(LINKS), 'parent': st.sampled_from(LINKS), 'master': st.sampled_from(LINKS),
        'dev': st.sampled_from(LINKS),
        'mac': st.sampled_from(['02:00:c6:12:aa:01', '02-00-C6-12-AA-02', 'ff:ff:ff:ff:ff:ff', '02:00', 'zz']),
        'addresses': st.lists(cidrs, max_size=4),
        'vxlan_local': ips, 'vxlan_remote': ips, 'vxlan_group': ips, 'gateway': ips,
        'vxlan_id': st.integers(-1, 2 ** 24 + 1), 'vlan_id': st.integers(-1, 4096),
        'vxlan_port': st.integers(-1, 70000), 'mtu': st.integers(0, 70000),
        'dest': cidrs, 'table': st.integers(-1, 2 ** 32), 'metric': st.integers(-1, 2 ** 32),
    }


def _kernels_own(name, old, new, parent, gone):
    """A change the kernel makes on its own when the asked links change: a bridge's MTU following a new or
    removed port, a port set free (no master) when its master was removed, a parent made promiscuous by a
    passthru macvlan on it."""
    if old is None or new is None:
        return False
    own = ('mtu', 'master', 'promiscuity')
    if dict((k, v) for k, v in new.items() if k not in own) != dict((k, v) for k, v in old.items() if k not in own):
        return False
    mtu_ok = old['mtu'] == new['mtu'] or old['kind'] == 'bridge'
    master_ok = old['master'] == new['master'] or (new['master'] is None and old['master'] in gone)
    promisc_ok = old['promiscuity'] == new['promiscuity'] or name == parent
    return mtu_ok and master_ok and promisc_ok


def _persist_problems(before, after, asked):
    """Persist files changed for links the call did not name."""
    problems = []
    for path in sorted(set(before) | set(after)):
        if before.get(path) == after.get(path):
            continue
        base_name = os.path.basename(path)
        if not any(base_name.startswith('10-netprov-%s.' % n) or base_name == 'netprov-%s.conf' % n for n in asked):
            problems.append('persist file %s changed, which is not of a link the call named' % path)
    return problems


def run_host(module, args, check, ns, words, persist=None):
    before = state_of(ns, persist)
    call = base.inproc.call(module, args, check=check, diff=True)
    after = state_of(ns, persist)
    problems = []
    if before != after:
        if check:
            problems.append('check mode changed the namespace or the persist files')
        elif module == 'host_network_info':
            problems.append('an info module changed the namespace or the persist files')
        else:
            asked = set(str(args.get(k)) for k in ('name', 'peer') if args.get(k) is not None) \
                if module == 'host_link' else set()
            gone = set(before[0]) - set(after[0])
            stray = sorted(n for n in set(before[0]) | set(after[0])
                           if n not in asked and before[2].get(n) != after[2].get(n)
                           and not _kernels_own(n, before[2].get(n), after[2].get(n), str(args.get('parent')), gone))
            if stray:
                problems.append('%s changed links %s that the call did not name' % (module, stray))
            problems += ['%s: %s' % (module, p) for p in _persist_problems(before[3], after[3], asked)]
    TALLY.record(module, call, problems, base.names_a_field(call.get('msg'), words) if call.failed else True,
                 check)
    return call


def test_the_snapshot_sees_every_kind_of_change(scratch):
    """MTU, promisc, master, admin state, MAC, addresses and persist files each show in the snapshot, and a
    host_link call that did not name the link is charged with them."""
    ns, persist = scratch['ns'], scratch['persist']
    ip = ['ip', '-n', ns]
    subprocess.run(ip + ['link', 'add', 'det0', 'type', 'veth', 'peer', 'name', 'det1'], check=True)
    subprocess.run(ip + ['link', 'add', 'detbr', 'type', 'bridge'], check=True)
    try:
        for what, cmd in (('mtu', ['link', 'set', 'det0', 'mtu', '1400']), ('promisc', ['link', 'set', 'det0', 'promisc', 'on']),
                          ('master', ['link', 'set', 'det0', 'master', 'detbr']), ('up', ['link', 'set', 'det0', 'up']),
                          ('mac', ['link', 'set', 'det0', 'address', '02:00:c6:13:58:01']),
                          ('address', ['addr', 'add', '198.19.88.1/30', 'dev', 'det0'])):
            before = state_of(ns, persist)
            subprocess.run(ip + cmd, check=True)
            after = state_of(ns, persist)
            assert before[2]['det0'] != after[2]['det0'], what
            assert not _kernels_own('det0', before[2]['det0'], after[2]['det0'], 'None', set()), what
        before = state_of(ns, persist)
        with open(os.path.join(persist, '10-netprov-det0.network'), 'w') as f:
            f.write('[Match]\nName=det0\n')
        after = state_of(ns, persist)
        assert _persist_problems(before[3], after[3], {'other'}) and not _persist_problems(before[3], after[3], {'det0'})
    finally:
        for link in ('det0', 'detbr'):
            subprocess.run(ip + ['link', 'del', link], capture_output=True, check=False)
        for name in os.listdir(persist):
            os.remove(os.path.join(persist, name))


@pytest.mark.parametrize('module', sorted(SHARE))
def test_host_module(scratch, module):
    spec = argument_spec(module)
    words = spec_names(spec)
    dom = domain(scratch['ns'], scratch['persist'])
    for key in ('netns', 'persist_dir'):
        if key in spec:
            spec[key] = dict(spec[key], required=True)   # always given: from_spec draws it from the domain

    @settings(max_examples=max(10, int(TOTAL * SHARE[module])), **base.SETTINGS)
    @given(data=st.data())
    def fuzz(data):
        args = data.draw(from_spec(spec, dom), label='args')
        args['netns'] = scratch['ns']
        if 'persist_dir' in spec:
            args['persist_dir'] = scratch['persist']
        run_host(module, args, data.draw(st.booleans(), label='check'), scratch['ns'], words, scratch['persist'])
        reset(scratch['ns'])
    fuzz()
    base.check_clean((module,))
