"""docker_network_probe's pure parts: options -> checks, tool output -> what was seen, the path MTU search."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._probe import mtu, spec, tools
from ansible_collections.netprov.dockernet.plugins.module_utils._probe.run import describe


def params(**kw):
    base = dict(network='backend', image='busybox:latest', pull=False, resolve=[], not_resolve=[], targets=[],
                dns=None, dns_search=None, dns_opts=None, reply_timeout=2, probe_timeout=120, fail_on_mismatch=True)
    base.update(kw)
    return base


def target(name, **kw):
    t = dict(name=name, ping=True, tcp=[], expect='reachable', path_mtu=True, mtu=None)
    t.update(kw)
    return t


# -- options -> checks -------------------------------------------------------------------
def test_checks_come_in_option_order_with_their_paths():
    checks = spec.validate(params(resolve=['web'], not_resolve=['other'],
                                  targets=[target('web', tcp=[80, 443]), target('198.18.0.9', path_mtu=False)]))
    assert [(c['path'], c['check']) for c in checks] == [
        ('resolve[0]', 'resolve'), ('not_resolve[0]', 'not_resolve'),
        ('targets[0].name', 'resolve'), ('targets[0].ping', 'icmp'), ('targets[0].tcp[0]', 'tcp'),
        ('targets[0].tcp[1]', 'tcp'), ('targets[0].path_mtu', 'path_mtu'),
        ('targets[1].ping', 'icmp')]  # an address is not resolved
    assert checks[4]['port'] == 80


def test_an_unreachable_target_is_not_measured():
    checks = spec.validate(params(targets=[target('db', expect='unreachable', tcp=[5432])]))
    assert [c['check'] for c in checks] == ['resolve', 'icmp', 'tcp']
    assert all(c['reachable'] is False for c in checks)


@pytest.mark.parametrize('kw, path, words', [
    (dict(), 'targets', 'nothing to check'),
    (dict(network=' ', resolve=['a']), 'network', 'required'),
    (dict(image='', resolve=['a']), 'image', 'busybox'),
    (dict(resolve=['a b']), 'resolve[0]', 'not a name'),
    (dict(resolve=['web'], not_resolve=['web']), 'not_resolve[0]', 'give it once'),
    (dict(targets=[target('web', tcp=[0])]), 'targets[0].tcp[0]', 'from 1 to 65535'),
    (dict(targets=[target('web', tcp=[80, 80])]), 'targets[0].tcp[1]', 'twice'),
    (dict(targets=[target('web'), target('web')]), 'targets[1].name', 'also targets[0]'),
    (dict(targets=[target('web', mtu=100)]), 'targets[0].mtu', 'from 576'),
    (dict(targets=[target('web', mtu=1400, ping=False)]), 'targets[0].mtu', 'needs ping'),
    (dict(resolve=['a'], reply_timeout=0), 'reply_timeout', 'from 1 to 60'),
    (dict(resolve=['a'], probe_timeout=2), 'probe_timeout', 'from 5 to 3600'),
    (dict(resolve=['a'], dns=['ns1']), 'dns[0]', 'not an IP address'),
])
def test_bad_options_name_the_field(kw, path, words):
    with pytest.raises(ValidationError) as err:
        spec.validate(params(**kw))
    assert err.value.path == path and words in err.value.msg, str(err.value)


# -- tool output ---------------------------------------------------------------------------
NSLOOKUP_OK = """Server:\t\t127.0.0.11
Address:\t127.0.0.11:53

Non-authoritative answer:

