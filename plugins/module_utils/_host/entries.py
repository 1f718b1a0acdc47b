# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The entries of a bulk call: checked against one item's argument spec, errors placed at ``links[2].vlan_id``."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import (
    ValidationError, join_path, validator_message)


def validate(entries, spec, mutually_exclusive, path):
    """Each entry of ``entries`` (the list option at ``path``) as the module's own argument spec would take it.

    Type conversion, choices, defaults and required options are ansible-core's
    own (ArgumentSpecValidator); an option set to null counts as not given; a
    bad entry is refused naming it and the field.
    """
    validator = ArgumentSpecValidator(spec, mutually_exclusive=mutually_exclusive)
    out = []
    for i, entry in enumerate(entries):
        where = '%s[%d]' % (path, i)
        if not isinstance(entry, dict):
            raise ValidationError('each entry is a dict of options, got %s %r' % (type(entry).__name__, entry),
                                  path=where)
        result = validator.validate(dict((k, v) for k, v in entry.items() if v is not None))  # null: not given
        errors = [validator_message(m) for m in result.error_messages]
        if errors:
            raise ValidationError('%s; nothing was changed' % '; '.join(errors),
                                  path=join_path(where, _field(errors[0], spec, result.unsupported_parameters)))
        out.append(result.validated_parameters)
    return out


def _field(message, spec, unsupported):
    """The first option named in ansible-core's message ("value of state must be one of ...")."""
    for word in re.findall(r'[A-Za-z_][A-Za-z0-9_]*', message):
        if word in unsupported or word in spec:
            return word
    return None


def located(exc, where, item, **more):
    """``exc`` (a NetprovError) placed at entry ``where`` of a bulk call, naming ``item`` (its link or route).

    Its own path, a field, goes under the entry (``links[2].vlan_id``); a path that
    is only the item's name becomes the entry. ``more`` joins its details (done, not_done).
    """
    sub = exc.path if exc.path and exc.path != item else None
    tail = '; '.join('%s: %s' % (k.replace('_', ' '), ', '.join(v) or 'none') for k, v in sorted(more.items()))
    msg = '%s (%s%s)' % (exc.msg, item, '; ' + tail if tail else '; nothing was changed')
    return type(exc)(msg, path=join_path(where, sub), **dict(exc.details, **more))
