# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The namespace option of the host_* modules (netlink through pyroute2).
    DOCUMENTATION = r'''
options:
  netns:
    description:
      - Network namespace to work in, a name under C(/run/netns) or an absolute
        path such as C(/proc/PID/ns/net). Default is the module's own.
    type: str
requirements:
  - pyroute2 >= 0.9 on the managed host (network namespaces through IPRoute(netns=...), new in 0.9)
'''
