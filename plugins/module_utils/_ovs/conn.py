# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ovs_* modules share: connection options, opening the switch, the kernel view beside it."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type


from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink, probes as _probes
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._ovs import db as _db, model as _model
from ansible_collections.netprov.dockernet.plugins.module_utils._session import ssh

OVS_COMMON_ARGS = dict(
    ovsdb=dict(type='str', default=_db.DEFAULT_OVSDB),
    timeout=dict(type='int', default=30),
)
OVS_HOST_ARGS = dict(OVS_COMMON_ARGS, netns=dict(type='str'))


def open_switch(params):
    """A connected db.Switch for the module's connection options."""
    timeout = params.get('timeout')
    if timeout is None or not 1 <= timeout <= 3600:
        raise ValidationError('%r is not a timeout; give the seconds to wait for OVSDB and ovs-vswitchd, 1..3600'
                              % (timeout,), path='timeout')
    return _db.Switch(params.get('ovsdb'), timeout)


def kernel_datapath(remote):
    """{'supported', 'detail'}: whether this host's kernel has the OVS datapath (``system`` bridges), for a switch
    on this host (a unix: socket); not probed (``supported`` None) for one reached over tcp:."""
    if not _db.local_socket(_db.check_remote(remote)):
        return {'supported': None, 'detail': 'not probed: the switch at %s runs on another host' % remote}
    return _probes.ovs_kernel_datapath()


def kernel_view(module, switch):
    """(links by name, management links) where the switch's devices live; (None, {}) for a remote switch.

    A switch reached over a unix socket runs on this host: its ports' links are
    read in ``netns`` (the module's own namespace by default), and the SSH
    session guarded is found as host_link finds it.
    """
    params = module.params
    if not _db.local_socket(_db.check_remote(params.get('ovsdb'))):
        return None, {}
    session = ssh.for_module(module, _netlink.netns_path(params.get('netns')))
    with _netlink.open_ipr(params.get('netns')) as ipr:
        links = dict((l['name'], l) for l in _netlink.list_links(ipr=ipr))
        routes = _netlink.default_routes(ipr=ipr)
    return links, _model.management(links, routes, switch, session)


def reconcile(module, plan, expect=None):
    """Read the switch, plan, guard the management path, then stop (check mode) or apply in one transaction.

    ``plan(have, links)`` returns (steps, warnings) for a read of the switch and
    the kernel links beside it. Returns (have, after, steps, management links);
    ``after`` is the switch as the steps leave it: simulated in check mode,
    read back after a real run. ``expect``: (bridges, links) that earlier tasks
    of the run make, taken as there in check mode only (those tasks only
    planned them); a real run plans on what is there.
    """
    params = module.params
    with open_switch(params) as switch:
        have = switch.read()
        links, mgmt = kernel_view(module, have)
        if expect and module.check_mode:
            have, links = _model.expected(have, links, *expect)
        steps, warnings = plan(have, links)
        for warning in warnings:
            module.warn(warning)
        steps = _model.guard(steps, have, mgmt, params['allow_management'])
        after = _model.simulate(have, steps)
        if steps and not module.check_mode:
            for warning in switch.apply(steps):
                module.warn(warning)
            after = switch.read()
    return have, after, steps, mgmt
