"""Fixtures for tests against the real engine: unique names, containers, veth parents, cleanup."""
import subprocess
import uuid

import docker
import pytest

IMAGE = 'netprov-test/busybox:latest'


@pytest.fixture(scope='session')
def client():
    c = docker.from_env()
    yield c
    c.close()


class Scratch(object):
    """Everything one test makes on the engine and the host, removed afterwards."""

    def __init__(self, client):
        self.client = client
        self.prefix = 'np%s' % uuid.uuid4().hex[:6]
        self.links = []

    def name(self, suffix):
        return '%s-%s' % (self.prefix, suffix)

    def container(self, suffix, network=None):
        kw = {'network': network} if network else {}
        return self.client.containers.run(IMAGE, ['sleep', '3600'], name=self.name(suffix), detach=True, **kw)

    def veth(self, suffix):
        """A veth pair in the root namespace, as a parent for macvlan/ipvlan (never eth0)."""
        a = ('%s%s' % (self.prefix, suffix))[:15]
        b = ('%sp%s' % (self.prefix, suffix))[:15]
        subprocess.run(['ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', b], check=True)
        subprocess.run(['ip', 'link', 'set', a, 'up'], check=True)
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
            subprocess.run(['ip', 'link', 'del', link], stderr=subprocess.DEVNULL, check=False)


@pytest.fixture
def scratch(client):
    s = Scratch(client)
    yield s
    s.cleanup()
