"""The roles on hosts as users have them, reached over real SSH (a private two-host Docker-in-Docker fleet).

- host2 has Docker CE's layout (scripts/fleet-image-ce.sh: docker-ce,
  docker-ce-cli and containerd.io own /usr/bin/dockerd, ..., docker.service
  runs /usr/bin/dockerd -H fd:// --containerd=...; nothing under /usr/sbin;
  the engine is 28.5, which has `dockerd --validate`): the engine role's
  checks all run there - a restart that would stop containers, live-restore on
  a swarm node, daemon.json validated by the unit's dockerd.
- A host whose dockerd is gone: the role fails naming what it looked for.
- The install paths in check mode (Docker CE's repository is not reachable
  from here): what would be installed is named, nothing is written; an install
  that would replace the other source's engine is refused.
- An unprivileged login (user `deploy`, sudo without a password) over real
  SSH, with `become: true`: host_link refuses to cut the link that carries the
  session (read from the kernel's socket table: sudo drops SSH_CONNECTION),
  and the roles run.
- The README's install section: host3 is Debian 13 with the Python libraries
  from Debian's own packages (python3-docker 7.1 serves the Docker modules,
  python3-pyroute2 0.7.7 is refused as too old); on host1 (Debian 12) the
  libraries are in a virtualenv only, named by ansible_python_interpreter.
"""
import json
import os
import re
import subprocess

import pytest
import yaml

from ansible_collections.netprov.dockernet.tests.support.dind import dind_fleet, recap
from ansible_collections.netprov.dockernet.tests.support.ansible_play import ROOT, ansible_env, play

PREFIX = 'npce'
SUBNET = '198.19.168.0/24'
DNS = '198.19.168.53'
OTHER_DNS = '198.19.168.54'
IMAGE = 'netprov-test/busybox:latest'
CE_REPO = {'url': 'https://docker-ce.repository.invalid/linux/debian',
           'key': 'https://docker-ce.repository.invalid/linux/debian/gpg'}
DEB, CE, TRIXIE = 1, 2, 3  # host1: Debian 12's docker.io; host2: Docker CE's layout; host3: Debian 13
VENV = '/opt/netprov'
HOST_LINK = 'netprov.dockernet.host_link'


@pytest.fixture(scope='module')
def fleet():
    with dind_fleet(PREFIX, 3, SUBNET, layouts='debian ce trixie') as f:
        write_inventory(f)
        yield f


def write_inventory(fleet):
    state = fleet.state
    inventory = {'all': {
        'vars': {
            'ansible_user': 'root',
            'ansible_python_interpreter': '/usr/bin/python3',
            'ansible_ssh_private_key_file': os.path.join(state, 'id_ed25519'),
            'ansible_ssh_common_args': '-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes'
                                       % os.path.join(state, 'known_hosts'),
            'ansible_ssh_pipelining': True,
            'ansible_timeout': 30,
        },
        'hosts': {'deb': {'ansible_host': fleet.base + '11'}, 'ce': {'ansible_host': fleet.base + '12'},
                  'trixie': {'ansible_host': fleet.base + '13'},
                  'deb-venv': {'ansible_host': fleet.base + '11', 'ansible_python_interpreter': VENV + '/bin/python'}},
    }}
    fleet.hosts_file = os.path.join(fleet.workdir, 'hosts.yml')
    with open(fleet.hosts_file, 'w') as f:
        yaml.safe_dump(inventory, f)


def role(fleet, host, name, *args, inventory=None, **role_vars):
    """ansible-playbook running role ``name`` on ``host``: the process (rc, stdout)."""
    play = [{'name': 'the %s role' % name, 'hosts': host, 'gather_facts': False,
             'roles': [{'role': 'netprov.dockernet.' + name}]}]
    path = os.path.join(fleet.workdir, 'play-%s.yml' % name)
    with open(path, 'w') as f:
        yaml.safe_dump(play, f)
    cmd = [os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), '-i', inventory or fleet.hosts_file, path,
           '-e', json.dumps(role_vars)] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(), timeout=900, check=False)


def dockerd_pid(fleet, k):
    return fleet.on_host(k, 'systemctl', 'show', '-p', 'MainPID', '--value', 'docker').stdout.strip()


def daemon_json(fleet, k):
    return fleet.on_host(k, 'cat', '/etc/docker/daemon.json').stdout


