"""docker_network_probe across two engines in network namespaces, on attachable overlays of one swarm.

The swarm is fleet_fixtures.swarm_fleet's (the one the overlay tests use, here with two engines: engine1 the
manager, engine2 a worker), once per engine of the engine tier. Overlay pov-a has pov-a1 on engine1 and pov-a2
(listening on 8080/tcp) on engine2; overlay pov-b has pov-b2 on engine2.

Published ports: svc-host publishes 8081 in host mode with its one task on engine2, svc-ing 8082 in ingress
mode (the routing mesh, which needs IPVS: this machine's kernel has none, so the probe must say so).

playbooks/fleet_report.yml runs on the same two engines, as two inventory hosts: its table has a row per host,
network and target, with the probe's findings.

What a user checks after apply: names resolve across hosts and not across networks; the path MTU between the
hosts is the overlay's; and a link with a lowered MTU under the overlay (engine2's underlay veth, in its
namespace) is found: packets towards engine2 above the link's size minus VXLAN's 50 bytes vanish without an
ICMP "fragmentation needed" (a black hole, reported as one, never as fine), while engine2's own VXLAN device
tells its containers the smaller limit (reported as signalled).

Addresses: 198.19.216.0/21 (this file's part of 198.19.208.0/20).
"""
import ipaddress
import json
import os
import subprocess
import time

import pytest
import yaml

from ansible_collections.netprov.dockernet.tests.support.ansible_play import PYTHON, ROOT, ansible_env, run_module
from ansible_collections.netprov.dockernet.tests.support.fleet_fixtures import swarm_fleet
from ansible_collections.netprov.dockernet.tests.support.kernel_expect import expected_capabilities

M = 'netprov.dockernet.docker_network_probe'
RANGE = '198.19.216.0/21'
PROBE_LABEL = 'netprov.dockernet.probe'
QUIET_DNS = {'dns': ['127.0.0.1'], 'dns_opts': ['ndots:1']}  # unknown names go to loopback, or nowhere

pytestmark = pytest.mark.engine_tier


def _ready(fleet, k, container, peer, deadline):
    """Until ``container`` on engine k pings ``peer`` by name (the swarm's gossip has carried it), or the deadline."""
    while True:
        ping = fleet.docker(k, 'exec', container, 'ping', '-c', '1', '-W', '2', peer, check=False)
        if ping.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError('%s on engine%d never reached %s: %s' % (container, k, peer, ping.stdout + ping.stderr))
        time.sleep(1)


def _run(fleet, k, *args):
    """docker run on engine k, once more when the first attach to an overlay times out (a slow engine)."""
    r = fleet.docker(k, 'run', '-d', *args, check=False)
    if r.returncode != 0:
        fleet.docker(k, 'rm', '-f', args[1], check=False)
        fleet.docker(k, 'run', '-d', *args)


@pytest.fixture(scope='module')
def overlay(docker_engine):
    with swarm_fleet(docker_engine, 2, RANGE) as fleet:
        subnets = list(ipaddress.ip_network(fleet.scratch).subnets(new_prefix=26))
        for name, subnet in (('pov-a', subnets[0]), ('pov-b', subnets[1])):
            fleet.docker(1, 'network', 'create', '-d', 'overlay', '--attachable', '--subnet', str(subnet), name)
        _run(fleet, 1, '--name', 'pov-a1', '--network', 'pov-a', fleet.image, 'sleep', '3600')
        _run(fleet, 2, '--name', 'pov-a2', '--network', 'pov-a', fleet.image, 'nc', '-ll', '-p', '8080', '-e', 'true')
        _run(fleet, 2, '--name', 'pov-b2', '--network', 'pov-b', fleet.image, 'sleep', '3600')
        deadline = time.monotonic() + 120
        _ready(fleet, 1, 'pov-a1', 'pov-a2', deadline)
        _ready(fleet, 2, 'pov-a2', 'pov-a1', deadline)
        yield fleet


@pytest.fixture
def no_probe_left(overlay):
    yield
    for k in (1, 2):
        left = overlay.docker(k, 'ps', '-aq', '--filter', 'label=%s' % PROBE_LABEL).stdout.split()
        assert left == [], 'probe containers left on engine%d: %s' % (k, left)


