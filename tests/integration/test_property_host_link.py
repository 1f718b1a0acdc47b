"""Check mode is the real run for host_link: random link stacks in a scratch namespace.

Each example is a sequence of host_link calls in a fresh namespace (veth
pairs, a bridge and ports, macvlan on a veth, vxlan on top; MTU, promisc,
up/down, master, MAC, addresses, removal, recreate, force). For each call: check
mode's plan equals the real run's (or both refuse with the same message and
the namespace is untouched), the link then has what was asked, and a third
call reports no change. Only kinds this machine's kernel has (no dummy,
802.1Q or ipvlan: those run in the kernel tier). Calls are in-process
(tests/support/inproc.py); NETPROV_PROPERTY_EXAMPLES sets the number of examples.
"""
import os
import re

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ansible_collections.netprov.dockernet.tests.support import inproc
from ansible_collections.netprov.dockernet.tests.support.scratch_netns import scratch_netns

from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink

EXAMPLES = int(os.environ.get('NETPROV_PROPERTY_EXAMPLES', '25'))
SOAK = 'NETPROV_PROPERTY_EXAMPLES' in os.environ
ADDRS = ['198.18.170.1/24', '198.18.170.2/24', '198.18.171.1/25', 'fd00:198:18:aa::1/64']
NAMES = {'veth': ['pv0', 'pv2'], 'bridge': ['pbr'], 'macvlan': ['pmv'], 'vxlan': ['pvx']}
PEERS = {'pv0': 'pv1', 'pv2': 'pv3'}


def attrs():
    return st.fixed_dictionaries({}, optional={
        'mtu': st.sampled_from([1280, 1400, 1500]),
        'promisc': st.booleans(),
        'state': st.sampled_from(['present', 'up', 'down']),
        'addresses': st.lists(st.sampled_from(ADDRS), unique=True, max_size=2),
        'addresses_exclusive': st.booleans(),
        'mac': st.sampled_from(['02:00:c6:12:aa:01', '02:00:c6:12:aa:02']),
    })


@st.composite
def call(draw):
    kind = draw(st.sampled_from(['veth', 'veth', 'bridge', 'macvlan', 'vxlan', 'port', 'absent', 'attrs']))
    args = draw(attrs())
    if kind == 'veth':
        name = draw(st.sampled_from(NAMES['veth']))
        args.update(name=name, kind='veth', peer=PEERS[name])
    elif kind == 'bridge':
        args.update(name='pbr', kind='bridge')
    elif kind == 'macvlan':
        args.update(name='pmv', kind='macvlan', parent=draw(st.sampled_from(['pv0', 'pv2'])),
                    macvlan_mode=draw(st.sampled_from(['bridge', 'private', 'vepa'])))
    elif kind == 'vxlan':
        args.update(name='pvx', kind='vxlan', vxlan_id=draw(st.sampled_from([4100, 4101])),
                    vxlan_remote=draw(st.sampled_from(['198.18.170.20', '198.18.170.21'])),
                    vxlan_port=draw(st.sampled_from([4789, 8472])))
        if draw(st.booleans()):
            args['parent'] = draw(st.sampled_from(['pv0', 'pmv']))
    elif kind == 'port':
        args = {'name': draw(st.sampled_from(['pv1', 'pv3', 'pv0'])), 'master': draw(st.sampled_from(['pbr', '']))}
    elif kind == 'absent':
        args = {'name': draw(st.sampled_from(['pv0', 'pv2', 'pbr', 'pmv', 'pvx'])), 'state': 'absent'}
        if draw(st.booleans()):
            args['force'] = True  # a veth end or a parent goes with what the kernel deletes with it
    else:
        args['name'] = draw(st.sampled_from(['pv0', 'pv1', 'pbr', 'pmv']))
    if args.get('kind') in ('macvlan', 'vxlan') and draw(st.booleans()):
        args['recreate'] = True
        if draw(st.booleans()):
            args['force'] = True
    return args


def links(ns):
    return dict((link['name'], link) for link in _netlink.list_links(ns) if link['name'] != 'lo')


def assert_link_matches(ns, args):
    have = links(ns).get(args['name'])
    if args.get('state') == 'absent':
        assert have is None, args
        return
    assert have is not None, args
    for key in ('kind', 'peer', 'parent', 'macvlan_mode', 'vxlan_id', 'vxlan_remote', 'vxlan_port', 'mtu',
                'promisc', 'mac'):
        if key in args:
            assert have.get(key) == args[key], (key, args, have)
    if 'master' in args:
        assert have['master'] == (args['master'] or None), (args, have)
    if args.get('state') in ('up', 'down'):
        # a port whose peer or parent is down stays lower-layer-down: "up" is what was set
        assert have['state'] == args['state'] or (args['state'] == 'up' and have['state'] in ('lowerlayerdown',
                                                                                              'unknown')), have
    if 'addresses' in args:
        for addr in args['addresses']:
            assert addr in have['addresses'], (args, have)
        if args.get('addresses_exclusive'):
            assert sorted(have['addresses']) == sorted(args['addresses']), (args, have)


