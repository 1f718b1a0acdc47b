"""Check mode is the real run: a property test on the real engine.

Hypothesis generates a current state (bridge, internal and macvlan-on-a-veth
networks, IPv4, dual-stack or IPv6-only, with running, exited and
never-started containers attached, some with fixed addresses and aliases)
and a wanted docker_networks spec (changed labels, subnets, internal, driver
bridge <-> macvlan, containers lists naming containers by name, ID or short
ID, recreate never/reconnect/always, containers_exclusive, state absent, a
new network on a free or a taken subnet). Then:

1. check mode, keep its ``plan`` (or its refusal);
2. the real run, keep its ``plan``: equal to check mode's (or the same refusal,
   and the engine untouched);
3. a refusal must be one the example calls for (expected_refusals decides from
   the example alone), and an example that calls for one must be refused;
4. the engine, read back through docker_network_info, matches the spec, and
   no endpoint was lost (containers kept on a recreated network keep their
   fixed addresses and aliases);
5. a third run reports no change.

At least MIN_APPLIED of the examples must end applied (not refused).
Modules are called in-process (tests/support/inproc.py: real AnsibleModule argument
handling, ~20 ms a call) so the default run gets enough examples; two
examples go through a real ansible-playbook. NETPROV_PROPERTY_EXAMPLES sets
the number of examples (``make soak`` runs thousands).

The engine tier runs it on each engine of NETPROV_ENGINES: the default engine
gets NETPROV_PROPERTY_EXAMPLES, every other engine a bounded number,
NETPROV_PROPERTY_ENGINE_EXAMPLES (default 8: the first examples of the same
derandomised sequence).
"""
import ipaddress
import os
import uuid

import docker
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ansible_collections.netprov.dockernet.tests.support import inproc
from ansible_collections.netprov.dockernet.tests.support.ansible_play import play
from ansible_collections.netprov.dockernet.tests.support.engine_fixtures import IMAGE
from ansible_collections.netprov.dockernet.tests.support.engine_matrix import DEFAULT

EXAMPLES = int(os.environ.get('NETPROV_PROPERTY_EXAMPLES', '20'))
ENGINE_EXAMPLES = int(os.environ.get('NETPROV_PROPERTY_ENGINE_EXAMPLES', str(min(EXAMPLES, 8))))
SOAK = 'NETPROV_PROPERTY_EXAMPLES' in os.environ
# This test's own addresses: no other test file uses them, so it runs beside any of them.
RANGE = ipaddress.ip_network('198.19.120.0/21')
SLOTS = list(RANGE.subnets(new_prefix=27))
SLOTS6 = [ipaddress.ip_network('fd42:19:8120:%x::/64' % k) for k in range(8)]
# Three running containers, one that ran and exited, one created and never started: the stopped
# ones reference a network as much as the running ones do (inspect lists only running endpoints).
STATES = ('running', 'running', 'running', 'exited', 'created')
NCONT = len(STATES)
NNETS = 3  # existing networks 0..2, in slots 0..2; a change moves network i to slot 3+i; a new one is 6
LABEL_KEYS = ('tier', 'team')
# At least this share of the examples must end with the engine as the spec says: refusals are
# checked too, but a strategy that mostly draws refusals would prove little about applying.
MIN_APPLIED = 0.5
SETTINGS = dict(deadline=None, derandomize=not SOAK, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])

pytestmark = pytest.mark.engine_tier  # every test, once per engine of NETPROV_ENGINES


# -- the world one module run of examples shares -------------------------------------------

