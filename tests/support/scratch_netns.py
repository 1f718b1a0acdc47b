"""A throwaway network namespace for tests: made with pyroute2, always removed."""
import binascii
import contextlib
import os

import pytest
from pyroute2 import netns as _netns

NETNS_DIR = '/run/netns'


def scratch_names():
    return sorted(n for n in os.listdir(NETNS_DIR) if n.startswith('netprov-probe-')) \
        if os.path.isdir(NETNS_DIR) else []


@contextlib.contextmanager
def scratch_netns(prefix='nl-test'):
    name = '%s-%s' % (prefix, binascii.hexlify(os.urandom(3)).decode())
    _netns.create(name)
    try:
        yield name
    finally:
        path = os.path.join(NETNS_DIR, name)
        if os.path.exists(path):
            _netns.remove(path)


@pytest.fixture
def ns():
    """A scratch network namespace name for one test."""
    with scratch_netns() as name:
        yield name
