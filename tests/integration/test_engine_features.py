"""Engine API gating and the features of Engine 25-28, each on the engines that have it and refused on those that
do not, read back with the engine's own CLI.

Subnets come from 198.19.192.0/20 (IPv6: 2001:db8:1992::/48); the private engines each have a namespace of their
own, and a test's names are unique, so a subnet may serve one test on each engine at once.
"""
import contextlib
import json
import os
import select
import socket
import struct
import subprocess
import uuid

import pytest

# In-process calls (the module's real main()): these tests are about what the modules do on each engine, not
# about the playbook around them (the preflight role's test runs one).
from ansible_collections.netprov.dockernet.tests.support.inproc import run_module
from test_docker_network import four_way

M = 'netprov.dockernet.docker_network'
MS = 'netprov.dockernet.docker_networks'
GW4 = 'com.docker.network.bridge.gateway_mode_ipv4'
GW6 = 'com.docker.network.bridge.gateway_mode_ipv6'
THI = 'com.docker.network.bridge.trusted_host_interfaces'
IMAGE = 'netprov-test/busybox:latest'


def _inspect(info, name):
    proc = info.cli('network', 'inspect', name, check=False)
    return json.loads(proc.stdout)[0] if proc.returncode == 0 else None


class Names(object):
    """Unique names for one test on its engine; what carries them is removed afterwards."""

    def __init__(self, info):
        self.info = info
        self.prefix = 'npf%s' % uuid.uuid4().hex[:5]

    def __call__(self, suffix):
        return '%s-%s' % (self.prefix, suffix)

    def container(self, suffix, *args):
        """A running container (sleep) made with the engine's own CLI; ``args`` go to docker run."""
        name = self(suffix)
        self.info.cli('run', '-d', '--name', name, *(list(args) + [IMAGE, 'sleep', '3600']))
        return name

    def cleanup(self):
        listed = self.info.cli('ps', '-aq', '--filter', 'name=' + self.prefix).stdout.split()
        if listed:
            self.info.cli('rm', '-f', *listed, check=False)
        for net in self.info.cli('network', 'ls', '-q', '--filter', 'name=' + self.prefix).stdout.split():
            self.info.cli('network', 'rm', net, check=False)


@pytest.fixture
def names(engine_info):
    n = Names(engine_info)
    yield n
    n.cleanup()


def _endpoint(info, container, network):
    return json.loads(info.cli('inspect', container).stdout)[0]['NetworkSettings']['Networks'].get(network)


# (module arguments, the field named, the release and API in the message)
GATED_ON_2010 = [
    ({'enable_ipv4': False, 'enable_ipv6': True, 'ipam_config': [{'subnet': '2001:db8:1992:1::/64'}]},
     'enable_ipv4', 'false needs Engine 28.0 (API 1.48)'),
    ({'driver_options': {GW4: 'routed'}}, 'gateway_mode_ipv4', 'routed needs Engine 27.0 (API 1.46)'),
    ({'driver_options': {GW4: 'nat-unprotected'}}, 'gateway_mode_ipv4', 'nat-unprotected needs Engine 28.0 (API 1.48)'),
    ({'internal': True, 'driver_options': {GW4: 'isolated'}}, 'gateway_mode_ipv4',
     'isolated needs Engine 28.0 (API 1.48)'),
    ({'enable_ipv6': True, 'driver_options': {GW6: 'nat'}}, 'gateway_mode_ipv6', 'nat needs Engine 27.0 (API 1.46)'),
    ({'driver_options': {THI: 'lo'}}, 'trusted_host_interfaces', 'trusted_host_interfaces needs Engine 28.2 (API 1.50)'),
    ({'driver': 'ipvlan', 'ipvlan_mode': 'l3s', 'kernel_check': 'skip'}, 'ipvlan_mode', 'l3s needs Engine 23.0 (API 1.42)'),
    ({'driver': 'ipvlan', 'ipvlan_flag': 'vepa', 'kernel_check': 'skip'}, 'ipvlan_flag',
     'vepa needs Engine 23.0 (API 1.42)'),
]


