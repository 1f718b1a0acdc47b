"""Docker Engines inside the UML guest, for guest-side tests.

    eng = GuestEngine('e1').start()          # in the guest's own namespace
    eng = GuestEngine('e2', netns='ns2')     # under nsenter --net=/run/netns/ns2
    eng = GuestEngine('e3', **release('28.5'))   # another release's dockerd and CLI (scripts/engines.sh)
    eng.docker('network', 'ls')              # /usr/bin/docker -H unix://<sock> ...
    eng.load_test_image()
    eng.stop()

Recipe (../../shared TESTBED.md, "A full kernel in user space"): data and
exec roots on the guest's tmpfs /run, its own config file (the machine's
/etc/docker/daemon.json is visible on the shared root and must not be
read), iptables-legacy first on PATH (the guest init does that), started
with nsenter (not `ip netns exec`, which remounts /sys). Addresses come from
198.19.0.0/18.
"""
import contextlib
import json
import os
import signal
import subprocess
import sys
import time

DOCKER = '/usr/bin/docker'
DOCKERD = '/usr/sbin/dockerd'
BASE = '/run/netprov-uml/engines'
IMAGE = os.environ.get('NETPROV_TEST_IMAGE', 'netprov-test/busybox:latest')
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def log(msg):
    """Log to stderr and to the results directory (the host shows it on failure)."""
    line = '[%.1f] %s' % (time.monotonic(), msg)
    print(line, file=sys.stderr)
    results = os.environ.get('NETPROV_UML_RESULTS')
    if results:
        with open(os.path.join(results, 'guest.log'), 'a') as f:
            f.write(line + '\n')


def retry(what, fn, attempts=3, delay=5):
    """Call fn() up to `attempts` times; the slow guest sometimes times out a first network attach."""
    for i in range(1, attempts + 1):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - logged and re-raised on the last attempt
            if i == attempts:
                log('%s: attempt %d/%d failed, giving up: %s' % (what, i, attempts, exc))
                raise
            log('RETRY %s: attempt %d/%d failed, again in %d s: %s' % (what, i, attempts, delay, exc))
            time.sleep(delay)


def release(version):
    """dockerd, docker and the PATH directories of another Engine release, unpacked on the host by
    `scripts/engines.sh fetch VERSION` (the guest has no network: the host fetches before it boots)
    into its cache, which the guest sees on the shared root; {} when the system's docker.io is that release."""
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    import engines  # pylint: disable=import-outside-toplevel
    eng = engines.Engine(engines.key_of(version))
    binaries = eng.binaries()
    if binaries is None:
        return {}
    if not os.path.exists(binaries['dockerd']):
        raise AssertionError('Engine %s is not in %s: the host runs `scripts/engines.sh fetch %s` before it boots '
                             'the guest (tests/integration/test_uml_kernel.py); it said: %s'
                             % (version, eng.cache, version, os.environ.get('NETPROV_UML_FETCH', '(nothing)')))
    return binaries


