"""Faults injected into real runs: the engine dies mid-bulk, a container vanishes mid-reconnect, a parent link goes.

Each fault is injected at a fixed point of the run (a hook on the engine
client's own call, in-process: tests/support/inproc.py), so the test never depends
on timing: the engine really dies, the container is really removed, the link
really deleted. Each runs on every engine of the engine tier (the dying engine
is a fleet of that engine's release).
"""
import ipaddress
import os
import subprocess

import docker
import pytest

from ansible_collections.netprov.dockernet.tests.support import inproc
from ansible_collections.netprov.dockernet.tests.support.fleet import scratch_fleet

from ansible_collections.netprov.dockernet.plugins.module_utils._engine import client as _client

FAULT_RANGE = '198.18.168.0/21'   # the dying engine's fleet, in its own namespace
RECONNECT_RANGE = ipaddress.ip_network('198.18.169.0/24')   # on the test's engine

pytestmark = pytest.mark.engine_tier  # every test, once per engine of NETPROV_ENGINES


@pytest.fixture(scope='module')
def lone_engine(docker_engine):
    """A one-engine fleet of our own, of the tier's release: this test kills its dockerd."""
    if os.geteuid() != 0:
        pytest.skip('the fleet needs root')
    with scratch_fleet(1, FAULT_RANGE, binaries=docker_engine.binaries) as fleet:
        yield fleet


