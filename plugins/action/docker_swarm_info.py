# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run docker_swarm_info, and hide its whole result from output when it carries a secret.

A module cannot mark its own result no_log: Ansible strips ``_ansible_*`` keys
from module returns (with a warning), and adding the
token to ``module.no_log_values`` replaces it by ``********`` in the returned
data itself, so the next task could not use it. An action plugin may set
``_ansible_no_log``: callbacks then print only "censored" at any verbosity,
while the registered variable keeps the values.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

SECRET_KEYS = ('join_tokens', 'unlock_key')


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        result.update(self._execute_module(module_name='netprov.dockernet.docker_swarm_info',
                                           module_args=self._task.args, task_vars=task_vars))
        asked = any(boolean(self._task.args.get(key, False), strict=False) for key in SECRET_KEYS)
        if asked or any(key in result for key in SECRET_KEYS):
            result['_ansible_no_log'] = True
        return result
