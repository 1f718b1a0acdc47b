"""Newer Docker Engines beside the system's: Debian's 26.1.5 (trixie) and 28.5.2 (sid).

Usage (through scripts/engines.sh)::

    engines.sh fetch VERSION...    download and unpack (cached: a second fetch is offline)
    engines.sh start VERSION...    fetch, start, wait until it answers, load the test image
    engines.sh stop VERSION...     stop, unmount what it left, remove its directories and netns
                                   (refused while a test run holds a lease on it; --force)
    engines.sh status [VERSION...] what is cached and what runs
    engines.sh socket VERSION      print the engine's docker_host URL
    engines.sh start VERSION --for PID, release VERSION PID
                                   start on behalf of a process (a test run);
                                   the last live user's release stops an engine
                                   started that way, never one started by hand;
                                   status names the pids holding leases

VERSION is 20.10, 26.1 or 28.5 (or the full 20.10.24, 26.1.5, 28.5.2), or
``all`` for the two private engines. The version the machine's own docker.io
package has (20.10 on Debian 12, 26.1 on Debian 13) is the *system* engine on
/var/run/docker.sock: it is never touched here, beyond ``scripts/engine.sh
start`` (which starts dockerd only when nothing answers).

Fetching uses a private apt configuration under the cache directory (its own
sources list naming the mirror that /etc/apt/sources.list.d/debian.sources
names, its own lists and archive cache, no sources.list.d, no preferences):
``apt-get download docker.io docker-cli`` of the wanted version, then
``dpkg-deb -x`` into the cache. Nothing is installed; the system's docker.io
stays as it is. The unpacked dockerd must report the wanted version.

Each private engine runs in a network namespace of its own (``npe-26.1``,
``npe-28.5``) under ``nsenter --net=`` (``ip netns exec`` remounts /sys and
dockerd fails), with its own data root, exec root, pid file, unix socket, an
empty ``--config-file`` (never the machine's daemon.json), its own containerd
namespaces and cgroup parent, the unpacked binaries first on PATH and the
system's containerd and runc. Both can run at once.

Addresses (198.19.96.0/20; engine slot K: 26.1 is 1, 28.5 is 2, and 3 for
20.10 on a machine whose own engine is not 20.10):

======================  ==============================================
198.19.96.4K/30         the veth between the root namespace (``npeXYZ``,
                        .4K+1) and the engine's namespace (``npe0``, .4K+2)
198.19.(96+4K).0/22     the engine's: ``bip`` .(96+4K).1/24, default
                        address pools .(97+4K).0/24 and .(98+4K).0/23 in
                        /26 networks; routed from the root namespace via
                        the veth
198.19.97.0/24          tests' own subnets (tests/integration/
                        test_engine_matrix.py); each private engine has its
                        own namespace, so the same subnet serves each
198.19.98.0/24          free
198.19.99.0/24          free
======================  ==============================================

From the root namespace, an engine's namespace answers at .4K+2, and so do
the ports its containers publish. The engine's /22 is routed there: 26.1
lets that traffic through to a container's own address; 28.5 drops it unless
the network's gateway mode is ``routed``
(``com.docker.network.bridge.gateway_mode_ipv4``). Containers reach the
root side at .4K+1. The namespace has no default route: nothing leaves
through eth0.
"""
import fcntl
import ipaddress
import os
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'support'))

from fleet import _alive, _signal, pids_naming, unmount_under  # noqa: E402  pylint: disable=wrong-import-position

SYSTEM_SOCKET = 'unix:///var/run/docker.sock'
SYSTEM_DOCKER = '/usr/bin/docker'
SOURCES = '/etc/apt/sources.list.d/debian.sources'
IMAGE = os.environ.get('NETPROV_TEST_IMAGE', 'netprov-test/busybox:latest')
CACHE = os.environ.get('NETPROV_ENGINES_CACHE', '/var/cache/netprov-engines')
STATE = os.environ.get('NETPROV_ENGINES_STATE', '/var/lib/netprov-engines')
RUN = '/run/npe'  # short: unix socket paths under the exec root have a length limit
BLOCK = ipaddress.ip_network('198.19.96.0/20')
PATH = '/usr/sbin:/usr/bin:/sbin:/bin'

