"""_ovs.conn's pure parts: the connection options the ovs_* modules share, checked before any connection.

Opening the switch, reading the kernel links beside it and reconcile() talk to a real switch:
tests/integration/test_ovs.py exercises them (test_bridge_every_option_set_read_back_and_changed,
test_management_path_guarded_as_host_link_guards_it, test_info_reports_bridges_ports_tags_tunnels_and_states).
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._ovs import conn, db


def test_the_shared_options_and_their_defaults():
    assert conn.OVS_COMMON_ARGS == {'ovsdb': {'type': 'str', 'default': db.DEFAULT_OVSDB},
                                    'timeout': {'type': 'int', 'default': 30}}
    assert conn.OVS_HOST_ARGS == dict(conn.OVS_COMMON_ARGS, netns={'type': 'str'})


@pytest.mark.parametrize('timeout', [None, 0, -5, 3601])
def test_a_timeout_outside_1_to_3600_is_refused_before_connecting(timeout):
    with pytest.raises(ValidationError) as err:
        conn.open_switch({'ovsdb': 'unix:/nonexistent/db.sock', 'timeout': timeout})
    assert err.value.path == 'timeout'
    assert err.value.msg == ('%r is not a timeout; give the seconds to wait for OVSDB and ovs-vswitchd, 1..3600'
                             % (timeout,))


def test_a_switch_on_another_host_is_not_probed_for_the_kernel_datapath():
    assert conn.kernel_datapath('tcp:198.19.180.2:6640') == {
        'supported': None, 'detail': 'not probed: the switch at tcp:198.19.180.2:6640 runs on another host'}


def test_a_bad_remote_is_refused_before_the_kernel_is_asked():
    with pytest.raises(ValidationError) as err:
        conn.kernel_datapath('http://x')
    assert err.value.path == 'ovsdb'
