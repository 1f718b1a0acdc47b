"""What the preflight filter costs on the controller, where it runs once per host in every site.yml run:
it reads its input once. ansible-core 2.19 hands a filter lazy containers, each access to which is
templated again, and the checks read the facts thousands of times (17 s for the task on 3 hosts).
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.filter.preflight_verdict import preflight_verdict


class Counted(dict):
    """A dict that counts every read of a value, as ansible-core 2.19's lazy dict templates on each."""
    reads = 0

    def __init__(self, data):
        super(Counted, self).__init__((k, Counted(v) if isinstance(v, dict) else v) for k, v in data.items())

    def __getitem__(self, key):
        Counted.reads += 1
        return super(Counted, self).__getitem__(key)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def items(self):
        return [(k, self[k]) for k in self]

    def values(self):
        return [self[k] for k in self]


def _keys(value):
    return len(value) + sum(_keys(v) for v in value.values() if isinstance(v, dict)) if isinstance(value, dict) else 0


def test_the_preflight_filter_reads_each_value_of_its_input_once():
    links = [{'name': 'eth%d' % i, 'kind': None, 'mtu': 1500, 'addresses': ['198.19.239.%d/24' % i]} for i in range(40)]
    facts = {'host': 'h1', 'network_info': {'links': links, 'routes': [], 'capabilities': {'macvlan': True}},
             'engine': {'reachable': True, 'version': '20.10.24'}, 'engine_networks': [], 'in_swarm': False,
             'listeners': []}
    want = {'networks': [], 'links': [], 'shims': [{'name': 'lanshim', 'parent': 'eth1'}], 'swarm': False}
    Counted.reads = 0
    result = preflight_verdict(Counted(facts), Counted(want))
    assert result == preflight_verdict(facts, want)
    keys = sum(_keys(d) for d in (facts, want))
    assert Counted.reads == keys, Counted.reads  # each value read once (before: every check read them again)
