"""Fault-injection sweep on the real engine: after any single failed request no endpoint is left detached.

The modules run in-process (tests/support/inproc.py) with docker_host pointing at a
proxy (tests/support/faultproxy.py) in front of the engine's socket. For
each plan (create, recreate with reconnect, in-place reconnect, exclusive
containers, purge with force, bulk with several networks) the fault-free run
counts the requests the plan makes; then for every N from 1 to that count and
each kind of fault (the Nth request refused before the engine sees it; the
Nth request run by the engine and its answer dropped with the connection):

1. the engine is brought back to the plan's starting state;
2. the module runs with that one fault;
3. every endpoint of every container the plan touches (each of its networks,
   the default bridge included) is compared with before: it must be there as
   before, or as the plan wants it, or gone only where the plan removes it
   (containers_exclusive, purge); a fixed address and the aliases are
   compared, a dynamic address is not (the engine may hand out another);
4. a re-run without faults succeeds and a check-mode run after it reports
   no change.

With NETPROV_SWEEP_PAIRS=1 (make soak) the recreate and reconnect plans also
get every pair: a first fault at N1, then a second at every request N2 the
faulted run made after N1 (its rollback). There, every endpoint that is not
back must be named in the error with its recorded settings (container,
network, fixed address, aliases) and nothing may be lost that the error does
not name; a network that is gone must be named with its spec.

Figures go to tests/output/fault-sweep.json; with NETPROV_SWEEP_DOCS=1
(scripts/fault-sweep.sh) they also regenerate the sweep's section of
docs/reliability.md.

The proxy runs in this process: the kernel checks would find the engine's
network namespace from the socket peer, which is then this process; the
fixture checks it shares the engine's namespace, and every plan is a bridge
network run with kernel_check: skip. Addresses: 198.19.68.0/22.
"""
import ipaddress
import json
import os
import re
import shutil
import socket
import struct
import tempfile
import time
import uuid

import docker
import pytest

from ansible_collections.netprov.dockernet.tests.support import inproc
from ansible_collections.netprov.dockernet.tests.support.engine_fixtures import client_for
from ansible_collections.netprov.dockernet.tests.support.faultproxy import FaultProxy

from ansible_collections.netprov.dockernet.plugins.module_utils._network import core as _core
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MANAGED_LABEL

IMAGE = 'netprov-test/busybox:latest'
SUBNETS = list(ipaddress.ip_network('198.19.68.0/22').subnets(new_prefix=27))
MODES = ('refuse', 'drop')
PAIRS = os.environ.get('NETPROV_SWEEP_PAIRS') == '1'
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIGURES = {'singles': {}, 'pairs': {}}


def _peer_pid(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        return struct.unpack('3i', s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize('3i')))[0]
    finally:
        s.close()


@pytest.fixture(scope='module')
def proxy():
    engine_pid = _peer_pid('/var/run/docker.sock')
    same_netns = os.stat('/proc/%d/ns/net' % engine_pid).st_ino == os.stat('/proc/self/ns/net').st_ino
    # not under pytest's basetemp: other pytest runs on the machine prune it
    where = tempfile.mkdtemp(prefix='npsweep-')
    p = FaultProxy(os.path.join(where, 'engine.sock')).start()
    p.same_netns = same_netns
    yield p
    p.stop()
    shutil.rmtree(where, ignore_errors=True)


class World(object):
    """The containers every plan shares (made once), and everything the sweep made, removed at the end."""

    def __init__(self, client):
        self.client = client
        self.prefix = 'npsw%s' % uuid.uuid4().hex[:5]
        self.running = []
        self.stopped = []

    def container(self, suffix, running=True):
        name = '%s-%s' % (self.prefix, suffix)
        if running:
            self.client.containers.run(IMAGE, ['sleep', '3600'], name=name, detach=True)
            self.running.append(name)
        else:
            self.client.containers.create(IMAGE, ['sleep', '3600'], name=name)
            self.stopped.append(name)
        return name

    def net(self, suffix):
        return '%s-%s' % (self.prefix, suffix)

    def cleanup(self):
        for c in self.client.containers.list(all=True, filters={'name': self.prefix}):
            c.remove(force=True)
        for n in self.client.networks.list():
            if n.name.startswith(self.prefix):
                try:
                    n.remove()
                except docker.errors.APIError:
                    pass


