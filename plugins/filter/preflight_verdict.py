# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight role's verdict: its checks run on the controller, as a filter."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.netprov.dockernet.plugins.plugin_utils._preflight import verdict


def preflight_verdict(facts, want):
    for name, value in (('the input (facts)', facts), ('want', want)):
        if not isinstance(value, dict):
            raise AnsibleFilterError('preflight_verdict: %s must be a dict, got %s' % (name, type(value).__name__))
    return verdict(facts, want)


class FilterModule(object):
    def filters(self):
        return {'preflight_verdict': preflight_verdict}
