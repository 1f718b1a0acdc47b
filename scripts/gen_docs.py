"""Write docker_networks' DOCUMENTATION from the network doc fragment.

The options of one network are documented once, in
plugins/doc_fragments/network.py; docker_networks nests them under
`networks` and `defaults`. ansible-doc reads DOCUMENTATION as text, so the
nested copy is generated here, and tests/unit checks it is current.
Run: python scripts/gen_docs.py [--check]
"""
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRAGMENT = os.path.join(ROOT, 'plugins', 'doc_fragments', 'network.py')
MODULE = os.path.join(ROOT, 'plugins', 'modules', 'docker_networks.py')
POLICY = ('containers_exclusive', 'recreate', 'force', 'kernel_check', 'verify', 'verify_timeout')

HEAD = {
    'module': 'docker_networks',
    'short_description': "Manage a declared set of Docker networks on one engine in one call",
    'version_added': '0.1.0',
    'description': [
        'Brings every network listed in O(networks) to its spec in one module call: one listing of the engine, '
        'inspecting only the networks that may need a change, then the plan applied.',
        'Each entry takes exactly the options of M(netprov.dockernet.docker_network), validated by the same '
        'argument spec and planned by the same core.',
        'Every entry is validated, including subnet overlaps between entries and with the engine, before anything '
        'is touched. A failure on one network while applying leaves the others as planned and is reported with '
        'what was and was not done; a re-run converges.',
        'With O(purge=true), managed networks (label C(netprov.dockernet.managed=true)) that are not listed are '
        'removed. Networks without that label, and the predefined ones, are never removed.',
    ],
    'author': ['netprov.dockernet developers (@netprov)'],
    'extends_documentation_fragment': ['netprov.dockernet.docker'],
    'attributes': {
        'check_mode': {'support': 'full', 'description': 'Returns the plan a real run applies, and changes nothing.'},
        'diff_mode': {'support': 'full', 'description': 'Returns each changed network before and after.'},
    },
    'requirements': ['docker (Python SDK) >= 6.0',
                     'pyroute2 >= 0.9, on the engine\'s host, for the parent and kernel checks'],
}


def fragment_options():
    text = open(FRAGMENT).read()
    doc = re.search(r"DOCUMENTATION = r'''(.*?)'''", text, re.S).group(1)
    return yaml.safe_load(doc)['options']


def _renest(value):
    """O(driver=macvlan) in the fragment is O(networks[].driver=macvlan) here."""
    if isinstance(value, str):
        return re.sub(r'O\(([a-z_]+)', r'O(networks[].\1', value)
    if isinstance(value, list):
        return [_renest(v) for v in value]
    if isinstance(value, dict):
        return dict((k, _renest(v)) for k, v in value.items())
    return value


def nested(options, for_defaults=False):
    options = _renest(options)
    out = {}
    for name, opt in options.items():
        opt = dict(opt)
        if name in POLICY:
            opt.pop('default', None)
            opt['description'] = list(_lines(opt['description'])) + [
                'Defaults to the module\'s own option of the same name when there is one, else to the default of '
                'M(netprov.dockernet.docker_network).']
        if name == 'state':
            opt.pop('default', None)
            if not for_defaults:
                opt['description'] = list(_lines(opt['description'])) + [
                    'Defaults to O(defaults.state) when it is set, else V(present).']
        if for_defaults:
            if name == 'name':
                continue
            opt.pop('required', None)
        out[name] = opt
    return out


def _lines(desc):
    return desc if isinstance(desc, list) else [desc]


def documentation():
    options = fragment_options()
    doc = dict(HEAD)
    doc['options'] = {
        'networks': {
            'description': ['The networks, each with the options of M(netprov.dockernet.docker_network).'],
            'type': 'list', 'elements': 'dict', 'required': True, 'suboptions': nested(options)},
        'defaults': {
            'description': ['Options merged under every entry of O(networks): an entry\'s own value wins; maps '
                            '(labels, driver_options, ipam_driver_options) are merged key by key.',
                            'An entry\'s own value also wins over a default written in another spelling: '
                            'O(networks[].mtu) over C(driver_options.mtu), and the other way round.',
                            'An entry with O(networks[].config_from) takes none of the defaults that its '
                            'config-only network holds (labels, driver options, parent, modes, mtu, IPAM, '
                            'enable_ipv6): the engine refuses them on such a network, which inherits the '
                            'config-only network\'s labels.'],
            'type': 'dict', 'suboptions': nested(options, for_defaults=True)},
        'purge': {
            'description': ['Remove the managed networks that are not listed in O(networks).',
                            'A network with containers attached is refused, naming them, unless O(force=true).',
                            'The swarm\'s own networks are left alone: C(ingress) always, and a managed '
                            'C(docker_gwbridge) (made by M(netprov.dockernet.docker_swarm) with C(gwbridge_subnet)) '
                            'while the engine is in a swarm or anything is attached to it; once the engine has left '
                            'its swarm and nothing uses it, it is removed like any other managed network.'],
            'type': 'bool', 'default': False},
        'purge_labels': {
            'description': ['Limit O(purge) to managed networks that also carry all of these labels, so that '
                            'several stacks (or playbooks) can share one engine, each purging only its own.'],
            'type': 'dict'},
        'force': {
            'description': ['With O(purge=true), disconnect containers from the networks it removes.',
                            'Also the default of each entry\'s O(networks[].force).'],
            'type': 'bool', 'default': False},
        'kernel_check': {
            'description': ['The default of each entry\'s O(networks[].kernel_check).'],
            'type': 'str', 'default': 'fail', 'choices': ['fail', 'warn', 'skip']},
        'recreate': {
            'description': ['The default of each entry\'s O(networks[].recreate).'],
            'type': 'str', 'default': 'never', 'choices': ['never', 'reconnect', 'always']},
    }
    return yaml.safe_dump(doc, sort_keys=False, width=115, default_flow_style=False)


def main():
    text = open(MODULE).read()
    new = re.sub(r"DOCUMENTATION = r'''.*?'''", lambda m: "DOCUMENTATION = r'''\n%s'''" % documentation(), text,
                 count=1, flags=re.S)
    if '--check' in sys.argv:
        if new != text:
            sys.stderr.write('docker_networks DOCUMENTATION is stale: run python scripts/gen_docs.py\n')
            return 1
        return 0
    with open(MODULE, 'w') as f:
        f.write(new)
    return 0


if __name__ == '__main__':
    sys.exit(main())