class GuestEngine(object):
    def __init__(self, name, netns=None, bip='198.19.1.1/24', pool='198.19.8.0/21', daemon=None,
                 dockerd=DOCKERD, docker=DOCKER, path=()):
        """`dockerd`, `docker` and `path` (directories put first on dockerd's PATH: docker-proxy,
        docker-init) pick another release's binaries, as release() gives them; the system's by default."""
        self.name = name
        self.netns = netns
        self.dockerd = dockerd
        self.cli = docker
        self.path = list(path)
        self.dir = os.path.join(BASE, name)
        self.sock = os.path.join(self.dir, 'docker.sock')
        self.host = 'unix://' + self.sock
        self.config = {'bip': bip, 'default-address-pools': [{'base': pool, 'size': 24}],
                       'userland-proxy': False, 'log-level': 'warn'}
        self.config.update(daemon or {})
        self.proc = None

    # -- lifecycle
    def start(self, timeout=90):
        """Launch dockerd and wait until it answers."""
        return self.launch().wait_ready(timeout)

    def launch(self):
        """Launch dockerd without waiting (start several, then wait_ready() each)."""
        os.makedirs(self.dir, exist_ok=True)
        cfg = os.path.join(self.dir, 'daemon.json')
        with open(cfg, 'w') as f:
            json.dump(self.config, f)
        argv = [self.dockerd, '--config-file', cfg, '--data-root', os.path.join(self.dir, 'data'),
                '--exec-root', os.path.join(self.dir, 'exec'), '--pidfile', os.path.join(self.dir, 'pid'),
                '--host', self.host]
        if self.netns:
            argv = ['nsenter', '--net=/run/netns/%s' % self.netns] + argv
        self.t0 = time.monotonic()
        self.logf = open(os.path.join(self.dir, 'dockerd.log'), 'w')
        env = dict(os.environ, PATH=os.pathsep.join(self.path + [os.environ.get('PATH', '')]))
        self.proc = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT, start_new_session=True,
                                     env=env)
        return self

    def wait_ready(self, timeout=90):
        t0 = self.t0
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise AssertionError('dockerd %s exited rc=%s:\n%s' % (self.name, self.proc.returncode, self.log_tail()))
            if os.path.exists(self.sock) and self.docker('version', check=False).returncode == 0:
                log('engine %s up in %.1f s' % (self.name, time.monotonic() - t0))
                return self
            time.sleep(0.3)
        raise AssertionError('dockerd %s did not answer in %d s:\n%s' % (self.name, timeout, self.log_tail()))

    def signal_stop(self):
        """SIGTERM to dockerd, without waiting (stop several at once, then stop() each)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout=30):
        """Stop dockerd (SIGKILL to its process group after `timeout` s) and remove its directories."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.signal_stop()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log('engine %s: no exit in %d s after SIGTERM, killing' % (self.name, timeout))
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None
        self.logf.close()
        # what the engine leaves mounted (netns files, overlay layers) blocks removal
        with open('/proc/mounts') as f:
            mounts = [line.split()[1] for line in f]
        for m in sorted((m for m in mounts if m.startswith(self.dir + '/')), reverse=True):
            subprocess.run(['umount', '-l', m], check=False, stderr=subprocess.DEVNULL)
        subprocess.run(['rm', '-rf', self.dir], check=False)

    def log_tail(self, n=40):
        try:
            with open(os.path.join(self.dir, 'dockerd.log'), errors='replace') as f:
                return ''.join(f.readlines()[-n:])
        except OSError:
            return ''

    # -- use
    def docker(self, *args, check=True, timeout=120):
        r = subprocess.run([self.cli, '-H', self.host] + list(args), check=False, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError('docker %s (engine %s): rc=%d\n%s' % (' '.join(args), self.name, r.returncode, r.stdout))
        return r

    def load_test_image(self):
        """The host's test image: a `docker save` tar named by NETPROV_UML_IMAGE_TAR, else built here."""
        tar = os.environ.get('NETPROV_UML_IMAGE_TAR')
        if tar and os.path.exists(tar):
            self.docker('load', '-i', tar)
        else:
            env = dict(os.environ, DOCKER_HOST=self.host, NETPROV_TEST_IMAGE=IMAGE)
            subprocess.run([os.path.join(ROOT, 'scripts', 'test-image.sh')], env=env, check=True)
        self.docker('image', 'inspect', IMAGE)
        return IMAGE

    def run(self, name, network, *args, ip=None, what=None):
        """Start a detached test container on `network`, retrying a timed-out attach."""
        argv = ['run', '-d', '--name', name, '--network', network] + (['--ip', ip] if ip else []) + list(args) + [IMAGE]

        def attempt():
            t0 = time.monotonic()
            r = self.docker(*argv, check=False)
            if r.returncode != 0:
                self.docker('rm', '-f', name, check=False)
                raise AssertionError('docker %s: rc=%d\n%s' % (' '.join(argv), r.returncode, r.stdout))
            log('container %s on %s (%s) started in %.1f s' % (name, network, self.name, time.monotonic() - t0))
            return r.stdout.strip()
        return retry(what or 'start %s on %s (%s)' % (name, network, self.name), attempt)

    def exec(self, container, *cmd, check=True):
        return self.docker('exec', container, *cmd, check=check)

    def ping(self, container, ip):
        """Two pings from `container` to `ip` answered (a first one retried: the slow guest)."""
        r = retry('ping %s -> %s' % (container, ip), lambda: self.exec(container, 'ping', '-c', '2', '-W', '3', ip))
        assert '2 packets received' in r.stdout, r.stdout


def vlan_link(name):
    """(VLAN id, parent name) of the 802.1Q link `name` in the guest's own namespace; None if it is not one."""
    from pyroute2 import IPRoute
    with IPRoute() as ipr:
        link = ipr.link('get', ifname=name)[0]
        info = link.get_attr('IFLA_LINKINFO')
        if info is None or info.get_attr('IFLA_INFO_KIND') != 'vlan':
            return None
        parent = ipr.link('get', index=link.get_attr('IFLA_LINK'))[0].get_attr('IFLA_IFNAME')
        return info.get_attr('IFLA_INFO_DATA').get_attr('IFLA_VLAN_ID'), parent


@contextlib.contextmanager
def running(name, **kw):
    """A GuestEngine started, with the test image loaded; stopped and removed afterwards."""
    eng = GuestEngine(name, **kw)
    try:
        eng.start()
        eng.load_test_image()
        yield eng
    finally:
        eng.stop()
