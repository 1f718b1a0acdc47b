"""The interfaces role arms its rollback timer for every management-path change, routes included.

The role's check-mode preview (roles/interfaces/tasks/arm_rollback.yml) runs
the same task file as the real run (tasks/apply.yml), so it sees every
argument the real run passes: macvlan_mode, vxlan_*, recreate, force, the
shims and their routes, and the routes. Each case runs the real role with
ansible-playbook in check mode against a scratch namespace (module_defaults
point host_links, host_routes and host_network_info at it), under an SSH session
whose local end is an address there (ssh_double: an sshd stand-in in the
namespace holding a real TCP connection), and reads what the
role decided (its arming step, arm_rollback.yml, as main.yml runs it); then
applies the change with the role's own apply.yml, runs the
rollback script the role renders in that namespace, and checks the link and
routes are back as they were.
"""
import os
import subprocess

import pytest
from pyroute2 import IPRoute

from ansible_collections.netprov.dockernet.tests.support.ansible_play import ROOT, play
from ansible_collections.netprov.dockernet.tests.support.ssh_double import wrapper
from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink, routes as _routes
from ansible_collections.netprov.dockernet.tests.support.scratch_netns import ns  # noqa: F401 pylint: disable=unused-import

ROLE = 'netprov.dockernet.interfaces'
TEMPLATE = os.path.join(ROOT, 'roles', 'interfaces', 'templates', 'rollback.sh.j2')
# The SSH session: the client 198.19.83.99 (on lo), the local end on rb-mv (or on rb-vx)
SSH_MV = '198.19.83.99 50000 198.19.83.1 22'
SSH_VX = '198.19.83.99 50000 198.19.84.1 22'


def host(ns):
    """rb-par (veth) with the default route; rb-mv, a macvlan on it, carrying the SSH session's address."""
    with IPRoute(netns=ns, flags=0) as ipr:
        lo = ipr.link_lookup(ifname='lo')[0]
        ipr.link('set', index=lo, state='up')
        ipr.addr('add', index=lo, address='198.19.83.99', prefixlen=32)  # the SSH client's end
        ipr.link('add', ifname='rb-par', kind='veth', peer='rb-pp')
        par = ipr.link_lookup(ifname='rb-par')[0]
        for idx in (par, ipr.link_lookup(ifname='rb-pp')[0]):
            ipr.link('set', index=idx, state='up')
        ipr.addr('add', index=par, address='198.19.82.1', prefixlen=24)
        ipr.route('add', dst='0.0.0.0/0', gateway='198.19.82.254', oif=par)
        ipr.link('add', ifname='rb-mv', kind='macvlan', link=par, macvlan_mode='bridge')
        mv = ipr.link_lookup(ifname='rb-mv')[0]
        ipr.addr('add', index=mv, address='198.19.83.1', prefixlen=24)
        ipr.link('set', index=mv, state='up')
        ipr.link('add', ifname='rb-vx', kind='vxlan', vxlan_id=4183, vxlan_link=par, vxlan_port=4789)
        vx = ipr.link_lookup(ifname='rb-vx')[0]
        ipr.addr('add', index=vx, address='198.19.84.1', prefixlen=24)
        ipr.link('set', index=vx, state='up')
        ipr.route('add', dst='198.19.85.0/24', gateway='198.19.84.2', oif=vx)


def role_vars(**kw):
    out = {'interfaces_allow_management': True, 'interfaces_unmanage_docker': False, 'interfaces_links': [],
           'interfaces_routes': [], 'interfaces_macvlan_shims': []}
    out.update(kw)
    return out


def defaults(ns):
    return dict((m, {'netns': ns}) for m in ('netprov.dockernet.host_links', 'netprov.dockernet.host_routes',
                                             'netprov.dockernet.host_network_info'))


def decide(ns, tmp_path, role_vars, ssh):
    """The role's arming step in a check-mode run: what it decided to restore, and the rollback script it wrote."""
    script = str(tmp_path / 'rollback.sh')
    res = play([{'ansible.builtin.include_role': {'name': ROLE, 'tasks_from': 'arm_rollback.yml', 'public': True},
                 'vars': role_vars},
                {'ansible.builtin.set_fact': {
                    'touched': "{{ __interfaces_touched }}", 'remade': "{{ __interfaces_remade | default([]) }}",
                    'routes': "{{ __interfaces_touched_routes | default([]) }}",
                    'armed': "{{ __interfaces_before.links is defined }}"}},
                {'ansible.builtin.template': {'src': TEMPLATE, 'dest': script, 'mode': '0700'}, 'check_mode': False,
                 'vars': role_vars, 'when': '__interfaces_before.links is defined'}],
               check=True, module_defaults=defaults(ns), wrapper=wrapper(ns, ssh))
    assert not res[0].get('failed'), res.stdout[-3000:]
    facts = res[1]['ansible_facts']
    if not facts['armed']:
        return facts, None
    assert not res[2].get('failed'), res[2]
    with open(script) as f:
        return facts, f.read()


