from ansible_collections.netprov.dockernet.tests.support.ansible_play import run_module


def test_ping_through_real_ansible_playbook():
    r = run_module('ansible.builtin.ping', {'data': 'netprov'})
    assert r['ping'] == 'netprov'
