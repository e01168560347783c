"""Gossip: the exact round distribution, a vectorised simulation and the
message-level protocol on the simulator must all agree."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dsscale.membership.gossip import GossipNode, PullReply, PushPull
from dsscale.membership.spread import (
    MODES,
    expected_gossip_rounds,
    gossip_round_distribution,
    gossip_rounds_leading_term,
    gossip_transition_matrix,
    simulate_gossip_rounds,
)
from dsscale.sim import FixedDelay, Link, Network, UniformDelay


def _moments(pmf: np.ndarray) -> tuple[float, float]:
    t = np.arange(len(pmf))
    mean = float(t @ pmf)
    return mean, math.sqrt(float(t**2 @ pmf) - mean**2)


# ---- the exact chain -------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_transition_matrix_is_stochastic_and_only_moves_up(mode) -> None:
    matrix = gossip_transition_matrix(12, mode, loss=0.2)
    assert np.allclose(matrix.sum(axis=1), 1.0)
    assert np.allclose(np.tril(matrix, -1), 0.0)


def test_small_cases_by_hand() -> None:
    # n = 3, one informed: push always informs a second node; two informed
    # pushers both miss the third with probability 1/2 * 1/2
    assert expected_gossip_rounds(3, "push") == pytest.approx(1 + 4 / 3)
    # pull from one informed: each of the 2 others asks it with prob 1/2
    matrix = gossip_transition_matrix(3, "pull")
    assert matrix[1, 1:].tolist() == pytest.approx([0.25, 0.5, 0.25])
    # push-pull with 2 informed: the third calls one of the two, both informed,
    # so one round always suffices
    assert gossip_transition_matrix(3, "push-pull")[2, 3] == pytest.approx(1.0)
    # loss: a push arrives with probability 1 - loss
    assert gossip_transition_matrix(2, "push", loss=0.25)[1, 2] == pytest.approx(0.75)
    assert gossip_transition_matrix(2, "pull", loss=0.5)[1, 2] == pytest.approx(0.25)


def test_push_pull_is_fastest_and_loss_slows_everything() -> None:
    e = {mode: expected_gossip_rounds(64, mode) for mode in MODES}
    assert e["push-pull"] < e["pull"] < e["push"]
    for mode in MODES:
        assert expected_gossip_rounds(64, mode, loss=0.2) > e[mode]


@pytest.mark.parametrize("mode", MODES)
def test_vectorised_simulation_matches_the_exact_chain(mode) -> None:
    trials = 3000
    mean, sd = _moments(gossip_round_distribution(50, mode, loss=0.1))
    sim = simulate_gossip_rounds(50, mode, trials, rng=7, loss=0.1)
    assert abs(sim.mean() - mean) <= 4 * sd / math.sqrt(trials)
    assert sim.std() == pytest.approx(sd, rel=0.1)


def test_growth_follows_the_leading_terms() -> None:
    # the O(1) term settles: quadrupling n adds what the leading term adds
    for mode in MODES:
        grown = expected_gossip_rounds(512, mode) - expected_gossip_rounds(128, mode)
        lead = np.diff(gossip_rounds_leading_term(np.array([128, 512]), mode))[0]
        assert grown == pytest.approx(lead, abs=0.15), mode
    # ... and the modes really differ in their leading terms
    assert float(gossip_rounds_leading_term(10**6, "push")) > 33
    assert float(gossip_rounds_leading_term(10**6, "push-pull")) < 17


def test_spread_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="mode"):
        expected_gossip_rounds(10, "broadcast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="num_nodes"):
        gossip_transition_matrix(1)
    with pytest.raises(ValueError, match="loss"):
        simulate_gossip_rounds(10, loss=1.0)
    with pytest.raises(ValueError, match="num_nodes"):
        gossip_rounds_leading_term(2)


# ---- the protocol on the simulator -------------------------------------------------


def _group(n: int, mode, seed: int, loss: float = 0.0) -> tuple[Network, list]:
    net = Network(seed, Link(UniformDelay(0.05, 0.2), loss=loss), trace=False)
    ids = [f"n{i}" for i in range(n)]
    nodes = [GossipNode(x, ids, frozenset(), frozenset.union, mode) for x in ids]
    nodes[0].initial = frozenset({"rumor"})
    net.add(*nodes)
    return net, nodes


def _rounds(n: int, mode, seed: int, loss: float = 0.0) -> int:
    net, nodes = _group(n, mode, seed, loss)
    net.run(until=500.0, stop=lambda: all(node.state for node in nodes))
    # round r starts at time r and its messages land before r + 0.4
    return max(math.floor(node.last_change) for node in nodes)


def test_push_pull_reply_carries_the_state_of_the_round_start() -> None:
    net = Network(0, Link(FixedDelay(0.1)))
    a = GossipNode("a", ["b"], frozenset({"x"}), frozenset.union, "push-pull")
    b = GossipNode("b", ["a"], frozenset({"y"}), frozenset.union, "push-pull")
    net.add(a, b)
    net.run(until=1.5)
    # both call each other at t = 1; each reply carries the replier's state at
    # t = 1, not what it had just merged
    replies = [e.message for e in net.trace
               if e.kind == "deliver" and isinstance(e.message, PullReply)]
    assert sorted(tuple(r.state) for r in replies) == [("x",), ("y",)]
    pushes = [e for e in net.trace
              if e.kind == "send" and isinstance(e.message, PushPull)]
    assert len(pushes) == 2 and a.state == b.state == frozenset({"x", "y"})
    assert a.messages_sent == b.messages_sent == 2


def test_gossip_node_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="mode"):
        GossipNode("a", ["b"], 0, max, "flood")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="interval"):
        GossipNode("a", ["b"], 0, max, interval=0.0)


@pytest.mark.parametrize("mode", MODES)
def test_simulated_protocol_spreads_in_the_rounds_the_chain_predicts(mode) -> None:
    runs = 120
    rounds = [_rounds(48, mode, seed) for seed in range(runs)]
    mean, sd = _moments(gossip_round_distribution(48, mode))
    assert abs(np.mean(rounds) - mean) <= 4 * sd / math.sqrt(runs)
    # a protocol one round slower on average would be caught
    assert abs(np.mean(rounds) - (mean + 1)) > 4 * sd / math.sqrt(runs)


def test_simulated_protocol_under_loss_matches_the_chain_with_loss() -> None:
    runs = 120
    rounds = [_rounds(32, "push-pull", seed, loss=0.2) for seed in range(runs)]
    mean, sd = _moments(gossip_round_distribution(32, "push-pull", loss=0.2))
    assert abs(np.mean(rounds) - mean) <= 4 * sd / math.sqrt(runs)
