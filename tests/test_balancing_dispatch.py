"""Dispatching Poisson requests to FIFO servers: random, d choices, shortest queue."""

from __future__ import annotations

import numpy as np
import pytest

from dsscale.balancing import simulate_dispatch
from dsscale.queueing import mm1_response_time, mmc_response_time


def _agrees(sim, expected: float) -> bool:
    mean, se = sim.batch_means()
    return abs(mean - expected) < 4 * se


def test_random_dispatch_is_independent_mm1_queues() -> None:
    sim = simulate_dispatch("random", 0.6, num_servers=8, num_requests=150_000, rng=3)
    assert _agrees(sim, mm1_response_time(0.6, 1.0))


@pytest.mark.parametrize("policy", ["random", "choices", "shortest"])
def test_one_server_is_one_mm1_queue_whatever_the_policy(policy: str) -> None:
    sim = simulate_dispatch(policy, 0.5, num_servers=1, choices=1,
                            num_requests=80_000, rng=4)
    assert _agrees(sim, mm1_response_time(0.5, 1.0))


def test_two_choices_approach_the_supermarket_limit_and_beat_random() -> None:
    rho = 0.8
    limit = sum(rho ** (2.0**i - 2) for i in range(1, 40))  # Mitzenmacher 2001
    big = simulate_dispatch("choices", rho, num_servers=200, num_requests=200_000,
                            rng=5)
    assert _agrees(big, limit)
    small = simulate_dispatch("choices", rho, num_servers=8, num_requests=100_000,
                              rng=6).batch_means()
    assert small[0] > limit + 4 * small[1]  # few servers: fewer good pairs
    assert small[0] < mm1_response_time(rho, 1.0)


def test_fresh_shortest_queue_is_close_to_pooling() -> None:
    sim = simulate_dispatch("shortest", 0.8, num_servers=8, num_requests=100_000, rng=7)
    mean, se = sim.batch_means()
    pooled = mmc_response_time(8, 8 * 0.8, 1.0)
    # JSQ can only do worse than one shared queue, and not by much at this size
    assert pooled - 4 * se < mean < 1.2 * pooled


def test_stale_information_makes_shortest_queue_herd_first() -> None:
    def mean(policy: str, age: float | None) -> tuple[float, float]:
        return simulate_dispatch(policy, 0.9, num_servers=16, update_interval=age,
                                 num_requests=60_000, rng=8).batch_means()

    random_m, random_se = mean("random", None)
    jsq_m, jsq_se = mean("shortest", 10.0)
    two_m, two_se = mean("choices", 10.0)
    old_two_m, old_two_se = mean("choices", 50.0)
    assert jsq_m - random_m > 4 * np.hypot(jsq_se, random_se)
    assert random_m - two_m > 4 * np.hypot(two_se, random_se)
    assert old_two_m - random_m > 4 * np.hypot(old_two_se, random_se)


def test_the_board_is_posted_at_multiples_of_the_period() -> None:
    # with a period longer than the run, every decision sees the empty board
    # posted at time 0: all servers tie, ties go to a random one, and "shortest"
    # degenerates into random dispatch, whose waits are far longer
    sim = simulate_dispatch("shortest", 0.5, num_servers=4, update_interval=1e9,
                            num_requests=2_000, warmup=0, rng=9)
    fresh = simulate_dispatch("shortest", 0.5, num_servers=4, num_requests=2_000,
                              warmup=0, rng=9)
    assert sim.wait_times.mean() > 5 * fresh.wait_times.mean()


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="policy must be one of"):
        simulate_dispatch("least", 0.5)
    with pytest.raises(ValueError, match="utilisation must be in"):
        simulate_dispatch("random", 1.0)
    with pytest.raises(ValueError, match="choices must be in"):
        simulate_dispatch("choices", 0.5, num_servers=2, choices=3)
    with pytest.raises(ValueError, match="update_interval must be > 0"):
        simulate_dispatch("shortest", 0.5, update_interval=0.0)
