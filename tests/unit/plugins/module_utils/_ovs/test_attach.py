"""_ovs.attach: a container's veth pair and port planned against hand-made reads of a switch."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError, ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._ovs import attach as _attach, model as _model

from ansible_collections.netprov.dockernet.tests.support.ovs_data import CID, RUNNING, attach_params, steps_of, switch


def plan(*args):
    return steps_of(_attach.plan(*args))


def test_container_attach_plans_veth_then_the_port_with_its_record():
    want = _attach.normalise(attach_params(addresses=['198.19.185.1/24'], gateway='198.19.185.254', mtu=1400,
                                           tag=10))
    steps = plan(want, RUNNING, switch(), None, None, None)
    assert [s['action'] for s in steps] == ['veth_create', 'create_port']
    assert _model.shown(steps)[0]['link'] == 'ab12cd34ef56_l' and steps[0]['netns'] == '/proc/4242/ns/net'
    assert steps[1]['settings'] == {'tag': 10, 'external_ids': {
        'container_id': CID, 'container_iface': 'eth1', 'netprov.addresses': '198.19.185.1/24',
        'netprov.gateway': '198.19.185.254', 'netprov.mtu': '1400'}}
    assert [k for k, _s in _attach.phases(steps)] == ['veth', 'ovsdb']


def test_container_restart_restores_from_the_record():
    sw = _model.simulate(switch(), plan(_attach.normalise(attach_params(
        addresses=['198.19.185.1/24'], mac='02:42:c6:13:b9:01', tag=10)), RUNNING, switch(), None, None, None))
    steps = plan(_attach.normalise(attach_params()), RUNNING, sw, None, None, None)
    assert [s['action'] for s in steps] == ['remove_port', 'veth_create', 'create_port']
    assert steps[1]['settings'] == {'addresses': ['198.19.185.1/24'], 'mac': '02:42:c6:13:b9:01'}
    assert steps[2]['settings']['tag'] == 10
    assert [k for k, _s in _attach.phases(steps)] == ['ovsdb', 'veth', 'ovsdb']
    inner = {'name': 'eth1', 'mac': '02:42:c6:13:b9:01', 'mtu': 1500, 'addresses': ['198.19.185.1/24']}
    outer = {'name': 'ab12cd34ef56_l'}
    assert plan(_attach.normalise(attach_params()), RUNNING, _model.simulate(sw, steps), outer, inner,
                None) == []


@pytest.mark.parametrize('kw,path', [
    (dict(container=''), 'container'),
    (dict(addresses=['198.19.185.1']), 'addresses[0]'),
    (dict(addresses=['198.19.185.1/24'], gateway='198.19.186.1'), 'gateway'),
    (dict(mac='02:42'), 'mac'),
    (dict(tag=4095), 'tag'),
    (dict(interface='eth/1'), 'interface'),
])
def test_bad_container_attach_input_names_the_field(kw, path):
    with pytest.raises(ValidationError) as exc:
        _attach.normalise(attach_params(**kw))
    assert exc.value.path == path


def test_a_stopped_container_is_refused():
    with pytest.raises(ConflictError) as exc:
        plan(_attach.normalise(attach_params()), dict(RUNNING, running=False, pid=0), switch(), None, None,
             None)
    assert exc.value.path == 'container'
