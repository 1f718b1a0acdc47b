"""The Docker modules against a remote engine over SSH: ``docker_host: ssh://root@HOST``.

The remote is one host of a private Docker-in-Docker sample fleet
(tests/support/dind.py: a systemd container with its own Docker Engine and
sshd, root logging in by the fleet's key, its host key known from its first
boot), at 198.19.160.11; all addresses are in 198.19.160.0/22.

Both transports: paramiko (``use_ssh_client: false``), which finds the key and
known_hosts under $HOME/.ssh (the test's HOME, never the machine's), and the
OpenSSH client (``use_ssh_client: true``): OpenSSH reads its configuration
from the user's passwd entry, not $HOME, so a wrapper ``ssh`` first on the
module's PATH runs the real one with ``-F`` and the test's own configuration
(the key, a known_hosts file with the host's key, strict checking, batch mode).

docker_network creates a network with IPAM config (check mode first), a second
run changes nothing, docker_network_info and docker_host_info read the remote
engine, and the network is removed (check mode first); the remote's own docker
CLI confirms each state. A wrong key, a closed port, a host without the docker
CLI and a Python without paramiko each fail with a message naming docker_host
or use_ssh_client and the fix. No key material appears at -vvv. The kernel
checks of a macvlan network say that they could not run on a remote engine.
"""
import json
import os
import shutil
import subprocess

import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play
from ansible_collections.netprov.dockernet.tests.support.dind import dind_fleet

PREFIX = 'npssh'
FLEET_SUBNET = '198.19.160.0/24'
NET = 'netprov.dockernet.docker_network'
NET_INFO = 'netprov.dockernet.docker_network_info'
HOST_INFO = 'netprov.dockernet.docker_host_info'
SSH = '/usr/bin/ssh'

# one /26 of 198.19.161.0/24 per transport
LEGS = {
    'paramiko': {'use_ssh_client': False, 'subnet': '198.19.161.0/26', 'gateway': '198.19.161.1'},
    'ssh client': {'use_ssh_client': True, 'subnet': '198.19.161.64/26', 'gateway': '198.19.161.65'},
}


class Remote(object):
    """The SSH test host and the client side the test made for it (homes, ssh configurations, wrappers)."""

    def __init__(self, fleet, tmp):
        self.fleet, self.tmp = fleet, tmp
        self.addr = fleet.base + '11'
        self.url = 'ssh://root@%s' % self.addr
        self.key = os.path.join(fleet.state, 'id_ed25519')
        self.known_hosts = os.path.join(fleet.state, 'known_hosts')
        self.wrong_key = os.path.join(tmp, 'wrong_ed25519')
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'netprov-wrong', '-f', self.wrong_key],
                       check=True, capture_output=True)

    def env(self, use_ssh_client, key=None):
        """The module's environment: a HOME whose .ssh has ``key`` and the host's key (paramiko); for the
        ssh client, a wrapper ``ssh`` first on PATH that runs the real one with a configuration naming them."""
        key = key or self.key
        name = '%s-%s' % ('client' if use_ssh_client else 'paramiko', os.path.basename(key))
        home = os.path.join(self.tmp, name)
        dot = os.path.join(home, '.ssh')
        if not os.path.isdir(dot):
            os.makedirs(dot, mode=0o700)
            shutil.copy(self.known_hosts, os.path.join(dot, 'known_hosts'))
            if not use_ssh_client:
                shutil.copy(key, os.path.join(dot, 'id_ed25519'))
                os.chmod(os.path.join(dot, 'id_ed25519'), 0o600)
        env = {'HOME': home}
        if use_ssh_client:
            config, wrapper = os.path.join(home, 'ssh_config'), os.path.join(home, 'bin', 'ssh')
            if not os.path.exists(wrapper):
                with open(config, 'w') as f:
                    f.write('Host *\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n'
                            '  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  BatchMode yes\n'
                            '  ConnectTimeout 20\n' % (key, os.path.join(dot, 'known_hosts')))
                os.makedirs(os.path.dirname(wrapper))
                with open(wrapper, 'w') as f:
                    f.write('#!/bin/sh\nexec %s -F %s "$@"\n' % (SSH, config))
                os.chmod(wrapper, 0o755)
            env['PATH'] = '%s:%s' % (os.path.dirname(wrapper), os.environ['PATH'])
        return env

    def secrets(self):
        """The private keys' base64 lines: none of them may appear in any output."""
        lines = []
        for path in (self.key, self.wrong_key):
            with open(path) as f:
                lines += [line.strip() for line in f if line.strip() and not line.startswith('-----')]
        return lines

    def leaked(self, result):
        out = result.stdout + result.stderr
        return [line for line in self.secrets() if line in out]

    def network(self, name):
        """The remote engine's own inspect of a network (its docker CLI, not over SSH), or None."""
        proc = self.fleet.on_host(1, 'docker', 'network', 'inspect', name, check=False)
        return json.loads(proc.stdout)[0] if proc.returncode == 0 else None


