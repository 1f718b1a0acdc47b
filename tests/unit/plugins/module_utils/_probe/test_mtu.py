"""_probe.mtu: the path MTU search, against a simulated path."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.netprov.dockernet.plugins.module_utils._probe import mtu


class Path(object):
    """A path that passes up to ``passes`` bytes; above it, silent loss or, with ``signals``, an ICMP limit the
    sender's kernel learns (and then fragments above, so larger sizes 'pass')."""

    def __init__(self, passes, signals=False, small_lost=False):
        self.passes = passes
        self.signals = signals
        self.small_lost = small_lost
        self.learned = None
        self.sent = []

    def send(self, size):
        self.sent.append(size)
        if self.small_lost:
            return False, None
        if self.learned and size > self.learned:
            return True, self.learned  # fragmented locally
        if size <= self.passes:
            return True, self.learned
        if self.signals:
            self.learned = self.passes
            return False, self.learned
        return False, None


def test_a_full_size_packet_that_passes_is_one_probe():
    path = Path(1450)
    assert mtu.measure(path.send, 1450)['verdict'] == 'ok' and path.sent == [1450]


def test_silent_loss_is_a_black_hole_with_the_largest_size_that_passes():
    path = Path(1354)
    found = mtu.measure(path.send, 1450)
    assert found['verdict'] == 'black_hole' and found['path_mtu'] == 1354 and found['limit'] is None
    assert path.sent[:3] == [1450, 1450, 576]  # the full size twice, then the floor
    assert max(s for s in path.sent if s != 1450) <= 1450


def test_a_signalled_limit_is_not_mistaken_for_sizes_that_pass():
    path = Path(1400, signals=True)
    found = mtu.measure(path.send, 1450)
    assert found['verdict'] == 'signalled' and found['path_mtu'] == 1400 and found['limit'] == 1400
    assert path.sent == [1450, 1400]


def test_a_limit_the_path_signals_is_asked_before_any_ping_of_that_size():
    # busybox: the kernel learns the limit silently and then fragments, so a second full-size ping would pass.
    path = Path(1400, signals=True)
    asked = []

    def signalled(size):
        asked.append(size)
        path.learned = 1400
        return 1400
    found = mtu.measure(path.send, 1500, signalled=signalled)
    assert (found['verdict'], found['path_mtu'], found['limit']) == ('signalled', 1400, 1400)
    assert asked == [1500] and path.sent == [1400]


def test_no_signal_then_the_pings_decide():
    found = mtu.measure(Path(1500).send, 1500, signalled=lambda size: None)
    assert found['verdict'] == 'ok'


def test_nothing_passes_is_unreachable():
    found = mtu.measure(Path(1500, small_lost=True).send, 1450)
    assert found['verdict'] == 'unreachable' and found['path_mtu'] is None


def test_every_packet_sent_is_in_sizes_and_the_search_ends_at_the_largest_that_passed():
    path = Path(1000)
    found = mtu.measure(path.send, 1500)
    assert [s['size'] for s in found['sizes']] == path.sent
    assert [s['passed'] for s in found['sizes']] == [size <= 1000 for size in path.sent]
    assert found['path_mtu'] == 1000 and 1001 in path.sent  # the first size above is known lost


def test_a_floor_above_what_passes_is_unreachable():
    found = mtu.measure(Path(500).send, 1500)
    assert found['verdict'] == 'unreachable' and [s['size'] for s in found['sizes']] == [1500, 1500, 576, 576]
