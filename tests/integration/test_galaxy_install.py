"""The collection as users get it: built by ansible-galaxy, installed from the tarball, used from there.

One test builds the tarball from the checkout, checks what build_ignore keeps out,
installs it into a temporary collections path, and runs plays with
ANSIBLE_COLLECTIONS_PATH pointing only at that installed copy (ansible-doc
confirms the modules load from there, not from the checkout).

The plays are also the module_defaults proof: `group/netprov.dockernet.docker`
sets docker_host once for every Docker module in the play, and the test takes the
list of them from meta/runtime.yml's action group, so a new module cannot be left out.
- Pointed at a socket that does not exist, every Docker module fails naming it:
  the group default reaches each of them.
- Pointed at a symlink to the engine's socket (a URL no module would pick on its
  own), each of them answers from the engine: docker_network creates a network,
  docker_networks adds and removes a second one, docker_network_info reads each (by
  name: listing every network on an engine others use concurrently can fail when one
  of theirs vanishes between the listing and its inspect), docker_host_info reads
  the engine's version, docker_swarm_info reads the swarm state, docker_swarm with
  state absent finds the engine out of any swarm (read only: the shared engine is
  never put in a swarm), docker_swarm_node refuses naming the engine as no manager,
  and docker_network removes the first.
The tarball's size is printed in the test output.
"""
import glob
import json
import os
import subprocess
import tarfile

import docker
import yaml

from ansible_collections.netprov.dockernet.tests.support.ansible_play import ROOT, play
from ansible_collections.netprov.dockernet.tests.support.engine_fixtures import IMAGE

DOCKER_SOCKET = '/var/run/docker.sock'
SUBNET_A = '198.19.92.0/26'
SUBNET_B = '198.19.92.64/26'
# What build_ignore keeps out (top-level names in the tarball).
NOT_SHIPPED = ('tests', 'bench', '.build', '.venv', '.venv-docs', '.venv-lint', 'molecule', 'scripts', '.ci',
               'Makefile')


