"""Unit-test data for _network: wanted networks, networks as inspect shows them, endpoint records."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MANAGED_LABEL, normalise_want
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import network_from_inspect


def want(**kw):
    kw.setdefault('name', 'n1')
    return normalise_want(kw)


def cid(name):
    """A container id as network inspect keys its endpoints (64 hex digits)."""
    return (name.encode().hex() * 64)[:64]


def have(containers=None, **kw):
    net = {'Name': 'n1', 'Id': 'id1', 'Driver': 'bridge', 'Scope': 'local', 'Options': {},
           'Labels': {MANAGED_LABEL: 'true', 'team': 'a'},
           'IPAM': {'Driver': 'default', 'Options': {}, 'Config': [{'Subnet': '198.18.1.0/24', 'Gateway': '198.18.1.1'}]},
           'Containers': dict((cid(c), {'Name': c, 'IPv4Address': '198.18.1.%d/24' % (10 + i)})
                              for i, c in enumerate(containers or []))}
    net.update(kw)
    return network_from_inspect(net)


def rec(name, **kw):
    r = {'container': name, 'aliases': [], 'links': [], 'ipv4_address': None, 'ipv6_address': None,
         'link_local_ips': [], 'mac': None, 'driver_opts': {}, 'service': None}
    r.update(kw)
    return r


class ListedEngine(object):
    """The engine as listed, for the planning that needs no inspect."""

    def __init__(self, nets):
        self.networks = [network_from_inspect(n) for n in nets]

    def full(self, name):
        return [n for n in self.networks if n['name'] == name][0]
