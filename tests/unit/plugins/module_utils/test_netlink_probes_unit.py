"""Pure logic of the netlink wrapper and the probes: names, messages, paths."""
import errno

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink, probes as _probes
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError


def test_errno_names_are_the_ones_iproute2_prints():
    assert _netlink.errno_name(errno.EOPNOTSUPP) == 'EOPNOTSUPP'
    assert _netlink.errno_name(17) == 'EEXIST'
    assert _netlink.errno_name(-1) == 'errno -1'


def test_describe_netlink_error():
    exc = _netlink.NetlinkError(95, 'Operation not supported')
    assert _netlink.describe(exc) == 'EOPNOTSUPP (Operation not supported)'


def test_netns_path_forms(tmp_path):
    assert _netlink.netns_path(None) is None
    assert _netlink.netns_path('/proc/self/ns/net') == '/proc/self/ns/net'
    with pytest.raises(ValidationError) as exc:
        _netlink.netns_path('netprov-no-such-ns')
    assert str(exc.value).startswith('netns: no network namespace netprov-no-such-ns')
    with pytest.raises(ValidationError):
        _netlink.netns_path('relative/path')


def test_missing_message_wording():
    release = _probes.kernel_release()
    assert _probes.missing_message('ipvlan', 'EOPNOTSUPP') == (
        'ipvlan: not supported by this kernel (%s): creating an ipvlan link failed with EOPNOTSUPP' % release)
    assert _probes.missing_message('vlan', 'EOPNOTSUPP').startswith('802.1Q VLAN (vlan): not supported')
    esp = _probes.missing_message('esp', 'ip xfrm state add: Error: Requested AEAD algorithm not found.')
    assert esp.startswith('ESP/IPsec (xfrm): not supported by this kernel (%s): '
                          'an encrypted overlay would drop all traffic' % release)


def test_feature_for_link_kind():
    assert _probes.feature_for_link_kind('vlan') == 'vlan'
    assert _probes.feature_for_link_kind('macvlan') == 'macvlan'
    assert _probes.feature_for_link_kind('ifb') is None
    assert set(_probes.FEATURES) >= set(filter(None, map(_probes.feature_for_link_kind, _probes.FEATURES)))


def test_unknown_feature_refused():
    with pytest.raises(ValueError):
        _probes.probe(('wifi',))


def test_ipvlan_flags_are_encoded():
    """pyroute2 0.9.7 lacks IFLA_IPVLAN_FLAGS; _netlink registers it so ipvlan_flag reaches the kernel."""
    from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg
    msg = ifinfmsg()
    msg['attrs'] = [('IFLA_IFNAME', 'iv0'), ('IFLA_LINKINFO', {'attrs': [
        ('IFLA_INFO_KIND', 'ipvlan'),
        ('IFLA_INFO_DATA', {'attrs': [('IFLA_IPVLAN_MODE', 1), ('IFLA_IPVLAN_FLAGS', 2)]})]})]
    msg.encode()
    back = ifinfmsg(msg.data)
    back.decode()
    data = back.get_attr('IFLA_LINKINFO').get_attr('IFLA_INFO_DATA')
    assert (data.get_attr('IFLA_IPVLAN_MODE'), data.get_attr('IFLA_IPVLAN_FLAGS')) == (1, 2)
