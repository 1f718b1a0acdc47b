"""Run playbooks/encrypted_overlay.yml (an encrypted overlay, checked in the kernel) against a set of engines and read back its results.

    inv = write_inventory(path, [('engine1', 'unix:///.../docker.sock', '198.19.20.1'), ...],
                          swarm_pool=..., overlay_name=..., overlay_subnet=..., container_prefix=..., image=...)
    proc, results = run_playbook(inv, '/tmp/x/results.json', '--skip-tags', 'ping')
    results['engine1']['overlay_info']['network']['encryption']

Each host is reached with ansible_connection=local and the venv's python;
the engines are told apart by their docker_host.
"""
import json
import os
import subprocess

from ansible_collections.netprov.dockernet.tests.support.ansible_play import PYTHON, ROOT, ansible_env

HERE = os.path.join(ROOT, 'tests', 'integration')
PLAYBOOK = os.path.join(HERE, 'playbooks', 'encrypted_overlay.yml')
CALLBACKS = os.path.join(HERE, 'callback_plugins')


def write_inventory(path, engines, **group_vars):
    """engines: [(name, docker_host, esp_addr)], the first one the manager."""
    lines = ['[engines]']
    for name, docker_host, addr in engines:
        lines.append('%s ansible_connection=local ansible_python_interpreter=%s docker_host=%s esp_addr=%s'
                     % (name, PYTHON, docker_host, addr))
    lines += ['', '[engines:vars]'] + ['%s=%s' % kv for kv in sorted(group_vars.items())] + ['']
    with open(path, 'w') as f:
        f.write('\n'.join(lines))
    return path


def run_playbook(inventory, results_file, *args, env=None, callbacks=(), timeout=900):
    """ansible-playbook on the scenario; returns (CompletedProcess, {host: {register name: result}}).

    The results come from the netprov_results callback (callback_plugins/); a task that was never
    reached has no entry. ``callbacks``: more callbacks to enable (e.g. ansible.builtin.junit).
    """
    if os.path.exists(results_file):
        os.unlink(results_file)
    cmd = [os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), '-i', inventory, PLAYBOOK] + list(args)
    extra = {
        'ANSIBLE_PIPELINING': 'true',  # one process per task: it counts on a slow host
        'ANSIBLE_CALLBACK_PLUGINS': CALLBACKS,
        'ANSIBLE_CALLBACKS_ENABLED': ','.join(('netprov_results',) + tuple(callbacks)),
        'NETPROV_RESULTS_FILE': results_file,
    }
    extra.update(env or {})
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(extra), timeout=timeout, check=False)
    results = {}
    if os.path.exists(results_file):
        with open(results_file) as f:
            results = json.load(f)
    return proc, results


def retries(results):
    """Each failed attempt of a retried task, as a line for the test's log: 'host: task (attempt a/n): why'."""
    return ['%s: %s (attempt %s/%s): %s' % (host, r['task'], r['attempt'], r['retries'], r['why'])
            for host, res in sorted(results.items()) for r in res.get('_retries', [])]