def probe(fleet, k, **args):
    return run_module(M, dict(dict(network='pov-a', image=fleet.image, docker_host=fleet.engine(k)['url'],
                                   **QUIET_DNS), **args))


def overlay_mtu(fleet, k, container):
    """The MTU of the container's interface on the overlay, as its own kernel has it."""
    return int(fleet.docker(k, 'exec', container, 'cat', '/sys/class/net/eth0/mtu').stdout)


def test_names_resolve_across_hosts_not_across_networks_and_the_path_carries_the_overlays_mtu(
        overlay, no_probe_left):
    mtu = overlay_mtu(overlay, 1, 'pov-a1')
    assert mtu == 1450  # the overlay's: a 1500-byte underlay less VXLAN's 50
    r = probe(overlay, 1, resolve=['pov-a2'], not_resolve=['pov-b2'], targets=[{'name': 'pov-a2', 'tcp': [8080]}])
    assert r.get('failed') is not True, r.get('msg')
    assert r['ok'] is True and r['network']['vxlan'] is True and r['network']['scope'] == 'swarm'
    a2 = overlay.client(2).inspect_container('pov-a2')['NetworkSettings']['Networks']['pov-a']['IPAddress']
    assert r['names']['pov-a2']['addresses'] == [a2]  # engine2's container, resolved on engine1
    assert r['names']['pov-b2']['resolves'] is False
    row = r['targets'][0]
    assert row['tcp'] == {'8080': True} and row['icmp'] is True
    assert (row['interface_mtu'], row['path_mtu'], row['mtu_verdict']) == (mtu, mtu, 'ok'), r['checks']

    # And from the worker: engine1's container by name, engine2's other overlay not at all.
    back = probe(overlay, 2, resolve=['pov-a1'], targets=[{'name': 'pov-a1'}, {'name': 'pov-b2',
                                                                               'expect': 'unreachable'}])
    assert back.get('failed') is not True, back.get('msg')
    assert back['targets'][0]['path_mtu'] == mtu
    assert back['targets'][1]['addresses'] == [] and back['targets'][1]['ok'] is True


@pytest.fixture(scope='module')
def services(overlay):
    """svc-host: 8081 in host mode, its task on engine2; svc-ing: 8082 in ingress mode. Both tasks running."""
    listen = [overlay.image, 'nc', '-ll', '-p', '8080', '-e', 'true']
    overlay.docker(1, 'service', 'create', '-d', '--name', 'svc-host', '--constraint', 'node.hostname==fleet-engine2',
                   '--publish', 'published=8081,target=8080,mode=host', *listen)
    overlay.docker(1, 'service', 'create', '-d', '--name', 'svc-ing', '--constraint', 'node.hostname==fleet-engine1',
                   '--publish', 'published=8082,target=8080', *listen)
    deadline = time.monotonic() + 120
    for name in ('svc-host', 'svc-ing'):
        while 'Running' not in overlay.docker(1, 'service', 'ps', '--format', '{{.CurrentState}}', name).stdout:
            assert time.monotonic() < deadline, overlay.docker(1, 'service', 'ps', '--no-trunc', name).stdout
            time.sleep(1)
    yield overlay
    for name in ('svc-host', 'svc-ing'):
        overlay.docker(1, 'service', 'rm', name, check=False)


