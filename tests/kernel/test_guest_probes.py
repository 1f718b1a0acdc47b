"""The collection's kernel probes say "supported" for every feature the guest kernel has.

The guest (a full 6.1 kernel with the modules loaded at boot) has ipvlan,
802.1Q, dummy, ESP and IPVS, which the machine kernel lacks. Where a feature
exists, a probe answering "unsupported" would make every probe-gated test
skip and every module refuse: here it is a failure.
"""
import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._host import probes as _probes


@pytest.mark.parametrize('feature', _probes.FEATURES)
def test_the_probe_finds_the_feature(feature):
    _probes._CACHE.clear()
    found = _probes.probe((feature,))[feature]
    assert found['supported'] is True, '%s: the probe says unsupported in the guest: %s' % (feature, found['detail'])
    assert found['detail'] and 'untested' not in found['detail'], found
