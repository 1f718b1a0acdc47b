"""The swarm's ingress network: which services hold it, and the plan that replaces it."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError, ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._network.ingress import (
    ingress_users, manager_required, plan_ingress, rule_ingress)
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import normalise_want
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import network_from_body, network_from_inspect


def want(**kw):
    kw.setdefault('name', 'ingress')
    kw.setdefault('ingress', True)
    kw.setdefault('driver', 'overlay')
    return normalise_want(kw)


def engine_ingress(name='ingress', subnet='198.18.70.0/26', **kw):
    net = {'Name': name, 'Id': 'ing-' + name, 'Driver': 'overlay', 'Scope': 'swarm', 'Ingress': True, 'Labels': {},
           'Options': {'com.docker.network.driver.overlay.vxlanid_list': '4096'},
           'IPAM': {'Driver': 'default', 'Config': [{'Subnet': subnet, 'Gateway': subnet.replace('0/26', '1')}]}}
    net.update(kw)
    return network_from_inspect(net)


def service(name, *ports):
    return {'ID': 'id-' + name, 'Spec': {'Name': name, 'EndpointSpec': {'Ports': list(ports)}}}


def test_only_ports_published_in_ingress_mode_hold_the_ingress_network():
    users = ingress_users([
        service('web', {'Protocol': 'tcp', 'TargetPort': 80, 'PublishedPort': 8080, 'PublishMode': 'ingress'}),
        service('dns', {'Protocol': 'udp', 'TargetPort': 53, 'PublishedPort': 53}),   # no mode: ingress
        service('agent', {'Protocol': 'tcp', 'TargetPort': 80, 'PublishedPort': 9100, 'PublishMode': 'host'}),
        service('worker'),
        # a port the swarm assigned (published: 0 in the spec) is in the service's Endpoint
        dict(service('auto', {'TargetPort': 80, 'PublishMode': 'ingress'}),
             Endpoint={'Ports': [{'TargetPort': 80, 'PublishedPort': 30001, 'PublishMode': 'ingress'}]}),
    ])
    assert users == {'web': ['8080/tcp'], 'dns': ['53/udp'], 'auto': ['30001/tcp']}


def test_replacing_is_two_steps_and_keeps_what_is_not_given():
    current = engine_ingress()
    steps, warnings = plan_ingress(want(name='mesh', mtu=1400), None, current, {})
    assert warnings == []
    assert [(s['action'], s['subject']) for s in steps] == [('remove', 'ingress'), ('create', 'mesh')]
    assert steps[0]['replaced_by'] == 'mesh' and steps[1]['replaces'] == current['id']
    made = network_from_body(steps[1]['body'])
    assert made['ingress'] is True and made['driver'] == 'overlay' and made['scope'] == 'swarm'
    assert made['ipam_config'] == current['ipam_config']            # the subnet was not asked to change
    assert made['options'] == {'com.docker.network.driver.mtu': '1400'}   # not the engine's VXLAN id


def test_what_was_set_and_matches_is_no_change_and_engine_additions_are_not_drift():
    current = engine_ingress(Options={'com.docker.network.driver.mtu': '1400',
                                      'com.docker.network.driver.overlay.vxlanid_list': '4100'},
                             Labels={'netprov.dockernet.managed': 'true'})
    wanted = want(mtu=1400, ipam_config=[{'subnet': '198.18.70.0/26', 'gateway': '198.18.70.1'}])
    assert [s['action'] for s in plan_ingress(wanted, current, current, {})[0]] == ['none']


def test_refused_naming_the_services_while_ports_are_published_in_ingress_mode():
    with pytest.raises(ConflictError) as err:
        plan_ingress(want(ipam_config=[{'subnet': '198.18.71.0/26'}]), engine_ingress(), engine_ingress(),
                     {'web': ['8080/tcp']})
    assert err.value.path == 'ingress' and err.value.details['services'] == ['web']
    assert 'web (8080/tcp)' in err.value.msg and 'host mode' in err.value.msg


def test_a_network_of_that_name_that_is_not_the_ingress_is_refused():
    other = network_from_inspect({'Name': 'mesh', 'Id': 'x', 'Driver': 'overlay', 'Scope': 'swarm'})
    with pytest.raises(ConflictError) as err:
        plan_ingress(want(name='mesh'), other, engine_ingress(), {})
    assert err.value.path == 'name'


@pytest.mark.parametrize('kw, field', [
    (dict(driver='bridge'), 'driver'), (dict(attachable=True), 'attachable'), (dict(scope='local'), 'scope'),
    (dict(config_only=True), 'config_only'), (dict(containers=[{'name': 'web'}]), 'containers'),
])
def test_what_an_ingress_network_cannot_be(kw, field):
    with pytest.raises(ValidationError) as err:
        rule_ingress(want(**kw), 'networks[0]')
    assert err.value.path == 'networks[0].' + field


def test_only_a_manager_makes_it():
    manager_required({'LocalNodeState': 'active', 'ControlAvailable': True}, '')
    for swarm, said in (({'LocalNodeState': 'active', 'ControlAvailable': False}, 'a worker'),
                        ({'LocalNodeState': 'inactive'}, 'in no swarm')):
        with pytest.raises(ValidationError) as err:
            manager_required(swarm, '')
        assert err.value.path == 'ingress' and said in err.value.msg
