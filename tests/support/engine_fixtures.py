"""Fixtures for tests against the real engine: unique names, containers, veth parents, cleanup.

``client`` and ``scratch`` point at ``docker_engine`` (tests/support/
engine_matrix.py): the default engine, or each engine of the engine tier in
turn. While a test that uses them runs, ``DOCKER_HOST`` names that engine, so
every module call the test makes reaches it: ansible-playbook runs
(tests/support/ansible_play.py passes the environment on) and in-process
calls (tests/support/inproc.py) alike, through the modules' DOCKER_HOST fallback.
"""
import subprocess
import uuid

import docker
import pytest

IMAGE = 'netprov-test/busybox:latest'


@pytest.fixture(scope='session')
def engine_clients():
    """One docker SDK client per engine URL, for the session."""
    clients = {}
    yield clients
    for c in clients.values():
        c.close()


def client_for(clients, info):
    if info.url not in clients:
        clients[info.url] = docker.DockerClient(base_url=info.url, version='auto', timeout=120)
    return clients[info.url]


@pytest.fixture
def engine_env(docker_engine, monkeypatch):
    """DOCKER_HOST names the test's engine while the test runs; the EngineInfo."""
    monkeypatch.setenv('DOCKER_HOST', docker_engine.url)
    return docker_engine


@pytest.fixture
def client(engine_env, engine_clients):
    """A docker SDK client of the test's engine (DOCKER_HOST names it meanwhile)."""
    return client_for(engine_clients, engine_env)


class Scratch(object):
    """Everything one test makes on the engine and the host, removed afterwards."""

    def __init__(self, client, engine=None):
        self.client = client
        self.engine = engine
        self.prefix = 'np%s' % uuid.uuid4().hex[:6]
        self.links = []

    def name(self, suffix):
        return '%s-%s' % (self.prefix, suffix)

    def container(self, suffix, network=None):
        kw = {'network': network} if network else {}
        return self.client.containers.run(IMAGE, ['sleep', '3600'], name=self.name(suffix), detach=True, **kw)

    def ip(self, *args, check=True):
        """``ip`` where the engine runs (its network namespace)."""
        if self.engine is not None:
            return self.engine.ip(*args, check=check)
        return subprocess.run(['ip'] + list(args), capture_output=True, text=True, check=check)

    def veth(self, suffix):
        """A veth pair where the engine runs (its network namespace), as a parent for macvlan/ipvlan (never eth0)."""
        a = ('%s%s' % (self.prefix, suffix))[:15]
        b = ('%sp%s' % (self.prefix, suffix))[:15]
        self.ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b)
        self.ip('link', 'set', a, 'up')
        self.links.append(a)
        return a

    def networks(self):
        return [n for n in self.client.networks.list() if n.name.startswith(self.prefix)]

    def cleanup(self):
        for c in self.client.containers.list(all=True, filters={'name': self.prefix}):
            c.remove(force=True)
        # Config-only templates last: the engine keeps one while a network made from it exists.
        for n in sorted(self.networks(), key=lambda n: bool(n.attrs.get('ConfigOnly'))):
            try:
                n.remove()
            except docker.errors.APIError:
                pass
        for link in self.links:
            self.ip('link', 'del', link, check=False)


@pytest.fixture
def scratch(client, engine_env):
    s = Scratch(client, engine_env)
    yield s
    s.cleanup()
