"""_probe.spec: docker_network_probe's options -> the checks to run, bad options named by field."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._probe import spec


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


@pytest.mark.parametrize('value, address', [
    ('198.18.0.9', True), ('2001:db8::1', True), ('web', False), ('198.18.0.256', False), ('', False),
])
def test_is_address(value, address):
    assert spec.is_address(value) is address


def test_an_address_target_is_canonical_so_two_spellings_are_one_target():
    checks = spec.validate(params(targets=[target('2001:db8:0::1', path_mtu=False)]))
    assert [(c['check'], c['target']) for c in checks] == [('icmp', '2001:db8::1')]
    with pytest.raises(ValidationError) as err:
        spec.validate(params(targets=[target('2001:db8::1'), target('2001:DB8:0::1')]))
    assert err.value.path == 'targets[1].name' and 'also targets[0]' in err.value.msg


def test_an_expected_mtu_is_carried_to_its_check():
    checks = spec.validate(params(targets=[target('web', ping=True, mtu=1400)]))
    assert checks[-1] == {'path': 'targets[0].path_mtu', 'check': 'path_mtu', 'target': 'web', 'expected': 1400,
                          'mtu': 1400, 'reachable': True}


def test_published_entries_alone_are_something_to_check_and_need_a_service():
    assert spec.validate(params(published=[{'service': 'web', 'port': None}])) == []
    with pytest.raises(ValidationError) as err:
        spec.validate(params(published=[{'service': ' ', 'port': 80}]))
    assert err.value.path == 'published[0].service'


def test_the_limits_the_checks_work_with():
    assert (spec.MIN_MTU, spec.MAX_MTU, spec.VXLAN_OVERHEAD) == (576, 65535, 50)
    assert spec.DEFAULT_IMAGE == 'busybox:latest'
