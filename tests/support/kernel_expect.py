"""What the kernel under test can do, as the tests expect it.

The machine kernel (TESTBED.md) lacks ipvlan, 802.1Q, dummy, ESP and IPVS;
in the User-Mode Linux guest (NETPROV_UML_GUEST=1, set by tests/support/guest.py)
or with NETPROV_KERNEL=full, everything exists.
"""
import os

MACHINE = {'macvlan': True, 'bridge': True, 'veth': True, 'vxlan': True,
           'ipvlan': False, 'vlan': False, 'dummy': False, 'esp': False, 'ipvs': False}
FULL = dict((k, True) for k in MACHINE)


def expected_capabilities():
    full = os.environ.get('NETPROV_KERNEL') == 'full' or os.environ.get('NETPROV_UML_GUEST') == '1'
    return FULL if full else MACHINE
