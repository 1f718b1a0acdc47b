"""Capture what one Docker Engine reports for a fixed set of networks and containers, as test data.

Usage::

    /usr/bin/python3 scripts/capture_inspect.py ENGINE [--out DIR]

ENGINE is a docker_host URL (``unix:///run/npe/28.5/docker.sock``, a socket
path) or a version of the test matrix (20.10, 26.1, 28.5: its socket is taken
from scripts/engines.py; start it first with ``scripts/engines.sh start``).
The files go to DIR/<engine version>/ (DIR: tests/unit/data/engines).

On the engine it makes the networks of NETWORKS (every name starts with
``cap-``; subnets from 198.19.99.0/24 and 2001:db8:96::/48), two veth links
in the engine's own network namespace as macvlan parents (found from the
socket's peer pid, as the collection does), and three containers on
``cap-bridge-ipam``: running (fixed address, aliases, a MAC; also on
``cap-dual-stack`` with fixed addresses), stopped, and created but never
started. It talks to the engine at the engine's own API version, records
each request with the answer, then removes everything it made (also what an
interrupted earlier run left, by those names). Requests an engine refuses are
recorded with the engine's answer.

What is kept: network inspect and list entries as the engine returns them;
container inspect and list entries without host paths (data root, log and
resolv.conf paths, mounts); /version and /info trimmed to the engine's and
its networking's description (no host name, root directory, proxy or
registry settings, kernel build, memory or CPU counts, nor the counts of
other users' containers on a shared engine).
"""
import http.client
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'unit', 'data', 'engines')
IMAGE = os.environ.get('NETPROV_TEST_IMAGE', 'netprov-test/busybox:latest')
PREFIX = 'cap-'
PARENTS = ('capmv0', 'capmv1')  # macvlan parents, made in the engine's namespace

# name -> (create body without Name, the lowest API version that has the feature, or None)
NETWORKS = [
    ('cap-bridge-default', {}, None),
    ('cap-bridge-ipam', {
        'Labels': {'team': 'capture'},
        'Options': {'com.docker.network.driver.mtu': '1400'},
        'IPAM': {'Driver': 'default', 'Config': [{
            'Subnet': '198.19.99.0/26', 'Gateway': '198.19.99.1', 'IPRange': '198.19.99.32/27',
            'AuxiliaryAddresses': {'router': '198.19.99.2'}}]}}, None),
    ('cap-ipv6-subnet-only', {
        'EnableIPv6': True, 'IPAM': {'Driver': 'default', 'Config': [{'Subnet': '2001:db8:96:1::/64'}]}}, None),
    ('cap-ipv6-only', {  # EnableIPv4 false: Engine 28 (API 1.48)
        'EnableIPv4': False, 'EnableIPv6': True,
        'IPAM': {'Driver': 'default', 'Config': [{'Subnet': '2001:db8:96:5::/64'}]}}, '1.48'),
    ('cap-dual-stack', {
        'EnableIPv6': True, 'IPAM': {'Driver': 'default', 'Config': [
            {'Subnet': '198.19.99.64/27', 'Gateway': '198.19.99.65'},
            {'Subnet': '2001:db8:96:2::/64', 'Gateway': '2001:db8:96:2::1'}]}}, None),
    ('cap-ipv6-no-subnet', {'EnableIPv6': True}, None),
    ('cap-internal', {'Internal': True}, None),
    ('cap-macvlan', {
        'Driver': 'macvlan', 'Options': {'parent': PARENTS[0], 'macvlan_mode': 'bridge'},
        'IPAM': {'Driver': 'default', 'Config': [{'Subnet': '198.19.99.96/27'}]}}, None),
    ('cap-template', {
        'ConfigOnly': True, 'Options': {'parent': PARENTS[1]},
        'IPAM': {'Driver': 'default', 'Config': [{'Subnet': '198.19.99.128/27', 'Gateway': '198.19.99.129'}]}}, None),
    ('cap-from-template', {'Driver': 'macvlan', 'ConfigFrom': {'Network': 'cap-template'}}, None),
]
ON = 'cap-bridge-ipam'  # the network the containers are on

