"""What the kernel under test can do, as the tests expect it.

The machine kernel (TESTBED.md) lacks ipvlan, 802.1Q, dummy, ESP and IPVS;
the User-Mode Linux tier runs the same tests with NETPROV_KERNEL=full, where
everything exists.
"""
import os

MACHINE = {'macvlan': True, 'bridge': True, 'veth': True, 'vxlan': True,
           'ipvlan': False, 'vlan': False, 'dummy': False, 'esp': False, 'ipvs': False}
FULL = dict((k, True) for k in MACHINE)


def expected_capabilities():
    return FULL if os.environ.get('NETPROV_KERNEL') == 'full' else MACHINE
