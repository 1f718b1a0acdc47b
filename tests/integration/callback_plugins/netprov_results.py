"""A test callback: write what each registered task returned, per host, to a JSON file.

Enabled with ANSIBLE_CALLBACK_PLUGINS=<this directory>,
ANSIBLE_CALLBACKS_ENABLED=netprov_results and NETPROV_RESULTS_FILE=<path>
(tests/support/esp_playbook.py does it). The file holds
{host: {register name: result}} for every task with `register` that ran or
was skipped by `when`; tasks never reached are absent. `_retries` lists
each failed attempt of an `until` task with its reason. Results of no_log
tasks arrive censored, so secrets never reach the file. It is written when
the play ends, whether it failed or not, at no cost in tasks: on a slow host
a task that writes a file costs several seconds.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'netprov_results'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.results = {}

    def _record(self, result, **status):
        name = result.task.register
        if name:
            # the status is the event's, not a key of the result: put it back as a registered result has it
            self.results.setdefault(result.host.get_name(), {})[name] = dict(result.result, **status)

    def v2_runner_on_ok(self, result):
        self._record(result, failed=False)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_retry(self, result):
        """Each failed attempt of an `until` task, under the host's `_retries`: task, attempt, why."""
        r = result.result
        why = ' '.join(str(r.get(k) or '') for k in ('msg', 'stderr', 'stdout')).strip()
        self.results.setdefault(result.host.get_name(), {}).setdefault('_retries', []).append(
            {'task': result.task_name, 'attempt': r.get('attempts'), 'retries': r.get('retries'), 'why': why[:2000]})

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('NETPROV_RESULTS_FILE')
        if path:
            with open(path, 'w') as f:
                json.dump(self.results, f, default=str)
