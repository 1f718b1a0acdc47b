"""The execution-environment metadata works with ansible-builder, both ways it is read.

1. As the collection's metadata: `ansible-builder introspect` over a collections
   path holding netprov.dockernet finds requirements.txt and bindep.txt through
   meta/execution-environment.yml.
2. As a complete definition (schema version 3): `ansible-builder create` writes a
   build context from it. No image is built: no registry is reachable here.
bindep.txt is also parsed by bindep itself, which reports every Debian package it
names as installed on this machine (the probes' own tools).
"""
import os
import shutil
import subprocess

import yaml

from ansible_collections.netprov.dockernet.tests.support.tooling import ROOT, tools_bin

PYTHON_DEPS = ('docker', 'pyroute2')
SYSTEM_DEPS = ('iproute2', 'iptables', 'util-linux', 'kmod')


def _run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    assert proc.returncode == 0, '%s: rc=%s\n%s\n%s' % (' '.join(cmd), proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout


def _names(lines):
    return set(line.split()[0].split('>')[0].split('=')[0].split('<')[0] for line in lines)


def _lines(path):
    return [line for line in path.read_text().splitlines() if line.strip() and not line.startswith('#')]


def test_definition_is_version_3_and_names_the_collection_files():
    with open(os.path.join(ROOT, 'meta', 'execution-environment.yml')) as f:
        ee = yaml.safe_load(f)
    assert ee['version'] == 3
    assert ee['dependencies']['python'] == 'requirements.txt'
    assert ee['dependencies']['system'] == 'bindep.txt'
    for name in ('requirements.txt', 'bindep.txt'):
        assert os.path.isfile(os.path.join(ROOT, name)), name


def test_introspect_finds_the_collection_dependencies():
    out = _run([os.path.join(tools_bin(), 'ansible-builder'), 'introspect', '--sanitize',
                os.path.join(ROOT, '.build', 'collections')])
    deps = yaml.safe_load(out.split('---', 1)[1])
    ours = [line for line in deps['python'] if 'netprov.dockernet' in line]
    assert _names(ours) >= set(PYTHON_DEPS), deps['python']
    system = [line for line in deps['system'] if 'netprov.dockernet' in line]
    assert _names(system) >= set(SYSTEM_DEPS), deps['system']


def test_create_writes_a_build_context(tmp_path):
    for name in ('requirements.txt', 'bindep.txt'):
        shutil.copy(os.path.join(ROOT, name), str(tmp_path))
    shutil.copy(os.path.join(ROOT, 'meta', 'execution-environment.yml'), str(tmp_path))
    _run([os.path.join(tools_bin(), 'ansible-builder'), 'create', '-f', 'execution-environment.yml',
          '-c', 'context', '--output-filename', 'Containerfile'], cwd=str(tmp_path))
    build = tmp_path / 'context' / '_build'
    containerfile = (tmp_path / 'context' / 'Containerfile').read_text()
    assert 'FROM $EE_BASE_IMAGE AS base' in containerfile
    assert 'ansible-galaxy collection install' in containerfile
    assert _names(_lines(build / 'requirements.txt')) >= set(PYTHON_DEPS)
    assert _names(_lines(build / 'bindep.txt')) >= set(SYSTEM_DEPS)
    galaxy = yaml.safe_load((build / 'requirements.yml').read_text())
    assert 'netprov.dockernet' in [c['name'] for c in galaxy['collections']]


def test_bindep_parses_and_this_machine_has_the_packages():
    # rc 0 and no output: every [platform:dpkg] package is installed here.
    out = _run([os.path.join(tools_bin(), 'bindep'), '--file', os.path.join(ROOT, 'bindep.txt'), '--brief'])
    assert out.strip() == ''
