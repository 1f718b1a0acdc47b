# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Side-by-side benchmark of docker_networks against one docker_network task per network, run by hand.

Times whole processes on the local engine: create, then no-change, of N
bridge networks with a subnet and labels each, for

  docker_networks   netprov.dockernet.docker_networks, one task
  ours_loop         netprov.dockernet.docker_network, one task with loop:
  community_loop    community.docker.docker_network, one task with loop:
                    (the collection bundled in the bench venv's `ansible` package)
  raw_sdk           bench/raw_sdk.py, a plain Python process on the docker SDK
  floor             ansible-playbook with one ansible.builtin.ping task

Every repetition runs every tool; networks are removed before each create
(only names starting with this run's prefix). Results: a markdown table on
stdout and between the markers in docs/benchmarks.md.

    bench/run.sh [--reps 5] [--quick] [--sizes 20,100] [--tools ...] [--no-write]

See bench/README.md.
"""
from __future__ import absolute_import, division, print_function

import argparse
import ipaddress
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import docker
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, '.venv-bench')
PYTHON = os.path.join(VENV, 'bin', 'python')
COLLECTIONS = os.path.join(ROOT, '.build', 'collections')
DOC = os.path.join(ROOT, 'docs', 'benchmarks.md')
BEGIN, END = '<!-- bench:begin (written by bench/run.py) -->', '<!-- bench:end -->'

# This bench's allocated range; N networks get consecutive /26 subnets from it.
RANGE = ipaddress.ip_network('198.18.64.0/18')
PREFIXLEN = 26

TOOLS = ['docker_networks', 'ours_loop', 'community_loop', 'raw_sdk', 'floor']
LOOPS = ('ours_loop', 'community_loop')
TITLES = {
    'docker_networks': '`netprov.dockernet.docker_networks` (one task)',
    'ours_loop': '`netprov.dockernet.docker_network` loop',
    'community_loop': '`community.docker.docker_network` loop',
    'raw_sdk': 'raw Docker SDK (plain Python process)',
    'floor': 'floor: `ansible-playbook`, one `ping` task',
}
RECAP = re.compile(r'^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


def free_subnets(api, needed):
    """The /26s of RANGE that no network on the engine overlaps (others may have strayed into it)."""
    used = []
    for net in api.networks():
        for cfg in (net.get('IPAM') or {}).get('Config') or []:
            try:
                used.append(ipaddress.ip_network(cfg.get('Subnet') or '', strict=False))
            except ValueError:
                continue
    free = [s for s in RANGE.subnets(new_prefix=PREFIXLEN) if not any(u.version == 4 and u.overlaps(s) for u in used)]
    if len(free) < needed:
        raise SystemExit('bench: only %d free /%d subnets left in %s on the engine, %d needed'
                         % (len(free), PREFIXLEN, RANGE, needed))
    return free


def specs(prefix, n, free):
    out = []
    for i in range(n):
        out.append({'name': '%s-%03d' % (prefix, i),
                    'ipam_config': [{'subnet': str(free[i])}],
                    'labels': {'netprov.bench.run': prefix, 'netprov.bench.index': str(i)}})
    return out


def playbook(tool, nets):
    """The play for one tool; every play carries the same vars, so parsing costs the same."""
    if tool == 'docker_networks':
        task = {'name': 'networks', 'netprov.dockernet.docker_networks': {'networks': '{{ nets }}'}}
    elif tool in ('ours_loop', 'community_loop'):
        module = 'netprov.dockernet.docker_network' if tool == 'ours_loop' else 'community.docker.docker_network'
        task = {'name': 'network', module: {'name': '{{ item.name }}', 'driver': 'bridge',
                                            'ipam_config': '{{ item.ipam_config }}', 'labels': '{{ item.labels }}'},
                'loop': '{{ nets }}', 'loop_control': {'label': '{{ item.name }}'}}
    else:
        task = {'name': 'floor', 'ansible.builtin.ping': {}}
    if tool == 'docker_networks':
        task['netprov.dockernet.docker_networks']['defaults'] = {'driver': 'bridge'}
    return [{'hosts': 'localhost', 'gather_facts': False, 'vars': {'nets': nets}, 'tasks': [task]}]


class Bench(object):
    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.prefix = 'nbench%s' % uuid.uuid4().hex[:6]
        self.api = docker.APIClient(base_url=os.environ.get('DOCKER_HOST', 'unix:///var/run/docker.sock'),
                                    version='auto')
        cfg = os.path.join(tmp, 'ansible.cfg')
        with open(cfg, 'w') as f:
            f.write('[defaults]\n')
        self.inventory = os.path.join(tmp, 'inventory.ini')
        with open(self.inventory, 'w') as f:
            f.write('localhost ansible_connection=local ansible_python_interpreter=%s\n' % PYTHON)
        self.env = dict(os.environ)
        self.env.update({
            'ANSIBLE_CONFIG': cfg,  # an empty one: defaults only, whatever the caller has
            'ANSIBLE_COLLECTIONS_PATH': COLLECTIONS,
            'ANSIBLE_PYTHON_INTERPRETER': PYTHON,
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
            'PATH': os.path.join(VENV, 'bin') + ':/usr/sbin:/sbin:' + os.environ.get('PATH', ''),
        })
        self.files = {}
        self.free = None
        self.load = []

    # -- the engine -------------------------------------------------------------------
    def ours(self):
        found = self.api.networks(filters={'name': self.prefix})
        return [n for n in found if n['Name'].startswith(self.prefix + '-')]

    def cleanup(self):
        for net in self.ours():
            self.api.remove_network(net['Id'])
        if self.ours():
            raise SystemExit('bench: could not remove the networks named %s-*' % self.prefix)

    def free_subnets(self):
        return free_subnets(self.api, max(self.args.sizes))

    # -- one timed process ------------------------------------------------------------
    def files_for(self, tool, n):
        key = (tool, n)
        if key not in self.files:
            nets = specs(self.prefix, n, self.free)
            spec = os.path.join(self.tmp, 'nets-%d.json' % n)
            with open(spec, 'w') as f:
                json.dump(nets, f)
            pb = os.path.join(self.tmp, '%s-%d.yml' % (tool, n))
            with open(pb, 'w') as f:
                yaml.safe_dump(playbook(tool, nets), f, sort_keys=False)
            self.files[key] = (spec, pb)
        return self.files[key]

    def command(self, tool, n, phase):
        spec, pb = self.files_for(tool, n)
        if tool == 'raw_sdk':
            return [PYTHON, os.path.join(ROOT, 'bench', 'raw_sdk.py'), 'create' if phase == 'create' else 'check', spec]
        return [os.path.join(VENV, 'bin', 'ansible-playbook'), '-i', self.inventory, pb]

    def timed(self, tool, n, phase):
        cmd = self.command(tool, n, phase)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=self.env, cwd=self.tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, check=False)
        elapsed = time.perf_counter() - t0
        self.load.append(os.getloadavg()[0])
        self.verify(tool, n, phase, proc)
        return elapsed

    def verify(self, tool, n, phase, proc):
        """The run did what it is timed for: no failure, a change only when creating, N networks there."""
        what = '%s N=%d %s' % (tool, n, phase)
        if proc.returncode != 0:
            raise SystemExit('bench: %s failed (rc %d):\n%s' % (what, proc.returncode, proc.stdout[-4000:]))
        if tool != 'raw_sdk':
            recap = RECAP.search(proc.stdout)
            if not recap or int(recap.group(4)) or int(recap.group(3)):
                raise SystemExit('bench: %s: no clean PLAY RECAP:\n%s' % (what, proc.stdout[-4000:]))
            if tool != 'floor' and int(recap.group(2)) != (1 if phase == 'create' else 0):
                raise SystemExit('bench: %s reported changed=%s:\n%s' % (what, recap.group(2), proc.stdout[-4000:]))
        if tool != 'floor' and len(self.ours()) != n:
            raise SystemExit('bench: %s left %d networks, not %d' % (what, len(self.ours()), n))

    # -- the whole run ----------------------------------------------------------------
    def run(self):
        sizes, tools, reps = self.args.sizes, self.args.tools, self.args.reps
        times = dict(((t, n, p), []) for t in tools for n in sizes for p in ('create', 'nochange'))
        self.cleanup()
        self.free = self.free_subnets()
        # Warm-up, untimed, with 2 networks: byte-compile caches, the page cache, the engine's first answers.
        for tool in tools:
            self.timed(tool, 2, 'create')
            self.timed(tool, 2, 'nochange')
            self.cleanup()
        for rep in range(reps):
            for n in sizes:
                # A different order each repetition, so a burst of other load does not always hit the same tool.
                for tool in tools[rep % len(tools):] + tools[:rep % len(tools)]:
                    if n != sizes[0] and rep >= (self.args.big_loop_reps if tool in LOOPS else self.args.big_reps):
                        continue
                    self.cleanup()
                    if tool == 'floor':
                        t = self.timed(tool, n, 'create')
                        times[(tool, n, 'create')].append(t)
                        times[(tool, n, 'nochange')].append(t)
                    else:
                        times[(tool, n, 'create')].append(self.timed(tool, n, 'create'))
                        times[(tool, n, 'nochange')].append(self.timed(tool, n, 'nochange'))
                    c, nc = times[(tool, n, 'create')][-1], times[(tool, n, 'nochange')][-1]
                    print('rep %d/%d  N=%-3d  %-16s create %7.2f s  no-change %7.2f s'
                          % (rep + 1, reps, n, tool, c, nc), file=sys.stderr)
        self.cleanup()
        return times


# -- reporting --------------------------------------------------------------------------

def median(values):
    return statistics.median(values)


def table(times, sizes, tools):
    lines = ['| tool | N | runs | create: median (min-max) s | no-change: median (min-max) s | no-change per network ms |',
             '| --- | ---: | ---: | ---: | ---: | ---: |']
    for n in sizes:
        for tool in tools:
            c, nc = times[(tool, n, 'create')], times[(tool, n, 'nochange')]
            per = '' if tool == 'floor' else '%.0f' % (1000.0 * median(nc) / n)
            lines.append('| %s | %d | %d | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %s |'
                         % (TITLES[tool], n, len(c), median(c), min(c), max(c), median(nc), min(nc), max(nc), per))
    return '\n'.join(lines)


def ratios(times, sizes, tools):
    """Each target ratio two ways: of the medians, and the median of the ratios within each repetition.

    The second pairs runs made minutes apart at most, so a change in the
    machine's load during the bench moves it less.
    """
    need = {'docker_networks', 'community_loop', 'raw_sdk', 'floor'}
    if not need.issubset(tools):
        return '(ratios need the tools %s)' % ', '.join(sorted(need))
    lines = ['| ratio | N | of the medians | median of per-repetition ratios (pairs) | target | met (both) |',
             '| --- | ---: | ---: | ---: | ---: | --- |']
    specs_ = [
        ('no-change: community loop / docker_networks', ['community_loop/nochange'], ['docker_networks/nochange'],
         '>= 8x', lambda v: v >= 8),
        ('no-change: docker_networks / (floor + raw SDK no-change)', ['docker_networks/nochange'],
         ['floor/nochange', 'raw_sdk/nochange'], '<= 1.3x', lambda v: v <= 1.3),
        ('create: community loop / docker_networks', ['community_loop/create'], ['docker_networks/create'],
         '>= 4x', lambda v: v >= 4),
    ]
    if 'ours_loop' in tools:
        specs_.append(('no-change: our docker_network loop / docker_networks (information)', ['ours_loop/nochange'],
                       ['docker_networks/nochange'], '-', None))
    for n in sizes:
        runs = dict((k[0] + '/' + k[2], v) for k, v in times.items() if k[1] == n)
        for label, top, bottom, target, ok in specs_:
            of_medians = sum(median(runs[k]) for k in top) / sum(median(runs[k]) for k in bottom)
            pairs = min(len(runs[k]) for k in top + bottom)
            paired = median([sum(runs[k][i] for k in top) / sum(runs[k][i] for k in bottom) for i in range(pairs)])
            met = '-' if ok is None else ('yes' if ok(of_medians) and ok(paired) else
                                          '**no**' if not ok(of_medians) and not ok(paired) else '**one of two**')
            lines.append('| %s | %d | %.2fx | %.2fx (%d) | %s | %s |' % (label, n, of_medians, paired, pairs, target, met))
    return '\n'.join(lines)


def versions(api):
    from importlib import metadata  # pylint: disable=import-outside-toplevel
    from ansible.release import __version__ as core  # pylint: disable=import-outside-toplevel
    import ansible_collections.community.docker as cd  # pylint: disable=import-outside-toplevel
    manifest = os.path.join(list(cd.__path__)[0], 'MANIFEST.json')
    with open(manifest) as f:
        cd_version = json.load(f)['collection_info']['version']
    engine = api.version()
    return [('ansible-core', core), ('ansible (PyPI package)', metadata.version('ansible')),
            ('community.docker (bundled with it)', cd_version), ('docker SDK', docker.__version__),
            ('pyroute2', metadata.version('pyroute2')), ('Python', platform.python_version()),
            ('Docker Engine', '%s (API %s)' % (engine.get('Version'), engine.get('ApiVersion')))]


def machine():
    mem = ''
    with open('/proc/meminfo') as f:
        for line in f:
            if line.startswith('MemTotal:'):
                mem = '%.1f GiB' % (int(line.split()[1]) / 1024.0 / 1024.0)
    cpu = ''
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    return [('CPUs (nproc)', str(os.cpu_count())), ('CPU', cpu or 'unknown'), ('memory', mem),
            ('kernel', platform.release())]


def collection_paths(env):
    """Where ansible-playbook finds each collection; ours must be the worktree's."""
    out = subprocess.run([os.path.join(VENV, 'bin', 'ansible-galaxy'), 'collection', 'list', '--format', 'json'],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True,
                         check=True).stdout
    found = {}
    for path, colls in json.loads(out).items():
        for name in colls:
            found.setdefault(name, path)
    ours, community = found.get('netprov.dockernet'), found.get('community.docker')
    if ours != os.path.join(COLLECTIONS, 'ansible_collections'):
        raise SystemExit('bench: netprov.dockernet resolves to %s, not this worktree\'s %s' % (ours, COLLECTIONS))
    if not community or 'site-packages' not in community:
        raise SystemExit('bench: community.docker resolves to %s, not the ansible package\'s site-packages'
                         % community)
    return ours, community


def report(args, times, info, elapsed):
    sizes, tools = args.sizes, args.tools
    head = ['## Results', '',
            'Generated by `%s` on %s UTC; the whole run took %.0f s (warm-up and clean-up included). Each cell is '
            'the median and the spread (min-max) of whole-process wall times over `runs` repetitions (%d at N=%d; '
            'at larger N %d for the single-process tools and %d for the loops, which take minutes each). '
            'Load average (1 min) of the machine over the timed runs: median %.1f, max %.1f on %d CPUs%s.'
            % (info['command'], time.strftime('%Y-%m-%d %H:%M', time.gmtime()), elapsed, args.reps, sizes[0],
               args.big_reps, args.big_loop_reps, median(info['load']), max(info['load']), os.cpu_count(),
               ' (other work was running: the absolute times are inflated, the ratios less so)'
               if median(info['load']) > 1.5 else ''), '',
            table(times, sizes, tools), '', '### Ratios', '', ratios(times, sizes, tools), '',
            '### Machine and versions', '', '| what | value |', '| --- | --- |']
    head += ['| %s | %s |' % kv for kv in info['machine'] + info['versions']]
    head += ['| netprov.dockernet from | `%s` |' % os.path.relpath(info['paths'][0], ROOT),
             '| community.docker from | `%s` |' % os.path.relpath(info['paths'][1], ROOT),
             '| collection commit | `%s` |' % info['commit']]
    return '\n'.join(head) + '\n'


def write_doc(text, begin=BEGIN, end=END):
    """Put ``text`` between the markers ``begin`` and ``end`` of docs/benchmarks.md (added at the end when missing)."""
    if os.path.exists(DOC):
        with open(DOC) as f:
            doc = f.read()
    else:
        doc = '# Benchmarks\n\n%s\n%s\n' % (begin, end)
    if begin not in doc or end not in doc:
        doc = doc.rstrip('\n') + '\n\n%s\n%s\n' % (begin, end)
    start, stop = doc.index(begin) + len(begin), doc.index(end)
    with open(DOC, 'w') as f:
        f.write(doc[:start] + '\n' + text + doc[stop:])


def parse_args(argv):
    ap = argparse.ArgumentParser(description='docker_networks side-by-side benchmark (see bench/README.md)')
    ap.add_argument('--reps', type=int, default=5, help='timed repetitions of every tool at the first size (default 5)')
    ap.add_argument('--big-reps', type=int, default=3,
                    help='repetitions of docker_networks, raw SDK and floor at the later sizes (default 3, at most --reps)')
    ap.add_argument('--big-loop-reps', type=int, default=1,
                    help='repetitions of the two loops at the later sizes, where one loop run takes minutes '
                         '(default 1, at most --reps)')
    ap.add_argument('--quick', action='store_true', help='--reps 2 --big-reps 2 (the big loops still --big-loop-reps)')
    ap.add_argument('--sizes', default='20,100', help='comma-separated network counts (default 20,100)')
    ap.add_argument('--tools', default=','.join(TOOLS), help='comma-separated subset of: %s' % ', '.join(TOOLS))
    ap.add_argument('--no-write', action='store_true', help='print only; leave docs/benchmarks.md alone')
    args = ap.parse_args(argv)
    if args.quick:
        args.reps = args.big_reps = 2
    args.big_reps = max(1, min(args.big_reps, args.reps))
    args.big_loop_reps = max(1, min(args.big_loop_reps, args.reps))
    args.sizes = [int(s) for s in args.sizes.split(',')]
    args.tools = [t for t in TOOLS if t in args.tools.split(',')]
    capacity = 2 ** (PREFIXLEN - RANGE.prefixlen)
    if max(args.sizes) > capacity:
        ap.error('at most %d networks fit in %s as /%d subnets' % (capacity, RANGE, PREFIXLEN))
    return args


def ensure_collection_link():
    """The layout scripts/bootstrap.sh makes: .build/collections/ansible_collections/netprov/dockernet -> ROOT."""
    parent = os.path.join(COLLECTIONS, 'ansible_collections', 'netprov')
    link = os.path.join(parent, 'dockernet')
    if not os.path.exists(link):
        os.makedirs(parent, exist_ok=True)
        os.symlink(ROOT, link)


def main(argv):
    args = parse_args(argv[1:])
    if os.path.realpath(sys.prefix) != os.path.realpath(VENV):
        print('bench: run me with %s (bench/run.sh builds it)' % PYTHON, file=sys.stderr)
        return 2
    ensure_collection_link()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix='netprov-bench-') as tmp:
        bench = Bench(args, tmp)
        info = {
            'command': os.environ.get('BENCH_COMMAND', '').strip() or ' '.join(
                shlex.quote(a) for a in [os.path.relpath(argv[0], ROOT)] + argv[1:]),
            'machine': machine(), 'versions': versions(bench.api), 'paths': collection_paths(bench.env),
            'commit': subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'], stdout=subprocess.PIPE,
                                     universal_newlines=True, check=False).stdout.strip() or 'unknown',
        }
        print('bench: prefix %s, sizes %s, %d reps, tools %s' % (bench.prefix, args.sizes, args.reps,
                                                                 ', '.join(args.tools)), file=sys.stderr)
        try:
            times = bench.run()
        finally:
            bench.cleanup()
        info['load'] = bench.load
    text = report(args, times, info, time.perf_counter() - started)
    print(text)
    if not args.no_write:
        write_doc(text)
        print('bench: wrote %s' % os.path.relpath(DOC, ROOT), file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
