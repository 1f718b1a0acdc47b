"""Open vSwitch for tests: ovsdb-server and ovs-vswitchd started by hand in a network namespace.

Each ``Ovs`` has its own run, db and log directory (a fresh database made
from the installed schema), its daemons started under ``nsenter --net=`` so
that the links they open (and, on the kernel datapath, the ``ovs-system``
datapath) live in that namespace; ``stop()`` ends them and removes it all.
``pair()`` starts two, joined by an underlay veth link (for tunnels between
them). ``Ovs.vsctl`` is for the tests' own checks and setup only; the
modules talk OVSDB through the Python bindings.

No pytest here: the machine's tests use it through ovs_fixtures.py (the
userspace datapath: this kernel has none), the UML guest's tests
(tests/kernel/test_guest_ovs.py: the kernel datapath) import it directly.
"""
import binascii
import os
import shutil
import signal
import subprocess
import tempfile
import time

from pyroute2 import IPRoute
from pyroute2 import netns as _netns

SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'
NETNS_DIR = '/run/netns'
DAEMONS = ('ovs-vswitchd', 'ovsdb-server')   # stopped in this order


def ovs_installed():
    return all(shutil.which(c, path='/usr/sbin:/usr/bin:/sbin:/bin')
               for c in ('ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl')) and os.path.exists(SCHEMA)


class Ovs(object):
    """One running ovsdb-server + ovs-vswitchd pair in its own network namespace.

    ``shared``: run it instead in an existing namespace (its name under
    /run/netns, or '' for the machine's own, where the system engine runs);
    the namespace is left in place, and the bridges and links the test made
    there are removed.
    """

    def __init__(self, prefix='ovs', shared=None):
        self.tag = binascii.hexlify(os.urandom(3)).decode()
        self.own = shared is None
        self.netns = '%s-%s' % (prefix, self.tag) if self.own else (shared or None)
        self.links = []   # made in a shared namespace: removed at the end
        self.dir = tempfile.mkdtemp(prefix='ovs-%s-' % self.tag, dir='/tmp')  # short: a unix socket path
        self.sock = os.path.join(self.dir, 'db.sock')
        self.db = os.path.join(self.dir, 'conf.db')
        self.remote = 'unix:' + self.sock
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_DBDIR=self.dir, OVS_LOGDIR=self.dir,
                        OVS_SYSCONFDIR=self.dir)
        self.namespaces = []   # further namespaces made by this test (VLAN hosts)

    @property
    def netns_path(self):
        return os.path.join(NETNS_DIR, self.netns) if self.netns else None

    def _ipr(self):
        return IPRoute(netns=self.netns_path, flags=0) if self.netns else IPRoute()

    def _ns(self, *cmd, **kw):
        enter = ['nsenter', '--net=' + self.netns_path] if self.netns else []
        return subprocess.run(enter + list(cmd), env=self.env, check=True, capture_output=True, text=True,
                              timeout=120, **kw)

    def start(self, vswitchd=True):
        """Start ovsdb-server on a fresh database, then (unless not ``vswitchd``) ovs-vswitchd."""
        if self.own:
            _netns.create(self.netns)
            with self._ipr() as ipr:
                ipr.link('set', index=ipr.link_lookup(ifname='lo')[0], state='up')
        subprocess.run(['ovsdb-tool', 'create', self.db, SCHEMA], check=True, env=self.env, capture_output=True)
        self._ns('ovsdb-server', self.db, '--remote=punix:' + self.sock,
                 '--pidfile=' + self._pid('ovsdb-server'), '--detach', '--no-chdir',
                 '--log-file=' + os.path.join(self.dir, 'ovsdb-server.log'))
        self.vsctl('--no-wait', 'init')
        if not vswitchd:
            return self
        self._ns('ovs-vswitchd', self.remote, '--pidfile=' + self._pid('ovs-vswitchd'), '--detach', '--no-chdir',
                 '--log-file=' + os.path.join(self.dir, 'ovs-vswitchd.log'))
        return self

    def _pid(self, daemon):
        return os.path.join(self.dir, daemon + '.pid')

    def vsctl(self, *args):
        """ovs-vsctl against this instance (the tests' own setup and checks); its stdout."""
        return subprocess.run(['ovs-vsctl', '--db=' + self.remote, '--timeout=60'] + list(args), env=self.env,
                              check=True, capture_output=True, text=True).stdout.strip()

    def get(self, table, record, column):
        """One column as ovs-vsctl prints it (``--if-exists``: '' when the record is missing)."""
        return self.vsctl('--if-exists', 'get', table, record, column)

    def ip(self, *args, netns=None):
        """`ip` in this instance's namespace (or ``netns``); its stdout."""
        where = netns or self.netns
        return subprocess.run(['ip'] + (['-n', where] if where else []) + list(args), check=True,
                              capture_output=True, text=True).stdout

    def host(self, name, address, mtu=None):
        """A further namespace ``<netns>-<name>`` joined by a veth pair: its end ``eth0`` with ``address``,
        the other end, named ``name``, in the switch's namespace (up, no address): a port to add.
        Returns the host namespace's name."""
        ns = '%s-%s' % (self.netns or 'ovs-' + self.tag, name)
        _netns.create(ns)
        self.namespaces.append(ns)
        self.links.append(name)
        with self._ipr() as ipr:
            ipr.link('add', ifname=name, kind='veth', peer={'ifname': 'h-' + name,
                                                            'net_ns_fd': os.path.join(NETNS_DIR, ns)})
            ipr.link('set', index=ipr.link_lookup(ifname=name)[0], state='up', **({'mtu': mtu} if mtu else {}))
        with IPRoute(netns=os.path.join(NETNS_DIR, ns), flags=0) as ipr:
            idx = ipr.link_lookup(ifname='h-' + name)[0]
            ipr.link('set', index=idx, ifname='eth0')
            if mtu:
                ipr.link('set', index=idx, mtu=mtu)
            addr, plen = address.split('/')
            ipr.addr('add', index=idx, address=addr, prefixlen=int(plen))
            ipr.link('set', index=idx, state='up')
            ipr.link('set', index=ipr.link_lookup(ifname='lo')[0], state='up')
        return ns

    def veth(self, name, peer):
        """A veth pair, both ends up, in the switch's namespace."""
        self.links.append(name)
        with self._ipr() as ipr:
            ipr.link('add', ifname=name, kind='veth', peer=peer)
            for n in (name, peer):
                ipr.link('set', index=ipr.link_lookup(ifname=n)[0], state='up')

    def stop(self):
        if not self.own:   # take the bridges' devices out of the shared namespace while the switch still runs
            for bridge in self.vsctl('list-br').split():
                self.vsctl('--if-exists', 'del-br', bridge)
        for daemon in DAEMONS:
            try:
                with open(self._pid(daemon)) as f:
                    pid = int(f.read().strip())
            except (IOError, ValueError):
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                continue
            _wait_gone(pid)
        if not self.own:
            with self._ipr() as ipr:
                for name in self.links:
                    for idx in ipr.link_lookup(ifname=name):
                        ipr.link('del', index=idx)
        for ns in self.namespaces + ([self.netns] if self.own else []):
            path = os.path.join(NETNS_DIR, ns)
            if os.path.exists(path):
                _netns.remove(path)
        shutil.rmtree(self.dir, ignore_errors=True)


