"""README.md's quick start does what the README says it does, on the real engine.

The playbook is read from the README's ```yaml block (names and the subnet moved
into this test's own), and run the way the README's steps say. Each step is
checked by what the engine has afterwards, read through the Docker SDK (not
through the collection): check mode plans create + connect with the exact
request body and makes nothing; the real run makes the network with that subnet
and gateway and puts the container at its fixed address with its alias; a second
run is one `none` step; a label change is a `recreate` that leaves a new network
with the label and the container back at its address and alias; without
recreate: reconnect it fails naming the container and changes nothing; the clean-up
command removes the network and leaves the container.
"""
import os
import re

import yaml

from ansible_collections.netprov.dockernet.tests.support.ansible_play import ROOT, play

QS_SUBNET = '198.18.10.'
OUR_SUBNET = '198.19.91.'
MANAGED = 'netprov.dockernet.managed'


def _quickstart(prefix):
    with open(os.path.join(ROOT, 'README.md')) as f:
        text = f.read()
    block = re.search(r'`quickstart\.yml`:\s*```yaml\n(.*?)```', text, re.S)
    assert block, 'README.md has no ```yaml block after `quickstart.yml`:'
    body = block.group(1).replace('qs-', prefix + '-').replace(QS_SUBNET, OUR_SUBNET)
    return yaml.safe_load(body)[0]


def _cleanup_command(prefix):
    """Step 5's ansible ad-hoc command: the module and its arguments."""
    with open(os.path.join(ROOT, 'README.md')) as f:
        text = f.read()
    found = re.search(r"ansible localhost -c local -m (\S+) -a '([^']*)'", text)
    assert found, "README.md's clean-up step has no ansible ad-hoc command"
    args = dict(kv.split('=', 1) for kv in found.group(2).replace('qs-', prefix + '-').split())
    return found.group(1), args


def _module_tasks(the_play):
    return [dict((k, v) for k, v in t.items() if k != 'register') for t in the_play['tasks']
            if any(k.startswith('netprov.dockernet.') for k in t)]


def _engine_view(client, net_name, container):
    """(network id, subnet, gateway, labels, the container's fixed address, its address, its aliases) on the engine."""
    net = client.api.inspect_network(net_name)
    cfg = net['IPAM']['Config'][0]
    container.reload()
    ep = container.attrs['NetworkSettings']['Networks'].get(net_name) or {}
    return (net['Id'], cfg.get('Subnet'), cfg.get('Gateway'), net['Labels'],
            (ep.get('IPAMConfig') or {}).get('IPv4Address'), ep.get('IPAddress'),
            sorted(a for a in ep.get('Aliases') or [] if a != container.id[:12]))


def test_readme_quickstart(client, scratch):
    the_play = _quickstart(scratch.prefix)
    assert the_play['module_defaults']['group/netprov.dockernet.docker']['docker_host']
    tasks = _module_tasks(the_play)
    assert len(tasks) == 2, tasks
    net = scratch.name('backend')
    web = scratch.container('web')
    here = OUR_SUBNET + '10'

    def run(labels=None, check=False, tasks=tasks):
        vars_ = dict(the_play['vars'], backend_labels=labels or {})
        return play(tasks, check=check, diff=check, play_vars=vars_,
                    module_defaults=the_play['module_defaults'])

    # 1. --check --diff: a create with the exact request body and a connect for the container; nothing made.
    planned = run(check=True)[0]
    create, connect = planned['plan']
    assert (create['action'], connect['action'], connect['container']) == ('create', 'connect', web.name)
    assert create['body']['Name'] == net and create['body']['Driver'] == 'bridge'
    assert create['body']['IPAM']['Config'] == [{'Subnet': OUR_SUBNET + '0/24', 'Gateway': OUR_SUBNET + '1'}]
    assert create['body']['Labels'] == {MANAGED: 'true'}
    assert connect['endpoint'] == {'Aliases': ['www'], 'IPAMConfig': {'IPv4Address': here}}
    assert planned['diff']['before'] == {} and planned['diff']['after']['ipam_config'][0]['subnet'] == OUR_SUBNET + '0/24'
    assert scratch.networks() == []

    # 2. The real run: the same two steps; the container is on the network at its address with its alias.
    applied = run()
    assert applied[0]['changed'] and applied[0]['plan'] == planned['plan']
    first = _engine_view(client, net, web)
    assert first[1:] == (OUR_SUBNET + '0/24', OUR_SUBNET + '1', {MANAGED: 'true'}, here, here, ['www'])
    assert applied[1]['network']['endpoints'][web.name]['ipv4_address'] == here

    # 3. Again: changed=0, one step, none, "matches the spec"; the network is the same one.
    again = run()[0]
    assert not again['changed'] and [(s['action'], s['reason']) for s in again['plan']] == [('none', 'matches the spec')]
    assert _engine_view(client, net, web) == first

    # 4. A label change is a recreate with a reconnect list: a new network with the label, the container back as it was.
    relabelled = run(labels={'tier': 'backend'})[0]
    step = relabelled['plan'][0]
    assert (step['action'], step['reason']) == ('recreate', 'labels.tier: unset -> backend')
    assert [r['container'] for r in step['reconnect']] == [web.name]
    after = _engine_view(client, net, web)
    assert after[0] != first[0], 'the network was not recreated'
    assert after[1:] == (OUR_SUBNET + '0/24', OUR_SUBNET + '1', {MANAGED: 'true', 'tier': 'backend'}, here, here,
                         ['www'])

    # ... and without recreate: reconnect it fails naming the container, and nothing is changed.
    never = [dict(tasks[0])]
    never[0]['netprov.dockernet.docker_network'] = dict(never[0]['netprov.dockernet.docker_network'])
    del never[0]['netprov.dockernet.docker_network']['recreate']
    refused = run(labels={'tier': 'db'}, tasks=never)[0]
    assert refused.get('failed') and web.name in refused['msg']
    assert _engine_view(client, net, web) == after

    # 5. The clean-up command removes the network; the container is the user's to remove.
    module, args = _cleanup_command(scratch.prefix)
    gone = play([{module: args}], module_defaults=the_play['module_defaults'])[0]
    assert gone['changed'] and scratch.networks() == []
    web.reload()
    assert web.status == 'running' and net not in web.attrs['NetworkSettings']['Networks']
