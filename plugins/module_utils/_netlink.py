# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one netlink wrapper: pyroute2's IPRoute, opened in a network namespace.

Every read of links, addresses and routes goes through here, so the rest of
the collection sees one normalised shape (``get_link``) and one way of naming
kernel errors (``errno_name``/``describe``). NDB is not used: it starts
threads and a database, too heavy for a module run.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import errno
import ipaddress
import os
import socket

# IPRoute(netns=...), how every namespace is opened here, is new in pyroute2 0.9.
PYROUTE2_MIN = (0, 9)


def pyroute2_too_old(version):
    """Why this pyroute2 release cannot serve, or None (a release that does not say its version is tried)."""
    try:
        found = tuple(int(part) for part in str(version).split('.')[:2])
    except ValueError:
        return None
    if found >= PYROUTE2_MIN:
        return None
    return ('pyroute2 %s is installed, but 0.9 or later is needed (network namespaces are opened through '
            'IPRoute(netns=...), new in 0.9): install it with pip install "pyroute2>=0.9", in a virtualenv where the '
            'system Python is externally managed' % version)


try:
    import pyroute2 as _pyroute2
    from pyroute2 import IPRoute
    from pyroute2 import config as _pyroute2_config
    from pyroute2.netlink.exceptions import NetlinkError
    from pyroute2.netlink import nla
    from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg
    PYROUTE2_IMPORT_ERROR = pyroute2_too_old(getattr(_pyroute2, '__version__', 'unknown'))
    HAS_PYROUTE2 = PYROUTE2_IMPORT_ERROR is None
    # pyroute2 opens a socket in (and makes) a namespace through a child process and gives it 2 s to
    # answer: a busy host (seen in the UML guest at load 12) misses that, and the module fails
    CHILD_TIMEOUT = 30
    if getattr(_pyroute2_config, 'default_communicate_timeout', CHILD_TIMEOUT) < CHILD_TIMEOUT:
        _pyroute2_config.default_communicate_timeout = CHILD_TIMEOUT
    if getattr(_pyroute2_config, 'default_create_socket_timeout', CHILD_TIMEOUT) < CHILD_TIMEOUT:
        _pyroute2_config.default_create_socket_timeout = CHILD_TIMEOUT
except ImportError as _exc:  # pragma: no cover - reported by the modules
    HAS_PYROUTE2 = False
    PYROUTE2_IMPORT_ERROR = _exc

    class NetlinkError(Exception):
        code = 0

from ansible_collections.netprov.dockernet.plugins.module_utils._errors import (
    KernelError, ValidationError)

NETNS_DIR = '/run/netns'
# Where network namespaces are bind-mounted besides NETNS_DIR: Docker's sandboxes.
NETNS_DIRS = (NETNS_DIR, '/run/docker/netns')
IFF_UP = 0x1
IFF_PROMISC = 0x100

IPVLAN_MODES = {0: 'l2', 1: 'l3', 2: 'l3s'}
IPVLAN_FLAGS = {0: 'bridge', 1: 'private', 2: 'vepa'}

if HAS_PYROUTE2:
    class _ipvlan_data(nla):
        """pyroute2 0.9.7 knows IFLA_IPVLAN_MODE only; the kernel also has
        IFLA_IPVLAN_FLAGS (bridge/private/vepa), which ``ipvlan_flag`` needs."""
        prefix = 'IFLA_'
        nla_map = (('IFLA_IPVLAN_UNSPEC', 'none'),
                   ('IFLA_IPVLAN_MODE', 'uint16'),
                   ('IFLA_IPVLAN_FLAGS', 'uint16'))

    ifinfmsg.ifinfo.data_map['ipvlan'] = _ipvlan_data


# Where two names share a number, the one users meet in iproute2 and docs.
_ERRNO_NAMES = {errno.EOPNOTSUPP: 'EOPNOTSUPP', errno.EAGAIN: 'EAGAIN', errno.EDEADLK: 'EDEADLK'}


def errno_name(code):
    """17 -> 'EEXIST'; an unknown number stays a number."""
    try:
        code = int(code)
    except (TypeError, ValueError):
        return str(code)
    return _ERRNO_NAMES.get(code) or errno.errorcode.get(code, 'errno %d' % code)


def describe(exc):
    """A NetlinkError (or OSError) as 'EOPNOTSUPP (Operation not supported)'."""
    code = getattr(exc, 'code', None) or getattr(exc, 'errno', None)
    if code:
        return '%s (%s)' % (errno_name(code), os.strerror(int(code)))
    return str(exc)


