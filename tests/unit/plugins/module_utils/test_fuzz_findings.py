"""Crashes the fuzzer found (tests/fuzz, docs/reliability.md), each pinned as a clean, field-naming refusal."""
import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import Engine, check_api_version
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError


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


@pytest.mark.parametrize('timeout', [-1, -60])
def test_negative_timeout_is_refused_naming_the_field(timeout):
    # urllib3 raised a bare ValueError on the first engine call made with it (a traceback).
    with pytest.raises(ValidationError) as err:
        Engine({'docker_host': 'unix:///nonexistent.sock', 'timeout': timeout})
    assert str(err.value).startswith('timeout: ')


@pytest.mark.parametrize('addr', ['[::1', '[]:1', '1.2.3.4:x', ':', '', ':1', '1.2.3.4:99999', '[::1]x'])
def test_malformed_manager_address_is_refused_naming_the_entry(addr):
    # split_hostport raised a bare ValueError (unpacking, int()) out of want_from_params: a traceback.
    from ansible_collections.netprov.dockernet.plugins.module_utils._swarm.membership import SWARM_ARGS, want_from_params
    params = dict((k, v.get('default')) for k, v in SWARM_ARGS.items())
    params.update(remote_addrs=['198.18.160.11', addr], join_token='SWMTKN-1-x')
    with pytest.raises(ValidationError) as err:
        want_from_params(params, resolve=False)
    assert str(err.value).startswith('remote_addrs[1]: ')


@pytest.mark.parametrize('addr, expected', [('198.18.160.11', '198.18.160.11:2377'), ('[::1]:2378', '[::1]:2378'),
                                            ('[fd00::1]', '[fd00::1]:2377'), ('198.18.160.11:4000', '198.18.160.11:4000')])
def test_good_manager_addresses_still_normalise(addr, expected):
    from ansible_collections.netprov.dockernet.plugins.module_utils._swarm.membership import norm_addr
    assert norm_addr(addr, resolve=False) == expected


def _want(**kw):
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import normalise_want
    kw.setdefault('name', 'n1')
    return normalise_want(kw)


@pytest.mark.parametrize('body, light', [
    ({'Driver': 'bridge', 'Options': {}}, None),                           # would create a bridge
    ({'Driver': 'overlay', 'Options': {}}, None),                          # an unencrypted overlay
    (None, {'driver': 'bridge', 'encrypted': False}),                      # an existing bridge, unchanged
])
def test_verify_on_what_is_not_an_encrypted_overlay_is_refused_before_anything_is_touched(body, light):
    # docker_network with verify: true on a bridge created the bridge, then failed (the fuzzer's unasked change).
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.validate import rule_verify
    steps = [{'action': 'create', 'network': 'n1', 'reason': 'r', 'body': body}] if body else \
        [{'action': 'none', 'network': 'n1', 'reason': 'r'}]
    with pytest.raises(ValidationError) as err:
        rule_verify(_want(verify=True), steps, light, 'networks[0]')
    assert str(err.value).startswith('networks[0].verify: ')


def test_verify_on_an_encrypted_overlay_passes():
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.validate import rule_verify
    steps = [{'action': 'create', 'network': 'n1', 'reason': 'r',
              'body': {'Driver': 'overlay', 'Options': {'encrypted': ''}}}]
    rule_verify(_want(verify=True), steps, None, '')
    rule_verify(_want(verify=True), [{'action': 'none', 'network': 'n1', 'reason': 'r'}],
                {'driver': 'overlay', 'encrypted': True}, '')
