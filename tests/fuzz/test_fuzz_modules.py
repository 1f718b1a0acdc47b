"""Fuzz every Docker module's arguments in-process, against a real scratch engine (``make fuzz``).

Strategies are derived from the real argument specs (NETWORK_OPTIONS, the
docker_networks spec, SWARM_ARGS, the info modules' specs, the connection
options) and bent towards what breaks: wrong types, out-of-range numbers,
malformed and overlapping CIDRs, unicode, empty and huge names, huge lists,
contradictory options. Each call goes through Ansible's real argument
validation (tests/support/inproc.py) to one engine of a one-engine fleet in this
test's own range, in its own network namespace, so nothing a call makes can
touch the machine's engine or network.

Counted per call, and asserted at the end of each test:
- tracebacks: any exception that is not a clean fail_json (deduplicated by
  where it was raised);
- unasked changes, from a snapshot of everything a call could change taken
  before and after it (each network's labels, options, IPAM, flags; each
  container's endpoints with their aliases and fixed addresses; the swarm's
  membership, settings, join tokens and nodes): a network created, removed or
  changed that the call did not name; a container detached that the call did
  not ask to detach (neither containers_exclusive nor the network's removal),
  attached to a network the call did not name or that did not list it, or
  whose aliases or fixed addresses changed although the call did not list it;
  anything changed in check mode or by an info module; anything changed by a
  call that failed before applying (``nothing was changed``);
- unclear failures: a failure whose message names no field, network or
  engine (reported, not asserted).

NETPROV_FUZZ_CALLS (default 10000) spreads over the tests by weight. The
figures go to tests/output/fuzz-stats.json and to the terminal.
"""
import collections
import ipaddress
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HERE = os.path.dirname(os.path.abspath(__file__))

import docker  # noqa: E402
from ansible_collections.netprov.dockernet.tests.support import inproc  # noqa: E402
from ansible_collections.netprov.dockernet.tests.support.fleet import scratch_fleet  # noqa: E402
from ansible.module_utils.parsing.convert_bool import boolean  # noqa: E402

from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import DOCKER_COMMON_ARGS  # noqa: E402
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import network_options  # noqa: E402
from ansible_collections.netprov.dockernet.plugins.module_utils._swarm.membership import SWARM_ARGS  # noqa: E402
from ansible_collections.netprov.dockernet.plugins.module_utils._swarm.node import NODE_ARGS  # noqa: E402

TOTAL = int(os.environ.get('NETPROV_FUZZ_CALLS', '10000'))
# Always given, never fuzzed: where a call acts (the scratch engine, namespace, directory).
PINNED = ('docker_host', 'netns', 'persist_dir')
RANGE = os.environ.get('NETPROV_FUZZ_RANGE', '198.18.160.0/21')
PREFIX = 'npfz'
OUTPUT = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'tests', 'output', 'fuzz-stats.json')
WEIGHTS = {'docker_network': 0.36, 'docker_networks': 0.24, 'bulk_one_bad': 0.05, 'docker_network_info': 0.1,
           'docker_swarm': 0.17, 'docker_swarm_info': 0.08, 'docker_swarm_node': 0.05,
           'docker_host_info': 0.03}
SETTINGS = dict(deadline=None, database=None, derandomize=False,
                suppress_health_check=list(HealthCheck))


def examples(test):
    return max(10, int(TOTAL * WEIGHTS[test]))


# -- the scratch engine ----------------------------------------------------------------------

