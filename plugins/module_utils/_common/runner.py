# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one runner every module goes through.

A module gives ``run_module`` its argument spec and its ``run(module)``; ``run`` reads the current
state, plans, then predicts (check mode) or applies, and describes before/after. It returns its
result as a dict, with two keys the runner takes out of it:

``warnings``
    what the user should read; the runner emits each one (also when ``run`` fails, see below).
``diff``
    ``dict(before=..., after=...)``; the runner attaches it only under ``--diff``.

A result with ``failed=True`` (and a ``msg``) is a failure that still reports what was done.
A ``NetprovError`` becomes one message with its details; any other exception is a bug and keeps
its traceback. Warnings found before the failure travel on the exception as ``warnings`` (a list
the module's ``run`` sets) and are emitted all the same. Nothing else in the collection calls
``exit_json`` or ``fail_json``.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import NetprovError


def run_module(argument_spec, run, connection=None, **module_kwargs):
    """Build the AnsibleModule (``connection``'s shared options first, the module's own over them),
    run ``run`` through ``execute`` and exit. Every module's main() is this one call."""
    spec = dict(connection or {})
    spec.update(argument_spec)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **module_kwargs)
    execute(module, run)


def _warn(module, warnings):
    for warning in warnings or ():
        module.warn(warning)


def execute(module, run):
    """exit_json with run(module)'s result; an expected error is one message, a bug keeps its traceback."""
    try:
        result = run(module)
    except NetprovError as exc:
        _warn(module, getattr(exc, 'warnings', None))
        module.fail_json(msg=str(exc), **exc.details)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        _warn(module, getattr(exc, 'warnings', None))
        module.fail_json(msg='unexpected error: %s' % exc, exception=traceback.format_exc())
    _warn(module, result.pop('warnings', None))
    diff = result.pop('diff', None)
    if module._diff and diff is not None:
        result['diff'] = diff
    if result.get('failed'):
        module.fail_json(**result)
    module.exit_json(**result)
