"""docker_swarm's DOCUMENTATION says exactly what its argument spec does."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import yaml

from ansible_collections.netprov.dockernet.plugins.module_utils._swarm.membership import SWARM_ARGS
from ansible_collections.netprov.dockernet.plugins.modules import docker_swarm


def test_documented_options_match_the_argument_spec():
    documented = yaml.safe_load(docker_swarm.DOCUMENTATION)['options']
    assert sorted(documented) == sorted(SWARM_ARGS)
    for name, spec in SWARM_ARGS.items():
        doc = documented[name]
        for key in ('type', 'default', 'choices', 'aliases', 'elements'):
            assert doc.get(key) == spec.get(key), (name, key)