@pytest.fixture(scope='module')
def world(engine_clients, docker_engine):
    client = client_for(engine_clients, docker_engine)  # module-scoped: the sweep's containers outlive a test
    w = World(client)
    w.a = w.container('a')
    w.b = w.container('b')
    w.x = w.container('x')
    w.s = w.container('s', running=False)
    # The read side lists stopped containers; a sweep without them would say less than its name.
    assert _records_stopped(client, w), 'EngineState.records() does not list a stopped container'
    yield w
    w.cleanup()
    _write_figures()


def _records_stopped(client, world):
    """Whether this checkout's EngineState records a stopped container (the read side lists them)."""
    name = world.net('probe')
    client.api.create_network(name, ipam=_ipam(str(SUBNETS[-1])))
    try:
        client.api.connect_container_to_network(world.s, name)
        from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import Engine
        state = _core.EngineState(Engine({'docker_host': 'unix:///var/run/docker.sock'}))
        return world.s in state.records(state.full(name), name)
    finally:
        client.api.disconnect_container_from_network(world.s, name, force=True)
        client.api.remove_network(name)


def _ipam(subnet):
    return docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet)])


def _addr(subnet, offset):
    return str(subnet.network_address + offset)


# -- plans --------------------------------------------------------------------------------------------

class Plan(object):
    """One kind of plan: the starting state, the module call, and what each endpoint may be afterwards.

    before: {network: {'subnet': ..., 'labels': {...}, 'endpoints': {container: (fixed address, aliases)}}}
    wanted: {(container, network): (fixed address, aliases)} for the endpoints the plan changes or makes
    dropped: {(container, network)} the plan takes away (containers_exclusive, purge)
    """

    def __init__(self, kind, module, args, before, wanted=None, dropped=(), removed=()):
        self.kind = kind
        self.module = module
        self.args = args
        self.before = before
        self.wanted = wanted or {}
        self.dropped = set(dropped)
        self.removed = set(removed)   # networks the plan removes
        self.names = sorted(set(before) | set(n for _c, n in self.wanted))
        self.containers = sorted(set(c for net in before.values() for c in net['endpoints'])
                                 | set(c for c, _n in self.wanted))

    def call(self, url, check=False):
        return inproc.call(self.module, dict(self.args, docker_host=url), check=check)

    def reset(self, client):
        """Bring the engine back to the starting state: the plan's networks made anew, endpoints attached."""
        for net in client.api.networks():
            if net['Name'] in self.names:
                full = client.api.inspect_network(net['Id'])
                for cid in full.get('Containers') or {}:
                    client.api.disconnect_container_from_network(cid, net['Id'], force=True)
                for c in self.containers:   # stopped ones are not listed by the network
                    try:
                        client.api.disconnect_container_from_network(c, net['Id'], force=True)
                    except docker.errors.APIError:
                        pass
                client.api.remove_network(net['Id'])
        for name, net in sorted(self.before.items()):
            net_id = client.api.create_network(name, ipam=_ipam(net['subnet']), check_duplicate=True,
                                               labels=dict({MANAGED_LABEL: 'true'}, **net.get('labels', {})))['Id']
            for c, (fixed, aliases) in sorted(net['endpoints'].items()):
                client.api.connect_container_to_network(c, net_id, ipv4_address=fixed, aliases=aliases or None)

    def snapshot(self, client):
        """{container: {network: (fixed address, aliases)}}, as `docker inspect` shows it: every network."""
        out = {}
        for c in self.containers:
            info = client.api.inspect_container(c)
            short = info['Id'][:12]
            running = info['State']['Running']
            eps = {}
            for net, ep in info['NetworkSettings']['Networks'].items():
                if running and not ep.get('EndpointID'):
                    continue   # the settings a refused connect leaves behind: no endpoint
                eps[net] = ((ep.get('IPAMConfig') or {}).get('IPv4Address') or None,
                            sorted(a for a in ep.get('Aliases') or [] if a != short))
            out[c] = eps
        return out

    def raw(self, client):
        """What must be identical for "nothing changed": every endpoint's network, endpoint id and address,
        and the ids of the plan's networks."""
        out = {'networks': sorted((n['Name'], n['Id']) for n in client.api.networks() if n['Name'] in self.names)}
        for c in self.containers:
            info = client.api.inspect_container(c)
            out[c] = sorted((net, ep.get('NetworkID'), ep.get('EndpointID'), ep.get('IPAddress'),
                             sorted(ep.get('Aliases') or []), ep.get('IPAMConfig'))
                            for net, ep in info['NetworkSettings']['Networks'].items())
        return out

    def check(self, before, after, networks):
        """The endpoints that are neither as before, nor as wanted, nor gone where the plan takes them away
        (containers_exclusive, or a network the plan removes that is gone)."""
        bad = []
        for c, eps in sorted(before.items()):
            for net, was in sorted(eps.items()):
                now = after.get(c, {}).get(net)
                if now == was or (now is not None and now == self.wanted.get((c, net))):
                    continue
                if now is None and ((c, net) in self.dropped or (net in self.removed and net not in networks)):
                    continue
                bad.append({'container': c, 'network': net, 'before': was, 'after': now})
        return bad

    def final(self, client):
        """After a fault-free run: every endpoint as wanted (or as before where the plan leaves it)."""
        after = self.snapshot(client)
        for (c, net), want in self.wanted.items():
            assert after[c].get(net) == want, (self.kind, c, net, after[c])
        for c, net in self.dropped:
            assert net not in after[c], (self.kind, c, net)
        names = [n['Name'] for n in client.api.networks()]
        for net in self.removed:
            assert net not in names
        return after