@pytest.mark.parametrize('engine', ['20.10'], indirect=True)
@pytest.mark.parametrize('args, field, says', GATED_ON_2010, ids=[g[1] + ':' + g[2].split()[0] for g in GATED_ON_2010])
def test_an_option_the_engine_cannot_honour_is_refused_before_anything_changes(engine, engine_info, names,
                                                                               args, field, says):
    """Engine 20.10 would store each of these and ignore it; the module refuses, naming the field, the engine
    release and API version it needs and the one found, in check mode as in a real run, and makes nothing."""
    name = names('g')
    for check in (True, False):
        res = run_module(M, dict(args, name=name, docker_host=engine), check=check)
        assert res.get('failed') is True, 'accepted on %s: %s' % (engine_info.version, res.get('plan'))
        assert res['msg'].startswith('%s: %s; this engine speaks 1.41;' % (field, says)), res['msg']
        assert _inspect(engine_info, name) is None, 'the refused network was created'


@pytest.mark.parametrize('engine', ['20.10'], indirect=True)
def test_a_refused_option_leaves_an_existing_network_and_its_set_untouched(engine, engine_info, names):
    kept, other = names('k'), names('o')
    made = run_module(M, {'name': kept, 'docker_host': engine, 'labels': {'v': '1'}})
    assert made['changed'] is True, made.get('msg')
    before = _inspect(engine_info, kept)['Id']
    res = run_module(MS, {'docker_host': engine, 'networks': [
        {'name': other}, {'name': kept, 'labels': {'v': '2'}, 'driver_options': {GW4: 'routed'}}]})
    assert res.get('failed') is True
    assert res['msg'].startswith('1 problem(s), nothing was changed:\n'
                                 'networks[1].gateway_mode_ipv4: routed needs Engine 27.0 (API 1.46)'), res['msg']
    assert _inspect(engine_info, kept)['Id'] == before and _inspect(engine_info, kept)['Labels']['v'] == '1'
    assert _inspect(engine_info, other) is None, 'another network of the same call was made'


@pytest.mark.parametrize('engine', ['20.10', '26.1', '28.5'], indirect=True)
def test_the_client_speaks_the_engines_own_api_version(engine, engine_info):
    """api_version: auto (the default) negotiates: never a version below what the engine speaks, so Engine 29
    (which refuses clients older than 1.44) is spoken to with its own."""
    from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import DOCKER_COMMON_ARGS, Engine
    params = dict((k, v.get('default')) for k, v in DOCKER_COMMON_ARGS.items())
    params['docker_host'] = engine
    assert params['api_version'] == 'auto'
    assert Engine(params).api_version == '%d.%d' % engine_info.api


@pytest.mark.parametrize('engine', ['28.5'], indirect=True)
def test_an_ipv6_only_network_is_made_read_back_and_converges(engine, engine_info, names):
    name = names('v6o')
    args = {'name': name, 'docker_host': engine, 'enable_ipv4': False,
            'ipam_config': [{'subnet': '2001:db8:1992:10::/64'}]}
    real = four_way(args, 'create')
    assert real['plan'][0]['body']['EnableIPv4'] is False
    net = _inspect(engine_info, name)
    assert net['EnableIPv4'] is False and net['EnableIPv6'] is True
    assert [e['Subnet'] for e in net['IPAM']['Config']] == ['2001:db8:1992:10::/64'], 'the engine added an IPv4 pool'
    assert real['network']['enable_ipv4'] is False
    # A container on it has an IPv6 address and no IPv4 one.
    c = names.container('c')
    res = run_module(M, dict(args, containers=[{'name': c, 'ipv6_address': '2001:db8:1992:10::10'}]))
    assert [s['action'] for s in res['plan']] == ['connect'], res.get('msg')
    ep = _endpoint(engine_info, c, name)
    assert ep['GlobalIPv6Address'] == '2001:db8:1992:10::10' and ep['IPAddress'] == ''
    assert run_module(M, dict(args, containers=[{'name': c, 'ipv6_address': '2001:db8:1992:10::10'}]))['changed'] is False


