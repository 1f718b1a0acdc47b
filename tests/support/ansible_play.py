"""Run tasks through a real `ansible-playbook` process and read back what each returned.

Every task is registered and kept going on failure; a last task writes the
registered results to a JSON file, so a test asserts on what a user's
playbook would see (changed, plan, diff, msg), not on printed text.
"""
import json
import os
import subprocess
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON = os.path.join(ROOT, '.venv', 'bin', 'python')


def ansible_env(extra=None):
    env = dict(os.environ)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': os.path.join(ROOT, '.build', 'collections'),
        'ANSIBLE_PYTHON_INTERPRETER': PYTHON,
        'ANSIBLE_LOCALHOST_WARNING': 'false',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_RETRY_FILES_ENABLED': 'false',
        'PATH': os.path.join(ROOT, '.venv', 'bin') + ':/usr/sbin:/sbin:' + env.get('PATH', ''),
    })
    env.update(extra or {})
    return env


# module_defaults for a role run on the fleet's inventory hosts (tests/support/fleet.py): the Docker modules reach each
# host's engine at its docker_host, and a task delegated to another host reaches that host's.
FLEET_ROLE_DEFAULTS = {'group/netprov.dockernet.docker': {'docker_host': (
    '{{ ansible_delegated_vars[ansible_delegated_vars.keys() | first].docker_host '
    'if ansible_delegated_vars is defined else docker_host }}')}}


class PlayResult(object):
    def __init__(self, rc, stdout, stderr, results):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.results = results  # one per task, per host: results[i][host]

    def __getitem__(self, i):
        return self.results[i]


def play(tasks, hosts='localhost', inventory=None, check=False, diff=False, play_vars=None,
         verbosity=0, env=None, module_defaults=None, timeout=600, wrapper=None):
    """Run ``tasks`` (a list of task dicts) and return a PlayResult.

    results[i] is task i's registered result for the first host when the
    play has one host, else a dict host -> result. ``wrapper``: an argv
    prefix ansible-playbook runs under (ssh_double.wrapper(): an SSH session).
    """
    with tempfile.TemporaryDirectory(prefix='netprov-play-') as tmp:
        out = os.path.join(tmp, 'results.json')
        wrapped = []
        for i, task in enumerate(tasks):
            t = dict(task)
            t.setdefault('ignore_errors', True)
            t['register'] = '__r%d' % i
            wrapped.append(t)
        keys = ['__r%d' % i for i in range(len(tasks))]
        dump = '{{ {%s} | to_json }}' % ', '.join('"%s": %s | default({})' % (k, k) for k in keys)
        wrapped.append({'name': 'dump results', 'delegate_to': 'localhost', 'check_mode': False,
                        'no_log': True,
                        'ansible.builtin.copy': {'content': dump, 'dest': out + '.{{ inventory_hostname }}'}})
        the_play = {'hosts': hosts, 'gather_facts': False, 'tasks': wrapped}
        if play_vars:
            the_play['vars'] = play_vars
        if module_defaults:
            the_play['module_defaults'] = module_defaults
        pb = os.path.join(tmp, 'play.yml')
        with open(pb, 'w') as f:
            yaml.safe_dump([the_play], f)
        inv = inventory
        if inv is None:
            inv = os.path.join(tmp, 'inventory.ini')
            with open(inv, 'w') as f:
                f.write('localhost ansible_connection=local ansible_python_interpreter=%s\n' % PYTHON)
        cmd = list(wrapper or []) + [os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), '-i', inv, pb]
        if check:
            cmd.append('--check')
        if diff:
            cmd.append('--diff')
        if verbosity:
            cmd.append('-' + 'v' * verbosity)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(env), timeout=timeout, check=False)
        per_host = {}
        for name in os.listdir(tmp):
            if name.startswith('results.json.'):
                with open(os.path.join(tmp, name)) as f:
                    per_host[name[len('results.json.'):]] = json.load(f)
        results = []
        for i in range(len(tasks)):
            by_host = dict((h, r.get('__r%d' % i, {})) for h, r in per_host.items())
            results.append(next(iter(by_host.values())) if len(by_host) == 1 else by_host)
        if not per_host:
            raise AssertionError('playbook produced no results (rc=%s)\nSTDOUT:\n%s\nSTDERR:\n%s'
                                 % (proc.returncode, proc.stdout[-4000:], proc.stderr[-4000:]))
        return PlayResult(proc.returncode, proc.stdout, proc.stderr, results)


def run_module(module, args, **kw):
    """One module call; returns its result dict."""
    return play([{module: args}], **kw)[0]