class World(object):
    def __init__(self, client, engine):
        self.client = client
        self.engine = engine
        self.prefix = 'nprel%s' % uuid.uuid4().hex[:4]
        # one veth per network index, where the engine runs: each network can be macvlan at once
        self.parents = []
        for i in range(NNETS):
            parent, peer = ('%sv%d' % (self.prefix, i))[:15], ('%sw%d' % (self.prefix, i))[:15]
            engine.ip('link', 'add', parent, 'type', 'veth', 'peer', 'name', peer)
            engine.ip('link', 'set', parent, 'up')
            self.parents.append(parent)
        self.containers, self.ids = [], []
        for i, state in enumerate(STATES):
            name = '%s-c%d' % (self.prefix, i)
            if state == 'created':
                c = client.containers.create(IMAGE, ['sleep', '3600'], name=name)
            else:
                c = client.containers.run(IMAGE, ['sleep', '3600'] if state == 'running' else ['true'],
                                          name=name, detach=True)
                if state == 'exited':
                    c.wait()
            self.containers.append(name)
            self.ids.append(c.id)

    def net(self, i):
        return '%s-n%d' % (self.prefix, i)

    def networks(self):
        return [n for n in self.client.api.networks() if n['Name'].startswith(self.prefix + '-')]

    def attached(self, net):
        """Every container that references the network (name or ID), stopped ones included: a container
        connected while stopped may hold the network by name only, and so keeps it after a remove."""
        return sorted(set(c['Names'][0].lstrip('/') for key in (net['Id'], net['Name']) for c in
                          self.client.api.containers(all=True, filters={'network': key})))

    def reset(self):
        """Remove every network of this world (every container detached first, stopped ones too)."""
        for n in self.networks():
            for cname in self.attached(n):
                self.client.api.disconnect_container_from_network(cname, n['Name'], force=True)
            self.client.api.remove_network(n['Id'])

    def close(self):
        self.reset()
        for name in self.containers:
            try:
                self.client.api.remove_container(name, force=True)
            except docker.errors.APIError:
                pass
        for parent in self.parents:
            self.engine.ip('link', 'del', parent, check=False)


@pytest.fixture(scope='module')
def world(docker_engine):
    client = docker.DockerClient(base_url=docker_engine.url, version='auto', timeout=120)
    w = World(client, docker_engine)
    yield w
    w.close()
    client.close()


def examples(engine):
    """How many examples on this engine: all of them on the default engine, a bounded number on the others."""
    return EXAMPLES if engine.version == DEFAULT else ENGINE_EXAMPLES


# -- strategies ----------------------------------------------------------------------------

def host(slot, k):
    return str(SLOTS[slot].network_address + k)


def host6(slot, k):
    return str(SLOTS6[slot].network_address + k)


def subnets(family, slot):
    """The subnets a network of this family ('4', '6' or '46') has in this slot, as the user gives them."""
    return ([str(SLOTS[slot])] if '4' in family else []) + ([str(SLOTS6[slot])] if '6' in family else [])


labels_st = st.dictionaries(st.sampled_from(LABEL_KEYS), st.sampled_from(['a', 'b']), max_size=2)
aliases_st = st.lists(st.sampled_from(['x', 'y', 'z']), unique=True, max_size=2)
# IPv6-only: the engine adds an IPv4 pool of its own, which is not drift.
family_st = st.sampled_from(['4', '4', '46', '6'])


@st.composite
def current_state(draw):
    """1-3 networks in slots 0..2: bridge (maybe internal) or macvlan, IPv4, dual-stack or IPv6-only."""
    nets = []
    for i in range(draw(st.integers(1, NNETS))):
        driver = draw(st.sampled_from(['bridge', 'bridge', 'macvlan']))
        internal = driver == 'bridge' and draw(st.booleans())
        endpoints = {}
        for c in draw(st.lists(st.integers(0, NCONT - 1), unique=True, max_size=NCONT)):
            endpoints[c] = {'fixed': draw(st.booleans()), 'aliases': draw(aliases_st)}
        nets.append({'i': i, 'driver': driver, 'internal': internal, 'family': draw(family_st), 'slot': i,
                     'labels': draw(labels_st), 'endpoints': endpoints})
    return nets


@st.composite
def container_entries(draw, family, slot):
    entries = []
    for c in draw(st.lists(st.integers(0, NCONT - 1), unique=True, max_size=NCONT)):
        entry = {'c': c, 'ref': draw(st.sampled_from(['name', 'name', 'id', 'short id']))}
        if draw(st.booleans()):
            entry['aliases'] = draw(aliases_st)
        if '4' in family and draw(st.booleans()):
            entry['ipv4_address'] = host(slot, 10 + c)
        if '6' in family and draw(st.booleans()):
            entry['ipv6_address'] = host6(slot, 10 + c)
        entries.append(entry)
    return entries


