"""_host.routeset's pure parts: host_routes' entries checked against host_route's spec, and their labels.

converge() reads and writes the kernel's routes; tests/integration/test_host_links.py::test_routes_in_one_call
and ::test_routes_through_links_the_same_run_makes_plan_in_check_mode run it in a scratch netns.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._host import routeset


def test_null_is_not_given_and_defaults_are_host_routes():
    assert routeset.validate([{'dest': 'default', 'gateway': '198.19.224.1'}])[0]['table'] == 254


def test_a_route_entry_is_checked_as_host_route_checks_its_options():
    with pytest.raises(ValidationError) as err:
        routeset.validate([{'dest': 'default', 'gateway': '198.19.224.1'}, {'dest': '198.19.225.0/24', 'table': 'main'}])
    assert err.value.path == 'routes[1].table' and 'nothing was changed' in err.value.msg, str(err.value)
    with pytest.raises(ValidationError) as err:
        routeset.validate([{'gateway': '198.19.224.1'}], path='extra_routes')
    assert err.value.path.startswith('extra_routes[0]'), str(err.value)


def test_a_route_is_labelled_by_what_identifies_it():
    want = {'family': 'ipv4', 'dest': '198.19.224.0/24', 'table': 254, 'metric': 0}
    assert routeset.label(want) == 'ipv4 198.19.224.0/24 (table 254, metric 0)'
