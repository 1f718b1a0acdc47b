"""Every Docker module against an engine over TLS: Engine 28.5 with --tlsverify, certificates made here.

The engine is a one-engine test fleet (tests/support/fleet.py) of Debian's 28.5
(scripts/engines.py), listening on tcp://ADDR:2376 with ``--tlsverify`` and a
CA, server and client certificate that this module makes with openssl. Its
fleet bridge gets an address so the root namespace reaches it; all addresses
are in 198.19.104.0/21 (the fleet's range; nothing else uses it), and
nothing leaves the fleet.

A user's task sets ``docker_host: tcp://ADDR:2376`` with ``tls``,
``validate_certs``, ``ca_path``, ``client_cert`` and ``client_key`` (here once,
for the docker action group). A wrong CA, a missing client certificate and a
plain connection to the TLS port each fail with a message that names the
option to fix; no key material appears in any output at -vvv.
"""
import ipaddress
import os
import subprocess

import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play
from ansible_collections.netprov.dockernet.tests.support.fleet import scratch_fleet

TLS_RANGE = '198.19.104.0/21'
PORT = 2376
ENGINE = '28.5'
NET = 'netprov.dockernet.docker_network'


def openssl(*args, cwd):
    subprocess.run(['openssl'] + list(args), cwd=cwd, check=True, capture_output=True)


def make_ca(d, name):
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
            '-subj', '/CN=netprov test %s' % name, '-keyout', '%s-key.pem' % name, '-out', '%s.pem' % name, cwd=d)


def make_cert(d, name, ca, ext):
    with open(os.path.join(d, '%s.ext' % name), 'w') as f:
        f.write(ext + '\n')
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=%s' % name,
            '-keyout', '%s-key.pem' % name, '-out', '%s.csr' % name, cwd=d)
    openssl('x509', '-req', '-in', '%s.csr' % name, '-CA', '%s.pem' % ca, '-CAkey', '%s-key.pem' % ca,
            '-CAcreateserial', '-days', '2', '-extfile', '%s.ext' % name, '-out', '%s-cert.pem' % name, cwd=d)


