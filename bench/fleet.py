# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/site.yml on the sample fleet of `make demo`, against the floor, in one run (run by hand).

Brings up the sample fleet (scripts/fleet.sh, through tests/support/dind.py:
its own prefix, subnet and state directory, so a `make demo` fleet is left
alone) and times, with the same inventory and hosts:

  floor        `ansible HOSTS -m ansible.builtin.ping`: what reaching every host costs
  first        the first converge of site.yml on the fresh fleet
  no-change    site.yml again (every repetition must report changed=0 on every host),
               with the tasks, skipped tasks and module calls of each role on each host
               (bench/callback_plugins/netprov_counts.py)
  drift        site.yml after changing by hand, on one host, the shim's address (a link),
               the route through the shim, the `backend` network and a daemon.json key;
               the run must put each back (checked on the host), and change nothing elsewhere

Optionally the same fleet scaled to more hosts (--hosts 3,12): the hosts the
sample inventory has, plus generated ones with their own slice of the LAN,
converged, then floor and no-change again.

    .venv/bin/python bench/fleet.py [--hosts 3,12] [--reps 3] [--section NAME] [--no-write] [--keep]

Results: a markdown section on stdout, between the markers
`<!-- fleet:NAME:begin ... -->` and `<!-- fleet:NAME:end -->` in
docs/benchmarks.md, and the raw figures in .build/bench-fleet-NAME.json.
See bench/README.md.
"""
from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, '.build', 'collections'))
sys.path.insert(0, HERE)

from ansible_collections.netprov.dockernet.tests.support.ansible_play import ansible_env  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.netprov.dockernet.tests.support.dind import DindFleet, recap  # noqa: E402  pylint: disable=wrong-import-position
from run import machine, median, write_doc  # noqa: E402  pylint: disable=wrong-import-position

ANSIBLE = os.path.join(ROOT, '.venv', 'bin', 'ansible')
PLAYBOOK = os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook')
SAMPLE_CONFIG = os.path.join(ROOT, 'playbooks', 'ansible.cfg')
# This bench's addresses: the fleet's LAN (the outer engine's bridge network).
SUBNET = '198.19.224.0/24'
PREFIX = 'npbench'
DRIFT_HOST = 2


class Bench(object):
    def __init__(self, args):
        self.args = args
        self.workdir = tempfile.mkdtemp(prefix='netprov-benchfleet-')
        self.fleet = DindFleet(args.prefix, max(args.hosts), args.subnet, self.workdir)
        self.config = args.config
        if self.config is None:
            self.config = SAMPLE_CONFIG if os.path.exists(SAMPLE_CONFIG) else os.path.join(self.workdir, 'empty.cfg')
            if not os.path.exists(self.config):
                open(self.config, 'w').close()
        self.runs = []   # every timed run: dict(size, kind, seconds, load, recap, counts)
        self.counts_file = os.path.join(self.workdir, 'counts.json')

    # -- the fleet ---------------------------------------------------------------
    def up(self, size):
        self.fleet.size = size
        t0 = time.monotonic()
        self.fleet.fleet_sh('up')
        seconds = time.monotonic() - t0
        self.inventory(size)
        return seconds

    def inventory(self, size):
        """The sample inventory on this fleet's subnet, scaled to ``size`` hosts (host1 manages the swarm)."""
        if os.path.exists(self.fleet.inventory):
            subprocess.run(['rm', '-rf', self.fleet.inventory], check=True)
        self.fleet.write_inventory()
        connection = os.path.join(self.fleet.inventory, 'group_vars', 'all', 'connection.yml')
        with open(connection) as f:
            text = f.read()
        with open(connection, 'w') as f:  # the test fleet's 5 s (for a paused host) is short on a loaded machine
            f.write(text.replace('ansible_timeout: 5\n', 'ansible_timeout: 30\n'))
        if self.args.no_mesh:
            self.drop_mesh()
        base = self.fleet.base
        hosts_file = os.path.join(self.fleet.inventory, 'hosts.yml')
        with open(hosts_file) as f:
            doc = yaml.safe_load(f)
        groups = doc['all']['children']['docker_hosts']['children']
        have = list(groups['swarm_managers']['hosts']) + list(groups['swarm_workers']['hosts'])
        for k in range(len(have) + 1, size + 1):
            name = 'host%d' % k
            groups['swarm_workers']['hosts'][name] = {'ansible_host': '%s%d' % (base, 10 + k)}
            # the sample's hosts have .64/28 .. .96/28 and shims .121-.123; more hosts get /29s from .128
            with open(os.path.join(self.fleet.inventory, 'host_vars', name + '.yml'), 'w') as f:
                yaml.safe_dump({'sample_lan_range': '%s%d/29' % (base, 128 + 8 * (k - 4)),
                                'sample_shim_address': '%s%d' % (base, 200 + k)}, f)
        for group in ('swarm_managers', 'swarm_workers'):
            groups[group]['hosts'] = dict((h, v) for h, v in groups[group]['hosts'].items()
                                          if int(h[4:]) <= size)
        with open(hosts_file, 'w') as f:
            yaml.safe_dump(doc, f)

    def drop_mesh(self):
        """The inventory without the Open vSwitch mesh (--no-mesh: what the mesh costs, against a run with it)."""
        group = os.path.join(self.fleet.inventory, 'group_vars', 'docker_hosts')
        os.unlink(os.path.join(group, 'ovs.yml'))
        for name, key in (('interfaces.yml', 'interfaces_links'), ('report.yml', 'fleet_report_mesh')):
            with open(os.path.join(group, name)) as f:
                doc = yaml.safe_load(f)
            doc.pop(key, None)   # the mesh's underlay links (eth1, br-phy); the report's mesh check
            with open(os.path.join(group, name), 'w') as f:
                yaml.safe_dump(doc, f)

    def host_vars(self, k):
        with open(os.path.join(self.fleet.inventory, 'host_vars', 'host%d.yml' % k)) as f:
            return yaml.safe_load(f)

    # -- timed runs -----------------------------------------------------------------
    def env(self, extra=None):
        env = ansible_env({
            'ANSIBLE_CONFIG': self.config,
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'netprov_counts',
            'NETPROV_COUNTS_FILE': self.counts_file,
        })
        env.pop('ANSIBLE_FORKS', None)
        env.update(extra or {})
        return env

    def timed(self, size, kind, cmd, env=None, note=''):
        if os.path.exists(self.counts_file):
            os.unlink(self.counts_file)
        load = os.getloadavg()[0]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self.env(env), cwd=ROOT, timeout=3600,
                              check=False)
        seconds = time.monotonic() - t0
        counts = None
        if os.path.exists(self.counts_file):
            with open(self.counts_file) as f:
                counts = json.load(f)
        run = dict(size=size, kind=kind, seconds=round(seconds, 2), load=load, rc=proc.returncode,
                   recap=recap(proc.stdout), counts=counts, note=note)
        self.runs.append(run)
        print('bench fleet: %2d hosts  %-10s %6.2f s  load %.1f  rc %d %s'
              % (size, kind, seconds, load, proc.returncode, note), file=sys.stderr)
        if proc.returncode != 0:
            raise SystemExit('bench fleet: %s on %d hosts failed (rc=%d):\n%s\n%s'
                             % (kind, size, proc.returncode, proc.stdout[-6000:], proc.stderr[-3000:]))
        return run, proc

    def floor(self, size):
        run, proc = self.timed(size, 'floor', [ANSIBLE, '-i', self.fleet.inventory, 'docker_hosts', '-m',
                                               'ansible.builtin.ping'])
        if proc.stdout.count('SUCCESS') != size:
            raise SystemExit('bench fleet: the floor did not reach all %d hosts:\n%s' % (size, proc.stdout[-4000:]))
        return run

    def site(self, size, kind, *extra, **kw):
        run, proc = self.timed(size, kind, [PLAYBOOK, '-i', self.fleet.inventory,
                                            os.path.join(ROOT, 'playbooks', 'site.yml')] + list(extra), **kw)
        hosts = run['recap']
        if len(hosts) != size or any(h['failed'] or h['unreachable'] for h in hosts.values()):
            raise SystemExit('bench fleet: %s on %d hosts: recap %s\n%s' % (kind, size, hosts, proc.stdout[-6000:]))
        return run, proc

    def no_change(self, size, **kw):
        run, proc = self.site(size, 'no-change', **kw)
        changed = dict((h, c['changed']) for h, c in run['recap'].items() if c['changed'])
        if changed:
            raise SystemExit('bench fleet: a no-change run changed %s:\n%s' % (changed, proc.stdout[-8000:]))
        return run

    # -- drift: changes made by hand, which the next run must put back ---------------
    def drift(self, size):
        k, v = DRIFT_HOST, self.host_vars(DRIFT_HOST)
        shim, addr, lan = 'lanshim', v['sample_shim_address'] + '/32', v['sample_lan_range']
        on = self.fleet.on_host
        on(k, 'ip', 'route', 'del', lan, 'dev', shim)
        on(k, 'ip', 'addr', 'del', addr, 'dev', shim)  # after: the kernel drops a link's routes with its last address
        on(k, 'docker', 'network', 'rm', 'backend')
        on(k, 'python3', '-c', 'import json; p = "/etc/docker/daemon.json"; d = json.load(open(p)); '
                               'd["userland-proxy"] = True; json.dump(d, open(p, "w"), indent=2)')
        changes = ['route %s dev %s removed' % (lan, shim), '%s lost its address %s' % (shim, addr),
                   'Docker network backend removed', 'daemon.json userland-proxy set to true']
        run, proc = self.site(size, 'drift', note='(host%d: %s)' % (k, '; '.join(changes)))
        hosts = run['recap']
        others = dict((h, c['changed']) for h, c in hosts.items() if h != 'host%d' % k and c['changed'])
        if not hosts['host%d' % k]['changed'] or others:
            raise SystemExit('bench fleet: drift run: host%d changed=%d, others %s\n%s'
                             % (k, hosts['host%d' % k]['changed'], others, proc.stdout[-8000:]))
        back = {
            'link': addr in on(k, 'ip', '-o', 'addr', 'show', 'dev', shim).stdout,
            'route': bool(on(k, 'ip', 'route', 'show', lan, 'dev', shim).stdout.strip()),
            'network': on(k, 'docker', 'network', 'inspect', 'backend', '-f',
                          '{{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Internal}}', check=False).stdout.strip()
            == '198.18.235.0/24 true',
            'daemon.json': json.loads(on(k, 'cat', '/etc/docker/daemon.json').stdout).get('userland-proxy') is False
            and on(k, 'docker', 'info', '-f', '{{.ServerVersion}}', check=False).returncode == 0,
        }
        run['put_back'] = back
        if not all(back.values()):
            raise SystemExit('bench fleet: the drift run did not put back %s\n%s'
                             % ([w for w, ok in back.items() if not ok], proc.stdout[-8000:]))
        return run

    # -- the whole run -------------------------------------------------------------------
    def run(self):
        t0 = time.monotonic()
        sizes = sorted(self.args.hosts)
        info = {'up': {}}
        if not self.args.reuse:
            self.fleet.fleet_sh('down')
        try:
            for i, size in enumerate(sizes):
                info['up'][size] = round(self.up(size), 1)
                self.floor(size)  # untimed warm-up: SSH control connections, page caches
                self.runs.pop()
                if i == 0 and not self.args.reuse:
                    self.site(size, 'first')
                else:
                    self.site(size, 'converge', note='(%s)' % ('a reused fleet' if i == 0 else
                                                               'the hosts added since the last size converge'))
                for _rep in range(self.args.reps):
                    self.floor(size)
                    self.no_change(size)
                if i == 0 and not self.args.no_drift:
                    self.drift(size)
                    self.floor(size)
                    self.no_change(size)
                if size == sizes[-1] and self.args.variants:
                    self.variants(size)
        finally:
            if not self.args.keep:
                self.fleet.size = max(sizes)
                self.fleet.fleet_sh('down')
        info['seconds'] = round(time.monotonic() - t0)
        return info

    def variants(self, size):
        """One no-change run each with pipelining off and with 5 forks (Ansible's default)."""
        self.floor(size)
        self.site(size, 'variant', '-e', 'ansible_ssh_pipelining=false', note='pipelining off')
        self.floor(size)
        self.site(size, 'variant', env={'ANSIBLE_FORKS': '5'}, note='forks 5')