VERSION_KEYS = ('Version', 'ApiVersion', 'MinAPIVersion', 'GitCommit', 'GoVersion', 'Os', 'Arch', 'Experimental',
                'BuildTime')
INFO_KEYS = ('ID', 'ServerVersion', 'Driver', 'CgroupDriver', 'CgroupVersion', 'Plugins', 'DefaultAddressPools',
             'FirewallBackend', 'Swarm', 'LiveRestoreEnabled', 'Runtimes', 'DefaultRuntime', 'Isolation',
             'InitBinary', 'ContainerdCommit', 'RuncCommit', 'InitCommit', 'SecurityOptions', 'ExperimentalBuild',
             'IPv4Forwarding', 'BridgeNfIptables', 'BridgeNfIp6tables', 'OSType', 'Architecture', 'CDISpecDirs',
             'Containerd')
CONTAINER_DROP = ('ResolvConfPath', 'HostnamePath', 'HostsPath', 'LogPath', 'GraphDriver', 'Mounts', 'Image')


class CaptureError(Exception):
    pass


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=60):
        http.client.HTTPConnection.__init__(self, 'localhost', timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class Api(object):
    """The Engine API over a unix socket, at the engine's own API version."""

    def __init__(self, url):
        self.path = url[len('unix://'):] if url.startswith('unix://') else url
        if not self.path.startswith('/'):
            raise CaptureError('%s: only a local unix socket is supported (the macvlan parents are made '
                               'in the engine\'s network namespace)' % url)
        self.url = 'unix://' + self.path
        self.version = None
        self.version = self.request('GET', '/version')[1]['ApiVersion']

    def request(self, method, path, body=None, query=None):
        """(status, decoded answer) of one call; never raises for an HTTP error status."""
        conn = _UnixConnection(self.path)
        full = ('/v%s' % self.version if self.version else '') + path
        if query:
            full += '?' + urllib.parse.urlencode(query)
        headers = {'Content-Type': 'application/json'} if body is not None else {}
        try:
            conn.request(method, full, json.dumps(body) if body is not None else None, headers)
            resp = conn.getresponse()
            raw = resp.read()
        except OSError as exc:
            raise CaptureError('%s %s on %s: %s' % (method, full, self.url, exc))
        finally:
            conn.close()
        try:
            data = json.loads(raw) if raw.strip() else None
        except ValueError:
            data = raw.decode('utf-8', 'replace')
        return resp.status, data

    def ok(self, method, path, body=None, query=None, allowed=(200, 201, 204)):
        status, data = self.request(method, path, body, query)
        if status not in allowed:
            raise CaptureError('%s %s: HTTP %d: %s' % (method, path, status, data))
        return data

    def at_least(self, version):
        return tuple(int(p) for p in self.version.split('.')) >= tuple(int(p) for p in version.split('.'))

    def peer_pid(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self.path)
            return struct.unpack('3i', s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize('3i')))[0]
        finally:
            s.close()


def _in_netns(api, argv, check=True):
    pid = api.peer_pid()
    proc = subprocess.run(['nsenter', '--net=/proc/%d/ns/net' % pid, '--'] + argv, capture_output=True,
                          text=True, check=False)
    if check and proc.returncode != 0:
        raise CaptureError('%s in the engine\'s netns: %s' % (' '.join(argv), proc.stderr.strip()))
    return proc


