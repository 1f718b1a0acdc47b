import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# the session fixture for multi-engine tests
from conftest_fleet import fleet  # noqa: E402,F401 pylint: disable=unused-import