def plans(world):
    w = world
    s = [w.s]
    n = dict((k, w.net(k)) for k in ('create', 'recreate', 'reconnect', 'exclusive', 'purge', 'bulk1', 'bulk2',
                                     'bulk3'))
    sub = dict(zip(sorted(n), SUBNETS))

    def eps(net, with_b_fixed=True, with_stopped=True):
        out = {w.a: (_addr(sub[net], 10), ['a1']),
               w.b: (_addr(sub[net], 11) if with_b_fixed else None, ['b1'])}
        for c in s if with_stopped else []:
            out[c] = (_addr(sub[net], 12), ['s1'])
        return out

    def entries(endpoints):
        return [{'name': c, 'ipv4_address': fixed, 'aliases': aliases} for c, (fixed, aliases) in endpoints.items()]

    out = []
    # create: a new network, the containers connected to it (the stopped one joins the plans where it is detached)
    want = eps('create', with_stopped=False)
    out.append(Plan('create', 'docker_network',
                    {'name': n['create'], 'ipam_config': [{'subnet': str(sub['create'])}],
                     'containers': entries(want), 'kernel_check': 'skip'},
                    before={}, wanted=dict(((c, n['create']), v) for c, v in want.items())))
    # recreate with reconnect: a label changes; every endpoint kept as recorded (b's address is dynamic)
    have = eps('recreate', with_b_fixed=False)
    out.append(Plan('recreate', 'docker_network',
                    {'name': n['recreate'], 'ipam_config': [{'subnet': str(sub['recreate'])}], 'labels': {'rev': '2'},
                     'recreate': 'reconnect', 'kernel_check': 'skip'},
                    before={n['recreate']: {'subnet': str(sub['recreate']), 'endpoints': have}}))
    # in-place reconnect: a new fixed address and aliases for a (and s), b untouched
    have = eps('reconnect')
    moved = dict(have)
    moved[w.a] = (_addr(sub['reconnect'], 20), ['a2'])
    for c in s:
        moved[c] = (_addr(sub['reconnect'], 22), ['s2'])
    out.append(Plan('reconnect', 'docker_network',
                    {'name': n['reconnect'], 'ipam_config': [{'subnet': str(sub['reconnect'])}],
                     'containers': entries(moved), 'kernel_check': 'skip'},
                    before={n['reconnect']: {'subnet': str(sub['reconnect']), 'endpoints': have}},
                    wanted=dict(((c, n['reconnect']), moved[c]) for c in [w.a] + s)))
    # containers_exclusive: a gets new aliases, b stays, x (and s) are taken off
    have = eps('exclusive')
    have[w.x] = (None, [])
    kept = {w.a: (have[w.a][0], ['a2']), w.b: have[w.b]}
    out.append(Plan('exclusive', 'docker_network',
                    {'name': n['exclusive'], 'ipam_config': [{'subnet': str(sub['exclusive'])}],
                     'containers': entries(kept), 'containers_exclusive': True, 'kernel_check': 'skip'},
                    before={n['exclusive']: {'subnet': str(sub['exclusive']), 'endpoints': have}},
                    wanted={(w.a, n['exclusive']): kept[w.a]},
                    dropped=[(c, n['exclusive']) for c in [w.x] + s]))
    # purge with force: a managed network no entry declares, with containers on it (the label keeps the purge
    # to this one network of the shared engine)
    label = {'netprov.sweep': w.prefix}
    out.append(Plan('purge', 'docker_networks',
                    {'networks': [], 'purge': True, 'purge_labels': label, 'force': True, 'kernel_check': 'skip'},
                    before={n['purge']: {'subnet': str(sub['purge']), 'labels': label, 'endpoints': eps('purge')}},
                    removed=[n['purge']]))
    # bulk: one network made, one recreated with its endpoints, one with an endpoint reconnected in place
    have2, have3 = eps('bulk2', with_b_fixed=False, with_stopped=False), eps('bulk3', with_stopped=False)
    moved3 = dict(have3)
    moved3[w.a] = (have3[w.a][0], ['a3'])
    new1 = {w.a: (_addr(sub['bulk1'], 10), ['a1'])}
    out.append(Plan('bulk', 'docker_networks',
                    {'networks': [
                        {'name': n['bulk1'], 'ipam_config': [{'subnet': str(sub['bulk1'])}], 'containers': entries(new1)},
                        {'name': n['bulk2'], 'ipam_config': [{'subnet': str(sub['bulk2'])}], 'labels': {'rev': '2'}},
                        {'name': n['bulk3'], 'ipam_config': [{'subnet': str(sub['bulk3'])}],
                         'containers': entries(moved3)}],
                     'recreate': 'reconnect', 'kernel_check': 'skip'},
                    before={n['bulk2']: {'subnet': str(sub['bulk2']), 'endpoints': have2},
                            n['bulk3']: {'subnet': str(sub['bulk3']), 'endpoints': have3}},
                    wanted={(w.a, n['bulk1']): new1[w.a], (w.a, n['bulk3']): moved3[w.a]}))
    return out