def failure(proc):
    """The msg of the (first) failed task."""
    for line in proc.stdout.splitlines():
        if line.startswith('fatal:') and '=> ' in line:
            return json.loads(line.split('=> ', 1)[1]).get('msg', '')
    raise AssertionError('no task failed:\n' + proc.stdout[-4000:])


def test_the_hosts_have_their_layouts(fleet):
    ce = fleet.on_host(CE, 'systemctl', 'show', '-p', 'ExecStart', '--value', 'docker.service').stdout
    assert 'argv[]=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock ' in ce
    assert fleet.on_host(CE, 'test', '-e', '/usr/sbin/dockerd', check=False).returncode == 1
    assert fleet.on_host(CE, 'dpkg-query', '-W', '-f', '${Package} ', 'docker-ce', 'docker-ce-cli',
                         'containerd.io').stdout.split() == ['containerd.io', 'docker-ce', 'docker-ce-cli']
    assert 'path=/usr/sbin/dockerd' in fleet.on_host(DEB, 'systemctl', 'show', '-p', 'ExecStart', '--value',
                                                     'docker.service').stdout


def test_on_docker_ce_the_checks_run(fleet):
    """Each safety check the role makes before writing daemon.json, on the CE host."""
    fleet.on_host(CE, 'docker', 'run', '-d', '--name', 'ce-a', IMAGE, 'sleep', '3600')
    try:
        pid, before = dockerd_pid(fleet, CE), daemon_json(fleet, CE)

        refused = role(fleet, 'ce', 'engine', engine_dns=[DNS])
        assert refused.returncode == 2, refused.stdout[-4000:]
        assert failure(refused) == (
            'engine: ce: daemon.json keys dns change and need an engine restart, but 1 containers run (/ce-a); set '
            'engine_live_restore=true to keep them running through the restart, or set engine_allow_restart=true to '
            'restart anyway')

        # The unit's /usr/bin/dockerd --validate refuses what the controller cannot judge, before anything is written.
        invalid = role(fleet, 'ce', 'engine', engine_dns=['not-an-address'], engine_allow_restart=True)
        assert invalid.returncode == 2, invalid.stdout[-4000:]
        assert 'invalid IP address: not-an-address' in invalid.stdout, invalid.stdout[-4000:]
        assert daemon_json(fleet, CE) == before and dockerd_pid(fleet, CE) == pid

        fleet.on_host(CE, 'docker', 'swarm', 'init', '--advertise-addr', fleet.base + '12')
        try:
            swarm = role(fleet, 'ce', 'engine', engine_live_restore=True)
            assert swarm.returncode == 2, swarm.stdout[-4000:]
            assert failure(swarm).startswith('engine: ce: daemon.json would have live-restore: true while this node is '
                                             'in a swarm (state active)')
        finally:
            fleet.on_host(CE, 'docker', 'swarm', 'leave', '--force')
        assert daemon_json(fleet, CE) == before and dockerd_pid(fleet, CE) == pid
    finally:
        fleet.on_host(CE, 'docker', 'rm', '-f', 'ce-a')

    # No container runs: the change is applied (validated by --validate) and a second run changes nothing.
    planned = role(fleet, 'ce', 'engine', '--check', engine_dns=[DNS])
    assert planned.returncode == 0 and recap(planned.stdout)['ce']['changed'] > 0, planned.stdout[-4000:]
    assert daemon_json(fleet, CE) == before
    applied = role(fleet, 'ce', 'engine', engine_dns=[DNS])
    assert applied.returncode == 0, applied.stdout[-4000:]
    assert json.loads(daemon_json(fleet, CE))['dns'] == [DNS] and dockerd_pid(fleet, CE) != pid
    assert json.loads(daemon_json(fleet, CE))['log-driver'] == 'json-file'
    again = role(fleet, 'ce', 'engine', engine_dns=[DNS])
    assert again.returncode == 0 and recap(again.stdout)['ce']['changed'] == 0, again.stdout[-4000:]


