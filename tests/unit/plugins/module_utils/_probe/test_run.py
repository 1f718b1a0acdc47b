"""_probe.run: its pure parts (failure lines, the network probed, read through _network.wire)."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._probe.run import describe


def test_failure_line_names_option_target_expected_and_seen():
    line = describe({'path': 'targets[0].tcp[1]', 'check': 'tcp', 'target': 'web', 'port': 81,
                     'expected': 'to accept a TCP connection', 'seen': 'connection refused'})
    assert line == 'targets[0].tcp[1]: web port 81/tcp: expected to accept a TCP connection, seen connection refused'


# -- the network probed, read through _network.wire -----------------------------------------
class _Engine(object):
    url = 'unix:///var/run/docker.sock'

    def __init__(self, net):
        self.net = net

    def find_network(self, _name):
        return self.net


@pytest.mark.parametrize('net, text', [
    ({'Name': 'tpl', 'Driver': 'null', 'ConfigOnly': True},
     'network: tpl is a configuration-only network: no container can join it; probe a network made from it '
     '(config_from)'),
    ({'Name': 'none', 'Driver': 'null'},
     'network: none (driver null) has no network of its own to probe: a container there has only loopback; probe '
     'from a user-defined network'),
    ({'Name': 'host', 'Driver': 'host'},
     "network: host (driver host) has no network of its own to probe: a container there shares the host's stack "
     "and resolver; probe from a user-defined network"),
    ({'Name': 'ingress', 'Driver': 'overlay', 'Ingress': True},
     'network: overlay ingress is not attachable: a standalone probe container cannot join it (the engine refuses); '
     'make it with attachable: true (the ingress network never is)'),
])
def test_a_network_no_probe_container_can_join_is_refused(net, text):
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import run
    with pytest.raises(ValidationError) as exc:
        run._find_network(_Engine(dict(net, Id='n' * 64)), net['Name'])
    assert str(exc.value) == text


def test_the_result_describes_the_network_as_the_engine_has_it():
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import run
    net = run._find_network(_Engine({'Name': 'app', 'Id': 'a' * 64, 'Driver': 'overlay', 'Scope': 'swarm',
                                     'Attachable': True, 'Options': {'com.docker.network.driver.mtu': '1400'}}), 'app')
    assert run.network_summary(net) == {'name': 'app', 'id': 'a' * 64, 'driver': 'overlay', 'scope': 'swarm',
                                        'internal': False, 'attachable': True, 'mtu': 1400, 'vxlan': True}
