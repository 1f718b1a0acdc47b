# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Describing networks for docker_network_info, in the planner's normalised shape."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._spec import endpoint_from_container, normalise_have


def describe_network(state, net_id):
    """One network with its endpoints, each enriched with what the container says of it."""
    net = normalise_have(state.engine.inspect_network(net_id))
    for cname, ep in net['endpoints'].items():
        info = state.container(ep['id'])
        if info is None:
            continue
        rec = endpoint_from_container(info, net['name'])
        ep.update(aliases=rec['aliases'], ipv4_address=rec['ipv4_address'], ipv6_address=rec['ipv6_address'],
                  links=rec['links'], service=rec['service'])
    return net