class Target(object):
    """One engine in its own namespace, two containers, a veth as a macvlan parent."""

    def __init__(self, fleet):
        self.fleet = fleet
        self.url = fleet.engine(1)['url']
        self.api = fleet.client(1)
        ns = fleet.engine(1)['netns']
        subprocess_run(['ip', '-n', ns, 'link', 'add', 'fz0', 'type', 'veth', 'peer', 'name', 'fz1'])
        subprocess_run(['ip', '-n', ns, 'link', 'set', 'fz0', 'up'])
        self.containers = ['%s-c0' % PREFIX, '%s-c1' % PREFIX]
        for name in self.containers:
            fleet.docker(1, 'run', '-d', '--name', name, fleet.image, 'sleep', '36000')
        fleet.docker(1, 'run', '-d', '--name', '%s-cnone' % PREFIX, '--network', 'none', fleet.image, 'sleep', '36000')
        self.scratch = ipaddress.ip_network(fleet.scratch)

    def snapshot(self):
        """Everything a call could change: each network, each container's endpoints, the swarm."""
        nets = {}
        for n in self.api.networks():
            try:
                full = self.api.inspect_network(n['Id'])
            except docker.errors.NotFound:
                continue
            nets[n['Id']] = dict(
                name=full['Name'], driver=full.get('Driver'), scope=full.get('Scope'),
                flags=dict((k, full.get(k)) for k in ('Internal', 'Attachable', 'Ingress', 'EnableIPv6', 'ConfigOnly')),
                config_from=(full.get('ConfigFrom') or {}).get('Network') or None, labels=full.get('Labels') or {},
                options=full.get('Options') or {}, ipam=full.get('IPAM') or {})
        endpoints = {}
        for c in self.api.containers(all=True, filters={'name': PREFIX}):
            info = self.api.inspect_container(c['Id'])
            name = info['Name'].lstrip('/')
            for net, ep in ((info.get('NetworkSettings') or {}).get('Networks') or {}).items():
                ipam = ep.get('IPAMConfig') or {}
                endpoints[(name, net)] = dict(
                    aliases=sorted(a for a in ep.get('Aliases') or [] if a != info['Id'][:12]),
                    ipv4_address=ipam.get('IPv4Address') or None, ipv6_address=ipam.get('IPv6Address') or None)
        return {'networks': nets, 'endpoints': endpoints, 'swarm': self.swarm()}

    def swarm(self):
        """The node's membership and, on a manager, the swarm's settings, join tokens and nodes."""
        sw = self.api.info().get('Swarm') or {}
        out = dict(state=sw.get('LocalNodeState'), node=sw.get('NodeID') or None, manager=bool(sw.get('ControlAvailable')),
                   addr=sw.get('NodeAddr') or None)
        if out['manager']:
            inspected = self.api.inspect_swarm()
            out.update(spec=inspected.get('Spec'), tokens=inspected.get('JoinTokens'),
                       nodes=sorted((n['ID'], repr(n.get('Spec'))) for n in self.api.nodes()))
        return out

    def swarm_state(self):
        return (self.api.info().get('Swarm') or {}).get('LocalNodeState')

    def reset(self, force=False):
        nets = [n for n in self.api.networks() if n['Name'] not in ('bridge', 'host', 'none')]
        if self.swarm_state() not in ('inactive', None):
            self.api.leave_swarm(force=True)
            nets = [n for n in self.api.networks() if n['Name'] not in ('bridge', 'host', 'none')]
        if not force and len(nets) < 12:
            return
        for n in nets:
            if n['Name'] in ('ingress', 'docker_gwbridge'):
                continue
            try:
                full = self.api.inspect_network(n['Id'])
                for cid in full.get('Containers') or {}:
                    self.api.disconnect_container_from_network(cid, n['Id'], force=True)
                self.api.remove_network(n['Id'])
            except Exception:  # pylint: disable=broad-exception-caught
                pass


def subprocess_run(cmd):
    import subprocess
    subprocess.run(cmd, check=True, capture_output=True)


@pytest.fixture(scope='module')
def target():
    if os.geteuid() != 0:
        pytest.skip('the scratch engine needs root')
    with scratch_fleet(1, RANGE) as fleet:
        yield Target(fleet)


# -- the tally -----------------------------------------------------------------------------------

class Tally(object):
    def __init__(self):
        self.calls = collections.Counter()
        self.outcomes = collections.Counter()
        self.tracebacks = {}   # where -> (count, module, args, traceback): raised in this collection's code
        self.upstream = {}     # the same for exceptions raised inside ansible-core's own argument handling
        self.unasked = []
        self.unclear = collections.Counter()
        self.unclear_samples = {}
        self.applied = collections.Counter()  # (module, step action) applied by a real run that changed something

    def record(self, test, call, problems, named, check=None):
        self.calls[test] += 1
        if check is False and call.get('changed') and not call.failed:
            for step in call.get('plan') or []:
                if isinstance(step, dict) and step.get('action') not in (None, 'none'):
                    self.applied['%s %s' % (call.module, step['action'])] += 1
        if call.traceback:
            where, upstream = _where(call.traceback)
            found = self.upstream if upstream else self.tracebacks
            count, _m, args, tb = found.get(where, (0, call.module, call.args, call.traceback))
            found[where] = (count + 1, call.module, args, tb)
            self.outcomes['traceback in ansible-core' if upstream else 'traceback'] += 1
        elif call.failed:
            self.outcomes['failed cleanly'] += 1
            if not named:
                key = re.sub(r"'[^']*'|\d+", '_', call.get('msg') or '')[:120]
                self.unclear[key] += 1
                self.unclear_samples.setdefault(key, call.get('msg'))
        else:
            self.outcomes['changed' if call.get('changed') else 'ok, unchanged'] += 1
        for p in problems:
            self.unasked.append((call.module, p, call.args))

    def as_dict(self):
        return {
            'calls': dict(self.calls), 'total_calls': sum(self.calls.values()), 'outcomes': dict(self.outcomes),
            'tracebacks': [{'where': w, 'count': c, 'module': m, 'args': repr(a)[:2000], 'traceback': t[-3000:]}
                           for w, (c, m, a, t) in sorted(self.tracebacks.items())],
            'ansible_core_tracebacks': [{'where': w, 'count': c, 'module': m, 'args': repr(a)[:2000],
                                         'traceback': t[-3000:]} for w, (c, m, a, t) in sorted(self.upstream.items())],
            'unasked_changes': [{'module': m, 'problem': p, 'args': repr(a)[:1000]} for m, p, a in self.unasked],
            'unclear_failures': [{'count': c, 'sample': self.unclear_samples[k]} for k, c in self.unclear.most_common()],
            'applied_steps': dict(self.applied),
        }


