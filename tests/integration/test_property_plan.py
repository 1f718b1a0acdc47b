"""Check mode is the real run: a property test on the real engine.

Hypothesis generates a current state (bridge, internal and macvlan-on-a-veth
networks with containers attached, some with fixed addresses and aliases)
and a wanted docker_networks spec (changed labels, subnets, internal,
containers lists, recreate, containers_exclusive, state absent). Then:

1. check mode, keep its ``plan`` (or its refusal);
2. the real run, keep its ``plan``: equal to check mode's (or the same refusal,
   and the engine untouched);
3. the engine, read back through docker_network_info, matches the spec, and
   no endpoint was lost (containers kept on a recreated network keep their
   fixed addresses and aliases);
4. a third run reports no change.

Modules are called in-process (tests/inproc.py: real AnsibleModule argument
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

import inproc
from ansible_play import play
from engine_fixtures import IMAGE
from engine_matrix import DEFAULT

EXAMPLES = int(os.environ.get('NETPROV_PROPERTY_EXAMPLES', '20'))
ENGINE_EXAMPLES = int(os.environ.get('NETPROV_PROPERTY_ENGINE_EXAMPLES', str(min(EXAMPLES, 8))))
SOAK = 'NETPROV_PROPERTY_EXAMPLES' in os.environ
# This test's own addresses: no other test file uses them, so it runs beside any of them.
RANGE = ipaddress.ip_network('198.19.120.0/21')
SLOTS = list(RANGE.subnets(new_prefix=27))
NCONT = 4
LABEL_KEYS = ('tier', 'team')
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
        self.parent = ('%sv' % self.prefix)[:15]
        peer = ('%sw' % self.prefix)[:15]
        # the macvlan parent, where the engine runs (its network namespace)
        engine.ip('link', 'add', self.parent, 'type', 'veth', 'peer', 'name', peer)
        engine.ip('link', 'set', self.parent, 'up')
        self.containers = []
        for i in range(NCONT):
            c = client.containers.run(IMAGE, ['sleep', '3600'], name='%s-c%d' % (self.prefix, i), detach=True)
            self.containers.append(c.name)

    def net(self, i):
        return '%s-n%d' % (self.prefix, i)

    def networks(self):
        return [n for n in self.client.api.networks() if n['Name'].startswith(self.prefix + '-')]

    def reset(self):
        """Remove every network of this world (containers detached first)."""
        for n in self.networks():
            full = self.client.api.inspect_network(n['Id'])
            for cid in (full.get('Containers') or {}):
                self.client.api.disconnect_container_from_network(cid, n['Id'], force=True)
            self.client.api.remove_network(n['Id'])

    def close(self):
        self.reset()
        for name in self.containers:
            try:
                self.client.api.remove_container(name, force=True)
            except docker.errors.APIError:
                pass
        self.engine.ip('link', 'del', self.parent, check=False)


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


labels_st = st.dictionaries(st.sampled_from(LABEL_KEYS), st.sampled_from(['a', 'b']), max_size=2)
aliases_st = st.lists(st.sampled_from(['x', 'y', 'z']), unique=True, max_size=2)


@st.composite
def current_state(draw):
    """1-3 networks in slots 0..2, at most one macvlan (one parent can carry only one)."""
    nets = []
    macvlan = False
    for i in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(['bridge', 'internal'] + ([] if macvlan else ['macvlan'])))
        macvlan = macvlan or kind == 'macvlan'
        endpoints = {}
        for c in draw(st.lists(st.integers(0, NCONT - 1), unique=True, max_size=NCONT)):
            endpoints[c] = {'fixed': draw(st.booleans()), 'aliases': draw(aliases_st)}
        nets.append({'i': i, 'kind': kind, 'slot': i, 'labels': draw(labels_st), 'endpoints': endpoints})
    return nets


@st.composite
def container_entries(draw, slot):
    entries = []
    for c in draw(st.lists(st.integers(0, NCONT - 1), unique=True, max_size=NCONT)):
        entry = {'c': c}
        if draw(st.booleans()):
            entry['aliases'] = draw(aliases_st)
        if draw(st.booleans()):
            entry['ipv4_address'] = host(slot, 10 + c)
        entries.append(entry)
    return entries


@st.composite
def wanted_spec(draw, current):
    """Entries for some of the current networks, and maybe a new one (slot 6)."""
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
        slot = net['slot']
        if what == 'change':
            if draw(st.booleans()):
                entry['labels'] = draw(labels_st)
            if draw(st.booleans()):
                slot = 3 + net['i']
            if net['kind'] != 'macvlan' and draw(st.booleans()):
                entry['internal'] = net['kind'] != 'internal'
        if slot != net['slot'] or draw(st.booleans()):
            entry['slot'] = slot
        if draw(st.booleans()):
            entry['driver'] = 'macvlan' if net['kind'] == 'macvlan' else 'bridge'
        entry['containers'] = draw(container_entries(slot))
        entry['containers_exclusive'] = draw(st.booleans())
        entry['recreate'] = draw(st.sampled_from([None, 'never', 'reconnect', 'reconnect']))
        entries.append(entry)
    if draw(st.booleans()):
        entries.append({'i': 6, 'slot': 6, 'new': True, 'labels': draw(labels_st),
                        'containers': draw(container_entries(6))})
    single = len(entries) == 1 and draw(st.booleans())  # then through docker_network
    return {'entries': entries, 'single': single}


# -- making the current state, and the module arguments --------------------------------------

def build(world, current):
    api = world.client.api
    for net in current:
        kw = {}
        if net['kind'] == 'macvlan':
            kw = {'driver': 'macvlan', 'options': {'parent': world.parent}}
        ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=str(SLOTS[net['slot']]))])
        made = api.create_network(world.net(net['i']), ipam=ipam, labels=net['labels'],
                                  internal=net['kind'] == 'internal', **kw)
        for c, ep in sorted(net['endpoints'].items()):
            api.connect_container_to_network(world.containers[c], made['Id'], aliases=ep['aliases'] or None,
                                             ipv4_address=host(net['slot'], 10 + c) if ep['fixed'] else None)


def module_args(world, current, wanted):
    kinds = dict((n['i'], n['kind']) for n in current)
    networks = []
    for e in wanted['entries']:
        entry = {'name': world.net(e['i'])}
        for key in ('state', 'force', 'labels', 'internal', 'containers_exclusive', 'recreate'):
            if e.get(key) is not None:
                entry[key] = e[key]
        if e.get('driver'):
            entry['driver'] = e['driver']
            if e['driver'] == 'macvlan':
                entry['parent'] = world.parent
        if 'slot' in e:
            entry['ipam_config'] = [{'subnet': str(SLOTS[e['slot']])}]
        if kinds.get(e['i']) == 'macvlan' and entry.get('internal') is not None:
            del entry['internal']
        if 'containers' in e:
            entry['containers'] = []
            for c in e['containers']:
                item = {'name': world.containers[c['c']]}
                item.update((k, v) for k, v in c.items() if k != 'c')
                entry['containers'].append(item)
        networks.append(entry)
    if wanted['single']:
        return 'docker_network', networks[0]
    return 'docker_networks', {'networks': networks}


# -- reading the engine back ----------------------------------------------------------------

def snapshot(world):
    """Every network of the world: id and endpoints, to prove a refusal touched nothing."""
    out = {}
    for n in world.networks():
        full = world.client.api.inspect_network(n['Id'])
        out[n['Name']] = (n['Id'], sorted((ep['Name'], ep['IPv4Address']) for ep in (full['Containers'] or {}).values()))
    return out


def info(name):
    r = inproc.call('docker_network_info', {'name': name})
    assert not r.failed and r.traceback is None, r.result
    return r['network'] if r['exists'] else None


def assert_engine_matches(world, current, wanted):
    by_i = dict((n['i'], n) for n in current)
    for e in wanted['entries']:
        name = world.net(e['i'])
        net = info(name)
        if e.get('state') == 'absent':
            assert net is None, '%s should be gone' % name
            continue
        assert net is not None, '%s should exist' % name
        old = by_i.get(e['i'])
        kind = old['kind'] if old else 'bridge'
        slot = e.get('slot', old['slot'] if old else None)
        assert net['driver'] == ('macvlan' if kind == 'macvlan' else 'bridge')
        internal = e['internal'] if e.get('internal') is not None and kind != 'macvlan' else kind == 'internal'
        assert net['internal'] is internal, (name, net['internal'])
        assert [c['subnet'] for c in net['ipam_config']] == [str(SLOTS[slot])]
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
            if c.get('ipv4_address'):
                assert eps[cname]['ipv4_address'] == c['ipv4_address'], (name, cname, eps[cname])
        if e.get('containers_exclusive'):
            assert set(eps) == wanted_names, (name, sorted(eps), sorted(wanted_names))
        elif old:
            # never lost: every container that was there still is, with what it had unless asked otherwise
            for c, ep in old['endpoints'].items():
                cname = world.containers[c]
                assert cname in eps, '%s: endpoint of %s lost' % (name, cname)
                asked = dict((w['c'], w) for w in e.get('containers') or []).get(c, {})
                if ep['fixed'] and not asked.get('ipv4_address'):
                    assert eps[cname]['ipv4_address'] == host(old['slot'], 10 + c), (name, cname, eps[cname])
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
        before = snapshot(world)
        check, real, again = runner(module, args)
        for r in (check, real, again):
            assert r.traceback is None, r.traceback
        if check.failed:
            # A refusal is a refusal in both modes, and touches nothing.
            assert real.failed and real['msg'] == check['msg'], (check.result, real.result)
            assert snapshot(world) == before
            return 'refused'
        assert not real.failed, 'check mode planned %s but the real run failed: %s' % (check['plan'], real['msg'])
        assert real['plan'] == check['plan']
        assert real['changed'] == check['changed']
        if module == 'docker_network':
            assert real['network'] == check['network'] or real['plan'][0]['action'] == 'remove'
        assert_engine_matches(world, current, wanted)
        assert again['changed'] is False, again['plan']
        return 'applied: ' + ', '.join(sorted(set(s['action'] for s in real['plan'])))
    finally:
        world.reset()


def test_check_mode_plan_is_what_the_real_run_applies(world, engine_env):
    @settings(max_examples=examples(engine_env), **SETTINGS)
    @given(data=st.data())
    def holds(data):
        current = data.draw(current_state(), label='current')
        wanted = data.draw(wanted_spec(current), label='wanted')
        event(check_property(world, current, wanted, inproc_runner))
    holds()


def test_the_same_through_ansible_playbook(world, engine_env):
    @settings(max_examples=2, **SETTINGS)
    @given(data=st.data())
    def holds(data):
        current = data.draw(current_state(), label='current')
        wanted = data.draw(wanted_spec(current), label='wanted')
        check_property(world, current, wanted, playbook_runner)
    holds()
