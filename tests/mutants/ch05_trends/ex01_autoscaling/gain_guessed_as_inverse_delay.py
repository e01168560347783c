"""Guesses the critical gain as 2 / (d + 1) instead of deriving it from the roots."""
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
# # Exercise 5.1 — An autoscaler's loop and its fleet
#
# An autoscaler that corrects a fraction $K$ (the *gain*) of the capacity
# error it measures, on a measurement $d$ control intervals old, moves the
# relative error $x_k$ of its fleet by
#
# $$x_{k+1} = x_k - K\,x_{k-d}.$$
#
# Iterate the loop, find the largest gain that keeps it stable (an analysis
# question: derive it from the roots of the characteristic polynomial, do not
# search for it numerically), and find the fewest M/M/c servers that keep the
# probability of waiting (Erlang C) under a target.
# (Book: Chapter 5, "Autoscaling as a feedback loop",
# `book/ch05_trends/autoscaling.md`.)
#
# Grade with `dsscale grade ch05`.

# %%


def delay_loop(gain, delay, num_steps, initial=1.0):
    """Iterate x_{k+1} = x_k - gain * x_{k-delay} after a disturbance at step 0.

    The error is `initial` at step 0. The measurements of the `delay` steps
    before step 0 saw a balanced fleet, so x_{-delay} = ... = x_{-1} = 0
    inside the correction term.

    Parameters
    ----------
    gain : float
        K >= 0.
    delay : int
        d >= 0, in control intervals.
    num_steps : int
        >= 0: how many steps to take.
    initial : float
        x_0.

    Returns
    -------
    list of float
        [x_0, x_1, ..., x_num_steps] (num_steps + 1 values). Example:
        delay_loop(1.0, 1, 5) == [1.0, 1.0, 0.0, -1.0, -1.0, 0.0].

    Raises
    ------
    ValueError
        naming "gain" if gain < 0, "delay" if delay < 0, and "num_steps" if
        num_steps < 0.
    """
    ### BEGIN SOLUTION
    if gain < 0:
        raise ValueError(f"gain must be >= 0, got {gain}")
    if delay < 0:
        raise ValueError(f"delay must be >= 0, got {delay}")
    if num_steps < 0:
        raise ValueError(f"num_steps must be >= 0, got {num_steps}")
    history = [0.0] * delay + [float(initial)]   # x_{-d}, ..., x_{-1}, x_0
    for _ in range(num_steps):
        history.append(history[-1] - gain * history[-1 - delay])
    return history[delay:]
    ### END SOLUTION


def largest_stable_gain(delay):
    """The largest gain K* for which x_{k+1} = x_k - K x_{k-delay} is stable.

    The loop is stable for every 0 < K < K* (all roots of its characteristic
    polynomial strictly inside the unit circle) and unstable just above K*.
    Derive K* as a closed form in `delay`; for delay 0 it is 2.

    Parameters
    ----------
    delay : int
        d >= 0.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        naming "delay" if delay < 0.
    """
    ### BEGIN SOLUTION
    if delay < 0:
        raise ValueError(f"delay must be >= 0, got {delay}")
    return 2.0 / (delay + 1)
    ### END SOLUTION


def fewest_servers(arrival_rate, service_rate, max_wait_probability):
    """Fewest servers c of an M/M/c queue with Erlang C(c, a) <= the target.

    With offered load a = arrival_rate / service_rate, Erlang's C formula
    gives the probability that an arrival waits; it is defined only for
    c > a and it decreases as c grows. Compute it yourself (for example with
    the Erlang B recursion B_k = a B_{k-1} / (k + a B_{k-1}), B_0 = 1, and
    C = B_c / (1 - (a / c)(1 - B_c))).

    Parameters
    ----------
    arrival_rate, service_rate : float
        > 0, requests per second.
    max_wait_probability : float
        In (0, 1).

    Returns
    -------
    int
        The smallest c > a with C(c, a) <= max_wait_probability. Example:
        fewest_servers(20.0, 1.0, 0.2) == 26.

    Raises
    ------
    ValueError
        naming "arrival_rate" or "service_rate" if it is <= 0, and
        "max_wait_probability" if it is not in (0, 1).
    """
    ### BEGIN SOLUTION
    if arrival_rate <= 0:
        raise ValueError(f"arrival_rate must be > 0, got {arrival_rate}")
    if service_rate <= 0:
        raise ValueError(f"service_rate must be > 0, got {service_rate}")
    if not 0 < max_wait_probability < 1:
        raise ValueError("max_wait_probability must be in (0, 1), got "
                         f"{max_wait_probability}")
    a = arrival_rate / service_rate
    b, c = 1.0, 0
    while True:
        c += 1
        b = a * b / (c + a * b)
        if c > a and b / (1.0 - (a / c) * (1.0 - b)) <= max_wait_probability:
            return c
    ### END SOLUTION


# %% [markdown]
# Try it: the loop with a delay of two intervals at gains below and above
# the critical one, and the servers for 20 busy servers' worth of load.

# %%
if __name__ == "__main__":
    k_star = largest_stable_gain(2)
    for factor in (0.8, 1.2):
        x = delay_loop(factor * k_star, 2, 60)
        print(f"K = {factor:.1f} K*: |x_60| = {abs(x[-1]):.3g}")
    print("servers for P(wait) <= 0.2 at a = 20:", fewest_servers(20.0, 1.0, 0.2))
