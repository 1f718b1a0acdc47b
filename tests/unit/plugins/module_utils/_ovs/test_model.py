"""_ovs.model: normalise, plan, simulate and the management guard, on hand-made reads of a switch."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ConflictError, ValidationError
from ansible_collections.netprov.dockernet.plugins.module_utils._ovs import model as _model
from ansible_collections.netprov.dockernet.tests.support.ovs_data import LINKS, bridge_params, port_params, steps_of, switch


def plan_bridge(*args, **kwargs):
    return steps_of(_model.plan_bridge(*args, **kwargs))


def converges(want, sw, steps, plan):
    """A second plan against what the steps leave is empty."""
    after = _model.simulate(sw, steps)
    assert plan(want, after) == []
    return after


# ---------------------------------------------------------------- bridges

def test_new_bridge_is_one_create_step_with_the_settings_given():
    want = _model.normalise_bridge(bridge_params(name='br1', datapath_type='netdev', rstp=True,
                                                 external_ids={'a': True, 'b': 3, 'gone': None},
                                                 controller=['tcp:198.19.176.1:6653'],
                                                 protocols=['OpenFlow13', 'OpenFlow10']))
    assert want['external_ids'] == {'a': 'true', 'b': '3', 'gone': None}
    steps = plan_bridge(want, switch())
    assert _model.shown(steps) == [{'action': 'create_bridge', 'bridge': 'br1', 'reason': 'no bridge br1', 'settings': {
        'datapath_type': 'netdev', 'rstp': True, 'external_ids': {'a': 'true', 'b': '3'},
        'controller': ['tcp:198.19.176.1:6653'], 'protocols': ['OpenFlow10', 'OpenFlow13']}}]
    after = converges(want, switch(), steps, plan_bridge)
    assert after['ports']['br1']['interfaces'] == ['br1'] and after['interfaces']['br1']['type'] == 'internal'


def test_bridge_defaults_are_no_change_and_maps_change_key_by_key():
    sw = switch()
    want = _model.normalise_bridge(bridge_params(datapath_type='netdev', fail_mode='standalone', stp=False,
                                                 external_ids={'foreign': 'keep', 'absent': None}))
    assert plan_bridge(want, sw) == []
    want = _model.normalise_bridge(bridge_params(external_ids={'foreign': None, 'new': 'x'}))
    steps = plan_bridge(want, sw)
    assert [(s['field'], s['before'], s['after']) for s in steps] == [
        ('external_ids', {'foreign': 'keep', 'new': None}, {'foreign': None, 'new': 'x'})]
    assert converges(want, sw, steps, plan_bridge)['bridges']['br0']['external_ids'] == {'new': 'x'}


def test_bridge_absent_refused_while_unlisted_ports_sit_on_it():
    with pytest.raises(ConflictError) as exc:
        plan_bridge(_model.normalise_bridge(bridge_params(state='absent', ports=['p1'])), switch())
    assert str(exc.value) == ('ports: bridge br0 carries ports that are not in ports: bo, vx1; list them to remove '
                              'them with the bridge, or set force: true')
    assert exc.value.details == {'ports': ['bo', 'vx1']}
    want = _model.normalise_bridge(bridge_params(state='absent', ports=['p1', 'vx1', 'bo']))
    steps = plan_bridge(want, switch())
    assert [(s['action'], s['ports']) for s in steps] == [('remove_bridge', ['bo', 'p1', 'vx1'])]
    assert plan_bridge(_model.normalise_bridge(bridge_params(state='absent')), switch(), force=True) == steps
    after = converges(want, switch(), steps, plan_bridge)
    assert after['bridges'] == {} and after['ports'] == {} and after['interfaces'] == {}


@pytest.mark.parametrize('kw,path', [
    (dict(name='br/0'), 'name'),
    (dict(name='b' * 16), 'name'),
    (dict(stp=True, rstp=True), 'rstp'),
    (dict(controller=['tcp:']), 'controller[0]'),
    (dict(controller=[6653]), 'controller[0]'),
    (dict(protocols=['OpenFlow16']), 'protocols[0]'),
    (dict(external_ids=['a']), 'external_ids'),
    (dict(other_config={'k': {'x': 1}}), 'other_config.k'),
    (dict(ports=['p1']), 'ports'),
    (dict(datapath_type='dpdk'), 'datapath_type'),
])
def test_bad_bridge_input_names_the_field(kw, path):
    with pytest.raises(ValidationError) as exc:
        _model.normalise_bridge(bridge_params(**kw))
    assert exc.value.path == path


def test_a_datapath_type_the_switch_does_not_offer_is_refused():
    sw = switch()
    sw['system']['datapath_types'] = ['netdev']
    with pytest.raises(ValidationError) as exc:
        plan_bridge(_model.normalise_bridge(bridge_params(name='br9', datapath_type='system')), sw)
    assert str(exc.value) == ('datapath_type: ovs-vswitchd here offers datapath types netdev only (the kernel has no '
                              'OVS datapath: use netdev, the userspace datapath)')


def test_system_on_a_kernel_without_the_ovs_datapath_is_refused_unless_the_bridge_is_already_there():
    none = {'supported': False, 'detail': 'no ovs_datapath'}
    sw = switch()
    sw['bridges']['brk'] = dict(copy.deepcopy(_model.BRIDGE_DEFAULTS), name='brk', ports=['brk'])
    for params, what in ((dict(name='br9', datapath_type='system'), 'system'),
                         (dict(name='br9'), 'not given, so system (the default)'),
                         (dict(name='br0', datapath_type='system'), 'system')):   # br0 is netdev: a move
        with pytest.raises(ValidationError) as exc:
            plan_bridge(_model.normalise_bridge(bridge_params(**params)), sw, kernel=none)
        assert exc.value.path == 'datapath_type'
        assert exc.value.msg == ("%s needs the kernel's Open vSwitch datapath, which this host lacks (no ovs_datapath); "
                                 "set datapath_type: netdev (the userspace datapath)" % what)
    # brk is on system already (whatever carries it): no move, no refusal; br0 without datapath_type stays netdev
    assert plan_bridge(_model.normalise_bridge(bridge_params(name='brk', datapath_type='system')), sw,
                       kernel=none) == []
    assert plan_bridge(_model.normalise_bridge(bridge_params(name='br0')), sw, kernel=none) == []
    # not probed (a switch over tcp:) or present: planned as before
    for kernel in (None, {'supported': None}, {'supported': True}):
        steps = plan_bridge(_model.normalise_bridge(bridge_params(name='br9')), sw, kernel=kernel)
        assert [s['action'] for s in steps] == ['create_bridge']


def test_a_bridge_named_like_a_port_is_refused():
    with pytest.raises(ConflictError) as exc:
        plan_bridge(_model.normalise_bridge(bridge_params(name='p1')), switch())
    assert exc.value.path == 'name'


# ---------------------------------------------------------------- ports

def plan(want, sw):
    return steps_of(_model.plan_port(want, sw, LINKS))


def test_new_ports_of_every_type():
    cases = {
        'system': (dict(name='new1', tag=20, mtu=1400), [{'name': 'new1', 'type': 'system', 'mtu_request': 1400}]),
        'internal': (dict(name='in1', type='internal'), [{'name': 'in1', 'type': 'internal'}]),
        'patch': (dict(name='pa', type='patch', peer='pb'), [{'name': 'pa', 'type': 'patch',
                                                              'options': {'peer': 'pb'}}]),
        'geneve': (dict(name='gn', type='geneve', remote_ip='198.19.180.4', local_ip='198.19.180.1', key=77),
                   [{'name': 'gn', 'type': 'geneve', 'options': {'remote_ip': '198.19.180.4',
                                                                 'local_ip': '198.19.180.1', 'key': '77'}}]),
        'bond': (dict(name='bo2', type='bond', interfaces=['e3', 'new1'], bond_mode='balance-tcp', lacp='active'),
                 [{'name': 'e3', 'type': 'system'}, {'name': 'new1', 'type': 'system'}]),
    }
    for kind, (kw, members) in cases.items():
        want = _model.normalise_port(port_params(**kw))
        steps = plan(want, switch())
        assert [(s['action'], s['type'], s['interfaces']) for s in steps] == [('create_port', kind, members)], kind
        after = converges(want, switch(), steps, plan)
        assert _model.port_type(after['ports'][want['name']], after['interfaces']) == kind
    bond = plan(_model.normalise_port(port_params(**cases['bond'][0])), switch())[0]
    assert bond['settings'] == {'bond_mode': 'balance-tcp', 'lacp': 'active'}


def test_existing_port_changes_in_place_and_leaves_unasked_options():
    sw = switch()
    want = _model.normalise_port(port_params(name='vx1', remote_ip='198.19.180.3', key=5001, tag=30))
    steps = plan(want, sw)
    assert [(s['table'], s['field'], s['before'], s['after']) for s in steps] == [
        ('Interface', 'options', {'remote_ip': '198.19.180.2'}, {'remote_ip': '198.19.180.3'}),
        ('Port', 'tag', None, 30)]
    after = converges(want, sw, steps, plan)
    assert after['interfaces']['vx1']['options'] == {'remote_ip': '198.19.180.3', 'key': '5001', 'csum': 'true'}


def test_type_change_drops_the_old_types_options():
    want = _model.normalise_port(port_params(name='vx1', type='patch', peer='px'))
    steps = plan(want, switch())
    assert [(s['field'], s['after']) for s in steps] == [
        ('type', 'patch'), ('options', {'peer': 'px', 'remote_ip': None, 'key': None, 'csum': None})]
    assert converges(want, switch(), steps, plan)['interfaces']['vx1']['options'] == {'peer': 'px'}


def test_bond_members_are_exact():
    want = _model.normalise_port(port_params(name='bo', interfaces=['e1', 'e3'], lacp='passive'))
    steps = plan(want, switch())
    assert [(s['action'], s.get('interface') if s['action'] != 'add_interface' else s['interface']['name'])
            for s in steps[:2]] == [('remove_interface', 'e2'), ('add_interface', 'e3')]
    assert converges(want, switch(), steps, plan)['ports']['bo']['interfaces'] == ['e1', 'e3']


def test_tag_zero_clears_the_access_vlan():
    want = _model.normalise_port(port_params(name='p1', tag=0))
    assert [(s['field'], s['before'], s['after']) for s in plan(want, switch())] == [('tag', 10, None)]


def test_absent_port():
    want = _model.normalise_port(port_params(name='p1', state='absent'))
    steps = plan(want, switch())
    assert _model.shown(steps) == [{'action': 'remove_port', 'bridge': 'br0', 'port': 'p1', 'interfaces': ['p1'],
                                    'reason': 'state is absent'}]
    after = converges(want, switch(), steps, plan)
    assert 'p1' not in after['interfaces'] and after['bridges']['br0']['ports'] == ['bo', 'br0', 'vx1']
    assert plan(_model.normalise_port(port_params(name='zz', state='absent', bridge='nope')), switch()) == []


@pytest.mark.parametrize('kw,path,error', [
    (dict(name='in1', bridge='br9', type='internal'), 'bridge', ValidationError),
    (dict(name='in1', type='internal', tag=4095), 'tag', ValidationError),
    (dict(name='in1', type='internal', tag=True), 'tag', ValidationError),
    (dict(name='vx2', type='vxlan'), 'remote_ip', ValidationError),
    (dict(name='vx2', type='gre', remote_ip='fd00::1', local_ip='198.19.180.1'), 'local_ip', ValidationError),
    (dict(name='vx2', type='vxlan', remote_ip='198.19.180.2', key=2 ** 24), 'key', ValidationError),
    (dict(name='vx2', type='gre', remote_ip='198.19.180.2', key=2 ** 32), 'key', ValidationError),
    (dict(name='pa', type='patch'), 'peer', ValidationError),
    (dict(name='in1', type='internal', remote_ip='198.19.180.2'), 'remote_ip', ValidationError),
    (dict(name='in1', type='internal', bond_mode='balance-slb'), 'bond_mode', ValidationError),
    (dict(name='bo2', type='bond', interfaces=['e3']), 'interfaces', ValidationError),
    (dict(name='bo2', type='bond', interfaces=['e3', 'e3']), 'interfaces', ValidationError),
    (dict(name='bo2', type='bond', interfaces=['e3', 'nolink']), 'interfaces[1]', ValidationError),
    (dict(name='bo2', type='bond', interfaces=['e3', 'e1']), 'interfaces[1]', ConflictError),   # the index given
    (dict(name='nolink'), 'name', ValidationError),
    (dict(name='new1', type='internal'), 'name', ConflictError),
    (dict(name='p1', bridge='br1'), 'bridge', ConflictError),
    (dict(name='br0', type='system'), 'type', ValidationError),
    (dict(name='br0', state='absent'), 'name', ConflictError),
    (dict(name='p1', trunks=[4095]), 'trunks[0]', ValidationError),
    (dict(name='p1', vlan_mode='access', trunks=[5]), 'trunks', ValidationError),
    (dict(name='p1', vlan_mode='trunk', tag=5), 'tag', ValidationError),
    (dict(name='p1', vlan_mode='native-tagged', tag=0), 'tag', ValidationError),
    (dict(name='p1', mtu=65536), 'mtu', ValidationError),
    (dict(name='p1', external_ids={'k': [1]}), 'external_ids.k', ValidationError),
])
def test_bad_port_input_names_the_field(kw, path, error):
    sw = switch()
    sw['bridges']['br1'] = dict(copy.deepcopy(_model.BRIDGE_DEFAULTS), name='br1', ports=[])
    with pytest.raises(error) as exc:
        plan(_model.normalise_port(port_params(**kw)), sw)
    assert exc.value.path == path, str(exc.value)


def test_remote_switch_skips_the_kernel_link_checks():
    want = _model.normalise_port(port_params(name='nolink'))
    assert [s['action'] for s in steps_of(_model.plan_port(want, switch(), None))] == ['create_port']


def test_check_mode_takes_expected_bridges_and_links_as_there():
    # a port on a bridge and a link that earlier tasks of a check-mode run only planned: planned, not refused
    want = _model.normalise_port(port_params(bridge='br-new', name='veth-later', tag=30))
    with pytest.raises(ValidationError) as exc:
        plan(want, switch())
    assert exc.value.path == 'bridge'
    sw, links = _model.expected(switch(), LINKS, ['br0', 'br-new'], ['veth-later'])
    assert sorted(sw['bridges']) == ['br-new', 'br0'] and sw['bridges']['br0'] == switch()['bridges']['br0']
    assert sw['ports']['br-new']['interfaces'] == ['br-new'] and 'br-new' in links and 'br-new' not in LINKS
    steps = steps_of(_model.plan_port(want, sw, links))
    assert [(s['action'], s['bridge'], s['interfaces']) for s in steps] == [
        ('create_port', 'br-new', [{'name': 'veth-later', 'type': 'system'}])]
    # an internal port named like a link host_links planned is OVS's own device, not a clash
    internal = _model.normalise_port(port_params(bridge='br-new', name='veth-later', type='internal'))
    assert [s['action'] for s in steps_of(_model.plan_port(internal, sw, links))] == ['create_port']
    assert _model.expected(switch(), None, ['br-new'], ['x'])[1] is None   # a remote switch: no links to add to


# ---------------------------------------------------------------- the management path

def mgmt_links():
    links = copy.deepcopy(LINKS)
    links['br0']['addresses'] = ['198.19.181.1/24']
    return links


ROUTES = [{'family': 'ipv4', 'table': 254, 'gateway': '198.19.181.254', 'links': ['br0']}]


def test_ports_of_a_bridge_carrying_the_default_route_are_on_the_management_path():
    found = _model.management(mgmt_links(), ROUTES, switch())
    assert found['br0'] == 'it carries the ipv4 default route via 198.19.181.254 (table 254)'
    assert found['p1'] == 'it is a port of br0 and ' + found['br0']
    assert set(found) == {'br0', 'p1', 'e1', 'e2'}   # vx1 is no kernel link; new1 is on no bridge


@pytest.mark.parametrize('kw,doing', [
    (dict(name='p1', state='absent'), 'would delete it'),
    (dict(name='p1', tag=11), 'would change its VLAN or bond settings'),
    (dict(name='p1', mtu=1400), 'would change its MTU'),
    (dict(name='bo', interfaces=['e1', 'e3']), 'would delete it'),
    (dict(name='bo', bond_mode='balance-slb'), 'would change its VLAN or bond settings'),
])
def test_management_port_changes_refused(kw, doing):
    sw = switch()
    found = _model.management(mgmt_links(), ROUTES, sw)
    steps = plan(_model.normalise_port(port_params(**kw)), sw)
    with pytest.raises(ConflictError) as exc:
        _model.guard(steps, sw, found)
    assert doing in str(exc.value) and 'set allow_management: true' in str(exc.value)
    assert _model.guard(steps, sw, found, allow_management=True) == steps


def test_management_bridge_changes_refused_labels_allowed():
    sw = switch()
    found = _model.management(mgmt_links(), ROUTES, sw)
    for kw in (dict(state='absent'), dict(fail_mode='secure'), dict(controller=['tcp:198.19.176.1:6653'])):
        want = _model.normalise_bridge(bridge_params(**kw))
        with pytest.raises(ConflictError):
            _model.guard(plan_bridge(want, sw, force=True), sw, found)
    labels = plan_bridge(_model.normalise_bridge(bridge_params(external_ids={'x': 'y'})), sw)
    assert _model.guard(labels, sw, found) == labels
    other = _model.normalise_port(port_params(name='in1', type='internal', tag=5))
    assert _model.guard(plan(other, sw), sw, found)   # a new internal port cuts nothing


def test_putting_the_ssh_link_on_a_bridge_is_refused():
    links = copy.deepcopy(LINKS)
    links['new1']['addresses'] = ['198.19.182.1/24']
    sw = switch()
    session = {'pid': 812, 'connections': [
        {'local': '198.19.182.1', 'local_port': 22, 'peer': '198.19.182.9', 'peer_port': 50000}]}
    found = _model.management(links, [], sw, session)
    steps = plan(_model.normalise_port(port_params(name='new1')), sw)
    with pytest.raises(ConflictError) as exc:
        _model.guard(steps, sw, found)
    assert 'would move it to another master, but it carries 198.19.182.1' in str(exc.value)


def test_simulate_leaves_the_read_alone():
    sw = switch()
    before = copy.deepcopy(sw)
    _model.simulate(sw, plan(_model.normalise_port(port_params(name='p1', state='absent')), sw))
    assert sw == before


def test_existing_tunnel_and_bond_change_without_restating_what_makes_them():
    """A tag on an existing tunnel needs no remote_ip, a bond mode no interfaces: they are kept."""
    tag = plan(_model.normalise_port(port_params(name='vx1', tag=5)), switch())
    assert [(s['field'], s['after']) for s in tag] == [('tag', 5)]
    mode = plan(_model.normalise_port(port_params(name='bo', bond_mode='balance-slb')), switch())
    assert [(s['field'], s['after']) for s in mode] == [('bond_mode', 'balance-slb')]
    with pytest.raises(ValidationError) as exc:   # a new type must say what it needs
        plan(_model.normalise_port(port_params(name='p1', type='vxlan')), switch())
    assert exc.value.path == 'remote_ip'