# errno values the kernel answers with for a link kind or family it lacks.
UNSUPPORTED = (errno.EOPNOTSUPP, errno.EPROTONOSUPPORT, errno.EAFNOSUPPORT)


def index_of(ipr, name, path=None):
    """The ifindex of link ``name``, or a ValidationError naming it."""
    idx = ipr.link_lookup(ifname=name)
    if not idx:
        raise ValidationError('no link %s in this namespace' % name, path=path)
    return idx[0]


def netns_path(netns):
    """None for our own namespace, else the path of the namespace file.

    A bare name is looked up under /run/netns (what ``ip netns add`` makes);
    an absolute path (``/proc/PID/ns/net``, a bind mount) is used as is.
    """
    if netns in (None, ''):
        return None
    if os.path.isabs(netns):
        path = netns
    elif '/' in netns:
        raise ValidationError('%r is neither a name under %s nor an absolute path' % (netns, NETNS_DIR),
                              path='netns')
    else:
        path = os.path.join(NETNS_DIR, netns)
    if not os.path.exists(path):
        raise ValidationError('no network namespace %s (%s does not exist); create it first'
                              % (netns, path), path='netns')
    return path


@contextlib.contextmanager
def open_ipr(netns=None):
    """An IPRoute socket in ``netns`` (None = ours, a name under /run/netns,
    or an absolute path such as /proc/PID/ns/net), closed on exit.

    pyroute2 takes an absolute path as the namespace itself and a bare name
    relative to its run directory; flags=0 stops it creating a missing one.
    """
    if not HAS_PYROUTE2:
        raise KernelError('the Python library pyroute2 is required on the managed host: %s'
                          % PYROUTE2_IMPORT_ERROR)
    path = netns_path(netns)
    try:
        ipr = IPRoute(netns=path, flags=0) if path else IPRoute()
    except (OSError, NetlinkError) as exc:
        raise KernelError('cannot open a netlink socket in network namespace %s: %s'
                          % (netns or '(own)', describe(exc)), path='netns')
    try:
        yield ipr
    finally:
        ipr.close()


# ---------------------------------------------------------------- reading

def _attr(msg, name, default=None):
    value = msg.get_attr(name)
    return default if value is None else value


def _linkinfo(msg):
    info = msg.get_attr('IFLA_LINKINFO')
    if info is None:
        return None, None
    return info.get_attr('IFLA_INFO_KIND'), info.get_attr('IFLA_INFO_DATA')


def _data(data, name):
    if data is None or not hasattr(data, 'get_attr'):
        return None
    return data.get_attr(name)


def is_link_local6(cidr):
    """An IPv6 link-local address: the kernel makes one for every link, so they are kept apart from ``addresses``."""
    return ':' in cidr and ipaddress.ip_interface(cidr).ip.is_link_local


def _addresses_by_index(ipr, index=None):
    """({index: [CIDR, ...]}, {index: [IPv6 link-local CIDR, ...]})."""
    out, link_local = {}, {}
    kw = {'index': index} if index is not None else {}
    for msg in ipr.get_addr(**kw):
        addr = msg.get_attr('IFA_ADDRESS')
        if msg['family'] == socket.AF_INET:
            addr = msg.get_attr('IFA_LOCAL') or addr
        if addr is None:
            continue
        cidr = '%s/%d' % (addr, msg['prefixlen'])
        (link_local if is_link_local6(cidr) else out).setdefault(msg['index'], []).append(cidr)
    return out, link_local


