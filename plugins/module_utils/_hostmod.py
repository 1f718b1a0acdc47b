# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the host_* modules share: the netns option and the one place errors become fail_json."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._errors import NetprovError

HOST_COMMON_ARGS = dict(netns=dict(type='str'))


def run_module(module, run):
    """exit_json with run(module)'s result, or fail_json with a NetprovError's message and details."""
    try:
        result = run(module)
    except NetprovError as exc:
        module.fail_json(msg=str(exc), **exc.details)
    module.exit_json(**result)
