"""ipvlan `l3s` and `ipvlan_flag` through docker_network on Docker Engine 28.5, in the UML guest.

Engine 20.10 stores these options and ignores them, and the module refuses
them there (tests/integration/test_engine_features.py); Engine 23+ honours
them, and the machine kernel has no ipvlan. Here Engine 28.5's own dockerd
and CLI (fetched by the host with `scripts/engines.sh fetch 28.5`) run on
the guest's kernel. docker_network (its real main() in-process, the default
kernel_check) makes an ipvlan network in mode l3s and one with
ipvlan_flag private on a dummy parent, connecting two running containers to
each: `docker network inspect` shows the option, the ipvlan link in each
container's namespace (iproute2, `ip -j -d link`) has that mode and flag, a
second call changes nothing, and the containers behave so (l3s carries a
ping between them; private drops it). Then the flag changed to vepa: check
mode (with diff) plans a recreate that reconnects both containers and
touches nothing; the real run does what it planned, the kernel links say
vepa. Removal (force: true) plans the disconnects and the removal, and
leaves the containers and the parent link.
"""
import json

import pytest

from conftest import sh
from ansible_collections.netprov.dockernet.tests.support.guest_engine import release, running
# its fixtures (two running containers; what a test makes, removed afterwards) and its four-way docker_network call
from test_guest_docker import boxes, call, link, made, network  # noqa: F401  pylint: disable=unused-import
from ansible_collections.netprov.dockernet.tests.support import inproc  # noqa: E402  (tests/, put on sys.path by test_guest_docker)

# this file's block: 198.19.40.0/22
BIP = '198.19.40.1/24'
POOL = '198.19.41.0/24'
L3S_NET = '198.19.42.0/24'
FLAG_NET = '198.19.43.0/24'


@pytest.fixture(scope='module')
def engine():
    with running('np-e28', bip=BIP, pool=POOL, **release('28.5')) as eng:
        yield eng


def inspect(engine, name):
    r = engine.docker('network', 'inspect', name, check=False)
    return json.loads(r.stdout)[0] if r.returncode == 0 else None


def ipvlan_links(engine, box):
    """(mode, flag) of each ipvlan link in the container's network namespace, as iproute2 reads the kernel's."""
    pid = engine.docker('inspect', '-f', '{{.State.Pid}}', box).stdout.strip()
    out = sh('nsenter', '--net=/proc/%s/ns/net' % pid, 'ip', '-j', '-d', 'link', 'show', 'type', 'ipvlan').stdout
    found = []
    for dev in json.loads(out or '[]'):
        data = dev['linkinfo']['info_data']
        found.append((data.get('mode'), [f for f in ('bridge', 'private', 'vepa') if data.get(f)]))
    return found


def on_ipvlan(boxes, name, subnet, **spec):  # noqa: F811
    prefix = subnet.rsplit('.', 1)[0]
    return dict(spec, name=name, driver='ipvlan', ipam_config=[{'subnet': subnet}], containers=[
        {'name': box, 'ipv4_address': '%s.%d' % (prefix, 11 + i)} for i, box in enumerate(boxes)])


def test_ipvlan_l3s_network_is_made_read_back_and_carries_traffic(engine, made, boxes):  # noqa: F811
    version, api = engine.docker('version', '-f', '{{.Server.Version}} {{.Server.APIVersion}}').stdout.split()
    assert version.startswith('28.5.2') and api == '1.51', (version, api)  # Debian's: 28.5.2+dfsg4
    link(made, name='np-28p0', kind='dummy')
    real = network(engine, made, on_ipvlan(boxes, 'np-28-l3s', L3S_NET, parent='np-28p0', ipvlan_mode='l3s'))
    assert real['plan'][0]['body']['Options']['ipvlan_mode'] == 'l3s', real['plan'][0]
    assert real['network']['options']['ipvlan_mode'] == 'l3s', real['network']
    net = inspect(engine, 'np-28-l3s')
    assert net['Driver'] == 'ipvlan' and net['Options'].get('parent') == 'np-28p0', net
    assert net['Options'].get('ipvlan_mode') == 'l3s', net['Options']
    assert sorted(c['Name'] for c in net['Containers'].values()) == sorted(boxes)
    for box in boxes:
        assert ipvlan_links(engine, box) == [('l3s', ['bridge'])], box
    assert '198.19.42.12/24' in engine.exec(boxes[1], 'ip', 'addr').stdout
    engine.ping(boxes[0], '198.19.42.12')


