# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the host_* modules share: the netns option and the checks of the numbers pyroute2 packs.

The modules run through ``_common.runner.run_module``, the one place every module of
the collection turns results and errors into Ansible's exit calls.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import numbers

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError

HOST_COMMON_ARGS = dict(netns=dict(type='str'))

# The widths netlink gives these fields; pyroute2 packs them with struct and
# raises struct.error (no field named) for a value that does not fit.
U16 = 2 ** 16 - 1
U32 = 2 ** 32 - 1


def check_int(value, low, high, path):
    """``value`` if it is a whole number in low..high, else a ValidationError naming ``path`` and the range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValidationError('%r is not a whole number; give one in %d..%d' % (value, low, high), path=path)
    if not low <= value <= high:
        raise ValidationError('%d is outside %d..%d' % (value, low, high), path=path)
    return int(value)
