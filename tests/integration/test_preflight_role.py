"""The preflight role on this machine: its argument spec refuses odd nested entries by name, and a network that
names its own bridge is not in its own way on the second run (subnets from 198.19.88.0/21)."""
import pytest

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play

ROLE = {'ansible.builtin.include_role': {'name': 'netprov.dockernet.preflight'}}


def _preflight(**role_vars):
    role_vars.setdefault('preflight_swarm', False)
    return play([dict(ROLE, vars=role_vars)])


def test_odd_nested_entries_are_refused_by_the_roles_argument_spec():
    # The role stops at its argument check, before any task: the play has no results to read, only its output.
    with pytest.raises(AssertionError) as stopped:
        _preflight(preflight_networks=[{'name': 'a', 'ipam_config': {'subnet': '198.19.90.0/26'}}])
    out = str(stopped.value)
    assert 'Validation of arguments failed' in out, out[-3000:]
    assert "argument 'ipam_config' is of type dict found in 'preflight_networks'" in out, out[-3000:]


def test_a_network_with_its_own_bridge_name_passes_on_the_second_run(client, scratch):
    bridge = ('%sbr' % scratch.prefix)[:15]
    entry = {'name': scratch.name('br'), 'driver_options': {'com.docker.network.bridge.name': bridge},
             'ipam_config': [{'subnet': '198.19.90.64/26'}]}
    first = _preflight(preflight_networks=[entry])
    assert first.rc == 0, first.stdout[-3000:]
    made = play([{'netprov.dockernet.docker_networks': {'networks': [entry]}}])
    assert made[0]['created'] == [entry['name']], made[0].get('msg')
    assert client.api.inspect_network(entry['name'])['Options']['com.docker.network.bridge.name'] == bridge
    # The engine's bridge now carries the subnet's route: that is the network itself, not something in the way.
    second = _preflight(preflight_networks=[entry])
    assert second.rc == 0, second.stdout[-3000:]


def test_ingress_mode_without_ipvs_is_refused_naming_ipvs_and_passes_with_the_routing_mesh_off():
    """This machine's kernel has no IPVS (kernel_expect): a swarm host that uses the routing mesh (ingress mode, the
    default) is refused with the reason; with swarm_routing_mesh off (host-mode publishing) it passes."""
    from ansible_collections.netprov.dockernet.tests.support.kernel_expect import expected_capabilities
    if expected_capabilities()['ipvs']:
        pytest.skip('this kernel has IPVS')
    swarm_host = dict(preflight_swarm=True, preflight_swarm_manager=True)
    for role_vars in (dict(swarm_routing_mesh=True), {}):   # the default is the routing mesh (Docker's too)
        with pytest.raises(AssertionError) as stopped:   # the role fails: the play has no results to read
            _preflight(**dict(swarm_host, **role_vars))
        out = str(stopped.value)
        assert 'localhost: kernel lacks ipvs, needed by swarm_routing_mesh (ports published in ingress mode' in out, \
            out[-3000:]
        assert 'load ip_vs' in out and 'publish every port in host mode (mode=host) and set swarm_routing_mesh: ' \
            'false' in out
    off = _preflight(swarm_routing_mesh=False, **swarm_host)
    assert off.rc == 0, off.stdout[-3000:]
    assert 'kernel lacks IPVS: swarm services with endpoint_mode vip will not balance' in off.stdout   # a warning