IMMUTABLE = ('kind', 'peer', 'parent', 'macvlan_mode', 'vxlan_id', 'vxlan_remote', 'vxlan_port')
MIN_APPLIED = 0.5  # of all calls, or the property says little


def _sits_on(before, name):
    """The links the kernel deletes with ``name``: those stacked on it, and a veth's peer."""
    link = before[name]
    on = [l for l in before.values() if l.get('parent') == name]
    return on + ([before[link['peer']]] if link['kind'] == 'veth' and link.get('peer') in before else [])


def refusal_is_due(before, args, msg):
    """Whether the namespace as it was (read from the kernel, not from the planner) calls for this refusal.

    Each refusal the planner can give here is matched by its message and its
    reason checked against the links before the call; a refusal this cannot
    justify, or one of another kind, is a failure of the property.
    """
    name, have = args['name'], before.get(args['name'])
    msg = re.sub(r'^[a-z_]+: ', '', msg, count=1)  # the field the error names
    m = re.match(r'no link (\S+) in this namespace; create it first', msg)
    if m:
        return m.group(1) in (args.get('parent'), args.get('master')) and m.group(1) not in before
    m = re.match(r'(\S+) is a (\S+) link, not a bridge', msg)
    if m:
        return m.group(1) == args.get('master') and before[m.group(1)]['kind'] != 'bridge'
    if msg.startswith('a link named %s already exists; pick another peer' % args.get('peer')):
        return args.get('kind') == 'veth' and have is None and args['peer'] in before
    if msg.startswith('no link %s exists; give kind to create it' % name):
        return have is None and 'kind' not in args
    if msg.startswith('%s: ' % name) and 'cannot change in place; set recreate' in msg:
        return have is not None and not args.get('recreate') and any(
            k in args and args[k] != have.get(k) for k in IMMUTABLE)
    if msg.startswith('%s: removing it would make the kernel delete' % name):
        return have is not None and not args.get('force') and bool(_sits_on(before, name)) and (
            args.get('state') == 'absent' or args.get('recreate'))
    m = re.match(r'(\d+) is above what parent (\S+) \(MTU (\d+)\) can carry for a \S+ link: at most (\d+)', msg)
    if m:
        mtu, parent, parent_mtu, ceiling = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
        kind = args.get('kind') or (have or {}).get('kind')
        overhead = 50 if kind == 'vxlan' else 0  # the vxlan header over IPv4 (every remote drawn here is IPv4)
        return (mtu == args.get('mtu') and parent in (args.get('parent'), (have or {}).get('parent'))
                and before[parent]['mtu'] == parent_mtu and ceiling == parent_mtu - overhead < mtu)
    m = re.match(r'(\S+) is the MAC address of (\S+) on parent (\S+); a macvlan link needs its own', msg)
    if m:
        return m.group(1) == args.get('mac') and all(before[t]['mac'] == args['mac'] for t in m.group(2).split(', '))
    return False


def one_call(ns, args):
    args = dict(args, netns=ns)
    before = links(ns)
    check = inproc.call('host_link', args, check=True, diff=True)
    assert links(ns) == before, 'check mode changed the namespace'
    real = inproc.call('host_link', args, diff=True)
    for r in (check, real):
        assert r.traceback is None, r.traceback
    if check.failed:
        assert real.failed and real['msg'] == check['msg'], (check.result, real.result)
        assert links(ns) == before, 'a refusal changed the namespace'
        assert refusal_is_due(before, args, check['msg']), 'refused without cause: %s %s; links before: %s' % (
            args, check['msg'], before)
        return 'refused'
    assert not real.failed, 'check mode planned %s but the real run failed: %s' % (check['plan'], real['msg'])
    assert real['plan'] == check['plan']
    assert real['changed'] == check['changed']
    assert_link_matches(ns, args)
    now = links(ns)
    for step in real['plan']:
        for gone in step.get('goes_with') or []:
            assert gone['name'] not in now, (step, now)  # the kernel took them, as the plan said
    for name in set(before) - set(now):  # and nothing the plan did not name went
        named = [g['name'] for s in real['plan'] for g in s.get('goes_with') or []]
        assert name == args['name'] or name in named, (name, real['plan'])
    again = inproc.call('host_link', args)
    assert again['changed'] is False and again['plan'] == [], again.result
    return 'applied' if real['changed'] else 'unchanged'


def test_host_link_check_mode_plan_is_what_the_real_run_applies():
    outcomes = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not SOAK, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(calls=st.lists(call(), min_size=1, max_size=8))
    def run(calls):
        with scratch_netns('nprel') as ns:
            for args in calls:
                outcome = one_call(ns, args)
                event(outcome)
                outcomes.append(outcome)

    run()
    # refusals that are due still say little: most calls drawn must apply (or find nothing to do)
    applied = [o for o in outcomes if o != 'refused']
    assert len(applied) >= MIN_APPLIED * len(outcomes), '%d of %d calls applied' % (len(applied), len(outcomes))
