"""Host checks of an existing network's parent link, with stand-ins for the engine and netlink."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._network import hostcheck as _hostcheck
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import NetprovError


class LocalEngine(object):
    is_local = True

    def netns_path(self):
        return None


class Links(object):
    def __init__(self, present, broken=False):
        self.present = present
        self.broken = broken

    def link_exists(self, name, netns=None):
        if self.broken:
            raise NetprovError('host checks need pyroute2')
        return name in self.present


def macvlan(parent='veth9'):
    return {'name': 'mv', 'driver': 'macvlan', 'options': {'parent': parent, 'macvlan_mode': 'bridge'}}


def test_existing_macvlan_whose_parent_is_gone_is_reported_naming_the_field():
    text = _hostcheck.existing_parent_warning(LocalEngine(), macvlan(), 'networks[3]', Links(['eth0']))
    assert text.startswith('networks[3].parent: interface veth9, the parent of the existing macvlan network mv')
    assert _hostcheck.existing_parent_warning(LocalEngine(), macvlan(), '', Links([])).startswith('mv.parent: ')


@pytest.mark.parametrize('have, links', [
    (macvlan(), Links(['veth9'])),                              # parent there
    ({'name': 'b', 'driver': 'bridge', 'options': {}}, Links([])),  # no parent to lose
    (macvlan(), Links([], broken=True)),                         # no netlink: advice only, never a failure
])
def test_no_parent_warning(have, links):
    assert _hostcheck.existing_parent_warning(LocalEngine(), have, 'p', links) is None


class RemoteEngine(object):
    is_local = False
    url = 'tcp://198.18.0.10:2376'


def test_a_remote_engine_says_what_could_not_be_checked_and_where_to_check_it():
    step = {'subject': 'mv', 'body': {'Driver': 'macvlan', 'Options': {'parent': 'eth1.30'}}}
    warnings = _hostcheck.check_host(RemoteEngine(), step, {}, 'fail', 'networks[0]', None, Links([]))
    assert warnings == [
        'networks[0]: the engine at tcp://198.18.0.10:2376 is not on this host, so kernel support for macvlan, '
        'vlan and that parent link eth1.30 exists could not be checked here. Run the netprov.dockernet.preflight '
        'role on the engine\'s host, or run this task there against the engine\'s unix socket']
