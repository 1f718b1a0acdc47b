import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

pytest_plugins = ['engine_fixtures', 'conftest_fleet', 'engine_matrix']  # conftest_fleet: the multi-engine 'fleet' fixture; engine_matrix: 'engine'

# Files whose tests take longest, started first so that a parallel run
# (scripts/test.sh: pytest-xdist, --dist loadgroup: a file's tests on one
# engine run on one worker, in file order) does not end waiting on one of them.
SLOW_FIRST = (
    'test_uml_kernel.py',
    'test_site_fleet.py',
    'test_swarm_quorum.py',
    'test_swarm_node.py',
    'test_swarm.py',
    'test_docker_network.py',
    'test_docker_network_overlay.py',
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
