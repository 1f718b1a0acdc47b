# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one OVSDB client: read the switch into plain dicts, apply a plan in one transaction.

Built on the official Open vSwitch Python bindings (``ovs``): the schema is
asked from the server (so it matches whatever ovsdb-server runs), the IDL
replicates the Open_vSwitch, Bridge, Port, Interface and Controller tables,
and ``apply()`` writes every step of a plan in one OVSDB transaction, with
``verify`` on each column the plan was made from: a failure, or a change by
another client since the read, changes nothing. After the commit it waits
until ovs-vswitchd has taken the new configuration in (``cur_cfg`` reaching
the ``next_cfg`` the transaction bumped, as ovs-vsctl does); a port this run
added that ovs-vswitchd cannot set up (its ``error`` column) is removed again
in a second transaction, and the run fails naming the error.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import time

try:
    import ovs.db.idl
    import ovs.jsonrpc
    import ovs.poller
    import ovs.stream
    HAS_OVS = True
    OVS_IMPORT_ERROR = None
except ImportError as _exc:  # pragma: no cover - reported by the modules
    HAS_OVS = False
    OVS_IMPORT_ERROR = _exc

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import NetprovError, ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._ovs.model import shown

DEFAULT_OVSDB = 'unix:/var/run/openvswitch/db.sock'
DATABASE = 'Open_vSwitch'
TABLES = {
    'Open_vSwitch': ['bridges', 'next_cfg', 'cur_cfg', 'ovs_version', 'db_version', 'datapath_types',
                     'iface_types'],
    'Bridge': ['name', 'ports', 'datapath_type', 'fail_mode', 'stp_enable', 'rstp_enable', 'external_ids',
               'other_config', 'protocols', 'controller'],
    'Port': ['name', 'interfaces', 'tag', 'trunks', 'vlan_mode', 'bond_mode', 'lacp', 'external_ids'],
    'Interface': ['name', 'type', 'options', 'mtu_request', 'mtu', 'admin_state', 'link_state', 'ofport',
                  'error', 'mac_in_use'],
    'Controller': ['target', 'is_connected'],
}
# Bridge columns by the name the modules give them.
BRIDGE_COLUMNS = {'datapath_type': 'datapath_type', 'fail_mode': 'fail_mode', 'stp': 'stp_enable',
                  'rstp': 'rstp_enable', 'external_ids': 'external_ids', 'other_config': 'other_config',
                  'protocols': 'protocols', 'controller': 'controller'}
PORT_COLUMNS = ('tag', 'trunks', 'vlan_mode', 'bond_mode', 'lacp', 'external_ids')
MAPS = ('external_ids', 'other_config', 'options')


# Why a bridge's local port has no ofport after a create or a move of its datapath, as ovs-vswitchd logs it.
_WHY_NO_BRIDGE = {
    'bridge': ' (it could not create the bridge: see its log; the system datapath needs the kernel\'s openvswitch '
              'module)',
    'datapath': ' (it could not remake the bridge on the new datapath: see its log; the netdev datapath needs '
                '/dev/net/tun, the system datapath the kernel\'s openvswitch module)',
}


class OvsdbError(NetprovError):
    """OVSDB could not be reached, refused a transaction, or ovs-vswitchd could not apply it."""


def check_remote(remote):
    """``remote`` if it is an OVSDB connection this client can open (unix:PATH, tcp:IP:PORT)."""
    remote = remote or DEFAULT_OVSDB
    if remote.startswith('unix:') and len(remote) > 5:
        return remote
    if remote.startswith('tcp:') and remote.count(':') >= 2:
        return remote
    raise ValidationError('%r is not an OVSDB connection this module can open; give unix:PATH (default %s) '
                          'or tcp:IP:PORT' % (remote, DEFAULT_OVSDB), path='ovsdb')


def local_socket(remote):
    """The socket path of a unix: remote (the switch runs on this host), else None."""
    return remote[len('unix:'):] if remote.startswith('unix:') else None


def _first(value, default=None):
    """An optional OVSDB column (a list of at most one) as its value or ``default``."""
    if isinstance(value, list):
        return value[0] if value else default
    return value