Non-authoritative answer:
Name:\tweb
Address: 198.19.208.2
"""


def test_nslookup_answer_gives_the_addresses_not_the_server():
    assert tools.parse_resolve(0, NSLOOKUP_OK, '', {'nslookup'}) == (['198.19.208.2'], '198.19.208.2')


@pytest.mark.parametrize('rc, out, err, seen', [
    (1, 'Server:\t\t127.0.0.11\n', "** server can't find ghost: NXDOMAIN\n", 'NXDOMAIN'),
    (1, ';; connection timed out; no servers could be reached\n', '', 'no answer from the DNS server'),
    (0, 'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\n', '',
     'an answer without addresses'),
    (137, '', '', 'no answer in time'),
])
def test_nslookup_failures_say_what_was_seen(rc, out, err, seen):
    assert tools.parse_resolve(rc, out, err, {'nslookup'}) == ([], seen)


def test_getent_when_there_is_no_nslookup():
    argv = tools.resolve_argv('web', {'getent'})
    assert argv == ['getent', 'hosts', 'web']
    assert tools.parse_resolve(0, '198.19.208.2    web\n', '', {'getent'})[0] == ['198.19.208.2']


def test_toolbox_output():
    found = tools.parse_toolbox('tool nslookup\ntool ping\ntool nc\nmtu eth0 1450\nmtu lo 65536\ntoolbox-end\n')
    assert found['tools'] == {'sh', 'nslookup', 'ping', 'nc'} and found['ping_df'] is False
    assert found['mtu'] == {'eth0': 1450, 'lo': 65536} and found['complete']


def test_ping_sizes_are_ip_packet_sizes_and_df_is_forced_with_iputils():
    assert tools.ping_argv('198.18.0.2', 1450, 2, False) == ['ping', '-c', '1', '-W', '2', '-s', '1422', '198.18.0.2']
    assert tools.ping_argv('198.18.0.2', 1450, 2, True)[:3] == ['ping', '-M', 'do']


@pytest.mark.parametrize('rc, out, err, seen', [
    (0, '1480 bytes from 198.18.0.2: seq=0 ttl=64 time=0.08 ms\n', '', ('ok', None)),
    (1, '1 packets transmitted, 0 packets received, 100% packet loss\n', '', ('lost', None)),
    (1, '', 'ping: local error: message too long, mtu=1400\n', ('lost', 1400)),
    (1, 'From 198.18.0.1 icmp_seq=1 Frag needed and DF set (mtu = 1380)\n', '', ('lost', 1380)),
])
def test_ping_output(rc, out, err, seen):
    assert tools.parse_ping(rc, out, err) == seen


@pytest.mark.parametrize('rc, err, seen', [
    (0, '', (True, 'accepted')),
    (137, '', (True, 'accepted')),  # connected, and the peer kept it open until timeout(1) ended nc
    (1, 'nc: can\'t connect to remote host (198.18.0.2): Connection refused\n', (False, 'connection refused')),
    (1, 'nc: timed out\n', (False, 'no answer (timed out)')),
    (1, 'nc: bad address \'ghost\'\n', (False, 'does not resolve')),
])
def test_nc_output(rc, err, seen):
    assert tools.parse_tcp(rc, '', err) == seen


def test_user_input_never_reaches_a_shell_line():
    argv = tools.tcp_argv('$(reboot)', 80, 2)
    assert argv[:2] == ['sh', '-c'] and '$(reboot)' not in argv[2] and argv[3] == '$(reboot)'


def test_route_cache_mtu():
    assert tools.parse_route('198.18.0.2 dev eth0  src 198.18.0.3 \n    cache  expires 598sec mtu 1350\n') == \
        ('eth0', 1350)
    assert tools.parse_route('198.18.0.2 dev eth0  src 198.18.0.3 \n') == ('eth0', None)


def test_bounded_only_with_timeout():
    assert tools.bounded(['ping'], 3.7, {'timeout'}) == ['timeout', '-s', 'KILL', '3', 'ping']
    assert tools.bounded(['ping'], 3, set()) == ['ping']


# -- the path MTU search -----------------------------------------------------------------
class Path(object):
    """A path that passes up to ``passes`` bytes; above it, silent loss or, with ``signals``, an ICMP limit the
    sender's kernel learns (and then fragments above, so larger sizes 'pass')."""

    def __init__(self, passes, signals=False, small_lost=False):
        self.passes = passes
        self.signals = signals
        self.small_lost = small_lost
        self.learned = None
        self.sent = []

    def send(self, size):
        self.sent.append(size)
        if self.small_lost:
            return False, None
        if self.learned and size > self.learned:
            return True, self.learned  # fragmented locally
        if size <= self.passes:
            return True, self.learned
        if self.signals:
            self.learned = self.passes
            return False, self.learned
        return False, None


def test_a_full_size_packet_that_passes_is_one_probe():
    path = Path(1450)
    assert mtu.measure(path.send, 1450)['verdict'] == 'ok' and path.sent == [1450]


def test_silent_loss_is_a_black_hole_with_the_largest_size_that_passes():
    path = Path(1354)
    found = mtu.measure(path.send, 1450)
    assert found['verdict'] == 'black_hole' and found['path_mtu'] == 1354 and found['limit'] is None
    assert path.sent[:3] == [1450, 1450, 576]  # the full size twice, then the floor
    assert max(s for s in path.sent if s != 1450) <= 1450


def test_a_signalled_limit_is_not_mistaken_for_sizes_that_pass():
    path = Path(1400, signals=True)
    found = mtu.measure(path.send, 1450)
    assert found['verdict'] == 'signalled' and found['path_mtu'] == 1400 and found['limit'] == 1400
    assert path.sent == [1450, 1400]


