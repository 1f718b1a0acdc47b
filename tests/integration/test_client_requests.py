"""Engine() reaches the real engine with as few requests as it can, and still refuses clearly when it cannot."""
import docker
import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import Engine
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import EngineError


@pytest.fixture
def requests_sent():
    """Every HTTP request any APIClient sends during the test, as (method, path)."""
    seen = []
    send = docker.APIClient.send

    def recording(self, request, **kw):
        seen.append((request.method, request.path_url.split('?')[0]))
        return send(self, request, **kw)
    docker.APIClient.send = recording
    yield seen
    docker.APIClient.send = send


def test_auto_version_connects_with_one_request(requests_sent):
    engine = Engine({'docker_host': 'unix:///var/run/docker.sock', 'api_version': 'auto'})
    assert requests_sent == [('GET', '/version')]
    # The full version answer is asked for only when something reads it.
    assert engine.server_version
    assert len(requests_sent) == 2
    assert engine.server_version and len(requests_sent) == 2


def test_pinned_version_pings_once(requests_sent):
    Engine({'docker_host': 'unix:///var/run/docker.sock', 'api_version': '1.41'})
    assert requests_sent == [('GET', '/v1.41/_ping')]


@pytest.mark.parametrize('version', ['auto', '1.41'])
def test_unreachable_engine_is_one_clear_error(tmp_path, version):
    with pytest.raises(EngineError) as err:
        Engine({'docker_host': 'unix://%s' % (tmp_path / 'nothing.sock'), 'api_version': version, 'timeout': 5})
    assert 'cannot reach the Docker Engine at unix://' in str(err.value)
