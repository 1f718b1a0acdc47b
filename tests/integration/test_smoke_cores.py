"""The smoke tier of the ansible-core support matrix (scripts/cores.sh smoke).

The engine, interfaces and networks roles, through the ``ansible-playbook`` of
each virtualenv under test, against a Docker-in-Docker host of its own (systemd,
its own engine, reached over SSH): check mode changes nothing, a real run
converges the host, a second run reports no change. After the real run the
host's daemon.json is read back: what the engine restarted with, numbers as
numbers, booleans as booleans, no key the inventory left null.

The legs: ``NETPROV_SMOKE_VENVS`` (tests/support/cores_legs.py). A virtualenv whose
docker SDK or pyroute2 differs from the host's (the floor leg) gets the same
releases on its host, where the modules run.
"""
import json
import os
import subprocess

import pytest
import yaml

from ansible_collections.netprov.dockernet.tests.support.ansible_play import ROOT, ansible_env
from ansible_collections.netprov.dockernet.tests.support.cores_legs import FROM_ENV, LEGS
from ansible_collections.netprov.dockernet.tests.support.dind import dind_fleet, recap

# The outer network of the hosts: one per run kind, so the default suite's run and scripts/cores.sh's can overlap.
PREFIX, SUBNET = ('npcores', '198.19.161.0/24') if FROM_ENV else ('npsmoke', '198.19.160.0/24')
OUTER = SUBNET.rsplit('.', 1)[0]
# Inside each host (its own network namespace and engine): the same addresses on every host.
BIP = '198.19.164.1/24'
POOL = '198.19.165.0/24'
BRIDGE_ADDR = '198.19.166.1/24'
ROUTE = '198.19.167.0/25'
APP_SUBNET = '198.19.167.128/26'
TARGET_LIBS = ('docker', 'pyroute2', 'requests', 'urllib3')


PLAY = """
- name: Smoke - the engine, its host links and its Docker networks
  hosts: docker_hosts
  gather_facts: false
  roles:
    - role: netprov.dockernet.engine
    - role: netprov.dockernet.interfaces
    - role: netprov.dockernet.networks
"""


def group_vars():
    return {
        'engine_bip': BIP,
        'engine_default_address_pools': [{'base': POOL, 'size': 26}],
        'engine_mtu': 1450,
        'engine_dns': ['198.19.167.53'],
        'engine_ip_masq': True,
        'engine_live_restore': False,
        # left null: engine_iptables, engine_ip_forward, engine_userland_proxy, engine_dns_search, engine_dns_opts
        'interfaces_links': [
            {'name': 'smokebr0', 'kind': 'bridge', 'mtu': 1400, 'addresses': [BRIDGE_ADDR]},
            {'name': 'smokeveth0', 'kind': 'veth', 'peer': 'smokeveth1', 'master': 'smokebr0'},
        ],
        'interfaces_routes': [{'dest': ROUTE, 'dev': 'smokebr0', 'scope': 'link'}],
        'interfaces_macvlan_shims': [
            {'name': 'smokeshim', 'parent': 'eth0', 'address': '{{ smoke_shim }}/32', 'routes': ['{{ smoke_range }}']},
        ],
        'networks_purge': True,
        'networks_networks': [
            {'name': 'smoke-app', 'driver': 'bridge', 'labels': {'tier': 'app'},
             'ipam_config': [{'subnet': APP_SUBNET, 'gateway': '198.19.167.129'}]},
            {'name': 'smoke-lan', 'driver': 'macvlan', 'parent': 'eth0', 'macvlan_mode': 'bridge',
             'ipam_config': [{'subnet': SUBNET, 'gateway': OUTER + '.1', 'iprange': '{{ smoke_range }}',
                              'aux_addresses': {'shim': '{{ smoke_shim }}'}}]},
        ],
    }