def _normalise(msg, names, addresses):
    addresses, link_local = addresses
    kind, data = _linkinfo(msg)
    flags = msg['flags']
    link = {
        'name': msg.get_attr('IFLA_IFNAME'),
        'index': msg['index'],
        'kind': kind,
        'parent': None,
        'mtu': _attr(msg, 'IFLA_MTU'),
        'mac': _attr(msg, 'IFLA_ADDRESS'),
        'state': 'up' if flags & IFF_UP else 'down',
        'operstate': (_attr(msg, 'IFLA_OPERSTATE', '') or '').lower() or None,
        'promisc': bool(flags & IFF_PROMISC),
        'master': names.get(msg.get_attr('IFLA_MASTER')),
        'addresses': sorted(addresses.get(msg['index'], []), key=_cidr_key),
        'link_local': sorted(link_local.get(msg['index'], []), key=_cidr_key),
    }
    lower = msg.get_attr('IFLA_LINK')
    # IFLA_LINK_NETNSID set: the lower/peer link lives in another namespace
    foreign = msg.get_attr('IFLA_LINK_NETNSID') is not None
    lower_name = None if (foreign or not lower) else names.get(lower)
    if kind == 'veth':
        link['peer'] = lower_name
    elif lower and lower != msg['index']:
        link['parent'] = lower_name
    if kind == 'vlan':
        link['vlan_id'] = _data(data, 'IFLA_VLAN_ID')
    elif kind == 'macvlan':
        link['macvlan_mode'] = _data(data, 'IFLA_MACVLAN_MODE')
    elif kind == 'ipvlan':
        link['ipvlan_mode'] = IPVLAN_MODES.get(_data(data, 'IFLA_IPVLAN_MODE'))
        link['ipvlan_flag'] = IPVLAN_FLAGS.get(_data(data, 'IFLA_IPVLAN_FLAGS') or 0)
    elif kind == 'vxlan':
        group = _data(data, 'IFLA_VXLAN_GROUP') or _data(data, 'IFLA_VXLAN_GROUP6')
        is_group = group is not None and ipaddress.ip_address(group).is_multicast
        link['vxlan_id'] = _data(data, 'IFLA_VXLAN_ID')
        link['vxlan_local'] = _data(data, 'IFLA_VXLAN_LOCAL') or _data(data, 'IFLA_VXLAN_LOCAL6')
        link['vxlan_remote'] = None if is_group else group
        link['vxlan_group'] = group if is_group else None
        link['vxlan_port'] = _data(data, 'IFLA_VXLAN_PORT')
        link['parent'] = names.get(_data(data, 'IFLA_VXLAN_LINK'))
    return link


def _cidr_key(cidr):
    iface = ipaddress.ip_interface(cidr)
    return (iface.version, iface.ip, iface.network.prefixlen)


def list_links(netns=None, ipr=None):
    """Every link in ``netns``, normalised (see get_link), sorted by index."""
    if ipr is None:
        with open_ipr(netns) as ipr:
            return list_links(ipr=ipr)
    msgs = list(ipr.get_links())
    names = dict((m['index'], m.get_attr('IFLA_IFNAME')) for m in msgs)
    addresses = _addresses_by_index(ipr)
    return sorted((_normalise(m, names, addresses) for m in msgs), key=lambda x: x['index'])


def get_link(name, netns=None, ipr=None):
    """One link as a dict, or None when there is none of that name.

    Keys: name, index, kind (None for a physical or loopback device), parent
    (lower link's name: vlan/macvlan/ipvlan, vxlan's device), mtu, mac, state
    ('up'/'down', the administrative flag), operstate, promisc, master,
    addresses (CIDR list, IPv6 link-local left out), and by kind: peer (veth),
    vlan_id, macvlan_mode, ipvlan_mode, ipvlan_flag, vxlan_id, vxlan_local,
    vxlan_remote, vxlan_group, vxlan_port.
    """
    if ipr is None:
        with open_ipr(netns) as ipr:
            return get_link(name, ipr=ipr)
    idx = ipr.link_lookup(ifname=name)
    if not idx:
        return None
    msgs = list(ipr.get_links())
    names = dict((m['index'], m.get_attr('IFLA_IFNAME')) for m in msgs)
    for msg in msgs:
        if msg['index'] == idx[0]:
            return _normalise(msg, names, _addresses_by_index(ipr, idx[0]))
    return None


def link_exists(name, netns=None, ipr=None):
    if ipr is None:
        with open_ipr(netns) as ipr:
            return link_exists(name, ipr=ipr)
    return bool(ipr.link_lookup(ifname=name))


def _route_oifs(msg):
    oif = msg.get_attr('RTA_OIF')
    if oif:
        yield oif
    for hop in msg.get_attr('RTA_MULTIPATH') or []:
        if hop.get('oif'):
            yield hop['oif']


def default_routes(netns=None, ipr=None):
    """Default routes (v4 and v6, every table but local) as dicts:
    family ('ipv4'/'ipv6'), table, gateway, links (names)."""
    if ipr is None:
        with open_ipr(netns) as ipr:
            return default_routes(ipr=ipr)
    names = dict((m['index'], m.get_attr('IFLA_IFNAME')) for m in ipr.get_links())
    out = []
    for family, fname in ((socket.AF_INET, 'ipv4'), (socket.AF_INET6, 'ipv6')):
        for msg in ipr.get_routes(family=family):
            if msg['dst_len'] != 0 or msg.get_attr('RTA_DST') is not None:
                continue
            table = msg.get_attr('RTA_TABLE') or msg['table']
            if table == 255 or msg['type'] != 1:  # local table, non-unicast
                continue
            out.append({'family': fname, 'table': table, 'gateway': msg.get_attr('RTA_GATEWAY'),
                        'links': [names.get(i, str(i)) for i in _route_oifs(msg)]})
    return out


