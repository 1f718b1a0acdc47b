"""_ovs.db's pure parts: the OVSDB remote checked, its local socket, optional columns, and the unreachable message.

Reading a switch and applying a plan in one transaction talk to a real ovsdb-server and ovs-vswitchd:
tests/integration/test_ovs.py exercises them (test_bridge_every_option_set_read_back_and_changed,
test_what_ovs_vswitchd_cannot_set_up_is_removed_again, test_bad_input_refused_naming_the_field).
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import NetprovError, ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._ovs import db


@pytest.mark.parametrize('remote, checked', [
    (None, db.DEFAULT_OVSDB),
    ('', db.DEFAULT_OVSDB),
    ('unix:/run/openvswitch/db.sock', 'unix:/run/openvswitch/db.sock'),
    ('tcp:198.19.180.2:6640', 'tcp:198.19.180.2:6640'),
])
def test_a_remote_this_client_can_open_is_taken_as_given(remote, checked):
    assert db.check_remote(remote) == checked


@pytest.mark.parametrize('remote', ['unix:', 'tcp:198.19.180.2', 'http://x', 'ssl:198.19.180.2:6640', '/run/db.sock'])
def test_any_other_remote_is_refused_naming_ovsdb_and_the_forms_it_takes(remote):
    with pytest.raises(ValidationError) as err:
        db.check_remote(remote)
    assert err.value.path == 'ovsdb'
    assert err.value.msg == ('%r is not an OVSDB connection this module can open; give unix:PATH (default '
                             'unix:/var/run/openvswitch/db.sock) or tcp:IP:PORT' % remote)


def test_only_a_unix_remote_has_a_socket_on_this_host():
    assert db.local_socket('unix:/var/run/openvswitch/db.sock') == '/var/run/openvswitch/db.sock'
    assert db.local_socket('tcp:198.19.180.2:6640') is None


@pytest.mark.parametrize('value, default, got', [
    ([], None, None), ([], 'standalone', 'standalone'), ([10], None, 10), (['secure'], None, 'secure'), (7, None, 7),
])
def test_an_optional_column_is_its_value_or_the_default(value, default, got):
    assert db._first(value, default) == got


def test_an_ovsdb_error_is_of_the_collections_family():
    err = db.OvsdbError('transaction aborted', path='ovsdb')
    assert isinstance(err, NetprovError) and str(err) == 'ovsdb: transaction aborted'


def _switch_at(remote):
    switch = db.Switch.__new__(db.Switch)  # not connected: only the message is made
    switch.remote = remote
    return switch


def test_an_unreachable_local_switch_says_to_check_ovsdb_server(tmp_path):
    err = _switch_at('unix:%s' % (tmp_path / 'db.sock'))._unreachable('No such file or directory')
    assert isinstance(err, db.OvsdbError) and err.path == 'ovsdb'
    assert err.msg == ('cannot reach OVSDB at unix:%s: No such file or directory (is ovsdb-server running? give its '
                       'socket in ovsdb)' % (tmp_path / 'db.sock'))


def test_an_unreachable_switch_whose_socket_exists_or_that_is_remote_gets_no_guess(tmp_path):
    sock = tmp_path / 'db.sock'
    sock.write_text(u'')
    assert _switch_at('unix:%s' % sock)._unreachable('Connection refused').msg == \
        'cannot reach OVSDB at unix:%s: Connection refused' % sock
    assert _switch_at('tcp:198.19.180.2:6640')._unreachable('Connection refused').msg == \
        'cannot reach OVSDB at tcp:198.19.180.2:6640: Connection refused'
