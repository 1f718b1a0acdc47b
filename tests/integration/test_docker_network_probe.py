"""docker_network_probe on one engine, once per engine of the engine tier: bridge, internal and macvlan networks.

What a user checks after apply: the names on the network resolve and the names of another network do not; a
port that listens answers and one that does not is reported, naming the option, the target, what was expected
and what was seen; full-size packets pass. Every test ends with no probe container on the engine (listed by
the probe's label), whatever the module did: a pass, a failed check, bad input or a timeout.

Subnets: 198.19.209.0/24 and 198.19.210.0/30 (this file's part of 198.19.208.0/20).
"""
import subprocess
import time

import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play
# In-process calls (the module's real main()) where a test is about what the probe finds; the first test runs
# ansible-playbook.
from ansible_collections.netprov.dockernet.tests.support.inproc import run_module
from ansible_collections.netprov.dockernet.tests.support.scratch_netns import scratch_netns

M = 'netprov.dockernet.docker_network_probe'
IMAGE = 'netprov-test/busybox:latest'
PROBE_LABEL = 'netprov.dockernet.probe'
SUBNETS = {'a': '198.19.209.0/26', 'b': '198.19.209.64/26', 'internal': '198.19.209.128/26',
           'macvlan': '198.19.209.192/26'}
# The probe container asks loopback for the names the embedded DNS does not know (nothing leaves the test's
# namespaces), and ndots:1 keeps the embedded DNS from forwarding single-label names at all.
QUIET_DNS = {'dns': ['127.0.0.1'], 'dns_opts': ['ndots:1']}

pytestmark = pytest.mark.engine_tier


def leftovers(scratch):
    """Probe containers (by the probe's label) for this test's networks, running or not."""
    found = scratch.client.containers.list(all=True, filters={'label': PROBE_LABEL})
    return [c.name for c in found if c.labels.get(PROBE_LABEL, '').startswith(scratch.prefix)]


@pytest.fixture
def site(scratch):
    """Two bridge networks: a (a1 listens on 8080/tcp, a2) and b (b1)."""
    client = scratch.client
    nets = {}
    for key in ('a', 'b'):
        nets[key] = client.networks.create(scratch.name(key), driver='bridge', ipam={
            'Config': [{'Subnet': SUBNETS[key]}]})
    client.containers.run(IMAGE, ['nc', '-ll', '-p', '8080', '-e', 'true'], name=scratch.name('a1'), detach=True,
                          network=nets['a'].name)
    scratch.container('a2', network=nets['a'].name)
    scratch.container('b1', network=nets['b'].name)
    yield scratch
    assert leftovers(scratch) == [], 'a probe container was left behind'


def probe_args(scratch, network, **kw):
    args = dict(network=scratch.name(network), image=IMAGE, **QUIET_DNS)
    args.update(kw)
    return args


def created_since(scratch, since):
    """Containers the engine created since ``since`` (epoch seconds) whose name marks them as probes."""
    events = scratch.client.events(since=since, until=time.time() + 1, decode=True,
                                   filters={'type': 'container', 'event': 'create'})
    return [e['Actor']['Attributes'].get('name') for e in events
            if e['Actor']['Attributes'].get('name', '').startswith('netprov-probe-')
            and e['Actor']['Attributes'].get(PROBE_LABEL, '').startswith(scratch.prefix)]


