# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docker_network_probe's run: one short-lived probe container on the network, the checks run in it.

The container runs ``sleep`` for the probe's lifetime with auto-remove set, so
the engine removes it itself when that ends; the run removes it as soon as the
checks are done, failed or timed out (``finally``). It carries the labels
``netprov.dockernet.probe`` (the network) and ``netprov.dockernet.probe.expires``
(epoch seconds), so a leftover is easy to find
(``docker ps -a --filter label=netprov.dockernet.probe``); a run removes the
expired ones it finds. Nothing else on the engine changes: no network is
created, changed or connected to besides the probe's own endpoint.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import binascii
import os
import time

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import (
    EngineError, NetprovError, ValidationError)
from ansible_collections.netprov.dockernet.plugins.module_utils._probe import published, spec, tools
from ansible_collections.netprov.dockernet.plugins.module_utils._probe.mtu import measure
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import MTU_OPTION
from ansible_collections.netprov.dockernet.plugins.module_utils._network.wire import network_from_inspect

LINGER = 30  # seconds the container outlives the probe's deadline before it ends itself

# What each kind of check needs in the image.
_NEEDS = {
    'resolve': (('nslookup', 'getent'), 'nslookup (busybox) or getent'),
    'not_resolve': (('nslookup', 'getent'), 'nslookup (busybox) or getent'),
    'icmp': (('ping',), 'ping'),
    'path_mtu': (('ping',), 'ping'),
    'tcp': (('nc',), 'nc'),
    'published': (('nc',), 'nc'),
}


class ProbeTimeout(NetprovError):
    """The probe's deadline passed before every check ran."""


def network_summary(net):
    """What the result says of the network probed (``net``: wire.network_from_inspect() output)."""
    mtu = net['options'].get(MTU_OPTION)
    return {
        'name': net['name'], 'id': net['id'], 'driver': net['driver'], 'scope': net['scope'],
        'internal': net['internal'], 'attachable': net['attachable'],
        'mtu': int(mtu) if mtu and str(mtu).isdigit() else None, 'vxlan': net['driver'] == 'overlay',
    }


def _refuse_network(net):
    name, driver = net['name'], net['driver']
    if net['config_only']:
        raise ValidationError('%s is a configuration-only network: no container can join it; probe a network made '
                              'from it (config_from)' % name, path='network')
    if driver in ('host', 'none'):
        # named as docker network ls lists it: the none network's driver is null
        raise ValidationError("%s (driver %s) has no network of its own to probe: a container there %s; probe from a "
                              "user-defined network" % (name, 'null' if driver == 'none' else driver,
                                                        'shares the host\'s stack and resolver'
                                                        if driver == 'host' else 'has only loopback'), path='network')
    if driver == 'overlay' and not net['attachable']:
        raise ValidationError('overlay %s is not attachable: a standalone probe container cannot join it (the engine '
                              'refuses); make it with attachable: true%s' % (
                                  name, ' (the ingress network never is)' if net['ingress'] else ''),
                              path='network')


def _find_network(engine, name):
    """The network (wire.network_from_inspect()), or None on a swarm worker that has not been given the overlay
    yet."""
    raw = engine.find_network(name)
    if raw is not None:
        net = network_from_inspect(raw)
        _refuse_network(net)
        return net
    swarm = (engine.info() or {}).get('Swarm') or {}
    if swarm.get('LocalNodeState') == 'active' and not swarm.get('ControlAvailable'):
        return None  # a worker learns an attachable overlay from its managers when a container joins it
    raise ValidationError('no network named %s on the Docker Engine at %s; give the name or id of an existing '
                          'network (docker network ls)' % (name, engine.url), path='network')


def _image(engine, image, pull, check_mode):
    if engine.find_image(image) is not None:
        return 'present'
    if not pull:
        raise ValidationError('image %s is not on the Docker Engine at %s, and nothing is pulled unless asked; load '
                              'it there (docker load, docker pull %s) or set pull: true' % (image, engine.url, image),
                              path='image')
    if check_mode:
        return 'would be pulled'
    engine.pull_image(image)
    return 'pulled'


