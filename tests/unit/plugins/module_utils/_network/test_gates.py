"""The API gate table and its one check: an option the engine cannot honour is refused before anything changes."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._network.core import EngineState, prepare
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._network import gates
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MANAGED_LABEL, normalise_want

GW4 = 'com.docker.network.bridge.gateway_mode_ipv4'
GW6 = 'com.docker.network.bridge.gateway_mode_ipv6'
THI = 'com.docker.network.bridge.trusted_host_interfaces'

# (module arguments, the field refused, the API that has it, the release that brought it)
GATED = [
    ({'enable_ipv4': False, 'enable_ipv6': True}, 'enable_ipv4', '1.48', '28.0'),
    ({'driver_options': {GW4: 'routed'}}, 'gateway_mode_ipv4', '1.46', '27.0'),
    ({'driver_options': {GW4: 'nat'}}, 'gateway_mode_ipv4', '1.46', '27.0'),
    ({'driver_options': {GW4: 'nat-unprotected'}}, 'gateway_mode_ipv4', '1.48', '28.0'),
    ({'internal': True, 'driver_options': {GW4: 'isolated'}}, 'gateway_mode_ipv4', '1.48', '28.0'),
    ({'enable_ipv6': True, 'driver_options': {GW6: 'routed'}}, 'gateway_mode_ipv6', '1.46', '27.0'),
    ({'enable_ipv6': True, 'driver_options': {GW6: 'nat-unprotected'}}, 'gateway_mode_ipv6', '1.48', '28.0'),
    ({'driver_options': {THI: 'eth1'}}, 'trusted_host_interfaces', '1.50', '28.2'),
    ({'driver': 'ipvlan', 'ipvlan_mode': 'l3s'}, 'ipvlan_mode', '1.42', '23.0'),
    ({'driver': 'ipvlan', 'ipvlan_flag': 'private'}, 'ipvlan_flag', '1.42', '23.0'),
]
# per container: (the entry's key and value, the API that has it, the release)
GATED_ENDPOINT = [
    (('gw_priority', 10), '1.48', '28.0'),
    (('interface_name', 'lan0'), '1.48', '28.0'),
    (('sysctls', {'net.ipv4.conf.IFNAME.forwarding': '1'}), '1.46', '27.0'),
]


def want(**kw):
    kw.setdefault('name', 'n1')
    return normalise_want(kw)


def before(api):
    major, minor = api.split('.')
    return '%s.%d' % (major, int(minor) - 1)


def test_every_gate_names_a_known_release():
    for field, _where, _values, api, _hint in gates.GATES:
        assert api in gates.RELEASES, field
    assert gates.release('1.41') == '20.10' and gates.release('1.51') == '28.3'


def test_releases_rise_with_the_api():
    ordered = sorted(gates.RELEASES, key=lambda v: tuple(int(x) for x in v.split('.')))
    releases = [tuple(int(x) for x in gates.RELEASES[v].split('.')) for v in ordered]
    assert releases == sorted(releases)


@pytest.mark.parametrize('args, field, api, rel', GATED)
def test_an_option_is_refused_below_its_api_and_taken_from_it(args, field, api, rel):
    w = want(**args)
    with pytest.raises(ValidationError) as err:
        gates.refuse_unsupported(w, before(api))
    assert err.value.path == field
    assert 'needs Engine %s (API %s); this engine speaks %s;' % (rel, api, before(api)) in err.value.msg
    gates.refuse_unsupported(w, api)
    gates.refuse_unsupported(w, '1.51')


@pytest.mark.parametrize('entry, api, rel', GATED_ENDPOINT)
def test_an_endpoint_setting_is_refused_below_its_api(entry, api, rel):
    key, value = entry
    w = dict(want(), containers=[{'name': 'a'}, {'name': 'b', key: value}])
    with pytest.raises(ValidationError) as err:
        gates.refuse_unsupported(w, '1.41', 'networks[2]')
    assert str(err.value) == ('networks[2].containers[1].%s: %s needs Engine %s (API %s); this engine speaks 1.41; '
                              'upgrade the engine or drop %s' % (key, key, rel, api, key))
    gates.refuse_unsupported(w, api)


def test_the_message_names_the_value_the_api_and_the_engine_found():
    with pytest.raises(ValidationError) as err:
        gates.refuse_unsupported(want(internal=True, driver_options={GW4: 'isolated'}), '1.47')
    assert str(err.value) == ('gateway_mode_ipv4: isolated needs Engine 28.0 (API 1.48); this engine speaks 1.47; '
                              'upgrade the engine or drop gateway_mode_ipv4')
    with pytest.raises(ValidationError) as err:
        gates.refuse_unsupported(want(enable_ipv4=False, enable_ipv6=True), '1.41')
    assert str(err.value).startswith('enable_ipv4: false needs Engine 28.0 (API 1.48); this engine speaks 1.41;')


def test_an_unknown_api_version_is_said_so():
    with pytest.raises(ValidationError) as err:
        gates.refuse_unsupported(want(driver_options={GW4: 'routed'}), None)
    assert 'this engine speaks an unknown API version' in str(err.value)


@pytest.mark.parametrize('args', [
    {'enable_ipv4': True}, {'driver': 'ipvlan', 'ipvlan_mode': 'l3'}, {'driver': 'ipvlan', 'ipvlan_flag': 'bridge'},
    {'driver_options': {'com.docker.network.bridge.enable_icc': 'false'}}, {'state': 'absent', 'enable_ipv4': False}])
def test_what_every_engine_has_is_never_refused(args):
    gates.refuse_unsupported(want(**args), '1.41')


class ListingOnly(object):
    """An engine that has one network, made by hand with a gateway mode it ignores (Engine 20.10 stores it)."""

    is_local = False
    api_version = '1.41'

    def __init__(self):
        self.calls = []

    def networks(self):
        return [{'Name': 'n1', 'Id': 'a' * 64, 'Driver': 'bridge', 'Scope': 'local', 'Options': {GW4: 'routed'},
                 'Labels': {MANAGED_LABEL: 'true'}, 'IPAM': {'Driver': 'default', 'Config': []}}]

    def __getattr__(self, name):
        raise AssertionError('the check must refuse before the engine is asked for more (%s)' % name)


def test_prepare_refuses_even_where_the_listing_matches():
    """The engine stored the option and reads back as asked, while it does nothing with it: still refused."""
    with pytest.raises(ValidationError) as err:
        prepare(EngineState(ListingOnly()), want(driver_options={GW4: 'routed'}, kernel_check='skip'))
    assert str(err.value).startswith('gateway_mode_ipv4: routed needs Engine 27.0 (API 1.46); this engine speaks 1.41')


def _attached(*names):
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import network_from_inspect
    return network_from_inspect({'Name': 'n1', 'Id': 'id1', 'Driver': 'bridge', 'Containers': dict(
        (('%s' % n).encode().hex().ljust(64, '0')[:64], {'Name': n}) for n in names)})


@pytest.mark.parametrize('api', ['1.41', '1.51', '1.53'])
def test_a_wanted_mac_in_a_connect_is_refused_where_the_connect_ignores_it(api):
    from ansible_collections.netprov.dockernet.plugins.module_utils._network import gates
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import plan_network
    w = want(containers=[{'name': 'a'}, {'name': 'web', 'mac_address': '02:42:c6:13:00:99'}])
    steps, _warnings = plan_network(w, _attached('a'), {'a': {'container': 'a'}})
    with pytest.raises(ValidationError) as err:
        gates.refuse_connect_mac(w, steps, api)
    assert str(err.value).startswith('containers[1].mac_address: mac_address in a network connect needs Engine 29.3 '
                                     '(API 1.54); this engine speaks %s;' % api)
    gates.refuse_connect_mac(w, steps, '1.54')
    # one the container already has is no connect
    same, _warnings = plan_network(w, _attached('a', 'web'), {'a': {'container': 'a'},
                                                              'web': {'container': 'web', 'mac': '02:42:c6:13:00:99'}})
    gates.refuse_connect_mac(w, same, api)