@pytest.mark.parametrize('engine', ['28.5'], indirect=True)
def test_a_dual_stack_network_made_ipv6_only_keeps_its_container(engine, engine_info, names):
    name = names('ds')
    c = names.container('c')
    made = run_module(M, {'name': name, 'docker_host': engine, 'ipam_config': [
        {'subnet': '198.19.193.0/26'}, {'subnet': '2001:db8:1992:11::/64'}],
        'containers': [{'name': c, 'aliases': ['web'], 'ipv6_address': '2001:db8:1992:11::20'}]})
    assert made['changed'] is True, made.get('msg')
    args = {'name': name, 'docker_host': engine, 'enable_ipv4': False, 'recreate': 'reconnect',
            'ipam_config': [{'subnet': '2001:db8:1992:11::/64'}]}
    check = run_module(M, args, check=True)
    real = run_module(M, args)
    assert real.get('failed') is not True, real.get('msg')
    assert [s['action'] for s in real['plan']] == ['recreate'] and real['plan'] == check['plan']
    assert 'enable_ipv4: True -> False' in real['plan'][0]['reason']
    net = _inspect(engine_info, name)
    assert net['EnableIPv4'] is False and [e['Subnet'] for e in net['IPAM']['Config']] == ['2001:db8:1992:11::/64']
    ep = _endpoint(engine_info, c, name)
    assert ep['GlobalIPv6Address'] == '2001:db8:1992:11::20' and ep['IPAddress'] == '' and ep['Aliases'] == ['web']
    assert run_module(M, args)['changed'] is False


@pytest.mark.parametrize('engine', ['26.1'], indirect=True)
def test_enable_ipv4_false_is_refused_where_the_engine_would_add_ipv4_anyway(engine, engine_info, names):
    """Engine 26.1 takes EnableIPv4: false without a word and gives the network an IPv4 pool."""
    name = names('v6o')
    res = run_module(M, {'name': name, 'docker_host': engine, 'enable_ipv4': False,
                         'ipam_config': [{'subnet': '2001:db8:1992:12::/64'}]})
    assert res.get('failed') is True
    assert res['msg'].startswith('enable_ipv4: false needs Engine 28.0 (API 1.48); this engine speaks 1.45;'), res['msg']
    assert _inspect(engine_info, name) is None