def test_published_ports_host_mode_only_where_a_task_runs_ingress_on_every_node(services, no_probe_left):
    host = probe(services, 1, published=[{'service': 'svc-host'}])
    assert host.get('failed') is not True, host.get('msg')
    assert [(r['node'], r['mode'], r['task_here'], r['answers'], r['ok']) for r in host['published']] == [
        ('fleet-engine1', 'host', False, False, True), ('fleet-engine2', 'host', True, True, True)]

    ingress = probe(services, 1, published=[{'service': 'svc-ing', 'port': 8082}], fail_on_mismatch=False)
    assert ingress.get('failed') is not True, ingress.get('msg')
    rows = [(r['node'], r['mode'], r['task_here']) for r in ingress['published']]
    assert rows == [('fleet-engine1', 'ingress', True), ('fleet-engine2', 'ingress', False)]
    if expected_capabilities()['ipvs']:
        assert ingress['ok'] is True and all(r['answers'] for r in ingress['published']), ingress['failures']
    else:  # no routing mesh without IPVS: not even the node running the task answers, and the probe says why
        assert ingress['ok'] is False and not any(r['answers'] for r in ingress['published'])
        assert len(ingress['failures']) == 2
        assert ingress['failures'][1].startswith(
            'published[0]: service svc-ing port 8082/tcp on fleet-engine2 (%s): expected to accept a TCP connection '
            '(ingress mode: the routing mesh answers on every node), seen connection refused; IPVS: not supported by '
            'this kernel' % services.engine(2)['addr']), ingress['failures']
        assert 'publish in host mode' in ingress['failures'][1]


@pytest.mark.parametrize('k, published, path, words', [
    (2, [{'service': 'svc-host'}], 'published', 'from a swarm manager'),
    (1, [{'service': 'svc-none'}], 'published[0].service', 'no service named svc-none'),
    (1, [{'service': 'svc-host', 'port': 9999}], 'published[0].port', 'it publishes 8081/tcp'),
])
def test_published_bad_input_names_the_field(services, no_probe_left, k, published, path, words):
    r = probe(services, k, published=published)
    assert r.get('failed') is True and r['msg'].startswith(path + ': ') and words in r['msg'], r['msg']


def drawn_table(stdout):
    """The lines of the fleet report's table, as the playbook printed them (its 'Draw it' task's msg)."""
    at = stdout.index('TASK [Draw it]')
    at = stdout.index('=> {', at) + len('=> ')
    return json.JSONDecoder().raw_decode(stdout[at:])[0]['msg']


def test_fleet_report_draws_one_table_from_the_probe(overlay, no_probe_left, tmp_path):
    local = str(list(ipaddress.ip_network(overlay.scratch).subnets(new_prefix=26))[2])
    for k in (1, 2):  # each host's own bridge network, as the networks role makes them
        overlay.docker(k, 'network', 'create', '--subnet', local, 'pov-local')

    def host(k):
        return {'ansible_connection': 'local', 'ansible_python_interpreter': PYTHON, 'docker_host': overlay.engine(k)['url']}
    inventory = {'all': {'children': {'docker_hosts': {
        'children': {'swarm_managers': {'hosts': {'engine1': host(1)}}, 'swarm_workers': {'hosts': {'engine2': host(2)}}},
        'vars': {'swarm_networks': [{'name': 'pov-a', 'attachable': True}],
                 'networks_networks': [{'name': 'pov-local', 'driver': 'bridge'}],
                 'fleet_report_image': overlay.image}}}}}
    (tmp_path / 'inventory.yml').write_text(yaml.safe_dump(inventory))

    def report():
        return subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), '-i',
                               str(tmp_path / 'inventory.yml'), os.path.join(ROOT, 'playbooks', 'fleet_report.yml')],
                              capture_output=True, text=True, env=ansible_env({'ANSIBLE_CALLBACK_RESULT_FORMAT': 'json'}),
                              timeout=900, check=False)
    proc = report()
    # The same fleet with engine2's underlay link lowered: the report shows it, then fails.
    link = ['ip', '-n', overlay.engine(2)['netns'], 'link', 'set', 'eth0', 'mtu']
    subprocess.run(link + ['1400'], check=True)
    try:
        broken = report()
    finally:
        subprocess.run(link + ['1500'], check=True)
        for k in (1, 2):
            overlay.docker(k, 'network', 'rm', 'pov-local')
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    lines = drawn_table(proc.stdout)
    rows = [line.split() for line in lines[1:]]
    assert lines[0].split() == ['host', 'network', 'target', 'address', 'ping', 'path', 'MTU']
    mtu = overlay_mtu(overlay, 1, 'pov-a1')
    for me in ('engine1', 'engine2'):
        for peer in ('engine1', 'engine2'):  # the overlay: every host's beacon, by name, at the overlay's MTU
            assert [me, 'pov-a', 'netprov-report-%s-pov-a' % peer] + ['yes', str(mtu), 'ok'] == \
                [r[i] for r in rows for i in (0, 1, 2, 4, 5, 6) if r[:3] == [me, 'pov-a', 'netprov-report-%s-pov-a'
                                                                             % peer]], lines
        own = [r for r in rows if r[:3] == [me, 'pov-local', 'netprov-report-%s-pov-local' % me]]
        assert len(own) == 1 and own[0][4:] == ['yes', '1500', 'ok'], lines
        # network-scoped: this host's beacon on the other network does not resolve
        assert [me, 'pov-a', 'netprov-report-%s-pov-local' % me, 'unresolved', '-', '-'] in rows, lines
        assert [me, 'pov-local', 'netprov-report-%s-pov-a' % me, 'unresolved', '-', '-'] in rows, lines
    assert 'failures:' not in lines

    assert broken.returncode != 0 and 'Every check passed' in broken.stdout.split('fatal: [engine1]')[0].rsplit(
        'TASK [', 1)[-1], broken.stdout[-3000:]
    lines = drawn_table(broken.stdout)
    hole = [r for r in (line.split() for line in lines[1:]) if r[:3] == ['engine1', 'pov-a', 'netprov-report-engine2-pov-a']]
    assert hole[0][-1] == 'black_hole' and int(hole[0][-2]) < mtu, lines
    failures = lines[lines.index('failures:') + 1:]
    assert any(f.startswith('engine1: targets[1].path_mtu: netprov-report-engine2-pov-a path MTU: expected %d bytes' % mtu)
               and 'a black hole' in f for f in failures), failures
    for k in (1, 2):
        assert overlay.docker(k, 'ps', '-aq', '--filter', 'name=netprov-report-').stdout.split() == []


