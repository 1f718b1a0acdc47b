"""Capture what a real Docker Engine stores for networks the collection creates, as unit-test data.

For each case below, the network is created from the body the collection
itself builds from the case's module arguments (normalise_want, then
create_body), containers are attached, stopped or only created as the case
says, and the engine's answers are written down as they come: network
inspect, the container listing filtered by the network, and each container's
inspect. tests/unit/plugins/module_utils/_network/test_engine_samples.py replays every
file it finds, so a file per engine version extends the tests.

Run against the engine DOCKER_HOST names (default: the local socket):
  .venv/bin/python scripts/capture_engine_samples.py [--out DIR]
It makes networks and containers named npsample-*, only in 198.19.72.0/21
and 2001:db8:1972::/48, and removes them afterwards. The test image
netprov-test/busybox:latest must exist (scripts/test-image.sh).
"""
import argparse
import json
import os
import sys
import uuid

import docker

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, '.build', 'collections'))

from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import create_body  # noqa: E402
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import (  # noqa: E402
    api_at_least, normalise_want)

IMAGE = 'netprov-test/busybox:latest'
OUT = os.path.join(ROOT, 'tests', 'unit', 'plugins', 'module_utils', '_network', 'engine_samples')

# role -> how the container is attached to the 'members' case's network
MEMBERS = {
    # running; the IPv6 address given in a long spelling, as a user of the CLI may
    'running': {'start': True, 'aliases': ['web'], 'ipv4': '198.19.72.140', 'ipv6': '2001:db8:1972:4:0:0:0:10'},
    'stopped': {'start': True, 'stop': True, 'aliases': ['db'], 'ipv4': '198.19.72.141'},
    # created with the network, never started
    'created': {'start': False, 'at_create': True, 'aliases': ['cache'], 'ipv4': '198.19.72.142'},
    # created without it, connected while not running, never started
    'connected_created': {'start': False, 'aliases': ['queue'], 'ipv4': '198.19.72.143'},
    # a per-endpoint MAC, set at create (API 1.44, Engine 25 and later; a network connect ignores it up to Engine 28)
    'mac': {'start': True, 'at_create': True, 'aliases': ['mac'], 'mac': '02:42:c6:13:48:99', 'min_api': '1.44'},
}

# name -> (module arguments, containers: role -> how it is attached)
CASES = {
    'bridge_full': ({'mtu': 1400, 'labels': {'team': 'a'},
                     'ipam_config': [{'subnet': '198.19.72.0/26', 'gateway': '198.19.72.1',
                                      'iprange': '198.19.72.32/27', 'aux_addresses': {'router': '198.19.72.2'}}]},
                    {}),
    'v6_only': ({'enable_ipv6': True, 'ipam_config': [{'subnet': '2001:db8:1972:1::/64'}]}, {}),
    'v6_no_subnet': ({'enable_ipv6': True}, {}),
    'v6_implied': ({'ipam_config': [{'subnet': '2001:db8:1972:2::/64'}]}, {}),
    'dual_stack_spelled': ({'enable_ipv6': True,
                            'ipam_config': [{'subnet': '198.19.72.64/26'},
                                            {'subnet': '2001:DB8:1972:3:0::/64', 'gateway': '2001:db8:1972:3::0:1'}]},
                           {}),
    'empty_entry': ({'ipam_config': [{}]}, {}),
    'members': ({'enable_ipv6': True,
                 'ipam_config': [{'subnet': '198.19.72.128/26'}, {'subnet': '2001:db8:1972:4::/64'}]}, MEMBERS),
}


def endpoint_config(spec):
    cfg = {'Aliases': list(spec.get('aliases') or [])}
    ipam = {}
    if spec.get('ipv4'):
        ipam['IPv4Address'] = spec['ipv4']
    if spec.get('ipv6'):
        ipam['IPv6Address'] = spec['ipv6']
    if ipam:
        cfg['IPAMConfig'] = ipam
    if spec.get('mac'):
        cfg['MacAddress'] = spec['mac']
    return cfg


def capture_case(api, prefix, case, args, roles):
    name = '%s-%s' % (prefix, case.replace('_', '-'))
    body = create_body(normalise_want(dict(args, name=name)))
    out = {'args': args, 'body': body, 'error': None, 'containers': {}, 'roles': {}}
    try:
        created = api._result(api._post_json(api._url('/networks/create'), data=body), True)
    except docker.errors.APIError as exc:
        out['error'] = str(exc.explanation or exc)
        return name, out
    net_id = created['Id']
    for role, spec in sorted(roles.items()):
        if spec.get('min_api') and not api_at_least(api.api_version, spec['min_api']):
            continue
        cname = '%s-%s' % (name, role.replace('_', '-'))
        kwargs = {}
        if spec.get('at_create'):
            kwargs['networking_config'] = {'EndpointsConfig': {name: endpoint_config(spec)}}
        cid = api.create_container(IMAGE, ['sleep', '3600'], name=cname, **kwargs)['Id']
        if not spec.get('at_create'):
            if spec.get('start'):
                api.start(cid)
            api._raise_for_status(api._post_json(api._url('/networks/{0}/connect', net_id),
                                                 data={'Container': cid, 'EndpointConfig': endpoint_config(spec)}))
        elif spec.get('start'):
            api.start(cid)
        if spec.get('stop'):
            api.stop(cid, timeout=0)
        out['roles'][role] = cname
    out['network'] = api.inspect_network(net_id)
    out['listing'] = api.containers(all=True, filters={'network': [net_id, name]})
    for entry in out['listing']:
        out['containers'][entry['Id']] = api.inspect_container(entry['Id'])
    return name, out


def cleanup(api, prefix):
    for c in api.containers(all=True, filters={'name': prefix}):
        api.remove_container(c['Id'], force=True)
    for n in api.networks():
        if n['Name'].startswith(prefix):
            api.remove_network(n['Id'])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--out', default=OUT)
    opts = parser.parse_args()
    api = docker.APIClient(base_url=os.environ.get('DOCKER_HOST', 'unix:///var/run/docker.sock'), version='auto')
    version = api.version()
    prefix = 'npsample%s' % uuid.uuid4().hex[:4]
    sample = {'engine': {'Version': version.get('Version'), 'ApiVersion': api.api_version,
                         'MinAPIVersion': version.get('MinAPIVersion')},
              'cases': {}}
    try:
        for case in sorted(CASES):
            args, roles = CASES[case]
            name, out = capture_case(api, prefix, case, args, roles)
            out['name'] = name
            sample['cases'][case] = out
    finally:
        cleanup(api, prefix)
    major_minor = '.'.join(version.get('Version', '0.0').split('.')[:2])
    os.makedirs(opts.out, exist_ok=True)
    path = os.path.join(opts.out, 'engine-%s.json' % major_minor)
    with open(path, 'w') as f:
        json.dump(sample, f, indent=1, sort_keys=True)
        f.write('\n')
    print('%s: engine %s (API %s), %d cases' % (path, version.get('Version'), api.api_version, len(sample['cases'])))


if __name__ == '__main__':
    main()
