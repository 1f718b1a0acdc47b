# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error family that module_utils raises; modules catch it once."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

# ansible-core before 2.19 names types in its argument validator's messages as <class 'dict'>.
_PY_CLASS = re.compile(r"<class '([a-zA-Z_.]+)'>")


def validator_message(message):
    """An argument validator's message in the words of every ansible-core (``dict``, not ``<class 'dict'>``)."""
    return _PY_CLASS.sub(r'\1', message)


class NetprovError(Exception):
    """An expected failure with a message a user can act on.

    ``path`` names the item and field (``networks[2].ipam_config[0].subnet``);
    ``details`` is returned to the user beside the message (done/not done
    lists, the containers that block a change, ...).
    """

    def __init__(self, msg, path=None, **details):
        super(NetprovError, self).__init__(msg)
        self.msg = msg
        self.path = path
        self.details = details

    def __str__(self):
        if self.path:
            return '%s: %s' % (self.path, self.msg)
        return self.msg


class ValidationError(NetprovError):
    """Bad input, found before anything was touched."""


class EngineError(NetprovError):
    """The Docker Engine could not be reached or refused a call."""


class KernelError(NetprovError):
    """The kernel lacks a feature the request needs."""


class ConflictError(NetprovError):
    """The change would lose something (endpoints, services) and is refused."""


def join_path(*parts):
    """Join item path parts: join_path('networks[1]', 'subnet') -> 'networks[1].subnet'."""
    return '.'.join(p for p in parts if p)