def test_a_lowered_mtu_under_the_overlay_is_found_not_reported_as_fine(overlay, no_probe_left):
    engine2 = overlay.engine(2)
    overlay.docker(2, 'network', 'inspect', 'pov-a')  # engine2 has the overlay (pov-a2 is on it)
    link = ['ip', '-n', engine2['netns'], 'link', 'set', 'eth0', 'mtu']
    subprocess.run(link + ['1400'], check=True)
    try:
        towards = probe(overlay, 1, targets=[{'name': 'pov-a2'}])
        away = probe(overlay, 2, targets=[{'name': 'pov-a1'}], fail_on_mismatch=False)
    finally:
        subprocess.run(link + ['1500'], check=True)

    # engine1 -> engine2: the frames are dropped where they enter engine2's 1400-byte link, and nothing says so.
    assert towards.get('failed') is True
    check = next(c for c in towards['checks'] if c['check'] == 'path_mtu')
    assert check['verdict'] == 'black_hole' and check['limit'] is None, repr(check)
    assert 1300 <= check['path_mtu'] < 1450, check
    assert any(s == {'size': 1450, 'passed': False} for s in check['sizes'])
    assert towards['targets'][0]['icmp'] is True  # small packets pass: the classic hang, not an outage
    assert towards['msg'].startswith('1 of 3 checks failed from network pov-a: targets[0].path_mtu: pov-a2 path '
                                     'MTU: expected 1450 bytes with DF set to pass, seen %d: ' % check['path_mtu'])
    assert 'a black hole' in towards['msg'] and 'VXLAN adds 50 bytes' in towards['msg'], towards['msg']

    # engine2 -> engine1: engine2's VXLAN device knows its own link is smaller and tells the sender (ICMP
    # fragmentation needed): not a black hole, but still less than the overlay's MTU.
    assert away.get('failed') is not True and away['ok'] is False, away.get('msg')
    back = next(c for c in away['checks'] if c['check'] == 'path_mtu')
    assert (back['verdict'], back['path_mtu'], back['limit']) == ('signalled', 1400 - 50, 1400 - 50), repr(back)
    assert 'the path said so (ICMP fragmentation needed)' in away['failures'][0], away['failures']
