"""Returns the probability that the election is NOT contested."""
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
# # Exercise 4.8 — Choosing election timeouts for a target split-vote rate
#
# Raft randomises election timeouts so that, after a leader fails, one
# follower usually times out well before the others and wins the election
# before they wake up. When two time out too close together, both become
# candidates in the same term and the vote may split: the election is lost
# and repeated, costing another timeout.
#
# The model. The leader's last heartbeat resets every follower's timer at
# the same instant; follower $i$ then times out after $E + U_i$, with the
# $U_i$ independent and uniform on $[0, W]$ ($W$ is the *spread*). The first
# follower to time out sends `RequestVote`, which reaches the others after
# a one-way delay $\delta$. A follower whose timer fires before that request
# arrives becomes a candidate too: the election is *contested*. With three
# servers (two followers once the leader is gone), a contested election is a
# split vote: each candidate votes for itself and neither reaches two votes.
#
# 1. Derive the probability that an election among `num_followers` $= n$
#    followers is contested, as a function of $n$, $W$ and $\delta$, and
#    implement it. (Hint: for $n = 2$, draw the square $[0, W]^2$ and shade
#    where $|U_1 - U_2| < \delta$; then think of the gap between the
#    smallest and the second smallest of $n$ uniform points.)
# 2. Invert it: the spread $W$ that gives a target probability.
# 3. `spread_for_one_percent()`: a three-server cluster has one-way delays
#    of 1.5 time units. Which spread $W$ makes split votes happen after 1 %
#    of leader failures? (A number; compute it however you like.)
#
# The grader checks your formulas on cases, then runs the package's Raft
# servers (`dsscale.replication.raft.elections.measure_split_votes`: three
# servers, fixed delays, the leader crashed hundreds of times) with the
# spread your function chooses for a target, and compares the measured
# split-vote rate with the target.
# (Book: Chapter 4, "Raft and its campaign"; Ongaro and Ousterhout, USENIX
# ATC 2014, section 9.3.)
#
# Grade with `dsscale grade ch04`.

# %%


def split_vote_probability(num_followers, timeout_spread, delay):
    """Probability that another follower times out within `delay` of the first.

    Parameters
    ----------
    num_followers : int
        n >= 1 followers whose timers started together. With one follower
        the election cannot be contested (probability 0).
    timeout_spread : float
        W > 0: each timeout is E + Uniform(0, W).
    delay : float
        delta >= 0, the one-way delay of `RequestVote`. If delta >= W the
        election is certainly contested (probability 1, for n >= 2).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        naming "num_followers", "timeout_spread" or "delay" when it is out
        of range.

    Examples
    --------
    >>> split_vote_probability(1, 10.0, 1.0)
    0.0
    """
    ### BEGIN SOLUTION
    if num_followers < 1:
        raise ValueError(f"num_followers must be >= 1, got {num_followers}")
    if not timeout_spread > 0:
        raise ValueError(f"timeout_spread must be > 0, got {timeout_spread}")
    if not delay >= 0:
        raise ValueError(f"delay must be >= 0, got {delay}")
    if num_followers == 1:
        return 0.0
    if delay >= timeout_spread:
        return 1.0
    return (1.0 - delay / timeout_spread) ** num_followers
    ### END SOLUTION


def timeout_spread_for(target, num_followers, delay):
    """The spread W for which `split_vote_probability` equals `target`.

    Parameters
    ----------
    target : float
        The probability wanted, 0 < target < 1.
    num_followers : int
        n >= 2.
    delay : float
        delta > 0.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        naming "target", "num_followers" or "delay" when it is out of range.
    """
    ### BEGIN SOLUTION
    if not 0 < target < 1:
        raise ValueError(f"target must be in (0, 1), got {target}")
    if num_followers < 2:
        raise ValueError(f"num_followers must be >= 2, got {num_followers}")
    if not delay > 0:
        raise ValueError(f"delay must be > 0, got {delay}")
    return delay / (1.0 - (1.0 - target) ** (1.0 / num_followers))
    ### END SOLUTION


def spread_for_one_percent():
    """Question 3: the spread W (a float, in time units) for which a
    three-server cluster with one-way delays of 1.5 splits its vote after
    1 % of leader failures. Return the number."""
    ### BEGIN SOLUTION
    return timeout_spread_for(0.01, 2, 1.5)
    ### END SOLUTION


# %% [markdown]
# Try it: measure the split-vote rate of real Raft servers with your spread.

# %%
if __name__ == "__main__":
    from dsscale.replication.raft.elections import measure_split_votes

    spread = timeout_spread_for(0.2, 2, 1.0)
    measured = measure_split_votes(3, (20.0, 20.0 + spread), 1.0, trials=300, rng=1)
    print(f"spread {spread:.2f}: measured {measured:.3f}, target 0.2")