def _wait_gone(pid):
    """Wait until ``pid`` (a daemon this fixture started) has exited; SIGKILL it if it lingers."""
    for _attempt in range(200):
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def ping(netns, address, count=2):
    """Whether ``address`` answers a ping from ``netns``."""
    return subprocess.run(['ip', 'netns', 'exec', netns, 'busybox', 'ping', '-c', str(count), '-W', '2', address],
                          capture_output=True, check=False).returncode == 0


def pair(prefix_a='ovsa', prefix_b='ovsb'):
    """Two started instances whose namespaces are joined by an underlay veth link, ``ul`` in each (up, no
    address: the test puts it on a bridge, or gives it the address itself). The caller stops both."""
    a, b = Ovs(prefix_a), Ovs(prefix_b)
    try:
        a.start()
        b.start()
        with IPRoute(netns=a.netns_path, flags=0) as ipr:
            ipr.link('add', ifname='ul', kind='veth', peer={'ifname': 'ul-b', 'net_ns_fd': b.netns_path})
            ipr.link('set', index=ipr.link_lookup(ifname='ul')[0], state='up')
        with IPRoute(netns=b.netns_path, flags=0) as ipr:
            idx = ipr.link_lookup(ifname='ul-b')[0]
            ipr.link('set', index=idx, ifname='ul')
            ipr.link('set', index=idx, state='up')
    except BaseException:
        b.stop()
        a.stop()
        raise
    return a, b