def _reap(engine, now):
    """Remove probe containers whose lifetime has passed (a run killed before its cleanup); their names."""
    gone = []
    for entry in engine.containers_labelled(spec.PROBE_LABEL) or []:
        expires = (entry.get('Labels') or {}).get(spec.EXPIRES_LABEL, '')
        if expires.isdigit() and int(expires) < now:
            engine.remove_container(entry['Id'])
            gone.extend(n.lstrip('/') for n in entry.get('Names') or [entry['Id'][:12]])
    return gone


def probe(engine, params, check_mode, warn):
    """The module's result (raises NetprovError for bad input, a failed check or a timeout); ``warn(text)``."""
    checks = spec.validate(params)
    net = _find_network(engine, params['network'])
    summary = network_summary(net) if net is not None else {'name': params['network']}
    if net is not None and net['name'] == 'bridge' and net['driver'] == 'bridge':
        warn('network: the default bridge network has no embedded DNS, so container names do not '
             'resolve on it; probe from a user-defined network to check service discovery')
    checks.extend(published.read(engine, params, warn))
    image = _image(engine, params['image'], params['pull'], check_mode)
    plan = [dict(c) for c in checks]
    if check_mode:
        return dict(changed=False, probed=False, ok=None, plan=plan, checks=[], failures=[], targets=[],
                    names={}, published=[], network=summary,
                    probe={'image': params['image'], 'image_state': image, 'container': None, 'removed': None},
                    msg='check mode: nothing was run (no probe container was started); %d checks would run'
                        % len(checks))
    now = int(time.time())
    reaped = _reap(engine, now)
    if reaped:
        warn('removed expired probe containers left by an earlier run: %s' % ', '.join(reaped))
    name = 'netprov-probe-%s' % binascii.hexlify(os.urandom(4)).decode()
    lifetime = params['probe_timeout'] + LINGER
    labels = {spec.PROBE_LABEL: summary['name'] or params['network'], spec.EXPIRES_LABEL: str(now + lifetime)}
    info = {'image': params['image'], 'image_state': image, 'container': name, 'removed': False}
    container = None
    try:
        try:
            container = engine.run_container(params['image'], ['sleep', str(lifetime)], name, labels,
                                             net['id'] if net is not None else params['network'],
                                             dns=params.get('dns'), dns_search=params.get('dns_search'),
                                             dns_opts=params.get('dns_opts'))
        except EngineError as exc:
            raise _start_error(exc, params)
        done = Prober(engine, container, params, summary).run(checks)
    except NetprovError as exc:
        info['removed'] = _remove(engine, container or name, exc)
        exc.details.setdefault('probe', info)
        exc.details.setdefault('network', summary)
        raise
    info['removed'] = _remove(engine, container, None)
    return _result(done, plan, summary, info, params['fail_on_mismatch'])


def _remove(engine, ident, failure):
    """Remove the probe container; a removal that fails is an error of its own, or added to ``failure``'s."""
    try:
        return engine.remove_container(ident)
    except EngineError as exc:
        if failure is None:
            raise EngineError('the probe container %s could not be removed: %s; remove it by hand (docker rm -f %s)'
                              % (ident, exc, ident))
        failure.details['probe_cleanup'] = 'remove it by hand (docker rm -f %s): %s' % (ident, exc)
        return False


def _start_error(exc, params):
    text = str(exc)
    low = text.lower()
    if 'network' in low and ('not found' in low or 'no such network' in low):
        return ValidationError('no network named %s could be joined: %s' % (params['network'], text), path='network')
    if 'no such image' in low or 'image' in low and 'not found' in low:
        return ValidationError('image %s is gone from the engine: %s' % (params['image'], text), path='image')
    if 'executable file not found' in low:
        return ValidationError('image %s has no sleep: the probe container needs sh, sleep, nslookup, ping, nc '
                               'and ip (busybox has them all)' % params['image'], path='image')
    return exc


