"""Every role describes the fields of each list entry it takes, as the module that acts on them takes them.

ansible-core checks a role's variables against meta/argument_specs.yml before
the role's first task, and refuses an entry key that its C(options) do not name
(tests/integration/test_role_input.py runs that). So each list of dicts needs
its C(options), and they must be the acting module's, or a valid entry would be
refused (or a misspelt one let through to the module).
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os

import yaml

from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import defaults_options, network_options
from ansible_collections.netprov.dockernet.plugins.modules import host_link, host_route
from ansible_collections.netprov.dockernet.plugins.plugin_utils import _preflight

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..')
# The options of host_link and host_route that a role sets itself, not an entry.
ROLE_SET = {'netns', 'allow_management', 'kernel_check'}


def role_options(role):
    with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as f:
        return yaml.safe_load(f)['argument_specs']['main']['options']


def shape(spec):
    """Each option's type, elements, required and choices, nested. An option with aliases is there once per name,
    none of them required (a role's argument spec lists them as separate options)."""
    out = {}
    for key, opt in spec.items():
        names = [key] + list(opt.get('aliases') or [])
        for name in names:
            out[name] = (opt.get('type', 'str'), opt.get('elements'), bool(opt.get('required')) and len(names) == 1,
                         sorted(opt.get('choices') or []), shape(opt.get('options') or opt.get('suboptions') or {}))
    return out


def module_entry(module):
    doc = yaml.safe_load(module.DOCUMENTATION)['options']
    return dict((k, v) for k, v in doc.items() if k not in ROLE_SET)


def test_every_list_of_dicts_of_every_role_names_its_fields():
    def walk(path, opts):
        for name, opt in opts.items():
            if opt.get('elements') == 'dict' or (opt.get('type') == 'dict' and 'options' in opt):
                yield path + name, opt
            yield from walk(path + name + '.', opt.get('options') or {})
    roles = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
                   for p in glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml')))
    assert roles == ['engine', 'interfaces', 'networks', 'preflight', 'swarm']
    for role in roles:
        for path, opt in walk(role + ': ', role_options(role)):
            assert opt.get('options'), '%s: a list of dicts without options' % path


def test_link_and_route_entries_take_the_modules_options():
    links = shape(module_entry(host_link))
    routes = shape(module_entry(host_route))
    assert shape(role_options('interfaces')['interfaces_links']['options']) == links
    assert shape(role_options('preflight')['preflight_links']['options']) == links
    assert shape(role_options('interfaces')['interfaces_routes']['options']) == routes


def test_network_entries_and_defaults_take_docker_networks_options():
    entry, defaults = shape(network_options(top_level=False)), shape(defaults_options())
    for role, var in (('networks', 'networks'), ('swarm', 'swarm_networks')):
        prefix = 'networks_' if role == 'networks' else ''
        options = role_options(role)
        assert shape(options[prefix + var]['options']) == entry, var
        assert shape(options[prefix + var + '_defaults' if role == 'swarm' else 'networks_defaults']['options']) \
            == defaults, var
    for var in ('preflight_networks', 'preflight_swarm_networks'):
        assert shape(role_options('preflight')[var]['options']) == entry, var


def test_shim_and_pool_entries_agree_across_roles():
    shims = shape(role_options('interfaces')['interfaces_macvlan_shims']['options'])
    assert shape(role_options('preflight')['preflight_macvlan_shims']['options']) == shims
    assert shims == shape(_preflight._SHIM_SPEC)
    pools = shape(role_options('engine')['engine_default_address_pools']['options'])
    assert shape(role_options('preflight')['preflight_default_address_pools']['options']) == pools
    assert pools == shape(_preflight._POOL_SPEC)


def test_roles_declare_the_collections_ansible_and_the_tested_platforms():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as f:
        requires = yaml.safe_load(f)['requires_ansible']
    assert requires == '>=2.16.0'
    for path in glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'main.yml')):
        with open(path) as f:
            info = yaml.safe_load(f)['galaxy_info']
        assert info['min_ansible_version'] == '2.16', path
        # The roles are tested on Debian 12 hosts only (the sample fleet's and molecule's image).
        assert info['platforms'] == [{'name': 'Debian', 'versions': ['bookworm']}], path