def cleanup(api):
    """Remove every container, network and parent link of ours (this run's, or an interrupted run's)."""
    for c in api.ok('GET', '/containers/json', query={'all': '1', 'filters': json.dumps({'name': [PREFIX]})}):
        if any(n.lstrip('/').startswith(PREFIX) for n in c.get('Names') or []):
            api.request('DELETE', '/containers/%s' % c['Id'], query={'force': '1'})
    nets = [n for n in api.ok('GET', '/networks') if n['Name'].startswith(PREFIX)]
    for n in sorted(nets, key=lambda n: bool(n.get('ConfigOnly'))):  # templates last
        api.request('DELETE', '/networks/%s' % n['Id'])
    for link in PARENTS:
        _in_netns(api, ['ip', 'link', 'del', link], check=False)


def trim_container(c):
    c = {k: v for k, v in c.items() if k not in CONTAINER_DROP}
    c['Config'] = {k: c['Config'].get(k) for k in ('Hostname', 'Image', 'Cmd', 'MacAddress', 'Labels')
                   if k in c['Config']}
    c['HostConfig'] = {k: c['HostConfig'].get(k) for k in ('NetworkMode',)}
    ns = dict(c.get('NetworkSettings') or {})
    ns.pop('SandboxKey', None)
    c['NetworkSettings'] = ns
    return c


def capture(api, out_root):
    version = api.ok('GET', '/version')
    upstream = re.match(r'[0-9.]+', version['Version']).group(0)
    out = os.path.join(out_root, upstream)
    cleanup(api)
    t0 = time.monotonic()
    files = {}
    made = []
    try:
        for link in PARENTS:
            _in_netns(api, ['ip', 'link', 'add', link, 'type', 'veth', 'peer', 'name', link + 'p'])
            _in_netns(api, ['ip', 'link', 'set', link, 'up'])
        for name, body, since in NETWORKS:
            body = dict(body, Name=name)
            if since and not api.at_least(since):
                continue
            if not api.at_least('1.44'):
                body['CheckDuplicate'] = True  # what clients sent before the engine made names unique
            status, answer = api.request('POST', '/networks/create', body)
            entry = {'request': {'method': 'POST', 'path': '/networks/create', 'body': body},
                     'status': status, 'answer': answer}
            if status == 201:
                made.append(name)
                entry['inspect'] = api.ok('GET', '/networks/%s' % answer['Id'])
            files['networks/%s.json' % name] = entry
        containers = make_containers(api)
        for name in made:  # again: now with the containers on them
            files['networks/%s.json' % name]['inspect'] = api.ok('GET', '/networks/%s' % name)
        files['networks-list.json'] = {
            'request': {'method': 'GET', 'path': '/networks'},
            'answer': sorted([n for n in api.ok('GET', '/networks') if n['Name'].startswith(PREFIX)],
                             key=lambda n: n['Name'])}
        query = {'all': '1', 'filters': json.dumps({'network': [ON]})}
        listing = api.ok('GET', '/containers/json', query=query)
        for c in listing:
            c.pop('Mounts', None)
        files['containers-list.json'] = {'request': {'method': 'GET', 'path': '/containers/json', 'query': query},
                                         'answer': sorted(listing, key=lambda c: c['Names'])}
        for name, entry in containers.items():
            entry['inspect'] = trim_container(api.ok('GET', '/containers/%s/json' % name))
            files['containers/%s.json' % name] = entry
        files['version.json'] = {'request': {'method': 'GET', 'path': '/version'},
                                 'answer': trim_version(version)}
        files['info.json'] = {'request': {'method': 'GET', 'path': '/info'}, 'answer': trim_info(api.ok('GET', '/info'))}
    finally:
        cleanup(api)
    files['manifest.json'] = {
        'engine': version['Version'], 'api_version': api.version, 'min_api_version': version.get('MinAPIVersion'),
        'made_by': 'scripts/capture_inspect.py', 'captured': time.strftime('%Y-%m-%d', time.gmtime()),
        'networks': [n for n, _b, _s in NETWORKS], 'skipped_below_api': {n: s for n, _b, s in NETWORKS
                                                                         if s and not api.at_least(s)},
        'refused': sorted(k for k, v in files.items() if isinstance(v, dict) and v.get('status', 201) >= 300),
        'containers_on': ON, 'image': IMAGE,
    }
    shutil.rmtree(out, ignore_errors=True)
    for rel, data in sorted(files.items()):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write('\n')
    return out, len(files), time.monotonic() - t0