# ---------------------------------------------------------------- the report

def _times(runs, size, kind):
    return [r['seconds'] for r in runs if r['size'] == size and r['kind'] == kind]


def report(args, bench, info):
    runs = bench.runs
    sizes = sorted(args.hosts)
    loads = [r['load'] for r in runs]
    lines = ['Generated by `%s` on %s UTC (collection commit `%s`, %s); the whole run took %d s, fleet start-up '
             'included (%s). Load average (1 min) over the timed runs: median %.1f, max %.1f on %d CPUs.'
             % (info['command'], time.strftime('%Y-%m-%d %H:%M', time.gmtime()), info['commit'],
                'Ansible configuration `%s`' % os.path.relpath(bench.config, ROOT) if bench.config == SAMPLE_CONFIG
                else 'Ansible defaults (no ansible.cfg)', info['seconds'],
                ', '.join('%d hosts up in %.0f s' % (s, info['up'][s]) for s in sizes),
                median(loads), max(loads), os.cpu_count()), '',
             '| hosts | run | runs | median s | min-max s | / floor | load (1 min) |',
             '| ---: | --- | ---: | ---: | ---: | ---: | ---: |']
    for size in sizes:
        floor = median(_times(runs, size, 'floor'))
        for kind in ('floor', 'first', 'converge', 'no-change', 'drift', 'variant'):
            for note in sorted(set(r['note'] for r in runs if r['size'] == size and r['kind'] == kind)):
                sel = [r for r in runs if r['size'] == size and r['kind'] == kind and r['note'] == note]
                times = [r['seconds'] for r in sel]
                label = kind + (' ' + note if note and kind in ('converge', 'variant') else '')
                lines.append('| %d | %s | %d | %.2f | %.2f-%.2f | %s | %s |' % (
                    size, label, len(times), median(times), min(times), max(times),
                    '1.00x' if kind == 'floor' else '%.1fx' % (median(times) / floor),
                    '/'.join('%.1f' % r['load'] for r in sel)))
    drift = [r for r in runs if r['kind'] == 'drift']
    if drift:
        lines += ['', 'drift %s: the run put back %s; every other host reported changed=0.' % (
            drift[0]['note'], ', '.join(k for k, ok in drift[0]['put_back'].items() if ok))]
    if len(sizes) > 1:
        small, big = (median(_times(runs, s, 'no-change')) for s in (sizes[0], sizes[-1]))
        lines += ['', 'no-change on %d hosts / on %d hosts: %.2fx.' % (sizes[-1], sizes[0], big / small)]
    lines += ['', counts_table(runs, sizes[0])]
    if len(sizes) > 1:
        lines += ['', counts_table(runs, sizes[-1], hosts=('host1', 'host2'))]
    lines += ['', '| what | value |', '| --- | --- |'] + ['| %s | %s |' % kv for kv in machine()]
    return '\n'.join(lines) + '\n'


