"""Fault handling in the core, with stand-ins for the engine and netlink (the real faults: tests/integration/test_faults.py)."""
import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils import _core, _hostcheck
from ansible_collections.netprov.dockernet.plugins.module_utils._errors import EngineError, NetprovError


class DyingEngine(object):
    """Answers the create, then is lost before the re-listing."""

    def __init__(self, create_fails=False):
        self.create_fails = create_fails

    def create_network(self, body):
        if self.create_fails:
            raise EngineError('create network %s: lost the Docker Engine' % body['Name'])
        return {'Id': 'abc123'}

    def networks(self):
        raise EngineError('list networks: lost the Docker Engine')


def test_create_answered_then_engine_lost_counts_as_created_with_a_warning():
    outcome = _core.Outcome()
    assert _core._create(DyingEngine(), {'Name': 'n1'}, outcome) == 'abc123'
    assert 'was created, but the engine was lost' in outcome.warnings[0]


def test_create_failed_and_engine_lost_reports_the_create_not_the_listing():
    with pytest.raises(EngineError) as err:
        _core._create(DyingEngine(create_fails=True), {'Name': 'n1'}, _core.Outcome())
    assert err.value.msg.startswith('create network n1')


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