TALLY = Tally()


def _where(tb):
    frames = re.findall(r'File "([^"]+)", line (\d+), in (\S+)', tb)
    last = frames[-1] if frames else ('?', '?', '?')
    lines = [ln for ln in tb.strip().splitlines() if ln and not ln.startswith(('unexpected error', ' '))]
    exc = lines[-1][:100] if lines else '?'
    upstream = '/site-packages/ansible/' in last[0]
    return '%s:%s %s: %s' % (os.path.basename(last[0]), last[1], last[2], exc.split(':')[0]), upstream


# -- strategies from the argument specs -------------------------------------------------------------

TEXT = st.text(max_size=12)
UNICODE = st.text(alphabet=st.characters(codec='utf-8'), min_size=1, max_size=40)
WRONG = st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=True), st.booleans(), st.none(),
                  st.lists(st.integers(), max_size=3), st.dictionaries(TEXT, st.integers(), max_size=2),
                  UNICODE, st.just(''), st.just('x' * 5000))


def cidr_st(target_range):
    slots = [str(s) for s in list(ipaddress.ip_network(target_range).subnets(new_prefix=28))[:6]]
    return st.one_of(
        st.sampled_from(slots),                                   # few, so overlaps are frequent
        st.sampled_from(['198.18.167.0/24', '198.18.167.5/28', '198.18.167.0/31', '198.18.167.0/32',
                         'fd00:fz::/64'.replace('fz', 'f2'), 'fd00:1::/64', '::/0', '0.0.0.0/0']),
        st.sampled_from(['198.18.167.0/33', '198.18.167.256/28', '1.2.3', 'abc', '', ' ', '/24', '198.18.167.0/',
                         '198.18.167.0/-1', '::/129', '198.18.167.0/24/24', '\u0661.2.3.4/8', '198.18.167.0 /28']),
        UNICODE)


def ip_st(target_range):
    base = ipaddress.ip_network(target_range)
    return st.one_of(st.sampled_from([str(base.network_address + k) for k in (1, 2, 3, 10, 17, 200, 255, 256)]),
                     st.sampled_from(['fd00:1::5', '198.18.167.1/28', '999.1.1.1', 'abc', '', '::', '0.0.0.0',
                                      '255.255.255.255', '1.2.3.4.5']),
                     UNICODE)


def name_st():
    return st.one_of(
        st.builds(lambda s: '%s-%s' % (PREFIX, s), st.sampled_from(['a', 'b', 'c', 'd'])),   # repeats: existing nets
        st.builds(lambda s: '%s-%s' % (PREFIX, s), UNICODE),
        st.sampled_from(['', ' ', 'bridge', 'host', 'none', 'ingress', 'docker_gwbridge', PREFIX + '-' + 'x' * 300,
                         PREFIX + '-a/b', PREFIX + '-a\x00b', PREFIX + '-\n']),
        UNICODE)


def containers_st(target, ip):
    """containers: mostly the engine's real containers, so real-mode connects, reconnects and exclusive
    disconnects happen; sometimes a name that does not exist."""
    entry = st.fixed_dictionaries(
        {'name': weighted((6, st.sampled_from(target['containers'])), (1, name_st()))},
        optional={'aliases': st.lists(st.sampled_from(['web', 'db', 'a-1', '']), max_size=2),
                  'ipv4_address': ip, 'ipv6_address': ip})
    return st.lists(entry, max_size=3)