def make_containers(api):
    """cap-running (fixed address, aliases, MAC; on cap-dual-stack too), cap-stopped, cap-created."""
    result = {}
    per_endpoint_mac = api.at_least('1.44')
    specs = [
        ('cap-running', {'IPAMConfig': {'IPv4Address': '198.19.99.40'}, 'Aliases': ['web', 'api']}),
        ('cap-stopped', {'IPAMConfig': {'IPv4Address': '198.19.99.41'}}),
        ('cap-created', {'Aliases': ['later']}),
    ]
    for name, endpoint in specs:
        body = {'Image': IMAGE, 'Cmd': ['sleep', '3600'], 'HostConfig': {'NetworkMode': ON},
                'NetworkingConfig': {'EndpointsConfig': {ON: dict(endpoint)}}}
        if name == 'cap-running':
            if per_endpoint_mac:
                body['NetworkingConfig']['EndpointsConfig'][ON]['MacAddress'] = '02:42:c6:13:63:28'
            else:  # before API 1.44 the MAC is the container's, for its first network
                body['MacAddress'] = '02:42:c6:13:63:28'
        requests = [{'method': 'POST', 'path': '/containers/create', 'query': {'name': name}, 'body': body}]
        cid = api.ok('POST', '/containers/create', body, query={'name': name})['Id']
        if name != 'cap-created':
            api.ok('POST', '/containers/%s/start' % cid)
            requests.append({'method': 'POST', 'path': '/containers/%s/start' % name})
        if name == 'cap-running':
            endpoint = {'IPAMConfig': {'IPv4Address': '198.19.99.70', 'IPv6Address': '2001:db8:96:2::70'},
                        'Aliases': ['db']}
            if api.at_least('1.48'):
                endpoint['GwPriority'] = 10
            connect = {'Container': name, 'EndpointConfig': endpoint}
            api.ok('POST', '/networks/cap-dual-stack/connect', connect)
            requests.append({'method': 'POST', 'path': '/networks/cap-dual-stack/connect', 'body': connect})
        if name == 'cap-stopped':
            api.ok('POST', '/containers/%s/stop' % cid, query={'t': '0'})
            requests.append({'method': 'POST', 'path': '/containers/%s/stop' % name, 'query': {'t': '0'}})
        result[name] = {'requests': requests}
    return result


def trim_info(info):
    out = {k: v for k, v in info.items() if k in INFO_KEYS}
    if isinstance(out.get('Containerd'), dict):
        out['Containerd'].pop('Address', None)  # a path on the engine's host
    return out


def trim_version(v):
    out = {k: v[k] for k in VERSION_KEYS if k in v}
    out['Components'] = [{'Name': c.get('Name'), 'Version': c.get('Version')} for c in v.get('Components') or []]
    return out


def resolve(engine):
    if engine.startswith('unix://') or engine.startswith('/'):
        return engine
    sys.path.insert(0, os.path.join(ROOT, 'scripts'))
    import engines  # pylint: disable=import-outside-toplevel
    return engines.Engine(engines.key_of(engine)).url


def main(argv):
    args = list(argv)
    out_root = OUT
    if '--out' in args:
        i = args.index('--out')
        out_root = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        sys.stderr.write('usage: capture_inspect.py ENGINE (a docker_host URL or 20.10|26.1|28.5) [--out DIR]\n')
        return 2
    try:
        api = Api(resolve(args[0]))
        out, count, seconds = capture(api, out_root)
    except CaptureError as exc:
        sys.stderr.write('capture_inspect: %s\n' % exc)
        return 1
    sys.stdout.write('captured %d files from %s (API %s) into %s in %.1f s\n'
                     % (count, api.url, api.version, os.path.relpath(out), seconds))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