def test_a_limit_the_path_signals_is_asked_before_any_ping_of_that_size():
    # busybox: the kernel learns the limit silently and then fragments, so a second full-size ping would pass.
    path = Path(1400, signals=True)
    asked = []

    def signalled(size):
        asked.append(size)
        path.learned = 1400
        return 1400
    found = mtu.measure(path.send, 1500, signalled=signalled)
    assert (found['verdict'], found['path_mtu'], found['limit']) == ('signalled', 1400, 1400)
    assert asked == [1500] and path.sent == [1400]


def test_no_signal_then_the_pings_decide():
    found = mtu.measure(Path(1500).send, 1500, signalled=lambda size: None)
    assert found['verdict'] == 'ok'


def test_traceroute_needfrag():
    assert tools.parse_traceroute('64  198.19.209.1  0.007 ms !F-1400\n') == 1400
    assert tools.parse_traceroute('64  198.19.210.2  0.006 ms\n') is None
    assert tools.parse_traceroute('64  *\n') is None
    assert tools.traceroute_argv('198.18.0.2', 1500, 2)[-2:] == ['198.18.0.2', '1500']


def test_nothing_passes_is_unreachable():
    found = mtu.measure(Path(1500, small_lost=True).send, 1450)
    assert found['verdict'] == 'unreachable' and found['path_mtu'] is None


def test_failure_line_names_option_target_expected_and_seen():
    line = describe({'path': 'targets[0].tcp[1]', 'check': 'tcp', 'target': 'web', 'port': 81,
                     'expected': 'to accept a TCP connection', 'seen': 'connection refused'})
    assert line == 'targets[0].tcp[1]: web port 81/tcp: expected to accept a TCP connection, seen connection refused'


# -- published ports ---------------------------------------------------------------------
NODES = [
    {'ID': 'n1', 'Description': {'Hostname': 'host1'}, 'Spec': {'Role': 'manager'},
     'Status': {'State': 'ready', 'Addr': '0.0.0.0'}, 'ManagerStatus': {'Addr': '198.18.0.11:2377', 'Leader': True}},
    {'ID': 'n2', 'Description': {'Hostname': 'host2'}, 'Spec': {'Role': 'worker'},
     'Status': {'State': 'ready', 'Addr': '198.18.0.12'}},
    {'ID': 'n3', 'Description': {'Hostname': 'host3'}, 'Spec': {'Role': 'worker'},
     'Status': {'State': 'down', 'Addr': '198.18.0.13'}},
]
TASKS = [{'NodeID': 'n2', 'Status': {'State': 'running'}}, {'NodeID': 'n1', 'Status': {'State': 'preparing'}}]


def service(*ports):
    return {'ID': 's1', 'Endpoint': {'Ports': [dict(Protocol=proto, PublishedPort=port, TargetPort=80, PublishMode=mode)
                                               for port, proto, mode in ports]}}


def test_host_mode_must_answer_only_where_a_task_runs_ingress_everywhere():
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import published
    warned = []
    checks = published.expand({'service': 'web', 'port': None}, 'published[0]',
                              service((8080, 'tcp', 'ingress'), (8081, 'tcp', 'host'), (53, 'udp', 'host')),
                              NODES, TASKS, warned.append)
    got = [(c['port'], c['mode'], c['target'], c['address'], c['task_here'], c['reachable'], c.get('ok', 'run'))
           for c in checks]
    assert got == [
        (8080, 'ingress', 'host1', '198.18.0.11', False, True, 'run'),  # a manager's 0.0.0.0: its manager address
        (8080, 'ingress', 'host2', '198.18.0.12', True, True, 'run'),
        (8080, 'ingress', 'host3', '198.18.0.13', False, True, None),   # down: listed, not checked
        (8081, 'host', 'host1', '198.18.0.11', False, False, 'run'),     # the task there is not running yet
        (8081, 'host', 'host2', '198.18.0.12', True, True, 'run'),
        (8081, 'host', 'host3', '198.18.0.13', False, False, None)]
    assert warned == ['published[0]: service web port 53/udp is not checked: only TCP can be checked by connecting']


@pytest.mark.parametrize('entry, svc, path, words', [
    ({'service': 'web', 'port': 9000}, service((8080, 'tcp', 'ingress')), 'published[0].port',
     'does not publish port 9000; it publishes 8080/tcp'),
    ({'service': 'web', 'port': None}, {'ID': 's1', 'Endpoint': {}}, 'published[0].service', 'publishes no port'),
    ({'service': 'web', 'port': 53}, service((53, 'udp', 'host')), 'published[0].port', 'UDP cannot be checked'),
])
def test_published_entries_that_cannot_be_checked_name_the_field(entry, svc, path, words):
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import published
    with pytest.raises(ValidationError) as err:
        published.expand(entry, 'published[0]', svc, NODES, TASKS, lambda text: None)
    assert err.value.path == path and words in err.value.msg, str(err.value)


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