@st.composite
def wanted_spec(draw, current):
    """Entries for some of the current networks, and maybe a new one (slot 6, or a taken slot)."""
    entries = []
    for net in current:
        what = draw(st.sampled_from(['same', 'change', 'change', 'absent', 'skip']))
        if what == 'skip':
            continue
        entry = {'i': net['i']}
        if what == 'absent':
            entry.update(state='absent', force=draw(st.booleans()))
            entries.append(entry)
            continue
        slot, driver = net['slot'], net['driver']
        if what == 'change':
            if draw(st.booleans()):
                entry['labels'] = draw(labels_st)
            if draw(st.booleans()):
                slot = 3 + net['i']
            if draw(st.integers(0, 3)) == 0:
                driver = 'macvlan' if driver == 'bridge' else 'bridge'
            if driver == 'bridge' and draw(st.booleans()):
                entry['internal'] = not net['internal']
        if driver == 'macvlan' and net['internal']:
            entry['internal'] = False  # a macvlan network here is never internal
        if slot != net['slot'] or draw(st.booleans()):
            entry['slot'] = slot
        if driver != net['driver'] or draw(st.booleans()):
            entry['driver'] = driver
        entry['containers'] = draw(container_entries(net['family'], slot))
        entry['containers_exclusive'] = draw(st.booleans())
        entry['recreate'] = draw(st.sampled_from([None, 'never', 'reconnect', 'reconnect', 'always']))
        entries.append(entry)
    if draw(st.booleans()):
        family = draw(family_st)
        # mostly a free slot; sometimes one a network has now or is moved to: the subnets overlap
        slot = draw(st.sampled_from([6, 6, 6, 6, 0, 1, 3]))
        entries.append({'i': 6, 'slot': slot, 'new': True, 'family': family, 'labels': draw(labels_st),
                        'containers': draw(container_entries(family, slot))})
    single = len(entries) == 1 and draw(st.booleans())  # then through docker_network
    return {'entries': entries, 'single': single}


# -- making the current state, and the module arguments --------------------------------------

def build(world, current):
    api = world.client.api
    for net in current:
        kw = {}
        if net['driver'] == 'macvlan':
            kw = {'driver': 'macvlan', 'options': {'parent': world.parents[net['i']]}}
        ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=s)
                                                     for s in subnets(net['family'], net['slot'])])
        made = api.create_network(world.net(net['i']), ipam=ipam, labels=net['labels'], internal=net['internal'],
                                  enable_ipv6='6' in net['family'], **kw)
        for c, ep in sorted(net['endpoints'].items()):
            fixed4 = ep['fixed'] and '4' in net['family']
            fixed6 = ep['fixed'] and '6' in net['family']
            api.connect_container_to_network(world.containers[c], made['Id'], aliases=ep['aliases'] or None,
                                             ipv4_address=host(net['slot'], 10 + c) if fixed4 else None,
                                             ipv6_address=host6(net['slot'], 10 + c) if fixed6 else None)


def module_args(world, current, wanted):
    by_i = dict((n['i'], n) for n in current)
    networks = []
    for e in wanted['entries']:
        entry = {'name': world.net(e['i'])}
        for key in ('state', 'force', 'labels', 'internal', 'containers_exclusive', 'recreate'):
            if e.get(key) is not None:
                entry[key] = e[key]
        if e.get('driver'):
            entry['driver'] = e['driver']
            if e['driver'] == 'macvlan':
                entry['parent'] = world.parents[e['i']]
        if 'slot' in e:
            family = e['family'] if e.get('new') else by_i[e['i']]['family']
            entry['ipam_config'] = [{'subnet': s} for s in subnets(family, e['slot'])]
        if 'containers' in e:
            entry['containers'] = []
            for c in e['containers']:
                ref = {'name': world.containers[c['c']], 'id': world.ids[c['c']],
                       'short id': world.ids[c['c']][:12]}[c['ref']]
                item = {'name': ref}
                item.update((k, v) for k, v in c.items() if k not in ('c', 'ref'))
                entry['containers'].append(item)
        networks.append(entry)
    if wanted['single']:
        return 'docker_network', networks[0]
    return 'docker_networks', {'networks': networks}


# -- what the spec asks for, decided from the example alone ------------------------------------

def final(current, e):
    """(driver, internal, family, slot) the network of a present entry must end with."""
    old = dict((n['i'], n) for n in current).get(e['i'])
    if old is None:
        return 'bridge', False, e['family'], e['slot']
    internal = e['internal'] if e.get('internal') is not None else old['internal']
    return e.get('driver') or old['driver'], internal, old['family'], e.get('slot', old['slot'])