ROLE_ORDER = ['preflight', 'engine', 'interfaces', 'networks', 'swarm']


def counts_table(runs, size, hosts=None):
    """Per role: tasks (skipped among them) and module calls on each host, and wall seconds, of a no-change run."""
    run = next(r for r in runs if r['size'] == size and r['kind'] == 'no-change' and r['counts'])
    counts = run['counts']
    hosts = hosts or sorted(counts['hosts'], key=lambda h: int(h[4:]))
    roles = sorted(set(r for h in counts['hosts'].values() for r in h),
                   key=lambda r: (ROLE_ORDER.index(r) if r in ROLE_ORDER else (-1 if 'Reach' in r else 99), r))
    head = 'tasks (skipped) / module calls per host, one no-change run on %d hosts, %s' % (size, ', '.join(hosts))
    lines = ['| role | %s | s |' % head, '| --- | --- | ---: |']
    total = dict((h, [0, 0, 0]) for h in hosts)
    for role in roles:
        cells = []
        for h in hosts:
            c = counts['hosts'].get(h, {}).get(role, {'tasks': 0, 'skipped': 0, 'calls': 0})
            cells.append('%d (%d) / %d' % (c['tasks'], c['skipped'], c['calls']))
            for i, key in enumerate(('tasks', 'skipped', 'calls')):
                total[h][i] += c[key]
        lines.append('| %s | %s | %.1f |' % (role, ' · '.join(cells), counts['role_seconds'].get(role, 0)))
    lines.append('| **all** | %s | %.1f |' % (' · '.join('%d (%d) / %d' % tuple(total[h]) for h in hosts),
                                              run['seconds']))
    return '\n'.join(lines)


