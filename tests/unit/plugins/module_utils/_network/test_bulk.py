"""docker_networks' merging, classification and docs kept in step with the one spec."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import sys

from ansible_collections.netprov.dockernet.plugins.module_utils._network.bulk import classify, merge_entry
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import NETWORK_OPTIONS
from ansible_collections.netprov.dockernet.tests.support.network_data import ListedEngine

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 5))


def test_entry_wins_maps_merge_and_policy_falls_back_to_the_module():
    merged = merge_entry({'name': 'a', 'labels': {'x': '1'}, 'driver': 'macvlan'},
                         {'labels': {'x': '0', 'y': '2'}, 'driver': 'bridge', 'internal': True},
                         {'kernel_check': 'warn', 'recreate': 'never', 'force': False})
    assert merged['labels'] == {'x': '1', 'y': '2'}
    assert merged['driver'] == 'macvlan' and merged['internal'] is True and merged['kernel_check'] == 'warn'


def test_defaults_policy_beats_module_policy():
    merged = merge_entry({'name': 'a'}, {'recreate': 'reconnect'}, {'recreate': 'never'})
    assert merged['recreate'] == 'reconnect'


def test_classify():
    assert classify([{'action': 'none'}]) == 'unchanged'
    assert classify([{'action': 'create'}, {'action': 'connect'}]) == 'created'
    assert classify([{'action': 'connect'}]) == 'updated'
    assert classify([{'action': 'disconnect'}, {'action': 'remove'}]) == 'removed'


def test_generated_docs_are_current():
    rc = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'gen_docs.py'), '--check'], check=False)
    assert rc.returncode == 0, 'run python scripts/gen_docs.py'


def test_fragment_documents_exactly_the_spec():
    import re
    import yaml
    text = open(os.path.join(ROOT, 'plugins', 'doc_fragments', 'network.py')).read()
    doc = yaml.safe_load(re.search(r"DOCUMENTATION = r'''(.*?)'''", text, re.S).group(1))['options']
    assert sorted(doc) == sorted(NETWORK_OPTIONS)
    for name, opt in NETWORK_OPTIONS.items():
        assert doc[name]['type'] == opt['type'], name
        assert sorted(doc[name].get('suboptions', {})) == sorted(opt.get('options', {})), name


def test_purge_never_takes_the_swarms_own_networks():
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.bulk import plan_purge
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MANAGED_LABEL
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import network_from_inspect

    class State(object):
        networks = [network_from_inspect({'Name': n, 'Id': n, 'Labels': {MANAGED_LABEL: 'true'}, 'Ingress': n == 'mesh'})
                    for n in ('docker_gwbridge', 'mesh', 'old')]
        swarm = 'active'

        def full(self, name):
            return [n for n in self.networks if n['name'] == name][0]

        def swarm_info(self):
            return {'LocalNodeState': self.swarm}

    state = State()
    for swarm in ('active', 'pending', 'locked', 'error'):
        state.swarm = swarm
        assert [p[0] for p in plan_purge(state, set(), True)[0]] == ['old'], swarm
    # Out of the swarm, a managed docker_gwbridge with nothing attached goes like any other managed network;
    # the routing mesh never (the engine removes it when the node leaves).
    state.swarm = 'inactive'
    assert [p[0] for p in plan_purge(state, set(), False)[0]] == ['docker_gwbridge', 'old']
    state.networks[0]['endpoints'] = {'web': {'id': 'c1'}}
    assert [p[0] for p in plan_purge(state, set(), True)[0]] == ['old']


def test_purge_labels_given_as_yaml_booleans_match_the_engines_spelling():
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.bulk import plan_purge
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MANAGED_LABEL
    state = ListedEngine([{'Name': 'old', 'Id': 'old', 'Labels': {MANAGED_LABEL: 'true', 'disposable': 'true'}},
                          {'Name': 'keep', 'Id': 'keep', 'Labels': {MANAGED_LABEL: 'true', 'disposable': 'false'}}])
    assert [p[0] for p in plan_purge(state, set(), False, {'disposable': True})[0]] == ['old']
    assert [p[0] for p in plan_purge(state, set(), False, {'disposable': False})[0]] == ['keep']


def test_purge_labels_of_a_wrong_type_name_the_field():
    import pytest
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.bulk import plan_purge
    from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
    with pytest.raises(ValidationError) as err:
        plan_purge(ListedEngine([]), set(), False, {'stack': ['a']})
    assert str(err.value).startswith('purge_labels:')


def test_an_entrys_own_option_wins_over_the_defaults_in_any_spelling():
    mtu = 'com.docker.network.driver.mtu'
    merged = merge_entry({'name': 'a', 'mtu': 1300}, {'driver_options': {'mtu': '1400', 'x': '1'}}, {})
    assert merged['mtu'] == 1300 and merged['driver_options'] == {'x': '1'}
    merged = merge_entry({'name': 'a', 'driver_options': {mtu: '1280'}}, {'mtu': 1400}, {})
    assert 'mtu' not in merged and merged['driver_options'] == {mtu: '1280'}
    merged = merge_entry({'name': 'a', 'driver_options': {'macvlan.mode': 'vepa'}, 'driver': 'macvlan'},
                         {'macvlan_mode': 'bridge', 'parent': 'eth1'}, {})
    assert 'macvlan_mode' not in merged and merged['parent'] == 'eth1'


def test_a_config_from_entry_takes_none_of_the_defaults_its_template_holds():
    defaults = {'labels': {'netprov.dockernet.role': 'networks'}, 'mtu': 1400, 'internal': True,
                'ipam_config': [{'subnet': '198.19.88.0/26'}], 'state': 'present'}
    merged = merge_entry({'name': 'n', 'config_from': 't'}, defaults, {})
    assert merged == {'name': 'n', 'config_from': 't', 'internal': True, 'state': 'present'}
    template = merge_entry({'name': 't', 'config_only': True}, defaults, {})
    assert template['labels'] == {'netprov.dockernet.role': 'networks'} and template['mtu'] == 1400
