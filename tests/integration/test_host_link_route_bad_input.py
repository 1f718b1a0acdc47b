"""Bad input to host_link and host_route is a clean error naming the field, never a traceback.

Every numeric option pyroute2 packs into a netlink message (route metric and
table, VLAN id, VNI, VXLAN port, MTU) is called with values below and above
its range and with values of the wrong type, through the module's real
main() (Ansible's own argument validation included, tests/support/inproc.py) in a
scratch namespace. A bug (an exception no check foresaw) comes back as a
failure with its traceback in ``exception``, not as a crash.
"""
import pytest

from ansible_collections.netprov.dockernet.tests.support import inproc
from ansible_collections.netprov.dockernet.plugins.module_utils._host import netlink as _netlink, routes as _routes
from ansible_collections.netprov.dockernet.tests.support.scratch_netns import ns  # noqa: F401 pylint: disable=unused-import

U32 = 2 ** 32 - 1

# (module, args without the field, field, lowest, highest)
FIELDS = [
    ('host_route', {'dest': '198.19.80.0/24', 'dev': 'lo'}, 'metric', 0, U32),
    ('host_route', {'dest': '198.19.80.0/24', 'dev': 'lo'}, 'table', 0, U32),
    ('host_route', {'dest': 'fd00:198:19:80::/64', 'dev': 'lo'}, 'metric', 0, U32),
    ('host_link', {'name': 'nb-vl', 'kind': 'vlan', 'parent': 'lo'}, 'vlan_id', 1, 4094),
    ('host_link', {'name': 'nb-vx', 'kind': 'vxlan', 'vxlan_id': 5}, 'vxlan_port', 1, 65535),
    ('host_link', {'name': 'nb-vx', 'kind': 'vxlan'}, 'vxlan_id', 0, 2 ** 24 - 1),
    ('host_link', {'name': 'nb-br', 'kind': 'bridge'}, 'mtu', 68, 65535),
    ('host_link', {'name': 'lo'}, 'mtu', 68, 65535),
]
IDS = ['route.metric', 'route.table', 'route.metric-v6', 'link.vlan_id', 'link.vxlan_port', 'link.vxlan_id',
       'link.mtu-new', 'link.mtu-existing']


def _nothing_made(ns):
    assert [l['name'] for l in _netlink.list_links(ns)] == ['lo']
    assert not [r for r in _routes.list_routes(ns) if r['dest'].startswith(('198.19.80', 'fd00:198:19:80'))]


@pytest.mark.parametrize('module, args, field, low, high', FIELDS, ids=IDS)
def test_out_of_range_names_the_field_and_its_range(ns, module, args, field, low, high):
    for value in (low - 1, high + 1, high * 4 + 7, -(2 ** 40)):
        for check in (True, False):
            res = inproc.call(module, dict(args, netns=ns, **{field: value}), check=check)
            assert res.traceback is None, res.traceback
            assert res.failed, (field, value, res.result)
            assert res['msg'] == '%s: %d is outside %d..%d' % (field, value, low, high), res['msg']
    _nothing_made(ns)


@pytest.mark.parametrize('module, args, field, low, high', FIELDS, ids=IDS)
def test_mistyped_names_the_field(ns, module, args, field, low, high):
    # what Ansible's int type cannot convert: Ansible's own message, which names the argument
    for value in ('abc', '0x10', 1.5, [1], {'a': 1}):
        res = inproc.call(module, dict(args, netns=ns, **{field: value}))
        assert res.traceback is None, res.traceback
        assert res.failed and res['msg'].startswith("argument '%s' is of type" % field), res['msg']
        assert 'unable to convert to int' in res['msg'], res['msg']
    # what Ansible's int type lets through unchanged: a YAML boolean
    for value in (True, False):
        res = inproc.call(module, dict(args, netns=ns, **{field: value}))
        assert res.traceback is None, res.traceback
        assert res.failed and res['msg'] == '%s: %r is not a whole number; give one in %d..%d' % (
            field, value, low, high), res['msg']
    _nothing_made(ns)


@pytest.mark.parametrize('module, args, field, low, high', FIELDS, ids=IDS)
def test_the_ends_of_each_range_are_accepted(ns, module, args, field, low, high):
    """The check is the kernel's range, not a narrower one: both ends pass validation (check mode)."""
    for value in (low, high):
        res = inproc.call(module, dict(args, netns=ns, **{field: value}), check=True)
        assert res.traceback is None, res.traceback
        assert not res.failed or 'outside' not in res['msg'], res['msg']
        assert not res.failed or field not in res['msg'].split(':')[0], res['msg']


@pytest.mark.parametrize('module, args, target', [
    ('host_link', {'name': 'nb-br', 'kind': 'bridge'}, '_links.read'),
    ('host_route', {'dest': '198.19.80.0/24', 'dev': 'lo'}, '_routes.list_routes'),
    ('host_network_info', {'capabilities': False}, '_netlink.list_links'),
])
def test_an_unexpected_exception_is_a_clean_failure_with_its_traceback(ns, monkeypatch, module, args, target):
    from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links  # noqa: F401
    mod_name, func = target.split('.')
    mod = {'_links': _links, '_routes': _routes, '_netlink': _netlink}[mod_name]

    def boom(*a, **kw):
        raise RuntimeError('a bug nobody foresaw')
    monkeypatch.setattr(mod, func, boom)
    res = inproc.call(module, dict(args, netns=ns))
    assert res.crash is None, res.crash
    assert res.failed and res['msg'] == 'unexpected error: a bug nobody foresaw', res.result
    assert 'RuntimeError: a bug nobody foresaw' in res['exception']
    assert 'Traceback (most recent call last)' in res['exception']
