"""The test fleet itself: separate engines, separate namespaces, one link, one inventory."""
import os

from ansible_play import play


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
