"""Pure planning of host_route: normalise, plan, the management path."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._host import routes as _routes
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError, ValidationError


def plan_steps(*args, **kwargs):
    """The planner's steps; it warns of nothing here."""
    steps, warnings = _routes.plan(*args, **kwargs)
    assert warnings == []
    return steps


def test_route_normalise_and_identity():
    want = _routes.normalise({'dest': '0.0.0.0/0', 'gateway': '198.18.0.1', 'metric': None, 'table': None})
    assert (want['dest'], want['family'], want['metric'], want['table']) == ('default', 'ipv4', 0, 254)
    want6 = _routes.normalise({'dest': 'default', 'gateway': 'fd00::1', 'metric': None, 'table': 254})
    assert (want6['family'], want6['metric']) == ('ipv6', 1024)
    with pytest.raises(ValidationError):
        _routes.normalise({'dest': '198.18.1.0/24', 'metric': None, 'table': 254})
    # the kernel stores an IPv6 metric 0 as 1024; an IPv4 one as 0; table 0 is the main table
    assert _routes.normalise({'dest': 'fd00::/64', 'dev': 'lo', 'metric': 0, 'table': None})['metric'] == 1024
    assert _routes.normalise({'dest': '198.18.1.0/24', 'dev': 'lo', 'metric': 0, 'table': 0})['metric'] == 0
    assert _routes.normalise({'dest': '198.18.1.0/24', 'dev': 'lo', 'metric': 0, 'table': 0})['table'] == 254


def test_route_plan_default_takeover():
    have = {'family': 'ipv4', 'dest': 'default', 'table': 254, 'metric': 100, 'gateway': '198.18.0.1',
            'dev': 'eth0', 'scope': 'universe', 'type': 'unicast'}
    lower = _routes.normalise({'dest': 'default', 'gateway': '198.18.0.2', 'metric': 50, 'table': 254})
    with pytest.raises(ConflictError) as exc:
        plan_steps(lower, [have], {'eth0'})
    assert 'take over the ipv4 default route via 198.18.0.1 dev eth0' in str(exc.value)
    higher = _routes.normalise({'dest': 'default', 'gateway': '198.18.0.2', 'metric': 200, 'table': 254})
    assert plan_steps(higher, [have], {'eth0'})[0]['action'] == 'add'


def test_route_on_the_management_path():
    ssh = {'pid': 812, 'connections': [
        {'local': '198.18.192.1', 'local_port': 22, 'peer': '198.18.9.9', 'peer_port': 4000}]}
    default = _routes.normalise({'dest': 'default', 'gateway': '198.18.0.1', 'metric': None, 'table': 100})
    assert _routes.management(default) == 'it is the ipv4 default route (table 100)'
    covering = _routes.normalise({'dest': '198.18.8.0/22', 'dev': 'eth1', 'metric': None, 'table': None})
    assert _routes.management(covering, ssh) == ('it covers 198.18.9.9, the client of the SSH session of this task '
                                                 '(sshd 812: 198.18.9.9 port 4000 to 198.18.192.1 port 22)')
    assert _routes.management(covering) is None
    other = _routes.normalise({'dest': '198.18.12.0/22', 'dev': 'eth1', 'metric': None, 'table': None})
    assert _routes.management(other, ssh) is None
    six = _routes.normalise({'dest': 'fd00::/8', 'dev': 'eth1', 'metric': None, 'table': None})
    assert _routes.management(six, ssh) is None and _routes.management(six, {'pid': 9, 'connections': [
        {'local': 'fd00::1', 'local_port': 22, 'peer': 'fd00::9', 'peer_port': 1}]})
