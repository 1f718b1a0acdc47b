"""An engine double for the unit tests of _network.core: networks and containers kept as the engine's inspect
answers show them (Containers of a network only for running endpoints, NetworkSettings.Networks of a container
with IPAMConfig, Aliases, NetworkID); it refuses what the engine refuses (a fixed address another endpoint holds
or outside the subnet, a duplicate name, a network with endpoints), and fails chosen calls: before the engine
acts ('refuse') or after it acted with the answer lost ('lose')."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import ipaddress
import itertools

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import EngineError
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MANAGED_LABEL


_ids = itertools.count(1)


def _new_id(kind):
    # digits only: a container's name never looks like the start of an id
    return '%s%063d' % ('1' if kind == 'n' else '2', next(_ids))


class Engine(object):
    """An engine double: what it holds, and which calls fail how."""

    is_local = False

    def __init__(self):
        self.nets = {}          # id -> network inspect
        self.ctrs = {}          # name -> container inspect
        self.calls = []
        self.faults = {}        # (method, nth call of it) -> 'refuse' | 'lose'
        self.counts = {}
        self.refuse_connect = {}  # container -> how many of its next connects are refused
        self.configured = {}      # (container, network name) -> the network id it was connected to

    # -- making state -----------------------------------------------------------------
    def network(self, name, subnet, created='2026-01-01T00:00:00Z', labels=None):
        net_id = _new_id('n')
        self.nets[net_id] = {
            'Name': name, 'Id': net_id, 'Created': created, 'Scope': 'local', 'Driver': 'bridge',
            'EnableIPv6': False, 'Internal': False, 'Attachable': False, 'Ingress': False, 'ConfigOnly': False,
            'ConfigFrom': {'Network': ''}, 'Options': {},
            'Labels': dict({MANAGED_LABEL: 'true'}, **(labels or {})),
            'IPAM': {'Driver': 'default', 'Options': {}, 'Config': [{'Subnet': subnet}]},
            'Containers': {}}
        return net_id

    def container(self, name, running=True):
        self.ctrs[name] = {'Id': _new_id('c'), 'Name': '/' + name, 'State': {'Running': running},
                           'Config': {'Labels': {}}, 'NetworkSettings': {'Networks': {}}}
        return name

    def attach(self, name, net_id, aliases=(), ip=None):
        self._connect(name, net_id, {'Aliases': list(aliases), 'IPAMConfig': {'IPv4Address': ip} if ip else None})

    # -- what the tests read --------------------------------------------------------------
    def endpoints(self, name):
        """container -> (network name, address, user aliases, fixed address) for every endpoint it has."""
        out = []
        short = self.ctrs[name]['Id'][:12]
        for net_name, ep in sorted(self.ctrs[name]['NetworkSettings']['Networks'].items()):
            if self.ctrs[name]['State']['Running'] and not ep.get('EndpointID'):
                continue   # what a refused connect leaves: no endpoint
            if self.configured.get((name, net_name)) not in self.nets:
                continue   # a stopped container's settings for a network since removed: it would not start
            out.append((net_name, ep['IPAddress'], sorted(a for a in ep['Aliases'] or [] if a != short),
                        (ep.get('IPAMConfig') or {}).get('IPv4Address')))
        return out

    def by_name(self, name):
        return [n for n in self.nets.values() if n['Name'] == name]

    # -- the calls _core makes --------------------------------------------------------------
    def _call(self, method, args, act):
        self.calls.append((method,) + tuple(args))
        self.counts[method] = self.counts.get(method, 0) + 1
        fault = self.faults.get((method, self.counts[method]))
        if fault == 'refuse':
            raise EngineError('%s: the engine refused: injected' % method)
        result = act()
        if fault == 'lose':
            raise EngineError('%s: lost the Docker Engine (injected)' % method)
        return result

    def _net(self, ident):
        if ident in self.nets:
            return self.nets[ident]
        found = [n for n in self.nets.values() if n['Name'] == ident]
        if not found:
            raise EngineError('network %s: not found' % ident)
        return found[0]

    def _ctr(self, ident):
        for name, info in self.ctrs.items():
            if ident in (name, info['Id']) or info['Id'].startswith(ident):
                return info
        return None

    def networks(self):
        def act():
            return [dict((k, v) for k, v in copy.deepcopy(n).items() if k != 'Containers') for n in self.nets.values()]
        return self._call('networks', (), act)

    def inspect_network(self, ident):
        return self._call('inspect_network', (ident,), lambda: copy.deepcopy(self._net(ident)))

    def find_network(self, ident):
        def act():
            try:
                return copy.deepcopy(self._net(ident))
            except EngineError:
                return None
        return self._call('find_network', (ident,), act)

    def inspect_container(self, ident):
        return self._call('inspect_container', (ident,), lambda: copy.deepcopy(self._ctr(ident)))

    api_version = '1.41'

    def containers_on(self, network_id, network_name):
        """The container listing filtered by network: running and stopped ones alike."""
        def act():
            return [{'Id': info['Id'], 'Names': [info['Name']]} for info in self.ctrs.values()
                    if network_name in info['NetworkSettings']['Networks']]
        return self._call('containers_on', (network_id,), act)

    def info(self):
        return {}

    def create_network(self, body):
        def act():
            if self.by_name(body['Name']) and body.get('CheckDuplicate', True):
                raise EngineError('create network %s: the engine refused: network with name %s already exists'
                                  % (body['Name'], body['Name']))
            net_id = self.network(body['Name'], body['IPAM']['Config'][0]['Subnet'], created='2026-06-01T00:00:00Z',
                                  labels=body.get('Labels'))
            self.nets[net_id]['Labels'] = dict(body.get('Labels') or {})
            return {'Id': net_id}
        return self._call('create_network', (body['Name'],), act)

    def remove_network(self, ident):
        def act():
            net = self._net(ident)
            if net['Containers']:
                raise EngineError('remove network %s: the engine refused: has active endpoints' % ident)
            del self.nets[net['Id']]
        return self._call('remove_network', (ident,), act)

    def connect(self, container, network, endpoint):
        return self._call('connect', (container, network), lambda: self._connect(container, network, endpoint))

    def _connect(self, container, network, endpoint):
        net, info = self._net(network), self._ctr(container)
        if info is None:
            raise EngineError('connect %s: not found' % container)
        nets = info['NetworkSettings']['Networks']
        if nets.get(net['Name'], {}).get('EndpointID') or (net['Name'] in nets and not info['State']['Running']):
            raise EngineError('connect %s: endpoint with name %s already exists in network %s'
                              % (container, container, net['Name']))
        subnet = ipaddress.ip_network(net['IPAM']['Config'][0]['Subnet'])
        taken = set(ep['IPv4Address'].split('/')[0] for ep in net['Containers'].values())
        fixed = ((endpoint or {}).get('IPAMConfig') or {}).get('IPv4Address')
        refused = None
        if self.refuse_connect.get(container):
            self.refuse_connect[container] -= 1
            refused = 'injected'
        elif fixed and ipaddress.ip_address(fixed) not in subnet:
            refused = 'no configured subnet contains %s' % fixed
        elif fixed in taken:
            refused = 'Address already in use'
        if refused:
            if info['State']['Running']:
                # Engine 20.10 leaves the refused endpoint's settings in the container, with no endpoint
                nets[net['Name']] = {'NetworkID': '', 'EndpointID': '', 'Aliases': [], 'IPAMConfig':
                                     (endpoint or {}).get('IPAMConfig'), 'IPAddress': '', 'MacAddress': ''}
            raise EngineError('connect %s to network %s: the engine refused: %s' % (container, network, refused))
        if fixed:
            addr = fixed
        else:
            addr = next(str(h) for h in list(subnet.hosts())[1:] if str(h) not in taken)
        running = info['State']['Running']
        info['NetworkSettings']['Networks'][net['Name']] = {
            'NetworkID': net['Id'] if running else '', 'EndpointID': _new_id('e') if running else '',
            'Aliases': list((endpoint or {}).get('Aliases') or []) + [info['Id'][:12]],
            'IPAMConfig': (endpoint or {}).get('IPAMConfig'), 'IPAddress': addr if running else '', 'Links': None,
            'DriverOpts': None, 'MacAddress': '02:42:00:00:00:%02x' % (len(taken) + 2) if running else ''}
        self.configured[(container, net['Name'])] = net['Id']
        if info['State']['Running']:
            net['Containers'][info['Id']] = {'Name': container, 'IPv4Address': '%s/%d' % (addr, subnet.prefixlen),
                                             'IPv6Address': '', 'MacAddress': ''}

    def disconnect(self, container, network, force=False):
        def act():
            net, info = self._net(network), self._ctr(container)
            if info is None or net['Name'] not in info['NetworkSettings']['Networks']:
                raise EngineError('disconnect %s: the engine refused: not connected' % container)
            del info['NetworkSettings']['Networks'][net['Name']]
            self.configured.pop((container, net['Name']), None)
            net['Containers'].pop(info['Id'], None)
        return self._call('disconnect', (container, network), act)