def expected_refusals(world, current, wanted):
    """[(network, entry index, what the message must say)] for every entry the collection must refuse; [] if it must apply.

    The rules, from the module documentation: a network with containers (stopped ones too) is not removed
    without force; a change that needs the network recreated is refused under recreate: never (the default)
    while containers stay attached; a recreate that would strand a container's fixed address outside the new
    subnets is refused; a subnet that overlaps another network's (one that is not removed in the same call,
    or another entry's) is refused.
    """
    by_i = dict((n['i'], n) for n in current)
    problems = []
    for idx, e in enumerate(wanted['entries']):
        name = world.net(e['i'])
        old = by_i.get(e['i'])
        if e.get('state') == 'absent':
            if old['endpoints'] and not e['force']:
                problems.append((name, idx, 'still has containers attached'))
            continue
        if old is None:
            taken = [n for n in current if not any(w['i'] == n['i'] and w.get('state') == 'absent'
                                                   for w in wanted['entries'])]
            held = set((n['slot'], fam) for n in taken for fam in n['family'])
            held |= set((w['slot'], fam) for w in wanted['entries'] if w is not e and 'slot' in w
                        and w.get('state') != 'absent' for fam in by_i[w['i']]['family'])
            if any((e['slot'], fam) in held for fam in e['family']):
                problems.append((name, idx, 'overlaps'))
            continue
        driver, internal, _family, slot = final(current, e)
        changed = (driver != old['driver'] or internal != old['internal'] or slot != old['slot']
                   or any(old['labels'].get(k) != v for k, v in (e.get('labels') or {}).items()))
        if not changed and e.get('recreate') != 'always':
            continue
        asked = dict((w['c'], w) for w in e['containers'])
        keep = [c for c in old['endpoints'] if not (e['containers_exclusive'] and c not in asked)]
        if keep and e.get('recreate') in (None, 'never'):
            problems.append((name, idx, 'needs recreation'))
        elif slot != old['slot'] and any(
                old['endpoints'][c]['fixed'] and not asked.get(c, {}).get(key)
                for c in keep for fam, key in (('4', 'ipv4_address'), ('6', 'ipv6_address')) if fam in old['family']):
            problems.append((name, idx, 'has the fixed address'))
    return problems


def assert_refusal_is_right(module, msg, expected):
    assert expected, 'refused, but nothing in the example calls for a refusal: %s' % msg
    if module == 'docker_networks':
        assert msg.startswith('%d problem(s)' % len(expected)), (msg, expected)
    for name, idx, says in expected:
        # docker_networks names an entry by its path (networks[1].ipam_config...) or by the network's name
        assert any((name in line or line.strip().startswith('networks[%d]' % idx)) and says in line
                   for line in msg.splitlines()), (name, says, msg)


# -- reading the engine back ----------------------------------------------------------------

def snapshot(world):
    """Every network of the world: id and every container on it, to prove a refusal touched nothing."""
    return dict((n['Name'], (n['Id'], world.attached(n))) for n in world.networks())


def info(name):
    r = inproc.call('docker_network_info', {'name': name})
    assert not r.failed and r.traceback is None, r.result
    return r['network'] if r['exists'] else None


def assert_engine_matches(world, current, wanted):
    by_i = dict((n['i'], n) for n in current)
    for idx, e in enumerate(wanted['entries']):
        name = world.net(e['i'])
        net = info(name)
        if e.get('state') == 'absent':
            assert net is None, '%s should be gone' % name
            continue
        assert net is not None, '%s should exist' % name
        old = by_i.get(e['i'])
        driver, internal, family, slot = final(current, e)
        assert net['driver'] == driver, (name, net['driver'])
        assert net['internal'] is internal, (name, net['internal'])
        have = [c['subnet'] for c in net['ipam_config']]
        ours = [s for s in have if any(ipaddress.ip_network(s).overlaps(r) for r in [RANGE] + SLOTS6)]
        assert sorted(ours) == sorted(subnets(family, slot)), (name, have)
        if family == '6':
            assert net['enable_ipv6'] and len(have) == 2, (name, have)  # the engine's IPv4 pool, kept
        for key, value in (e.get('labels') or {}).items():
            assert net['labels'].get(key) == value, (name, key, net['labels'])
        eps = net['endpoints']
        wanted_names = set()
        for c in e.get('containers') or []:
            cname = world.containers[c['c']]
            wanted_names.add(cname)
            assert cname in eps, '%s: %s not attached' % (name, cname)
            if c.get('aliases') is not None:
                assert sorted(eps[cname]['aliases']) == sorted(c['aliases']), (name, cname, eps[cname])
            for key in ('ipv4_address', 'ipv6_address'):
                if c.get(key):
                    assert eps[cname][key] == c[key], (name, cname, eps[cname])
        assert set(eps) == set(world.attached({'Id': net['id'], 'Name': name})), (name, sorted(eps))
        if e.get('containers_exclusive'):
            assert set(eps) == wanted_names, (name, sorted(eps), sorted(wanted_names))
        elif old:
            # never lost: every container that was there still is, with what it had unless asked otherwise
            for c, ep in old['endpoints'].items():
                cname = world.containers[c]
                assert cname in eps, '%s: endpoint of %s lost' % (name, cname)
                asked = dict((w['c'], w) for w in e.get('containers') or []).get(c, {})
                if ep['fixed'] and '4' in family and not asked.get('ipv4_address'):
                    assert eps[cname]['ipv4_address'] == host(old['slot'], 10 + c), (name, cname, eps[cname])
                if ep['fixed'] and '6' in family and not asked.get('ipv6_address'):
                    assert eps[cname]['ipv6_address'] == host6(old['slot'], 10 + c), (name, cname, eps[cname])
                if ep['aliases'] and asked.get('aliases') is None:
                    assert sorted(eps[cname]['aliases']) == sorted(ep['aliases']), (name, cname, eps[cname])


