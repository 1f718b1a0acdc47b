# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Open vSwitch: bridges and ports programmed through OVSDB, and containers attached to them.

``db`` is the one OVSDB client (the official Open vSwitch Python bindings,
``ovs`` on PyPI): it reads the switch into plain dicts and applies a plan in
one OVSDB transaction. ``model`` normalises the wanted bridge or port, plans
steps against a read and simulates them, as pure functions, and guards the
management path with host_link's rules (``_host.links``). ``conn`` holds the
connection options and the one read-plan-apply loop; ``attach`` puts a Docker
container on a bridge the way ovs-docker does. The modules ovs_bridge,
ovs_port, ovs_info and ovs_container_port are thin over these.
"""
