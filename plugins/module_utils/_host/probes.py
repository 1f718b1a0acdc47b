# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kernel capability probes: try the real operation in a scratch namespace.

A kernel's config or version says little about what works (a recent kernel
may well be built without ipvlan, 802.1Q, dummy, ESP or IPVS), so each feature is probed by doing it: making the link, adding the xfrm state,
resolving the generic netlink family. Everything happens in a network
namespace made for the probe under a random name and always removed, so the
host is never touched. Results are cached for the process (one module run).

The ESP probe is the one place that runs ``ip`` instead of pyroute2:
pyroute2 0.9.7 has no xfrm (IPsec state) support, so it runs
``ip -n SCRATCH xfrm state add ... proto esp ... aead 'rfc4106(gcm(aes))'``,
the algorithm Docker's encrypted overlays use.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import binascii
import os
import shutil
import subprocess

from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink

FEATURES = ('macvlan', 'ipvlan', 'vlan', 'bridge', 'veth', 'vxlan', 'dummy', 'esp', 'ipvs')

LABELS = {
    'macvlan': 'macvlan',
    'ipvlan': 'ipvlan',
    'vlan': '802.1Q VLAN (vlan)',
    'bridge': 'bridge',
    'veth': 'veth',
    'vxlan': 'vxlan',
    'dummy': 'dummy',
    'esp': 'ESP/IPsec (xfrm)',
    'ipvs': 'IPVS',
}

_LINK_KIND_FEATURE = {
    'macvlan': 'macvlan', 'ipvlan': 'ipvlan', 'vlan': 'vlan', 'bridge': 'bridge',
    'veth': 'veth', 'vxlan': 'vxlan', 'dummy': 'dummy',
}

_CACHE = {}

# Addresses the ESP state is written for; it lives only in the scratch namespace.
_ESP_SRC = '198.18.255.1'
_ESP_DST = '198.18.255.2'


def kernel_release():
    return os.uname()[2]


def feature_for_link_kind(kind):
    """The probe feature a link kind needs ('vlan' -> 'vlan'), or None."""
    return _LINK_KIND_FEATURE.get(kind)


def missing_message(feature, detail):
    """One line a user can act on, e.g.
    'ipvlan: not supported by this kernel (6.1.0): creating an ipvlan link failed with EOPNOTSUPP'."""
    head = '%s: not supported by this kernel (%s)' % (LABELS.get(feature, feature), kernel_release())
    if feature == 'esp':
        return '%s: an encrypted overlay would drop all traffic (%s)' % (head, detail)
    if feature == 'ipvs':
        return '%s: swarm VIP load balancing (endpoint_mode vip) cannot work (%s)' % (head, detail)
    if feature in _LINK_KIND_FEATURE.values():
        return '%s: creating a%s %s link failed with %s' % (
            head, 'n' if feature[0] in 'aeiou' else '', feature, detail)
    return '%s: %s' % (head, detail)


def _scratch_name():
    return 'netprov-probe-%s' % binascii.hexlify(os.urandom(4)).decode('ascii')


def _try_link(ipr, feature, **spec):
    try:
        ipr.link('add', **spec)
    except _netlink.NetlinkError as exc:
        return {'supported': False, 'detail': _netlink.errno_name(exc.code)}
    return {'supported': True, 'detail': 'created a %s link' % spec['kind']}


def _probe_links(netns, wanted):
    out = {}
    lower = {
        'macvlan': dict(ifname='pmv0', kind='macvlan', macvlan_mode='bridge'),
        'ipvlan': dict(ifname='piv0', kind='ipvlan', ipvlan_mode=0),
        'vlan': dict(ifname='pvl0', kind='vlan', vlan_id=10),
    }
    stacked = [f for f in lower if f in wanted]
    with _netlink.open_ipr(netns) as ipr:
        if 'veth' in wanted or stacked:
            out['veth'] = _try_link(ipr, 'veth', ifname='pv0', kind='veth', peer='pv1')
        if 'bridge' in wanted or (stacked and not out['veth']['supported']):
            out['bridge'] = _try_link(ipr, 'bridge', ifname='pbr0', kind='bridge')
        for n, feature in enumerate(stacked):
            # each on a parent of its own: the kernel refuses ipvlan on a
            # parent that carries a macvlan (EBUSY), and the reverse
            parent = None
            if out['veth']['supported']:
                name = 'pp%d' % n
                _try_link(ipr, 'veth', ifname=name, kind='veth', peer=name + 'b')
                parent = ipr.link_lookup(ifname=name)
            elif out.get('bridge', {}).get('supported'):
                name = 'ppb%d' % n
                _try_link(ipr, 'bridge', ifname=name, kind='bridge')
                parent = ipr.link_lookup(ifname=name)
            if not parent:
                out[feature] = {'supported': False,
                                'detail': 'untested: no parent link could be made (veth and bridge failed)'}
            else:
                out[feature] = _try_link(ipr, feature, link=parent[0], **lower[feature])
        if 'vxlan' in wanted:
            out['vxlan'] = _try_link(ipr, 'vxlan', ifname='pvx0', kind='vxlan', vxlan_id=4242,
                                     vxlan_port=4789)
        if 'dummy' in wanted:
            out['dummy'] = _try_link(ipr, 'dummy', ifname='pdu0', kind='dummy')
    return out


