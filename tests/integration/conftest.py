import os
import sys

import pytest

try:
    from _pytest.nodeid import coerce_node_id  # pytest >= 9
except ImportError:  # pragma: no cover
    coerce_node_id = None

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# fleet_fixtures: the multi-engine 'fleet' fixture; engine_matrix: 'engine'; ovs_fixtures: 'ovs', 'ovs_pair'
pytest_plugins = ['ansible_collections.netprov.dockernet.tests.support.' + name
                  for name in ('engine_fixtures', 'fleet_fixtures', 'engine_matrix', 'ovs_fixtures')]

# Files whose tests take longest, started first so that a parallel run
# (scripts/test.sh: pytest-xdist, --dist loadgroup: a file's tests on one
# engine run on one worker, in file order) does not end waiting on one of them.
SLOW_FIRST = (
    'test_uml_kernel.py',
    'test_site_fleet.py',
    'test_fleet_hosts.py',
    'test_smoke_cores.py',
    'test_swarm_quorum.py',
    'test_swarm_node.py',
    'test_swarm.py',
    'test_docker_network.py',
    'test_docker_network_overlay.py',
    'test_docker_network_probe_overlay.py',
    'test_docker_network_probe.py',
    'test_property_plan.py',
    'test_property_host_link.py',
    'test_execution_environment.py',
    'test_galaxy_install.py',
    'test_docker_networks.py',
    'test_engine_tls.py',
)


def pytest_collection_modifyitems(config, items):
    rank = dict((name, i) for i, name in enumerate(SLOW_FIRST))
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))   # stable: file order is kept


class LoadGroupNodeIds(object):
    """Make ``--dist loadgroup`` group again under pytest 9.

    pytest-xdist 3.8 marks an item's group by appending ``@group`` to
    ``item._nodeid``; pytest 9 reads the node id from ``item._id``, so the
    suffix never reaches the scheduler and every test is scheduled alone (a
    file's ordered tests then land on different workers). Copy it across,
    after xdist's hook has run.
    """

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        for item in items:
            suffixed = item.__dict__.get('_nodeid')
            if coerce_node_id and suffixed and suffixed != item.nodeid:
                item._id = coerce_node_id(suffixed)


def pytest_configure(config):
    config.pluginmanager.register(LoadGroupNodeIds(), 'netprov-loadgroup-node-ids')
