"""_probe.published: a service's published ports -> one TCP check per node and port."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError


# -- published ports ---------------------------------------------------------------------
NODES = [
    {'ID': 'n1', 'Description': {'Hostname': 'host1'}, 'Spec': {'Role': 'manager'},
     'Status': {'State': 'ready', 'Addr': '0.0.0.0'}, 'ManagerStatus': {'Addr': '198.18.0.11:2377', 'Leader': True}},
    {'ID': 'n2', 'Description': {'Hostname': 'host2'}, 'Spec': {'Role': 'worker'},
     'Status': {'State': 'ready', 'Addr': '198.18.0.12'}},
    {'ID': 'n3', 'Description': {'Hostname': 'host3'}, 'Spec': {'Role': 'worker'},
     'Status': {'State': 'down', 'Addr': '198.18.0.13'}},
]
TASKS = [{'NodeID': 'n2', 'Status': {'State': 'running'}}, {'NodeID': 'n1', 'Status': {'State': 'preparing'}}]


def service(*ports):
    return {'ID': 's1', 'Endpoint': {'Ports': [dict(Protocol=proto, PublishedPort=port, TargetPort=80, PublishMode=mode)
                                               for port, proto, mode in ports]}}


def test_host_mode_must_answer_only_where_a_task_runs_ingress_everywhere():
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import published
    warned = []
    checks = published.expand({'service': 'web', 'port': None}, 'published[0]',
                              service((8080, 'tcp', 'ingress'), (8081, 'tcp', 'host'), (53, 'udp', 'host')),
                              NODES, TASKS, warned.append)
    got = [(c['port'], c['mode'], c['target'], c['address'], c['task_here'], c['reachable'], c.get('ok', 'run'))
           for c in checks]
    assert got == [
        (8080, 'ingress', 'host1', '198.18.0.11', False, True, 'run'),  # a manager's 0.0.0.0: its manager address
        (8080, 'ingress', 'host2', '198.18.0.12', True, True, 'run'),
        (8080, 'ingress', 'host3', '198.18.0.13', False, True, None),   # down: listed, not checked
        (8081, 'host', 'host1', '198.18.0.11', False, False, 'run'),     # the task there is not running yet
        (8081, 'host', 'host2', '198.18.0.12', True, True, 'run'),
        (8081, 'host', 'host3', '198.18.0.13', False, False, None)]
    assert warned == ['published[0]: service web port 53/udp is not checked: only TCP can be checked by connecting']


@pytest.mark.parametrize('entry, svc, path, words', [
    ({'service': 'web', 'port': 9000}, service((8080, 'tcp', 'ingress')), 'published[0].port',
     'does not publish port 9000; it publishes 8080/tcp'),
    ({'service': 'web', 'port': None}, {'ID': 's1', 'Endpoint': {}}, 'published[0].service', 'publishes no port'),
    ({'service': 'web', 'port': 53}, service((53, 'udp', 'host')), 'published[0].port', 'UDP cannot be checked'),
])
def test_published_entries_that_cannot_be_checked_name_the_field(entry, svc, path, words):
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import published
    with pytest.raises(ValidationError) as err:
        published.expand(entry, 'published[0]', svc, NODES, TASKS, lambda text: None)
    assert err.value.path == path and words in err.value.msg, str(err.value)


def test_a_node_is_reached_at_its_address_or_else_at_its_manager_address():
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import published
    assert published.node_address({'addr': '198.18.0.12', 'manager_addr': None}) == '198.18.0.12'
    assert published.node_address({'addr': '0.0.0.0', 'manager_addr': '198.18.0.11:2377'}) == '198.18.0.11'
    assert published.node_address({'addr': None, 'manager_addr': None}) is None


def _check(mode, reachable, target='host2', port=8081):
    return {'mode': mode, 'reachable': reachable, 'target': target, 'port': port}


def test_a_failed_published_check_is_given_what_to_do():
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import published
    assert published.hint(_check('ingress', True)).startswith('the routing mesh needs IPVS in every node')
    assert published.hint(_check('ingress', True), ipvs_missing='the kernel has no ip_vs module') == (
        "the kernel has no ip_vs module, so the routing mesh of ingress mode cannot work on this engine's host; "
        'publish in host mode (mode: host) or run the node on a kernel with ip_vs')
    assert published.hint(_check('host', True)) == 'the task on host2 does not answer on its target port'
    assert published.hint(_check('host', False)) == (
        'something else listens on port 8081 on host2: host mode publishes only where a task runs')


def test_published_checks_need_a_swarm_manager():
    from ansible_collections.netprov.dockernet.plugins.module_utils._probe import published
    from ansible_collections.netprov.dockernet.tests.support.engine_double import Engine
    engine = Engine()
    engine.url = 'unix:///var/run/docker.sock'
    assert published.read(engine, {'published': []}, None) == []
    with pytest.raises(ValidationError) as err:
        published.read(engine, {'published': [{'service': 'web', 'port': 80}]}, None)
    assert err.value.path == 'published' and err.value.msg.startswith(
        'published checks read the service, its tasks and the nodes from a swarm manager, and the engine at '
        'unix:///var/run/docker.sock is not one (inactive)')
