"""docker_networks' merging, classification and docs kept in step with the one spec."""
import os
import subprocess
import sys

from ansible_collections.netprov.dockernet.plugins.module_utils._bulk import classify, merge_entry
from ansible_collections.netprov.dockernet.plugins.module_utils._spec import NETWORK_OPTIONS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


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
    from ansible_collections.netprov.dockernet.plugins.module_utils._bulk import plan_purge
    from ansible_collections.netprov.dockernet.plugins.module_utils._spec import MANAGED_LABEL, normalise_have

    class State(object):
        networks = [normalise_have({'Name': n, 'Id': n, 'Labels': {MANAGED_LABEL: 'true'}, 'Ingress': n == 'mesh'})
                    for n in ('docker_gwbridge', 'mesh', 'old')]

        def full(self, name):
            return [n for n in self.networks if n['name'] == name][0]

    planned = plan_purge(State(), set(), False)
    assert [p[0] for p in planned] == ['old']
