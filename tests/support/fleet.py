"""A test fleet: N Docker Engines on this machine, one per network namespace.

Each engine runs its own ``dockerd`` (own data root, exec root, pid file,
unix socket, ``bip`` and address pool) under ``nsenter --net=`` in a
namespace made with ``ip netns add``; the namespaces hang off one Linux
bridge in the root namespace through veth pairs. Every address comes from
one range (198.18.128.0/18 unless told otherwise), laid out in /24 blocks:

====================  ==========================================
block 0               the link between engines (engine K: .(10+K))
blocks 1..15          engine K's ``bip`` (block K, gateway .1)
blocks 16..47         engine K's default address pool (a /23, /26 nets)
blocks 48..55 (/21)   ``swarm_pool``: for swarm ``default_addr_pool``
blocks 56..63 (/21)   ``scratch``: free for tests (gwbridge subnets, ...)
====================  ==========================================

The bridge has no address, so the root namespace gets no route into the
range and nothing can leave through eth0. ``ip netns exec`` is not used:
it remounts /sys and dockerd then fails ("Devices cgroup isn't mounted").

Every resource is recorded in ``DIR/fleet.json`` before it is made, so
``down`` cleans up after a partial ``up`` or a crashed test run too.

For humans::

    python tests/support/fleet.py up 3 /tmp/f     # prints the inventory path
    python tests/support/fleet.py down /tmp/f

For pytest, see ``tests/support/fleet_fixtures.py`` (fixture ``fleet``).
"""
import binascii
import contextlib
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON = os.path.join(ROOT, '.venv', 'bin', 'python')
DOCKER = '/usr/bin/docker'
DOCKERD = '/usr/sbin/dockerd'
MAIN_SOCKET = 'unix:///var/run/docker.sock'
DEFAULT_RANGE = os.environ.get('NETPROV_FLEET_RANGE', '198.18.128.0/18')
DEFAULT_IMAGE = os.environ.get('NETPROV_TEST_IMAGE', 'netprov-test/busybox:latest')
MAX_ENGINES = 15
PATH = '/usr/sbin:/sbin:/usr/bin:/bin:' + os.environ.get('PATH', '')


class FleetError(Exception):
    pass


def _run(cmd, check=True, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PATH=PATH), check=False, **kw)
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise FleetError('%s failed (rc=%d): %s' % (' '.join(cmd), proc.returncode, detail))
    return proc


def plan_addresses(cidr, n):
    """The address layout of a fleet of ``n`` engines in ``cidr`` (a /18, or a smaller range down to a /21).

    A smaller range keeps the same 64-block layout with every block scaled
    down (a /21 has /27 blocks, a /26 default pool cut into /29s).
    """
    net = ipaddress.ip_network(cidr)
    if not 18 <= net.prefixlen <= 21:
        raise FleetError('fleet range %s: must be a /18 to a /21 (64 blocks)' % cidr)
    if not 1 <= n <= MAX_ENGINES:
        raise FleetError('fleet size %d: must be between 1 and %d' % (n, MAX_ENGINES))
    shift = net.prefixlen - 18
    blocks = list(net.subnets(new_prefix=24 + shift))
    link = blocks[0]
    engines = []
    for k in range(1, n + 1):
        pool = ipaddress.ip_network('%s/%d' % (blocks[16 + 2 * (k - 1)].network_address, 23 + shift))
        engines.append({
            'addr': str(link.network_address + 10 + k),
            'bip': '%s/%d' % (blocks[k].network_address + 1, 24 + shift),
            'pool': str(pool),
            'pool_size': 26 + shift,
        })
    return {
        'link': str(link),
        'engines': engines,
        'swarm_pool': '%s/%d' % (blocks[48].network_address, 21 + shift),
        'scratch': '%s/%d' % (blocks[56].network_address, 21 + shift),
    }


