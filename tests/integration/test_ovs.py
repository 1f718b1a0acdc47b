"""ovs_bridge, ovs_port and ovs_info against a real ovsdb-server and ovs-vswitchd (userspace datapath).

Each test starts its own switch in a fresh network namespace (ovs_fixtures.py).
What the modules wrote is read back with ovs-vsctl, which the modules never
use; traffic runs between further namespaces whose veth ends are the ports.
Addresses come from 198.19.176.0/20.
"""
import pytest

from ansible_play import play
from inproc import call

B = 'netprov.dockernet.ovs_bridge'
P = 'netprov.dockernet.ovs_port'
INFO = 'netprov.dockernet.ovs_info'
L = 'netprov.dockernet.host_link'


def on(sw, module, **args):
    """A task of ``module`` against switch ``sw``."""
    args.setdefault('ovsdb', sw.remote)
    if module != INFO:
        args.setdefault('netns', sw.netns)
    return {module: args}


def ok(result, i=None):
    assert result.get('failed') is not True, (i, result.get('msg'))
    return result


def short(module):
    return module.split('.')[-1]


def direct(sw, module, check=False, diff=False, **args):
    """One in-process module call (the module's real main()) against ``sw``."""
    task = on(sw, module, **args)
    return call(short(module), task[module], check=check, diff=diff)


def test_fixture_runs_a_userspace_switch(ovs):
    ovs.vsctl('add-br', 'br-fx', '--', 'set', 'bridge', 'br-fx', 'datapath_type=netdev')
    assert ovs.vsctl('list-br') == 'br-fx'
    assert 'netdev' in ovs.get('Open_vSwitch', '.', 'datapath_types')
    assert 'br-fx' in ovs.ip('link')   # the bridge's device is in the switch's namespace, not the machine's


# ---------------------------------------------------------------- ovs_bridge

BRIDGE_FIRST = dict(name='br-t', datapath_type='netdev', fail_mode='secure', stp=True,
                    external_ids={'owner': 'netprov', 'managed': True}, other_config={'mac-aging-time': 300},
                    controller=['tcp:198.19.176.9:6653'], protocols=['OpenFlow13', 'OpenFlow14'])
BRIDGE_CHANGED = dict(name='br-t', fail_mode='standalone', stp=False, rstp=True,
                      external_ids={'owner': None, 'site': 'b'}, other_config={'mac-aging-time': '600'},
                      controller=[], protocols=['OpenFlow10', 'OpenFlow15'])


def test_bridge_every_option_set_read_back_and_changed(ovs):
    task = [on(ovs, B, **BRIDGE_FIRST)]
    check = ok(play(task, check=True, diff=True)[0])
    assert check['changed'] is True
    assert [s['action'] for s in check['plan']] == ['create_bridge']
    assert check['diff']['before'] == {'name': 'br-t', 'state': 'absent'}
    assert check['bridge']['fail_mode'] == 'secure'
    assert ovs.vsctl('list-br') == ''   # check mode changed nothing

    done = ok(play(task, diff=True)[0])
    assert (done['changed'], done['plan']) == (True, check['plan'])
    assert done['bridge'] == check['bridge']   # check mode predicted the bridge exactly
    assert ovs.get('Bridge', 'br-t', 'datapath_type') == 'netdev'
    assert ovs.get('Bridge', 'br-t', 'fail_mode') == 'secure'
    assert ovs.get('Bridge', 'br-t', 'stp_enable') == 'true'
    assert ovs.get('Bridge', 'br-t', 'external_ids') == '{managed="true", owner=netprov}'
    assert ovs.get('Bridge', 'br-t', 'other_config') == '{mac-aging-time="300"}'
    assert ovs.get('Bridge', 'br-t', 'protocols') == '[OpenFlow13, OpenFlow14]'
    assert ovs.vsctl('get-controller', 'br-t') == 'tcp:198.19.176.9:6653'
    assert ovs.get('Interface', 'br-t', 'type') == 'internal'

    again = ok(play(task + [dict(task[0], check_mode=True)])[0])
    assert (again['changed'], again['plan']) == (False, [])

    ovs.vsctl('set', 'Bridge', 'br-t', 'external_ids:foreign=keep')   # another tool's key
    change = [on(ovs, B, **BRIDGE_CHANGED)]
    planned = ok(play(change, check=True)[0])['plan']
    assert sorted(s['field'] for s in planned) == ['controller', 'external_ids', 'fail_mode', 'other_config',
                                                  'protocols', 'rstp', 'stp']
    assert ovs.get('Bridge', 'br-t', 'fail_mode') == 'secure'
    changed = ok(play(change, diff=True)[0])
    assert changed['plan'] == planned
    assert changed['diff']['before']['external_ids'] == {'owner': 'netprov', 'site': None}
    assert changed['diff']['after']['external_ids'] == {'owner': None, 'site': 'b'}
    assert ovs.get('Bridge', 'br-t', 'fail_mode') == 'standalone'
    assert (ovs.get('Bridge', 'br-t', 'stp_enable'), ovs.get('Bridge', 'br-t', 'rstp_enable')) == ('false', 'true')
    assert ovs.get('Bridge', 'br-t', 'external_ids') == '{foreign=keep, managed="true", site=b}'
    assert ovs.get('Bridge', 'br-t', 'other_config') == '{mac-aging-time="600"}'
    assert ovs.get('Bridge', 'br-t', 'protocols') == '[OpenFlow10, OpenFlow15]'
    assert ovs.vsctl('get-controller', 'br-t') == ''
    assert ok(play(change)[0])['changed'] is False


# ---------------------------------------------------------------- refusals

def _state(sw):
    return sw.vsctl('show').split('\n', 1)[1]   # without the database's uuid line


BAD = [
    (B, dict(name='br-r', stp=True, rstp=True), 'rstp: STP and RSTP exclude each other on one bridge'),
    (B, dict(name='br-r', controller=['6653']), "controller[0]: '6653' is not an OpenFlow controller target"),
    (B, dict(name='br-r', external_ids={'a': ['x']}), "external_ids.a: ['x'] is not a string"),
    (B, dict(name='br-with-a-long-name'), "name: 'br-with-a-long-name' is not a valid name"),
    (B, dict(name='br-r', ports=['r1']), 'ports: only with state: absent'),
    (B, dict(name='br-r', ovsdb='unix:/nonexistent/db.sock'), 'ovsdb: cannot reach OVSDB at unix:/nonexistent/db.sock'),
    (B, dict(name='br-r', ovsdb='http://x'), "ovsdb: 'http://x' is not an OVSDB connection"),
    (B, dict(name='br-r', timeout=0), 'timeout: 0 is not a timeout'),
]


@pytest.mark.parametrize('module,args,msg', BAD, ids=['%s-%d' % (short(m), i) for i, (m, a, s) in enumerate(BAD)])
def test_bad_input_refused_naming_the_field(ovs, module, args, msg):
    ovs.veth('r1', 'r1x')
    ovs.vsctl('add-br', 'br-r', '--', 'set', 'bridge', 'br-r', 'datapath_type=netdev', '--',
              'add-port', 'br-r', 'r1')
    before = _state(ovs)
    for check in (True, False):
        res = direct(ovs, module, check=check, **args)
        assert res.traceback is None, res.traceback
        assert res.failed and res['msg'].startswith(msg), res['msg']
    assert _state(ovs) == before
