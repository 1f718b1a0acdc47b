"""What the tests share: helpers, fixtures and test doubles, imported by collection path
(``from ansible_collections.netprov.dockernet.tests.support import inproc``; tests/conftest.py puts
.build/collections on sys.path, ansible-test units has the collection there).

Running modules:
    ansible_play    ``play()``/``run_module()``: a real ansible-playbook on localhost (``ROOT``, ``PYTHON``,
                    ``ansible_env()``)
    inproc          ``call()``: a module's main() in this process (Ansible's argument checks, check mode)
    esp_playbook    playbooks/encrypted_overlay.yml against a set of engines, its results read back
    cores_legs      the virtualenvs of the ansible-core support matrix (scripts/cores.sh smoke)
    tooling         the tools virtualenv (ansible-builder, ...)
Engines (pytest plugins, see tests/integration/conftest.py):
    engine_matrix   ``docker_engine``, ``engine``, ``engine_info``: each engine of NETPROV_ENGINES
    engine_fixtures ``client``, ``scratch``: the SDK client of ``docker_engine`` and a scratch name
    fleet_fixtures  ``fleet``, ``swarm_fleet``: several engines in network namespaces
    ovs_fixtures    ``ovs``, ``ovs_pair``: ovsdb-server and ovs-vswitchd in namespaces
    ovs_switch      starting ovsdb-server and ovs-vswitchd by hand (no pytest: the UML guest uses it too)
    fleet           ``Fleet``, ``scratch_fleet``: the engines in namespaces themselves (also a CLI)
    dind            ``dind_fleet``: Docker-in-Docker hosts reached over SSH (the site playbook)
Host and faults:
    scratch_netns   ``ns``, ``scratch_netns``: scratch network namespaces
    ssh_double      a process that looks like an SSH session to the modules' management-path guard
    faultproxy      ``FaultProxy``: a unix-socket proxy to the engine that drops or delays answers
    kernel_expect   what this machine's kernel (or the UML guest's) is expected to offer
Unit-test data and doubles (tests/unit, run by pytest and by ansible-test units alike):
    network_data    wanted networks, networks as inspect shows them, endpoint records, ``ListedEngine``
    engine_double   ``Engine``: an engine double that refuses what the engine refuses and fails chosen calls
    host_data       host_link parameters and kernel links; ``plan_steps()``
    swarm_data      docker_swarm's and docker_swarm_node's wants and the swarm state read on an engine
    ovs_data        a hand-made read of a switch, the links beside it, ovs_* parameters; ``steps_of()``
The UML guest (tests/uml/README.md):
    guest           boots a User-Mode Linux guest and runs one command in it (also a CLI)
    guest_engine    ``GuestEngine``: a dockerd inside the guest; ``release()``, ``retry()``
    guest_fabric    engines in namespaces on a bridge inside the guest; ``esp_states()``
"""
