"""_probe.run's pure parts: the network probed (read through _network.wire), failure lines, verdicts, the result.

probe() itself starts a container on a real engine and runs the tools in it:
tests/integration/test_docker_network_probe.py and test_docker_network_probe_overlay.py exercise it.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._probe.run import Prober, ProbeTimeout, describe


def test_failure_line_names_option_target_expected_and_seen():
    line = describe({'path': 'targets[0].tcp[1]', 'check': 'tcp', 'target': 'web', 'port': 81,
                     'expected': 'to accept a TCP connection', 'seen': 'connection refused'})
    assert line == 'targets[0].tcp[1]: web port 81/tcp: expected to accept a TCP connection, seen connection refused'


# -- the network probed, read through _network.wire -----------------------------------------
class _Engine(object):
    url = 'unix:///var/run/docker.sock'

    def __init__(self, net):
        self.net = net

    def find_network(self, _name):
        return self.net


@pytest.mark.parametrize('net, text', [
    ({'Name': 'tpl', 'Driver': 'null', 'ConfigOnly': True},
     'network: tpl is a configuration-only network: no container can join it; probe a network made from it '
     '(config_from)'),
    ({'Name': 'none', 'Driver': 'null'},
     'network: none (driver null) has no network of its own to probe: a container there has only loopback; probe '
     'from a user-defined network'),
    ({'Name': 'host', 'Driver': 'host'},
     "network: host (driver host) has no network of its own to probe: a container there shares the host's stack "
     "and resolver; probe from a user-defined network"),
    ({'Name': 'ingress', 'Driver': 'overlay', 'Ingress': True},
     'network: overlay ingress is not attachable: a standalone probe container cannot join it (the engine refuses); '
     'make it with attachable: true (the ingress network never is)'),
])
def test_a_network_no_probe_container_can_join_is_refused(net, text):
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import run
    with pytest.raises(ValidationError) as exc:
        run._find_network(_Engine(dict(net, Id='n' * 64)), net['Name'])
    assert str(exc.value) == text


def test_the_result_describes_the_network_as_the_engine_has_it():
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import run
    net = run._find_network(_Engine({'Name': 'app', 'Id': 'a' * 64, 'Driver': 'overlay', 'Scope': 'swarm',
                                     'Attachable': True, 'Options': {'com.docker.network.driver.mtu': '1400'}}), 'app')
    assert run.network_summary(net) == {'name': 'app', 'id': 'a' * 64, 'driver': 'overlay', 'scope': 'swarm',
                                        'internal': False, 'attachable': True, 'mtu': 1400, 'vxlan': True}


# -- the path MTU verdict in words -------------------------------------------------------------
def _passes_up_to(limit):
    return lambda size: (size <= limit, None)


def test_a_black_hole_is_said_with_the_size_that_passed_and_the_fix_for_an_overlay():
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import mtu, run
    found = mtu.measure(_passes_up_to(1400), 1450)
    assert run._mtu_seen(found) == ('1400: larger packets are lost and nothing says why (no ICMP fragmentation '
                                    'needed): a black hole')
    overlay = {'name': 'app', 'vxlan': True}
    assert run._mtu_hint(found, 1450, overlay) == (
        "VXLAN adds 50 bytes, so the underlay under app carries packets of 1450 bytes at most; set the overlay's mtu "
        "to 1400 or raise the underlay links' MTU to 1500")
    assert run._mtu_hint(found, 1450, {'name': 'backend', 'vxlan': False}) == (
        "a link on the path carries 1400 bytes at most; set backend's mtu to 1400 or raise that link's MTU to 1450")


def test_ok_signalled_and_unreachable_verdicts_in_words():
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import mtu, run
    assert run._mtu_seen(mtu.measure(_passes_up_to(1500), 1450)) == 1450
    signalled = mtu.measure(lambda size: (size <= 1380, 1380), 1450)
    assert run._mtu_seen(signalled).startswith('1380: the path said so (ICMP fragmentation needed)')
    lost = mtu.measure(_passes_up_to(0), 1450)
    assert run._mtu_seen(lost) == 'no reply even to 576-byte packets'
    assert run._mtu_hint(lost, 1450, {'name': 'app', 'vxlan': True}).startswith('the peer answers small pings')


def test_failure_lines_of_a_published_and_a_path_mtu_check():
    assert describe({'path': 'published[0]', 'check': 'published', 'service': 'web', 'port': 8080, 'target': 'host2',
                     'address': '198.18.0.12', 'expected': 'to accept a TCP connection', 'seen': 'connection refused',
                     'hint': 'the task on host2 does not answer on its target port'}) == (
        'published[0]: service web port 8080/tcp on host2 (198.18.0.12): expected to accept a TCP connection, seen '
        'connection refused; the task on host2 does not answer on its target port')
    assert describe({'path': 'targets[0].path_mtu', 'check': 'path_mtu', 'target': 'web', 'expected': 1450,
                     'seen': 'no reply even to 576-byte packets'}) == (
        'targets[0].path_mtu: web path MTU: expected 1450 bytes with DF set to pass, seen no reply even to 576-byte '
        'packets')


# -- the result ------------------------------------------------------------------------------
def _done():
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import spec
    checks = spec.validate({'network': 'backend', 'image': 'busybox:latest', 'pull': False, 'resolve': ['db'],
                            'not_resolve': [], 'dns': None, 'dns_search': None, 'dns_opts': None, 'reply_timeout': 2,
                            'probe_timeout': 120, 'fail_on_mismatch': True,
                            'targets': [dict(name='web', ping=True, tcp=[80], expect='reachable', path_mtu=False,
                                             mtu=None)]})
    seen = {'resolve': (True, 'resolves', ['198.18.0.5']), 'icmp': (True, 'answers ping', None),
            'tcp': (False, 'connection refused', None)}
    for check in checks:
        ok, text, addresses = seen[check['check']]
        check.update(ok=ok, seen=text)
        if addresses:
            check['addresses'] = addresses
    return checks


SUMMARY = {'name': 'backend', 'id': 'b' * 64, 'driver': 'bridge', 'scope': 'local', 'internal': False,
           'attachable': False, 'mtu': None, 'vxlan': False}


def test_the_result_has_one_row_per_target_and_the_names_asked():
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import run
    result = run._result(_done(), [], SUMMARY, {}, fail_on_mismatch=False)
    assert result['ok'] is False and result['changed'] is False and result['network'] == SUMMARY
    assert result['targets'] == [{'name': 'web', 'expect': 'reachable', 'addresses': ['198.18.0.5'], 'icmp': True,
                                  'tcp': {'80': False}, 'path_mtu': None, 'mtu_verdict': None, 'ok': False}]
    assert result['names'] == {'db': {'resolves': True, 'addresses': ['198.18.0.5'], 'expected': True, 'ok': True}}
    assert result['failures'] == ['targets[0].tcp[0]: web port 80/tcp: expected to accept a TCP connection, seen '
                                  'connection refused']


def test_a_mismatch_fails_with_every_failure_and_the_whole_result():
    from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import NetprovError
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import run
    with pytest.raises(NetprovError) as err:
        run._result(_done(), [], SUMMARY, {}, fail_on_mismatch=True)
    assert str(err.value).startswith('1 of 4 checks failed from network backend: targets[0].tcp[0]: web port 80/tcp')
    assert err.value.details['ok'] is False and len(err.value.details['checks']) == 4


# -- the engine refusing the probe container, in the user's words ---------------------------------
PROBE = {'network': 'backend', 'image': 'netprov-test/busybox:latest'}


@pytest.mark.parametrize('said, path, text', [
    ('404 Client Error for http+docker://localhost/v1.41/containers/create: Not Found ("network backend not found")',
     'network', 'no network named backend could be joined: '),
    ('404 Client Error: Not Found ("No such image: netprov-test/busybox:latest")', 'image',
     'image netprov-test/busybox:latest is gone from the engine: '),
    ('400 Client Error: Bad Request ("failed to create task for container: OCI runtime create failed: exec: '
     '"sleep": executable file not found in $PATH: unknown")', 'image',
     'image netprov-test/busybox:latest has no sleep: the probe container needs sh, sleep'),
])
def test_an_engine_refusal_to_start_the_probe_names_the_option_to_fix(said, path, text):
    from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import EngineError
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import run
    got = run._start_error(EngineError(said), PROBE)
    assert isinstance(got, ValidationError) and got.path == path and got.msg.startswith(text), str(got)


def test_any_other_refusal_stays_the_engines():
    from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import EngineError
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import run
    exc = EngineError('500 Server Error: Internal Server Error ("driver failed programming external connectivity")')
    assert run._start_error(exc, PROBE) is exc


# -- the deadline ---------------------------------------------------------------------------
class _SlowExec(object):
    """An engine whose exec answers after the probe's deadline, cut short as timeout(1) leaves it."""

    def __init__(self, prober, out):
        self.prober, self.out = prober, out

    def exec_in(self, _container, _argv):
        self.prober.deadline = 0   # the exec used up what was left
        return 137, self.out, ''


@pytest.mark.parametrize('out', ['', 'tool sh\n'])
def test_a_tool_check_cut_short_by_the_deadline_is_a_timeout_not_a_missing_shell(out):
    prober = Prober(None, 'probe', {'reply_timeout': 2, 'probe_timeout': 5, 'image': 'busybox'}, None)
    prober.engine = _SlowExec(prober, out)
    with pytest.raises(ProbeTimeout) as err:
        prober.run([])
    assert err.value.path == 'probe_timeout'
    assert err.value.msg.startswith('the probe did not finish within 5 s (0 of its checks done)'), err.value.msg


def test_a_tool_check_that_ends_in_time_without_its_output_needs_a_posix_sh():
    prober = Prober(None, 'probe', {'reply_timeout': 2, 'probe_timeout': 60, 'image': 'scratchy'}, None)
    prober.engine = type('E', (object,), {'exec_in': lambda self, c, a: (127, '', 'sh: not found')})()
    with pytest.raises(ValidationError) as err:
        prober.run([])
    assert err.value.path == 'image' and 'needs a POSIX sh' in err.value.msg