def test_bridge_names_resolve_on_their_network_only_and_a_closed_port_is_reported(site):
    a1, a2, b1 = site.name('a1'), site.name('a2'), site.name('b1')
    passing = probe_args(site, 'a', resolve=[a1, a2], not_resolve=[b1], targets=[{'name': a1, 'tcp': [8080]}])
    failing = probe_args(site, 'a', targets=[{'name': a1, 'tcp': [8080, 8081], 'path_mtu': False}])
    r = play([{M: passing}, {M: failing}])
    good, bad = r[0], r[1]

    assert good.get('failed') is not True, good.get('msg')
    assert good['ok'] is True and good['changed'] is False and good['failures'] == []
    addr_a1 = site.client.containers.get(a1).attrs['NetworkSettings']['Networks'][site.name('a')]['IPAddress']
    assert good['names'][a1]['resolves'] is True and good['names'][a1]['addresses'] == [addr_a1]
    assert good['names'][a2]['resolves'] is True
    assert good['names'][b1] == {'resolves': False, 'addresses': [], 'expected': False, 'ok': True}
    row = good['targets'][0]
    assert row['name'] == a1 and row['icmp'] is True and row['tcp'] == {'8080': True}
    assert row['path_mtu'] == 1500 and row['mtu_verdict'] == 'ok'
    assert good['probe']['removed'] is True and good['probe']['image_state'] == 'present'

    assert bad.get('failed') is True
    assert bad['msg'].startswith('1 of 4 checks failed from network %s: ' % site.name('a')), bad['msg']
    assert ('targets[0].tcp[1]: %s port 8081/tcp: expected to accept a TCP connection, seen connection refused'
            % a1) in bad['msg']
    assert [c['seen'] for c in bad['checks'] if c['check'] == 'tcp'] == ['accepted', 'connection refused']
    assert bad['probe']['removed'] is True


def test_a_name_of_another_network_that_resolves_fails_naming_it(site):
    r = run_module(M, probe_args(site, 'b', not_resolve=[site.name('b1')]))
    assert r.get('failed') is True
    assert r['msg'].startswith('1 of 1 checks failed'), r['msg']
    assert 'not_resolve[0]: %s: expected not to resolve, seen ' % site.name('b1') in r['msg']
    assert 'service discovery is network-scoped' in r['msg']


def test_check_mode_starts_nothing_and_says_so(site):
    since = time.time() - 1
    r = run_module(M, probe_args(site, 'a', resolve=[site.name('a1')], targets=[{'name': site.name('a1')}]),
                   check=True)
    assert r.get('failed') is not True, r.get('msg')
    assert r['probed'] is False and r['ok'] is None and r['checks'] == []
    assert r['msg'] == 'check mode: nothing was run (no probe container was started); 4 checks would run'
    assert [c['path'] for c in r['plan']] == ['resolve[0]', 'targets[0].name', 'targets[0].ping',
                                              'targets[0].path_mtu']
    assert created_since(site, since) == []


def test_internal_network_resolves_its_own_and_reaches_nothing_outside(site):
    client = site.client
    net = client.networks.create(site.name('internal'), driver='bridge', internal=True,
                                 ipam={'Config': [{'Subnet': SUBNETS['internal']}]})
    site.container('i1', network=net.name)
    outside = site.client.containers.get(site.name('a2')).attrs['NetworkSettings']['Networks'][site.name('a')]
    r = run_module(M, probe_args(site, 'internal', resolve=[site.name('i1')], not_resolve=[site.name('a2')],
                                 targets=[{'name': site.name('i1')},
                                          {'name': outside['IPAddress'], 'expect': 'unreachable', 'tcp': [8080]}]))
    assert r.get('failed') is not True, r.get('msg')
    assert r['network']['internal'] is True
    inside, away = r['targets']
    assert inside['icmp'] is True and inside['path_mtu'] == 1500
    assert away['expect'] == 'unreachable' and away['icmp'] is False and away['tcp'] == {'8080': False}
    assert r['names'][site.name('a2')]['resolves'] is False


def test_macvlan_on_a_veth_parent(site):
    parent = site.veth('mv')
    site.ip('link', 'set', ('%spmv' % site.prefix)[:15], 'up')  # the peer too: a parent without carrier carries nothing
    net = site.client.networks.create(site.name('macvlan'), driver='macvlan', options={'parent': parent},
                                      ipam={'Config': [{'Subnet': SUBNETS['macvlan']}]})
    site.container('m1', network=net.name)
    site.container('m2', network=net.name)
    r = run_module(M, probe_args(site, 'macvlan', resolve=[site.name('m2')], not_resolve=[site.name('a1')],
                                 targets=[{'name': site.name('m1')}]))
    assert r.get('failed') is not True, r.get('msg')
    assert r['network']['driver'] == 'macvlan'
    row = r['targets'][0]
    assert row['icmp'] is True and row['path_mtu'] == 1500 and row['mtu_verdict'] == 'ok', r['checks']