class Smoke(object):
    """The hosts of one run, one per leg, and an inventory naming them."""

    def __init__(self, fleet):
        self.fleet = fleet
        state = fleet.state
        hosts = {}
        for k, (name, _venv) in enumerate(LEGS, 1):
            hosts['host%d' % k] = {'ansible_host': '%s.%d' % (OUTER, 10 + k), 'smoke_leg': name,
                                   'smoke_range': '%s.%d/28' % (OUTER, 48 + 16 * k),
                                   'smoke_shim': '%s.%d' % (OUTER, 240 + k)}
        self.inventory = {'all': {
            'vars': {
                'ansible_user': 'root',
                'ansible_python_interpreter': '/usr/bin/python3',
                'ansible_ssh_private_key_file': os.path.join(state, 'id_ed25519'),
                'ansible_ssh_common_args': '-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes '
                                           '-o ControlMaster=auto -o ControlPersist=120s' % os.path.join(state, 'known_hosts'),
                'ansible_ssh_pipelining': True,
            },
            'children': {'docker_hosts': {'hosts': hosts, 'vars': group_vars()}},
        }}
        self.write_inventory()
        self.play = os.path.join(fleet.workdir, 'smoke.yml')
        with open(self.play, 'w') as f:
            f.write(PLAY)

    def write_inventory(self):
        self.inventory_path = os.path.join(self.fleet.workdir, 'hosts.yml')
        with open(self.inventory_path, 'w') as f:
            yaml.safe_dump(self.inventory, f)

    def host_vars(self, k):
        return self.inventory['all']['children']['docker_hosts']['hosts']['host%d' % k]

    def playbook(self, venv, k, playbook, *args, timeout=900):
        """ansible-playbook of ``venv`` on host k."""
        env = ansible_env({'ANSIBLE_PYTHON_INTERPRETER': os.path.join(venv, 'bin', 'python'),
                           'PATH': os.path.join(venv, 'bin') + ':' + os.environ.get('PATH', '')})
        cmd = [os.path.join(venv, 'bin', 'ansible-playbook'), '-i', self.inventory_path, '-l', 'host%d' % k,
               playbook] + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, check=False)

    def on_host(self, k, *args, check=True):
        return self.fleet.on_host(k, *args, check=check)

    def daemon_json(self, k):
        return json.loads(self.on_host(k, 'cat', '/etc/docker/daemon.json').stdout)

    def links(self, k):
        return dict((link['ifname'], link) for link in json.loads(self.on_host(k, 'ip', '-j', '-d', 'addr', 'show').stdout))

    def networks(self, k):
        return set(self.on_host(k, 'docker', 'network', 'ls', '--format', '{{.Name}}').stdout.split())

    def python_libs(self, k, python):
        out = self.on_host(k, python, '-c', 'from importlib.metadata import version; import json; print(json.dumps('
                           'dict((p, version(p)) for p in %r)))' % (TARGET_LIBS,)).stdout
        return json.loads(out)

    def give_host_the_libs_of(self, venv, k):
        """Where the leg's docker SDK or pyroute2 differs from the host's, the modules on its host get the leg's."""
        code = ('from importlib.metadata import version; import json; print(json.dumps(dict((p, version(p)) for p in %r)))'
                % (TARGET_LIBS,))
        wanted = json.loads(subprocess.run([os.path.join(venv, 'bin', 'python'), '-c', code], capture_output=True,
                                           text=True, check=True).stdout)
        have = self.python_libs(k, '/usr/bin/python3')
        if all(wanted[p] == have[p] for p in ('docker', 'pyroute2')):
            return wanted
        pyver = self.on_host(k, '/usr/bin/python3', '-c', 'import sys; print("%d.%d" % sys.version_info[:2])').stdout.strip()
        target = os.path.join(venv, 'target-py' + pyver)
        stamp = os.path.join(target, '.netprov-libs')
        pins = ['%s==%s' % item for item in sorted(wanted.items())]
        if not os.path.exists(stamp) or open(stamp).read() != ' '.join(pins):
            subprocess.run(['rm', '-rf', target], check=True)
            proc = subprocess.run([os.path.join(venv, 'bin', 'python'), '-m', 'pip', 'install', '-q', '--disable-pip-version-check',
                                   '--no-compile', '--python-version', pyver, '--only-binary=:all:', '--target', target] + pins,
                                  capture_output=True, text=True, check=False)
            assert proc.returncode == 0, proc.stderr[-3000:]
            with open(stamp, 'w') as f:
                f.write(' '.join(pins))
        self.fleet.docker('cp', target, '%s:/opt/netprov-libs' % self.fleet.container(k))
        # The host's python3 with these libraries first on its path: the interpreter every module of the leg runs in.
        wrapper = '#!/bin/sh\nPYTHONPATH=/opt/netprov-libs exec /usr/bin/python3 "$@"\n'
        self.on_host(k, 'sh', '-c', 'cat > /usr/local/bin/python3-netprov-libs <<"EOF"\n%sEOF\n'
                     'chmod 755 /usr/local/bin/python3-netprov-libs' % wrapper)
        self.host_vars(k)['ansible_python_interpreter'] = '/usr/local/bin/python3-netprov-libs'
        self.write_inventory()
        got = self.python_libs(k, '/usr/local/bin/python3-netprov-libs')
        assert got == wanted, (got, wanted)
        return wanted


@pytest.fixture(scope='module')
def smoke():
    with dind_fleet(PREFIX, len(LEGS), SUBNET) as fleet:
        yield Smoke(fleet)


def snapshot(smoke, k):
    """What the roles may change on host k."""
    return {
        'daemon.json': smoke.on_host(k, 'cat', '/etc/docker/daemon.json').stdout,
        'dockerd': smoke.on_host(k, 'systemctl', 'show', '-p', 'MainPID', '--value', 'docker').stdout.strip(),
        'links': sorted(name for name in smoke.links(k) if name.startswith('smoke')),
        'networks': sorted(n for n in smoke.networks(k) if n.startswith('smoke')),
        'routes': smoke.on_host(k, 'ip', 'route', 'show').stdout,
    }