def domain(target):
    """Per-option strategies; every other option gets one derived from its type."""
    cidr, ip = cidr_st(target['range']), ip_st(target['range'])
    small_map = st.dictionaries(TEXT, st.one_of(TEXT, st.integers(), st.booleans(), st.none(), st.floats(),
                                                st.lists(TEXT, max_size=2)), max_size=3)
    return {
        'name': name_st(), 'network_name': name_st(),
        'subnet': cidr, 'iprange': cidr, 'ip_range': cidr, 'gateway': ip,
        'ipv4_address': ip, 'ipv6_address': ip,
        'aux_addresses': st.dictionaries(TEXT, ip, max_size=3),
        'parent': st.sampled_from(['fz0', 'fz1', 'eth0', 'nolink0', '', 'fz0.5', 'x' * 20, 'lo']),
        'driver': st.sampled_from(['bridge', 'macvlan', 'ipvlan', 'overlay', 'null', 'none', 'host', 'Bridge',
                                   '']),
        'ipam_driver': st.sampled_from(['default', 'null', '']),
        'config_from': st.one_of(name_st(), st.none()),
        'mtu': st.one_of(st.integers(-10, 70000), st.sampled_from([68, 1500, 9000, 65535, 65536, 0, 2**63])),
        'verify_timeout': st.integers(-5, 2),
        'labels': small_map, 'driver_options': small_map, 'ipam_driver_options': small_map,
        'containers': containers_st(target, ip),
        # never '' nor 'unix://': both mean the machine's own engine, which is not ours to fuzz
        'docker_host': weighted((9, st.just(target['url'])), (1, st.sampled_from([
            'unix:///nonexistent/docker.sock', 'tcp://127.0.0.1:1', 'http://[::1]:1', 'garbage', 'npipe:////./x',
            'ssh://127.0.0.1:1', target['url'] + 'x']))),
        'timeout': st.one_of(st.just(20), st.integers(-2, 3), st.just(10**9)),
        'api_version': st.sampled_from(['auto', '1.41', '1.25', '1.12', '9.99', 'abc', '']),
        'tls': st.booleans(), 'validate_certs': st.booleans(),
        'ca_path': st.sampled_from(['/nonexistent', '/etc/hostname', '']),
        'client_cert': st.sampled_from(['/nonexistent', '/etc/hostname']),
        'client_key': st.sampled_from(['/nonexistent', '/etc/hostname']),
        # swarm
        'advertise_addr': st.sampled_from([target['addr'], target['addr'] + ':2377', 'eth0', 'fz0', 'nolink0',
                                           '0.0.0.0', '127.0.0.1', '[::1]:2377', '[::1', '1.2.3.4:x', ':', '']),
        'listen_addr': st.sampled_from(['0.0.0.0:2377', target['addr'] + ':2377', '0.0.0.0:99999', 'eth0:2377',
                                        '', ':']),
        'data_path_addr': st.sampled_from([target['addr'], 'eth0', '1.2.3', '']),
        'data_path_port': st.one_of(st.integers(-1, 70000), st.sampled_from([4789, 1023, 1024, 49151, 49152])),
        'default_addr_pool': st.lists(cidr, max_size=3),
        'subnet_size': st.integers(-1, 40),
        'gwbridge_subnet': cidr,
        # addresses only, never a name: names would be looked up
        'remote_addrs': st.lists(st.sampled_from([target['addr'], target['addr'] + ':2377', '198.18.160.9:2377',
                                                  '[::1]:2377', '[::1', '[]:1', '1.2.3.4:x', ':', '', ':1',
                                                  '1.2.3.4:99999', '[fe80::1%eth0]:1', '::1']),
                                 max_size=3),
        'join_token': st.sampled_from(['SWMTKN-1-' + 'a' * 50 + '-' + 'b' * 25, 'x', '', 'SWMTKN-1-bad']),
    }


def from_spec(spec, dom, depth=0, required_p=0.9, wrong=None):
    """A dict of arguments for ``spec``: each option left out, well typed (domain first), or of a wrong type.

    At the top, a third of the calls may hold wrong types (they mostly stop in Ansible's validation) and the
    rest are well typed, so most calls reach the module's own code.
    """
    if wrong is None:
        return weighted((2, from_spec(spec, dom, depth, required_p, False)),
                        (1, from_spec(spec, dom, depth, required_p, True)))
    fixed, optional = {}, {}
    for key, opt in spec.items():
        good = dom[key] if key in dom else typed(opt, dom, depth, wrong)
        strat = weighted((4, good), (1, WRONG)) if wrong and key not in PINNED else good
        if opt.get('required') or key in PINNED:
            fixed[key] = strat
        else:
            optional[key] = strat
    whole = args_st(fixed, optional)
    if fixed and required_p < 1:
        partial = args_st(dict((k, v) for k, v in fixed.items() if k in PINNED), optional)
        return weighted((9, whole), (1, partial))
    return whole