def test_a_host_whose_dockerd_is_gone_fails_naming_it(fleet):
    fleet.on_host(CE, 'mv', '/usr/bin/dockerd', '/usr/bin/dockerd.away')
    try:
        gone = role(fleet, 'ce', 'engine', engine_dns=[DNS])
        assert gone.returncode == 2, gone.stdout[-4000:]
        assert failure(gone).startswith(
            'engine: ce: dockerd not found: the ExecStart of docker.service names /usr/bin/dockerd, which does not '
            'exist. Without it this role cannot validate a new daemon.json (dockerd --validate)')
        elsewhere = role(fleet, 'ce', 'engine', engine_dockerd='/opt/docker/dockerd')
        assert failure(elsewhere).startswith('engine: ce: dockerd not found: engine_dockerd names /opt/docker/dockerd, '
                                             'which does not exist')
    finally:
        fleet.on_host(CE, 'mv', '/usr/bin/dockerd.away', '/usr/bin/dockerd')


def test_an_install_over_the_other_sources_engine_is_refused(fleet):
    """Docker CE's packages conflict with Debian's docker.io: installing either over the other stops the engine."""
    ce = role(fleet, 'ce', 'engine', '--check', engine_install=True)
    assert ce.returncode == 2, ce.stdout[-4000:]
    assert failure(ce) == (
        'engine: ce: engine_install_source is distribution, but docker-ce, docker-ce-cli, containerd.io are '
        'installed: docker.io conflicts with them, so installing would remove them and stop the engine and its '
        'containers. Set engine_install_source to docker-ce (what this host has), or remove docker-ce docker-ce-cli '
        'containerd.io first')
    deb = role(fleet, 'deb', 'engine', '--check', engine_install=True, engine_install_source='docker-ce',
               engine_ce_repository=CE_REPO)
    assert failure(deb).startswith('engine: deb: engine_install_source is docker-ce, but docker.io, containerd, runc '
                                   'are installed: docker-ce, docker-ce-cli, containerd.io conflict with them')
    # What the host has is installed already: nothing to do, in check mode and for real.
    for args in (['--check'], []):
        same = role(fleet, 'ce', 'engine', *args, engine_install=True, engine_install_source='docker-ce')
        assert same.returncode == 0 and recap(same.stdout)['ce']['changed'] == 0, same.stdout[-4000:]


def test_on_a_host_without_an_engine_check_mode_names_what_it_would_install(fleet):
    """Docker CE's repository is not reachable from here: the CE install path runs in check mode only."""
    fleet.on_host(CE, 'systemctl', 'stop', 'docker.socket', 'docker.service', 'containerd.service')
    fleet.on_host(CE, 'sh', '-c', 'dpkg -r docker-ce docker-ce-cli containerd.io && systemctl daemon-reload')
    try:
        before = daemon_json(fleet, CE)
        bare = role(fleet, 'ce', 'engine', engine_dns=[DNS])
        assert bare.returncode == 2, bare.stdout[-4000:]
        assert failure(bare).startswith('engine: ce: dockerd not found: ') and \
            ', and no dockerd is on PATH (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:' \
            in failure(bare), failure(bare)

        unset = role(fleet, 'ce', 'engine', '--check', engine_install=True, engine_install_source='docker-ce')
        assert unset.returncode == 2 and failure(unset).startswith(
            'engine: ce: engine_install_source docker-ce needs engine_ce_repository with url'), unset.stdout[-4000:]

        planned = role(fleet, 'ce', 'engine', '--check', '--diff', engine_install=True,
                       engine_install_source='docker-ce', engine_ce_repository=CE_REPO, engine_dns=[OTHER_DNS])
        assert planned.returncode == 0, planned.stdout[-4000:]
        assert recap(planned.stdout)['ce']['changed'] > 0
        assert ("engine: ce: would install docker-ce, docker-ce-cli, containerd.io from Docker CE's repository "
                "https://docker-ce.repository.invalid/linux/debian (suite bookworm, components stable, written to "
                "/etc/apt/sources.list.d/docker-ce.sources, signed by "
                "https://docker-ce.repository.invalid/linux/debian/gpg); the engine then first starts once "
                "daemon.json is written") in planned.stdout, planned.stdout[-4000:]
        assert '+    "%s"' % OTHER_DNS in planned.stdout  # the daemon.json diff

        debian = role(fleet, 'ce', 'engine', '--check', engine_install=True)
        assert debian.returncode == 0, debian.stdout[-4000:]
        assert "engine: ce: would install docker.io from the distribution's repositories" in debian.stdout

        # Check mode wrote nothing: no repository, no key, no policy-rc.d, the same daemon.json, no package.
        for path in ('/etc/apt/sources.list.d/docker-ce.sources', '/etc/apt/keyrings/docker-ce.asc',
                     '/usr/sbin/policy-rc.d', '/usr/bin/dockerd'):
            assert fleet.on_host(CE, 'test', '-e', path, check=False).returncode == 1, path
        assert daemon_json(fleet, CE) == before
    finally:
        fleet.on_host(CE, 'sh', '-c', 'dpkg -i /usr/local/share/netprov-ce/*.deb >/dev/null && systemctl daemon-reload'
                      ' && systemctl start docker.socket docker.service')
    assert fleet.on_host(CE, 'docker', 'version', '-f', '{{.Server.Version}}').stdout.startswith('28.5.2')