# -- the property ----------------------------------------------------------------------------

def inproc_runner(module, args):
    return [inproc.call(module, args, check=True, diff=True), inproc.call(module, args, diff=True),
            inproc.call(module, args)]


def playbook_runner(module, args):
    fqcn = 'netprov.dockernet.' + module
    r = play([dict({fqcn: args}, check_mode=True), {fqcn: args}, {fqcn: args}], diff=True)
    return [inproc.Call(module, args, res) for res in r.results]


def check_property(world, current, wanted, runner):
    world.reset()
    try:
        build(world, current)
        module, args = module_args(world, current, wanted)
        expected = expected_refusals(world, current, wanted)
        before = snapshot(world)
        check, real, again = runner(module, args)
        for r in (check, real, again):
            assert r.traceback is None, r.traceback
        if check.failed:
            # A refusal is a refusal in both modes, touches nothing, and is the one the example calls for.
            assert real.failed and real['msg'] == check['msg'], (check.result, real.result)
            assert snapshot(world) == before
            assert_refusal_is_right(module, check['msg'], expected)
            return 'refused: ' + ', '.join(sorted(set(says for _name, _idx, says in expected)))
        assert not expected, 'the example calls for a refusal %s, but check mode planned %s' % (
            expected, check['plan'])
        assert not real.failed, 'check mode planned %s but the real run failed: %s' % (check['plan'], real['msg'])
        assert real['plan'] == check['plan']
        assert real['changed'] == check['changed']
        if module == 'docker_network':
            assert real['network'] == check['network'] or real['plan'][0]['action'] == 'remove'
        assert_engine_matches(world, current, wanted)
        # a third run changes nothing, but recreate: always recreates each time, and only that
        always = set(world.net(e['i']) for e in wanted['entries'] if e.get('recreate') == 'always')
        assert all(s['action'] == 'none' or (s['network'] in always and s['action'] == 'recreate'
                                             and s['reason'] == 'recreate: always') for s in again['plan']), again['plan']
        assert again['changed'] is bool(always & set(s['network'] for s in again['plan'] if s['action'] != 'none'))
        return 'applied: ' + ', '.join(sorted(set(s['action'] for s in real['plan'])))
    finally:
        world.reset()


def assert_enough_applied(outcomes):
    applied = [o for o in outcomes if o.startswith('applied')]
    share = float(len(applied)) / max(len(outcomes), 1)
    assert share >= MIN_APPLIED, ('only %d of %d examples (%.0f%%) ended with the engine as the spec says; at '
                                  'least %.0f%% must, or the property says little: %s'
                                  % (len(applied), len(outcomes), 100 * share, 100 * MIN_APPLIED, sorted(outcomes)))


def test_check_mode_plan_is_what_the_real_run_applies(world, engine_env):
    outcomes = []

    @settings(max_examples=examples(engine_env), **SETTINGS)
    @given(data=st.data())
    def run(data):
        current = data.draw(current_state(), label='current')
        wanted = data.draw(wanted_spec(current), label='wanted')
        outcome = check_property(world, current, wanted, inproc_runner)
        event(outcome)
        outcomes.append(outcome)

    run()
    assert_enough_applied(outcomes)


def test_the_same_through_ansible_playbook(world, engine_env):
    @settings(max_examples=2, **SETTINGS)
    @given(data=st.data())
    def holds(data):
        current = data.draw(current_state(), label='current')
        wanted = data.draw(wanted_spec(current), label='wanted')
        check_property(world, current, wanted, playbook_runner)
    holds()