class Switch(object):
    """A connected OVSDB IDL of the Open_vSwitch database."""

    def __init__(self, remote, timeout=30):
        if not HAS_OVS:
            raise OvsdbError("the Open vSwitch Python bindings are not installed for the interpreter running this "
                             "module; install them on the target (pip install ovs, or Debian's "
                             "python3-openvswitch) or point ansible_python_interpreter at a Python that has them",
                             details=str(OVS_IMPORT_ERROR))
        self.remote = check_remote(remote)
        self.timeout = timeout
        helper = ovs.db.idl.SchemaHelper(schema_json=self._schema())
        for table, columns in TABLES.items():
            helper.register_columns(table, columns)
        self.idl = ovs.db.idl.Idl(self.remote, helper)
        deadline = time.time() + self.timeout
        while self.idl.change_seqno == 0:
            self._step(deadline, 'reading the switch')

    def _unreachable(self, why):
        sock = local_socket(self.remote)
        hint = ' (is ovsdb-server running? give its socket in ovsdb)' if sock and not os.path.exists(sock) else ''
        return OvsdbError('cannot reach OVSDB at %s: %s%s' % (self.remote, why, hint), path='ovsdb')

    def _schema(self):
        error, stream = ovs.stream.Stream.open_block(ovs.stream.Stream.open(self.remote), self.timeout * 1000)
        if error:
            raise self._unreachable(os.strerror(error))
        rpc = ovs.jsonrpc.Connection(stream)
        try:
            error, reply = rpc.transact_block(ovs.jsonrpc.Message.create_request('get_schema', [DATABASE]))
            if error:
                raise self._unreachable(os.strerror(error))
            if reply.error:
                raise OvsdbError('OVSDB at %s has no %s database: %s' % (self.remote, DATABASE, reply.error),
                                 path='ovsdb')
            return reply.result
        finally:
            rpc.close()

    def _step(self, deadline, doing, txn=None):
        """One round of IDL protocol work, waiting at most until ``deadline``."""
        self.idl.run()
        if time.time() > deadline:
            raise OvsdbError('no answer from OVSDB at %s within %d s while %s' % (self.remote, self.timeout, doing),
                             path='ovsdb')
        poller = ovs.poller.Poller()
        self.idl.wait(poller)
        if txn is not None:
            txn.wait(poller)
        poller.timer_wait(200)
        poller.block()

    def close(self):
        self.idl.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------ reading

    def _root(self):
        rows = list(self.idl.tables['Open_vSwitch'].rows.values())
        if not rows:
            raise OvsdbError('the Open_vSwitch table of %s is empty (the database was never initialised: '
                             'run ovs-vsctl init, or start Open vSwitch through its service)' % self.remote,
                             path='ovsdb')
        return rows[0]

    def _by_name(self, table):
        return dict((row.name, row) for row in self.idl.tables[table].rows.values())

    def read(self):
        """The switch as plain dicts: {'system', 'bridges', 'ports', 'interfaces'}, each keyed by name."""
        root = self._root()
        bridges, ports, interfaces = {}, {}, {}
        for br in self.idl.tables['Bridge'].rows.values():
            bridges[br.name] = {
                'name': br.name,
                'datapath_type': br.datapath_type or 'system',
                'fail_mode': _first(br.fail_mode, 'standalone'),
                'stp': bool(br.stp_enable),
                'rstp': bool(br.rstp_enable),
                'external_ids': dict(br.external_ids),
                'other_config': dict(br.other_config),
                'protocols': sorted(br.protocols),
                'controller': sorted(c.target for c in br.controller),
                'ports': sorted(p.name for p in br.ports),
            }
            for port in br.ports:
                members = sorted(i.name for i in port.interfaces)
                ports[port.name] = {
                    'name': port.name,
                    'bridge': br.name,
                    'interfaces': members,
                    'tag': _first(port.tag),
                    'trunks': sorted(port.trunks),
                    'vlan_mode': _first(port.vlan_mode),
                    'bond_mode': _first(port.bond_mode),
                    'lacp': _first(port.lacp),
                    'external_ids': dict(port.external_ids),
                }
                for iface in port.interfaces:
                    interfaces[iface.name] = {
                        'name': iface.name,
                        'port': port.name,
                        'type': iface.type or 'system',
                        'options': dict(iface.options),
                        'mtu_request': _first(iface.mtu_request),
                        'mtu': _first(iface.mtu),
                        'admin_state': _first(iface.admin_state),
                        'link_state': _first(iface.link_state),
                        'ofport': _first(iface.ofport),
                        'mac_in_use': _first(iface.mac_in_use),
                        'error': _first(iface.error),
                    }
        system = {'ovs_version': _first(root.ovs_version), 'db_version': _first(root.db_version),
                  'datapath_types': sorted(root.datapath_types), 'iface_types': sorted(root.iface_types)}
        return {'system': system, 'bridges': bridges, 'ports': ports, 'interfaces': interfaces}

    # ------------------------------------------------------------ applying

    def apply(self, steps):
        """Write ``steps`` in one transaction and wait for ovs-vswitchd; returns the warnings."""
        if not steps:
            return []
        txn = ovs.db.idl.Transaction(self.idl)
        txn.add_comment('netprov.dockernet: %s' % '; '.join(s['reason'] for s in steps)[:500])
        root = self._root()
        bridges, ports, ifaces = self._by_name('Bridge'), self._by_name('Port'), self._by_name('Interface')
        created = []
        for step in steps:
            action = step['action']
            if action == 'create_bridge':
                root.verify('bridges')
                self._create_bridge(txn, root, step)
                created.append(('bridge', step['subject'], [{'name': step['subject'], 'type': 'internal'}]))
            elif action == 'remove_bridge':
                root.verify('bridges')
                br = bridges[step['subject']]
                br.verify('ports')
                self._remove_bridge(root, br)
            elif action == 'create_port':
                br = bridges[step['bridge']]
                br.verify('ports')
                br.addvalue('ports', self._insert_port(txn, step).uuid)
                created.append(('port', step['subject'], step['interfaces']))
            elif action == 'remove_port':
                br = bridges[step['bridge']]
                br.verify('ports')
                port = ports[step['subject']]
                br.delvalue('ports', port.uuid)
                for iface in port.interfaces:
                    iface.delete()
                port.delete()
            elif action == 'add_interface':
                port = ports[step['subject']]
                port.verify('interfaces')
                port.addvalue('interfaces', self._insert_interface(txn, step['interface']).uuid)
            elif action == 'remove_interface':
                port = ports[step['subject']]
                port.verify('interfaces')
                iface = ifaces[step['interface']]
                port.delvalue('interfaces', iface.uuid)
                iface.delete()
            elif action == 'set':
                row = {'Bridge': bridges, 'Port': ports, 'Interface': ifaces}[step['table']][step['subject']]
                self._set(txn, row, step['table'], step['field'], step['before'], step['after'])
                if step['table'] == 'Bridge' and step['field'] == 'datapath_type':
                    # ovs-vswitchd remakes the bridge on the other datapath, and may fail to (netdev without
                    # /dev/net/tun), leaving every column of the old one as it was: the local port's ofport is
                    # cleared here, so that only a bridge made again has one, checked as a new bridge's is
                    local = ifaces.get(step['subject'])
                    if local is not None:
                        local.ofport = []
                    created.append(('datapath', step['subject'], [{'name': step['subject'], 'type': 'internal'}]))
            else:  # pragma: no cover - the planners make only the actions above
                raise OvsdbError('unknown step %r' % action)
        root.increment('next_cfg')
        status = self._commit(txn)
        if status == ovs.db.idl.Transaction.UNCHANGED:
            return []
        warnings = self._wait_applied(txn.get_increment_new_value())
        if warnings:
            return warnings
        return self._undo_failed(created, steps)

    def _commit(self, txn):
        deadline = time.time() + self.timeout
        while True:
            status = txn.commit()
            if status != ovs.db.idl.Transaction.INCOMPLETE:
                break
            try:
                self._step(deadline, 'committing the change', txn)
            except OvsdbError:
                txn.abort()
                raise
        if status in (ovs.db.idl.Transaction.SUCCESS, ovs.db.idl.Transaction.UNCHANGED):
            return status
        if status == ovs.db.idl.Transaction.TRY_AGAIN:
            raise OvsdbError('the switch changed while this run planned (another OVSDB client wrote the rows this '
                             'plan was made from); nothing was changed: run the task again', path='ovsdb')
        raise OvsdbError('OVSDB refused the transaction (%s: %s); nothing was changed'
                         % (status, txn.get_error()), path='ovsdb')

    def _wait_applied(self, next_cfg):
        """Wait until ovs-vswitchd has applied configuration ``next_cfg``; a warning when it does not in time."""
        deadline = time.time() + self.timeout
        while (self._root().cur_cfg or 0) < next_cfg:
            if time.time() > deadline:
                return ['OVSDB holds the change, but ovs-vswitchd has not applied it within %d s (is ovs-vswitchd '
                        'running and connected to %s?)' % (self.timeout, self.remote)]
            self._step(deadline + self.timeout, 'waiting for ovs-vswitchd')
        return []

    def _undo_failed(self, created, steps):
        """Remove again what this run added and ovs-vswitchd could not set up; raise naming its error.

        An interface ovs-vswitchd could not open has its ``error`` set (and
        ``ofport`` -1); one of a bridge it could not create (a datapath type
        the kernel lacks) has no ``ofport`` at all. A patch port whose peer
        is not there yet is no failure (the peer is the next task's): the
        warnings returned say so.
        """
        ifaces = self._by_name('Interface')
        failed, warnings = [], []
        for kind, name, members in created:
            errors = []
            for spec in members:
                member = spec['name']
                iface = ifaces.get(member)
                if iface is None:
                    continue
                why = _first(iface.error)
                peer = (spec.get('options') or {}).get('peer')
                if spec.get('type') == 'patch' and peer not in ifaces:
                    # OVSDB has no peer: said without waiting for ovs-vswitchd's error column, which it may write
                    # only after the cur_cfg this run waited for
                    warnings.append('patch port %s waits for its peer %s, which does not exist yet (add it on the '
                                    'other bridge)' % (member, peer))
                    continue
                if not why and _first(iface.ofport) in (None, -1):
                    why = 'ovs-vswitchd did not open it%s' % (_WHY_NO_BRIDGE.get(kind, ''))
                if why:
                    errors.append('%s: %s' % (member, why))
            if errors:
                failed.append((kind, name, errors))
        if not failed:
            return warnings
        undo = []
        for kind, name, _errors in failed:
            if kind == 'bridge':
                undo.append({'action': 'remove_bridge', 'subject': name, 'reason': 'undo: %s failed' % name})
            elif kind == 'datapath':
                moved = next(s for s in steps if s['action'] == 'set' and s['table'] == 'Bridge'
                             and s['subject'] == name and s['field'] == 'datapath_type')
                undo.append({'action': 'set', 'table': 'Bridge', 'subject': name, 'field': 'datapath_type',
                             'before': moved['after'], 'after': moved['before'],
                             'reason': 'undo: %s could not move to datapath %s' % (name, moved['after'])})
            else:
                bridge = next(s['bridge'] for s in steps if s['action'] == 'create_port' and s['subject'] == name)
                undo.append({'action': 'remove_port', 'subject': name, 'bridge': bridge,
                             'reason': 'undo: %s failed' % name})
        what = '; '.join('; '.join(errs) for _k, _n, errs in failed)
        try:
            self.apply(undo)
        except NetprovError as exc:
            raise OvsdbError('ovs-vswitchd could not set up %s; removing what this run added failed too (%s): '
                             'remove %s by hand' % (what, exc, ', '.join(n for _k, n, _e in failed)),
                             path='name', failed=shown(undo))
        if any(k == 'datapath' for k, _n, _e in failed):
            raise OvsdbError('ovs-vswitchd could not set up %s; what this run changed was undone (%s)' % (
                what, ', '.join('%s back on datapath %s' % (u['subject'], u['after']) if u['action'] == 'set'
                                else '%s removed again' % u['subject'] for u in undo)), path='datapath_type')
        raise OvsdbError('ovs-vswitchd could not set up %s; what this run added (%s) was removed again'
                         % (what, ', '.join(n for _k, n, _e in failed)), path='name')

    def _create_bridge(self, txn, root, step):
        iface = self._insert_interface(txn, {'name': step['subject'], 'type': 'internal'})
        port = txn.insert(self.idl.tables['Port'])
        port.name = step['subject']
        port.interfaces = [iface.uuid]
        br = txn.insert(self.idl.tables['Bridge'])
        br.name = step['subject']
        br.ports = [port.uuid]
        for field, value in sorted(step['settings'].items()):
            self._set(txn, br, 'Bridge', field, None, value)
        root.addvalue('bridges', br.uuid)

    def _remove_bridge(self, root, br):
        root.delvalue('bridges', br.uuid)
        for port in br.ports:
            for iface in port.interfaces:
                iface.delete()
            port.delete()
        br.delete()

    def _insert_port(self, txn, step):
        members = [self._insert_interface(txn, i).uuid for i in step['interfaces']]
        port = txn.insert(self.idl.tables['Port'])
        port.name = step['subject']
        port.interfaces = members
        for field, value in sorted(step['settings'].items()):
            self._set(txn, port, 'Port', field, None, value)
        return port

    def _insert_interface(self, txn, spec):
        iface = txn.insert(self.idl.tables['Interface'])
        iface.name = spec['name']
        iface.type = '' if spec.get('type', 'system') == 'system' else spec['type']
        if spec.get('options'):
            iface.options = dict(spec['options'])
        if spec.get('mtu_request'):
            iface.mtu_request = spec['mtu_request']
        return iface

    def _set(self, txn, row, table, field, before, after):
        """Write one field; map columns are changed key by key (a None value removes the key)."""
        column = BRIDGE_COLUMNS.get(field, field) if table == 'Bridge' else field
        if column in MAPS:
            for key, value in sorted(after.items()):
                if value is None:
                    row.delkey(column, key)
                else:
                    row.setkey(column, key, value)
            return
        existing = row._data is not None   # an inserted row has nothing to verify yet
        if existing:
            row.verify(column)
        if column == 'controller':
            have = dict((c.target, c) for c in row.controller) if existing else {}
            rows = []
            for target in after:
                ctl = have.get(target)
                if ctl is None:
                    ctl = txn.insert(self.idl.tables['Controller'])
                    ctl.target = target
                rows.append(ctl.uuid)
            row.controller = rows
        elif table == 'Interface' and column == 'type':
            row.type = '' if after == 'system' else after
        elif after is None:
            setattr(row, column, [])
        else:
            setattr(row, column, after)
