"""_common.hostargs: the netns option the host_* modules share and the range check of the numbers netlink packs."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common import hostargs
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError


def test_netns_is_an_optional_string():
    assert hostargs.HOST_COMMON_ARGS == {'netns': {'type': 'str'}}


def test_the_widths_are_netlinks():
    assert (hostargs.U16, hostargs.U32) == (65535, 4294967295)


@pytest.mark.parametrize('value, low, high', [
    (0, 0, hostargs.U32),
    (hostargs.U32, 0, hostargs.U32),
    (68, 68, hostargs.U16),
    (hostargs.U16, 68, hostargs.U16),
    (4094, 1, 4094),
])
def test_the_ends_of_the_range_are_in_it(value, low, high):
    got = hostargs.check_int(value, low, high, 'mtu')
    assert got == value and isinstance(got, int) and not isinstance(got, bool)


@pytest.mark.parametrize('value, low, high, msg', [
    (67, 68, hostargs.U16, '67 is outside 68..65535'),
    (hostargs.U16 + 1, 68, hostargs.U16, '65536 is outside 68..65535'),
    (-1, 0, hostargs.U32, '-1 is outside 0..4294967295'),
    (hostargs.U32 + 1, 0, hostargs.U32, '4294967296 is outside 0..4294967295'),
    (0, 1, 4094, '0 is outside 1..4094'),
])
def test_out_of_range_names_the_field_and_the_range(value, low, high, msg):
    with pytest.raises(ValidationError) as err:
        hostargs.check_int(value, low, high, 'links[0].mtu')
    assert err.value.path == 'links[0].mtu' and err.value.msg == msg


@pytest.mark.parametrize('value, shown', [
    ('1400', "'1400'"),
    (1400.0, '1400.0'),
    (True, 'True'),   # a bool is an int to Python, never a number to the user
    (False, 'False'),
    (None, 'None'),
    ([1400], '[1400]'),
])
def test_a_value_that_is_not_a_whole_number_is_refused_naming_the_field(value, shown):
    with pytest.raises(ValidationError) as err:
        hostargs.check_int(value, 0, hostargs.U32, 'table')
    assert err.value.path == 'table'
    assert err.value.msg == '%s is not a whole number; give one in 0..4294967295' % shown
