# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The swarm's ingress network as configuration: pure rules and the plan that replaces it.

A swarm has exactly one ingress network, the routing mesh's (the engine makes
one named ``ingress`` at init; it may have been replaced under another name).
Another one cannot be added, only put in its place: remove the engine's, then
create the wanted one. The swarm refuses to remove it while a service publishes
a port in ingress mode, and so is a replacement refused here first, naming those
services, before anything changes. The steps are ``remove`` (of the network
being replaced, marked ``replaced_by``) and ``create`` (marked ``replaces``);
_network.core records the removed network's spec and makes it again when the
create fails.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import (
    ConflictError, ValidationError, join_path)
from ansible_collections.netprov.dockernet.plugins.module_utils._common.steps import step as _step
from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import compare, create_body


def is_ingress_want(want, light):
    """Whether ``want`` is about the swarm's ingress network: it asks for one, or names the one there is."""
    return bool(want.get('ingress') or (light is not None and light.get('ingress') and want.get('ingress') is None))


def rule_ingress(want, path):
    """What an ingress network cannot be, refused naming the field (the engine refuses most of it only later,
    or, for a driver other than overlay, with a message that names no field)."""
    if not want.get('ingress') or want['state'] != 'present':
        return
    driver = want.get('driver')
    if driver not in (None, 'overlay'):
        raise ValidationError('ingress: true makes the swarm\'s routing-mesh network, which is an overlay network, and '
                              'driver is %s; set driver: overlay (or leave it out) or drop ingress' % driver,
                              path=join_path(path, 'driver'))
    for field, why in (('attachable', 'the engine refuses an attachable ingress network: only the routing mesh '
                                      'attaches to it; drop attachable'),
                       ('config_only', 'the ingress network is a real network, not a configuration template; drop '
                                       'config_only'),
                       ('config_from', 'the ingress network takes its addresses and options itself; give them here '
                                       '(ipam_config, mtu, driver_options) and drop config_from')):
        if want.get(field):
            raise ValidationError(why, path=join_path(path, field))
    if want.get('scope') not in (None, 'swarm'):
        raise ValidationError('the ingress network is a swarm network, and scope is %s; set scope: swarm or leave it '
                              'out' % want['scope'], path=join_path(path, 'scope'))
    if want.get('containers'):
        raise ValidationError('no container attaches to the ingress network (the swarm connects its services\' tasks '
                              'itself); drop containers', path=join_path(path, 'containers'))


def manager_required(swarm, path):
    """The ingress network is made on a swarm manager: refuse on an engine that is not one (``swarm`` is /info's
    Swarm section)."""
    state = (swarm or {}).get('LocalNodeState') or 'inactive'
    if state != 'active' or not swarm.get('ControlAvailable'):
        raise ValidationError('the swarm\'s ingress network is made on a swarm manager, and this engine is %s; point '
                              'docker_host at a manager' % ('a worker' if state == 'active' else
                                                            'in no swarm (%s)' % state),
                              path=join_path(path, 'ingress'))


def ingress_users(services):
    """{service name: ['8080/tcp', ...]} of every service that publishes a port in ingress mode (the listing's
    desired spec, and the ports the swarm assigned), as the swarm counts them when it refuses the removal."""
    users = {}
    for svc in services or []:
        spec_ports = (((svc.get('Spec') or {}).get('EndpointSpec') or {}).get('Ports')) or []
        live_ports = ((svc.get('Endpoint') or {}).get('Ports')) or []
        ports = set()
        for port in list(spec_ports) + list(live_ports):
            if (port.get('PublishMode') or 'ingress') == 'ingress' and port.get('PublishedPort'):
                ports.add('%s/%s' % (port['PublishedPort'], port.get('Protocol') or 'tcp'))
        if ports:
            name = (svc.get('Spec') or {}).get('Name') or svc.get('ID')
            users[name] = sorted(ports)
    return users


def _users_text(users):
    return ', '.join('%s (%s)' % (name, ', '.join(ports)) for name, ports in sorted(users.items()))


def _changes(want, have, current):
    """Why the ingress network must be replaced; [] when ``have`` (the wanted name's network) is it, as wanted."""
    if current is None:
        return ['the swarm has no ingress network']
    if have is None or have['id'] != current['id']:
        return ['name: %s -> %s' % (current['name'], want['name'])] + compare(dict(want, name=current['name']),
                                                                              current)
    changes = compare(want, current)
    if not changes and want.get('recreate') == 'always':
        changes = ['recreate: always']
    return changes


def plan_ingress(want, have, current, users, path=''):
    """(steps, warnings) that make ``want`` the swarm's ingress network.

    ``have`` is the network of the wanted name (or None), ``current`` the swarm's ingress network (or None),
    both in the shape of wire.network_from_inspect; ``users`` is ingress_users() of the swarm's services.
    What the user left out is taken from the network being replaced (its subnet, options, labels), so only
    the asked-for change happens.
    """
    name = want['name']
    if have is not None and not have['ingress']:
        raise ConflictError('network %s exists and is not the swarm\'s ingress network; the ingress network needs a '
                            'name of its own: choose another name, or remove network %s first' % (name, name),
                            path=join_path(path, 'name'))
    if want['state'] == 'absent':
        if have is not None and users:
            raise ConflictError('network %s is the swarm\'s ingress network, and services publish ports in ingress '
                                'mode through it: %s; publish them in host mode or remove them first'
                                % (name, _users_text(users)), path=join_path(path, 'state'), services=sorted(users))
        return None, []   # the ordinary removal
    if want.get('ingress') is False:
        raise ValidationError('network %s is the swarm\'s ingress network; it cannot become an ordinary network in '
                              'place (the routing mesh would go): drop ingress: false, or remove it (state: absent) '
                              'and create another network' % name, path=join_path(path, 'ingress'))
    changes = _changes(want, have, current)
    if not changes:
        return [_step('none', name, 'matches the spec (the swarm\'s ingress network)')], []
    reason = '; '.join(changes)
    if current is not None and users:
        raise ConflictError(
            'the swarm\'s ingress network %s cannot be replaced (%s) while services publish ports in ingress mode: %s; '
            'the swarm refuses to remove it then; publish their ports in host mode (mode=host) or remove the services '
            '(docker service update --publish-rm, or docker service rm), run this again, then publish them again'
            % (current['name'], reason, _users_text(users)), path=join_path(path, 'ingress'), services=sorted(users),
            changes=changes)
    target = dict(want, driver=want.get('driver') or 'overlay', ingress=True)
    steps = []
    if current is not None:
        steps.append(_step('remove', current['name'], 'the swarm has one ingress network: %s replaces it (%s)'
                           % (name, reason), id=current['id'], replaced_by=name))
    steps.append(_step('create', name, reason, body=create_body(target, current),
                       replaces=current['id'] if current else None))
    return steps, []
