"""The shape of the collection: what may talk to what, and knowledge kept in one place."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import glob
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLUGINS = os.path.join(ROOT, 'plugins')
MU = 'ansible_collections.netprov.dockernet.plugins.module_utils'
CLIENT = 'plugins/module_utils/_engine/client.py'
SPEC = 'plugins/module_utils/_network/spec.py'
PREFLIGHT = 'plugins/plugin_utils/_preflight.py'
# The SDK's client object (Engine.api) and its private request helpers.
SDK_ATTRIBUTES = ('api', '_url', '_post_json', '_result', '_raise_for_status')
MODULE_DOCS = ('DOCUMENTATION', 'EXAMPLES', 'RETURN')


def _sources():
    for path in sorted(glob.glob(os.path.join(PLUGINS, '**', '*.py'), recursive=True)):
        rel = os.path.relpath(path, ROOT).replace(os.sep, '/')
        with open(path) as f:
            yield rel, ast.parse(f.read(), rel)


def _nodes(outside):
    """(path, node) for every AST node of plugins/, but for the file ``outside``."""
    for rel, tree in _sources():
        if rel != outside:
            for node in ast.walk(tree):
                yield rel, node


def test_collection_importable():
    from ansible_collections.netprov.dockernet.plugins.module_utils._common import errors as _errors
    err = _errors.ValidationError('outside 198.18.1.0/24', path='ipam_config[0].gateway')
    assert str(err) == 'ipam_config[0].gateway: outside 198.18.1.0/24'


UNIT = os.path.join(ROOT, 'tests', 'unit')
BOILERPLATE = ('from __future__ import absolute_import, division, print_function', '__metaclass__ = type')


def test_every_module_utils_module_has_its_unit_test_file():
    """plugins/module_utils/<pkg>/<mod>.py is tested in tests/unit/plugins/module_utils/<pkg>/test_<mod>.py."""
    missing = []
    for path in sorted(glob.glob(os.path.join(PLUGINS, 'module_utils', '**', '*.py'), recursive=True)):
        rel = os.path.relpath(path, PLUGINS)
        folder, name = os.path.split(rel)
        if name != '__init__.py' and not os.path.isfile(os.path.join(UNIT, 'plugins', folder, 'test_' + name)):
            missing.append('plugins/%s: write tests/unit/plugins/%s/test_%s'
                           % (rel.replace(os.sep, '/'), folder.replace(os.sep, '/'), name))
    assert missing == [], missing


def _unit_test_files():
    for path in sorted(glob.glob(os.path.join(UNIT, '**', 'test_*.py'), recursive=True)):
        rel = os.path.relpath(path, ROOT).replace(os.sep, '/')
        with open(path) as f:
            text = f.read()
        yield rel, text, ast.parse(text, rel)


def test_every_unit_test_file_has_the_boilerplate_and_imports_by_collection_path():
    """``ansible-test units`` imports test files as packages of the collection: a sibling test file is no
    module there, so helpers come from the collection path (tests/support) and never from another test file."""
    found = []
    for rel, text, tree in _unit_test_files():
        lines = text.splitlines()
        found.extend('%s: lacks %r' % (rel, line) for line in BOILERPLATE if line not in lines)
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ''] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.ImportFrom) and node.level:
                found.append('%s:%d imports relatively' % (rel, node.lineno))
            found.extend('%s:%d imports %s; import it by its collection path' % (rel, node.lineno, name)
                         for name in names if name.split('.')[-1].startswith('test_') or name.split('.')[0] in (
                             'support', 'tests', 'conftest'))
    assert found == [], found


def test_only_the_engine_client_talks_to_the_docker_sdk():
    found = []
    for rel, node in _nodes(outside=CLIENT):
        if isinstance(node, ast.Import) and any(a.name.split('.')[0] == 'docker' for a in node.names) or \
                isinstance(node, ast.ImportFrom) and (node.module or '').split('.')[0] == 'docker':
            found.append('%s:%d imports the docker SDK' % (rel, node.lineno))
        elif isinstance(node, ast.Attribute) and node.attr in SDK_ATTRIBUTES:
            found.append('%s:%d uses .%s' % (rel, node.lineno, node.attr))
    assert found == [], 'give the client a named method instead: %s' % found


def test_the_preflight_filter_takes_its_tables_from_module_utils():
    from ansible_collections.netprov.dockernet.plugins.module_utils._host import links, probes
    from ansible_collections.netprov.dockernet.plugins.module_utils._network import hostcheck, spec
    from ansible_collections.netprov.dockernet.plugins.plugin_utils import _preflight
    assert _preflight.network_features is hostcheck.needed_features
    assert _preflight.feature_for_link_kind is probes.feature_for_link_kind
    tree = dict(_sources())[PREFLIGHT]
    imported = set(a.asname or a.name for node in tree.body if isinstance(node, ast.ImportFrom)
                   and (node.module or '').startswith(MU) for a in node.names)
    assert {'ESP_OVERHEAD', 'OVERLAY_DEFAULT_MTU', 'VXLAN_OVERHEAD', 'MTU_OPTION', 'PREDEFINED', 'GWBRIDGE',
            'PARENT_DRIVERS', 'STACKED'} <= imported
    own = set(t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
              if isinstance(t, ast.Name))
    assert not own & imported
    tables = [probes._LINK_KIND_FEATURE, spec.PREDEFINED, spec.SWARM_NETWORKS, spec.PARENT_DRIVERS, links.STACKED]
    copies = [name for name in own if any(getattr(_preflight, name) == table for table in tables)]
    assert copies == [], 'import these from module_utils: %s' % copies


def test_the_engines_own_network_names_are_spelled_once():
    from ansible_collections.netprov.dockernet.plugins.module_utils._network import spec
    found = []
    for rel, node in _nodes(outside=SPEC):
        if isinstance(node, ast.Constant) and node.value == spec.GWBRIDGE:
            found.append('%s:%d %r' % (rel, node.lineno, node.value))
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            values = set(e.value for e in node.elts if isinstance(e, ast.Constant))
            if values >= set(spec.PREDEFINED) or values >= set(spec.SWARM_NETWORKS):
                found.append('%s:%d %s' % (rel, node.lineno, sorted(values)))
    assert found == [], 'use _network.spec PREDEFINED, GWBRIDGE, SWARM_NETWORKS: %s' % found


def _pylint():
    return shutil.which('pylint') or next(iter(sorted(glob.glob(os.path.expanduser(
        '~/.ansible/test/venv/sanity.pylint/*/*/bin/pylint')))), None)


# What pylint's duplicate-code check finds in the code (module documentation left out, see below), as
# pairs of modules, and why each stays.
KNOWN_DUPLICATES = {}


def test_pylint_finds_no_duplicate_code_beyond_the_known(tmp_path):
    """pylint --disable=all --enable=duplicate-code over plugins/, with each module's DOCUMENTATION,
    EXAMPLES and RETURN left out: their YAML repeats by design (docker_networks' nested options are
    generated from the network doc fragment, test_bulk keeps them current)."""
    pylint = _pylint()
    if not pylint:
        pytest.skip('no pylint here (scripts/sanity.sh installs one for ansible-test)')
    copy = tmp_path / 'plugins'
    shutil.copytree(PLUGINS, str(copy), ignore=shutil.ignore_patterns('__pycache__'))
    for path in copy.rglob('*.py'):
        lines = path.read_text().splitlines(True)
        for node in reversed(ast.parse(''.join(lines)).body):
            names = [t.id for t in getattr(node, 'targets', []) if isinstance(t, ast.Name)]
            if names and names[0] in MODULE_DOCS:
                lines[node.lineno - 1:node.end_lineno] = ['%s = %r\n' % (names[0], str(path))]
        path.write_text(''.join(lines))
    out = subprocess.run([pylint, '--disable=all', '--enable=duplicate-code', '--score=n', 'plugins'],
                         cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         universal_newlines=True, check=False).stdout
    found = set()
    for block in re.findall(r'R0801: Similar lines in \d+ files\n((?:==.*\n)+)', out):
        found.add(tuple(sorted('.'.join(m.split('.')[-2:]) for m in re.findall(r'^==([\w.]+):', block, re.M))))
    assert 'R0801' not in out or found, out   # the report's shape is understood
    assert found <= set(KNOWN_DUPLICATES), out


EXIT_CALLS = ('exit_json', 'fail_json')
RUNNER = 'plugins/module_utils/_common/runner.py'


def test_every_module_runs_through_the_one_runner():
    """Each module's main() is one call of _common.runner.run_module, and only the runner calls
    exit_json/fail_json (and builds the AnsibleModule): warnings, diff, check mode and errors in one place."""
    modules = dict((rel, tree) for rel, tree in _sources() if rel.startswith('plugins/modules/'))
    on_disk = glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py'))
    assert len(modules) == len(on_disk) > 0, sorted(modules)  # every module of plugins/modules
    found = []
    for rel, tree in modules.items():
        main = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == 'main']
        body = main[0].body if main else []
        if not (len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call)
                and getattr(body[0].value.func, 'id', None) == 'run_module'):
            found.append('%s: main() is not one run_module(...) call' % rel)
        if not any(isinstance(n, ast.ImportFrom) and n.module == MU + '._common.runner'
                   and [a.name for a in n.names] == ['run_module'] for n in tree.body):
            found.append('%s: does not import run_module from _common.runner' % rel)
    for rel, node in _nodes(outside=RUNNER):
        if isinstance(node, ast.Attribute) and node.attr in EXIT_CALLS:
            found.append('%s:%d calls %s; return the result (failed=True and msg for a failure) instead'
                         % (rel, node.lineno, node.attr))
        elif isinstance(node, ast.Name) and node.id == 'AnsibleModule':
            found.append('%s:%d builds its own AnsibleModule' % (rel, node.lineno))
    assert found == [], found


WIRE = 'plugins/module_utils/_network/wire.py'
# Keys of the Engine API's network and endpoint JSON that mean nothing else: a string constant (or a keyword of
# dict(...)) spelled so is reading or writing that JSON, which _network.wire does.
ENGINE_NETWORK_KEYS = ('IPAM', 'IPRange', 'AuxiliaryAddresses', 'EnableIPv6', 'EnableIPv4', 'ConfigFrom',
                       'ConfigOnly', 'CheckDuplicate', 'IPv4Address', 'IPv6Address', 'EndpointSettings', 'IPAMConfig',
                       'GwPriority', 'DriverOpts', 'LinkLocalIPs')
# Read as the engine has it, not yet through _network.wire (none left).
WIRE_NOT_YET = {}


def test_the_engines_network_json_is_read_and_written_in_wire_only():
    """Outside _network/wire.py (and the client), module_utils works in the normalised shape only: docstrings
    and comments may name the engine's keys, code does not."""
    found = {}
    for rel, node in _nodes(outside=WIRE):
        if not rel.startswith('plugins/module_utils/') or rel == CLIENT:
            continue
        if isinstance(node, ast.Constant) and node.value in ENGINE_NETWORK_KEYS:
            found.setdefault(rel, set()).add(node.value)
        elif isinstance(node, ast.keyword) and node.arg in ENGINE_NETWORK_KEYS:
            found.setdefault(rel, set()).add(node.arg)
    assert found == WIRE_NOT_YET, 'read and write the engine\'s network JSON through _network.wire: %s' % found