def test_ipvlan_flag_is_made_changed_and_removed(engine, made, boxes):  # noqa: F811
    link(made, name='np-28p1', kind='dummy')
    spec = on_ipvlan(boxes, 'np-28-flag', FLAG_NET, parent='np-28p1', ipvlan_flag='private')
    network(engine, made, spec)
    before = inspect(engine, 'np-28-flag')
    assert before['Options'].get('ipvlan_flag') == 'private', before['Options']
    for box in boxes:
        assert ipvlan_links(engine, box) == [('l2', ['private'])], box
    # private: the kernel drops traffic between two ipvlan links of one parent
    r = engine.exec(boxes[0], 'ping', '-c', '2', '-W', '2', '198.19.43.12', check=False)
    assert r.returncode != 0 and ' 0 packets received' in r.stdout, r.stdout

    # a change: check mode (with diff) plans a recreate that reconnects both, and changes nothing
    changed = dict(spec, ipvlan_flag='vepa', recreate='reconnect')
    plan = inproc.call('docker_network', dict(changed, docker_host=engine.host), check=True, diff=True)
    assert plan.traceback is None and not plan.failed, plan.result
    assert plan['changed'] is True
    steps = plan['plan']
    assert [s['action'] for s in steps] == ['recreate'], steps
    assert 'ipvlan_flag' in steps[0]['reason'] and 'vepa' in steps[0]['reason'], steps[0]['reason']
    assert sorted(r['container'] for r in steps[0]['reconnect']) == sorted(boxes), steps[0]
    assert steps[0]['body']['Options']['ipvlan_flag'] == 'vepa', steps[0]['body']
    assert (plan['diff']['before']['options']['ipvlan_flag'], plan['diff']['after']['options']['ipvlan_flag']) == (
        'private', 'vepa'), plan['diff']
    assert inspect(engine, 'np-28-flag')['Id'] == before['Id'], 'check mode recreated the network'
    assert ipvlan_links(engine, boxes[0]) == [('l2', ['private'])]

    real = call('docker_network', dict(changed, docker_host=engine.host))
    assert real['changed'] is True and real['plan'] == steps, (steps, real['plan'])
    assert sorted(real['reconnected']) == sorted(boxes) and not real['reconnect_failed'], real.result
    after = inspect(engine, 'np-28-flag')
    assert after['Id'] != before['Id'] and after['Options']['ipvlan_flag'] == 'vepa', after
    for i, box in enumerate(boxes):
        assert ipvlan_links(engine, box) == [('l2', ['vepa'])], box
        assert '198.19.43.%d/24' % (11 + i) in engine.exec(box, 'ip', 'addr').stdout, box
    again = call('docker_network', dict(changed, docker_host=engine.host))
    assert again['changed'] is False and [s['action'] for s in again['plan']] == ['none'], again.result

    # removal: containers attached, so force; check mode first, then the same for real
    gone = {'name': 'np-28-flag', 'state': 'absent', 'force': True, 'docker_host': engine.host}
    check = call('docker_network', gone, check=True)
    assert sorted((s['action'], s.get('container')) for s in check['plan']) == sorted(
        [('disconnect', b) for b in boxes] + [('remove', None)]), check['plan']
    assert inspect(engine, 'np-28-flag') is not None, 'check mode removed the network'
    real = call('docker_network', gone)
    assert real['changed'] is True and real['plan'] == check['plan'], (check['plan'], real['plan'])
    assert inspect(engine, 'np-28-flag') is None
    again = call('docker_network', gone)
    assert again['changed'] is False, again.result
    # what was not asked to go stays: the containers run, the parent link is there
    for box in boxes:
        assert engine.docker('inspect', '-f', '{{.State.Running}}', box).stdout.strip() == 'true', box
        assert ipvlan_links(engine, box) == [], box
    assert sh('ip', 'link', 'show', 'np-28p1').returncode == 0