KINDS = ('create', 'recreate', 'reconnect', 'exclusive', 'purge', 'bulk')


# -- running a plan with faults ------------------------------------------------------------------------

def _request_kind(method, target):
    path = re.sub(r'^/v[0-9.]+', '', target.split('?')[0])
    path = re.sub(r'/[0-9a-f]{64}', '/{id}', path)
    path = re.sub(r'/(networks|containers)/(?!create$|json$)[^/]+', r'/\1/{id}', path)
    return '%s %s' % (method, path)


def _errors(r):
    """(message, not_restored, networks_not_restored) of a failed docker_network or docker_networks run."""
    if r.module == 'docker_networks':
        failed = r.get('failed_networks') or []
        items = [i for f in failed for i in f.get('not_restored') or []]
        nets = [n for f in failed for n in f.get('networks_not_restored') or []]
    else:
        items, nets = r.get('not_restored') or [], r.get('networks_not_restored') or []
    msg = r.get('msg') or ''
    # a network counts as named when the message gives its spec as a command
    return msg, items, [n['network'] for n in nets if n['command'] in msg]


def _named(r, bad, plan):
    """Whether the error names an endpoint that is not back, with its recorded settings."""
    msg, not_restored, _nets = _errors(r)
    c, net = bad['container'], bad['network']
    fixed, aliases = bad['before']
    listed = any(i['container'] == c and i['network'] == net for i in not_restored)
    spelled = all(text in msg for text in [c, net] + ([fixed] if fixed else []) + list(aliases))
    return listed and spelled


