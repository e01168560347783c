"""Heartbeat timeouts and phi accrual: closed forms, roles alone, and simulation
against the formulas with tolerances derived from the binomial or the sample
standard error."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from dsscale.membership.heartbeat import HeartbeatNode, TimeoutDetector
from dsscale.membership.phi_accrual import PhiAccrualDetector, phi, phi_timeout
from dsscale.membership.timeouts import (
    heartbeat_detection_time,
    heartbeat_false_positive_probability,
    heartbeat_gap_moments,
    timeout_for_false_positive,
)
from dsscale.sim import FixedDelay, Link, Network, UniformDelay

# ---- closed forms --------------------------------------------------------------


def test_false_positive_without_jitter_is_a_power_of_the_loss() -> None:
    for loss in (0.0, 0.05, 0.3):
        for timeout in (0.5, 1.0, 1.7, 2.0, 3.99, 6.2):
            want = loss ** math.floor(timeout)  # floor(T / eta) heartbeats lost
            got = heartbeat_false_positive_probability(timeout, 1.0, loss)
            assert got == pytest.approx(want, rel=1e-12, abs=0.0)


def _monte_carlo_gaps(interval, loss, min_delay, jitter, size, rng):
    """The gap model written out: K geometric losses and two uniform delays."""
    lost = rng.geometric(1 - loss, size) - 1
    d1 = min_delay + jitter * rng.random(size)
    d2 = min_delay + jitter * rng.random(size)
    return (lost + 1) * interval + d2 - d1


def test_false_positive_with_jitter_matches_a_monte_carlo_of_the_model() -> None:
    rng = np.random.default_rng(11)
    size = 400_000
    gaps = _monte_carlo_gaps(1.0, 0.2, 0.3, 0.8, size, rng)
    for timeout in (0.7, 1.1, 1.6, 2.3, 2.9):
        want = heartbeat_false_positive_probability(timeout, 1.0, 0.2, 0.8)
        got = float(np.mean(gaps > timeout))
        assert abs(got - want) <= 4 * math.sqrt(want * (1 - want) / size) + 1e-12
    mean, std = heartbeat_gap_moments(1.0, 0.2, 0.8)
    assert abs(gaps.mean() - mean) <= 4 * std / math.sqrt(size)
    assert gaps.std() == pytest.approx(std, rel=0.02)


def test_detection_time_matches_a_monte_carlo_of_the_crash_model() -> None:
    rng = np.random.default_rng(12)
    size = 400_000
    interval, loss, a, w = 1.0, 0.25, 0.4, 0.6
    for timeout in (0.3, 1.2, 2.5):
        lost = rng.geometric(1 - loss, size) - 1
        since_last = interval * rng.random(size)
        delay = a + w * rng.random(size)
        samples = np.maximum(0.0, timeout + delay - since_last - lost * interval)
        want = heartbeat_detection_time(timeout, interval, loss, a, w)
        assert abs(samples.mean() - want) <= 4 * samples.std() / math.sqrt(size)
    # no loss, T >= eta: the timeout plus the mean delay minus half an interval
    assert heartbeat_detection_time(2.0, 1.0, 0.0, 0.4, 0.6) == pytest.approx(2.2)


def test_timeout_for_false_positive_inverts_the_formula() -> None:
    # 0.05^2 = 2.5e-3 > 1e-3 >= 0.05^3: three intervals
    assert timeout_for_false_positive(1e-3, 1.0, 0.05) == 3.0
    assert timeout_for_false_positive(1e-3, 2.0, 0.05) == 6.0
    for loss, jitter in ((0.05, 0.5), (0.2, 1.0), (0.0, 0.3)):
        t = timeout_for_false_positive(1e-3, 1.0, loss, jitter)
        assert heartbeat_false_positive_probability(t, 1.0, loss, jitter) <= 1e-3
        assert heartbeat_false_positive_probability(t * (1 - 1e-6), 1.0, loss,
                                                    jitter) > 1e-3


def test_formulas_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="jitter"):
        heartbeat_false_positive_probability(1.0, 1.0, 0.1, 1.5)
    with pytest.raises(ValueError, match="loss"):
        heartbeat_detection_time(1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="interval"):
        heartbeat_gap_moments(0.0)
    with pytest.raises(ValueError, match="target"):
        timeout_for_false_positive(0.0, 1.0)
    with pytest.raises(TypeError, match="timeout"):
        heartbeat_false_positive_probability("1", 1.0)  # type: ignore[arg-type]


# ---- the roles alone ---------------------------------------------------------


def _pair(timeout: float, increment: float = 0.0, link: Link | None = None,
          seed: int = 0) -> tuple[Network, HeartbeatNode, HeartbeatNode]:
    net = Network(seed, link or Link(FixedDelay(0.5)))
    monitor = HeartbeatNode("q", (), detector=lambda: TimeoutDetector(timeout,
                                                                      increment))
    sender = HeartbeatNode("p", ["q"], interval=1.0)
    net.add(sender, monitor)
    return net, sender, monitor


def test_monitor_suspects_exactly_timeout_after_the_last_heartbeat() -> None:
    net, _, monitor = _pair(2.5)
    net.at(10.2, lambda: net.crash("p"))  # last heartbeat sent at 10.0
    net.run(until=30.0)
    assert monitor.log == [(13.0, "p", True)]  # arrives 10.5, silent until 13.0


def test_a_cut_link_gives_a_false_suspicion_that_a_heartbeat_retracts() -> None:
    net, _, monitor = _pair(2.5)
    net.at(5.7, lambda: net.block("p", "q"))  # heartbeats 6, 7, 8 are dropped
    net.at(8.7, net.heal)
    net.run(until=20.0)
    # last arrival 5.5 (sent at 5), suspicion at 8.0, heartbeat 9 arrives 9.5
    assert monitor.log == [(8.0, "p", True), (9.5, "p", False)]
    assert monitor.received == 20 - 3


def test_a_monitor_without_a_detector_refuses_heartbeats() -> None:
    net = Network(0, Link(FixedDelay(0.5)))
    net.add(HeartbeatNode("p", ["q"]), HeartbeatNode("q", ()))
    with pytest.raises(RuntimeError, match="detector"):
        net.run(until=2.0)


def test_growing_timeouts_stop_making_mistakes_once_delays_are_bounded() -> None:
    # delays up to 3 intervals: consecutive arrivals are at most 1 + 3 apart,
    # so a timeout raised by 0.5 per mistake from 0.6 errs at most 7 times
    link = Link(UniformDelay(0.0, 3.0))
    _, _, fixed = _run_pair(0.6, 0.0, link)
    _, _, growing = _run_pair(0.6, 0.5, link)
    bound = math.ceil((4.0 - 0.6) / 0.5)
    mistakes = len(growing.suspicions("p"))
    assert 0 < mistakes <= bound
    assert len(fixed.suspicions("p")) > 10 * bound  # a fixed timeout keeps erring


def _run_pair(timeout, increment, link):
    net, sender, monitor = _pair(timeout, increment, link, seed=3)
    net.run(until=2000.0)
    return net, sender, monitor


def test_detector_validation() -> None:
    with pytest.raises(ValueError, match="timeout"):
        TimeoutDetector(0.0)
    with pytest.raises(RuntimeError):
        TimeoutDetector(1.0).suspect_at()
    with pytest.raises(ValueError, match="offset"):
        HeartbeatNode("p", ["q"], interval=1.0, offset=2.0)


# ---- simulation against the formulas ----------------------------------------

INTERVAL, LOSS, MIN_DELAY, JITTER = 1.0, 0.1, 0.5, 0.5


def _star(seed: int, timeout: float, monitors: int = 10, offset: float = 0.0
          ) -> tuple[Network, list[HeartbeatNode]]:
    """One sender, `monitors` independent monitors behind lossy links."""
    net = Network(seed, Link(UniformDelay(MIN_DELAY, MIN_DELAY + JITTER), loss=LOSS),
                  trace=False)
    watchers = [HeartbeatNode(f"q{i}", (), detector=lambda: TimeoutDetector(timeout))
                for i in range(monitors)]
    net.add(HeartbeatNode("p", [w.node_id for w in watchers], INTERVAL, offset=offset),
            *watchers)
    return net, watchers


@pytest.mark.parametrize("timeout", [1.3, 2.2])
def test_simulated_false_positive_rate_matches_the_formula(timeout: float) -> None:
    net, watchers = _star(1, timeout)
    net.run(until=3000.0)
    received = sum(w.received for w in watchers)
    rate = sum(len(w.suspicions("p")) for w in watchers) / received
    want = heartbeat_false_positive_probability(timeout, INTERVAL, LOSS, JITTER)
    # consecutive gaps share a delay with opposite signs (negatively
    # associated indicators), so the binomial standard error is an upper bound
    se = math.sqrt(want * (1 - want) / received)
    assert abs(rate - want) <= 4 * se
    # an off-by-one in the number of lost heartbeats would be caught
    wrong = LOSS * want
    assert abs(rate - wrong) > 4 * se


def test_simulated_detection_time_matches_the_formula() -> None:
    timeout = 1.5
    per_seed = []
    for seed in range(150):
        net, watchers = _star(seed, timeout, offset=(seed * 0.618034) % 1.0)
        net.at(20.0, lambda net=net: net.crash("p"))
        net.run(until=40.0)
        per_seed.append(np.mean([max(0.0, w.suspicions("p")[-1] - 20.0)
                                 for w in watchers]))
    # monitors of one seed share the crash phase: the seed means are the
    # independent samples
    mean, se = np.mean(per_seed), np.std(per_seed, ddof=1) / math.sqrt(len(per_seed))
    want = heartbeat_detection_time(timeout, INTERVAL, LOSS, MIN_DELAY, JITTER)
    assert abs(mean - want) <= 4 * se
    naive = timeout + MIN_DELAY + JITTER / 2 - INTERVAL / 2  # ignores lost heartbeats
    assert abs(mean - naive) > 4 * se


# ---- phi accrual -----------------------------------------------------------------


def test_phi_is_minus_log10_of_the_normal_tail() -> None:
    elapsed = np.linspace(0.0, 3.0, 31)
    want = -np.log10(stats.norm.sf(elapsed, loc=1.0, scale=0.4))
    assert np.allclose(phi(elapsed, 1.0, 0.4), want, rtol=1e-10)
    assert float(phi(1.0 + 0.4 * 20, 1.0, 0.4)) == pytest.approx(
        -stats.norm.logsf(20.0) / math.log(10), rel=1e-10)  # deep in the tail
    for threshold in (0.5, 1.0, 3.0, 8.0, 16.0):
        t = phi_timeout(threshold, 2.0, 0.3)
        assert float(phi(t, 2.0, 0.3)) == pytest.approx(threshold, rel=1e-9)
    with pytest.raises(ValueError, match="std"):
        phi(1.0, 1.0, 0.0)


def test_phi_detector_estimates_from_its_window_only() -> None:
    det = PhiAccrualDetector(threshold=2.0, window=5, min_std=1e-3)
    arrivals = np.cumsum([0.0, 1.0, 1.5, 0.5, 2.0, 1.0, 3.0, 1.25, 0.75])
    for t in arrivals:
        det.heartbeat(float(t))
    window = np.diff(arrivals)[-5:]
    mean, std = det.estimate()
    assert mean == pytest.approx(window.mean()) and std == pytest.approx(window.std())
    assert det.suspect_at() == pytest.approx(
        arrivals[-1] + phi_timeout(2.0, window.mean(), window.std()))
    assert det.phi(det.suspect_at()) == pytest.approx(2.0)
    regular = PhiAccrualDetector(window=10, min_std=0.05)
    for t in range(20):
        regular.heartbeat(float(t))
    assert regular.estimate() == (1.0, 0.05)  # the floor, not a zero width


class _Recording(PhiAccrualDetector):
    """A phi detector that remembers each timeout it effectively applied."""

    def __init__(self, log: list[float], **kwargs) -> None:
        super().__init__(**kwargs)
        self.timeouts = log

    def suspect_at(self) -> float:
        at = super().suspect_at()
        assert self.last is not None
        self.timeouts.append(at - self.last)
        return at


def test_phi_on_the_simulator_acts_as_a_timeout_at_its_threshold() -> None:
    timeouts: list[float] = []
    net = Network(5, Link(UniformDelay(MIN_DELAY, MIN_DELAY + JITTER), loss=LOSS),
                  trace=False)
    watchers = [HeartbeatNode(f"q{i}", (), detector=lambda: _Recording(
        timeouts, threshold=1.5, window=500)) for i in range(10)]
    net.add(HeartbeatNode("p", [w.node_id for w in watchers], INTERVAL), *watchers)
    net.run(until=3000.0)
    steady = timeouts[len(timeouts) // 10:]  # after every window has filled
    received = sum(w.received for w in watchers)
    rate = sum(len(w.suspicions("p")) for w in watchers) / received
    # phi applies a timeout between these two; its false-positive rate is a
    # mixture of the formula's values over that range
    hi = heartbeat_false_positive_probability(min(steady), INTERVAL, LOSS, JITTER)
    lo = heartbeat_false_positive_probability(max(steady), INTERVAL, LOSS, JITTER)
    se = math.sqrt(hi * (1 - hi) / received)
    assert lo - 4 * se <= rate <= hi + 4 * se
    # and the timeout it settles on is the one the gap moments predict
    mean, std = heartbeat_gap_moments(INTERVAL, LOSS, JITTER)
    assert np.median(steady) == pytest.approx(phi_timeout(1.5, mean, std), rel=0.05)
