"""Pure logic of the netlink wrapper: names, messages, paths, attribute encoding."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink
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


def test_pyroute2_older_than_0_9_is_refused_naming_the_version():
    from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink
    assert netlink.too_old('0.9.7') is None and netlink.too_old('0.10.1') is None
    assert netlink.too_old('0.9.dev3') is None and netlink.too_old('') is None
    for old in ('0.7.2', '0.7.7', '0.8.1'):  # Debian 12's, Debian 13's, the last 0.8
        assert netlink.too_old(old).startswith('pyroute2 %s is installed, and 0.9 or newer is needed' % old)
