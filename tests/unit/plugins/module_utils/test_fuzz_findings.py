"""Crashes the fuzzer found (tests/fuzz, docs/reliability.md), each pinned as a clean, field-naming refusal."""
import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._client import Engine, check_api_version
from ansible_collections.netprov.dockernet.plugins.module_utils._errors import ValidationError


@pytest.mark.parametrize('value', ['xx', '1', '1.41.0', 'v1.41', '1.x', ' 1.41'])
def test_api_version_that_is_not_major_minor_is_refused_naming_the_field(value):
    # The docker SDK raised a bare ValueError from int() (a traceback) on these.
    with pytest.raises(ValidationError) as err:
        check_api_version(value)
    assert str(err.value).startswith('api_version: ')
    with pytest.raises(ValidationError):
        Engine({'docker_host': 'unix:///nonexistent.sock', 'api_version': value})


@pytest.mark.parametrize('value', [None, '', 'auto', '1.41', '1.24'])
def test_api_version_auto_and_major_minor_pass(value):
    check_api_version(value)
