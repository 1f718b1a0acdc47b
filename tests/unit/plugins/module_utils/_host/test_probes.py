"""Pure logic of the kernel probes: messages and the link-kind map."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._host import probes as _probes


def test_missing_message_wording():
    release = _probes.kernel_release()
    assert _probes.missing_message('ipvlan', 'EOPNOTSUPP') == (
        'ipvlan: not supported by this kernel (%s): creating an ipvlan link failed with EOPNOTSUPP' % release)
    assert _probes.missing_message('vlan', 'EOPNOTSUPP').startswith('802.1Q VLAN (vlan): not supported')
    esp = _probes.missing_message('esp', 'ip xfrm state add: Error: Requested AEAD algorithm not found.')
    assert esp.startswith('ESP/IPsec (xfrm): not supported by this kernel (%s): '
                          'an encrypted overlay would drop all traffic' % release)


def test_feature_for_link_kind():
    assert _probes.feature_for_link_kind('vlan') == 'vlan'
    assert _probes.feature_for_link_kind('macvlan') == 'macvlan'
    assert _probes.feature_for_link_kind('ifb') is None
    assert set(_probes.FEATURES) >= set(filter(None, map(_probes.feature_for_link_kind, _probes.FEATURES)))


def test_unknown_feature_refused():
    with pytest.raises(ValueError):
        _probes.probe(('wifi',))