def weighted(*choices):
    """One of the strategies, by weight (st.one_of treats a strategy given twice as once)."""
    table = [strategy for weight, strategy in choices for _copy in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(lambda i: table[i])


@st.composite
def args_st(draw, fixed, optional):
    """The fixed options, and a few optional ones (mostly up to 4: with every option half the time, nearly every
    call would contradict itself and stop at the first rule)."""
    out = draw(st.fixed_dictionaries(fixed))
    keys = sorted(optional)
    if keys:
        chosen = draw(weighted((2, st.sets(st.sampled_from(keys), max_size=4)), (1, st.sets(st.sampled_from(keys)))))
        for key in sorted(chosen):
            out[key] = draw(optional[key], label=key)
    return out


def typed(opt, dom, depth, wrong=True):
    kind = opt.get('type', 'str')
    if opt.get('choices'):
        if not wrong:
            return st.sampled_from(opt['choices'])
        return st.one_of(st.sampled_from(opt['choices']), st.sampled_from(opt['choices']), TEXT)
    if kind == 'str' or kind == 'path':
        return st.one_of(TEXT, UNICODE)
    if kind == 'int':
        return st.one_of(st.integers(-5, 100), st.integers(-2**70, 2**70), st.sampled_from(['5', '0x10', '1e3']))
    if kind == 'bool':
        if not wrong:
            return st.booleans()
        return st.one_of(st.booleans(), st.booleans(), st.sampled_from(['yes', 'no', 'maybe', 1, 0, 2]))
    if kind == 'dict':
        if opt.get('options'):
            return from_spec(opt['options'], dom, depth + 1, wrong=wrong)
        return st.dictionaries(TEXT, st.one_of(TEXT, st.integers(), st.none()), max_size=3)
    if kind == 'list':
        if opt.get('elements') == 'dict' and opt.get('options'):
            return st.lists(from_spec(opt['options'], dom, depth + 1, wrong=wrong), max_size=3)
        return st.lists(st.one_of(TEXT, st.integers()), max_size=3)
    return WRONG


# -- one call, and its invariants ---------------------------------------------------------------------

def spec_names(spec, out=None):
    out = set() if out is None else out
    for key, opt in spec.items():
        out.add(key)
        out.update(opt.get('aliases') or [])
        if opt.get('options'):
            spec_names(opt['options'], out)
    return out


def names_a_field(msg, names):
    msg = msg or ''
    if re.search(r'networks\[\d+\]|containers\[\d+\]|ipam_config\[\d+\]|default_addr_pool\[\d+\]', msg):
        return True
    if 'Docker Engine' in msg or 'docker_host' in msg or 'network(s) failed' in msg:
        return True
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", msg))
    return bool(words & names)


def asked_names(module, args):
    """Network names the call asks to exist (present) or to go (absent), and whether it may purge."""
    present, absent = set(), set()
    entries = []
    if module == 'docker_network':
        entries = [args]
    elif module == 'docker_networks' and isinstance(args.get('networks'), list):
        entries = [e for e in args['networks'] if isinstance(e, dict)]
    for e in entries:
        name = e.get('name', e.get('network_name'))
        if name is not None:
            # type str converts what it is given (False -> 'False'), as Ansible does
            (absent if e.get('state') == 'absent' else present).add(name if isinstance(name, str) else str(name))
    purge = module == 'docker_networks' and args.get('purge') not in (None, False, 'no', 0, '0')
    return present, absent, purge


def _truthy(value):
    try:
        return boolean(value, strict=False)
    except TypeError:
        return False


def asked_entries(module, args):
    """Network name -> the entry the call gives for it (docker_networks' defaults merged under it)."""
    if module == 'docker_network':
        entries, defaults = [args], {}
    elif module == 'docker_networks' and isinstance(args.get('networks'), list):
        entries = [e for e in args['networks'] if isinstance(e, dict)]
        defaults = args.get('defaults') if isinstance(args.get('defaults'), dict) else {}
    else:
        return {}
    out = {}
    for e in entries:
        name = e.get('name', e.get('network_name'))
        if name is not None:
            merged = dict(defaults)
            merged.update(e)
            out[name if isinstance(name, str) else str(name)] = merged
    return out


def _listed(entry):
    """The containers an entry lists, by name."""
    return set(c.get('name') for c in entry.get('containers') or [] if isinstance(c, dict)) \
        if isinstance(entry.get('containers'), list) else set()


def _by_name(nets):
    out = {}
    for rec in nets.values():
        out.setdefault(rec['name'], []).append(rec)
    return dict((n, sorted(r, key=repr)) for n, r in out.items())


def changes(before, after):
    """What differs between two snapshots, by kind."""
    bnets, anets = before['networks'], after['networks']
    bnamed, anamed = _by_name(bnets), _by_name(anets)
    bends, aends = before['endpoints'], after['endpoints']
    return dict(
        created=sorted(anets[i]['name'] for i in anets if i not in bnets),
        removed=sorted(bnets[i]['name'] for i in bnets if i not in anets),
        # a network whose attributes differ (a recreate with the same spec shows in created/removed only)
        changed=sorted(n for n in set(bnamed) & set(anamed) if bnamed[n] != anamed[n]),
        detached=sorted(k for k in bends if k not in aends),
        attached=sorted(k for k in aends if k not in bends),
        endpoint_changed=sorted(k for k in set(bends) & set(aends) if bends[k] != aends[k]),
        swarm=before['swarm'] != after['swarm'],
        membership=tuple(before['swarm'][k] for k in ('state', 'node', 'manager'))
        != tuple(after['swarm'][k] for k in ('state', 'node', 'manager')))


def _any(diff):
    return any(diff[k] for k in diff)


def _network_problems(module, args, diff, engine_made=()):
    """What a network module changed that the call did not ask for."""
    problems = []
    present, absent, purge = asked_names(module, args)
    entries = asked_entries(module, args)
    for name in diff['created']:
        if name not in present and name not in engine_made:
            problems.append('created %r, which the call did not ask for' % name)
    for name in diff['removed']:
        if name not in absent and name not in present and not purge and name not in engine_made:
            problems.append('removed %r, which the call did not name' % name)
    for name in diff['changed']:
        if name not in present and name not in engine_made:
            problems.append('changed network %r, which the call did not name' % name)
    for container, net in diff['detached']:
        entry = entries.get(net)
        gone = net in diff['removed'] and net not in diff['created']
        if gone and (net in absent or purge):
            continue  # detached with the network the call removed
        if entry is not None and _truthy(entry.get('containers_exclusive')) and container not in _listed(entry):
            continue
        problems.append('container %s was detached from %s, which the call did not ask for' % (container, net))
    for container, net in diff['attached']:
        entry = entries.get(net)
        if entry is None or container not in _listed(entry):
            problems.append('container %s was attached to %s, which the call did not ask for' % (container, net))
    for container, net in diff['endpoint_changed']:
        entry = entries.get(net)
        if entry is None or container not in _listed(entry):
            problems.append('the endpoint of %s on %s changed (aliases or fixed addresses), which the call did not '
                            'ask for' % (container, net))
    return problems


def run_one(test, target, module, args, check, spec_words):
    before = target.snapshot()
    call = inproc.call(module, args, check=check, diff=True)
    after = target.snapshot()
    diff = changes(before, after)
    problems = []
    engine_made = ('ingress', 'docker_gwbridge')  # swarm init and leave make and remove these
    if check and _any(diff):
        problems.append('check mode changed the engine: %s' % _describe(diff))
    elif module in ('docker_network', 'docker_networks'):
        problems += _network_problems(module, args, diff)
        if diff['swarm']:
            problems.append('%s changed the swarm' % module)
        msg = call.get('msg') or ''
        if call.failed and 'done' not in call.result and 'failed_networks' not in call.result and _any(diff):
            problems.append('failed before applying (%s) yet changed the engine: %s' % (msg[:200], _describe(diff)))
    elif module in ('docker_swarm_info', 'docker_network_info', 'docker_host_info'):
        if _any(diff):
            problems.append('an info module changed the engine: %s' % _describe(diff))
    elif module == 'docker_swarm_node':  # the only node of the swarm: it may not remove or demote itself
        touched = [n for n in diff['created'] + diff['removed'] + diff['changed'] if n not in engine_made]
        if touched or diff['membership'] or diff['detached'] or diff['attached'] or diff['endpoint_changed']:
            problems.append('docker_swarm_node changed networks, endpoints or its own membership: %s' % _describe(diff))
    else:  # docker_swarm: only swarm's own networks may come and go, and no container's endpoint
        problems += ['docker_swarm: %s' % p for p in _network_problems(module, {}, diff, engine_made)]
    TALLY.record(test, call, problems, names_a_field(call.get('msg'), spec_words) if call.failed else True, check)
    return call


def _describe(diff):
    """The changes, without any swarm secret."""
    return ', '.join('%s %s' % (k, v if k not in ('swarm', 'membership') else 'changed')
                     for k, v in sorted(diff.items()) if v)


def network_spec():
    spec = network_options(top_level=True)
    spec.update(DOCKER_COMMON_ARGS)
    return spec


def networks_spec():
    from ansible_collections.netprov.dockernet.plugins.modules.docker_networks import argument_spec
    return argument_spec()


def target_info(target):
    return {'range': str(target.scratch), 'url': target.url, 'addr': target.fleet.engine(1)['addr'],
            'containers': target.containers}


def huge(args):
    for key in ('containers', 'networks', 'ipam_config', 'default_addr_pool', 'remote_addrs'):
        if isinstance(args.get(key), list) and len(args[key]) > 50:
            return True
    return False


def enlarge(data, args, key, element):
    """Sometimes make one list huge (always with check mode)."""
    if data.draw(st.integers(0, 40), label='huge?') == 0:
        args[key] = [data.draw(element)] * data.draw(st.sampled_from([200, 1000]))
    return args


def write_stats():
    """The figures so far, to OUTPUT (after every test, so a stopped run keeps what it counted)."""
    import json
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    data = TALLY.as_dict()
    with open(OUTPUT, 'w') as f:
        json.dump(data, f, indent=1)
    return data


def check_clean(test):
    write_stats()
    mine = [w for w, (c, m, a, t) in TALLY.tracebacks.items() if m in test]
    assert not mine, 'tracebacks: %s' % mine
    bad = [u for u in TALLY.unasked if u[0] in test]
    assert not bad, 'unasked changes: %s' % bad[:5]


# -- the tests ----------------------------------------------------------------------------------------------

def plausible_entry_st(target):
    """A well-formed network that the engine takes, with real containers, so that real runs create, connect,
    reconnect (new alias or fixed address), disconnect (containers_exclusive) and recreate (a label or a subnet
    change, with recreate: reconnect) with containers attached, and remove with force."""
    slots = list(target.scratch.subnets(new_prefix=28))[:4]

    def entry(name, slot, containers, labels, exclusive, recreate, state, force):
        out = {'name': name, 'ipam_config': [{'subnet': str(slot)}], 'labels': labels, 'recreate': recreate,
               'containers_exclusive': exclusive, 'state': state, 'force': force}
        out['containers'] = [dict(c, ipv4_address=str(slot.network_address + 5 + i)) if c.pop('fixed') else c
                             for i, c in enumerate(containers)]
        return out
    container = st.fixed_dictionaries({'name': st.sampled_from(target.containers), 'fixed': st.booleans()},
                                      optional={'aliases': st.lists(st.sampled_from(['web', 'db']), max_size=2,
                                                                    unique=True)})
    return st.builds(entry, st.sampled_from(['%s-%s' % (PREFIX, n) for n in 'abcd']), st.sampled_from(slots),
                     st.lists(container, max_size=2, unique_by=lambda c: c['name']),
                     st.sampled_from([{}, {'rev': '1'}, {'rev': '2'}]), st.booleans(),
                     st.sampled_from(['reconnect', 'reconnect', 'never', 'always']),
                     weighted((5, st.just('present')), (1, st.just('absent'))), st.booleans())


def plausible_st(target, module):
    if module == 'docker_network':
        return plausible_entry_st(target).map(lambda e: dict(e, docker_host=target.url))
    return st.builds(lambda nets, purge, force: {'networks': nets, 'purge': purge, 'force': force,
                                                 'docker_host': target.url},
                     st.lists(plausible_entry_st(target), min_size=1, max_size=3, unique_by=lambda e: e['name']),
                     weighted((4, st.just(False)), (1, st.just(True))), st.booleans())


def fuzz_network_module(target, module, spec, list_key, element):
    """docker_network and docker_networks: arguments from the spec, one list sometimes huge (then check mode);
    a third of the calls well formed (plausible_st), so that real runs change endpoints too."""
    dom = domain(target_info(target))
    words = spec_names(spec)
    plausible = plausible_st(target, module)

    @settings(max_examples=examples(module), **SETTINGS)
    @given(data=st.data())
    def fuzz(data):
        args = data.draw(weighted((2, from_spec(spec, dom, required_p=0.9)), (1, plausible)), label='args')
        strategy = element(args)
        if strategy is not None:
            args = enlarge(data, args, list_key, strategy)
        check = huge(args) or data.draw(st.booleans(), label='check')
        run_one(module, target, module, args, check, words)
        target.reset()
    fuzz()
    check_clean((module,))


def test_the_detector_sees_every_kind_of_change(target):
    """What the unasked-change detector is built from: every change made here by hand, behind the modules' back,
    shows in the snapshots, and a call that did not ask for it is charged with it."""
    api, a, b = target.api, '%s-det-a' % PREFIX, '%s-det-b' % PREFIX
    c0 = target.containers[0]
    slots = [str(x) for x in list(target.scratch.subnets(new_prefix=28))[-2:]]
    api.create_network(a, labels={'k': 'v'}, options={'com.docker.network.driver.mtu': '1400'},
                       ipam=docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=slots[0])]))
    try:
        steps = [
            ('endpoint', lambda: api.connect_container_to_network(c0, a, aliases=['web'])),
            ('endpoint aliases', lambda: (api.disconnect_container_from_network(c0, a),
                                          api.connect_container_to_network(c0, a, aliases=['db']))),
            ('labels, MTU', lambda: (api.disconnect_container_from_network(c0, a), api.remove_network(a),
                                     api.create_network(a, labels={'k': 'w'},
                                                        options={'com.docker.network.driver.mtu': '1300'}))),
            ('a new network', lambda: api.create_network(b)),
        ]
        for what, change in steps:
            before = target.snapshot()
            change()
            diff = changes(before, target.snapshot())
            assert _any(diff), what
            problems = _network_problems('docker_network', {'name': PREFIX + '-other'}, diff)
            assert problems, (what, diff)
        assert diff['created'] == [b]
        before = target.snapshot()
        api.create_network(PREFIX + '-det-c')
        assert _network_problems('docker_network', {'name': PREFIX + '-det-c'}, changes(before, target.snapshot())) == []
    finally:
        target.reset(force=True)


