"""What real engines stored, for the unit tests: the files under tests/unit/plugins/module_utils/_network/engine_samples/
(one per engine version, written by scripts/capture_engine_samples.py), and an engine that answers from one case."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'unit', 'plugins', 'module_utils',
                    '_network', 'engine_samples')
FILES = sorted(glob.glob(os.path.join(HERE, 'engine-*.json')))


def _load(path):
    with open(path) as f:
        return json.load(f)


SAMPLES = dict((os.path.basename(p)[:-5], _load(p)) for p in FILES)
CASES = [(engine, case) for engine in sorted(SAMPLES) for case in sorted(SAMPLES[engine]['cases'])
         if SAMPLES[engine]['cases'][case]['error'] is None]


def case_of(engine, case):
    sample = SAMPLES[engine]
    return sample, sample['cases'][case]


class ReplayEngine(object):
    """Answers what the engine answered when the sample was captured: one network and its containers."""

    is_local = False

    def __init__(self, sample, case):
        self.api_version = sample['engine']['ApiVersion']
        self.case = sample['cases'][case]
        self.net = self.case['network']

    def networks(self):
        listed = dict(self.net)
        listed['Containers'] = {}
        return [listed]

    def inspect_network(self, ident):
        assert ident in (self.net['Id'], self.net['Name'])
        return self.net

    def find_network(self, ident):
        return self.net if ident in (self.net['Id'], self.net['Name']) else None

    def containers_on(self, network_id, network_name):
        assert (network_id, network_name) == (self.net['Id'], self.net['Name'])
        return self.case['listing']

    def inspect_container(self, ident):
        for cid, info in self.case['containers'].items():
            if ident in (cid, info['Name'].lstrip('/')) or (len(ident) >= 12 and cid.startswith(ident)):
                return info
        return None

    def info(self):
        return {}