def test_a_smaller_link_beyond_the_host_that_says_so_is_signalled_not_a_black_hole(site):
    """A peer behind the engine's host on a 1400-byte link: the host answers DF packets that do not fit with an
    ICMP "fragmentation needed", the probe's kernel learns the limit, and the probe reports it as signalled."""
    with scratch_netns('nprb') as far:
        near = ('%sfar' % site.prefix)[:15]
        site.ip('link', 'add', near, 'mtu', '1400', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', far)
        site.links.append(near)
        site.ip('addr', 'add', '198.19.210.1/30', 'dev', near)
        site.ip('link', 'set', near, 'up')
        for cmd in (['link', 'set', 'lo', 'up'], ['link', 'set', 'eth0', 'mtu', '1400', 'up'],
                    ['addr', 'add', '198.19.210.2/30', 'dev', 'eth0']):
            subprocess.run(['ip', '-n', far] + cmd, check=True)
        r = run_module(M, probe_args(site, 'a', targets=[{'name': '198.19.210.2'}]))
    assert r.get('failed') is True
    check = next(c for c in r['checks'] if c['check'] == 'path_mtu')
    assert (check['verdict'], check['path_mtu'], check['limit']) == ('signalled', 1400, 1400), check
    assert r['msg'].endswith('targets[0].path_mtu: 198.19.210.2 path MTU: expected 1500 bytes with DF set to pass, '
                             'seen 1400: the path said so (ICMP fragmentation needed); larger packets are fragmented, '
                             'or refused where DF is required; a link on the path carries 1400 bytes at most; set %s\'s '
                             'mtu to 1400 or raise that link\'s MTU to 1500' % site.name('a')), r['msg']


@pytest.mark.parametrize('case', ['network', 'target', 'image'])
def test_bad_input_fails_naming_the_field_and_leaves_no_probe_container(site, case):
    since = time.time() - 1
    args = probe_args(site, 'a', targets=[{'name': site.name('a1')}])
    if case == 'network':
        args['network'] = site.name('ghostnet')
    elif case == 'target':
        args['targets'] = [{'name': site.name('ghost'), 'tcp': [80]}]
    else:
        args['image'] = 'netprov-test/not-there:1'
    r = run_module(M, args)
    assert r.get('failed') is True
    if case == 'network':
        assert r['msg'].startswith('network: no network named %s on the Docker Engine' % site.name('ghostnet'))
    elif case == 'target':
        assert ('targets[0].name: %s: expected to resolve to an address, seen ' % site.name('ghost')) in r['msg']
        assert 'name a container, alias or service on network %s' % site.name('a') in r['msg']
        assert [c['seen'] for c in r['checks'][1:]] == ['not run: %s does not resolve' % site.name('ghost')] * 3
        assert r['probe']['removed'] is True
    else:
        assert r['msg'].startswith('image: image netprov-test/not-there:1 is not on the Docker Engine'), r['msg']
        assert 'set pull: true' in r['msg']
    if case != 'target':
        assert created_since(site, since) == []  # refused before anything was started
    assert leftovers(site) == []


def test_timeout_fails_naming_probe_timeout_and_removes_the_probe(site):
    # Addresses on the network where nothing answers: each ping waits reply_timeout, twice.
    silent = ['198.19.209.%d' % k for k in (50, 51, 52, 53)]
    r = run_module(M, probe_args(site, 'a', probe_timeout=5, reply_timeout=2,
                                 targets=[{'name': a} for a in silent]))
    assert r.get('failed') is True
    assert r['msg'].startswith('probe_timeout: the probe did not finish within 5 s'), r['msg']
    assert r['probe']['removed'] is True
    assert leftovers(site) == []
