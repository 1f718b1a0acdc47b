"""docker_swarm on a node already in a swarm that it joined through an address its managers do not advertise
(a NAT, a VIP, a DNS name): the swarm is told by its root CA, which the join token names."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._swarm import membership as _swarm
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError

PEM = b'-----BEGIN CERTIFICATE-----\nMIIBazCCARCgAwIBAgIU\n-----END CERTIFICATE-----\n'
DIGEST = hashlib.sha256(PEM).hexdigest()


def _base36(number):
    digits = '0123456789abcdefghijklmnopqrstuvwxyz'
    out = ''
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out.rjust(50, '0')


TOKEN = 'SWMTKN-1-%s-%s' % (_base36(int(DIGEST, 16)), '1awxwuwd3z9j1z3puu7rcgdbx')
OTHER = 'SWMTKN-1-%s-%s' % (_base36(int(DIGEST, 16) ^ 1), '1awxwuwd3z9j1z3puu7rcgdbx')


def want(token=TOKEN, addrs=('198.19.88.30',), **params):
    p = dict((k, v.get('default')) for k, v in _swarm.SWARM_ARGS.items())
    p.update(remote_addrs=list(addrs), join_token=token, **params)
    return _swarm.want_from_params(p, resolve=False)


def have(ca_digest=DIGEST, manager=False):
    h = dict(local_state='active', error='', node_id='n2', node_addr='198.19.88.12', is_manager=manager,
             remote_managers=['198.19.88.11:2377'], cluster=None, nodes=None, gwbridge=None, ca_digest=ca_digest)
    if manager:
        h['cluster'] = dict(id='c1', version=10, data_path_port=4789, default_addr_pool=['198.19.94.0/24'],
                            subnet_size=27, autolock_managers=False)
        h['nodes'] = [dict(id='n2', hostname='n2', role='manager', availability='active', state='ready',
                           addr='198.19.88.12', leader=False, reachability='reachable',
                           manager_addr='198.19.88.12:2377', engine_version='20.10.24')]
    return h


def test_the_token_names_the_root_ca_digest():
    assert _swarm.token_ca_digest(TOKEN) == DIGEST == _swarm.ca_digest(PEM) == _swarm.ca_digest(PEM.decode())
    for bad in ('', None, 'x', 'SWMTKN-1-bad', 'SWMTKN-1-!!-x', 'SWMTKN-9-%s-x' % _base36(5)):
        assert _swarm.token_ca_digest(bad) is None, bad


@pytest.mark.parametrize('manager', [False, True])
def test_same_root_ca_through_another_address_changes_nothing(manager):
    steps, warnings = _swarm.plan(want(role='manager' if manager else 'worker'), have(manager=manager))
    assert steps == [] and warnings == []


def test_another_root_ca_is_another_swarm():
    with pytest.raises(ConflictError, match='^remote_addrs: .*another root CA') as err:
        _swarm.plan(want(token=OTHER), have())
    assert OTHER not in str(err.value) and '198.19.88.30:2377' in str(err.value)


def test_a_node_that_cannot_read_its_root_ca_is_left_as_it_is_with_a_warning():
    steps, warnings = _swarm.plan(want(), have(ca_digest=None))
    assert steps == []
    assert len(warnings) == 1 and 'cannot read its swarm\'s root CA' in warnings[0] and TOKEN not in warnings[0]


def test_a_listed_manager_address_needs_no_root_ca():
    assert _swarm.plan(want(token=OTHER, addrs=('198.19.88.11',)), have(ca_digest=None)) == ([], [])