def default_route_links(netns=None, ipr=None):
    """Names of the links that carry a default route (v4 or v6), sorted."""
    found = set()
    for route in default_routes(netns, ipr=ipr):
        found.update(route['links'])
    return sorted(found)


# ---------------------------------------------------------------- other namespaces

def _unescape_mount(path):
    """/proc/self/mountinfo writes space, tab, newline and backslash as octal escapes."""
    for code, char in (('\\040', ' '), ('\\011', '\t'), ('\\012', '\n'), ('\\134', '\\')):
        path = path.replace(code, char)
    return path


def namespace_files():
    """Paths that name the host's network namespaces, most telling first (duplicates included).

    Bind mounts (``ip netns``, Docker's sandboxes under /run/docker/netns, any
    other nsfs mount of a network namespace), then the namespace of every
    process: together every network namespace that something keeps alive.
    """
    paths = []
    for directory in NETNS_DIRS:
        try:
            paths.extend(os.path.join(directory, n) for n in sorted(os.listdir(directory)))
        except OSError:
            pass
    try:
        with open('/proc/self/mountinfo') as f:
            for line in f:
                fields = line.split()
                if len(fields) > 4 and fields[3].startswith('net:['):
                    paths.append(_unescape_mount(fields[4]))
    except (IOError, OSError):
        pass
    paths.extend('/proc/%s/ns/net' % pid for pid in sorted(os.listdir('/proc'), key=lambda p: (len(p), p))
                 if pid.isdigit())
    return paths


def _namespace_label(path):
    """How a user recognises the namespace: its path, with the process's name for /proc/PID/ns/net."""
    parts = path.split('/')
    if len(parts) == 5 and parts[1] == 'proc' and parts[3:] == ['ns', 'net']:
        try:
            with open('/proc/%s/comm' % parts[2]) as f:
                return '%s (process %s, %s)' % (path, parts[2], f.read().strip())
        except (IOError, OSError):
            pass
    return path


# What opening a namespace file that is no longer one answers: gone, or not a namespace (EINVAL).
_GONE = (errno.ENOENT, errno.ESRCH, errno.EINVAL)


def links_elsewhere(netns=None):
    """{ifindex in ``netns``: the links in other network namespaces that stand on it or are its veth peer}.

    Each is {'name', 'kind', 'netns' (a path naming its namespace)}. A link
    whose lower link or peer lives in another namespace carries that
    namespace's id (IFLA_LINK_NETNSID, as its own namespace numbers it) and
    the lower link's ifindex there (IFLA_LINK; IFLA_VXLAN_LINK for vxlan):
    every other namespace is read, and the links whose id names ``netns``
    are the ones found. A namespace that vanishes while this runs is passed
    over; one that cannot be read is an error (what stands on the link there
    would go unseen).
    """
    if not HAS_PYROUTE2:
        raise KernelError('the Python library pyroute2 is required on the managed host: %s'
                          % PYROUTE2_IMPORT_ERROR)
    own_path = netns_path(netns) or '/proc/self/ns/net'
    own = os.stat(own_path)
    seen = set([(own.st_dev, own.st_ino)])
    found = {}
    fd = os.open(own_path, os.O_RDONLY)
    try:
        for path in namespace_files():
            try:
                st = os.stat(path)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            try:
                ipr = IPRoute(netns=path, flags=0)
            except OSError as exc:
                if exc.errno in _GONE:
                    continue  # it went away (the process exited, the mount was removed) while this ran
                raise KernelError('cannot read network namespace %s to find the links that stand on this one: %s'
                                  % (_namespace_label(path), describe(exc)), path='netns')
            try:
                with ipr:
                    foreign = [m for m in ipr.get_links() if m.get_attr('IFLA_LINK_NETNSID') is not None]
                    if not foreign:
                        continue
                    nsid = (ipr.get_netnsid(fd=fd) or {}).get('nsid')
                    for msg in foreign:
                        if msg.get_attr('IFLA_LINK_NETNSID') != nsid:
                            continue
                        kind, data = _linkinfo(msg)
                        lower = _data(data, 'IFLA_VXLAN_LINK') if kind == 'vxlan' else msg.get_attr('IFLA_LINK')
                        if lower:
                            found.setdefault(lower, []).append({'name': msg.get_attr('IFLA_IFNAME'), 'kind': kind,
                                                                'netns': _namespace_label(path)})
            except NetlinkError as exc:
                raise KernelError('cannot read the links of network namespace %s: %s'
                                  % (_namespace_label(path), describe(exc)), path='netns')
    finally:
        os.close(fd)
    return found
