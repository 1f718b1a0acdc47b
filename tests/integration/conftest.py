import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

pytest_plugins = ['engine_fixtures', 'conftest_fleet', 'engine_matrix']  # conftest_fleet: the multi-engine 'fleet' fixture; engine_matrix: 'engine'