@pytest.fixture
def hook(monkeypatch):
    """hook(method, after=fn): run fn(count, *args) after each call of Engine.<method>."""
    def install(method, after):
        original = getattr(_client.Engine, method)
        calls = []

        def wrapped(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            calls.append(args)
            after(len(calls), *args)
            return result
        monkeypatch.setattr(_client.Engine, method, wrapped)
        return calls
    return install


# -- the engine stops in the middle of a bulk run ------------------------------------------

def test_engine_killed_mid_bulk_reports_done_and_not_done_and_a_rerun_converges(lone_engine, hook):
    fleet = lone_engine
    url = fleet.engine(1)['url']
    api = fleet.client(1)
    subnets = [str(s) for s in ipaddress.ip_network(fleet.scratch).subnets(new_prefix=29)]
    # What exists before: a hand-made network with a container on it, and a managed one the run keeps.
    fleet.docker(1, 'network', 'create', '--subnet', subnets[0], 'npflt-hand')
    fleet.docker(1, 'run', '-d', '--name', 'npflt-c', '--network', 'npflt-hand', fleet.image, 'sleep', '3600')
    kept = {'name': 'npflt-kept', 'ipam_config': [{'subnet': subnets[1]}]}
    assert not inproc.call('docker_networks', {'docker_host': url, 'networks': [kept]}).failed
    # the engine remakes its predefined networks (new ids) when it starts: compare the others
    before = dict((n['Name'], n['Id']) for n in api.networks() if n['Name'] not in ('bridge', 'host', 'none'))

    wanted = [kept] + [{'name': 'npflt-%02d' % i, 'ipam_config': [{'subnet': subnets[2 + i]}], 'labels': {'i': i}}
                       for i in range(30)]
    args = {'docker_host': url, 'networks': wanted}
    hook('create_network', after=lambda count, body: fleet.kill(1) if count == 10 else None)
    r = inproc.call('docker_networks', args)
    assert r.traceback is None, r.traceback
    assert r.failed
    done = ['npflt-%02d' % i for i in range(10)]
    not_done = ['npflt-%02d' % i for i in range(10, 30)]
    assert sorted(r['done']) == done, r.result
    assert sorted(f['network'] for f in r['failed_networks']) == not_done
    assert r['msg'].startswith('20 network(s) failed; the others were applied as planned'), r['msg']
    assert 'lost the Docker Engine at %s' % url in r['msg']
    assert 'create npflt-10' in r['msg'] or all(f['not_done'] for f in r['failed_networks'])
    assert r['created'] == done, 'only what was done is reported as created: %s' % r['created']

    fleet.restart(1)
    api = fleet.client(1)
    listed = [n['Name'] for n in api.networks()]
    assert sorted(n for n in listed if n.startswith('npflt-')) == sorted(['npflt-hand', 'npflt-kept'] + done)
    rerun = inproc.call('docker_networks', args)   # no fault this time
    assert not rerun.failed, rerun.get('msg')
    assert sorted(rerun['created']) == not_done
    after = dict((n['Name'], n['Id']) for n in api.networks())
    # nothing lost: every network that existed before is the same network; one network per name
    for name, net_id in before.items():
        assert after.get(name) == net_id, name
    listed = [n['Name'] for n in api.networks()]
    assert len(listed) == len(set(listed))
    assert set(w['name'] for w in wanted) <= set(listed)
    networks = api.inspect_container('npflt-c')['NetworkSettings']['Networks']
    assert 'npflt-hand' in networks, 'the container lost its network across the engine restart'
    assert inproc.call('docker_networks', args)['changed'] is False


# -- a container disappears during a reconnect -----------------------------------------------

@pytest.mark.parametrize('when', ['before_detach', 'before_reattach'])
def test_container_removed_during_reconnect_is_reported_and_the_others_restored(scratch, client, hook, when):
    subnet = str(list(RECONNECT_RANGE.subnets(new_prefix=26))[0 if when == 'before_detach' else 1])
    net = scratch.name('rc')
    containers = [scratch.container('c%d' % i).name for i in range(4)]
    victim = containers[2]
    spec = {'name': net, 'ipam_config': [{'subnet': subnet}],
            'containers': [{'name': c, 'aliases': ['a%d' % i],
                            'ipv4_address': str(ipaddress.ip_network(subnet).network_address + 10 + i)}
                           for i, c in enumerate(containers)]}
    assert not inproc.call('docker_network', spec).failed
    changed = dict(spec, labels={'rev': '2'}, recreate='reconnect')
    changed['containers'] = [{'name': c} for c in containers]   # keep what they have

    def remove_victim(count, *args):
        if count == 1:
            client.api.remove_container(victim, force=True)
    hook('disconnect' if when == 'before_detach' else 'create_network', after=remove_victim)
    others = [c for c in changed['containers'] if c['name'] != victim]
    r = inproc.call('docker_network', dict(changed, containers=others))
    assert r.traceback is None, r.traceback
    assert not r.failed, r['msg']
    assert r['reconnect_failed'] == [victim], r.result
    assert any(victim in w for w in r.get('warnings', [])), r.get('warnings')
    assert sorted(r['reconnected']) == sorted(c for c in containers if c != victim)
    info = inproc.call('docker_network_info', {'name': net})['network']
    assert info['labels']['rev'] == '2'
    for i, c in enumerate(containers):
        if c == victim:
            assert c not in info['endpoints']
            continue
        ep = info['endpoints'][c]
        assert ep['aliases'] == ['a%d' % i] and ep['ipv4_address'] == str(
            ipaddress.ip_network(subnet).network_address + 10 + i), (c, ep)


def test_bulk_reconnect_reports_the_missing_container(scratch, client, hook):
    subnet = str(list(RECONNECT_RANGE.subnets(new_prefix=26))[2])
    net = scratch.name('bulk')
    containers = [scratch.container('b%d' % i).name for i in range(3)]
    entry = {'name': net, 'ipam_config': [{'subnet': subnet}], 'containers': [{'name': c} for c in containers]}
    assert not inproc.call('docker_networks', {'networks': [entry]}).failed

    def remove_victim(count, *args):
        if count == 1:
            client.api.remove_container(containers[0], force=True)
    hook('create_network', after=remove_victim)
    r = inproc.call('docker_networks', {'networks': [dict(entry, labels={'rev': '2'}, containers=[])],
                                        'recreate': 'reconnect'})
    assert r.traceback is None, r.traceback
    assert not r.failed, r['msg']
    assert r['reconnect_failed'] == [containers[0]]
    assert sorted(r['reconnected']) == sorted(containers[1:])


# -- a parent link is deleted under a macvlan network --------------------------------------------

def test_missing_parent_of_an_existing_macvlan_network_is_reported(scratch):
    parent = scratch.veth('pm')
    net = scratch.name('mv')
    spec = {'name': net, 'driver': 'macvlan', 'parent': parent,
            'ipam_config': [{'subnet': str(list(RECONNECT_RANGE.subnets(new_prefix=26))[3])}]}
    first = inproc.call('docker_network', spec)
    assert not first.failed and first['changed'], first.get('msg')
    assert not inproc.call('docker_network', spec).get('warnings')
    scratch.ip('link', 'del', parent)
    for module, args, path in (('docker_network', spec, net), ('docker_networks', {'networks': [spec]}, 'networks[0]')):
        r = inproc.call(module, args)
        assert not r.failed and r['changed'] is False, r.result
        warnings = r.get('warnings') or []
        assert any(w.startswith('%s.parent: ' % path) and parent in w and 'does not exist' in w for w in warnings), \
            warnings
    # kernel_check: skip asks for no host checks, and gets none
    assert not inproc.call('docker_network', dict(spec, kernel_check='skip')).get('warnings')


# -- every detach has a way back (on the machine's engine, 198.19.64.0/24) ------------------------------

WAY_BACK = list(ipaddress.ip_network('198.19.64.0/24').subnets(new_prefix=27))


def endpoints(client, name):
    """What `docker inspect` shows of a container's networks: {network: (address, aliases, fixed address)}."""
    info = client.api.inspect_container(name)
    short = info['Id'][:12]
    return dict((net, (ep.get('IPAddress') or None, sorted(a for a in ep.get('Aliases') or [] if a != short),
                       (ep.get('IPAMConfig') or {}).get('IPv4Address')))
                for net, ep in info['NetworkSettings']['Networks'].items())


def two_on_a_network(scratch, subnet, suffix):
    """A managed network with containers a and b at .10 and .11 (aliases a-alias, b-alias)."""
    net = scratch.name(suffix)
    base = ipaddress.ip_network(subnet).network_address
    names = [scratch.container('%s-%s' % (suffix, c)).name for c in 'ab']
    spec = {'name': net, 'ipam_config': [{'subnet': subnet}],
            'containers': [{'name': n, 'aliases': ['%s-alias' % c], 'ipv4_address': str(base + 10 + i)}
                           for i, (c, n) in enumerate(zip('ab', names))]}
    r = inproc.call('docker_network', spec)
    assert not r.failed, r['msg']
    return net, names, spec


def test_container_asked_to_take_anothers_address_keeps_its_own(scratch, client):
    net, (a, b), spec = two_on_a_network(scratch, str(WAY_BACK[0]), 'tk')
    before = dict((c, endpoints(client, c)) for c in (a, b))
    taken = spec['containers'][1]['ipv4_address']
    r = inproc.call('docker_network', dict(spec, containers=[dict(spec['containers'][0], ipv4_address=taken),
                                                             spec['containers'][1]]))
    assert r.traceback is None, r.traceback
    assert r.failed
    assert 'put back with their recorded endpoints: %s' % a in r['msg'], r['msg']
    assert r['restored'] == [a] and r['not_restored'] == []
    assert dict((c, endpoints(client, c)) for c in (a, b)) == before


def test_recreate_whose_remove_fails_puts_every_container_back(scratch, client, hook):
    net, (a, b), spec = two_on_a_network(scratch, str(WAY_BACK[1]), 'rm')
    before = dict((c, endpoints(client, c)) for c in (a, b))
    intruder = scratch.container('rm-x').name

    def connect_intruder(count, *args):
        if count == 2:   # both detached: a container joins before the remove (a concurrent run, a user)
            client.api.connect_container_to_network(intruder, net)
    hook('disconnect', after=connect_intruder)
    r = inproc.call('docker_network', dict(spec, labels={'rev': '2'}, recreate='reconnect'))
    assert r.traceback is None, r.traceback
    assert r.failed and 'remove network' in r['msg'], r['msg']
    assert sorted(r['restored']) == sorted([a, b]), r.result
    assert dict((c, endpoints(client, c)) for c in (a, b)) == before
    assert 'rev' not in client.api.inspect_network(net)['Labels']


def test_rollback_of_a_refused_create_puts_containers_back_with_their_recorded_address(scratch, client, hook):
    # The subnet changes and the containers' fixed addresses move into it; the new network's subnet is taken
    # between the remove and the create, so the old network is made again: the containers must come back with
    # their OLD addresses (the wanted ones are outside the old subnet).
    old, new = str(WAY_BACK[2]), WAY_BACK[3]
    net, (a, b), spec = two_on_a_network(scratch, old, 'rb')
    before = dict((c, endpoints(client, c)) for c in (a, b))
    hook('remove_network', after=lambda count, *args: client.api.create_network(
        scratch.name('rb-blocker'), ipam=_ipam(str(new))))
    moved = [dict(c, ipv4_address=str(new.network_address + 10 + i)) for i, c in enumerate(spec['containers'])]
    r = inproc.call('docker_network', dict(spec, ipam_config=[{'subnet': str(new)}], containers=moved,
                                           recreate='reconnect'))
    assert r.traceback is None, r.traceback
    assert r.failed
    assert 'network %s was made again as it was' % net in r['msg'], r['msg']
    assert r['not_restored'] == [], r['msg']
    assert dict((c, endpoints(client, c)) for c in (a, b)) == before


def test_create_and_restore_both_refused_name_the_spec_and_every_endpoint(scratch, client, hook):
    subnet = str(WAY_BACK[4])
    net, (a, b), spec = two_on_a_network(scratch, subnet, 'bf')
    # between the remove and the create, another network takes the subnet: neither the new network nor the
    # old one can be made
    hook('remove_network', after=lambda count, *args: client.api.create_network(
        scratch.name('bf-blocker'), ipam=_ipam(subnet)))
    r = inproc.call('docker_network', dict(spec, labels={'rev': '2'}, recreate='reconnect'))
    assert r.traceback is None, r.traceback
    assert r.failed
    msg = r['msg']
    assert 'network %s could NOT be made again' % net in msg, msg
    assert '--subnet %s %s' % (subnet, net) in msg
    for c in spec['containers']:
        assert 'docker network connect --alias %s --ip %s %s %s' % (
            c['aliases'][0], c['ipv4_address'], net, c['name']) in msg, msg
    assert sorted(i['container'] for i in r['not_restored']) == sorted([a, b])
    # what the error says is what is true: the network is gone, the containers are off it
    assert net not in [n['Name'] for n in client.api.networks()]
    assert all(net not in endpoints(client, c) for c in (a, b))
    # and what it says is enough: the commands it gives bring everything back
    client.api.remove_network(scratch.name('bf-blocker'))
    for command in [r['networks_not_restored'][0]['command']] + [i['command'] for i in r['not_restored']]:
        subprocess.run(command.split(), check=True, stdout=subprocess.DEVNULL)
    for c, (_addr, aliases, fixed) in ((c['name'], (None, c['aliases'], c['ipv4_address']))
                                       for c in spec['containers']):
        assert endpoints(client, c)[net][1:] == (aliases, fixed)
    assert inproc.call('docker_network', spec)['changed'] is False


def test_a_reattach_refused_after_the_recreate_fails_the_task_and_puts_the_container_back(scratch, client, hook):
    subnet = WAY_BACK[6]
    net, (a, b), spec = two_on_a_network(scratch, str(subnet), 'ra')
    wanted_b = str(subnet.network_address + 20)
    intruder = scratch.container('ra-x').name

    def take_bs_new_address(count, body):
        client.api.connect_container_to_network(intruder, body['Name'], ipv4_address=wanted_b)
    hook('create_network', after=take_bs_new_address)
    r = inproc.call('docker_network', dict(spec, labels={'rev': '2'}, recreate='reconnect', containers=[
        spec['containers'][0], dict(spec['containers'][1], ipv4_address=wanted_b)]))
    assert r.traceback is None, r.traceback
    assert r.failed, 'a refused reattach is a failure, not rc 0'
    assert 'was recreated, but the engine refused to reattach %s' % b in r['msg'], r['msg']
    assert r.get('reconnect_failed') in (None, [])
    assert client.api.inspect_network(net)['Labels']['rev'] == '2'
    assert endpoints(client, b)[net][1:] == (['b-alias'], spec['containers'][1]['ipv4_address'])
    assert endpoints(client, a)[net][1:] == (['a-alias'], spec['containers'][0]['ipv4_address'])


def test_a_stale_duplicate_is_given_the_spec_not_adopted(scratch, client):
    # Two networks of one name, as an earlier race leaves them (Engine 20.10 makes one on request).
    net = scratch.name('st')
    first = scratch.container('st-a').name
    second = scratch.container('st-b').name
    spec = {'name': net, 'ipam_config': [{'subnet': str(WAY_BACK[7])}], 'containers': [{'name': first}]}
    assert not inproc.call('docker_network', spec).failed
    try:
        duplicate = client.api.create_network(net, check_duplicate=False,
                                              labels={'netprov.dockernet.managed': 'true'})['Id']
    except docker.errors.APIError as exc:
        pytest.skip('this engine refuses duplicate names (%s)' % exc)
    client.api.connect_container_to_network(second, duplicate)
    r = inproc.call('docker_network', dict(spec, labels={'rev': '2'}, recreate='reconnect'))
    assert r.traceback is None, r.traceback
    assert not r.failed, r['msg']
    assert not any('concurrently' in w for w in r.get('warnings', [])), r['warnings']
    same = [n for n in client.api.networks() if n['Name'] == net]
    assert len(same) == 1 and same[0]['Labels'].get('rev') == '2', same
    assert net in endpoints(client, first) and net in endpoints(client, second)
    assert inproc.call('docker_network', dict(spec, labels={'rev': '2'}))['changed'] is False


def _ipam(subnet):
    return docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet)])
