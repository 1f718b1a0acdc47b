"""The interfaces role builds its host_links/host_routes calls once, for its preview and its real run alike.

arm_rollback.yml previews (check mode) exactly the task file main.yml runs,
tasks/apply.yml; that file hands every interfaces_links entry to host_links
whole (with the role's defaults under it), each shim as the macvlan link it
is, and every route to host_routes, so a management-path change of any
option is previewed and arms the rollback timer. The real behaviour is tested
in tests/integration/test_host_link_role_rollback.py.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19 templates every string
    def trust_as_template(value):
        return value

from ansible_collections.netprov.dockernet.plugins.module_utils._host import (
    links as _links, linkset as _linkset, routes as _routes, routeset as _routeset)
from ansible_collections.netprov.dockernet.plugins.modules import ovs_bridge, ovs_port

ROLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'roles', 'interfaces')
MODULES = ('netprov.dockernet.host_links', 'netprov.dockernet.host_routes')


def _load(*parts):
    with open(os.path.join(ROLE, *parts)) as f:
        return yaml.safe_load(f)


def _trusted(value):
    """The role's own strings as templates (ansible-core 2.19 templates only strings it trusts, as a role's)."""
    if isinstance(value, dict):
        return dict((k, _trusted(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_trusted(v) for v in value]
    return trust_as_template(value) if isinstance(value, str) else value


def _includes(tasks):
    for task in tasks:
        inc = task.get('ansible.builtin.include_tasks')
        if inc:
            yield (inc['file'] if isinstance(inc, dict) else inc), inc, task.get('vars') or {}


def _role_vars(**inventory):
    """The role's defaults and vars with ``inventory`` on top, templated as Ansible would."""
    variables = _trusted(dict(_load('defaults', 'main.yml'), **_load('vars', 'main.yml')))
    variables.update(inventory)
    templar = Templar(loader=DataLoader(), variables=variables)
    return dict((k, templar.template(variables[k])) for k in
                ('__interfaces_link_entries', '__interfaces_route_entries', '__interfaces_ovs_bridges_present',
                 '__interfaces_ovs_bridges_absent', '__interfaces_ovs_ports_early', '__interfaces_ovs_ports_late',
                 '__interfaces_ovs_devices'))


def test_the_preview_runs_the_task_file_of_the_real_run():
    main, arm = _load('tasks', 'main.yml'), _load('tasks', 'arm_rollback.yml')
    real = [i for i in _includes(main) if i[0] == 'apply.yml']
    preview = [i for i in _includes(arm) if i[0] == 'apply.yml']
    assert len(real) == 1 and len(preview) == 1
    assert real[0][2] == {'__interfaces_preview': False}
    assert preview[0][2] == {'__interfaces_preview': True}
    assert preview[0][1]['apply'] == {'check_mode': True}
    assert not [t for t in main + arm if any(m in t for m in MODULES)]


def test_apply_is_one_call_for_the_links_and_one_for_the_routes():
    tasks = _load('tasks', 'apply.yml')
    host = [t for t in tasks if any(m in t for m in MODULES)]
    # the OVS bridges and internal ports, then the links (a link may stand on them), then the other OVS ports
    # (they may stand on links), the bridges to remove, and the routes last (through any of them)
    assert [[m for m in MODULES if m in t] for t in host] == [[MODULES[0]], [MODULES[1]]]
    assert [t['name'] for t in tasks] == [
        'Open vSwitch bridges', 'Open vSwitch internal ports (links may stand on them)',
        'Links and macvlan shims, in dependency order', 'Open vSwitch ports and tunnels, and the ports to remove',
        'Open vSwitch bridges to remove, after their ports', "Routes, the shims' included"]
    assert tasks[2] is host[0] and tasks[-1] is host[1]
    assert tasks[1]['netprov.dockernet.ovs_port'] == tasks[3]['netprov.dockernet.ovs_port']   # the same arguments
    links, routes = host[0][MODULES[0]], host[1][MODULES[1]]
    assert links['links'] == '{{ __interfaces_link_entries }}'
    assert routes['routes'] == '{{ __interfaces_route_entries }}'
    for task in tasks:
        assert task['failed_when'].endswith('is failed and not __interfaces_preview'), task['name']
        fqcn, module = [(k, v) for k, v in task.items() if k.startswith('netprov.dockernet.')][0]
        if fqcn.startswith('netprov.dockernet.ovs_'):
            # the rollback timer restores kernel links, not the switch: never the management path through OVS
            assert module['allow_management'] is False, task['name']
        else:
            assert module['allow_management'] == '{{ interfaces_allow_management }}', task['name']