@pytest.fixture(scope='module')
def tls_engine(engine_pool, tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip('the engine of its own needs root (a network namespace, dockerd)')
    d = str(tmp_path_factory.mktemp('tls'))
    info = engine_pool.get(ENGINE)
    addr = ipaddress.ip_network(TLS_RANGE).network_address + 11  # engine1's address (tests/support/fleet.py)
    make_ca(d, 'ca')
    make_ca(d, 'other-ca')
    make_cert(d, 'server', 'ca', 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth' % addr)
    make_cert(d, 'client', 'ca', 'extendedKeyUsage=clientAuth')

    def pem(name):
        return os.path.join(d, name)

    args = ['--tlsverify', '--tlscacert', pem('ca.pem'), '--tlscert', pem('server-cert.pem'),
            '--tlskey', pem('server-key.pem'), '--host', 'tcp://{addr}:%d' % PORT]
    with scratch_fleet(1, TLS_RANGE, binaries=info.binaries, dockerd_args=args) as fleet:
        e = fleet.engine(1)
        assert e['addr'] == str(addr)
        info.assert_release(e['url'])
        link = ipaddress.ip_network(fleet.layout['link'])
        # the root namespace reaches the engine's address through the fleet's bridge (removed with the fleet)
        subprocess.run(['ip', 'addr', 'add', '%s/%d' % (link.network_address + 1, link.prefixlen), 'dev',
                        fleet.bridge], check=True)
        fleet.tls = {'docker_host': 'tcp://%s:%d' % (addr, PORT), 'tls': True, 'validate_certs': True,
                     'ca_path': pem('ca.pem'), 'client_cert': pem('client-cert.pem'),
                     'client_key': pem('client-key.pem')}
        fleet.pem = pem
        try:
            yield fleet
        finally:
            fleet.leave_swarms()


def defaults(tls):
    return {'group/netprov.dockernet.docker': tls}


def secrets(fleet):
    """The private keys' base64 lines: none of them may appear in any output."""
    lines = []
    for name in ('client-key.pem', 'server-key.pem', 'ca-key.pem'):
        with open(fleet.pem(name)) as f:
            lines += [line.strip() for line in f if line.strip() and not line.startswith('-----')]
    return lines


def test_every_docker_module_over_tls_with_verified_certificates(tls_engine):
    fleet = tls_engine
    name = 'nptls-net'
    net = {NET: {'name': name, 'labels': {'via': 'tls'}, 'ipam_config': [{'subnet': '198.19.108.0/26'}]}}
    bulk = {'netprov.dockernet.docker_networks': {'networks': [
        {'name': 'nptls-bulk', 'ipam_config': [{'subnet': '198.19.108.64/26'}]}]}}
    addr = fleet.engine(1)['addr']
    tasks = [
        dict(net, check_mode=True), net, net,
        bulk, bulk,
        {'netprov.dockernet.docker_network_info': {'name': name}},
        {'netprov.dockernet.docker_host_info': {}},
        {'netprov.dockernet.docker_swarm': {'advertise_addr': addr, 'default_addr_pool': [fleet.swarm_pool]}},
        {'netprov.dockernet.docker_swarm': {'advertise_addr': addr, 'default_addr_pool': [fleet.swarm_pool]}},
        {'netprov.dockernet.docker_swarm_info': {}},
        {'netprov.dockernet.docker_swarm_node': {'node': 'fleet-engine1', 'labels': {'via': 'tls'}}},
        {'netprov.dockernet.docker_swarm': {'state': 'absent', 'force': True}},
    ]
    r = play(tasks, module_defaults=defaults(fleet.tls), verbosity=3, diff=True)
    results = r.results
    for i, res in enumerate(results):
        assert res.get('failed') is not True, (i, tasks[i], res.get('msg'))
    check, made, again, bulk1, bulk2, info, host, init, init2, swarm_info, node, leave = results
    assert check['changed'] is True and made['changed'] is True and made['plan'] == check['plan']
    assert again['changed'] is False, again['plan']
    assert bulk1['changed'] is True and bulk2['changed'] is False
    api = fleet.client(1)  # the same engine, over its unix socket
    assert api.inspect_network(name)['Labels'] == {'via': 'tls', 'netprov.dockernet.managed': 'true'}
    assert info['exists'] is True and info['network']['labels']['via'] == 'tls'
    assert host['engine']['version'] == api.version()['Version']
    assert init['changed'] is True and init2['changed'] is False
    assert swarm_info['role'] == 'manager' and swarm_info['swarm_active'] is True
    assert node['changed'] is True and node['node']['labels'] == {'via': 'tls'}
    assert leave['changed'] is True and api.info()['Swarm']['LocalNodeState'] == 'inactive'
    out = r.stdout + r.stderr
    leaked = [line for line in secrets(fleet) if line in out]
    assert not leaked, 'key material in the -vvv output'


@pytest.mark.parametrize('change, fix', [
    ({'ca_path': 'other-ca.pem'}, 'set ca_path to the CA that signed it'),
    ({'client_cert': None, 'client_key': None}, 'set client_cert and client_key'),
    ({'tls': False, 'validate_certs': False}, 'set tls: true'),
], ids=['wrong CA', 'no client certificate', 'plain connection'])
def test_refused_tls_connection_names_the_option(tls_engine, change, fix):
    fleet = tls_engine
    tls = dict(fleet.tls)
    for key, value in change.items():
        if value is None:
            tls.pop(key)
        else:
            tls[key] = fleet.pem(value) if isinstance(value, str) else value
    name = 'nptls-refused'
    r = play([{NET: {'name': name}}], module_defaults=defaults(tls), verbosity=3)
    res = r[0]
    assert res.get('failed') is True, res
    assert fix in res['msg'] and tls['docker_host'] in res['msg'], res['msg']
    assert 'Traceback' not in res['msg'] + res.get('module_stderr', '')
    assert name not in [n['Name'] for n in fleet.client(1).networks()]
    out = r.stdout + r.stderr
    assert not [line for line in secrets(fleet) if line in out], 'key material in the -vvv output'
