# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Sphinx configuration of the docs site that `make docs` builds (scripts/docs.sh),
# started from `antsibull-docs sphinx-init`. No intersphinx: nothing outside this
# machine is reachable while building, so references to Ansible's own docs stay text.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from docutils import nodes

project = 'netprov.dockernet'
copyright = 'netprov.dockernet developers'  # pylint: disable=redefined-builtin

title = 'netprov.dockernet'
html_short_title = 'netprov.dockernet'

extensions = ['sphinx_antsibull_ext']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

default_role = 'any'

# Labels of Ansible's own documentation that antsibull-docs links to (common return
# values, configuration, other collections' plugins). Intersphinx would resolve them
# from an inventory downloaded from docs.ansible.com; that host is not reachable here,
# so they become plain links to it. Any other unresolved reference still fails the build.
ANSIBLE_DOCS = 'https://docs.ansible.com/ansible/latest/'
EXTERNAL_LABELS = {
    'common_return_values': 'reference_appendices/common_return_values.html',
    'ansible_configuration_settings': 'reference_appendices/config.html',
    'action_plugins': 'plugins/action.html',
    'module_defaults': 'playbook_guide/playbooks_module_defaults.html',
}
PLUGIN_LABEL = re.compile(r'^ansible_collections\.(\w+)\.(\w+)\.(\w+)_(module|role|[a-z]+)$')


def _external_reference(app, env, node, contnode):  # pylint: disable=unused-argument
    target = node.get('reftarget', '')
    path = EXTERNAL_LABELS.get(target)
    match = PLUGIN_LABEL.match(target)
    if path is None and match and match.group(1, 2) != ('netprov', 'dockernet'):
        path = 'collections/%s/%s/%s_%s.html' % match.groups()
    if path is None:
        return None
    ref = nodes.reference('', '', internal=False, refuri=ANSIBLE_DOCS + path)
    ref.append(contnode)
    return ref


def setup(app):
    app.connect('missing-reference', _external_reference)