def _probe_esp(netns):
    ip = shutil.which('ip') or next((p for p in ('/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip')
                                     if os.path.exists(p)), None)
    if ip is None:
        return {'supported': False, 'detail': 'untested: the ip command (iproute2) is not installed'}
    key = '0x' + binascii.hexlify(os.urandom(20)).decode('ascii')
    cmd = [ip, '-n', netns, 'xfrm', 'state', 'add', 'src', _ESP_SRC, 'dst', _ESP_DST,
           'proto', 'esp', 'spi', '0x00000101', 'reqid', '1', 'mode', 'transport',
           'aead', 'rfc4106(gcm(aes))', key, '128']
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    if proc.returncode == 0:
        return {'supported': True, 'detail': "added an ESP xfrm state with aead rfc4106(gcm(aes))"}
    err = ' '.join((proc.stderr or proc.stdout or 'rc=%d' % proc.returncode).split())
    return {'supported': False, 'detail': 'ip xfrm state add: %s' % err}


def _genl_family(family):
    """(resolved, errno name or None) for the generic netlink family ``family`` (the kernel loads its module when
    it can, as for the daemons that use it)."""
    from pyroute2.netlink.generic import GenericNetlinkSocket
    from pyroute2.netlink.generic import ctrlmsg
    sock = GenericNetlinkSocket()
    try:
        try:
            sock.bind(family, ctrlmsg)
        except _netlink.NetlinkError as exc:
            return False, _netlink.errno_name(exc.code)
        return True, None
    finally:
        sock.close()


def _probe_ipvs():
    """IPVS is configured over the generic netlink family 'IPVS': it exists iff the kernel has ip_vs."""
    found, why = _genl_family('IPVS')
    if not found:
        return {'supported': False, 'detail': 'generic netlink family IPVS not found (%s)' % why}
    return {'supported': True, 'detail': 'generic netlink family IPVS resolved'}


def ovs_kernel_datapath():
    """{'supported', 'detail'}: whether the kernel has Open vSwitch's datapath (what ``datapath_type: system``
    bridges run on): ovs-vswitchd drives it over the generic netlink family 'ovs_datapath', which exists iff the
    kernel has the openvswitch module (loaded on this lookup when it is a module). The families are the
    kernel's, not a namespace's. ovs-vswitchd lists ``system`` among its datapath types either way."""
    if not _netlink.HAS_PYROUTE2:
        return {'supported': None, 'detail': 'untested: the Python library pyroute2 is not installed'}
    found, why = _genl_family('ovs_datapath')
    if not found:
        return {'supported': False, 'detail': "generic netlink family ovs_datapath not found (%s): the kernel has "
                                              "no openvswitch module" % why}
    return {'supported': True, 'detail': 'generic netlink family ovs_datapath resolved'}


def _create_netns(name):
    from pyroute2 import netns
    netns.create(name)


def _remove_netns(name):
    from pyroute2 import netns
    path = os.path.join(_netlink.NETNS_DIR, name)
    if os.path.exists(path):
        netns.remove(path)


def probe(features=FEATURES):
    """{feature: {'supported': bool, 'detail': str}} for each feature asked,
    each probed for real once per process."""
    if not _netlink.HAS_PYROUTE2:
        raise _netlink.KernelError('kernel probes need the Python library pyroute2 on the managed host: %s'
                                   % _netlink.PYROUTE2_IMPORT_ERROR)
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        raise ValueError('unknown probe features %s (known: %s)' % (unknown, ', '.join(FEATURES)))
    todo = [f for f in features if f not in _CACHE]
    if todo:
        found = {}
        if 'ipvs' in todo:
            found['ipvs'] = _probe_ipvs()
        needs_ns = [f for f in todo if f != 'ipvs']
        if needs_ns:
            name = _scratch_name()
            try:
                try:
                    _create_netns(name)
                except (OSError, RuntimeError) as exc:
                    raise _netlink.KernelError('cannot make the scratch network namespace %s the kernel probes run '
                                               'in: %s' % (name, _netlink.describe(exc)))
                found.update(_probe_links(name, needs_ns))
                if 'esp' in needs_ns:
                    found['esp'] = _probe_esp(name)
            finally:
                _remove_netns(name)
        _CACHE.update(found)
    return dict((f, dict(_CACHE[f])) for f in features)


def missing(features=FEATURES):
    """{feature: message} for every asked feature the kernel lacks."""
    return dict((f, missing_message(f, r['detail'])) for f, r in probe(features).items() if not r['supported'])