# Every planner of module_utils (a top-level function named plan or plan_*), called on a small input drawn
# from the unit tests' data: each returns (steps, warnings), and each step has the one shape of _common.steps.
def _network_planners():
    from ansible_collections.netprov.dockernet.plugins.module_utils._network import bulk, core, ingress, plan
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MANAGED_LABEL, normalise_want
    from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import network_from_inspect
    from ansible_collections.netprov.dockernet.tests.support.engine_double import Engine
    from ansible_collections.netprov.dockernet.tests.support.network_data import ListedEngine, have, rec, want

    def plan_all():
        engine = Engine()
        engine.network('n1', '198.18.112.0/24')
        planned, warnings = bulk.plan_all(core.EngineState(engine), [{'name': 'n2', 'containers': []}], {},
                                          {'force': False, 'kernel_check': 'skip'}, False)
        return [s for item in planned for s in item[1]], warnings

    def plan_purge():
        state = ListedEngine([{'Name': 'old', 'Id': 'old', 'Labels': {MANAGED_LABEL: 'true'}}])
        planned, warnings = bulk.plan_purge(state, set(), False)
        return [s for item in planned for s in item[1]], warnings

    return {
        '_network.plan.plan_network': lambda: plan.plan_network(
            want(internal=True, recreate='reconnect', containers=[{'name': 'web', 'aliases': ['api']}]),
            have(['web', 'db']), {'web': rec('web'), 'db': rec('db')}),
        '_network.bulk.plan_all': plan_all,
        '_network.bulk.plan_purge': plan_purge,
        '_network.ingress.plan_ingress': lambda: ingress.plan_ingress(
            normalise_want({'name': 'mesh', 'ingress': True, 'driver': 'overlay', 'mtu': 1400}), None,
            network_from_inspect({'Name': 'ingress', 'Id': 'ing', 'Driver': 'overlay', 'Scope': 'swarm',
                                  'Ingress': True}), {}),
    }


