"""The preflight role's Open vSwitch check on this machine, before anything changes: OVSDB must answer on the
socket the interfaces role uses, and every bridge's datapath type and every port's interface type must be one
ovs-vswitchd offers here (this kernel has no OVS datapath: ``system`` is refused, ``netdev`` passes).

The role's other checks need the system engine (the ``client`` fixture); the switch is ovs_fixtures' userspace
one. Addresses: 198.18.80.0/20."""
from ansible_collections.netprov.dockernet.tests.support.ansible_play import play
from ansible_collections.netprov.dockernet.tests.support.ovs_switch import Ovs

# the role's fail task ignored (``apply``), so that the next task reads the lines the role failed on
ROLE = {'ansible.builtin.include_role': {'name': 'netprov.dockernet.preflight', 'apply': {'ignore_errors': True}}}
PROBLEMS = {'ansible.builtin.debug': {'var': '__preflight_problems'}}
TUNNEL = {'bridge': 'br-pf', 'name': 'vx-pf', 'type': 'vxlan', 'remote_ip': '198.18.88.2', 'key': 88}
STOP = 'Stop here if the host cannot do what its inventory asks'


def _preflight(**role_vars):
    """The role's run and its problem lines ([]: it passed)."""
    role_vars.setdefault('preflight_swarm', False)
    res = play([dict(ROLE, vars=role_vars), PROBLEMS])
    problems = res[1]['__preflight_problems']
    # the role stopped on exactly these (its fail task ran) or went through
    assert ('...ignoring' in res.stdout.split(STOP)[-1]) == bool(problems), res.stdout[-3000:]
    return res, problems


def test_ovs_asked_for_where_ovsdb_does_not_answer_is_refused(client, tmp_path):
    sock = 'unix:%s/db.sock' % tmp_path
    res, problems = _preflight(interfaces_ovs_bridges=[{'name': 'br-pf', 'datapath_type': 'netdev'}],
                               interfaces_ovs_ports=[TUNNEL], interfaces_ovsdb=sock)
    assert problems == [
        "localhost: ovsdb: interfaces_ovs_bridges 'br-pf', interfaces_ovs_ports 'vx-pf' ask for Open vSwitch, but "
        "OVSDB does not answer at %s (ovsdb: cannot reach OVSDB at %s: No such file or directory (is ovsdb-server "
        "running? give its socket in ovsdb)); install and start Open vSwitch (ovsdb-server and ovs-vswitchd), or "
        "set interfaces_ovsdb to the socket its ovsdb-server listens on" % (sock, sock)], res.stdout[-3000:]


def test_no_ovs_asked_for_reads_no_ovsdb(client):
    res, problems = _preflight(interfaces_ovsdb='unix:/nonexistent/db.sock')
    assert problems == [], res.stdout[-3000:]
    assert 'skipping: [localhost]' in res.stdout.split('Read Open vSwitch')[1].split('TASK')[0]


def test_userspace_datapath_passes_and_nothing_is_made(client, ovs):
    res, problems = _preflight(interfaces_ovs_bridges=[{'name': 'br-pf', 'datapath_type': 'netdev'}],
                               interfaces_ovs_ports=[TUNNEL, {'bridge': 'br-pf', 'name': 'in-pf', 'type': 'internal'}],
                               interfaces_ovsdb=ovs.remote)
    assert problems == [], res.stdout[-3000:]
    assert ovs.vsctl('list-br') == ''   # preflight only reads


def test_kernel_datapath_on_a_kernel_without_it_is_refused_naming_the_bridge_and_field(client, ovs):
    # ovs-vswitchd lists system among its datapath types even here: the kernel probe is what tells
    assert 'system' in ovs.get('Open_vSwitch', '.', 'datapath_types')
    res, problems = _preflight(interfaces_ovs_bridges=[{'name': 'br-ok', 'datapath_type': 'netdev'},
                                                       {'name': 'br-k', 'datapath_type': 'system'},
                                                       {'name': 'br-d'}],
                               interfaces_ovsdb=ovs.remote)
    why = ("needs the kernel's Open vSwitch datapath, which this host lacks (generic netlink family ovs_datapath "
           "not found (ENOENT): the kernel has no openvswitch module); set datapath_type: netdev (the userspace "
           "datapath), or use a kernel with the openvswitch module")
    assert problems == ["localhost: interfaces_ovs_bridges[1] 'br-k' datapath_type: system " + why,
                        "localhost: interfaces_ovs_bridges[2] 'br-d' datapath_type: system (the default) " + why], \
        res.stdout[-3000:]
    assert ovs.vsctl('list-br') == ''


def test_ovs_vswitchd_never_started_is_refused(client, ovs_available):
    sw = Ovs().start(vswitchd=False)   # ovsdb-server answers; nothing has recorded datapath types
    try:
        res, problems = _preflight(interfaces_ovs_bridges=[{'name': 'br-pf', 'datapath_type': 'netdev'}],
                                   interfaces_ovsdb=sw.remote)
    finally:
        sw.stop()
    assert problems == ["localhost: interfaces_ovs_bridges[0] 'br-pf' datapath_type: netdev, but ovs-vswitchd has "
                        "recorded no datapath types in OVSDB at %s (it is not running, or not connected to that "
                        "database); start ovs-vswitchd" % sw.remote], res.stdout[-3000:]