# -- an unprivileged login that becomes root ---------------------------------------------------------------------
MGMT_NET = PREFIX + '-mgmt'
MGMT_SUBNET = '198.19.169.0/24'
MGMT_ADDR = '198.19.169.11'  # host1's second link: the SSH session of the `deploy` login comes in on it
SESSION = (r'the SSH session of this task \(sshd \d+: 198\.19\.169\.1 port \d+ to 198\.19\.169\.11 port 22\)')


@pytest.fixture(scope='module')
def login(fleet):
    """User `deploy` on host1 (sudo without a password), reached over a second network: the link of that login's
    SSH session is not the one with the default route. Yields (inventory, the session's link on host1)."""
    fleet.on_host(DEB, 'sh', '-c', 'id deploy >/dev/null 2>&1 || useradd -m -s /bin/bash deploy; '
                  'install -d -m 700 -o deploy -g deploy /home/deploy/.ssh; '
                  'install -m 600 -o deploy -g deploy /root/.ssh/authorized_keys /home/deploy/.ssh/authorized_keys; '
                  'echo "deploy ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/deploy; chmod 440 /etc/sudoers.d/deploy')
    fleet.docker('network', 'rm', MGMT_NET, check=False)
    fleet.docker('network', 'create', '--subnet', MGMT_SUBNET, '--gateway', '198.19.169.1', MGMT_NET)
    try:
        fleet.docker('network', 'connect', '--ip', MGMT_ADDR, MGMT_NET, fleet.container(DEB))
        link = fleet.on_host(DEB, 'ip', '-o', '-4', 'addr', 'show', 'to', MGMT_ADDR).stdout.split()[1]
        key = fleet.on_host(DEB, 'cat', '/etc/ssh/ssh_host_ed25519_key.pub').stdout.split()
        known = os.path.join(fleet.workdir, 'known_hosts_login')
        with open(known, 'w') as f:
            for addr in (MGMT_ADDR, fleet.base + '11'):
                f.write('%s %s %s\n' % (addr, key[0], key[1]))
        ssh = {'ansible_python_interpreter': '/usr/bin/python3',
               'ansible_ssh_private_key_file': os.path.join(fleet.state, 'id_ed25519'),
               'ansible_ssh_common_args': '-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes' % known,
               'ansible_ssh_pipelining': True}
        inventory = os.path.join(fleet.workdir, 'hosts-login.yml')
        with open(inventory, 'w') as f:
            yaml.safe_dump({'all': {'hosts': {
                'deploy': dict(ssh, ansible_host=MGMT_ADDR, ansible_user='deploy', ansible_become=True),
                'root-lan': dict(ssh, ansible_host=fleet.base + '11', ansible_user='root'),
            }}}, f)
        yield inventory, link
    finally:
        fleet.docker('network', 'disconnect', '-f', MGMT_NET, fleet.container(DEB), check=False)
        fleet.docker('network', 'rm', MGMT_NET, check=False)


def link_state(fleet, name):
    out = json.loads(fleet.on_host(DEB, 'ip', '-j', 'addr', 'show', 'dev', name).stdout)[0]
    return out['operstate'], out['mtu'], sorted(a['local'] for a in out['addr_info'])