class Prober(object):
    """The checks, run one exec at a time in the probe container, within the probe's deadline."""

    def __init__(self, engine, container, params, network):
        self.engine = engine
        self.container = container
        self.params = params
        self.network = network
        self.wait = params['reply_timeout']
        self.deadline = time.time() + params['probe_timeout']
        self.done = []
        self.toolbox = None
        self.addresses = {}  # target -> resolved addresses

    # -- exec within the deadline ----------------------------------------------
    def _timeout(self):
        return ProbeTimeout('the probe did not finish within %d s (%d of its checks done); raise probe_timeout, '
                            'or lower reply_timeout' % (self.params['probe_timeout'], len(self.done)),
                            path='probe_timeout', checks=self.done)

    def _exec(self, argv, budget):
        left = self.deadline - time.time()
        if left < 1:
            raise self._timeout()
        tools_found = self.toolbox['tools'] if self.toolbox else ()
        try:
            return self.engine.exec_in(self.container, tools.bounded(argv, min(budget, left), tools_found))
        except EngineError as exc:
            if 'executable file not found' in str(exc) or 'no such file or directory' in str(exc).lower():
                raise ValidationError('image %s has no %s: the probe needs sh, nslookup (or getent), ping, nc and ip '
                                      '(busybox has them all)' % (self.params['image'], argv[0]), path='image')
            raise

    def _needs(self, checks):
        found = self.toolbox['tools']
        for check in checks:
            any_of, words = _NEEDS[check['check']]
            if not any(t in found for t in any_of):
                raise ValidationError('image %s has no %s, which %s needs; use an image that has it (busybox has '
                                      'sh, nslookup, ping, nc and ip)' % (self.params['image'], words, check['path']),
                                      path='image')

    # -- the run -----------------------------------------------------------------
    def run(self, checks):
        rc, out, err = self._exec(tools.toolbox_argv(), 10)
        self.toolbox = tools.parse_toolbox(out)
        if not self.toolbox['complete']:
            if self.deadline - time.time() < 1:
                raise self._timeout()   # cut short by the deadline, not a shell that cannot run it
            raise ValidationError('image %s: the probe\'s tool check did not run (rc=%s: %s); the probe needs a POSIX '
                                  'sh' % (self.params['image'], rc, (err or out).strip()[:200]), path='image')
        self._needs(checks)
        for check in checks:
            self.done.append(getattr(self, '_' + check['check'])(dict(check)))
        return self.done

    def _lookup(self, name):
        rc, out, err = self._exec(tools.resolve_argv(name, self.toolbox['tools']), 2 * self.wait + 1)
        addresses, seen = tools.parse_resolve(rc, out, err, self.toolbox['tools'])
        return addresses, seen

    def _resolve(self, check):
        addresses, seen = self._lookup(check['target'])
        self.addresses[check['target']] = addresses
        check.update(seen=seen, addresses=addresses, ok=bool(addresses) or not check['reachable'])
        if not addresses and check['path'].startswith('targets'):
            check['hint'] = ('name a container, alias or service on network %s, or give an address'
                             % self.network['name'])
        return check

    def _not_resolve(self, check):
        addresses, seen = self._lookup(check['target'])
        check.update(seen=seen if addresses else 'not resolved (%s)' % seen, addresses=addresses, ok=not addresses)
        if addresses:
            check['hint'] = ('service discovery is network-scoped: a name resolving here is on network %s (or '
                             'known to its DNS servers)' % self.network['name'])
        return check

    def _address(self, check):
        """The address to send to, or None (the check is then not run: its name did not resolve)."""
        if check.get('address'):
            return check['address']
        target = check['target']
        if spec.is_address(target):
            return target
        address = tools.first_ipv4(self.addresses.get(target) or [])
        if address is None:
            check.update(ok=None if check['reachable'] else True, address=None,
                         seen='not run: %s does not resolve' % target)
        return address

    def _icmp(self, check):
        address = self._address(check)
        if address is None:
            return check
        passed = False
        for _attempt in range(2):
            rc, out, err = self._exec(tools.ping_argv(address, 84, self.wait, self.toolbox['ping_df']), self.wait + 2)
            passed = tools.parse_ping(rc, out, err)[0] == 'ok'
            if passed:
                break
        check.update(address=address, seen='answers ping' if passed else 'no reply', ok=passed == check['reachable'])
        return check

    def _tcp(self, check):
        address = self._address(check)
        if address is None:
            return check
        rc, out, err = self._exec(tools.tcp_argv(address, check['port'], self.wait), self.wait + 2)
        opened, seen = tools.parse_tcp(rc, out, err)
        check.update(address=address, seen=seen, ok=opened == check['reachable'])
        return check

    def _published(self, check):
        if check.get('ok', False) is None:
            return check  # not checked: the node is not ready
        self._tcp(check)
        if check['ok'] is False:
            check['hint'] = published.hint(check, self._ipvs_missing() if check['mode'] == 'ingress' else None)
        return check

    def _ipvs_missing(self):
        """Why this engine's kernel has no IPVS (probed for real), or None: it has, or it cannot be told from here."""
        if not self.engine.is_local:
            return None
        try:
            from ansible_collections.netprov.dockernet.plugins.module_utils._host import probes as _probes
            return _probes.missing(['ipvs']).get('ipvs')
        except Exception:  # pylint: disable=broad-exception-caught
            return None  # pyroute2 missing or the probe failed: the hint stays general

    def _route(self, address):
        if 'ip' not in self.toolbox['tools']:
            return None, None
        rc, out, _err = self._exec(tools.route_argv(address), 5)
        return tools.parse_route(out) if rc == 0 else (None, None)

    def _interface_mtu(self, dev):
        mtus = dict((k, v) for k, v in self.toolbox['mtu'].items() if k != 'lo')
        if dev in mtus:
            return mtus[dev]
        return next(iter(mtus.values())) if len(mtus) == 1 else None

    def _path_mtu(self, check):
        address = self._address(check)
        if address is None:
            return check
        icmp = next((c for c in self.done if c['check'] == 'icmp' and c['target'] == check['target']), None)
        if icmp is not None and icmp.get('seen') == 'no reply':
            check.update(address=address, ok=None, seen='not run: no reply to ping')
            return check
        dev, _limit = self._route(address)
        interface_mtu = self._interface_mtu(dev)
        if interface_mtu is None:
            check.update(address=address, ok=False, seen='the probe could not read its interface MTU')
            return check
        expected = check.get('mtu') or interface_mtu
        check.update(address=address, interface=dev, interface_mtu=interface_mtu, expected=expected)
        if expected > interface_mtu:
            check.update(ok=False, verdict='interface', path_mtu=None,
                         seen='the probe\'s interface on %s has MTU %d' % (self.network['name'], interface_mtu),
                         hint='the network\'s MTU is below the expected one: set the network\'s mtu to %d' % expected)
            return check

        def send(size):
            rc, out, err = self._exec(tools.ping_argv(address, size, self.wait, self.toolbox['ping_df']),
                                      self.wait + 2)
            result, named = tools.parse_ping(rc, out, err)
            if result == 'ok':
                return True, None
            return False, named or self._route(address)[1]

        def signalled(size):
            _rc, out, _err = self._exec(tools.traceroute_argv(address, size, self.wait), self.wait + 2)
            return tools.parse_traceroute(out)

        found = measure(send, expected, signalled=signalled if 'traceroute' in self.toolbox['tools'] else None)
        check.update(path_mtu=found['path_mtu'], verdict=found['verdict'], sizes=found['sizes'],
                     limit=found['limit'], ok=found['verdict'] == 'ok')
        check['seen'] = _mtu_seen(found)
        if found['verdict'] != 'ok':
            check['hint'] = _mtu_hint(found, expected, self.network)
        return check