@pytest.fixture(scope='module')
def remote(tmp_path_factory):
    with dind_fleet(PREFIX, 1, FLEET_SUBNET) as fleet:
        yield Remote(fleet, str(tmp_path_factory.mktemp('ssh')))


def task(module, args, remote, use_ssh_client, env=None, **kw):
    t = {module: dict(args, docker_host=remote.url, use_ssh_client=use_ssh_client),
         'environment': env or remote.env(use_ssh_client)}
    t.update(kw)
    return t


@pytest.mark.parametrize('leg', sorted(LEGS))
def test_docker_network_lifecycle_over_ssh(remote, leg):
    use = LEGS[leg]['use_ssh_client']
    name = 'npssh-%s' % leg.replace(' ', '-')
    spec = {'name': name, 'labels': {'via': 'ssh'},
            'ipam_config': [{'subnet': LEGS[leg]['subnet'], 'gateway': LEGS[leg]['gateway']}]}
    r = play([
        task(NET, spec, remote, use, check_mode=True),
        task(NET_INFO, {'name': name}, remote, use),
        task(NET, spec, remote, use),
        task(NET, spec, remote, use),
        task(NET_INFO, {'name': name}, remote, use),
        task(HOST_INFO, {}, remote, use),
    ], diff=True, verbosity=3)
    for i, res in enumerate(r.results):
        assert res.get('failed') is not True, (i, res.get('msg'))
    check, before, made, again, info, host = r.results
    assert check['changed'] is True and before['exists'] is False
    assert made['changed'] is True and made['plan'] == check['plan']
    assert again['changed'] is False, again['plan']
    have = remote.network(name)
    assert have is not None, 'the remote engine has no network %s' % name
    assert have['IPAM']['Config'] == [{'Subnet': LEGS[leg]['subnet'], 'Gateway': LEGS[leg]['gateway']}]
    assert have['Labels'] == {'via': 'ssh', 'netprov.dockernet.managed': 'true'}
    assert info['exists'] is True and info['network']['id'] == have['Id']
    assert info['network']['ipam_config'][0]['subnet'] == LEGS[leg]['subnet']
    version = remote.fleet.on_host(1, 'docker', 'version', '--format', '{{.Server.Version}}').stdout.strip()
    assert host['engine']['version'] == version
    assert not remote.leaked(r), 'key material in the -vvv output'

    gone = {'name': name, 'state': 'absent'}
    r = play([
        task(NET, gone, remote, use, check_mode=True),
        task(NET_INFO, {'name': name}, remote, use),
        task(NET, gone, remote, use),
        task(NET, gone, remote, use),
    ], diff=True)
    for i, res in enumerate(r.results):
        assert res.get('failed') is not True, (i, res.get('msg'))
    check, still, removed, again = r.results
    assert check['changed'] is True and still['exists'] is True
    assert removed['changed'] is True and again['changed'] is False
    assert remote.network(name) is None


