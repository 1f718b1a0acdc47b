# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Open vSwitch: bridges and ports programmed through OVSDB.

``_db`` is the one OVSDB client (the official Open vSwitch Python bindings,
``ovs`` on PyPI): it reads the switch into plain dicts and applies a plan in
one OVSDB transaction. ``_model`` normalises the wanted bridge or port and
plans steps against a read, as pure functions; ``_guard`` finds the ports on
the management path with host_link's rules. The modules ovs_bridge, ovs_port
and ovs_info are thin over these.
"""
