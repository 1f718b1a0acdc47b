"""host_link on the link kinds this machine's kernel lacks: ipvlan, 802.1Q VLAN, dummy, and the ESP probe.

Each test skips unless _probes.probe() says the running kernel can do it, so
on the machine kernel they skip and in the User-Mode Linux guest (a full
kernel) they run; there, a probe that says a feature is missing fails the
test (kernel_expect: the guest has them all), and the tier counts any skip as
a failure. Through the kernel tier:

    NETPROV_UML_TESTS="tests/integration/test_host_link_full_kernel.py tests/integration/test_netlink_probes.py" \
        .venv/bin/python -m pytest -q tests/integration/test_uml_kernel.py
"""
import functools
import os

import pytest

from ansible_collections.netprov.dockernet.tests.support import ansible_play
from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink, probes as _probes
from ansible_collections.netprov.dockernet.tests.support.kernel_expect import expected_capabilities
from ansible_collections.netprov.dockernet.tests.support.scratch_netns import ns  # noqa: F401 pylint: disable=unused-import

M = 'netprov.dockernet.host_link'
IN_GUEST = os.environ.get('NETPROV_UML_GUEST') == '1'


class _Results(list):
    @property
    def results(self):
        return self


def play(tasks, check=False):
    """The real ansible-playbook on the machine; in the slow UML guest, where one playbook
    costs 10-20 s, the module's real main() in-process (tests/support/inproc.py: Ansible's own
    argument validation, check mode, exit_json/fail_json), so the tier stays short."""
    if not IN_GUEST:
        return ansible_play.play(tasks, check=check)
    from ansible_collections.netprov.dockernet.tests.support import inproc  # pylint: disable=import-outside-toplevel
    out = _Results()
    for task in tasks:
        (fqcn, args), = task.items()
        out.append(inproc.call(fqcn.split('.')[-1], args, check=check).result)
    return out


def needs(*features):
    """Skip where the kernel lacks a feature; where it must have them (the UML guest), a probe saying
    "lacking" fails the test instead, so a wrong probe cannot turn these tests into skips everywhere."""
    found = _probes.probe(features)
    lacking = [f for f in features if not found[f]['supported']]
    wrong = [f for f in lacking if expected_capabilities()[f]]
    if not wrong:
        return pytest.mark.skipif(bool(lacking), reason='kernel lacks %s' % ', '.join(lacking))

    def refuse(test):
        @functools.wraps(test)
        def failing(*args, **kwargs):
            pytest.fail('the probe says this kernel lacks %s, which it has (%s)' % (', '.join(wrong), '; '.join(
                '%s: %s' % (f, found[f]['detail']) for f in wrong)))
        return failing
    return refuse


def converge(tasks):
    """Run tasks twice: the first run changes each, the second nothing, check mode after that nothing."""
    first = play(tasks)
    for i, r in enumerate(first.results):
        assert r['changed'] and not r.get('failed'), (i, r.get('msg'))
    for again in (play(tasks), play(tasks, check=True)):
        for i, r in enumerate(again.results):
            assert (r['changed'], r.get('failed', False), r['plan']) == (False, False, []), (i, r)
    return first


@needs('ipvlan')
def test_ipvlan_l2_and_l3(ns):
    converge([
        {M: {'name': 'nl-v0', 'kind': 'veth', 'peer': 'nl-v1', 'state': 'up', 'netns': ns}},
        {M: {'name': 'nl-iv2', 'kind': 'ipvlan', 'parent': 'nl-v0', 'ipvlan_mode': 'l2', 'ipvlan_flag': 'private',
             'addresses': ['198.18.200.2/24'], 'state': 'up', 'netns': ns}},
        {M: {'name': 'nl-iv3', 'kind': 'ipvlan', 'parent': 'nl-v1', 'ipvlan_mode': 'l3', 'state': 'up',
             'netns': ns}},
    ])
    l2, l3 = _netlink.get_link('nl-iv2', ns), _netlink.get_link('nl-iv3', ns)
    assert (l2['kind'], l2['parent'], l2['ipvlan_mode'], l2['ipvlan_flag'], l2['addresses']) == \
        ('ipvlan', 'nl-v0', 'l2', 'private', ['198.18.200.2/24'])
    assert (l3['ipvlan_mode'], l3['ipvlan_flag']) == ('l3', 'bridge')
    # the mode is the parent's (one ipvlan port per parent): a sibling in another mode is refused
    res = play([{M: {'name': 'nl-iv4', 'kind': 'ipvlan', 'parent': 'nl-v0', 'ipvlan_mode': 'l3', 'netns': ns}},
                {M: {'name': 'nl-mv', 'kind': 'macvlan', 'parent': 'nl-v0', 'netns': ns}}])
    assert res[0]['failed'] and res[0]['msg'].startswith('ipvlan_mode: nl-v0 already carries ipvlan links in '
                                                         'mode l2, flag private (nl-iv2)'), res[0]['msg']
    assert res[1]['failed'] and res[1]['msg'].startswith('parent: nl-v0 carries ipvlan links (nl-iv2)')
    assert not _netlink.link_exists('nl-iv4', ns) and not _netlink.link_exists('nl-mv', ns)


@needs('vlan', 'ipvlan')
def test_vlan_and_ipvlan_on_top(ns):
    converge([
        {M: {'name': 'nl-v0', 'kind': 'veth', 'peer': 'nl-v1', 'state': 'up', 'netns': ns}},
        {M: {'name': 'nl-v0.10', 'kind': 'vlan', 'parent': 'nl-v0', 'vlan_id': 10, 'mtu': 1400, 'state': 'up',
             'netns': ns}},
        {M: {'name': 'nl-iv', 'kind': 'ipvlan', 'parent': 'nl-v0.10', 'ipvlan_mode': 'l2', 'state': 'up',
             'netns': ns}},
    ])
    vl = _netlink.get_link('nl-v0.10', ns)
    assert (vl['kind'], vl['parent'], vl['vlan_id'], vl['mtu']) == ('vlan', 'nl-v0', 10, 1400)
    assert _netlink.get_link('nl-iv', ns)['parent'] == 'nl-v0.10'
    res = play([{M: {'name': 'nl-v0.10', 'kind': 'vlan', 'parent': 'nl-v0', 'vlan_id': 20, 'netns': ns}}])
    assert res[0]['failed'] and 'vlan_id 10 -> 20 cannot change in place' in res[0]['msg']


@needs('dummy')
def test_dummy_with_addresses(ns):
    converge([{M: {'name': 'nl-du', 'kind': 'dummy', 'addresses': ['198.18.201.1/32', 'fd00:198:18:c9::1/128'],
                   'state': 'up', 'netns': ns}}])
    assert _netlink.get_link('nl-du', ns)['addresses'] == ['198.18.201.1/32', 'fd00:198:18:c9::1/128']


@needs('esp')
def test_esp_reported_by_host_network_info():
    info = play([{'netprov.dockernet.host_network_info': {'features': ['esp']}}])[0]
    assert info['capabilities'] == {'esp': True}
    assert 'rfc4106(gcm(aes))' in info['capability_details']['esp']
