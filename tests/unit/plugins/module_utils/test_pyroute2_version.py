"""A pyroute2 too old for the collection is refused by name, with the fix, before any netlink call.

Debian 12's python3-pyroute2 is 0.7.2: its IPRoute takes no netns, and the
modules failed with "unexpected error: NetlinkSocketBase.__init__() got an
unexpected keyword argument 'netns'".
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils import _netlink


def test_releases_before_0_9_are_refused_naming_the_release_and_the_fix():
    for old in ('0.7.1', '0.7.2', '0.8.1'):
        why = _netlink.pyroute2_too_old(old)
        assert why.startswith('pyroute2 %s is installed, but 0.9 or later is needed' % old), why
        assert 'pip install "pyroute2>=0.9"' in why


def test_0_9_and_later_and_an_unknown_release_serve():
    for ok in ('0.9.1', '0.9.7', '0.10.0', '1.0', 'unknown', ''):
        assert _netlink.pyroute2_too_old(ok) is None, ok


def test_the_installed_release_serves():
    assert _netlink.HAS_PYROUTE2 and _netlink.PYROUTE2_IMPORT_ERROR is None