def test_kernel_checks_of_a_remote_engine_say_what_could_not_be_checked(remote):
    name = 'npssh-macvlan'
    spec = {'name': name, 'driver': 'macvlan', 'driver_options': {'parent': 'eth0'},
            'ipam_config': [{'subnet': FLEET_SUBNET, 'ip_range': '198.19.160.128/26', 'gateway': '198.19.160.1'}]}
    res = play([task(NET, spec, remote, False, check_mode=True)])[0]
    assert res.get('failed') is not True, res.get('msg')
    assert res['changed'] is True
    warned = [w for w in res.get('warnings', []) if remote.url in w]
    assert warned, res.get('warnings')
    assert 'kernel support for macvlan' in warned[0] and 'parent link eth0' in warned[0]
    assert 'netprov.dockernet.preflight' in warned[0]
    assert remote.network(name) is None


def _refused(remote, use, env, fix, url=None):
    name = 'npssh-refused'
    t = task(NET, {'name': name, 'ipam_config': [{'subnet': '198.19.162.0/26'}]}, remote, use, env=env)
    if url:
        t[NET]['docker_host'] = url
    r = play([t], verbosity=3)
    res = r[0]
    assert res.get('failed') is True, res
    msg = res['msg']
    assert fix in msg, msg
    assert (url or remote.url) in msg and 'use_ssh_client: %s' % ('true' if use else 'false') in msg, msg
    assert 'docker_host' in msg, msg
    assert 'Traceback' not in msg + res.get('module_stderr', ''), res
    assert not remote.leaked(r), 'key material in the -vvv output'
    assert remote.network(name) is None


@pytest.mark.parametrize('leg', sorted(LEGS))
def test_a_key_the_host_refuses_names_docker_host_and_use_ssh_client(remote, leg):
    use = LEGS[leg]['use_ssh_client']
    _refused(remote, use, remote.env(use, key=remote.wrong_key), 'a key that the host accepts')


@pytest.mark.parametrize('leg', sorted(LEGS))
def test_a_port_where_no_sshd_listens_names_docker_host(remote, leg):
    use = LEGS[leg]['use_ssh_client']
    _refused(remote, use, remote.env(use), 'check docker_host (ssh://USER@HOST:PORT',
             url='ssh://root@%s:2222' % remote.addr)


@pytest.mark.parametrize('leg', sorted(LEGS))
def test_a_host_without_the_docker_cli_names_what_to_install(remote, leg):
    use = LEGS[leg]['use_ssh_client']
    remote.fleet.on_host(1, 'mv', '/usr/bin/docker', '/usr/bin/docker.away')
    try:
        name = 'npssh-refused'
        res = play([task(NET, {'name': name}, remote, use)])[0]
    finally:
        remote.fleet.on_host(1, 'mv', '/usr/bin/docker.away', '/usr/bin/docker')
    assert res.get('failed') is True, res
    assert 'docker: command not found' in res['msg'], res['msg']
    assert 'install the Docker CLI on the host that docker_host names' in res['msg'], res['msg']
    assert remote.network(name) is None


def test_a_python_without_paramiko_names_the_package(remote, tmp_path):
    # A Python that cannot import paramiko: a package of that name first on its path that refuses to load.
    shadow = tmp_path / 'paramiko'
    shadow.mkdir()
    (shadow / '__init__.py').write_text('raise ImportError("No module named paramiko")\n')
    for use in (False, True):
        env = dict(remote.env(use), PYTHONPATH=str(tmp_path))
        res = play([task(HOST_INFO, {}, remote, use, env=env)])[0]
        assert res.get('failed') is True, res
        assert 'pip install paramiko' in res['msg'] and 'docker_host' in res['msg'], res['msg']
