"""The simulator: determinism, link semantics, faults, timers, errors."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsscale.sim import ExponentialDelay, FixedDelay, Link, Network, Node, UniformDelay


@dataclass(frozen=True)
class Ping:
    n: int


@dataclass(frozen=True)
class Pong:
    n: int


class Pinger(Node):
    """Sends ``count`` pings to ``peer`` at start; counts pongs."""

    durable = ("durable_note",)

    def __init__(self, node_id: str, peer: str, count: int = 10) -> None:
        super().__init__(node_id)
        self.peer, self.count = peer, count

    def init_state(self) -> None:
        self.received: list[int] = []
        self.durable_note = 0
        self.volatile_note = 0

    def on_start(self) -> None:
        for n in range(self.count):
            self.send(self.peer, Ping(n))

    def on_restart(self) -> None:  # do not resend on restart
        pass

    def on_Ping(self, src: str, msg: Ping) -> None:
        self.received.append(msg.n)
        self.send(src, Pong(msg.n))

    def on_Pong(self, src: str, msg: Pong) -> None:
        self.received.append(msg.n)


def _pair(seed: int = 1, link: Link | None = None, count: int = 10
          ) -> tuple[Network, Pinger, Pinger]:
    net = Network(seed, link)
    a, b = Pinger("a", "b", count), Pinger("b", "a", 0)
    net.add(a, b)
    return net, a, b


def _trace_text(seed: int) -> str:
    net, _, _ = _pair(seed, Link(ExponentialDelay(1.0), loss=0.2, duplicate=0.2), 30)
    net.run_until_idle()
    return net.format_trace()


def test_same_seed_same_trace_and_different_seed_differs() -> None:
    assert _trace_text(5) == _trace_text(5)
    assert _trace_text(5) != _trace_text(6)


def test_trace_is_identical_in_another_process_with_another_hash_seed() -> None:
    code = ("import hashlib; from tests.test_sim import _trace_text; "
            "print(hashlib.sha256(_trace_text(11).encode()).hexdigest())")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=root, check=True).stdout.strip()
    import hashlib
    assert out == hashlib.sha256(_trace_text(11).encode()).hexdigest()


def test_loss_one_drops_everything_and_duplicate_one_doubles() -> None:
    net, _a, b = _pair(link=Link(loss=1.0))
    net.run_until_idle()
    assert b.received == [] and sum(e.kind == "drop" for e in net.trace) == 10
    net, _a, b = _pair(link=Link(duplicate=1.0), count=5)
    net.run_until_idle()
    assert sorted(b.received) == sorted(list(range(5)) * 2)
    assert sum(e.kind == "dup" for e in net.trace) == 5 + 10  # pings, then pongs


def test_partition_blocks_both_ways_block_is_one_way_and_heal_restores() -> None:
    net, a, b = _pair()
    net.partition(["a"], ["b"])
    net.run_until_idle()
    assert b.received == [] and a.received == []
    net, a, b = _pair()
    net.block("b", "a")  # pings arrive, pongs do not
    net.run_until_idle()
    assert sorted(b.received) == list(range(10)) and a.received == []
    net.heal()
    a.on_start()
    net.run_until_idle()
    assert sorted(a.received) == list(range(10))
    kinds = [e.kind for e in net.trace if e.kind in ("block", "heal")]
    assert kinds == ["block", "heal"]


def test_random_delays_reorder_but_fifo_links_do_not() -> None:
    net, _a, b = _pair(link=Link(UniformDelay(1.0, 10.0)), count=50)
    net.run_until_idle()
    assert b.received != sorted(b.received)
    net, _a, b = _pair(link=Link(UniformDelay(1.0, 10.0), fifo=True), count=50)
    net.run_until_idle()
    assert b.received == list(range(50))


def test_per_link_delay() -> None:
    net, _a, _b = _pair(count=1)
    net.set_link("a", "b", Link(FixedDelay(7.0)))
    net.set_link("b", "a", Link(FixedDelay(2.0)))
    net.run_until_idle()
    delivered = [e.time for e in net.trace if e.kind == "deliver"]
    assert delivered == [7.0, 9.0]


class Ticker(Node):
    def init_state(self) -> None:
        self.fired: list[float] = []

    def on_start(self) -> None:
        self.set_timer(3.0, self.tick)
        self.set_timer(1.0, Pong(1))
        self.set_timer(2.0, self.tick).cancel()

    def tick(self) -> None:
        self.fired.append(self.now)
        self.set_timer(3.0, self.tick)

    def on_Pong(self, src: str, msg: Pong) -> None:
        assert src == self.node_id
        self.fired.append(-self.now)


def test_timers_fire_in_virtual_time_cancel_and_die_with_a_crash() -> None:
    net = Network(0)
    t = Ticker("t")
    net.add(t)
    net.run(until=10.0)
    assert t.fired == [-1.0, 3.0, 6.0, 9.0] and net.now == 10.0
    net.crash("t")
    net.run(until=20.0)
    assert t.fired == [-1.0, 3.0, 6.0, 9.0]
    net.restart("t", keep_durable=False)  # fresh state, on_start runs again
    net.run(until=25.0)
    assert t.fired == [-21.0, 23.0]
    with pytest.raises(RuntimeError, match="max_events"):
        net.run_until_idle(max_events=50)


def test_crash_drops_messages_and_restart_keeps_only_durable_state() -> None:
    net, _a, b = _pair()
    b.durable_note, b.volatile_note = 7, 9
    net.crash("b")
    net.run_until_idle()
    assert b.received == []
    assert sum(e.detail == "destination down" for e in net.trace) == 10
    net.restart("b", keep_durable=True)
    assert (b.durable_note, b.volatile_note) == (7, 0)
    b.durable_note = 8
    net.crash("b")
    net.restart("b", keep_durable=False)
    assert b.durable_note == 0
    kinds = [e.kind for e in net.trace if e.kind in ("crash", "restart")]
    assert kinds == ["crash", "restart", "crash", "restart"]


def test_scheduled_actions_and_format_trace() -> None:
    net, _a, _b = _pair(count=1)
    net.at(0.5, lambda: net.partition(["a"], ["b"]))
    net.at(50.0, net.heal)
    net.run_until_idle()
    text = net.format_trace(kinds={"partition", "heal", "drop"})
    assert "partition" in text and "heal" in text and "blocked" in text
    assert net.now == 50.0


def test_bad_input_names_the_parameter() -> None:
    net, a, _b = _pair()
    with pytest.raises(ValueError, match="loss"):
        Link(loss=1.5)
    with pytest.raises(ValueError, match="duplicate"):
        Link(duplicate=-0.1)
    with pytest.raises(ValueError, match="high"):
        UniformDelay(3.0, 1.0)
    with pytest.raises(ValueError, match="mean"):
        ExponentialDelay(0.0)
    with pytest.raises(ValueError, match="delay"):
        a.set_timer(-1.0, a.on_start)
    with pytest.raises(ValueError, match="dst must be a node id"):
        a.send("nobody", Ping(0))
    with pytest.raises(ValueError, match="node_id"):
        net.crash("nobody")
    with pytest.raises(ValueError, match="group_b"):
        net.partition(["a"], ["zz"])
    with pytest.raises(ValueError, match="rng must be >= 0, got -1"):
        Network(-1)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        Network("seed")  # type: ignore[arg-type]
    gen = np.random.default_rng(5)  # a Generator supplies the seed, kept for replay
    assert Network(gen).seed == np.random.default_rng(5).integers(2**63)
    with pytest.raises(ValueError, match="already"):
        net.add(Pinger("a", "b"))
    with pytest.raises(ValueError, match="time"):
        net.run(until=5.0)
        net.at(1.0, net.heal)
    with pytest.raises(TypeError, match="no handler"):
        net.send("a", "b", "not a message")
        net.run_until_idle()


@settings(max_examples=30)
@given(seed=st.integers(0, 2**32), loss=st.floats(0, 1), dup=st.floats(0, 1))
def test_every_delivery_follows_its_send_and_time_never_goes_back(
        seed: int, loss: float, dup: float) -> None:
    net, _, _ = _pair(seed, Link(ExponentialDelay(1.0), loss, dup), 8)
    net.run_until_idle()
    times = [e.time for e in net.trace]
    assert times == sorted(times)
    sends = sum(e.kind == "send" for e in net.trace)
    delivered = sum(e.kind == "deliver" for e in net.trace)
    dups = sum(e.kind == "dup" for e in net.trace)
    lost = sum(e.kind == "drop" for e in net.trace)
    assert delivered + lost == sends + dups
