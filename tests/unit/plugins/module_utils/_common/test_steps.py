"""_common.steps: the one step shape, and a step written back under the key its module's users know."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._common import steps


def test_a_step_is_action_subject_reason_and_its_details_flat():
    one = steps.step('connect', 'backend', 'web is not attached', container='web', aliases=['db'])
    assert one == {'action': 'connect', 'subject': 'backend', 'reason': 'web is not attached', 'container': 'web',
                   'aliases': ['db']}
    assert steps.KEYS == ('action', 'subject', 'reason') and all(k in one for k in steps.KEYS)


def test_a_route_subject_is_its_identifying_fields():
    subject = {'family': 'ipv4', 'dest': '198.19.224.0/24', 'table': 254, 'metric': 0}
    one = steps.step('add', subject, 'not in the table')
    assert steps.render_step(one, 'route') == {'action': 'add', 'route': subject, 'reason': 'not in the table'}


def test_render_step_puts_the_subject_under_the_modules_key_and_keeps_the_rest():
    one = steps.step('set', 'eth1', 'mtu 1500 -> 9000', field='mtu', before=1500, after=9000)
    shown = steps.render_step(one, 'link')
    assert shown == {'action': 'set', 'link': 'eth1', 'reason': 'mtu 1500 -> 9000', 'field': 'mtu', 'before': 1500,
                     'after': 9000}
    assert list(shown)[:2] == ['action', 'link']
    assert one['subject'] == 'eth1'  # the planner's step is not changed


def test_by_action_names_another_key_or_hides_the_subject():
    by_action = {'create_bridge': 'bridge', 'set': None}
    assert steps.render_step(steps.step('create_bridge', 'br0', 'absent'), 'port', by_action) == {
        'action': 'create_bridge', 'bridge': 'br0', 'reason': 'absent'}
    assert steps.render_step(steps.step('set', 'Interface p1', 'tag', column='tag'), 'port', by_action) == {
        'action': 'set', 'reason': 'tag', 'column': 'tag'}
    assert steps.render_step(steps.step('add', 'p1', 'absent'), 'port', by_action)['port'] == 'p1'


def test_render_keeps_the_order_of_the_steps():
    plan = [steps.step('create', 'a', 'absent'), steps.step('remove', 'b', 'state absent')]
    assert steps.render(plan, 'network') == [{'action': 'create', 'network': 'a', 'reason': 'absent'},
                                             {'action': 'remove', 'network': 'b', 'reason': 'state absent'}]
    assert steps.render([], 'network') == []
