# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The raw Docker SDK baseline of bench/run.py: what a careful script does, in a plain Python process.

    python bench/raw_sdk.py create SPEC.json   create each network
    python bench/raw_sdk.py check SPEC.json    list once, inspect each wanted network, compare

SPEC.json is the list of networks bench/run.py wrote (name, ipam_config, labels).
`check` prints a JSON line and exits 1 when a network is missing or differs,
so the bench knows the no-change run really found nothing to change.
"""
from __future__ import absolute_import, division, print_function

import json
import os
import sys

import docker
from docker.types import IPAMConfig, IPAMPool


def create(api, nets):
    for net in nets:
        pools = [IPAMPool(subnet=c['subnet']) for c in net['ipam_config']]
        api.create_network(net['name'], driver='bridge', ipam=IPAMConfig(pool_configs=pools),
                           labels=net['labels'], check_duplicate=True)
    return 0


def differs(want, have):
    """The reason ``have`` (an inspect result) does not match ``want``, or None."""
    if have.get('Driver') != 'bridge':
        return 'driver %s' % have.get('Driver')
    subnets = sorted(c.get('Subnet') for c in (have.get('IPAM') or {}).get('Config') or [])
    if subnets != sorted(c['subnet'] for c in want['ipam_config']):
        return 'subnets %s' % subnets
    labels = have.get('Labels') or {}
    wrong = sorted(k for k, v in want['labels'].items() if labels.get(k) != v)
    if wrong:
        return 'labels %s' % ', '.join(wrong)
    return None


def check(api, nets):
    ids = {}
    for listed in api.networks():
        ids.setdefault(listed['Name'], listed['Id'])
    problems = {}
    for net in nets:
        if net['name'] not in ids:
            problems[net['name']] = 'missing'
            continue
        reason = differs(net, api.inspect_network(ids[net['name']]))
        if reason:
            problems[net['name']] = reason
    print(json.dumps({'changed': bool(problems), 'differ': problems}))
    return 1 if problems else 0


def main(argv):
    mode, spec = argv[1], argv[2]
    with open(spec) as f:
        nets = json.load(f)
    api = docker.APIClient(base_url=os.environ.get('DOCKER_HOST', 'unix:///var/run/docker.sock'), version='auto')
    try:
        return create(api, nets) if mode == 'create' else check(api, nets)
    finally:
        api.close()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