def test_docker_network(target):
    fuzz_network_module(target, 'docker_network', network_spec(), 'containers',
                        lambda args: st.fixed_dictionaries({'name': st.sampled_from(target.containers)}))


def test_docker_networks(target):
    def first_entry(args):
        nets = args.get('networks')
        return st.just(nets[0]) if isinstance(nets, list) and nets else None
    fuzz_network_module(target, 'docker_networks', networks_spec(), 'networks', first_entry)


def test_bulk_call_with_one_bad_entry_touches_nothing(target):
    spec = networks_spec()
    words = spec_names(spec)
    slots = [str(s) for s in ipaddress.ip_network(target.scratch).subnets(new_prefix=28)]
    bad_entries = st.sampled_from([
        {'ipam_config': [{'subnet': '198.18.167.0/33'}]},
        {'ipam_config': [{'subnet': slots[0], 'gateway': '198.18.1.1'}]},
        {'containers': [{'name': PREFIX + '-missing'}]},
        {'containers': [{'name': PREFIX + '-cnone'}]},
        {'driver': 'macvlan', 'parent': 'nolink0'},
        {'driver': 'bridge', 'macvlan_mode': 'bridge'},
        {'driver': 'bridge', 'encrypted': True},
        {'config_only': True, 'config_from': PREFIX + '-x'},
        {'mtu': 10},
        {'ipam_config': [{'subnet': slots[1]}]},   # overlaps the first good entry
        {'name': 'bridge'},
    ])

    @settings(max_examples=examples('bulk_one_bad'), **SETTINGS)
    @given(good=st.integers(1, 5), bad=bad_entries, where=st.integers(0, 5), check=st.booleans())
    def fuzz(good, bad, where, check):
        entries = [{'name': '%s-g%d' % (PREFIX, i), 'ipam_config': [{'subnet': slots[1 + i]}],
                    'containers': [{'name': target.containers[i % 2]}]} for i in range(good)]
        entry = {'name': '%s-bad' % PREFIX}
        entry.update(bad)
        entries.insert(min(where, len(entries)), entry)
        before = target.snapshot()
        call = run_one('bulk_one_bad', target, 'docker_networks', {'networks': entries, 'docker_host': target.url},
                       check, words)
        assert call.failed and 'nothing was changed' in call['msg'], call.result
        assert target.snapshot() == before
        target.reset(force=True)
    fuzz()
    check_clean(('docker_networks',))


