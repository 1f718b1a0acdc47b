"""rule_overlaps compares parsed subnets as integer spans: the same answers as ipaddress.overlaps."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import itertools

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._network.validate import _span, rule_overlaps

SUBNETS = ['198.18.0.0/15', '198.18.1.0/24', '198.18.1.128/25', '198.18.1.5/24', '198.18.2.0/24',
           '198.18.1.255/32', '198.18.2.0/32', '10.0.0.0/8', '0.0.0.0/0', 'fd00::/64', 'fd00::/8',
           'fd00:0:0:1::/64', '::/0']


def _want(name, subnet):
    return {'name': name, 'ipam_config': [{'subnet': subnet}]}


@pytest.mark.parametrize('a, b', list(itertools.product(SUBNETS, SUBNETS)))
def test_same_answer_as_ipaddress(a, b):
    na, nb = ipaddress.ip_network(a, strict=False), ipaddress.ip_network(b, strict=False)
    expected = na.version == nb.version and na.overlaps(nb)
    try:
        rule_overlaps(_want('a', a), [_want('b', b)], 'networks[0]')
        found = False
    except ValidationError as exc:
        found = True
        assert str(exc).startswith('networks[0].ipam_config[0].subnet: %s overlaps %s of network b' % (a, b))
    assert found == expected


def test_span_is_parsed_once_and_ignores_host_bits():
    assert _span('198.18.1.5/24') == (4, int(ipaddress.ip_address('198.18.1.0')),
                                      int(ipaddress.ip_address('198.18.1.255')))
    assert _span('198.18.1.5/24') is _span('198.18.1.5/24')


def test_a_bad_subnet_still_raises_valueerror():
    with pytest.raises(ValueError):
        _span('198.18.1.0/33')