def test_under_become_host_link_refuses_to_cut_the_ssh_session(fleet, login):
    inventory, mgmt = login
    before = link_state(fleet, mgmt)
    cuts = [
        {HOST_LINK: {'name': mgmt, 'state': 'down'}},
        {HOST_LINK: {'name': mgmt, 'mtu': 1400}},
        {HOST_LINK: {'name': mgmt, 'addresses': ['198.19.169.99/24'], 'addresses_exclusive': True}},
    ]
    checks = cuts + [
        {HOST_LINK: {'name': mgmt, 'promisc': True}},
        {'netprov.dockernet.host_route': {'dest': '198.19.169.0/28', 'dev': mgmt}},
        {'ansible.builtin.command': 'id -u', 'check_mode': False},
        {'ansible.builtin.command': 'printenv SSH_CONNECTION', 'check_mode': False},
    ]
    planned = play(checks, hosts='deploy', inventory=inventory, check=True)
    assert planned[5]['stdout'] == '0', planned[5]  # the module runs as root
    assert planned[6]['rc'] == 1, planned[6]  # and sudo dropped SSH_CONNECTION
    for i, what in enumerate(('take it down', 'change its MTU', 'remove its address')):
        assert planned[i].get('failed'), (i, planned[i])
        assert re.search(r'^%s: refusing to touch the management path: would %s, but it carries 198\.19\.169\.11, '
                         r'the local address of %s' % (mgmt, what, SESSION), planned[i]['msg']), planned[i]['msg']
    assert planned[3]['changed'] and not planned[3].get('failed')
    assert re.match(r'it carries 198\.19\.169\.11, the local address of %s$' % SESSION, planned[3]['management'])
    assert re.match(r'it covers 198\.19\.169\.1, the client of %s$' % SESSION, planned[4]['management']), planned[4]

    applied = play(cuts, hosts='deploy', inventory=inventory)
    assert all(r.get('failed') and 'refusing to touch the management path' in r['msg'] for r in applied.results)
    assert link_state(fleet, mgmt) == before

    # The same link, from a login that came in on the other one: no session of that task on it.
    other = play([cuts[0]], hosts='root-lan', inventory=inventory, check=True)
    assert other[0]['changed'] and not other[0].get('failed') and other[0]['management'] is None, other[0]
    # Without become the sshd's sockets cannot be read: SSH_CONNECTION, found in the socket table, names the session.
    plain = play([cuts[0]], hosts='deploy', inventory=inventory, check=True, play_vars={'ansible_become': False})
    assert plain[0].get('failed') and re.search(r'would take it down, but it carries 198\.19\.169\.11, the local '
                                                r'address of the SSH session of this task', plain[0]['msg']), plain[0]


def test_the_roles_run_with_become(fleet, login):
    inventory, _mgmt = login
    refused = role(fleet, 'deploy', 'engine', '-e', 'ansible_become=false', inventory=inventory, engine_dns=[DNS])
    assert refused.returncode == 2, refused.stdout[-4000:]
    assert failure(refused).startswith('engine: deploy: cannot ask the engine on /var/run/docker.sock (')
    assert 'Permission denied' in failure(refused) and failure(refused).endswith('run the role as root (become: true)')

    runs = (
        ('engine', {'engine_dns': [DNS]}),
        ('interfaces', {'interfaces_links': [{'name': 'cebr0', 'kind': 'bridge', 'state': 'up',
                                              'addresses': ['198.19.170.1/24']}]}),
        ('networks', {'networks_networks': [{'name': 'ce-app', 'driver': 'bridge',
                                             'ipam_config': [{'subnet': '198.19.171.0/24'}]}]}),
    )
    for name, role_vars in runs:
        first = role(fleet, 'deploy', name, inventory=inventory, **role_vars)
        assert first.returncode == 0 and recap(first.stdout)['deploy']['changed'] > 0, (name, first.stdout[-4000:])
        again = role(fleet, 'deploy', name, inventory=inventory, **role_vars)
        assert again.returncode == 0 and recap(again.stdout)['deploy']['changed'] == 0, (name, again.stdout[-4000:])
    assert json.loads(daemon_json(fleet, DEB))['dns'] == [DNS]
    assert '198.19.170.1/24' in fleet.on_host(DEB, 'ip', '-o', 'addr', 'show', 'dev', 'cebr0').stdout
    assert fleet.on_host(DEB, 'docker', 'network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}',
                         'ce-app').stdout.strip() == '198.19.171.0/24'


