"""The one runner: what it makes of a module's run() result or error."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common import runner
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError


class _Exit(Exception):
    pass


class FakeModule(object):
    def __init__(self, diff=False):
        self._diff = diff
        self.warnings = []
        self.exited = None

    def warn(self, msg):
        self.warnings.append(msg)

    def exit_json(self, **kwargs):
        self.exited = ('exit', kwargs)
        raise _Exit()

    def fail_json(self, **kwargs):
        self.exited = ('fail', kwargs)
        raise _Exit()


def _execute(run, diff=False):
    module = FakeModule(diff=diff)
    with pytest.raises(_Exit):
        runner.execute(module, run)
    return module


@pytest.mark.parametrize('diff', [False, True])
def test_warnings_are_emitted_and_the_diff_attached_only_under_diff(diff):
    module = _execute(lambda m: dict(changed=True, warnings=['w1', 'w2'], diff=dict(before={}, after={'a': 1})),
                      diff=diff)
    assert module.warnings == ['w1', 'w2']
    expected = dict(changed=True, diff=dict(before={}, after={'a': 1})) if diff else dict(changed=True)
    assert module.exited == ('exit', expected)


def test_a_failed_result_fails_with_everything_it_reports():
    module = _execute(lambda m: dict(changed=True, failed=True, msg='1 network(s) failed', done=['a'],
                                     warnings=['w']))
    assert module.warnings == ['w']
    assert module.exited == ('fail', dict(changed=True, failed=True, msg='1 network(s) failed', done=['a']))


def test_an_expected_error_is_one_message_with_its_details_and_the_warnings_found_before():
    def run(module):
        exc = ConflictError('in use', path='name', containers=['c1'])
        exc.warnings = ['kernel lacks ipvlan']
        raise exc
    module = _execute(run)
    assert module.warnings == ['kernel lacks ipvlan']
    assert module.exited == ('fail', dict(msg='name: in use', containers=['c1']))


def test_a_bug_keeps_its_traceback():
    def run(module):
        return {}['missing']
    module = _execute(run)
    kind, result = module.exited
    assert kind == 'fail' and result['msg'] == "unexpected error: 'missing'"
    assert 'Traceback' in result['exception'] and 'KeyError' in result['exception']
