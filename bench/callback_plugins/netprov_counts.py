# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A bench callback: per host and role, how many tasks ran, were skipped, and how many module calls they made.

Enabled by bench/fleet.py with ANSIBLE_CALLBACK_PLUGINS=<this directory>,
ANSIBLE_CALLBACKS_ENABLED=netprov_counts and NETPROV_COUNTS_FILE=<path>. When
the playbook ends it writes

    {"hosts": {host: {role: {"tasks", "skipped", "changed", "failed", "calls"}}},
     "role_seconds": {role: wall seconds of its tasks}, "tasks": [[role, task, seconds], ...]}

A "module call" is one execution of a module on the host: a task that ran
(one per loop item that was not skipped), unless its action runs on the
controller only (set_fact, debug, assert, fail, include_tasks, meta, the
role argument check, ...).
Tasks outside any role count under the play's name. Handlers count under
their role. Wall seconds are from one task's start to the next's (the linear
strategy runs a task on every host before the next starts).
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import time

from ansible.plugins.callback import CallbackBase

# Actions that never execute a module on the host.
CONTROLLER_ONLY = frozenset(
    'ansible.builtin.' + a if '.' not in a else a for a in (
        'set_fact', 'debug', 'assert', 'fail', 'meta', 'include_tasks', 'import_tasks', 'include_role',
        'import_role', 'include_vars', 'add_host', 'group_by', 'set_stats', 'pause', 'validate_argument_spec'))


def _short(action):
    return action if '.' in action else 'ansible.builtin.' + action


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'netprov_counts'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.hosts = {}
        self.tasks = []
        self.play = 'play'
        self.current = None  # (role, task name, start)

    def _close_task(self):
        if self.current:
            role, name, start = self.current
            self.tasks.append([role, name, round(time.time() - start, 3)])
            self.current = None

    @staticmethod
    def _role(task, play):
        role = getattr(task, '_role', None)
        return role.get_name(include_role_fqcn=False) if role else play

    def v2_playbook_on_play_start(self, play):
        self._close_task()
        self.play = 'play: %s' % play.get_name()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close_task()
        self.current = (self._role(task, self.play), task.get_name(), time.time())

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _count(self, result, skipped=False, failed=False):
        task = result.task
        entry = self.hosts.setdefault(result.host.get_name(), {}).setdefault(
            self._role(task, self.play), {'tasks': 0, 'skipped': 0, 'changed': 0, 'failed': 0, 'calls': 0})
        entry['tasks'] += 1
        res = result.result
        if skipped:
            entry['skipped'] += 1
            return
        entry['changed'] += int(bool(res.get('changed')))
        entry['failed'] += int(failed)
        if _short(task.action) in CONTROLLER_ONLY:
            return
        items = res.get('results')
        if task.loop is not None and isinstance(items, list):
            entry['calls'] += sum(1 for r in items if not r.get('skipped'))
        else:
            entry['calls'] += 1

    def v2_runner_on_ok(self, result):
        self._count(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._count(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._count(result, failed=True)

    def v2_playbook_on_stats(self, stats):
        self._close_task()
        path = os.environ.get('NETPROV_COUNTS_FILE')
        if not path:
            return
        role_seconds = {}
        for role, _name, seconds in self.tasks:
            role_seconds[role] = round(role_seconds.get(role, 0) + seconds, 3)
        with open(path, 'w') as f:
            json.dump({'hosts': self.hosts, 'role_seconds': role_seconds, 'tasks': self.tasks}, f, indent=1)
