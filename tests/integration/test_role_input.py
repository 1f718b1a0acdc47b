"""Role input is checked at the start: a misspelt kind or key in a list entry
fails before any task touches the host, naming the field and what it could be;
and the site playbook's own variables are read from inventory too.

The roles run on this machine (connection local) and must fail at their
argument check, so nothing here changes a link, a network or a file; should a
check let an entry through, it still cannot: the links and route devices named
do not exist, and the Docker modules are pointed at a socket no engine has. Part of
the smoke tier: run with each leg's ansible-playbook (tests/support/cores_legs.py).
"""
import json
import os
import re
import subprocess
import tempfile

import pytest
import yaml

from ansible_collections.netprov.dockernet.tests.support.ansible_play import PYTHON, ROOT, ansible_env
from ansible_collections.netprov.dockernet.tests.support.cores_legs import LEGS

# Each case: a host of its own, the role and the variables; what the run must say about it.
CASES = {
    'kind': ('interfaces', {'interfaces_links': [{'name': 'npcbad0', 'kind': 'vlna', 'parent': 'lo', 'vlan_id': 5}]},
             ['value of kind must be one of: vlan, macvlan, ipvlan, bridge, veth, vxlan, dummy, got: vlna '
              'found in interfaces_links']),
    'key': ('interfaces', {'interfaces_links': [{'name': 'lo', 'promsic': True}]},
            ['interfaces_links.promsic. Supported parameters include: ', 'promisc']),
    'route': ('interfaces', {'interfaces_routes': [{'dest': '198.19.162.0/24', 'dev': 'npcbad0', 'metirc': 5}]},
              ['interfaces_routes.metirc. Supported parameters include: ', 'metric']),
    'network': ('networks', {'networks_networks': [{'name': 'npc-bad', 'drivr': 'bridge'}]},
                ['networks_networks.drivr. Supported parameters include: ', 'driver']),
    'network_choice': ('networks', {'networks_networks': [{'name': 'npc-bad', 'macvlan_mode': 'bridged'}]},
                       ['value of macvlan_mode must be one of: bridge, private, vepa, passthru, got: bridged']),
    'defaults': ('networks', {'networks_defaults': {'lables': {'a': 'b'}}},
                 ['networks_defaults.lables. Supported parameters include: ', 'labels']),
    'pool': ('engine', {'engine_default_address_pools': [{'base': '198.19.162.0/24', 'sise': 26}]},
             ['engine_default_address_pools.sise. Supported parameters include: base, size',
              'missing required arguments: size found in engine_default_address_pools']),
    'overlay': ('swarm', {'swarm_networks': [{'name': 'npc-ov', 'attachible': True}]},
                ['swarm_networks.attachible. Supported parameters include: ', 'attachable']),
    'preflight': ('preflight', {'interfaces_links': [{'name': 'npcbad0', 'kind': 'vlna'}]},
                  ['value of kind must be one of: vlan, macvlan, ipvlan, bridge, veth, vxlan, dummy, got: vlna '
                   'found in preflight_links']),
}


def run_playbook(plays, inventory, *args, venv=None):
    venv = venv or os.path.join(ROOT, '.venv')
    with tempfile.TemporaryDirectory(prefix='netprov-input-') as tmp:
        pb = os.path.join(tmp, 'play.yml')
        with open(pb, 'w') as f:
            yaml.safe_dump(plays, f)
        inv = os.path.join(tmp, 'inventory')
        for rel, content in inventory.items():
            path = os.path.join(inv, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                yaml.safe_dump(content, f)
        cmd = [os.path.join(venv, 'bin', 'ansible-playbook'), '-i', inv, pb] + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False,
                              env=ansible_env({'ANSIBLE_PYTHON_INTERPRETER': os.path.join(venv, 'bin', 'python'),
                                               'DOCKER_HOST': 'unix://%s/no-engine.sock' % tmp}))


