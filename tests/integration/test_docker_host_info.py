"""docker_host_info against each engine of the engine tier, through real ansible-playbook runs.

What the module says is compared with what the engine's own CLI (that release's docker) says:
the version, live-restore, container counts; a container this test starts on a network
it creates (198.18.40.0/24, names prefixed nphi-) is listed with its address; check mode
reads the same; an engine at a tcp:// URL (a loopback forwarder to the socket) set once
through the docker action group answers the same; an unreachable docker_host fails with one
message that names docker_host.

The shared engine has other users: counts are compared between two readings that
bracket the module's run (CLI before and after), and only when those two agree.
"""
import json
import socket
import threading
import uuid

import docker
import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play

MODULE = 'netprov.dockernet.docker_host_info'
IMAGE = 'netprov-test/busybox:latest'
SUBNET = '198.18.40.0/26'
ADDRESS = '198.18.40.10'

pytestmark = pytest.mark.engine_tier  # every test, once per engine of NETPROV_ENGINES


@pytest.fixture
def cli(engine_env):
    """cli(*args): the engine's own CLI against it; its stdout."""
    return lambda *args: engine_env.cli(*args).stdout.strip()


def cli_info(cli):
    return json.loads(cli('info', '--format', '{{json .}}'))


def counts(info):
    return (info['Containers'], info['ContainersRunning'], info['ContainersPaused'], info['ContainersStopped'])


@pytest.fixture(scope='module')
def nphi(docker_engine):
    """A network in 198.18.40.0/24 with one running container at a fixed address, both removed afterwards."""
    client = docker.DockerClient(base_url=docker_engine.url, version='auto', timeout=120)
    prefix = 'nphi-%s' % uuid.uuid4().hex[:6]
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=SUBNET)])
    net = client.networks.create(prefix + '-net', driver='bridge', ipam=ipam)
    try:
        container = client.containers.create(IMAGE, ['sleep', '600'], name=prefix + '-c', network=net.name)
        try:
            net.disconnect(container)
            net.connect(container, ipv4_address=ADDRESS, aliases=['hi-alias'])
            container.start()
            yield {'network': net.name, 'container': container.name, 'id': container.id}
        finally:
            container.remove(force=True)
    finally:
        net.remove()
        client.close()


def test_reads_the_engine_in_check_and_real_mode_with_containers(nphi, cli):
    before = cli_info(cli)
    tasks = [{MODULE: {}}, {MODULE: {'containers': True}}, {MODULE: {'containers': True}, 'check_mode': True}]
    res = play(tasks)
    after = cli_info(cli)
    plain, full, checked = res[0], res[1], res[2]
    for r in (plain, full, checked):
        assert not r.get('failed'), r.get('msg')
        assert r['changed'] is False and r['plan'] == []

    # What the engine is: as `docker version` says.
    server = json.loads(cli('version', '--format', '{{json .Server}}'))
    engine = plain['engine']
    assert engine['version'] == server['Version']
    assert engine['api_version'] == server['ApiVersion']
    assert engine['min_api_version'] == server['MinAPIVersion']
    assert (engine['os'], engine['arch'], engine['kernel_version']) == (server['Os'], server['Arch'],
                                                                        server['KernelVersion'])
    assert (engine['name'], engine['root_dir'], engine['cgroup_driver']) == (
        after['Name'], after['DockerRootDir'], after['CgroupDriver'])

    # Networking: as `docker info` and `docker network inspect bridge` say.
    net = plain['networking']
    assert net['live_restore'] is after['LiveRestoreEnabled']
    assert net['swarm']['local_node_state'] == after['Swarm']['LocalNodeState']
    assert net['network_drivers'] == after['Plugins']['Network']
    assert net['warnings_engine'] == (after.get('Warnings') or [])
    pools = after.get('DefaultAddressPools')
    assert net['default_address_pools'] == (None if pools is None else
                                            [{'base': p['Base'], 'size': p['Size']} for p in pools])
    bridge = json.loads(cli('network', 'inspect', 'bridge'))[0]
    v4 = [c for c in bridge['IPAM']['Config'] if ':' not in c['Subnet']][0]
    assert (net['bridge']['subnet'], net['bridge']['gateway']) == (v4['Subnet'], v4.get('Gateway'))
    mtu = bridge['Options'].get('com.docker.network.driver.mtu')
    assert net['bridge']['mtu'] == (int(mtu) if mtu else None)
    assert net['ipv6']['bridge_enabled'] is bridge['EnableIPv6']

    # Counts, when nobody else changed the engine meanwhile; ours is running either way.
    got = plain['containers']
    if counts(before) == counts(after):
        assert (got['total'], got['running'], got['paused'], got['stopped']) == counts(after)
    assert got['running'] >= 1 and 'list' not in got

    # The container list, in a real run and in check mode alike.
    for r in (full, checked):
        mine = [c for c in r['containers']['list'] if c['name'] == nphi['container']]
        assert len(mine) == 1, [c['name'] for c in r['containers']['list']]
        assert mine[0]['id'] == nphi['id'] and mine[0]['state'] == 'running'
        ep = mine[0]['networks'][nphi['network']]
        assert ep['ipv4'] == ADDRESS
        assert 'hi-alias' in ep['aliases'] and nphi['id'][:12] not in ep['aliases']
        assert all(c['state'] == 'running' for c in r['containers']['list'])


class TcpToSocket(object):
    """A loopback TCP listener that forwards each connection to the engine's unix socket: an engine over TCP."""

    def __init__(self, path='/var/run/docker.sock'):
        self.path = path
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(8)
        self.url = 'tcp://127.0.0.1:%d' % self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _peer = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.path)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.listener.close()


def test_engine_over_tcp_through_the_docker_action_group(engine_env, cli):
    """Not only a local socket: an engine at a tcp:// URL, set once for the docker action group."""
    proxy = TcpToSocket(engine_env.socket)
    try:
        res = play([{MODULE: {}}], module_defaults={'group/netprov.dockernet.docker': {
            'docker_host': proxy.url, 'api_version': '1.41'}})
    finally:
        proxy.close()
    r = res[0]
    assert not r.get('failed'), r.get('msg')
    assert proxy.connections >= 1
    assert r['engine']['version'] == cli('version', '--format', '{{.Server.Version}}')
    assert r['networking']['live_restore'] is cli_info(cli)['LiveRestoreEnabled']


def test_unreachable_engine_fails_naming_docker_host():
    r = play([{MODULE: {'docker_host': 'unix:///nonexistent.sock'}}])[0]
    assert r['failed'] is True
    assert 'unix:///nonexistent.sock' in r['msg'] and 'docker_host' in r['msg']
    assert 'Traceback' not in r['msg'] + (r.get('exception') or '') + r.get('module_stderr', '')
