# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # How the ovs_* modules reach Open vSwitch (OVSDB through the official Python bindings).
    DOCUMENTATION = r'''
options:
  ovsdb:
    description:
      - The OVSDB server of the switch, V(unix:PATH) or V(tcp:IP:PORT).
      - Over a unix socket the switch runs on the managed host, and its ports' kernel links
        are checked there (they must exist, and the management path is guarded).
    type: str
    default: unix:/var/run/openvswitch/db.sock
  timeout:
    description:
      - Seconds to wait for OVSDB to answer, and for C(ovs-vswitchd) to apply a change
        (1-3600). A change OVSDB holds that C(ovs-vswitchd) has not applied in time is
        reported as a warning.
    type: int
    default: 30
requirements:
  - the Open vSwitch Python bindings (C(ovs) on PyPI, or Debian's C(python3-openvswitch)) on the managed host
'''

    # The netns option of ovs_bridge and ovs_port.
    NETNS = r'''
options:
  netns:
    description:
      - Network namespace where C(ovs-vswitchd) and the switch's links live, a name under
        C(/run/netns) or an absolute path such as C(/proc/PID/ns/net). Default is the module's own.
      - Used to check the kernel links a port names and to find the management path;
        OVSDB itself is reached through O(ovsdb).
    type: str
requirements:
  - pyroute2 on the managed host, when O(ovsdb) is a unix socket
'''
