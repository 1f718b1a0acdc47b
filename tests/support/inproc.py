"""Call a module's real main() in this process: Ansible's real argument validation, no ansible-playbook.

A playbook run costs about 1.5 s a call; this costs milliseconds, so property
tests and fuzzing can make thousands of calls. Everything between the
arguments and the result is the module's own code path: AnsibleModule with
the module's argument_spec (types, choices, required, aliases, no_log),
check and diff mode flags, the module's run(), and exit_json/fail_json with
no_log values removed. Only the last step, printing the JSON, is replaced by
keeping the dict (AnsibleModule._record_module_result, the hook that exists
for in-worker execution).
"""
import importlib
import json
import os
import sys
import traceback

from ansible.module_utils import basic
from ansible.module_utils._internal import _traceback
from ansible.module_utils.common import warnings as _warnings
from ansible.module_utils.testing import patch_module_args

# The collection as ansible_collections.netprov.dockernet (scripts/bootstrap.sh makes the link).
COLLECTIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), '.build', 'collections')
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

PACKAGE = 'ansible_collections.netprov.dockernet.plugins.modules.'


class Call(object):
    """One module call: its result dict, and how it ended."""

    def __init__(self, module, args, result, crash=None):
        self.module = module
        self.args = args
        self.result = result or {}
        self.crash = crash  # a traceback that escaped main() or that execute() caught as a bug

    @property
    def failed(self):
        return bool(self.result.get('failed'))

    @property
    def traceback(self):
        """The traceback of a bug, or None for a clean success or a clean failure."""
        if self.crash:
            return self.crash
        msg = self.result.get('msg') or ''
        if self.failed and msg.startswith('unexpected error'):  # what _runner.execute says of a bug
            return '%s\n%s' % (self.result.get('exception') or '', msg)
        return None

    def __getitem__(self, key):
        return self.result[key]

    def get(self, key, default=None):
        return self.result.get(key, default)

    def __repr__(self):
        return 'Call(%s, failed=%s, msg=%r)' % (self.module, self.failed, self.result.get('msg'))


def call(module, args, check=False, diff=False):
    """Run ``module`` (short name, e.g. 'docker_network') with ``args``; returns a Call."""
    mod = importlib.import_module(PACKAGE + module)
    params = dict(args)
    params['_ansible_check_mode'] = bool(check)
    params['_ansible_diff'] = bool(diff)
    kept = []
    original = basic.AnsibleModule._record_module_result

    def record(self, result):
        kept.append(result)
    _warnings._global_warnings.clear()
    _warnings._global_deprecations.clear()
    # As at -vvv: a bug's fail_json keeps its traceback, so it can be told apart and located.
    _traceback._module_tracebacks_enabled_events = frozenset([_traceback.TracebackEvent.ERROR])
    basic.AnsibleModule._record_module_result = record
    crash = None
    try:
        with patch_module_args(params):
            try:
                mod.main()
            except SystemExit:
                pass
            except Exception:  # pylint: disable=broad-exception-caught
                crash = traceback.format_exc()
    finally:
        basic.AnsibleModule._record_module_result = original
        _warnings._global_warnings.clear()
        _warnings._global_deprecations.clear()
    result = dict(kept[-1]) if kept else {}
    if result.get('warnings'):
        result['warnings'] = [_message(w) for w in result['warnings']]
    if not kept and crash is None:
        crash = 'main() returned without exit_json or fail_json'
    return Call(module, args, result, crash)


def _message(warning):
    event = getattr(warning, 'event', None)
    return getattr(event, 'msg', None) or str(warning)


def run_module(module, args, check=False, diff=False):
    """ansible_play.run_module's result without an ansible-playbook run: for tests about a module's work
    (what it plans, changes, refuses), not about the playbook around it.

    ``module`` may be the fully qualified name. The result has the keys a
    registered result has at the default verbosity (``changed`` always,
    ``failed`` on failure, no ``exception`` for a clean failure); a bug that
    escaped the module fails the test with its traceback.
    """
    done = call(module.rsplit('.', 1)[-1], args, check=check, diff=diff)
    if done.crash:
        raise AssertionError('%s crashed:\n%s' % (module, done.crash))
    result = dict(done.result)
    if done.traceback is None:
        result.pop('exception', None)
    result.setdefault('changed', False)
    return result


class Tasks(object):
    """What ``play`` returns: ``results[i]`` (also ``[i]``) is task i's result, as ansible_play.play's."""

    def __init__(self, results):
        self.results = results

    def __getitem__(self, i):
        return self.results[i]


def play(tasks, check=False, diff=False):
    """ansible_play.play's results without an ansible-playbook run: each task ``{module: args}`` (with
    ``check_mode``/``diff`` of its own if given) called in-process in turn, a failure kept going as there."""
    results = []
    for task in tasks:
        task = dict(task)
        task_check = task.pop('check_mode', check)
        task_diff = task.pop('diff', diff)
        if len(task) != 1:
            raise ValueError('an in-process task is one module and its arguments, not %r' % sorted(task))
        (module, args), = task.items()
        if '{{' in json.dumps(args):
            raise ValueError('%s: a templated argument needs ansible-playbook (ansible_play.play)' % module)
        results.append(run_module(module, args, check=task_check, diff=task_diff))
    return Tasks(results)
