"""Every module's EXAMPLES is YAML that its argument spec accepts.

For each plugins/modules/*.py (whatever modules exist), EXAMPLES must parse as
a list of tasks, use the module at least once, and every task that calls a
module of this collection (by FQCN, in blocks too) must pass Ansible's own
argument validation against that module's real argument spec: option names,
suboptions, aliases, the Docker connection options, choices, types and the
module's mutually_exclusive / required_* rules.

The real spec is captured by running the module's main() with AnsibleModule
replaced by a stand-in that records its keyword arguments and stops.
Values that are Jinja templates cannot be type-checked before run time, so a
task with a template is checked for option names only.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import importlib
import os

import pytest
import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
from ansible_collections.netprov.dockernet.plugins.module_utils._common import runner as _runner

COLLECTION = 'netprov.dockernet'
MODULES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'plugins', 'modules')
MODULES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(MODULES_DIR, '*.py'))
                 if not os.path.basename(p).startswith('_'))
# Keys of a task that hold more tasks.
BLOCK_KEYS = ('block', 'rescue', 'always', 'tasks', 'pre_tasks', 'post_tasks', 'handlers')
# AnsibleModule keyword arguments that ArgumentSpecValidator also checks.
VALIDATOR_KWARGS = ('mutually_exclusive', 'required_together', 'required_one_of', 'required_if', 'required_by')


class _Captured(Exception):
    def __init__(self, kwargs):
        super(_Captured, self).__init__('AnsibleModule constructed')
        self.kwargs = kwargs


def _capturing_module(*args, **kwargs):
    if args:
        kwargs['argument_spec'] = args[0]
    raise _Captured(kwargs)


def _import(name):
    return importlib.import_module('ansible_collections.%s.plugins.modules.%s' % (COLLECTION, name))


_SPECS = {}


def module_kwargs(name):
    """The keyword arguments the module's main() passes to AnsibleModule."""
    if name not in _SPECS:
        mod = _import(name)
        original = _runner.AnsibleModule
        _runner.AnsibleModule = _capturing_module
        try:
            mod.main()
        except _Captured as captured:
            _SPECS[name] = captured.kwargs
        else:
            pytest.fail('%s: main() returned without constructing AnsibleModule' % name)
        finally:
            _runner.AnsibleModule = original
    return _SPECS[name]


def _tasks(items, where):
    """Every task in a list of tasks or plays, blocks flattened, each with its path."""
    assert isinstance(items, list), '%s: expected a list of tasks, got %s' % (where, type(items).__name__)
    for i, item in enumerate(items):
        path = '%s[%d]' % (where, i)
        assert isinstance(item, dict), '%s: a task must be a mapping' % path
        nested = [k for k in BLOCK_KEYS if k in item]
        if nested:
            for key in nested:
                yield from _tasks(item[key], '%s.%s' % (path, key))
        else:
            yield path, item


def _our_calls(task):
    """(module short name, args) for each key of the task naming one of our modules by FQCN."""
    prefix = COLLECTION + '.'
    return [(key[len(prefix):], value) for key, value in task.items() if key.startswith(prefix)]


def _has_template(value):
    if isinstance(value, str):
        return '{{' in value or '{%' in value
    if isinstance(value, dict):
        return any(_has_template(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_template(v) for v in value)
    return False


def _errors(name, args):
    kwargs = module_kwargs(name)
    validator = ArgumentSpecValidator(kwargs['argument_spec'],
                                      **dict((k, kwargs[k]) for k in VALIDATOR_KWARGS if kwargs.get(k)))
    result = validator.validate(args)
    errors = list(result.errors)
    if _has_template(args):
        errors = [e for e in errors if isinstance(e, UnsupportedError)]
    return [str(e) for e in errors]


def _examples(name):
    text = _import(name).EXAMPLES
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        pytest.fail('%s EXAMPLES is not valid YAML: %s' % (name, exc))


@pytest.mark.parametrize('name', MODULES)
def test_examples_are_tasks_that_use_the_module(name):
    examples = _examples(name)
    calls = [call for _path, task in _tasks(examples, 'EXAMPLES') for call in _our_calls(task)]
    assert name in [c[0] for c in calls], \
        '%s EXAMPLES never calls %s.%s by its FQCN' % (name, COLLECTION, name)
    for called, _args in calls:
        assert called in MODULES, '%s EXAMPLES calls %s.%s, which does not exist' % (name, COLLECTION, called)


@pytest.mark.parametrize('name', MODULES)
def test_example_options_exist_in_the_argument_spec(name):
    problems = []
    for path, task in _tasks(_examples(name), 'EXAMPLES'):
        for called, args in _our_calls(task):
            if called not in MODULES:
                continue
            if args is None:
                args = {}
            if not isinstance(args, dict):
                problems.append('%s (%s): arguments must be a mapping, not %r' % (path, called, args))
                continue
            problems.extend('%s %r (%s): %s' % (path, task.get('name', ''), called, err)
                            for err in _errors(called, args))
    assert not problems, '%s EXAMPLES:\n%s' % (name, '\n'.join(problems))


def test_every_module_is_checked():
    assert MODULES, 'no modules found under %s' % MODULES_DIR


# The checker itself: it must catch what it is there to catch.
def test_checker_rejects_an_unknown_option_and_suboption():
    errs = _errors('docker_network', {'name': 'x', 'no_such_option': 1,
                                      'ipam_config': [{'subnet': '198.18.184.0/24', 'bogus': 1}]})
    text = ' '.join(errs)
    assert 'no_such_option' in text and 'bogus' in text


def test_checker_accepts_aliases_and_connection_options():
    assert _errors('docker_network', {'network_name': 'x', 'docker_url': 'unix:///var/run/docker.sock',
                                      'tls_verify': False, 'ipam_config': [{'subnet': '198.18.184.0/24',
                                                                            'ip_range': '198.18.184.0/25'}]}) == []


def test_checker_rejects_a_bad_choice_unless_templated():
    assert _errors('docker_network', {'name': 'x', 'state': 'gone'})
    assert _errors('docker_network', {'name': 'x', 'state': '{{ wanted }}'}) == []
    assert _errors('docker_network', {'name': '{{ n }}', 'bogus': '{{ x }}'})
