"""The engines of the test matrix: '20.10' (the system's), '26.1' and '28.5' (scripts/engines.sh).

A test asks for one engine through the ``engine`` fixture, parametrised
indirectly::

    @pytest.mark.parametrize('engine', MATRIX, indirect=True)
    def test_x(engine):
        run_module(M, {'name': 'n', 'docker_host': engine})

Without a parameter it is ``NETPROV_ENGINE`` (default '20.10'). The value is
the engine's ``docker_host`` URL. ``engine_info`` gives, for the same engine,
``.version``, ``.url``, ``.docker`` (that engine's own CLI), ``.cli(...)`` and
``.netns`` (its network namespace, None for the system engine).

Each engine is started at most once per session, through ``scripts/engines.sh
start VERSION --for PID`` (instant when it runs already: ``make engines``
starts both). At the end of the session the run releases it: an engine that a
test run started is stopped when its last user is gone, one started by hand is
left running. An engine that was asked for and cannot be started fails the
test with the script's reason; it is never skipped.
"""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, 'scripts', 'engines.sh')
sys.path.insert(0, os.path.join(ROOT, 'scripts'))

import engines  # noqa: E402  pylint: disable=wrong-import-position

MATRIX = ('20.10', '26.1', '28.5')
PRIVATE = engines.PRIVATE  # the engines that run in a network namespace of their own


class EngineInfo(object):
    """What a test needs to check an engine from outside the collection."""

    def __init__(self, version, url, docker, netns):
        self.version = version
        self.url = url
        self.docker = docker
        self.netns = netns

    def cli(self, *args, check=True, timeout=120):
        """Run this engine's own docker CLI against it."""
        proc = subprocess.run([self.docker, '-H', self.url] + list(args), capture_output=True, text=True,
                              timeout=timeout, check=False)
        if check and proc.returncode != 0:
            raise AssertionError('docker %s on %s failed (rc=%d): %s'
                                 % (' '.join(args), self.version, proc.returncode, proc.stderr.strip()))
        return proc


class _Engines(object):
    def __init__(self):
        self.started = {}

    def get(self, version):
        if version not in self.started:
            if version not in MATRIX:
                pytest.fail('engine %r is not in the matrix %s' % (version, ', '.join(MATRIX)), pytrace=False)
            if os.geteuid() != 0:
                pytest.fail('engine %s was asked for: starting it needs root' % version, pytrace=False)
            proc = subprocess.run([SCRIPT, 'start', version, '--for', str(os.getpid())], capture_output=True,
                                  text=True, timeout=900, check=False)
            if proc.returncode != 0:
                pytest.fail('engine %s was asked for and could not be started (scripts/engines.sh start %s, '
                            'rc=%d):\n%s%s' % (version, version, proc.returncode, proc.stdout, proc.stderr),
                            pytrace=False)
            sys.stderr.write('\nengine %s: %s' % (version, proc.stdout.strip().replace('\n', '\n  ')))
            e = engines.Engine(version)
            url = proc.stdout.strip().splitlines()[-1]
            assert url == e.url, (url, e.url)
            self.started[version] = EngineInfo(version, url, e.docker, None if e.system else e.netns)
        return self.started[version]

    def release(self):
        for version in self.started:
            subprocess.run([SCRIPT, 'release', version, str(os.getpid())], capture_output=True, timeout=120,
                           check=False)


@pytest.fixture(scope='session')
def engine_pool():
    pool = _Engines()
    yield pool
    pool.release()


@pytest.fixture
def engine(request, engine_pool):
    """The docker_host URL of the engine this test is parametrised with ('20.10', '26.1' or '28.5')."""
    version = getattr(request, 'param', None) or os.environ.get('NETPROV_ENGINE', '20.10')
    return engine_pool.get(version).url


@pytest.fixture
def engine_info(engine, engine_pool):
    """The same engine as ``engine``: its version, own CLI and network namespace."""
    return next(info for info in engine_pool.started.values() if info.url == engine)