def _echo(address, timeout=3):
    """One ICMP echo to ``address`` from this (the root) namespace: True when it is answered."""
    def checksum(data):
        total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
        total = (total >> 16) + (total & 0xffff)
        return ~(total + (total >> 16)) & 0xffff
    ident, payload = os.getpid() & 0xffff, b'netprov!'
    packet = struct.pack('!BBHHH', 8, 0, checksum(struct.pack('!BBHHH', 8, 0, 0, ident, 1) + payload), ident, 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    try:
        sock.sendto(packet + payload, (address, 0))
        while select.select([sock], [], [], timeout)[0]:
            data, source = sock.recvfrom(2048)
            if source[0] == address and data[20] == 0 and struct.unpack('!H', data[24:26])[0] == ident:
                return True
        return False
    finally:
        sock.close()


@contextlib.contextmanager
def _route_to_engine(info, subnet):
    """A route from the root namespace to ``subnet`` through the engine's namespace (its veth's far end)."""
    via = info.ip('-4', '-o', 'addr', 'show', 'npe0').stdout.split()[3].split('/')[0]
    subprocess.run(['ip', 'route', 'add', subnet, 'via', via], check=True)
    try:
        yield
    finally:
        subprocess.run(['ip', 'route', 'del', subnet, 'via', via], check=False)


@pytest.mark.parametrize('engine', ['28.5'], indirect=True)
def test_gateway_modes_are_set_read_back_and_change_what_reaches_the_containers(engine, engine_info, names):
    """routed: a container answers at its own address from beyond the host; nat: it does not. Changing the mode
    recreates the network, and the container keeps its address."""
    name = names('gw')
    c = names.container('c')
    args = {'name': name, 'docker_host': engine, 'gateway_mode_ipv4': 'routed', 'gateway_mode_ipv6': 'nat',
            'enable_ipv6': True, 'ipam_config': [{'subnet': '198.19.193.64/26'}, {'subnet': '2001:db8:1992:20::/64'}]}
    four_way(args, 'create')
    assert _inspect(engine_info, name)['Options'] == {GW4: 'routed', GW6: 'nat'}
    fixed = dict(args, containers=[{'name': c, 'ipv4_address': '198.19.193.70'}])
    assert run_module(M, fixed)['changed'] is True
    with _route_to_engine(engine_info, '198.19.193.64/26'):
        assert _echo('198.19.193.70'), 'routed: the container does not answer at its own address'
        nat = dict(fixed, gateway_mode_ipv4='nat', recreate='reconnect')
        check = run_module(M, nat, check=True)
        real = run_module(M, nat)
        assert real.get('failed') is not True, real.get('msg')
        assert real['plan'] == check['plan'] and [s['action'] for s in real['plan']] == ['recreate']
        assert real['plan'][0]['reason'] == 'driver_options.%s: routed -> nat' % GW4
        assert _inspect(engine_info, name)['Options'] == {GW4: 'nat', GW6: 'nat'}
        assert _endpoint(engine_info, c, name)['IPAddress'] == '198.19.193.70'
        assert not _echo('198.19.193.70'), 'nat: the container answers at its own address from beyond the host'
    assert run_module(M, nat)['changed'] is False
    # nat is what a network without the option has
    assert run_module(M, {'name': name, 'docker_host': engine, 'gateway_mode_ipv6': 'nat'})['changed'] is False


@pytest.mark.parametrize('engine', ['28.5'], indirect=True)
def test_an_isolated_network_needs_internal_and_has_no_gateway(engine, engine_info, names):
    name = names('iso')
    args = {'name': name, 'docker_host': engine, 'gateway_mode_ipv4': 'isolated',
            'ipam_config': [{'subnet': '198.19.193.128/26'}]}
    res = run_module(M, args)
    assert res.get('failed') is True and res['msg'].startswith('gateway_mode_ipv4: isolated needs internal: true')
    assert _inspect(engine_info, name) is None
    four_way(dict(args, internal=True), 'create')
    net = _inspect(engine_info, name)
    assert net['Internal'] is True and net['Options'] == {GW4: 'isolated'}
    bridge = 'br-' + net['Id'][:12]
    assert '198.19.193.' not in engine_info.ip('-4', 'addr', 'show', bridge).stdout, 'the bridge has a gateway'


@pytest.mark.parametrize('engine', ['28.5'], indirect=True)
def test_trusted_host_interfaces_are_set_read_back_and_changed(engine, engine_info, names):
    name = names('thi')
    args = {'name': name, 'docker_host': engine, 'trusted_host_interfaces': ['npfx1', 'npfx0'],
            'ipam_config': [{'subnet': '198.19.193.192/26'}]}
    four_way(args, 'create')
    assert _inspect(engine_info, name)['Options'] == {THI: 'npfx0:npfx1'}
    # the same set in another order is no change
    assert run_module(M, dict(args, trusted_host_interfaces=['npfx0', 'npfx1']))['changed'] is False
    changed = run_module(M, dict(args, trusted_host_interfaces=['npfx2']))
    assert [s['action'] for s in changed['plan']] == ['recreate'], changed.get('msg')
    assert _inspect(engine_info, name)['Options'] == {THI: 'npfx2'}
    cleared = run_module(M, dict(args, trusted_host_interfaces=[]))
    assert cleared['changed'] is True and _inspect(engine_info, name)['Options'].get(THI, '') == ''
    assert run_module(M, dict(args, trusted_host_interfaces=[]))['changed'] is False


@pytest.mark.parametrize('engine', ['20.10', '26.1'], indirect=True)
@pytest.mark.parametrize('args, field', [
    ({'gateway_mode_ipv4': 'routed'}, 'gateway_mode_ipv4: routed needs Engine 27.0 (API 1.46)'),
    ({'gateway_mode_ipv6': 'nat', 'enable_ipv6': True}, 'gateway_mode_ipv6: nat needs Engine 27.0 (API 1.46)'),
    ({'gateway_mode_ipv4': 'isolated', 'internal': True}, 'gateway_mode_ipv4: isolated needs Engine 28.0 (API 1.48)'),
    ({'trusted_host_interfaces': ['eth0']},
     'trusted_host_interfaces: trusted_host_interfaces needs Engine 28.2 (API 1.50)'),
])
def test_the_bridge_options_are_refused_where_the_engine_lacks_them(engine, engine_info, names, args, field):
    name = names('old')
    res = run_module(M, dict(args, name=name, docker_host=engine))
    assert res.get('failed') is True
    assert res['msg'].startswith('%s; this engine speaks %d.%d;' % ((field,) + engine_info.api)), res['msg']
    assert _inspect(engine_info, name) is None
    res = run_module(MS, {'docker_host': engine, 'networks': [dict(args, name=name)]})
    assert res.get('failed') is True and ('networks[0].' + field) in res['msg'], res['msg']


# -- per container on a network ---------------------------------------------------------------

IFNAME = 'com.docker.network.endpoint.ifname'
SYSCTLS = 'com.docker.network.endpoint.sysctls'


def _exec(info, container, command):
    return info.cli('exec', container, 'sh', '-c', command).stdout


@pytest.mark.parametrize('engine', ['28.5'], indirect=True)
def test_endpoint_settings_are_set_read_back_and_changed(engine, engine_info, names):
    """The container's interface on the network has the name and sysctls asked for, and with the highest gateway
    priority the network gives it its default route."""
    name = names('ep')
    c = names.container('c')   # on the engine's default bridge too, priority 0
    entry = {'name': c, 'gw_priority': 10, 'interface_name': 'lan0',
             'sysctls': {'net.ipv4.conf.IFNAME.log_martians': 1, 'net.ipv4.conf.IFNAME.forwarding': '1'}}
    args = {'name': name, 'docker_host': engine, 'ipam_config': [{'subnet': '198.19.194.0/26', 'gateway': '198.19.194.1'}],
            'containers': [entry]}
    assert run_module(M, dict(args, containers=[]))['changed'] is True
    check = run_module(M, args, check=True)
    real = run_module(M, args)
    assert real.get('failed') is not True, real.get('msg')
    assert real['plan'] == check['plan'] and [s['action'] for s in real['plan']] == ['connect']
    ep = _endpoint(engine_info, c, name)
    assert ep['GwPriority'] == 10
    assert ep['DriverOpts'] == {IFNAME: 'lan0',
                                SYSCTLS: 'net.ipv4.conf.IFNAME.forwarding=1,net.ipv4.conf.IFNAME.log_martians=1'}
    assert _exec(engine_info, c, 'cat /proc/sys/net/ipv4/conf/lan0/log_martians /proc/sys/net/ipv4/conf/lan0/forwarding'
                 ).split() == ['1', '1']
    assert 'default via 198.19.194.1 dev lan0' in _exec(engine_info, c, 'ip route')
    assert run_module(M, args)['changed'] is False
    lower = dict(entry, gw_priority=-1)
    changed = run_module(M, dict(args, containers=[lower]))
    assert [(s['action'], s['reason']) for s in changed['plan']] == [('reconnect', 'gw_priority: 10 -> -1')]
    assert _endpoint(engine_info, c, name)['GwPriority'] == -1
    assert _endpoint(engine_info, c, name)['DriverOpts'][IFNAME] == 'lan0', 'the reconnect lost the interface name'
    assert 'dev lan0' not in [l for l in _exec(engine_info, c, 'ip route').splitlines() if l.startswith('default')][0]
    assert run_module(M, dict(args, containers=[lower]))['changed'] is False


@pytest.mark.parametrize('engine', ['28.5'], indirect=True)
def test_recreate_reconnect_puts_endpoint_settings_back_on_running_and_stopped_containers(engine, engine_info, names):
    name = names('rc')
    run_c, stop_c = names.container('r'), names.container('s')
    entry = {'gw_priority': 5, 'interface_name': 'lan0', 'sysctls': {'net.ipv4.conf.IFNAME.log_martians': '1'}}
    base = {'name': name, 'docker_host': engine, 'ipam_config': [{'subnet': '198.19.194.64/26'}]}
    made = run_module(M, dict(base, containers=[dict(entry, name=run_c), dict(entry, name=stop_c, gw_priority=2)]))
    assert made['changed'] is True, made.get('msg')
    engine_info.cli('stop', '-t', '0', stop_c)
    before = dict((c, _endpoint(engine_info, c, name)) for c in (run_c, stop_c))
    res = run_module(M, dict(base, labels={'tier': 'two'}, recreate='reconnect'))
    assert res.get('failed') is not True, res.get('msg')
    assert sorted(res['reconnected']) == sorted([run_c, stop_c])
    for c in (run_c, stop_c):
        after = _endpoint(engine_info, c, name)
        assert (after['GwPriority'], after['DriverOpts']) == (before[c]['GwPriority'], before[c]['DriverOpts']), c
    engine_info.cli('start', stop_c)
    assert _exec(engine_info, stop_c, 'cat /proc/sys/net/ipv4/conf/lan0/log_martians').strip() == '1'
    assert _exec(engine_info, run_c, 'cat /proc/sys/net/ipv4/conf/lan0/log_martians').strip() == '1'


@pytest.mark.parametrize('engine', ['26.1', '28.5'], indirect=True)
def test_a_recreate_that_would_lose_a_mac_set_at_create_is_refused(engine, engine_info, names):
    """Engines 25-29.2 ignore a MAC address in a network connect (seen on 26.1 and 28.5: a reattached container,
    running or stopped, gets a MAC of the engine's choosing). A container created with a MAC on the network keeps
    it: the recreate is refused, naming it, and nothing changes."""
    name = names('mac')
    made = run_module(M, {'name': name, 'docker_host': engine, 'ipam_config': [{'subnet': '198.19.194.128/26'}]})
    assert made['changed'] is True, made.get('msg')
    c = names.container('c', '--network', name, '--mac-address', '02:42:c6:13:c2:99')
    net_id = _inspect(engine_info, name)['Id']
    same = run_module(M, {'name': name, 'docker_host': engine,
                          'containers': [{'name': c, 'mac_address': '02:42:C6:13:C2:99'}]})
    assert same['changed'] is False, same.get('plan')
    for check in (True, False):
        res = run_module(M, {'name': name, 'docker_host': engine, 'labels': {'tier': 'two'}, 'recreate': 'reconnect'},
                         check=check)
        assert res.get('failed') is True, res.get('plan')
        assert '%s (02:42:c6:13:c2:99) would lose the MAC address it was created with' % c in res['msg'], res['msg']
    assert _inspect(engine_info, name)['Id'] == net_id
    assert _endpoint(engine_info, c, name)['MacAddress'] == '02:42:c6:13:c2:99'


@pytest.mark.parametrize('engine', ['26.1', '28.5'], indirect=True)
def test_a_mac_address_a_connect_would_ignore_is_refused(engine, engine_info, names):
    name = names('mc')
    c = names.container('c')
    res = run_module(M, {'name': name, 'docker_host': engine, 'ipam_config': [{'subnet': '198.19.194.192/26'}],
                         'containers': [{'name': c, 'mac_address': '02:42:c6:13:c2:c9'}]})
    assert res.get('failed') is True
    assert res['msg'].startswith('containers[0].mac_address: mac_address in a network connect needs Engine 29.3 '
                                 '(API 1.54); this engine speaks %d.%d;' % engine_info.api), res['msg']
    assert _inspect(engine_info, name) is None and _endpoint(engine_info, c, name) is None


@pytest.mark.parametrize('engine', ['20.10'], indirect=True)
def test_engine_2010_gives_a_container_its_mac_back_across_a_recreate(engine, engine_info, names, client):
    """Engine 20.10 has one MAC per container (Config.MacAddress), which it applies again on every connect to the
    network the container was created on: there a recreate keeps it."""
    name = names('m20')
    assert run_module(M, {'name': name, 'docker_host': engine})['changed'] is True
    ident = client.api.create_container(IMAGE, ['sleep', '3600'], name=names('c'), mac_address='02:42:c6:13:c3:10',
                                        host_config=client.api.create_host_config(network_mode=name))['Id']
    client.api.start(ident)
    res = run_module(M, {'name': name, 'docker_host': engine, 'labels': {'tier': 'two'}, 'recreate': 'reconnect'})
    assert res.get('failed') is not True, res.get('msg')
    assert res['reconnected'] == [names('c')]
    assert _endpoint(engine_info, names('c'), name)['MacAddress'] == '02:42:c6:13:c3:10'


@pytest.mark.parametrize('engine', ['20.10', '26.1'], indirect=True)
@pytest.mark.parametrize('entry, says', [
    ({'gw_priority': 5}, 'gw_priority: gw_priority needs Engine 28.0 (API 1.48)'),
    ({'interface_name': 'lan0'}, 'interface_name: interface_name needs Engine 28.0 (API 1.48)'),
    ({'sysctls': {'net.ipv4.conf.IFNAME.forwarding': '1'}}, 'sysctls: sysctls needs Engine 27.0 (API 1.46)'),
])
def test_endpoint_settings_are_refused_where_the_engine_lacks_them(engine, engine_info, names, entry, says):
    """Both engines store these in the endpoint and ignore them (20.10 and 26.1 name the interface eth1)."""
    name = names('old')
    c = names.container('c')
    res = run_module(M, {'name': name, 'docker_host': engine, 'containers': [dict(entry, name=c)]})
    assert res.get('failed') is True
    assert res['msg'].startswith('containers[0].%s; this engine speaks %d.%d;' % ((says,) + engine_info.api)), res['msg']
    assert _inspect(engine_info, name) is None


# -- what the engine is: docker_host_info and the preflight role ------------------------------------

@pytest.mark.parametrize('engine', ['20.10', '26.1', '28.5'], indirect=True)
def test_host_info_reports_the_api_range_the_firewall_backend_and_forwarding(engine, engine_info):
    res = run_module('netprov.dockernet.docker_host_info', {'docker_host': engine})
    assert res.get('failed') is not True, res.get('msg')
    version = json.loads(engine_info.cli('version', '--format', '{{json .Server}}').stdout)
    assert res['engine']['api_version'] == version['ApiVersion'] == '%d.%d' % engine_info.api
    assert res['engine']['min_api_version'] == version['MinAPIVersion']
    assert res['engine']['client_api_version'] == version['ApiVersion'], 'the client did not speak the engine\'s API'
    info = json.loads(engine_info.cli('info', '--format', '{{json .}}').stdout)
    if engine_info.api >= (1, 49):
        assert res['networking']['firewall_backend'] == {'driver': info['FirewallBackend']['Driver'], 'info': {}}
        assert res['networking']['firewall_backend']['driver'] == 'iptables'
    else:
        assert res['networking']['firewall_backend'] is None
    assert res['networking']['ipv4_forwarding'] is info['IPv4Forwarding'] is True


@pytest.mark.parametrize('engine', ['20.10', '28.5'], indirect=True)
def test_the_preflight_role_weighs_network_options_against_the_engine(engine, engine_info, names, monkeypatch):
    from ansible_collections.netprov.dockernet.tests.support.ansible_play import play
    monkeypatch.setenv('DOCKER_HOST', engine)
    entry = {'name': names('pf'), 'gateway_mode_ipv4': 'routed', 'ipam_config': [{'subnet': '198.19.195.0/26'}]}
    tasks = [{'ansible.builtin.include_role': {'name': 'netprov.dockernet.preflight'},
              'vars': {'preflight_swarm': False, 'preflight_networks': [entry]}}]
    said = "networks_networks[0] '%s' gateway_mode_ipv4: routed needs Engine 27.0 (API 1.46); this engine speaks " \
           "1.41" % entry['name']
    if engine_info.api < (1, 46):
        # the role's last task fails the host, so the play has no results to read, only its output
        with pytest.raises(AssertionError) as stopped:
            play(tasks)
        assert said in str(stopped.value), str(stopped.value)[-3000:]
    else:
        run = play(tasks)
        assert run.rc == 0, run.stdout[-3000:]
    assert _inspect(engine_info, entry['name']) is None, 'the preflight made something'
