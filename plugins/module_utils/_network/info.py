# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Describing networks for docker_network_info, in the planner's normalised shape."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._overlay import xfrm as _xfrm
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import (
    endpoint_from_inspect, network_from_inspect, peer_addresses)


def describe_network(state, net_id):
    """One network with its endpoints, each enriched with what the container says of it; None if gone."""
    raw = state.engine.find_network(net_id)
    if raw is None:
        return None
    net = network_from_inspect(raw, state.members(raw))
    for cname, ep in net['endpoints'].items():
        info = state.container(ep['id'])
        if info is None:
            continue
        rec = endpoint_from_inspect(info, net['name'])
        ep.update(aliases=rec['aliases'], ipv4_address=rec['ipv4_address'], ipv6_address=rec['ipv6_address'],
                  links=rec['links'], service=rec['service'])
    if net['driver'] == 'overlay' and net['encrypted']:
        net['encryption'] = encryption_of(state, raw)
    return net


def encryption_of(state, raw):
    """The kernel's word on an encrypted overlay this engine has joined."""
    engine = state.engine
    peers = peer_addresses(raw)
    own = ((state.swarm_info() or {}).get('NodeAddr')) or None
    base = {'active': None, 'peers': [], 'missing': [], 'algorithm': None, 'states': 0, 'packets_out': 0,
            'reason': None}
    if not engine.is_local:
        base['reason'] = 'the engine is not on this host; run the task on the engine\'s host to read its xfrm states'
        return base
    if not own:
        base['reason'] = 'the engine is not in a swarm'
        return base
    try:
        text = _xfrm.read_states(engine.netns_path())
    except (OSError, ValueError) as exc:
        base['reason'] = 'could not read xfrm states: %s' % exc
        return base
    report = _xfrm.encryption_report(_xfrm.parse_states(text), own, peers)
    report['reason'] = None if report['active'] else (
        'no other node has joined this network yet' if not report['missing'] and not report['peers']
        else 'no ESP states with reqid 0xd0c4e3 towards: %s' % ', '.join(report['missing']))
    return report
