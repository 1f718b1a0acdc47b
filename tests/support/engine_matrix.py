"""The engines of the test matrix: '20.10' (the system's), '26.1' and '28.5' (scripts/engines.sh).

The engine tier: a test module marked ``pytestmark = pytest.mark.engine_tier``
runs every test that uses ``docker_engine`` (through ``client``, ``scratch``
and the fixtures built on them) once per engine of ``NETPROV_ENGINES``
(comma-separated; default ``20.10,28.5``, what ``make test`` runs;
``make test-matrix`` runs ``26.1``). The test ids carry the engine
(``test_x[28.5]``). A test of any other module gets the default engine,
``NETPROV_ENGINE`` (default '20.10'), unparametrised.

A test can also ask for one engine through the ``engine`` fixture,
parametrised indirectly::

    @pytest.mark.parametrize('engine', MATRIX, indirect=True)
    def test_x(engine):
        run_module(M, {'name': 'n', 'docker_host': engine})

Without a parameter it is the default engine. The value is the engine's
``docker_host`` URL. ``engine_info`` and ``docker_engine`` give, for an
engine, ``.version``, ``.url``, ``.docker`` (that engine's own CLI),
``.cli(...)``, ``.netns`` (its network namespace, None for the system
engine), ``.ip(...)`` (``ip`` in that namespace) and ``.api`` (its API
version as a tuple).

A known collection defect that breaks a test on one engine only is marked on
the test, for that engine only (strict: the mark must go once it passes)::

    @pytest.mark.engine_xfail('28.5', reason='...')

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

import docker
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, 'scripts', 'engines.sh')
sys.path.insert(0, os.path.join(ROOT, 'scripts'))

import engines  # noqa: E402  pylint: disable=wrong-import-position

MATRIX = ('20.10', '26.1', '28.5')
PRIVATE = engines.PRIVATE  # the engines that run in a network namespace of their own


DEFAULT = os.environ.get('NETPROV_ENGINE', '20.10')


def tier_engines():
    """The engines the engine tier runs on: NETPROV_ENGINES, comma-separated (default 20.10,28.5)."""
    wanted = [v.strip() for v in os.environ.get('NETPROV_ENGINES', '20.10,28.5').split(',') if v.strip()]
    unknown = [v for v in wanted if v not in MATRIX]
    if unknown:
        raise pytest.UsageError('NETPROV_ENGINES names %s, not in the matrix %s'
                                % (', '.join(unknown), ', '.join(MATRIX)))
    return wanted


class EngineInfo(object):
    """What a test needs to check an engine from outside the collection."""

    def __init__(self, version, url, docker, netns, api=None, binaries=None):
        self.version = version
        self.url = url
        self.docker = docker
        self.netns = netns
        self.api = api  # the engine's API version, e.g. (1, 51)
        self.binaries = binaries  # for more daemons of this release (tests/support/fleet.py); None: the system's

    def assert_release(self, url):
        """The engine at ``url`` (a fleet's, say) runs this release."""
        api = docker.APIClient(base_url=url, version='auto', timeout=60)
        try:
            found = api.version()['Version']
        finally:
            api.close()
        assert found.startswith(self.version + '.'), 'the engine at %s is %s, not %s' % (url, found, self.version)

    @property
    def socket(self):
        return self.url[len('unix://'):] if self.url.startswith('unix://') else None

    def ip(self, *args, check=True):
        """``ip`` in the engine's network namespace (the root namespace for the system engine)."""
        cmd = ['ip'] + (['-n', self.netns] if self.netns else []) + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, check=check)

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
            info = EngineInfo(version, url, e.docker, None if e.system else e.netns, binaries=e.binaries())
            api = info.cli('version', '--format', '{{.Server.APIVersion}}').stdout.strip()
            info.api = tuple(int(x) for x in api.split('.'))
            self.started[version] = info
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


@pytest.fixture(scope='session')
def docker_engine(request, engine_pool):
    """The engine of the engine tier this test runs on (an EngineInfo); the default engine outside the tier.

    Session-scoped and parametrised (pytest_generate_tests below): pytest runs a
    worker's tests grouped by engine, each engine started once.
    """
    return engine_pool.get(getattr(request, 'param', None) or DEFAULT)


@pytest.fixture
def engine(request, engine_pool):
    """The docker_host URL of the engine this test is parametrised with ('20.10', '26.1' or '28.5')."""
    return engine_pool.get(getattr(request, 'param', None) or DEFAULT).url


@pytest.fixture
def engine_info(engine, engine_pool):
    """The same engine as ``engine``: its version, own CLI and network namespace."""
    return next(info for info in engine_pool.started.values() if info.url == engine)


def pytest_configure(config):
    config.addinivalue_line('markers', 'engine_tier: run this module\'s docker_engine tests on every engine of '
                                       'NETPROV_ENGINES')
    config.addinivalue_line('markers', 'engine_xfail(version, reason): a known defect fails this test on that '
                                       'engine only (strict)')


def pytest_generate_tests(metafunc):
    if 'docker_engine' not in metafunc.fixturenames or not metafunc.definition.get_closest_marker('engine_tier'):
        return
    if any('docker_engine' in getattr(c, 'params', {}) for c in getattr(metafunc, '_calls', [])):
        return  # the test parametrises it itself
    metafunc.parametrize('docker_engine', tier_engines(), indirect=True, scope='session')


def engine_of(item):
    """The engine key a collected test runs on, or None when it is not parametrised by engine."""
    callspec = getattr(item, 'callspec', None)
    params = callspec.params if callspec else {}
    return params.get('docker_engine') or params.get('engine')


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        version = engine_of(item)
        for mark in item.iter_markers('engine_xfail'):
            versions = mark.args[0] if isinstance(mark.args[0], (list, tuple)) else [mark.args[0]]
            if version in versions:
                item.add_marker(pytest.mark.xfail(strict=True, reason='on %s: %s' % (version, mark.kwargs['reason'])))
        # One xdist group per file and engine (scripts/test.sh: --dist loadgroup): a file's tests on one
        # engine stay on one worker, in file order; the same file on another engine can run beside it.
        group = item.path.name + ('@' + version if version else '')
        item.add_marker(pytest.mark.xdist_group(group))