def _run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    assert proc.returncode == 0, '%s: rc=%s\n%s\n%s' % (' '.join(cmd), proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout


def _installed_env(collections):
    return {'ANSIBLE_COLLECTIONS_PATH': collections, 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false'}


def _build_and_install(tmp_path):
    galaxy = os.path.join(ROOT, '.venv', 'bin', 'ansible-galaxy')
    dist = tmp_path / 'dist'
    _run([galaxy, 'collection', 'build', '--output-path', str(dist), ROOT])
    tarball = glob.glob(str(dist / 'netprov-dockernet-*.tar.gz'))
    assert len(tarball) == 1, tarball
    collections = str(tmp_path / 'collections')
    _run([galaxy, 'collection', 'install', '--offline', '-p', collections, tarball[0]],
         env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections))
    return tarball[0], collections


def _top_level_names(tarball):
    with tarfile.open(tarball) as tar:
        return set(name.split('/')[0] for name in tar.getnames())


def _modules_load_from(collections):
    """ansible-doc's header names the file each module is loaded from."""
    names = ['netprov.dockernet.%s' % os.path.basename(p)[:-3]
             for p in glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py'))]
    out = _run([os.path.join(ROOT, '.venv', 'bin', 'ansible-doc'), '-t', 'module'] + names,
               env=dict(os.environ, ANSIBLE_NOCOLOR='1', **_installed_env(collections)))
    headers = [line for line in out.splitlines() if line.startswith('> MODULE ')]
    assert len(headers) == len(names), out[:2000]
    return headers


def test_build_install_and_run_from_the_installed_copy(tmp_path, scratch, capsys):
    tarball, collections = _build_and_install(tmp_path)
    size = os.path.getsize(tarball)
    with capsys.disabled():
        print('\ngalaxy: %s is %d bytes (%.1f KiB)' % (os.path.basename(tarball), size, size / 1024.0))

    shipped = _top_level_names(tarball)
    assert {'MANIFEST.json', 'FILES.json', 'plugins', 'meta', 'README.md'} <= shipped
    assert not shipped & set(NOT_SHIPPED), shipped & set(NOT_SHIPPED)
    installed = os.path.join(collections, 'ansible_collections', 'netprov', 'dockernet')
    for header in _modules_load_from(collections):
        assert '(%s/plugins/modules/' % installed in header, header

    env = _installed_env(collections)

    # 1. The group default reaches every Docker module: a missing socket, named in each failure.
    missing = 'unix://%s' % (tmp_path / 'no-engine.sock')
    tasks = [
        {'netprov.dockernet.docker_network': {'name': scratch.name('a')}},
        {'netprov.dockernet.docker_networks': {'networks': [{'name': scratch.name('b')}]}},
        {'netprov.dockernet.docker_network_info': {'name': scratch.name('a')}},
        {'netprov.dockernet.docker_host_info': {}},
        {'netprov.dockernet.docker_swarm': {'state': 'absent'}},
        {'netprov.dockernet.docker_swarm_info': {}},
        {'netprov.dockernet.docker_swarm_node': {'node': 'self'}},
        {'netprov.dockernet.docker_network_probe': {'network': scratch.name('a'), 'image': IMAGE,
                                                    'not_resolve': ['netprov-nowhere']}},
    ]
    assert set(_module_of(t) for t in tasks) == set(_docker_group()), 'a Docker module is not covered'
    r = play(tasks, env=env, module_defaults={'group/netprov.dockernet.docker': {'docker_host': missing}})
    for i, result in enumerate(r.results):
        assert result.get('failed'), (i, result)
        assert missing in result['msg'], (i, result['msg'])
    assert scratch.networks() == []

    # 2. The same default, pointed at the engine through a path only it names.
    link = tmp_path / 'engine.sock'
    os.symlink(DOCKER_SOCKET, str(link))
    a, b = scratch.name('a'), scratch.name('b')
    tasks = [
        {'netprov.dockernet.docker_network': {'name': a, 'ipam_config': [{'subnet': SUBNET_A}]}},
        {'netprov.dockernet.docker_networks': {'networks': [{'name': b, 'ipam_config': [{'subnet': SUBNET_B}]}]}},
        {'netprov.dockernet.docker_network_info': {'name': a}},
        {'netprov.dockernet.docker_network_info': {'name': b}},
        {'netprov.dockernet.docker_network_probe': {'network': a, 'image': IMAGE, 'not_resolve': ['netprov-nowhere']}},
        {'netprov.dockernet.docker_host_info': {}},
        {'netprov.dockernet.docker_swarm_info': {}},
        {'netprov.dockernet.docker_swarm': {'state': 'absent'}},
        {'netprov.dockernet.docker_swarm_node': {'node': 'self'}},
        {'netprov.dockernet.docker_networks': {'networks': [{'name': b, 'state': 'absent'}]}},
        {'netprov.dockernet.docker_network': {'name': a, 'state': 'absent'}},
        {'netprov.dockernet.docker_network_info': {'name': a}},
    ]
    assert set(_module_of(t) for t in tasks) == set(_docker_group()), 'a Docker module is not covered'
    r = play(tasks, env=env, module_defaults={'group/netprov.dockernet.docker': {'docker_host': 'unix://%s' % link}})
    created, bulk, info_a, info_b, probe, host, swarm, leave, node, bulk_rm, removed, gone = r.results
    for i, result in enumerate(r.results):
        if result is not node:
            assert not result.get('failed'), (i, result)
    engine = docker.from_env()
    assert created['changed'] and created['plan'][0]['action'] == 'create'
    assert bulk['changed'] and bulk['created'] == [b]
    assert info_a['exists'] and info_a['network']['managed']
    assert [c['subnet'] for c in info_a['network']['ipam_config']] == [SUBNET_A]
    assert info_b['exists'] and [c['subnet'] for c in info_b['network']['ipam_config']] == [SUBNET_B]
    assert probe['changed'] is False and probe['ok'] and probe['network']['name'] == a, probe
    # The answers are the engine's own, as its socket gives them.
    assert host['engine']['version'] == engine.version()['Version']
    assert swarm['changed'] is False and swarm['swarm_active'] is False
    assert leave['changed'] is False and leave['plan'] == []
    assert node.get('failed') and node['msg'].startswith('docker_host: this engine is not in a swarm'), node
    assert missing not in node['msg']
    assert bulk_rm['changed'] and bulk_rm['removed'] == [b]
    assert removed['changed'] and removed['plan'][0]['action'] == 'remove'
    assert gone['exists'] is False
    assert scratch.networks() == []


def _module_of(task):
    return next(k for k in task if k.startswith('netprov.dockernet.')).split('.')[-1]


def _docker_group():
    """The modules module_defaults' group/netprov.dockernet.docker reaches, as meta/runtime.yml declares them."""
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as f:
        return yaml.safe_load(f)['action_groups']['docker']


# What a working checkout holds besides its tracked files: caches and virtualenvs, none of which may ship.
CHECKOUT_CLUTTER = ('.hypothesis/examples/0a1b', '.venv-cores/2.16/pyvenv.cfg', '.venv/pyvenv.cfg', 'tests/output/x.log',
                    '.pytest_cache/v/cache/lastfailed', '.mypy_cache/3.11/x.json', '.ruff_cache/x',
                    'plugins/module_utils/__pycache__/_errors.cpython-311.pyc', 'plugins/modules/host_link.pyc',
                    '.build/collections/x', 'changelogs/.plugin-cache.yaml')


def test_the_tarball_ships_the_license_and_no_cache_or_invented_link(tmp_path):
    """Built from a copy of the checkout with the clutter of a working one in it."""
    src = tmp_path / 'src'
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split('\0')
    for rel in [f for f in files if f and os.path.isfile(os.path.join(ROOT, f))] + list(CHECKOUT_CLUTTER):
        dest = src / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if rel in CHECKOUT_CLUTTER:
            dest.write_text('clutter\n')
        else:
            dest.write_bytes(open(os.path.join(ROOT, rel), 'rb').read())
    dist = tmp_path / 'dist'
    _run([os.path.join(ROOT, '.venv', 'bin', 'ansible-galaxy'), 'collection', 'build', '--output-path', str(dist),
          str(src)])
    tarball, = glob.glob(str(dist / 'netprov-dockernet-*.tar.gz'))
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
        manifest = tar.extractfile('MANIFEST.json').read().decode()
        license_text = tar.extractfile('LICENSE').read().decode()
    shipped_clutter = [n for n in names if n in CHECKOUT_CLUTTER or n.split('/')[0] in ('.hypothesis', '.venv-cores', '.venv',
                       '.pytest_cache', '.mypy_cache', '.ruff_cache', '.build', 'tests')
                       or '__pycache__' in n.split('/') or n.endswith('.pyc')]
    assert shipped_clutter == [], shipped_clutter
    assert 'GNU GENERAL PUBLIC LICENSE' in license_text and 'Version 3, 29 June 2007' in license_text
    assert 'example.invalid' not in manifest
    info = json.loads(manifest)['collection_info']
    assert info['license'] == ['GPL-3.0-or-later']
    assert not any(info.get(k) for k in ('repository', 'issues', 'documentation', 'homepage')), info
