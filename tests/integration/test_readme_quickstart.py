"""README.md's quick start does what the README says it does, on the real engine.

The playbook is read from the README's ```yaml block (names and the subnet moved
into this test's own), and run the way the README's steps say: check mode
plans create + connect, the real run applies it, a second run is one `none`
step, a label change is a `recreate` that keeps the container's address and
alias (and, without recreate: reconnect, fails naming the container).
"""
import os
import re

import yaml

from ansible_play import ROOT, play

QS_SUBNET = '198.18.10.'
OUR_SUBNET = '198.18.187.'


def _quickstart(prefix):
    with open(os.path.join(ROOT, 'README.md')) as f:
        text = f.read()
    block = re.search(r'`quickstart\.yml`:\s*```yaml\n(.*?)```', text, re.S)
    assert block, 'README.md has no ```yaml block after `quickstart.yml`:'
    body = block.group(1).replace('qs-', prefix + '-').replace(QS_SUBNET, OUR_SUBNET)
    return yaml.safe_load(body)[0]


def _module_tasks(the_play):
    return [dict((k, v) for k, v in t.items() if k != 'register') for t in the_play['tasks']
            if any(k.startswith('netprov.dockernet.') for k in t)]


def test_readme_quickstart(scratch):
    the_play = _quickstart(scratch.prefix)
    assert the_play['module_defaults']['group/netprov.dockernet.docker']['docker_host']
    tasks = _module_tasks(the_play)
    assert len(tasks) == 2, tasks
    net = scratch.name('backend')
    scratch.container('web')

    def run(labels=None, check=False, tasks=tasks):
        vars_ = dict(the_play['vars'], backend_labels=labels or {})
        return play(tasks, check=check, diff=check, play_vars=vars_,
                    module_defaults=the_play['module_defaults'])

    planned = run(check=True)[0]
    assert [s['action'] for s in planned['plan']] == ['create', 'connect']
    assert scratch.networks() == []

    applied = run()
    assert applied[0]['changed'] and [s['action'] for s in applied[0]['plan']] == ['create', 'connect']
    web = applied[1]['network']['endpoints'][scratch.name('web')]
    assert web['ipv4_address'] == OUR_SUBNET + '10' and web['aliases'] == ['www']

    again = run()[0]
    assert not again['changed'] and [s['action'] for s in again['plan']] == ['none']

    relabelled = run(labels={'tier': 'backend'})
    assert relabelled[0]['plan'][0]['action'] == 'recreate'
    assert relabelled[0]['plan'][0]['reason'] == 'labels.tier: unset -> backend'
    web = relabelled[1]['network']['endpoints'][scratch.name('web')]
    assert web['ipv4_address'] == OUR_SUBNET + '10' and web['aliases'] == ['www']

    never = [dict(tasks[0])]
    never[0]['netprov.dockernet.docker_network'] = dict(never[0]['netprov.dockernet.docker_network'])
    del never[0]['netprov.dockernet.docker_network']['recreate']
    refused = run(labels={'tier': 'db'}, tasks=never)[0]
    assert refused.get('failed') and scratch.name('web') in refused['msg']
