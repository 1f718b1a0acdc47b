"""The test fleet itself: separate engines, separate namespaces, one link, one inventory."""
import json
import os
import subprocess

from ansible_collections.netprov.dockernet.tests.support.ansible_play import play
from ansible_collections.netprov.dockernet.tests.support.fleet import reap_stale


def test_each_engine_answers_in_its_own_namespace(fleet):
    inodes = set()
    for e in fleet.engines:
        info = fleet.client(e['name']).info()
        assert info['Name'] == 'fleet-%s' % e['name']
        assert info['DockerRootDir'] == os.path.join(e['dir'], 'data')
        inodes.add(os.stat('/proc/%d/ns/net' % e['pid']).st_ino)
    assert len(inodes) == fleet.n
    assert os.stat('/proc/self/ns/net').st_ino not in inodes


def test_engines_reach_each_other_over_the_bridge(fleet):
    first, last = fleet.engines[0], fleet.engines[-1]
    out = fleet.docker(first['name'], 'run', '--rm', 'netprov-test/busybox', 'ping', '-c1', '-W2', last['addr'])
    assert '1 packets received' in out.stdout


def test_every_engine_is_an_inventory_host(fleet):
    r = play([{'ansible.builtin.command': "/usr/bin/docker -H {{ docker_host }} info --format '{{ '{{' }}.Name{{ '}}' }}'"}],
             hosts='fleet', inventory=fleet.inventory)
    assert r.rc == 0, r.stdout
    assert dict((h, res['stdout']) for h, res in r[0].items()) == dict(
        (e['name'], 'fleet-%s' % e['name']) for e in fleet.engines)


def test_a_stale_fleet_spares_a_process_that_reused_its_engines_pid(tmp_path):
    """Taking down a fleet whose test run died (reap_stale) never signals a pid that another process holds now."""
    bystander = subprocess.Popen(['sleep', '600'])  # holds the pid the stale fleet recorded for its dockerd
    dead = subprocess.Popen(['true'])
    dead.wait()
    workdir = tmp_path / 'nps-stale'
    workdir.mkdir()
    state = {'n': 1, 'dir': str(workdir), 'cidr': '198.19.104.0/21', 'image': 'x', 'tag': 'dead',
             'made': [['engine', 'engine1']], 'pids': [bystander.pid], 'owner': dead.pid}
    (workdir / 'fleet.json').write_text(json.dumps(state))
    try:
        assert reap_stale(str(tmp_path)) == [str(workdir)]
        assert bystander.poll() is None, 'the stale fleet signalled a process that is not its engine'
    finally:
        bystander.kill()
        bystander.wait()