def _mtu_seen(found):
    verdict, path_mtu = found['verdict'], found['path_mtu']
    if verdict == 'ok':
        return path_mtu
    if verdict == 'signalled':
        return ('%d: the path said so (ICMP fragmentation needed); larger packets are fragmented, or refused where '
                'DF is required' % path_mtu)
    if verdict == 'black_hole':
        return ('%s: larger packets are lost and nothing says why (no ICMP fragmentation needed): a black hole'
                % (path_mtu if path_mtu else 'nothing, not even the size the path signalled,'))
    return 'no reply even to %d-byte packets' % found['sizes'][-1]['size']


def _mtu_hint(found, expected, network):
    path_mtu = found['path_mtu']
    if not path_mtu:
        return 'the peer answers small pings only sometimes; look for loss on the path'
    if network.get('vxlan'):
        return ('VXLAN adds %d bytes, so the underlay under %s carries packets of %d bytes at most; set the overlay\'s '
                'mtu to %d or raise the underlay links\' MTU to %d' % (
                    spec.VXLAN_OVERHEAD, network['name'], path_mtu + spec.VXLAN_OVERHEAD, path_mtu,
                    expected + spec.VXLAN_OVERHEAD))
    return ('a link on the path carries %d bytes at most; set %s\'s mtu to %d or raise that link\'s MTU to %d'
            % (path_mtu, network['name'], path_mtu, expected))