def failures(stdout):
    """host -> the msg of the task that failed on it."""
    out = {}
    for host, data in re.findall(r'^fatal: \[([^\]]+)\]: FAILED! => (\{.*\})$', stdout, re.M):
        out[host] = json.loads(data).get('msg', '')
    return out


def local_hosts(names):
    return dict((n, {'ansible_connection': 'local', 'ansible_python_interpreter': PYTHON}) for n in names)


@pytest.fixture(scope='module', params=LEGS, ids=[name for name, _venv in LEGS])
def leg_venv(request):
    return request.param[1]


@pytest.fixture(scope='module')
def bad_input_run(leg_venv):
    # One play: a play stops the playbook once every one of its hosts failed.
    hosts = local_hosts(CASES)
    for case, (role, role_vars, _want) in CASES.items():
        hosts[case].update(role_vars, npc_role='netprov.dockernet.' + role)
    plays = [{'name': 'bad input', 'hosts': 'all', 'gather_facts': False,
              'tasks': [{'name': 'the role', 'ansible.builtin.include_role': {'name': '{{ npc_role }}'}}]}]
    run = run_playbook(plays, {'hosts.yml': {'all': {'hosts': hosts}}}, venv=leg_venv)
    after = subprocess.run(['ip', '-o', 'link', 'show'], capture_output=True, text=True, check=True).stdout
    return run, after


@pytest.mark.parametrize('case', sorted(CASES))
def test_a_misspelt_kind_or_key_fails_at_the_start_naming_it(bad_input_run, case):
    run, after = bad_input_run
    assert run.returncode == 2, run.stdout[-4000:] + run.stderr[-2000:]
    msg = failures(run.stdout).get(case)
    assert msg is not None, run.stdout[-6000:]
    assert msg.startswith('Validation of arguments failed'), msg
    for want in CASES[case][2]:
        assert want in msg, (want, msg)
    # Nothing ran before the check: the role's include (ansible-core 2.16 does not count it as ok), then the check.
    recap = re.search(r'^%s\s+: ok=(\d+)\s+changed=(\d+).*failed=(\d+)' % re.escape(case), run.stdout, re.M)
    assert recap and recap.group(1) in ('0', '1') and recap.groups()[1:] == ('0', '1'), run.stdout[-3000:]
    assert 'npcbad0' not in after
    assert subprocess.run(['ip', 'route', 'show', '198.19.162.0/24'], capture_output=True, text=True,
                          check=True).stdout == ''
    lo = [line for line in after.splitlines() if line.startswith('1: lo:')]
    assert lo and 'PROMISC' not in lo[0]


def engine_play_batches(venv, serial_in_inventory, *args):
    """How many batches site.yml's engine play runs in, three hosts, nothing else run (no task has the tag)."""
    group_vars = {'site_engine_serial': serial_in_inventory} if serial_in_inventory is not None else {}
    names = ['npc1', 'npc2', 'npc3']
    # Every host in the group site.yml's read-only engine play puts the hosts with a change in (no task runs here).
    inventory = {'hosts.yml': {'all': {'children': {'docker_hosts': {'hosts': local_hosts(names)},
                                                    'site_engine_changes': {'hosts': dict((n, {}) for n in names)}}}},
                 'group_vars/docker_hosts.yml': group_vars}
    run = run_playbook([{'import_playbook': os.path.join(ROOT, 'playbooks', 'site.yml')}], inventory,
                       '--tags', 'netprov-none', '--skip-tags', 'always', *args, venv=venv)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return run.stdout.count('PLAY [Engine - daemon.json networking keys, one host at a time]')


def test_site_engine_serial_is_read_from_inventory(leg_venv):
    assert engine_play_batches(leg_venv, None) == 3  # the default: one host at a time
    assert engine_play_batches(leg_venv, 2) == 2
    assert engine_play_batches(leg_venv, 2, '-e', 'site_engine_serial=3') == 1  # -e still wins