def parse_args(argv):
    ap = argparse.ArgumentParser(description='site.yml on the sample fleet against the floor (bench/README.md)')
    ap.add_argument('--hosts', default='3', help='fleet sizes, comma-separated; the first gets the drift run (3)')
    ap.add_argument('--reps', type=int, default=3, help='floor and no-change repetitions per size (3)')
    ap.add_argument('--section', default='results', help='the marker pair in docs/benchmarks.md to write (results)')
    ap.add_argument('--config', help='the ansible.cfg to run with (default playbooks/ansible.cfg, else none)')
    ap.add_argument('--prefix', default=PREFIX, help='host container prefix (%s)' % PREFIX)
    ap.add_argument('--subnet', default=SUBNET, help='the fleet LAN, a /24 (%s)' % SUBNET)
    ap.add_argument('--no-write', action='store_true', help='print only, leave docs/benchmarks.md alone')
    ap.add_argument('--keep', action='store_true', help='leave the fleet up at the end')
    ap.add_argument('--reuse', action='store_true', help='use a fleet left up by --keep (no first converge)')
    ap.add_argument('--no-drift', action='store_true', help='skip the drift run')
    ap.add_argument('--no-mesh', action='store_true',
                    help="the sample inventory without its Open vSwitch mesh (group_vars' ovs.yml and the underlay links)")
    ap.add_argument('--variants', action='store_true',
                    help='at the largest size, no-change with pipelining off and with 5 forks too')
    args = ap.parse_args(argv)
    args.hosts = [int(h) for h in args.hosts.split(',')]
    if any(not 3 <= h <= 20 for h in args.hosts):
        ap.error('--hosts: sizes from 3 to 20')
    return args


def main(argv):
    args = parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit('bench fleet: needs root (Docker-in-Docker hosts)')
    bench = Bench(args)
    info = bench.run()
    info['command'] = 'bench/fleet.py ' + ' '.join(argv)
    info['commit'] = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True,
                                    text=True, check=False).stdout.strip()
    text = report(args, bench, info)
    print(text)
    out = os.path.join(ROOT, '.build', 'bench-fleet-%s.json' % args.section)
    with open(out, 'w') as f:
        json.dump({'info': info, 'runs': bench.runs}, f, indent=1)
    if not args.no_write:
        write_doc(text, '<!-- fleet:%s:begin (written by bench/fleet.py) -->' % args.section,
                  '<!-- fleet:%s:end -->' % args.section)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
