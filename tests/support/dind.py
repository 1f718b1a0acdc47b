"""A private Docker-in-Docker sample fleet for one test module: scripts/fleet.sh
with its own prefix, subnet and state directory (so a running `make demo`
fleet is left alone), and a copy of the sample inventory pointed at it.

The hosts are systemd containers with their own Docker Engine and sshd,
reached over SSH like real hosts; `pause`/`unpause` make one unreachable.
"""
import contextlib
import os
import shutil
import subprocess
import tempfile
import zlib

from ansible_collections.netprov.dockernet.tests.support.ansible_play import ROOT, ansible_env

DOCKER = '/usr/bin/docker'
SAMPLE = os.path.join(ROOT, 'playbooks', 'inventory', 'sample')
SAMPLE_BASE = '198.18.224.'
# The sample inventory's Open vSwitch mesh: its underlay (scripts/fleet.sh's second network, the lower half) and
# the VLAN's container addresses (the upper half). A fleet of a test gets one of the 15 /24s after it,
# chosen by its LAN subnet, so that fleets beside each other (and the demo's) never overlap.
SAMPLE_MESH_BASE = '198.18.96.'


def mesh_base(subnet):
    return '198.18.%d.' % (97 + zlib.crc32(subnet.encode()) % 15)


class DindFleet(object):
    def __init__(self, prefix, size, subnet, workdir, layouts='debian'):
        self.prefix, self.size, self.subnet = prefix, size, subnet
        self.layouts = layouts  # scripts/fleet.sh's NETPROV_FLEET_LAYOUTS: 'debian', 'ce', or one word per host
        self.base = subnet.rsplit('.', 1)[0] + '.'
        self.mesh_base = mesh_base(subnet)
        self.state = os.path.join(ROOT, '.build', 'fleet-' + prefix)
        self.workdir = workdir
        self.inventory = os.path.join(workdir, 'inventory')

    def env(self):
        return dict(os.environ, NETPROV_FLEET_PREFIX=self.prefix, NETPROV_FLEET_SIZE=str(self.size),
                    NETPROV_FLEET_SUBNET=self.subnet, NETPROV_FLEET_STATE=self.state,
                    NETPROV_FLEET_LAYOUTS=self.layouts, NETPROV_FLEET_UNDERLAY=self.mesh_base + '0/25')

    def fleet_sh(self, action):
        proc = subprocess.run([os.path.join(ROOT, 'scripts', 'fleet.sh'), action], env=self.env(),
                              capture_output=True, text=True, timeout=900, check=False)
        assert proc.returncode == 0, 'scripts/fleet.sh %s failed:\n%s' % (action, proc.stderr[-4000:])

    def container(self, k):
        return '%s-host%d' % (self.prefix, k)

    def docker(self, *args, check=True):
        proc = subprocess.run([DOCKER] + list(args), capture_output=True, text=True, timeout=300, check=False)
        if check:
            assert proc.returncode == 0, 'docker %s: %s' % (' '.join(args), proc.stderr)
        return proc

    def on_host(self, k, *args, check=True):
        """A command inside sample host k (its own engine: `docker` there is the host's)."""
        return self.docker('exec', self.container(k), *args, check=check)

    def pause(self, k):
        self.docker('pause', self.container(k))

    def unpause(self, k):
        self.docker('unpause', self.container(k), check=False)

    def write_inventory(self):
        """The sample inventory, moved onto this fleet's subnets and state directory."""
        shutil.copytree(SAMPLE, self.inventory)
        for top, _dirs, files in os.walk(self.inventory):
            for name in files:
                path = os.path.join(top, name)
                with open(path) as f:
                    text = f.read()
                text = text.replace(SAMPLE_BASE, self.base).replace(SAMPLE_MESH_BASE, self.mesh_base)
                if name == 'connection.yml':
                    text = text.replace('"{{ inventory_dir }}/../../../.build/fleet"', '"%s"' % self.state)
                    text += 'ansible_timeout: 5\n'  # a paused host is UNREACHABLE after this long
                with open(path, 'w') as f:
                    f.write(text)

    def playbook(self, name, *args, timeout=900):
        cmd = [os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), '-i', self.inventory,
               os.path.join(ROOT, 'playbooks', name)] + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(), timeout=timeout, check=False)


def recap(stdout):
    """PLAY RECAP lines -> {host: {'ok': n, 'changed': n, 'unreachable': n, 'failed': n, ...}}."""
    out, seen = {}, False
    for line in stdout.splitlines():
        if line.startswith('PLAY RECAP'):
            seen = True
            continue
        if seen and ':' in line:
            host, _sep, counts = line.partition(':')
            out[host.strip()] = dict((k, int(v)) for k, v in (c.split('=') for c in counts.split()))
    return out


@contextlib.contextmanager
def dind_fleet(prefix, size, subnet, layouts='debian'):
    """Start ``size`` sample hosts (fleet image built once), yield them, always take them down."""
    if os.geteuid() != 0:
        import pytest
        pytest.skip('the Docker-in-Docker fleet needs root')
    workdir = tempfile.mkdtemp(prefix='netprov-dind-')
    fleet = DindFleet(prefix, size, subnet, workdir, layouts)
    fleet.fleet_sh('down')  # a fleet left by a killed run
    try:
        fleet.fleet_sh('up')
        fleet.write_inventory()
        yield fleet
    finally:
        for k in range(1, size + 1):
            fleet.unpause(k)
        fleet.fleet_sh('down')
        shutil.rmtree(workdir, ignore_errors=True)
