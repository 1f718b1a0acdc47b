"""_common.errors: the one error family; every kind carries a message, the field path and details the same way."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common import errors

KINDS = [errors.ValidationError, errors.EngineError, errors.KernelError, errors.ConflictError]


@pytest.mark.parametrize('kind', KINDS, ids=lambda k: k.__name__)
def test_each_kind_is_one_family_with_message_path_and_details(kind):
    err = kind('gateway 198.18.2.1 is outside 198.18.1.0/24', path='networks[2].ipam_config[0].gateway',
               blocking=['web'], done=[])
    assert isinstance(err, errors.NetprovError) and isinstance(err, Exception)
    assert err.msg == 'gateway 198.18.2.1 is outside 198.18.1.0/24'
    assert err.path == 'networks[2].ipam_config[0].gateway'
    assert err.details == {'blocking': ['web'], 'done': []}
    assert str(err) == 'networks[2].ipam_config[0].gateway: gateway 198.18.2.1 is outside 198.18.1.0/24'
    with pytest.raises(errors.NetprovError):
        raise err


@pytest.mark.parametrize('kind', KINDS, ids=lambda k: k.__name__)
def test_without_a_path_the_message_stands_alone_and_details_are_empty(kind):
    err = kind('the engine refused: 403 Forbidden')
    assert err.path is None and err.details == {}
    assert str(err) == 'the engine refused: 403 Forbidden' and err.args == ('the engine refused: 403 Forbidden',)


def test_an_empty_path_is_no_path():
    assert str(errors.KernelError('no vxlan module', path='')) == 'no vxlan module'


def test_the_kinds_are_distinct():
    assert len(set(KINDS)) == 4
    for kind in KINDS:
        assert [k for k in KINDS if issubclass(kind, k)] == [kind]


@pytest.mark.parametrize('parts, path', [
    (('networks[1]', 'subnet'), 'networks[1].subnet'),
    (('networks[1]', None, 'ipam_config[0]', 'gateway'), 'networks[1].ipam_config[0].gateway'),
    ((None, 'subnet'), 'subnet'),
    (('', None), ''),
    ((), ''),
])
def test_join_path_skips_missing_parts(parts, path):
    assert errors.join_path(*parts) == path


@pytest.mark.parametrize('said, shown', [
    ("argument 'links' is of type <class 'str'> and we were unable to convert to <class 'list'>",
     "argument 'links' is of type str and we were unable to convert to list"),
    ("value is <class 'collections.OrderedDict'>", 'value is collections.OrderedDict'),
    ("argument 'mtu' is of type str and we were unable to convert to int",
     "argument 'mtu' is of type str and we were unable to convert to int"),
])
def test_validator_messages_name_types_the_same_in_every_ansible_core(said, shown):
    assert errors.validator_message(said) == shown