def describe(check):
    """One line for a failed check: the option, the target, what was expected and what was seen."""
    what = check['target'] + (' port %d/tcp' % check['port'] if check['check'] == 'tcp' else '')
    if check['check'] == 'published':
        what = 'service %s port %d/tcp on %s (%s)' % (check['service'], check['port'], check['target'],
                                                      check['address'])
    if check['check'] == 'path_mtu':
        what += ' path MTU'
        expected = '%s bytes with DF set to pass' % check.get('expected')
    else:
        expected = check['expected']
    line = '%s: %s: expected %s, seen %s' % (check['path'], what, expected, check.get('seen'))
    if check.get('hint'):
        line += '; %s' % check['hint']
    return line


def _targets(done):
    """Per target: what resolved, answered and measured (the fleet report's row)."""
    rows = []
    for check in done:
        if not check['path'].startswith('targets['):
            continue
        if not rows or rows[-1]['name'] != check['target']:
            rows.append({'name': check['target'], 'expect': 'reachable' if check['reachable'] else 'unreachable',
                         'addresses': [check['target']] if spec.is_address(check['target']) else [],
                         'icmp': None, 'tcp': {}, 'path_mtu': None, 'mtu_verdict': None, 'ok': True})
        row = rows[-1]
        kind = check['check']
        if kind == 'resolve':
            row['addresses'] = check.get('addresses') or []
        elif kind == 'icmp' and check.get('ok') is not None:
            row['icmp'] = check.get('seen') == 'answers ping'
        elif kind == 'tcp' and check.get('ok') is not None:
            row['tcp'][str(check['port'])] = check.get('seen') == 'accepted'
        elif kind == 'path_mtu':
            row.update(path_mtu=check.get('path_mtu'), mtu_verdict=check.get('verdict'),
                       interface_mtu=check.get('interface_mtu'))
        if check.get('ok') is False:
            row['ok'] = False
    return rows


def _result(done, plan, summary, info, fail_on_mismatch):
    failures = [describe(c) for c in done if c.get('ok') is False]
    names = dict((c['target'], {'resolves': bool(c.get('addresses')), 'addresses': c.get('addresses') or [],
                                'expected': c['check'] == 'resolve', 'ok': c.get('ok')})
                 for c in done if c['check'] in ('resolve', 'not_resolve') and not c['path'].startswith('targets['))
    ports = [dict((k, c.get(k)) for k in ('service', 'port', 'mode', 'target', 'address', 'task_here', 'ok'))
             for c in done if c['check'] == 'published']
    for row, check in zip(ports, [c for c in done if c['check'] == 'published']):
        row['node'] = row.pop('target')
        row['answers'] = check.get('seen') == 'accepted' if check.get('ok') is not None else None
    result = dict(changed=False, probed=True, ok=not failures, plan=plan, checks=done, failures=failures,
                  targets=_targets(done), names=names, published=ports, network=summary, probe=info)
    if failures and fail_on_mismatch:
        raise NetprovError('%d of %d checks failed from network %s: %s'
                           % (len(failures), len(done), summary['name'], ' | '.join(failures)), **result)
    return result
