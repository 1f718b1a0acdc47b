"""The interfaces role builds each host_link/host_route call once, for its preview and its real run alike.

arm_rollback.yml previews (check mode) exactly the task file main.yml runs,
tasks/apply.yml; and that file passes every option an interfaces_links entry
can carry, so a management-path change of any of them is previewed and arms
the rollback timer. The real behaviour is tested in
tests/integration/test_host_link_role_rollback.py.
"""
import os

import yaml

from ansible_collections.netprov.dockernet.plugins.modules import host_link, host_route

ROLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'roles', 'interfaces')


def _tasks(name):
    with open(os.path.join(ROLE, 'tasks', name)) as f:
        return yaml.safe_load(f)


def _includes(tasks):
    for task in tasks:
        inc = task.get('ansible.builtin.include_tasks')
        if inc:
            yield (inc['file'] if isinstance(inc, dict) else inc), inc, task.get('vars') or {}


def test_the_preview_runs_the_task_file_of_the_real_run():
    real = [i for i in _includes(_tasks('main.yml')) if i[0] == 'apply.yml']
    preview = [i for i in _includes(_tasks('arm_rollback.yml')) if i[0] == 'apply.yml']
    assert len(real) == 1 and len(preview) == 1
    assert real[0][2] == {'__interfaces_preview': False}
    assert preview[0][2] == {'__interfaces_preview': True}
    assert preview[0][1]['apply'] == {'check_mode': True}
    assert not [t for t in _tasks('main.yml') + _tasks('arm_rollback.yml')
                if 'netprov.dockernet.host_link' in t or 'netprov.dockernet.host_route' in t]


def test_apply_passes_every_option_of_a_link_and_a_route():
    tasks = dict((t['name'], t) for t in _tasks('apply.yml'))
    links = tasks['Links, in dependency order']['netprov.dockernet.host_link']
    link_options = set(yaml.safe_load(host_link.DOCUMENTATION)['options'])
    # netns: the role manages the host's own namespace
    assert set(links) == link_options - {'netns'}, link_options.symmetric_difference(links)
    for name, value in links.items():
        if name not in ('allow_management', 'kernel_check'):
            assert 'item.%s' % name in value, (name, value)
    routes = tasks['Routes']['netprov.dockernet.host_route']
    assert set(routes) == set(yaml.safe_load(host_route.DOCUMENTATION)['options']) - {'netns'}
    for task in tasks.values():
        assert task['failed_when'].startswith(task['register'] + ' is failed and not __interfaces_preview and '
                                              '__interfaces_on_made | length == 0'), task['name']
        assert task['changed_when'] == task['register'] + ' is changed or __interfaces_on_made | length > 0'
        assert task['vars']['__interfaces_on_made'].count(task['register'] + '.msg') == 1, task['name']
        module = [v for k, v in task.items() if k.startswith('netprov.dockernet.')][0]
        assert module['allow_management'] == '{{ interfaces_allow_management }}', task['name']