def fuzz_read_only(target, module, options):
    """Generated arguments for a module that only reads; run_one fails it if the engine changed."""
    dom = domain(target_info(target))
    spec = dict(options)
    spec.update(DOCKER_COMMON_ARGS)
    words = spec_names(spec)

    @settings(max_examples=examples(module), **SETTINGS)
    @given(data=st.data())
    def fuzz(data):
        args = data.draw(from_spec(spec, dom), label='args')
        run_one(module, target, module, args, data.draw(st.booleans()), words)
    fuzz()
    check_clean((module,))


def test_docker_network_info(target):
    fuzz_read_only(target, 'docker_network_info', dict(name=dict(type='str')))


def test_docker_swarm(target):
    dom = domain(target_info(target))
    spec = dict(DOCKER_COMMON_ARGS)
    spec.update(SWARM_ARGS)
    words = spec_names(spec)

    @settings(max_examples=examples('docker_swarm'), **SETTINGS)
    @given(data=st.data())
    def fuzz(data):
        args = data.draw(from_spec(spec, dom), label='args')
        args = enlarge(data, args, 'default_addr_pool', dom['default_addr_pool'].map(lambda x: '198.18.167.0/24'))
        joining = args.get('remote_addrs') or args.get('join_token')
        # A real join waits on a manager that is not there: joins run in check mode only.
        check = huge(args) or bool(joining) or data.draw(st.integers(0, 4), label='check') > 0
        run_one('docker_swarm', target, 'docker_swarm', args, check, words)
        target.reset()
    fuzz()
    check_clean(('docker_swarm',))