# key -> (Debian version prefix, suite, address slot)
ENGINES = {
    '20.10': ('20.10.24', 'bookworm', 3),
    '26.1': ('26.1.5', 'trixie', 1),
    '28.5': ('28.5.2', 'sid', 2),
}
PRIVATE = ('26.1', '28.5')


class EnginesError(Exception):
    pass


def run(cmd, check=True, **kw):
    kw.setdefault('env', dict(os.environ, PATH=PATH))
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    if check and proc.returncode != 0:
        raise EnginesError('%s failed (rc=%d): %s' % (' '.join(cmd), proc.returncode,
                                                      (proc.stderr or proc.stdout).strip()[-2000:]))
    return proc


def say(msg):
    sys.stdout.write(msg + '\n')
    sys.stdout.flush()


def key_of(version):
    for key, (full, _suite, _slot) in ENGINES.items():
        if version in (key, full):
            return key
    raise EnginesError('unknown engine version %r; known: %s (or all)' % (version, ', '.join(sorted(ENGINES))))


def system_version():
    """The upstream version of the machine's own docker.io package ('20.10.24'), or None."""
    proc = run(['dpkg-query', '-W', '-f', '${Version}', 'docker.io'], check=False)
    m = re.match(r'(\d+\.\d+\.\d+)', proc.stdout.strip()) if proc.returncode == 0 else None
    return m.group(1) if m else None


