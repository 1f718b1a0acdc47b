import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from conftest_fleet import fleet  # noqa: E402,F401  the session fixture for multi-engine tests
