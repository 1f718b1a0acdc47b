# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place modules turn results and errors into Ansible's exit calls."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import traceback

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import NetprovError


def execute(module, run):
    """exit_json with run(module)'s result; an expected error is one message, a bug keeps its traceback."""
    try:
        result = run(module)
    except NetprovError as exc:
        module.fail_json(msg=str(exc), **exc.details)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        module.fail_json(msg='unexpected error: %s' % exc, exception=traceback.format_exc())
    module.exit_json(**result)
