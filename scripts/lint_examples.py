"""Write each module's EXAMPLES as a playbook under .build/lint-examples/, for ansible-lint.

EXAMPLES are task lists users copy into their plays; linting them with the
same production profile as the roles keeps them to the same standard.
"""
import ast
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, '.build', 'lint-examples')


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as yamllint (and ansible-lint) expect."""

    def increase_indent(self, flow=False, indentless=False):
        return super(_Dumper, self).increase_indent(flow, False)


def examples(path):
    tree = ast.parse(open(path).read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'EXAMPLES' for t in node.targets):
            return yaml.safe_load(node.value.value)
    return None


def main():
    os.makedirs(OUT, exist_ok=True)
    mods = os.path.join(ROOT, 'plugins', 'modules')
    for name in sorted(os.listdir(mods)):
        if not name.endswith('.py'):
            continue
        tasks = examples(os.path.join(mods, name))
        if not tasks:
            continue
        play = [{'name': 'Examples of netprov.dockernet.%s' % name[:-3], 'hosts': 'all', 'gather_facts': False,
                 'tasks': tasks}]
        with open(os.path.join(OUT, name[:-3] + '.yml'), 'w') as f:
            f.write('---\n')
            yaml.dump(play, f, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)
    return 0


if __name__ == '__main__':
    sys.exit(main())