def _host_planners(directory):
    from ansible_collections.netprov.dockernet.plugins.module_utils._host import links, persist, routes
    from ansible_collections.netprov.dockernet.tests.support.host_data import link, params
    eth1 = {'eth1': link('eth1')}
    macvlan = links.normalise(params(name='mv', kind='macvlan', parent='eth1', mtu=1400, state='up',
                                     addresses=['198.18.112.2/24']))
    route = routes.normalise({'dest': '198.18.113.0/24', 'gateway': '198.18.112.1', 'metric': None, 'table': None})
    return {
        '_host.links.plan': lambda: links.plan(macvlan, eth1),
        '_host.routes.plan': lambda: routes.plan(route, [], {'eth1'}),
        '_host.persist.plan': lambda: persist.plan(macvlan, links.simulate(None, links.plan(macvlan, eth1)[0]),
                                                   directory),
    }


def _swarm_planners():
    from ansible_collections.netprov.dockernet.plugins.module_utils._swarm import membership, node
    from ansible_collections.netprov.dockernet.tests.support import swarm_data as data
    managers = [data.membership_node(n, 'manager', addr='198.18.112.%d' % i) for i, n in enumerate(('n1', 'n2', 'n3'))]
    return {
        '_swarm.membership.plan': lambda: membership.plan(data.membership_want(state='absent'),
                                                          data.membership_have(manager=True, nodes=managers)),
        '_swarm.node.plan': lambda: node.plan(data.node_want(node='engine3', role='manager'),
                                              data.node_have(data.node_record('w3', 'engine3'))),
    }


