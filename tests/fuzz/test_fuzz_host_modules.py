"""Fuzz host_link, host_route and host_network_info in-process, in a scratch network namespace (``make fuzz``).

The same rules as test_fuzz_modules.py (strategies from each module's real
argument spec, Ansible's real argument validation, tracebacks and unasked
changes counted), with the module's ``netns`` always the scratch namespace
and host_link's ``persist_dir`` always a temporary directory: nothing a call
does can reach the machine's own links, routes or /etc. NETPROV_FUZZ_HOST_CALLS
(default 3000) spreads over the three modules.
"""
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

from scratch_netns import scratch_netns  # noqa: E402

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


def state_of(ns):
    links = subprocess.run(['ip', '-n', ns, '-o', 'link'], capture_output=True, text=True, check=True).stdout
    routes = subprocess.run(['ip', '-n', ns, 'route', 'show', 'table', 'all'], capture_output=True, text=True,
                            check=True).stdout
    names = sorted(line.split(':')[1].strip().split('@')[0] for line in links.splitlines())
    return names, routes


def reset(ns):
    names, _routes = state_of(ns)
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


def run_host(module, args, check, ns, words):
    before = state_of(ns)
    call = base.inproc.call(module, args, check=check, diff=True)
    after = state_of(ns)
    problems = []
    if before != after:
        if check:
            problems.append('check mode changed the namespace')
        elif module == 'host_network_info':
            problems.append('an info module changed the namespace')
        else:
            asked = set(str(args.get(k)) for k in ('name', 'peer') if args.get(k) is not None)
            made = set(after[0]) - set(before[0])
            gone = set(before[0]) - set(after[0])
            stray = sorted((made | gone) - asked)
            if stray and module == 'host_link':
                problems.append('links %s changed that the call did not name' % stray)
            if module == 'host_route' and before[0] != after[0]:
                problems.append('host_route changed links')
    TALLY.record(module, call, problems, base.names_a_field(call.get('msg'), words) if call.failed else True)
    return call


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
        run_host(module, args, data.draw(st.booleans(), label='check'), scratch['ns'], words)
        reset(scratch['ns'])
    fuzz()
    base.check_clean((module,))