@pytest.mark.parametrize('k,leg,venv', [(k, name, venv) for k, (name, venv) in enumerate(LEGS, 1)],
                         ids=[name for name, _venv in LEGS])
def test_roles_check_mode_real_run_and_no_change(smoke, k, leg, venv):
    libs = smoke.give_host_the_libs_of(venv, k)
    version = subprocess.run([os.path.join(venv, 'bin', 'ansible'), '--version'], capture_output=True, text=True,
                             check=True).stdout.splitlines()[0]
    print('leg %s: %s; on the host: %s' % (leg, version, ', '.join('%s %s' % i for i in sorted(libs.items()))))
    before = snapshot(smoke, k)

    planned = smoke.playbook(venv, k, smoke.play, '--check', '--diff')
    assert planned.returncode == 0, planned.stdout[-6000:] + planned.stderr[-2000:]
    assert recap(planned.stdout)['host%d' % k]['changed'] > 0, planned.stdout[-4000:]
    assert snapshot(smoke, k) == before, 'check mode changed the host'

    applied = smoke.playbook(venv, k, smoke.play)
    assert applied.returncode == 0, applied.stdout[-6000:] + applied.stderr[-2000:]
    assert recap(applied.stdout)['host%d' % k]['changed'] > 0

    # daemon.json as dockerd reads it: the engine restarted with it and answers.
    config = smoke.daemon_json(k)
    assert '' not in config.values(), config
    assert not set(config) & {'iptables', 'ip-forward', 'userland-proxy', 'dns-search', 'dns-opts'}, config
    assert config == {
        'bip': BIP,
        'default-address-pools': [{'base': POOL, 'size': 26}],
        'mtu': 1450,
        'dns': ['198.19.167.53'],
        'ip-masq': True,
        'live-restore': False,
        'log-driver': 'json-file',  # the image's own key, which the role does not manage
    }
    assert snapshot(smoke, k)['dockerd'] != before['dockerd']
    bridge = json.loads(smoke.on_host(k, 'docker', 'network', 'inspect', 'bridge').stdout)[0]
    assert bridge['IPAM']['Config'][0]['Subnet'] == '198.19.164.0/24'
    assert bridge['Options'].get('com.docker.network.driver.mtu') == '1450'

    links = smoke.links(k)
    assert links['smokebr0']['mtu'] == 1400
    assert [a['local'] for a in links['smokebr0']['addr_info'] if a['family'] == 'inet'] == ['198.19.166.1']
    assert links['smokeveth0']['master'] == 'smokebr0' and 'smokeveth1' in links
    assert links['smokeshim']['linkinfo']['info_kind'] == 'macvlan'
    route = json.loads(smoke.on_host(k, 'ip', '-j', 'route', 'show', ROUTE).stdout)
    assert [(r['dev'], r['scope']) for r in route] == [('smokebr0', 'link')], route
    app = json.loads(smoke.on_host(k, 'docker', 'network', 'inspect', 'smoke-app').stdout)[0]
    assert app['IPAM']['Config'][0]['Subnet'] == APP_SUBNET and app['Labels']['tier'] == 'app'
    lan = json.loads(smoke.on_host(k, 'docker', 'network', 'inspect', 'smoke-lan').stdout)[0]
    assert lan['Driver'] == 'macvlan' and lan['Options']['parent'] == 'eth0'

    converged = snapshot(smoke, k)
    again = smoke.playbook(venv, k, smoke.play)
    assert again.returncode == 0, again.stdout[-6000:]
    assert recap(again.stdout)['host%d' % k]['changed'] == 0, again.stdout[-6000:]
    assert snapshot(smoke, k) == converged


def test_fleet_report_takes_the_probe_image_from_inventory(smoke):
    """On a host the roles converged above: the report's probe image is the inventory's, not the test image's name."""
    k, venv = 1, LEGS[0][1]
    smoke.on_host(k, 'docker', 'tag', 'netprov-test/busybox:latest', 'npcores-probe/busybox:1')
    smoke.on_host(k, 'docker', 'rmi', 'netprov-test/busybox:latest')  # only the other name is left
    smoke.host_vars(k)['fleet_report_image'] = 'npcores-probe/busybox:1'
    smoke.write_inventory()
    try:
        report = smoke.playbook(venv, k, os.path.join(ROOT, 'playbooks', 'fleet_report.yml'))
    finally:
        smoke.on_host(k, 'docker', 'tag', 'npcores-probe/busybox:1', 'netprov-test/busybox:latest')
        del smoke.host_vars(k)['fleet_report_image']
        smoke.write_inventory()
    assert report.returncode == 0, report.stdout[-6000:] + report.stderr[-2000:]
    assert 'host -> macvlan container' in report.stdout and 'through smokeshim' in report.stdout, report.stdout[-4000:]
    assert 'network smoke-lan: macvlan on eth0' in report.stdout