def _ovs_planners():
    from ansible_collections.netprov.dockernet.plugins.module_utils._ovs import attach, model
    from ansible_collections.netprov.dockernet.tests.support import ovs_data as data
    return {
        '_ovs.model.plan_bridge': lambda: model.plan_bridge(
            model.normalise_bridge(data.bridge_params(external_ids={'new': 'x'})), data.switch()),
        '_ovs.model.plan_port': lambda: model.plan_port(
            model.normalise_port(data.port_params(name='p1', tag=20, mtu=1400)), data.switch(), data.LINKS),
        '_ovs.attach.plan': lambda: attach.plan(attach.normalise(data.attach_params(tag=10)), data.RUNNING,
                                                data.switch(), None, None, None),
    }


def _planners(directory):
    found = {}
    for group in (_network_planners(), _host_planners(directory), _swarm_planners(), _ovs_planners()):
        found.update(group)
    return found


def test_every_planner_is_called_below():
    """A new planner joins test_every_planner_returns_steps_of_the_one_shape."""
    defined = set()
    for rel, tree in _sources():
        if rel.startswith('plugins/module_utils/'):
            module = rel[len('plugins/module_utils/'):-len('.py')].replace('/', '.')
            defined.update('%s.%s' % (module, n.name) for n in tree.body if isinstance(n, ast.FunctionDef)
                           and (n.name == 'plan' or n.name.startswith('plan_')))
    assert defined == set(_planners('/nonexistent'))


def test_every_planner_returns_steps_of_the_one_shape(tmp_path):
    from ansible_collections.netprov.dockernet.plugins.module_utils._common import steps as _steps
    found = []
    for name, call in sorted(_planners(str(tmp_path)).items()):
        try:
            result = call()
        except Exception as exc:  # pylint: disable=broad-exception-caught
            found.append('%s raised %r (a planner of the other shape, or its input here is wrong)' % (name, exc))
            continue
        if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], list)
                and isinstance(result[1], list)):
            found.append('%s returns %r, not (steps, warnings)' % (name, type(result)))
            continue
        steps, warnings = result
        if not steps:
            found.append('%s: its input here plans no step; give it one that does' % name)
        found.extend('%s: warning %r is not text' % (name, w) for w in warnings if not isinstance(w, str))
        for step in steps:
            if not (isinstance(step, dict) and set(_steps.KEYS) <= set(step) and isinstance(step['action'], str)
                    and step['subject'] and isinstance(step['subject'], (str, dict)) and isinstance(step['reason'], str)
                    and step['reason']):
                found.append('%s: %r is not of the one step shape (%s and details)' % (name, step, ', '.join(_steps.KEYS)))
    assert found == []