def test_apply_passes_every_option_of_an_ovs_bridge_and_port():
    tasks = dict((t['name'], t) for t in _load('tasks', 'apply.yml'))
    bridges = tasks['Open vSwitch bridges']['netprov.dockernet.ovs_bridge']
    gone = tasks['Open vSwitch bridges to remove, after their ports']['netprov.dockernet.ovs_bridge']
    ports = tasks['Open vSwitch ports and tunnels, and the ports to remove']['netprov.dockernet.ovs_port']
    # expect_bridges/expect_links: what the role's earlier tasks plan (check mode), not an entry's option
    common = {'ovsdb', 'netns', 'allow_management', 'expect_bridges', 'expect_links'}
    bridge_options = set(yaml.safe_load(ovs_bridge.DOCUMENTATION)['options'])
    # ovsdb and netns come from the doc fragment (timeout too: the role leaves it at its default)
    assert set(bridges) | set(gone) == bridge_options | {'ovsdb', 'netns'}
    assert set(ports) == set(yaml.safe_load(ovs_port.DOCUMENTATION)['options']) | {'ovsdb', 'netns'}
    for task in (bridges, gone, ports):
        for name, value in task.items():
            if name not in common | {'state'}:
                assert 'item.%s' % name in value, (name, value)


def test_every_option_of_a_link_and_a_route_reaches_the_modules_and_the_shims_are_valid_entries():
    every = dict((k, 'value of %s' % k) for k in _links.LINK_OPTIONS)  # whatever it holds, it gets there
    route = dict((k, None) for k in _routes.ROUTE_OPTIONS)
    route.update(dest='198.19.239.0/24', gateway='198.19.238.254', metric=7)
    built = _role_vars(interfaces_links=[every], interfaces_routes=[route], interfaces_persist=True,
                       interfaces_macvlan_shims=[{'name': 'lanshim', 'parent': 'eth1', 'address': '198.19.238.9/32',
                                                  'routes': ['198.19.238.64/28', '198.19.238.80/28']},
                                                 {'name': 'oldshim', 'parent': 'eth1', 'state': 'absent',
                                                  'routes': ['198.19.238.96/28']}])
    assert built['__interfaces_link_entries'][0] == every
    assert built['__interfaces_link_entries'][0] is not every
    entries = _linkset.validate(built['__interfaces_link_entries'][1:])
    assert [(e['name'], e['kind'], e['parent'], e['macvlan_mode'], e['state'], e['addresses'], e['persist'])
            for e in entries] == [('lanshim', 'macvlan', 'eth1', 'bridge', 'up', ['198.19.238.9/32'], True),
                                  ('oldshim', 'macvlan', 'eth1', 'bridge', 'absent', None, True)]
    defaults = _role_vars(interfaces_links=[{'name': 'eth1', 'mtu': 9000}], interfaces_persist=True)
    assert defaults['__interfaces_link_entries'] == [{'name': 'eth1', 'mtu': 9000, 'kind': None, 'state': 'up',
                                                      'persist': True}]
    routes = _routeset.validate(built['__interfaces_route_entries'])
    assert [(r['dest'], r['dev'], r['scope']) for r in routes[:2]] == [
        ('198.19.238.64/28', 'lanshim', 'link'), ('198.19.238.80/28', 'lanshim', 'link')]
    assert routes[2] == _routeset.validate([route])[0]  # a removed shim's routes go with it


def test_ovs_bridges_and_internal_ports_come_before_the_links_and_their_devices_are_expected_links():
    bridges = [{'name': 'br-a', 'datapath_type': 'netdev'}, {'name': 'br-b', 'state': 'present'},
               {'name': 'br-old', 'state': 'absent', 'ports': ['p9']}]
    ports = [{'bridge': 'br-a', 'name': 'eth1'},
             {'bridge': 'br-a', 'name': 'in1', 'type': 'internal', 'tag': 10},
             {'bridge': 'br-a', 'name': 'vx1', 'type': 'vxlan', 'remote_ip': '198.18.96.12'},
             {'bridge': 'br-b', 'name': 'in2', 'type': 'internal', 'state': 'present'},
             {'bridge': 'br-b', 'name': 'in3', 'type': 'internal', 'state': 'absent'}]
    built = _role_vars(interfaces_ovs_bridges=bridges, interfaces_ovs_ports=ports)
    assert built['__interfaces_ovs_bridges_present'] == bridges[:2]
    assert built['__interfaces_ovs_bridges_absent'] == bridges[2:]
    # internal ports to have: before the links; everything else (an internal port to remove too): after
    assert built['__interfaces_ovs_ports_early'] == [ports[1], ports[3]]
    assert built['__interfaces_ovs_ports_late'] == [ports[0], ports[2], ports[4]]
    assert built['__interfaces_ovs_devices'] == ['br-a', 'br-b', 'in1', 'in2']
    # ovs-vswitchd in another namespace: its devices are not the host's links
    elsewhere = _role_vars(interfaces_ovs_bridges=bridges, interfaces_ovs_ports=ports, interfaces_ovs_netns='sw')
    assert elsewhere['__interfaces_ovs_devices'] == []
    none = _role_vars()
    assert [none[k] for k in ('__interfaces_ovs_bridges_present', '__interfaces_ovs_ports_early',
                              '__interfaces_ovs_ports_late', '__interfaces_ovs_devices')] == [[], [], [], []]