class Engine(object):
    def __init__(self, key):
        self.key = key
        self.full, self.suite, self.slot = ENGINES[key]
        self.system = system_version() == self.full
        self.cache = os.path.join(CACHE, self.full)
        self.root = os.path.join(self.cache, 'root')
        self.dockerd = os.path.join(self.root, 'usr', 'sbin', 'dockerd')
        self.run_dir = os.path.join(RUN, key)
        self.state_dir = os.path.join(STATE, key)
        self.data_root = os.path.join(self.state_dir, 'data')
        self.log = os.path.join(STATE, '%s.log' % key)  # kept after stop, for a post-mortem
        self.exec_root = os.path.join(self.run_dir, 'x')
        self.pidfile = os.path.join(self.run_dir, 'dockerd.pid')
        self.config = os.path.join(self.run_dir, 'daemon.json')
        self.leases = os.path.join(RUN, '%s.leases' % key)  # pids of test runs using it (start --for PID)
        self.netns = 'npe-%s' % key
        self.veth = 'npe%s' % key.replace('.', '')
        link = list(BLOCK.subnets(new_prefix=30))[self.slot]
        self.root_addr = '%s/30' % (link.network_address + 1)
        self.ns_addr = '%s/30' % (link.network_address + 2)
        own = list(BLOCK.subnets(new_prefix=22))[self.slot]
        self.own = str(own)
        base = own.network_address
        self.bip = '%s/24' % (base + 1)
        self.pools = ['%s/24' % (base + 256), '%s/23' % (base + 512)]
        self.cgroup_parent = '/npe-%s' % key
        if self.system:
            self.url = SYSTEM_SOCKET
            self.docker = SYSTEM_DOCKER
        else:
            self.url = 'unix://%s' % os.path.join(self.run_dir, 'docker.sock')
            self.docker = os.path.join(self.root, 'usr', 'bin', 'docker')

    def binaries(self):
        """This engine's dockerd and docker CLI, and the directories to put first on PATH (docker-proxy,
        docker-init), for starting more daemons of the same release (tests/support/fleet.py); None for the system's."""
        if self.system:
            return None
        return {'dockerd': self.dockerd, 'docker': self.docker,
                'path': [os.path.join(self.root, 'usr', 'sbin'), os.path.join(self.root, 'usr', 'bin')]}

    # -- fetch -------------------------------------------------------------------
    def fetched(self):
        try:
            with open(os.path.join(self.cache, 'VERSION')) as f:
                return f.read().strip()
        except OSError:
            return None

    def fetch(self):
        if self.system:
            say('%s: the system engine (docker.io %s): nothing to fetch' % (self.key, self.full))
            return
        have = self.fetched()
        if have and os.path.exists(self.dockerd) and os.path.exists(self.docker):
            say('%s: cached in %s (%s)' % (self.key, self.cache, have))
            return
        t0 = time.monotonic()
        debs = os.path.join(self.cache, 'debs')
        os.makedirs(debs, exist_ok=True)
        if not self._debs(debs):
            apt = PrivateApt(os.path.join(CACHE, 'apt', self.suite), self.suite)
            packages = apt.versions(self.full)
            if not packages:
                say('%s: apt-get update for suite %s (private lists in %s)' % (self.key, self.suite, apt.dir))
                apt.update()
                packages = apt.versions(self.full)
            if 'docker.io' not in packages:
                raise EnginesError('%s: the %s suite has no docker.io %s (it has: %s); update ENGINES in %s'
                                   % (self.key, self.suite, self.full, apt.candidates('docker.io'), __file__))
            apt.download(['%s=%s' % item for item in sorted(packages.items())], debs)
        tmp = self.root + '.tmp'
        shutil.rmtree(tmp, ignore_errors=True)
        for deb in self._debs(debs):
            run(['dpkg-deb', '-x', os.path.join(debs, deb), tmp])
        init = os.path.join(tmp, 'usr', 'bin', 'docker-init')
        if os.path.islink(init) and not os.path.exists(init) and os.path.exists('/usr/bin/tini-static'):
            os.unlink(init)  # it points at tini-static next to it, which is the system's tini package
            os.symlink('/usr/bin/tini-static', init)
        version = self._check_version(os.path.join(tmp, 'usr', 'sbin', 'dockerd'))
        self._check_version(os.path.join(tmp, 'usr', 'bin', 'docker'))
        shutil.rmtree(self.root, ignore_errors=True)
        os.rename(tmp, self.root)
        with open(os.path.join(self.cache, 'VERSION'), 'w') as f:
            f.write(version + '\n')
        say('%s: fetched and unpacked into %s in %.1f s (%s)' % (self.key, self.root, time.monotonic() - t0, version))

    def _debs(self, debs):
        names = sorted(n for n in os.listdir(debs) if n.endswith('.deb') and '_%s' % self.full in n)
        return names if any(n.startswith('docker.io_') for n in names) else []

    def _check_version(self, binary):
        if not os.path.exists(binary):
            raise EnginesError('%s: %s is not in the package' % (self.key, binary))
        out = run([binary, '--version']).stdout.strip()
        m = re.search(r'version (\d+\.\d+\.\d+)', out)
        if not m or m.group(1) != self.full:
            raise EnginesError('%s: %s reports %r, not %s' % (self.key, binary, out, self.full))
        return out

    # -- state ---------------------------------------------------------------------
    def pid(self):
        try:
            with open(self.pidfile) as f:
                pid = int(f.read().strip() or 0)
        except (OSError, ValueError):
            return None
        return pid if pid and _alive(pid) and self.run_dir + '/' in _cmdline(pid) else None

    def answers(self, timeout=10):
        """(server version, API version, minimum API version), or None when nothing answers."""
        try:
            proc = run([self.docker, '-H', self.url, 'version', '--format',
                        '{{.Server.Version}} {{.Server.APIVersion}} {{.Server.MinAPIVersion}}'],
                       check=False, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        parts = proc.stdout.split()
        return tuple(parts) if proc.returncode == 0 and len(parts) == 3 else None

    def describe(self, answer):
        return 'Docker Engine %s, API %s (minimum %s) on %s' % (answer + (self.url,))

    # -- start -------------------------------------------------------------------
    def start(self, lease=None):
        """Start unless it runs; with ``lease`` (a pid), record that process as a user (see ``release``)."""
        if self.system:
            return self._start_system()
        with self._lock():
            self.fetch()
            if lease:
                os.makedirs(self.leases, exist_ok=True)
                open(os.path.join(self.leases, str(lease)), 'w').close()
            answer = self.answers() if self.pid() else None
            if answer:
                say('%s: already running (pid %d): %s' % (self.key, self.pid(), self.describe(answer)))
            else:
                if self._leftovers():
                    say('%s: cleaning up what a dead engine left' % self.key)
                self._teardown()
                try:
                    self._start()
                except BaseException:
                    self._teardown()  # a failed start leaves nothing behind (the log stays)
                    raise
                if lease:  # started for leases: the last release stops it
                    open(os.path.join(self.run_dir, 'leased'), 'w').close()
            self._load_image()
        say(self.url)
        return None

    def release(self, lease):
        """Drop one user's lease; stop the engine when a lease started it and no live lease remains."""
        if self.system:
            return
        with self._lock():
            users = self._live_leases(drop=lease)
            if users or not os.path.exists(os.path.join(self.run_dir, 'leased')):
                say('%s: released; left running (%s)' % (
                    self.key, 'still used by pid %s' % ', '.join(users) if users else 'not started for a lease'))
                return
            self._remove('released by its last user; stopped')

    def _start_system(self):
        run([os.path.join(ROOT, 'scripts', 'engine.sh'), 'start'])
        answer = self.answers()
        if not answer:
            raise EnginesError('%s: the system engine does not answer on %s' % (self.key, self.url))
        if not answer[0].startswith(self.full):
            raise EnginesError('%s: the engine on %s is %s, not %s' % (self.key, self.url, answer[0], self.full))
        run([os.path.join(ROOT, 'scripts', 'test-image.sh')])
        say('%s: the system engine: %s' % (self.key, self.describe(answer)))
        say(self.url)

    def _start(self):
        t0 = time.monotonic()
        self._network()
        for d in (self.run_dir, self.data_root):
            os.makedirs(d, exist_ok=True)
        with open(self.config, 'w') as f:
            f.write('{}\n')  # never the machine's /etc/docker/daemon.json
        argv = ['nsenter', '--net=/run/netns/%s' % self.netns, '--', self.dockerd,
                '--config-file', self.config,
                '--data-root', self.data_root,
                '--exec-root', self.exec_root,
                '--pidfile', self.pidfile,
                '--host', self.url,
                '--bip', self.bip,
                '--containerd-namespace', self.netns,
                '--containerd-plugins-namespace', self.netns + '-plugins',
                '--cgroup-parent', self.cgroup_parent,
                '--shutdown-timeout', '2']
        for pool in self.pools:
            argv += ['--default-address-pool', 'base=%s,size=26' % pool]
        env = dict(os.environ, PATH=':'.join(self.binaries()['path'] + [PATH]))
        env.pop('DOCKER_HOST', None)
        with open(self.log, 'wb') as log:
            # its own session: the shell or test run that started it may end first
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, start_new_session=True, cwd='/')
        deadline = time.monotonic() + 60
        while True:
            answer = self.answers(timeout=5) if os.path.exists(self.url[len('unix://'):]) else None
            if answer:
                break
            if proc.poll() is not None:
                raise EnginesError('%s: dockerd exited (rc=%s) before answering; log tail:\n%s'
                                   % (self.key, proc.returncode, self.log_tail()))
            if time.monotonic() > deadline:
                raise EnginesError('%s: dockerd did not answer on %s within 60 s; log tail:\n%s'
                                   % (self.key, self.url, self.log_tail()))
            time.sleep(0.2)
        say('%s: started (pid %d) in %.1f s: %s' % (self.key, proc.pid, time.monotonic() - t0, self.describe(answer)))
        return answer

    def _network(self):
        run(['ip', 'netns', 'add', self.netns])
        ns = ['ip', '-n', self.netns]
        run(['ip', 'link', 'add', self.veth, 'type', 'veth', 'peer', 'name', 'npe0', 'netns', self.netns])
        run(ns + ['link', 'set', 'lo', 'up'])
        run(ns + ['addr', 'add', self.ns_addr, 'dev', 'npe0'])
        run(ns + ['link', 'set', 'npe0', 'up'])
        run(['ip', 'addr', 'add', self.root_addr, 'dev', self.veth])
        run(['ip', 'link', 'set', self.veth, 'up'])
        run(['ip', 'route', 'replace', self.own, 'via', self.ns_addr.split('/')[0], 'dev', self.veth])

    def _load_image(self):
        if run([self.docker, '-H', self.url, 'image', 'inspect', IMAGE], check=False).returncode == 0:
            return
        t0 = time.monotonic()
        if run([SYSTEM_DOCKER, '-H', SYSTEM_SOCKET, 'version'], check=False, timeout=20).returncode == 0:
            run([os.path.join(ROOT, 'scripts', 'test-image.sh')])
            tar = os.path.join(self.run_dir, 'image.tar')
            run([SYSTEM_DOCKER, '-H', SYSTEM_SOCKET, 'save', '-o', tar, IMAGE])
            run([self.docker, '-H', self.url, 'load', '-q', '-i', tar])
            os.unlink(tar)
            how = 'loaded from the system engine'
        else:  # no system engine to copy from: build the same image in this one
            run([os.path.join(ROOT, 'scripts', 'test-image.sh')], env=dict(os.environ, DOCKER_HOST=self.url))
            how = 'built (no system engine to copy it from)'
        say('%s: test image %s %s in %.1f s' % (self.key, IMAGE, how, time.monotonic() - t0))

    def log_tail(self, lines=25):
        try:
            with open(self.log, errors='replace') as f:
                return ''.join(f.readlines()[-lines:])
        except OSError:
            return '(no log)'

    # -- stop --------------------------------------------------------------------
    def stop(self, force=False):
        """Stop and remove; refused while a live process holds a lease on it, unless ``force``."""
        if self.system:
            say('%s: the system engine on %s: left alone' % (self.key, self.url))
            return
        with self._lock():
            if not self._leftovers():
                say('%s: not running' % self.key)
                return
            users = self._live_leases()
            if users and not force:
                raise EnginesError('%s: in use by pid %s (start --for); not stopped: wait for them to release it, '
                                   'or stop --force' % (self.key, ', '.join(users)))
            self._remove('stopped')

    def _live_leases(self, drop=None):
        """The pids holding a lease, after removing ``drop``'s and those of processes that are gone."""
        for name in os.listdir(self.leases) if os.path.isdir(self.leases) else []:
            if name == str(drop) or not (name.isdigit() and _alive(int(name))):
                os.unlink(os.path.join(self.leases, name))
        return sorted(os.listdir(self.leases)) if os.path.isdir(self.leases) else []

    def _remove(self, what):
        t0 = time.monotonic()
        errors = self._teardown()
        if errors:
            raise EnginesError('%s: %s with leftovers:\n  %s' % (self.key, what, '\n  '.join(errors)))
        say('%s: %s and removed in %.1f s' % (self.key, what, time.monotonic() - t0))

    def _leftovers(self):
        return (os.path.exists(self.run_dir) or os.path.exists(self.state_dir)
                or os.path.exists('/run/netns/%s' % self.netns) or os.path.exists('/sys/class/net/%s' % self.veth))

    def _ours(self):
        return pids_naming(self.run_dir) + pids_naming(self.state_dir)

    def _teardown(self, timeout=30):
        """Everything this engine made goes, whatever state it is in; returns what could not be removed."""
        errors = []
        pid = self.pid()
        if pid:
            # Nothing in a test engine is kept: kill its containers rather than wait out their stop timeouts.
            try:
                running = run([self.docker, '-H', self.url, 'ps', '-q'], check=False, timeout=10).stdout.split()
                if running:
                    run([self.docker, '-H', self.url, 'kill'] + running, check=False, timeout=30)
            except subprocess.TimeoutExpired:
                pass
            _signal(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(pid):
                errors.append('dockerd %d ignored SIGTERM for %d s; killed' % (pid, timeout))
        # containerd and shims a dead dockerd left, then the containers they ran
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for p in self._ours():
                _signal(p, sig)
            deadline = time.monotonic() + 10
            while self._ours() and time.monotonic() < deadline:
                time.sleep(0.2)
        self._kill_cgroups()
        errors += unmount_under(self.run_dir) + unmount_under(self.state_dir)
        for path in (self.run_dir, self.state_dir):
            try:
                shutil.rmtree(path)
            except FileNotFoundError:
                pass
            except OSError as exc:
                errors.append('remove %s: %s' % (path, exc))
        if os.path.exists('/sys/class/net/%s' % self.veth):
            run(['ip', 'link', 'del', self.veth], check=False)
        if os.path.exists('/run/netns/%s' % self.netns):
            proc = run(['ip', 'netns', 'del', self.netns], check=False)
            if proc.returncode != 0:
                errors.append('ip netns del %s: %s' % (self.netns, proc.stderr.strip()))
        return errors

    def _kill_cgroups(self):
        """Containers of a dockerd that died: their processes are in cgroups under our cgroup parent."""
        base = '/sys/fs/cgroup'
        tops = []
        for hierarchy in sorted(os.listdir(base)) if os.path.isdir(base) else []:
            top = os.path.join(base, hierarchy, self.cgroup_parent.lstrip('/'))
            if os.path.isdir(top):
                tops.append(top)
        for _attempt in range(20):
            pids = set()
            for top in tops:
                for d, _dirs, files in os.walk(top):
                    if 'cgroup.procs' in files:
                        with open(os.path.join(d, 'cgroup.procs')) as f:
                            pids.update(int(p) for p in f.read().split())
            if not pids:
                break
            for p in pids:
                _signal(p, signal.SIGKILL)
            time.sleep(0.2)
        for top in tops:
            for d, _dirs, _files in sorted(os.walk(top), key=lambda w: -len(w[0])):
                try:
                    os.rmdir(d)
                except OSError:
                    pass

    def _lock(self):
        return _Lock(os.path.join(RUN, '%s.lock' % self.key))

    # -- status ------------------------------------------------------------------
    def status(self):
        if self.system:
            answer = self.answers()
            return '%-6s system   %s' % (self.key, self.describe(answer) if answer else 'not answering on %s' % self.url)
        cached = 'cached' if self.fetched() else 'not fetched'
        pid = self.pid()
        answer = self.answers() if pid else None
        if answer:
            state = 'pid %d, %s, netns %s' % (pid, self.describe(answer), self.netns)
        elif self._leftovers():
            state = 'NOT answering (leftovers; `start` or `stop` cleans them up)'
        else:
            state = 'stopped'
        users = [n for n in (os.listdir(self.leases) if os.path.isdir(self.leases) else [])
                 if n.isdigit() and _alive(int(n))]
        if users:
            state += '; leased by pid %s' % ', '.join(sorted(users))
        return '%-6s private  %s; %s' % (self.key, cached, state)


class PrivateApt(object):
    """apt-get with its own sources list, lists and cache: the machine's apt state is never changed."""

    def __init__(self, directory, suite):
        self.dir = directory
        self.suite = suite
        self.sources = os.path.join(directory, 'sources.list')
        self.lists = os.path.join(directory, 'lists')
        self.cachedir = os.path.join(directory, 'cache')

    def options(self):
        if not os.path.exists(self.sources):
            uri, keyring = mirror()
            os.makedirs(os.path.join(self.lists, 'partial'), exist_ok=True)
            os.makedirs(os.path.join(self.cachedir, 'archives', 'partial'), exist_ok=True)
            signed = ' [signed-by=%s]' % keyring if keyring else ''
            with open(self.sources, 'w') as f:
                f.write('deb%s %s %s main\n' % (signed, uri, self.suite))
        return ['-o', 'Dir::Etc::sourcelist=%s' % self.sources, '-o', 'Dir::Etc::sourceparts=-',
                '-o', 'Dir::Etc::preferences=/dev/null', '-o', 'Dir::Etc::preferencesparts=-',
                '-o', 'Dir::State::Lists=%s' % self.lists, '-o', 'Dir::Cache=%s' % self.cachedir,
                '-o', 'Acquire::Languages=none', '-o', 'APT::Sandbox::User=root']

    def update(self):
        run(['apt-get', '-q'] + self.options() + ['update'], timeout=900)

    def candidates(self, package):
        proc = run(['apt-cache'] + self.options() + ['madison', package], check=False)
        return [line.split('|')[1].strip() for line in proc.stdout.splitlines() if line.count('|') >= 2]

    def versions(self, full):
        """package -> the Debian version of docker.io (and docker-cli, where the CLI is its own package) of ``full``."""
        found = {}
        for package in ('docker.io', 'docker-cli'):
            for version in self.candidates(package):
                if version.startswith(full + '+') and package not in found:
                    found[package] = version
        return found

    def download(self, specs, directory):
        run(['apt-get', '-q'] + self.options() + ['download'] + specs, cwd=directory, timeout=900)


def mirror():
    """(URI, keyring) of the Debian archive that the machine's own apt sources name."""
    try:
        with open(SOURCES) as f:
            stanzas = f.read().split('\n\n')
    except OSError as exc:
        raise EnginesError('cannot read %s (%s): it names the Debian mirror to fetch engines from' % (SOURCES, exc))
    for stanza in stanzas:
        fields = {}
        for line in stanza.splitlines():
            if ':' in line and not line.startswith(('#', ' ')):
                name, value = line.split(':', 1)
                fields[name.strip().lower()] = value.strip()
        suites = fields.get('suites', '').split()
        if fields.get('uris') and any(re.match(r'^[a-z]+(-updates)?$', s) for s in suites):
            return fields['uris'].split()[0], fields.get('signed-by')
    raise EnginesError('%s names no Debian archive (a stanza with URIs and a release suite)' % SOURCES)


class _Lock(object):
    def __init__(self, path):
        self.path = path
        self.f = None

    def __enter__(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.f = open(self.path, 'w')
        fcntl.flock(self.f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.f, fcntl.LOCK_UN)
        self.f.close()


def _cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().decode('utf-8', 'replace').replace('\0', ' ')
    except OSError:
        return ''


def main(argv):
    usage = ('usage: engines.sh fetch|start|stop VERSION...|all, stop --force VERSION...|all, start VERSION --for PID, '
             'release VERSION PID, status [VERSION...], socket VERSION')
    actions = ('fetch', 'start', 'stop', 'status', 'socket', 'release')
    if not argv or argv[0] not in actions:
        sys.stderr.write(usage + '\n')
        return 2
    action, versions, lease = argv[0], argv[1:], None
    force = action == 'stop' and '--force' in versions
    versions = [v for v in versions if not (force and v == '--force')]
    if action == 'start' and len(versions) == 3 and versions[1] == '--for' and versions[2].isdigit():
        versions, lease = versions[:1], int(versions[2])
    elif action == 'release':
        if len(versions) != 2 or not versions[1].isdigit():
            sys.stderr.write(usage + '\n')
            return 2
        versions, lease = versions[:1], int(versions[1])
    if versions == ['all'] or (action == 'status' and not versions):
        versions = list(PRIVATE) if action != 'status' else sorted(ENGINES)
    if not versions or (action == 'socket' and len(versions) != 1):
        sys.stderr.write(usage + '\n')
        return 2
    if os.geteuid() != 0 and action not in ('status', 'socket'):
        sys.stderr.write('engines.sh: %s needs root (apt, network namespaces, dockerd)\n' % action)
        return 1
    try:
        engines = [Engine(key_of(v)) for v in versions]
    except EnginesError as exc:
        sys.stderr.write('engines.sh: %s\n' % exc)
        return 2
    rc = 0
    for engine in engines:  # each engine on its own: one that fails does not stop the others
        try:
            if action == 'socket':
                say(engine.url)
            elif action == 'status':
                say(engine.status())
            elif action in ('start', 'release') and lease:
                getattr(engine, action)(lease)
            elif action == 'stop':
                engine.stop(force=force)
            else:
                getattr(engine, action)()
        except (EnginesError, OSError) as exc:
            sys.stderr.write('engines.sh: %s\n' % exc)
            rc = 1
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
