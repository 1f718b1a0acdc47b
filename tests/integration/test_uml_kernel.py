"""The kernel tier: guest-side tests (tests/kernel) run inside a User-Mode Linux guest.

The machine kernel lacks ipvlan, 802.1Q, dummy, ESP and IPVS; the UML
guest (Debian's user-mode-linux, 6.1) has them all. This boots one guest
(tests/support/guest.py), runs pytest on tests/kernel there with a junit
report in the guest's results directory, and turns each guest test case
into a subtest here, with the guest's output on failure.

Tests marked kernel_slow (over 3 minutes) run only with
NETPROV_UML_SLOW=1 (`make test-kernel`). NETPROV_UML_TESTS picks the guest
tests (default: tests/kernel, test_host_link_full_kernel.py and
test_netlink_probes.py). A guest test that skips is a failure here: the guest
has every feature, so a skip can only mean a probe or an expectation is wrong.
The guest has no network: the other Engine releases its tests run
(GUEST_RELEASES) are fetched here first, with `scripts/engines.sh fetch`
(cached after the first time), into the cache the guest sees on the shared root.
"""
import os
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ansible_collections.netprov.dockernet.tests.support import guest  # noqa: E402

IMAGE = os.environ.get('NETPROV_TEST_IMAGE', 'netprov-test/busybox:latest')
SLOW = os.environ.get('NETPROV_UML_SLOW') == '1'
# Which guest tests to run (relative to the repo root). Separate pytest runs, split on ';':
# tests/kernel and tests/integration each have a conftest module of that name.
GUEST_TESTS = os.environ.get('NETPROV_UML_TESTS', 'tests/kernel;tests/integration/test_host_link_full_kernel.py '
                             'tests/integration/test_netlink_probes.py')

# Engine releases besides the system's that guest tests start (tests/support/guest_engine.py: release()).
GUEST_RELEASES = ('28.5',)

pytestmark = pytest.mark.skipif(guest.available() is not None, reason='UML guest: %s' % guest.available())


def _save_image():
    """The host's test image as a tar the guest engines load; None to let the guest build it."""
    tar = '/tmp/netprov-uml-image-%d.tar' % os.getpid()
    r = subprocess.run(['/usr/bin/docker', 'save', '-o', tar, IMAGE], check=False, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    if r.returncode != 0:
        print('docker save %s failed, the guest builds its own: %s' % (IMAGE, r.stdout))
        return None
    return tar


def _fetch_releases():
    """scripts/engines.sh fetch GUEST_RELEASES; what it said (a guest test that needs a release that could not be
    fetched fails with it)."""
    r = subprocess.run([os.path.join(ROOT, 'scripts', 'engines.sh'), 'fetch'] + list(GUEST_RELEASES), check=False,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=1800)
    print('engines.sh fetch %s: rc=%d %s' % (' '.join(GUEST_RELEASES), r.returncode, r.stdout.strip()))
    return 'rc=%d: %s' % (r.returncode, r.stdout.strip())


@pytest.fixture(scope='module')
def guest_run():
    env = {'NETPROV_UML_FETCH': _fetch_releases()}
    tar = _save_image()
    if tar:
        env['NETPROV_UML_IMAGE_TAR'] = tar
    runs = []
    for i, tests in enumerate(t.strip() for t in GUEST_TESTS.split(';') if t.strip()):
        args = ['.venv/bin/python', '-m', 'pytest', '-q', '-rA', '-p', 'no:cacheprovider', '--durations=0',
                '--junitxml="$NETPROV_UML_RESULTS/junit-%d.xml"' % i, tests]
        if not SLOW:
            args[-1:-1] = ['-m', "'not kernel_slow'"]
        runs.append(' '.join(args) + ' || rc=1')
    command = 'rc=0; ' + '; '.join(runs) + '; exit $rc'
    t0 = time.monotonic()
    try:
        # the default set took up to 1150 s under a full `make test`; Engine 28.5's file adds 150-300 s
        res = guest.run_in_guest(command, timeout=2400 if SLOW else 1800, mem='2G',
                                 env=env, log=print)
    finally:
        if tar and os.path.exists(tar):
            os.unlink(tar)
    print('uml tier: %.1f s on the host (guest at command start after %.1f s)'
          % (time.monotonic() - t0, res.boot_seconds or -1))
    print('--- guest pytest (tail)\n' + res.output[-4000:])
    yield res
    if res.rc == 0:
        subprocess.run(['rm', '-rf', res.results_dir], check=False)


def _cases(path):
    for case in ET.parse(path).getroot().iter('testcase'):
        name = '%s::%s' % (case.get('classname'), case.get('name'))
        bad = [c for c in case if c.tag in ('failure', 'error')]
        skipped = [c for c in case if c.tag == 'skipped']
        yield name, bad, skipped


def test_guest_kernel_tier(guest_run, subtests, record_property):
    res = guest_run
    record_property('uml_seconds', round(res.seconds, 1))
    record_property('uml_boot_seconds', res.boot_seconds)
    assert res.rc is not None, 'the guest did not finish its tests:\n' + res.report()
    reports = sorted(f for f in os.listdir(res.results_dir) if f.startswith('junit-'))
    assert reports, 'no junit report from the guest:\n' + res.report()
    cases = [c for f in reports for c in _cases(os.path.join(res.results_dir, f))]
    assert cases, 'the guest ran no test:\n' + res.report()
    for name, bad, skipped in cases:
        with subtests.test(msg=name):
            # the guest has every feature the machine kernel lacks: a skip there (a probe or a kernel_expect
            # deciding the feature is missing) hides a failure, so it is one
            assert not skipped, '%s was skipped in the UML guest, where every kernel feature exists: %s' % (
                name, skipped[0].get('message', ''))
            assert not bad, '%s failed in the UML guest:\n%s\n--- guest log\n%s' % (
                name, '\n'.join((b.get('message') or '') + '\n' + (b.text or '') for b in bad), res.read('guest.log'))
    assert res.rc == 0, res.report()