class Run(object):
    """One module run with faults, and what it left."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _one_run(proxy, client, plan, faults, reset=True):
    """Run the plan with ``faults`` from its starting state (made anew unless ``reset`` is False because the
    engine is known to be in it)."""
    if reset:
        plan.reset(client)
    before, raw = plan.snapshot(client), plan.raw(client)
    proxy.reset(faults)
    r = plan.call(proxy.url)
    made = proxy.count
    proxy.reset({})
    assert r.traceback is None, (plan.kind, faults, r.traceback)
    after = plan.snapshot(client)
    names = [n['Name'] for n in client.api.networks()]
    gone = [net for net in plan.before if net not in names and net not in plan.removed]
    return Run(r=r, before=before, bad=plan.check(before, after, names), made=made, gone=gone,
               unchanged=plan.raw(client) == raw)


def _converges(proxy, client, plan, faults):
    again = plan.call(proxy.url)
    assert not again.failed, (plan.kind, faults, again.get('msg'))
    plan.final(client)
    check = plan.call(proxy.url, check=True)
    assert check['changed'] is False, (plan.kind, faults, check.get('plan'))


@pytest.mark.parametrize('kind', KINDS)
def test_single_faults_leave_no_endpoint_detached(proxy, client, world, kind):
    assert proxy.same_netns, 'the proxy must share the engine\'s network namespace (it runs in this process)'
    plan = [p for p in plans(world) if p.kind == kind][0]
    # the fault-free run: the number of requests the plan makes
    plan.reset(client)
    proxy.reset({})
    first = plan.call(proxy.url)
    assert not first.failed, first.get('msg')
    count, kinds = proxy.count, [_request_kind(m, t) for _n, m, t, _f in proxy.log]
    plan.final(client)
    fig = {'requests': count, 'request_kinds': sorted(set(kinds)), 'points': dict((m, 0) for m in MODES),
           'runs_failed': 0, 'endpoints_checked': 0, 'detached': 0, 'networks_lost': 0,
           'stopped_containers': True}
    problems = []
    fig['untouched'] = 0
    in_start = False   # the engine is in the plan's starting state (no reset needed)
    for n in range(1, count + 1):
        for mode in MODES:
            run = _one_run(proxy, client, plan, {n: mode}, reset=not in_start)
            fig['points'][mode] += 1
            fig['runs_failed'] += int(run.r.failed)
            fig['endpoints_checked'] += sum(len(eps) for eps in run.before.values())
            fig['detached'] += len(run.bad)
            fig['networks_lost'] += len(run.gone)
            if run.bad or run.gone:
                problems.append((n, mode, kinds[n - 1], run.bad, run.gone, run.r.get('msg')))
            in_start = run.unchanged
            if run.unchanged:
                # the fault stopped the run before it changed anything (same networks, same endpoint ids): the
                # re-run is the fault-free run from the starting state, which converged above
                fig['untouched'] += 1
                continue
            _converges(proxy, client, plan, {n: mode})
    FIGURES['singles'][kind] = fig
    assert not problems, problems


@pytest.mark.skipif(not PAIRS, reason='pairs of faults run in make soak (NETPROV_SWEEP_PAIRS=1)')
@pytest.mark.parametrize('kind', ['recreate', 'reconnect'])
def test_pairs_of_faults_name_every_endpoint_not_restored(proxy, client, world, kind):
    plan = [p for p in plans(world) if p.kind == kind][0]
    plan.reset(client)
    proxy.reset({})
    assert not plan.call(proxy.url).failed
    count = proxy.count
    fig = {'requests': count, 'pairs': 0, 'endpoints_checked': 0, 'detached': 0, 'named': 0, 'lost': 0,
           'networks_gone': 0, 'networks_named': 0, 'stopped_containers': True}
    lost = []
    in_start = False
    for n1 in range(1, count + 1):
        for mode1 in MODES:
            first = _one_run(proxy, client, plan, {n1: mode1}, reset=not in_start)
            in_start = first.unchanged
            for n2 in range(n1 + 1, first.made + 1):   # every request the run made after the first fault
                for mode2 in MODES:
                    run = _one_run(proxy, client, plan, {n1: mode1, n2: mode2}, reset=not in_start)
                    in_start = run.unchanged
                    r, before, bad, gone = run.r, run.before, run.bad, run.gone
                    fig['pairs'] += 1
                    fig['endpoints_checked'] += sum(len(eps) for eps in before.values())
                    fig['detached'] += len(bad)
                    _msg, _items, nets_named = _errors(r)
                    for item in bad:
                        if r.failed and _named(r, item, plan):
                            fig['named'] += 1
                        else:
                            fig['lost'] += 1
                            lost.append((n1, mode1, n2, mode2, item, r.get('msg')))
                    fig['networks_gone'] += len(gone)
                    for net in gone:
                        if net in nets_named:
                            fig['networks_named'] += 1
                        else:
                            lost.append((n1, mode1, n2, mode2, {'network': net}, r.get('msg')))
    FIGURES['pairs'][kind] = fig
    assert not lost, lost[:5]


# -- figures ------------------------------------------------------------------------------------------

BEGIN = '<!-- fault-sweep figures: written by scripts/fault-sweep.sh, do not edit by hand -->'
END = '<!-- end of fault-sweep figures -->'


def _write_figures():
    if not FIGURES['singles'] and not FIGURES['pairs']:
        return
    out_dir = os.path.join(ROOT, 'tests', 'output')
    if not os.path.isdir(out_dir):
        os.makedirs(out_dir)
    path = os.path.join(out_dir, 'fault-sweep.json')
    old = {}
    if os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
    for part in ('singles', 'pairs'):
        for kind, fig in FIGURES[part].items():   # a run of some plans keeps the others' last figures
            old.setdefault(part, {})[kind] = dict(fig, when=time.strftime('%Y-%m-%d'))
    with open(path, 'w') as f:
        json.dump(old, f, indent=1, sort_keys=True)
    if os.environ.get('NETPROV_SWEEP_DOCS') == '1':
        write_docs(old, os.path.join(ROOT, 'docs', 'reliability.md'))


def _when(part):
    dates = sorted(set(f.get('when', '') for f in part.values()))
    return ' to '.join([dates[0], dates[-1]] if len(dates) > 1 else dates)


def write_docs(figures, path):
    """Regenerate the section between BEGIN and END of docs/reliability.md from the figures."""
    lines = [BEGIN, '']
    singles = figures.get('singles') or {}
    if singles:
        lines += ['Single faults (run %s; `make test` runs this part):' % _when(singles), '',
                  '| plan | requests | refused before the engine | answer dropped | runs failed | nothing changed '
                  '| endpoints checked | detached | networks lost | stopped containers |',
                  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |']
        keys = ('requests', 'runs_failed', 'untouched', 'endpoints_checked', 'detached', 'networks_lost')
        total = dict((k, 0) for k in keys + ('refuse', 'drop'))
        for kind in [k for k in KINDS if k in singles]:
            f = singles[kind]
            lines.append('| %s | %d | %d | %d | %d | %d | %d | %d | %d | %s |' % (
                kind, f['requests'], f['points']['refuse'], f['points']['drop'], f['runs_failed'],
                f.get('untouched', 0), f['endpoints_checked'], f['detached'], f['networks_lost'],
                'yes' if f['stopped_containers'] else 'not yet'))
            for key in keys:
                total[key] += f.get(key, 0)
            total['refuse'] += f['points']['refuse']
            total['drop'] += f['points']['drop']
        lines.append('| **%d plans** | %d | %d | %d | %d | %d | %d | **%d** | **%d** | |' % (
            len(singles), total['requests'], total['refuse'], total['drop'], total['runs_failed'],
            total['untouched'], total['endpoints_checked'], total['detached'], total['networks_lost']))
        lines += ['', '"Nothing changed": the fault stopped the run before it changed anything (the same network '
                  'and endpoint ids after); its re-run is the fault-free run, so it is not repeated.']
        kinds = sorted(set(k for f in singles.values() for k in f['request_kinds']))
        lines += ['', 'Requests faulted: %s.' % ', '.join('`%s`' % k for k in kinds), '']
    pairs = figures.get('pairs') or {}
    if pairs:
        lines += ['Pairs of faults, the second during the rollback (run %s; `make soak`):' % _when(pairs),
                  '', '| plan | requests | pairs | endpoints checked | not back | named in the error | lost unnamed '
                  '| networks gone | named with their spec |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |']
        for kind in [k for k in KINDS if k in pairs]:
            f = pairs[kind]
            lines.append('| %s | %d | %d | %d | %d | %d | **%d** | %d | %d |' % (
                kind, f['requests'], f['pairs'], f['endpoints_checked'], f['detached'], f['named'], f['lost'],
                f['networks_gone'], f['networks_named']))
        lines.append('')
    lines.append(END)
    with open(path) as f:
        text = f.read()
    block = '\n'.join(lines)
    if BEGIN in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip('\n') + '\n\n' + block + '\n'
    with open(path, 'w') as f:
        f.write(text)
