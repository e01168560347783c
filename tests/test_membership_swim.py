"""SWIM: the member alone on a tiny network, then detection time, false
positives and message load against the closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dsscale.membership.swim import Ack, Ping, PingReq, SwimMember, Update
from dsscale.membership.swim_analysis import (
    swim_detection_time,
    swim_false_positive_probability,
    swim_message_load,
    swim_probe_periods,
)
from dsscale.sim import FixedDelay, Link, Network, UniformDelay

PERIOD = 10.0

# ---- closed forms ----------------------------------------------------------------


def test_closed_forms_by_hand() -> None:
    assert swim_probe_periods(3) == pytest.approx(4 / 3)  # miss: (1/2)^2
    assert swim_probe_periods(10**7) == pytest.approx(math.e / (math.e - 1), rel=1e-6)
    # n = 3: p = 1/2, m = 2: wait = T (1 - 1/8) / (1/2 * 3 * 3/4) = 7T/9
    assert swim_detection_time(3, 9.0, 1.0) == pytest.approx(9 + 7 - 1)
    assert swim_detection_time(10**7, 1.0) == pytest.approx(2.0, rel=1e-6)
    assert swim_false_positive_probability(0.0, 3) == 0.0
    assert swim_false_positive_probability(0.5, 0) == 0.75
    assert swim_message_load(0.0, 5) == 2.0
    # all lost: only the ping, and k ping-reqs
    assert swim_message_load(1.0, 3) == pytest.approx(1 + 3)
    with pytest.raises(ValueError, match="num_members"):
        swim_detection_time(2, 1.0)
    with pytest.raises(ValueError, match="loss"):
        swim_message_load(1.5, 3)


def test_detection_formula_matches_a_monte_carlo_of_its_model() -> None:
    # survivors probe at uniform phases; each probe picks the crashed member
    # with probability 1/(n - 1); detection one period after the probe starts
    rng = np.random.default_rng(3)
    n, trials = 6, 200_000
    phases = rng.random((trials, n - 1))
    periods = rng.geometric(1 / (n - 1), (trials, n - 1)) - 1
    first = (phases + periods).min(axis=1) + 1.0
    want = swim_detection_time(n, 1.0, 0.0)
    assert abs(first.mean() - want) <= 4 * first.std() / math.sqrt(trials)


# ---- the member alone --------------------------------------------------------------


def _trio(**kwargs) -> tuple[Network, dict[str, SwimMember]]:
    net = Network(0, Link(FixedDelay(1.0)))
    ids = ["a", "b", "c"]
    members = {x: SwimMember(x, ids, period=PERIOD, ping_timeout=3.0,
                             indirect_probes=1, offset=o, **kwargs)
               for x, o in zip(ids, (0.0, 4.0, 7.0), strict=True)}
    net.add(*members.values())
    return net, members


def test_healthy_group_pings_and_acks_and_suspects_nobody() -> None:
    net, members = _trio()
    net.run(until=99.0)  # ten periods of each member
    kinds = {type(e.message) for e in net.trace if e.kind == "send"}
    assert kinds == {Ping, Ack}
    assert all(m.log == [] and m.failed_probes == 0 for m in members.values())
    assert sum(m.probes for m in members.values()) == 30


def test_indirect_probe_saves_a_member_behind_a_broken_link() -> None:
    net, members = _trio()
    net.block("a", "b")
    net.block("b", "a")
    net.run(until=200.0)
    reqs = [e for e in net.trace if e.kind == "send" and isinstance(e.message, PingReq)]
    assert reqs and all(e.src in "ab" and e.dst == "c" for e in reqs)
    assert all(m.log == [] for m in members.values())  # c relayed every ack


def test_crash_is_suspected_then_confirmed_and_disseminated() -> None:
    net, members = _trio(suspicion_timeout=25.0)
    net.at(50.5, lambda: net.crash("c"))
    net.run(until=200.0)
    for name in "ab":
        statuses = [s for _, who, s in members[name].log if who == "c"]
        assert statuses == ["suspect", "dead"]
        assert members[name].status_of("c") == "dead"
    first = min(t for m in "ab" for t, who, s in members[m].log if who == "c")
    assert 50.5 < first <= 50.5 + 2 * 2 * PERIOD  # round-robin bound, n = 3


def test_suspected_member_refutes_with_a_higher_incarnation() -> None:
    net, members = _trio(suspicion_timeout=100.0)
    net.partition(["c"], ["a", "b"])
    net.at(35.0, net.heal)
    net.run(until=200.0)
    c = members["c"]
    assert c.incarnation >= 1
    for name in "ab":
        statuses = [s for _, who, s in members[name].log if who == "c"]
        assert statuses[0] == "suspect" and statuses[-1] == "alive"
        assert members[name].view["c"] == ("alive", c.incarnation)


def test_override_rules() -> None:
    net, members = _trio(suspicion_timeout=None)
    net.run(until=0.0)
    a = members["a"]
    a._apply(Update("b", "suspect", 0))           # basic protocol never suspects
    assert a.view["b"] == ("suspect", 0)          # ... but accepts others' word
    a._apply(Update("b", "alive", 0))             # same incarnation: ignored
    assert a.view["b"] == ("suspect", 0)
    a._apply(Update("b", "alive", 1))
    assert a.view["b"] == ("alive", 1)
    a._apply(Update("b", "suspect", 0))           # stale suspicion
    assert a.view["b"] == ("alive", 1)
    a._apply(Update("b", "dead", 0))              # confirm overrides everything
    a._apply(Update("b", "alive", 9))
    assert a.view["b"] == ("dead", 0)
    a._apply(Update("a", "suspect", 4))           # about itself: refute
    assert a.incarnation == 5 and Update("a", "alive", 5) in a.buffer


def test_member_validation() -> None:
    with pytest.raises(ValueError, match="ping_timeout"):
        SwimMember("a", ["a", "b"], period=1.0, ping_timeout=2.0)
    with pytest.raises(ValueError, match="target_selection"):
        SwimMember("a", ["a", "b"], target_selection="best")  # type: ignore[arg-type]


# ---- simulation against the formulas ------------------------------------------------


def _group(n: int, seed: int, link: Link, **kwargs) -> tuple[Network, list[SwimMember]]:
    net = Network(seed, link, trace=False)
    ids = [f"m{i}" for i in range(n)]
    phases = np.random.default_rng(seed).uniform(0.0, PERIOD, n)
    members = [SwimMember(x, ids, period=PERIOD, offset=float(o), **kwargs)
               for x, o in zip(ids, phases, strict=True)]
    net.add(*members)
    return net, members


def _first_detection(n: int, seed: int, **kwargs) -> float:
    net, members = _group(n, seed, Link(FixedDelay(1.0)), **kwargs)
    crash = 50.0 + (seed * 0.618034 * PERIOD) % PERIOD
    net.at(crash, lambda: net.crash("m0"))
    net.run(until=crash + 100 * n * PERIOD,
            stop=lambda: any(m.log for m in members[1:]))
    return min(t for m in members[1:] for t, _, _ in m.log) - crash


@pytest.mark.parametrize("n, runs", [(4, 400), (12, 150)])
def test_simulated_first_detection_time_matches_the_formula(n: int, runs: int) -> None:
    times = np.array([_first_detection(n, seed) for seed in range(runs)])
    want = swim_detection_time(n, PERIOD, 1.0)
    se = times.std(ddof=1) / math.sqrt(runs)
    assert abs(times.mean() - want) <= 4 * se
    # the synchronous-rounds count e/(e-1) periods, read as a time, is too short
    assert abs(times.mean() - swim_probe_periods(n) * PERIOD) > 4 * se


def test_round_robin_bounds_the_detection_time() -> None:
    n = 5
    times = [_first_detection(n, seed, target_selection="round_robin")
             for seed in range(60)]
    assert max(times) <= 2 * (n - 1) * PERIOD - 1.0


@pytest.mark.parametrize("n", [8, 24])
def test_load_and_false_positives_do_not_depend_on_group_size(n: int) -> None:
    loss, k = 0.1, 3
    net, members = _group(n, n, Link(UniformDelay(0.5, 1.5), loss=loss),
                          indirect_probes=k)
    net.run(until=400 * PERIOD)
    probes = sum(m.probes for m in members)
    load = sum(m.messages_sent for m in members) / probes
    # one probe sends between 1 and 2 + 4k messages: Popoviciu's bound on the
    # variance gives a standard error of at most (1 + 4k) / (2 sqrt(probes))
    assert abs(load - swim_message_load(loss, k)) <= 4 * (1 + 4 * k) / (
        2 * math.sqrt(probes))
    failed = sum(m.failed_probes for m in members) / probes
    p = swim_false_positive_probability(loss, k)
    assert abs(failed - p) <= 4 * math.sqrt(p * (1 - p) / probes)
    # without indirect probes a lossy direct ping fails 25 times more often
    assert abs(failed - swim_false_positive_probability(loss, 0)) > 0.1


def test_suspicion_prevents_the_false_deaths_of_the_basic_protocol() -> None:
    link = Link(UniformDelay(0.5, 1.5), loss=0.1)
    dead = {}
    for label, timeout in (("basic", None), ("suspicion", 6 * PERIOD)):
        net, members = _group(16, 1, link, suspicion_timeout=timeout)
        net.run(until=300 * PERIOD)
        dead[label] = {who for m in members for _, who, s in m.log if s == "dead"}
    assert len(dead["basic"]) >= 8 and dead["suspicion"] == set()