class Fleet(object):
    """N engines; ``up()`` starts them, ``down()`` removes everything."""

    def __init__(self, n, workdir, cidr=DEFAULT_RANGE, image=DEFAULT_IMAGE, tag=None, binaries=None,
                 dockerd_args=None):
        self.n = n
        # more dockerd options, the same for every engine; '{addr}' in one stands for the engine's address
        self.dockerd_args = list(dockerd_args or [])
        # Another Docker Engine's binaries (scripts/engines.py: Engine.binaries()): dockerd, docker and
        # the directories that go first on PATH (docker-proxy, docker-init); the system's by default.
        self.binaries = binaries or {'dockerd': DOCKERD, 'docker': DOCKER, 'path': []}
        self.dockerd = self.binaries['dockerd']
        self.docker_cli = self.binaries['docker']
        self.path = ':'.join(list(self.binaries['path']) + [PATH])
        self.dir = os.path.abspath(workdir)
        self.cidr = cidr
        self.image = image
        self.tag = tag or binascii.hexlify(os.urandom(2)).decode()
        self.layout = plan_addresses(cidr, n)
        self.bridge = 'npsbr%s' % self.tag
        self.engines = []
        for k, addrs in enumerate(self.layout['engines'], 1):
            name = 'engine%d' % k
            self.engines.append(dict(
                addrs, name=name, k=k,
                netns='nps%s-%s' % (self.tag, name),
                veth='nps%se%d' % (self.tag, k),
                dir=os.path.join(self.dir, name),
                socket=os.path.join(self.dir, '%s.sock' % name),
                url='unix://%s' % os.path.join(self.dir, '%s.sock' % name),
                pid=None,
            ))
        self.inventory = os.path.join(self.dir, 'inventory.ini')
        self.forward_rule = ['FORWARD', '-i', self.bridge, '-o', self.bridge, '-j', 'ACCEPT']
        self.made = []  # what exists, in creation order: ('bridge',), ('netns', name), ...
        self.owner = os.getpid()  # the process that made it; a fleet whose owner died is stale
        self.up_seconds = None

    # -- state file ------------------------------------------------------------
    @property
    def state_file(self):
        return os.path.join(self.dir, 'fleet.json')

    def _save(self):
        state = dict(n=self.n, dir=self.dir, cidr=self.cidr, image=self.image, tag=self.tag, binaries=self.binaries,
                     dockerd_args=self.dockerd_args, made=self.made, pids=[e['pid'] for e in self.engines], owner=self.owner)
        tmp = self.state_file + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(state, f, indent=1)
        os.rename(tmp, self.state_file)

    def _record(self, *item):
        self.made.append(list(item))
        self._save()

    @classmethod
    def load(cls, workdir):
        path = os.path.join(os.path.abspath(workdir), 'fleet.json')
        with open(path) as f:
            state = json.load(f)
        fleet = cls(state['n'], state['dir'], cidr=state['cidr'], image=state['image'], tag=state['tag'],
                    binaries=state.get('binaries'), dockerd_args=state.get('dockerd_args'))
        fleet.made = state['made']
        fleet.owner = state.get('owner')
        for engine, pid in zip(fleet.engines, state['pids']):
            engine['pid'] = pid
        return fleet

    # -- helpers for tests -------------------------------------------------------
    @property
    def swarm_pool(self):
        return self.layout['swarm_pool']

    @property
    def scratch(self):
        return self.layout['scratch']

    def engine(self, name_or_k):
        for e in self.engines:
            if name_or_k in (e['name'], e['k']):
                return e
        raise KeyError(name_or_k)

    def docker(self, name_or_k, *args, check=True, timeout=120):
        """Run the engine's own CLI against one fleet engine."""
        e = self.engine(name_or_k)
        return _run([self.docker_cli, '-H', e['url']] + list(args), check=check, timeout=timeout)

    def client(self, name_or_k):
        import docker
        return docker.APIClient(base_url=self.engine(name_or_k)['url'], version='auto', timeout=60)

    def leave_swarms(self, timeout=60):
        """Every engine leaves its swarm (force), before the fleet is taken down; dead or hung engines are skipped."""
        for e in self.engines:
            try:
                self.docker(e['name'], 'swarm', 'leave', '--force', check=False, timeout=timeout)
            except Exception:   # a dead engine, a hung call: the fleet is taken down anyway
                pass

    # -- up ------------------------------------------------------------------------
    def up(self):
        t0 = time.monotonic()
        if os.path.exists(self.state_file):
            raise FleetError('%s already holds a fleet; run `fleet.py down %s` first' % (self.dir, self.dir))
        os.makedirs(self.dir, exist_ok=True)
        self._save()
        try:
            self._network()
            self._start_engines()
            self._wait_engines()
            self._load_image()
            self._write_inventory()
        except BaseException:
            self.down()
            raise
        self.up_seconds = time.monotonic() - t0
        return self

    def _network(self):
        self._record('bridge', self.bridge)
        _run(['ip', 'link', 'add', self.bridge, 'type', 'bridge'])
        _run(['ip', 'link', 'set', self.bridge, 'up'])
        self._record('iptables', self.bridge)
        _run(['iptables', '-I'] + self.forward_rule)
        prefix = ipaddress.ip_network(self.layout['link']).prefixlen
        for e in self.engines:
            ns = e['netns']
            self._record('netns', ns)
            _run(['ip', 'netns', 'add', ns])
            _run(['ip', 'link', 'add', e['veth'], 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
            _run(['ip', 'link', 'set', e['veth'], 'master', self.bridge, 'up'])
            for cmd in (['link', 'set', 'lo', 'up'],
                        ['addr', 'add', '%s/%d' % (e['addr'], prefix), 'dev', 'eth0'],
                        ['link', 'set', 'eth0', 'up']):
                _run(['ip', '-n', ns] + cmd)

    def _start_engines(self):
        for e in self.engines:
            self._record('engine', e['name'])
            self._start_engine(e)

    def _start_engine(self, e):
        os.makedirs(e['dir'], exist_ok=True)
        config = os.path.join(e['dir'], 'daemon.json')
        with open(config, 'w') as f:
            f.write('{}\n')  # never read the machine's /etc/docker/daemon.json
        argv = [
            'nsenter', '--net=/run/netns/%s' % e['netns'],
            'unshare', '--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', 'fleet-%s' % e['name'],
            self.dockerd,
            '--config-file', config,
            '--data-root', os.path.join(e['dir'], 'data'),
            '--exec-root', os.path.join(e['dir'], 'exec'),
            '--pidfile', os.path.join(e['dir'], 'dockerd.pid'),
            '--host', e['url'],
            '--bip', e['bip'],
            '--default-address-pool', 'base=%s,size=%d' % (e['pool'], e['pool_size']),
            # its own containerd namespaces, in case a system containerd is shared
            '--containerd-namespace', e['netns'],
            '--containerd-plugins-namespace', e['netns'] + '-plugins',
            '--shutdown-timeout', '2',
            '--log-level', 'info',
        ] + [a.replace('{addr}', e['addr']) for a in self.dockerd_args]
        with open(os.path.join(e['dir'], 'dockerd.log'), 'ab') as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=dict(os.environ, PATH=self.path), start_new_session=True)
        e['pid'] = proc.pid  # nsenter, unshare and sh exec: this pid becomes dockerd
        e['proc'] = proc
        self._save()

    def _wait_engines(self, timeout=60):
        deadline = time.monotonic() + timeout
        for e in self.engines:
            self._wait_engine(e, deadline, timeout)

    def _wait_engine(self, e, deadline, timeout):
        while True:
            if e['proc'].poll() is not None:
                raise FleetError('%s: dockerd exited (rc=%s) before answering; log tail:\n%s'
                                 % (e['name'], e['proc'].returncode, self.log_tail(e)))
            if os.path.exists(e['socket']) and _answers(e['url'], self.docker_cli):
                return
            if time.monotonic() > deadline:
                raise FleetError('%s: dockerd did not answer on %s within %d s; log tail:\n%s'
                                 % (e['name'], e['socket'], timeout, self.log_tail(e)))
            time.sleep(0.2)

    # -- faults: an engine that dies and comes back ---------------------------------
    def kill(self, name_or_k, sig=signal.SIGKILL, timeout=30):
        """Stop one engine's dockerd abruptly (SIGKILL: no clean shutdown) and wait until it is gone."""
        e = self.engine(name_or_k)
        _signal(e['pid'], sig)
        deadline = time.monotonic() + timeout
        while _alive(e['pid'], e.get('proc')) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(e['pid'], e.get('proc')):
            raise FleetError('%s: dockerd %d still runs %d s after signal %d' % (e['name'], e['pid'], timeout, sig))

    def restart(self, name_or_k, timeout=60):
        """Start one engine's dockerd again on its data root (after ``kill``) and wait until it answers."""
        e = self.engine(name_or_k)
        if e.get('pid') and _alive(e['pid'], e.get('proc')):
            self.kill(name_or_k, signal.SIGTERM)
        # A killed dockerd's containerd may linger as a zombie: the new dockerd
        # would take its pid file for a live containerd and wait on a dead socket.
        for stale in ('dockerd.pid', os.path.join('exec', 'containerd', 'containerd.pid')):
            path = os.path.join(e['dir'], stale)
            try:
                with open(path) as f:
                    pid = int(f.read().strip() or 0)
            except (OSError, ValueError):
                continue
            if not pid or not _alive(pid):
                os.unlink(path)
        self._start_engine(e)
        self._wait_engine(e, time.monotonic() + timeout, timeout)

    def _load_image(self):
        tar = os.path.join(self.dir, 'image.tar')
        _run([DOCKER, '-H', MAIN_SOCKET, 'save', '-o', tar, self.image])
        procs = [subprocess.Popen([self.docker_cli, '-H', e['url'], 'load', '-q', '-i', tar],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for e in self.engines]
        for e, p in zip(self.engines, procs):
            out = p.communicate(timeout=120)[0]
            if p.returncode != 0:
                raise FleetError('%s: loading %s failed: %s' % (e['name'], self.image, out.strip()))
        os.unlink(tar)

    def _write_inventory(self):
        lines = ['[fleet]']
        for e in self.engines:
            lines.append('%s ansible_connection=local ansible_python_interpreter=%s docker_host=%s fleet_addr=%s'
                         % (e['name'], PYTHON, e['url'], e['addr']))
        lines += ['', '[fleet:vars]', 'fleet_swarm_pool=%s' % self.swarm_pool, '']
        with open(self.inventory, 'w') as f:
            f.write('\n'.join(lines))

    def log_tail(self, e, lines=20):
        try:
            with open(os.path.join(e['dir'], 'dockerd.log'), errors='replace') as f:
                return ''.join(f.readlines()[-lines:])
        except OSError:
            return '(no log)'

    # -- down ----------------------------------------------------------------------
    def down(self):
        """Remove everything ``up`` made, whatever state it is in; never raises for leftovers."""
        errors = []
        kinds = [m[0] for m in self.made]
        if 'engine' in kinds:
            self._stop_engines(errors)
        self._unmount(errors)
        for item in reversed(self.made):
            kind, name = item[0], item[1]
            if kind == 'netns':
                veth = next((e['veth'] for e in self.engines if e['netns'] == name), None)
                if veth:  # at once, not when the kernel gets round to freeing the namespace
                    _run(['ip', 'link', 'del', veth], check=False)
                _run(['ip', 'netns', 'del', name], check=False)
            elif kind == 'iptables':
                while _run(['iptables', '-D'] + self.forward_rule, check=False).returncode == 0:
                    pass
            elif kind == 'bridge':
                _run(['ip', 'link', 'del', self.bridge], check=False)
        for e in self.engines:
            for path in (e['dir'], e['socket']):
                try:
                    if os.path.isdir(path):
                        shutil.rmtree(path)
                    elif os.path.lexists(path):
                        os.unlink(path)
                except OSError as exc:
                    errors.append('remove %s: %s' % (path, exc))
        for name in ('inventory.ini', 'image.tar', 'fleet.json'):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                os.unlink(path)
        self.made = []
        if errors:
            sys.stderr.write('fleet down: leftovers:\n  %s\n' % '\n  '.join(errors))
        return errors

    def _names_us(self, pid):
        """Whether the process ``pid`` is one of this fleet's (its command line names the fleet's directory)."""
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as f:
                return self.dir + '/' in f.read().decode('utf-8', 'replace')
        except OSError:
            return False

    def _pids_of_ours(self):
        """Processes whose command line names this fleet's directory (dockerd, containerd, shims)."""
        return pids_naming(self.dir)

    def _stop_engines(self, errors, timeout=30):
        # A recorded pid (a fleet loaded from its state file) is signalled only while it still is that engine's
        # dockerd: pids are reused soon on a busy machine, and a stale fleet's may name another test run by now.
        engines = [e for e in self.engines if e.get('pid') and (e.get('proc') is not None or self._names_us(e['pid']))]
        for e in engines:
            _signal(e['pid'], signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for e in engines:
            pid = e.get('pid')
            while pid and _alive(pid, e.get('proc')) and time.monotonic() < deadline:
                time.sleep(0.2)
            if pid and _alive(pid, e.get('proc')):
                errors.append('%s: dockerd %d ignored SIGTERM for %d s; killed' % (e['name'], pid, timeout))
                _signal(pid, signal.SIGKILL)
        # containerd and shims a killed dockerd left behind
        stragglers = self._pids_of_ours()
        for pid in stragglers:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while stragglers and time.monotonic() < deadline:
            stragglers = [p for p in stragglers if _alive(p)]
            time.sleep(0.2)
        for pid in stragglers:
            _signal(pid, signal.SIGKILL)

    def _unmount(self, errors):
        errors.extend(unmount_under(self.dir))


@contextlib.contextmanager
def scratch_fleet(n, cidr, binaries=None, dockerd_args=None):
    """A fleet of ``n`` engines in ``cidr`` for one test module, always taken down (the options: see Fleet)."""
    reap_stale()
    workdir = tempfile.mkdtemp(prefix='nps-', dir='/tmp')  # short: unix socket paths have a limit
    fleet = Fleet(n, workdir, cidr=cidr, binaries=binaries, dockerd_args=dockerd_args)
    fleet.up()
    try:
        yield fleet
    finally:
        fleet.down()
        os.rmdir(workdir)


def reap_stale(parent='/tmp', prefix='nps-'):
    """Take down fleets under ``parent/prefix*`` whose owning process is gone (a killed test run)."""
    reaped = []
    for name in sorted(os.listdir(parent)):
        path = os.path.join(parent, name)
        if not name.startswith(prefix) or not os.path.isfile(os.path.join(path, 'fleet.json')):
            continue
        try:
            fleet = Fleet.load(path)
        except (OSError, ValueError, KeyError, FleetError):
            continue
        if fleet.owner and not _alive(fleet.owner):
            fleet.down()
            reaped.append(path)
            try:
                os.rmdir(path)
            except OSError:
                pass
    return reaped


def pids_naming(path):
    """Processes whose command line names a path under ``path`` (an engine's dockerd, containerd, shims)."""
    pids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as f:
                cmd = f.read().decode('utf-8', 'replace')
        except OSError:
            continue
        if path + '/' in cmd:
            pids.append(int(entry))
    return pids


def unmount_under(path):
    """Lazily unmount everything mounted at or under ``path``, deepest first; returns what failed."""
    mounts = []
    with open('/proc/self/mountinfo') as f:
        for line in f:
            point = line.split()[4].replace('\\040', ' ')
            if point == path or point.startswith(path + '/'):
                mounts.append(point)
    return ['umount -l %s failed' % point for point in sorted(set(mounts), key=len, reverse=True)
            if _run(['umount', '-l', point], check=False).returncode != 0]


def _answers(url, docker=DOCKER):
    try:
        return _run([docker, '-H', url, 'version'], check=False, timeout=10).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def _alive(pid, proc=None):
    if proc is not None:
        return proc.poll() is None
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().split(') ', 1)[1][0] != 'Z'
    except OSError:
        return False


def main(argv):
    usage = 'usage: fleet.py up N DIR | down DIR'
    if len(argv) == 3 and argv[0] == 'up':
        fleet = Fleet(int(argv[1]), argv[2])
        fleet.owner = None  # a human's fleet: never reaped as stale, only `down` removes it
        fleet.up()
        print('fleet: %d engines up in %.1f s' % (fleet.n, fleet.up_seconds))
        for e in fleet.engines:
            print('  %s  netns %s  addr %s  DOCKER_HOST=%s' % (e['name'], e['netns'], e['addr'], e['url']))
        print('inventory: %s' % fleet.inventory)
        print('swarm default_addr_pool for tests: %s' % fleet.swarm_pool)
        return 0
    if len(argv) == 2 and argv[0] == 'down':
        if not os.path.exists(os.path.join(argv[1], 'fleet.json')):
            print('fleet: nothing recorded in %s' % argv[1])
            return 0
        errors = Fleet.load(argv[1]).down()
        print('fleet: down%s' % (' with leftovers' if errors else ''))
        return 1 if errors else 0
    sys.stderr.write(usage + '\n')
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