def test_docker_swarm_info(target):
    dom = domain(target_info(target))
    spec = dict(DOCKER_COMMON_ARGS)
    spec.update(join_tokens=dict(type='bool'), unlock_key=dict(type='bool'), nodes=dict(type='bool'))
    words = spec_names(spec)

    @settings(max_examples=examples('docker_swarm_info'), **SETTINGS)
    @given(data=st.data(), swarm=st.booleans())
    def fuzz(data, swarm):
        if swarm and target.swarm_state() == 'inactive':
            target.api.init_swarm(advertise_addr=target.fleet.engine(1)['addr'])
        args = data.draw(from_spec(spec, dom), label='args')
        run_one('docker_swarm_info', target, 'docker_swarm_info', args, data.draw(st.booleans()), words)
    fuzz()
    target.reset(force=True)
    check_clean(('docker_swarm_info',))


def test_docker_swarm_node(target):
    """On a one-manager swarm: the node itself by ID, prefix or hostname, or garbage."""
    dom = domain(target_info(target))
    spec = dict(DOCKER_COMMON_ARGS)
    spec.update(NODE_ARGS)
    words = spec_names(spec)
    if target.swarm_state() == 'inactive':
        target.api.init_swarm(advertise_addr=target.fleet.engine(1)['addr'])
    me = target.api.inspect_node(target.api.info()['Swarm']['NodeID'])
    idents = [me['ID'], me['ID'][:6], me['Description']['Hostname']]

    @settings(max_examples=examples('docker_swarm_node'), **SETTINGS)
    @given(data=st.data())
    def fuzz(data):
        args = data.draw(from_spec(spec, dom), label='args')
        if 'node' in args and data.draw(st.integers(0, 3), label='real node') > 0:
            args['node'] = data.draw(st.sampled_from(idents), label='node')
        run_one('docker_swarm_node', target, 'docker_swarm_node', args, data.draw(st.booleans()), words)
    fuzz()
    target.reset(force=True)
    check_clean(('docker_swarm_node',))


def test_docker_host_info(target):
    fuzz_read_only(target, 'docker_host_info', dict(containers=dict(type='bool')))