def apply_for_real(ns, role_vars, ssh):
    """The change itself, by the role's own task file (what main.yml runs after arming)."""
    res = play([{'ansible.builtin.include_role': {'name': ROLE, 'tasks_from': 'apply.yml'},
                 'vars': dict(role_vars, __interfaces_preview=False)}],
               module_defaults=defaults(ns), wrapper=wrapper(ns, ssh))
    assert not res[0].get('failed'), res.stdout[-3000:]


def roll_back(ns, script):
    """As the timer runs it (/bin/sh SCRIPT), in the scratch namespace."""
    r = subprocess.run(['ip', 'netns', 'exec', ns, '/bin/sh', script], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert r.returncode == 0, r.stdout


def snapshot(ns):
    keys = ('kind', 'parent', 'macvlan_mode', 'vxlan_id', 'vxlan_port', 'mtu', 'mac', 'state', 'master',
            'addresses', 'promisc')
    links = dict((l['name'], dict((k, l.get(k)) for k in keys)) for l in _netlink.list_links(ns))
    routes = sorted((r['family'], r['dest'], r['gateway'], r['dev'], r['metric'], r['table'])
                    for r in _routes.list_routes(ns) if r['proto'] != 'kernel')
    return links, routes


@pytest.mark.parametrize('ssh, change, touched, remade, routes', [
    (SSH_MV, {'interfaces_links': [{'name': 'rb-mv', 'kind': 'macvlan', 'parent': 'rb-par',
                                    'macvlan_mode': 'private', 'recreate': True}]},
     ['rb-mv'], ['rb-mv'], []),
    (SSH_VX, {'interfaces_links': [{'name': 'rb-vx', 'kind': 'vxlan', 'vxlan_id': 4183, 'parent': 'rb-par',
                                    'vxlan_port': 8472, 'recreate': True}]},
     ['rb-vx'], ['rb-vx'], []),
    (SSH_MV, {'interfaces_routes': [{'dest': 'default', 'gateway': '198.19.82.253', 'dev': 'rb-par'}]},
     [], [], [('ipv4', 'default', 254, 0)]),
    (SSH_MV, {'interfaces_routes': [{'dest': '198.19.83.64/26', 'gateway': '198.19.84.3',
                                     'dev': 'rb-vx'}]},
     [], [], [('ipv4', '198.19.83.64/26', 254, 0)]),
    (SSH_MV, {'interfaces_macvlan_shims': [{'name': 'rb-shim', 'parent': 'rb-par',
                                            'address': '198.19.82.200/32', 'routes': ['198.19.83.96/27']}]},
     ['rb-shim'], [], [('ipv4', '198.19.83.96/27', 254, 0)]),
], ids=['macvlan_mode', 'vxlan_port', 'default_route', 'route_to_the_client', 'shim_route'])
def test_a_management_path_change_arms_the_rollback_and_the_rollback_restores(ns, tmp_path, ssh, change,
                                                                              touched, remade, routes):
    host(ns)
    before = snapshot(ns)
    facts, script = decide(ns, tmp_path, role_vars(**change), ssh)
    assert facts['armed'], 'the preview saw no change on the management path: no rollback armed (%s)' % facts
    assert facts['touched'] == touched, (facts, script)
    assert facts['remade'] == remade, facts
    assert [(r['family'], r['dest'], r['table'], r['metric']) for r in facts['routes']] == routes, facts
    assert snapshot(ns) == before, 'check mode changed the namespace'

    apply_for_real(ns, role_vars(**change), ssh)
    assert snapshot(ns) != before, 'the change was not applied'
    roll_back(ns, str(tmp_path / 'rollback.sh'))
    after = snapshot(ns)
    assert after[1] == before[1], script
    for name, link in before[0].items():
        got = dict(after[0].get(name) or {})
        if name in remade:
            got.pop('mac')  # a link made again gets a new MAC from the kernel unless the script sets it
            link = dict(link)
            link.pop('mac')
        assert got == link, (name, script)
    assert sorted(after[0]) == sorted(before[0]), script


def test_no_change_arms_nothing(ns, tmp_path):
    host(ns)
    same = role_vars(interfaces_links=[{'name': 'rb-mv', 'kind': 'macvlan', 'parent': 'rb-par',
                                        'macvlan_mode': 'bridge', 'addresses': ['198.19.83.1/24']}],
                     interfaces_routes=[{'dest': 'default', 'gateway': '198.19.82.254', 'dev': 'rb-par'}])
    res = play([{'ansible.builtin.include_role': {'name': ROLE}, 'vars': same},
                {'ansible.builtin.set_fact': {'touched': "{{ __interfaces_touched }}",
                                              'routes': "{{ __interfaces_touched_routes }}",
                                              'armed': "{{ __interfaces_armed | default(false) }}"}}],
               module_defaults=defaults(ns), wrapper=wrapper(ns, SSH_MV))
    assert not res[0].get('failed'), res.stdout[-3000:]
    assert res[1]['ansible_facts'] == {'touched': [], 'routes': [], 'armed': False}, res[1]