# -- the README's install section ----------------------------------------------------------------------------------
def docker_modules_twice(fleet, host, subnet):
    """A Docker network made, then the same again (no change), read back; and what the interpreter has."""
    tasks = [
        {'ansible.builtin.command': "{{ ansible_python_interpreter }} -c 'import docker, sys; "
                                    "print(sys.prefix, docker.__version__, docker.__file__)'", 'check_mode': False},
        {'netprov.dockernet.docker_host_info': {}},
        {'netprov.dockernet.docker_network': {'name': 'np-install', 'ipam_config': [{'subnet': subnet}]}},
        {'netprov.dockernet.docker_network': {'name': 'np-install', 'ipam_config': [{'subnet': subnet}]}},
        {'netprov.dockernet.docker_network_info': {'name': 'np-install'}},
    ]
    res = play(tasks, hosts=host, inventory=fleet.hosts_file)
    for i, r in enumerate(res.results):
        assert not r.get('failed'), (i, r)
    assert [r['changed'] for r in res.results[2:4]] == [True, False], res.results[2:4]
    assert res[4]['network']['ipam_config'][0]['subnet'] == subnet
    return res


def host_modules_twice(fleet, host, bridge, address):
    """A host link made (the kernel probe runs first), then the same again (no change), read back."""
    link = {HOST_LINK: {'name': bridge, 'kind': 'bridge', 'addresses': [address], 'state': 'up'}}
    return play([link, link, {'netprov.dockernet.host_network_info': {'capabilities': True}}],
                hosts=host, inventory=fleet.hosts_file)


def test_debian_13_with_debians_own_python_libraries(fleet):
    res = docker_modules_twice(fleet, 'trixie', '198.19.172.0/24')
    prefix, sdk, path = res[0]['stdout'].split()
    assert (prefix, sdk) == ('/usr', '7.1.0') and path.startswith('/usr/lib/python3/dist-packages/'), res[0]
    assert res[1]['engine']['version'].startswith('26.1.5')
    # Debian 13's python3-pyroute2 is 0.7.7: refused up front, naming the version and the fix.
    host = host_modules_twice(fleet, 'trixie', 'cebr1', '198.19.173.1/24')
    assert host[0].get('failed') and host[0]['msg'].startswith(
        'the Python library pyroute2 is required on the managed host: pyroute2 0.7.7 is installed, and 0.9 or '
        'newer is needed'), host[0]
    # Debian 13's docker.io has dockerd --validate: the engine role checks the file with it.
    invalid = role(fleet, 'trixie', 'engine', engine_dns=['not-an-address'])
    assert invalid.returncode == 2 and 'invalid IP address: not-an-address' in invalid.stdout, invalid.stdout[-4000:]
    for changed in (True, False):
        run = role(fleet, 'trixie', 'engine', engine_dns=[DNS])
        assert run.returncode == 0 and (recap(run.stdout)['trixie']['changed'] > 0) == changed, run.stdout[-4000:]


def test_debian_12_with_the_libraries_in_a_virtualenv(fleet):
    """The system's Python has neither library; ansible_python_interpreter names the virtualenv that has them."""
    site = VENV + '/lib/python3.11/site-packages'
    fleet.on_host(DEB, 'sh', '-c', 'python3 -m venv --without-pip %s && cp -a /usr/local/lib/python3.11/dist-packages/. %s/'
                  ' && mv /usr/local/lib/python3.11/dist-packages /usr/local/lib/python3.11/dist-packages.away'
                  % (VENV, site))
    try:
        system = play([{'netprov.dockernet.docker_host_info': {}}], hosts='deb', inventory=fleet.hosts_file)
        assert system[0].get('failed') and "the Python 'docker' SDK is not installed" in system[0]['msg'], system[0]
        res = docker_modules_twice(fleet, 'deb-venv', '198.19.174.0/24')
        prefix, sdk, path = res[0]['stdout'].split()
        assert (prefix, sdk) == (VENV, '7.2.0') and path.startswith(site + '/'), res[0]
        host = host_modules_twice(fleet, 'deb-venv', 'cebr2', '198.19.175.1/24')
        assert [(r.get('failed', False), r['changed']) for r in host.results] == [
            (False, True), (False, False), (False, False)], host.results
        links = dict((l['name'], l) for l in host[2]['links'])
        assert '198.19.175.1/24' in links['cebr2']['addresses'] and host[2]['capabilities']['bridge'] is True
        for changed in (True, False):
            run = role(fleet, 'deb-venv', 'engine', engine_mtu=1450)
            assert run.returncode == 0 and (recap(run.stdout)['deb-venv']['changed'] > 0) == changed, \
                run.stdout[-4000:]
    finally:
        fleet.on_host(DEB, 'sh', '-c', 'mv /usr/local/lib/python3.11/dist-packages.away '
                      '/usr/local/lib/python3.11/dist-packages; rm -rf %s' % VENV)
