"""Treats the difference of two uniform delays as uniform on [-w, w] instead of triangular."""
# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercise 3.10 — Sizing a heartbeat timeout
#
# A process sends a heartbeat every `interval` η; each is lost independently
# with probability `loss` ℓ; a delivered one takes a delay uniform on
# [a, a + w], w = `jitter` <= η. The monitor suspects the process when it has
# heard nothing for longer than `timeout` T, and trusts it again when a
# heartbeat arrives. Derive and implement the probability that a delivered
# heartbeat is followed by a false suspicion, and the expected time from a
# crash to the suspicion; then answer the sizing question.
# (Book: Chapter 3, "SWIM and gossip", `book/ch03_algorithms/swim_and_gossip.md`.)
#
# Grade with `dsscale grade ch03`.

# %%
import math


def false_positive_probability(timeout, interval, loss, jitter=0.0):
    """P(the next heartbeat arrives more than `timeout` after this one).

    Between two delivered heartbeats, K are lost with P(K = k) = (1 - l) l^k,
    and the gap is (K + 1) * interval + D' - D for two independent delays
    uniform of width `jitter` (so D' - D is triangular on [-jitter, jitter]).
    Return P(gap > timeout) as a float. With no jitter this is
    loss ** floor(timeout / interval); e.g. (3.5, 1.0, 0.1) gives 0.001.

    Raises
    ------
    ValueError
        naming "timeout" if < 0, "interval" if <= 0, "loss" if not in
        [0, 1), "jitter" if not in [0, interval] (checked in that order).
    """
    ### BEGIN SOLUTION
    _check(timeout, interval, loss, jitter)

    def tail(z):  # P(D' - D > z)
        if jitter == 0:
            return 1.0 if z < 0 else 0.0
        if z <= -jitter:
            return 1.0
        if z >= jitter:
            return 0.0
        return (jitter - z) / (2 * jitter)

    sure = math.floor((timeout + jitter) / interval)  # (k+1) eta > T + w: certain
    total = loss**sure
    for k in range(sure):
        total += (1 - loss) * loss**k * tail(timeout - (k + 1) * interval)
    return min(1.0, total)
    ### END SOLUTION


def detection_time(timeout, interval, loss, delay):
    """Expected time from a crash until the monitor suspects, fixed `delay`.

    The crash happens U ~ uniform(0, interval) after the last heartbeat; the
    last *delivered* heartbeat was sent K intervals before that one (K as
    above) and took `delay`; the monitor suspects `timeout` after it arrives,
    or at once if that moment is already past. So the detection time is
    max(0, timeout + delay - U - K * interval); return its expectation.
    With no loss and timeout >= interval it is timeout + delay - interval / 2.

    Raises
    ------
    ValueError
        as `false_positive_probability` does, and naming "delay" if < 0.
    """
    ### BEGIN SOLUTION
    _check(timeout, interval, loss, 0.0)
    if delay < 0:
        raise ValueError(f"delay must be >= 0, got {delay}")

    def excess(x):  # E[max(0, x - U)], U uniform on [0, interval]
        if x <= 0:
            return 0.0
        if x < interval:
            return x * x / (2 * interval)
        return x - interval / 2

    total, k = 0.0, 0
    while timeout + delay - k * interval > 0:
        total += (1 - loss) * loss**k * excess(timeout + delay - k * interval)
        k += 1
    return total
    ### END SOLUTION


def _check(timeout, interval, loss, jitter):
    if timeout < 0:
        raise ValueError(f"timeout must be >= 0, got {timeout}")
    if interval <= 0:
        raise ValueError(f"interval must be > 0, got {interval}")
    if not 0 <= loss < 1:
        raise ValueError(f"loss must be in [0, 1), got {loss}")
    if not 0 <= jitter <= interval:
        raise ValueError(f"jitter must be in [0, interval], got {jitter}")


def timeout_for_one_in_a_thousand():
    """Analysis: the smallest timeout, in heartbeat intervals, whose
    false-positive probability is at most 1e-3 when 5 % of heartbeats are
    lost and delays jitter over half an interval (interval 1, loss 0.05,
    jitter 0.5). Return it as a float, to within 1e-3.
    """
    ### BEGIN SOLUTION
    lo, hi = 0.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if false_positive_probability(mid, 1.0, 0.05, 0.5) <= 1e-3:
            hi = mid
        else:
            lo = mid
    return hi
    ### END SOLUTION


# %% [markdown]
# Try it: the trade-off between detection time and false positives as the
# timeout grows.

# %%
if __name__ == "__main__":
    for t in (1.0, 1.5, 2.0, 2.5, 3.0, 3.5):
        print(f"T = {t}: P_fp = {false_positive_probability(t, 1.0, 0.05, 0.5):.2e}, "
              f"E[T_D] = {detection_time(t, 1.0, 0.05, 0.5):.3f}")
