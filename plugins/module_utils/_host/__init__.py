# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host links and routes, through netlink (pyroute2).

netlink: reading and changing links, addresses and routes, optionally in a
network namespace; links: the host_link planner and applier; routes: the
host_route planner and applier; persist: the files that keep a link across a
reboot; probes: trying a kernel feature for real in a scratch namespace.
linkset and routeset: a host's whole set of links, or of routes, in one call
(host_links, host_routes; host_link and host_route go through them with one
entry), each entry checked by entries against the one-item argument spec and
planned by links or routes.
"""
