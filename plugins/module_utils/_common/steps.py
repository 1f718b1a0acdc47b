# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one step shape every planner returns.

A planner is pure: ``(want, have, ...) -> (steps, warnings)``, and its applier carries out
exactly those steps. A step is a flat dict:

``action``
    what to do, a verb of its package (``create``, ``connect``, ``set``, ``leave``, ...)
``subject``
    what it acts on: a network, link, bridge, port, interface or node by name, a route by
    its identifying fields, ``swarm`` for this engine's swarm membership
``reason``
    why, in words the user reads (the difference found, or the state asked for)

and, beside them, the details its applier needs (``container``, ``body``, ``field``,
``before``/``after``, ...).

Module results show each resource's subject under the key its users know (a network step's
``network``, a link step's ``link``, a node step's ``node_id``); ``render`` writes a step back
in that spelling, in one place per package.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

KEYS = ('action', 'subject', 'reason')


def step(action, subject, reason, **details):
    """A step: ``action`` on ``subject`` because of ``reason``, with its ``details``."""
    out = {'action': action, 'subject': subject, 'reason': reason}
    out.update(details)
    return out


def render_step(one, key, by_action=None):
    """``one`` as a module's result shows it: its subject under ``key`` (or, for an action in
    ``by_action``, under the key given there; None: not shown), the rest as it is."""
    name = (by_action or {}).get(one['action'], key)
    out = {'action': one['action']}
    if name is not None:
        out[name] = one['subject']
    out.update((k, v) for k, v in one.items() if k not in ('action', 'subject'))
    return out


def render(steps, key, by_action=None):
    """Every step of ``steps`` through ``render_step``."""
    return [render_step(s, key, by_action) for s in steps]
