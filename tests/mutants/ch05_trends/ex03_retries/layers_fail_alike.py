"""Treats every layer as failing with the bottom's f: A(f)^L instead of updating f."""
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
# # Exercise 5.3 — Retries, collapse and backoff
#
# A client retries a failed call up to $r$ times. When every attempt fails
# independently with probability $f$, how many attempts does a request make
# on average, and how does that compound when several layers of services
# each retry? When a queue has collapsed (every attempt times out), below
# what arrival rate does it recover? And what waits does capped exponential
# backoff with full jitter produce?
# (Book: Chapter 5, "Overload and metastable failure",
# `book/ch05_trends/overload.md`.)
#
# Grade with `dsscale grade ch05`.

# %%


def amplification(failure_probability, max_retries, layers=1):
    """Expected attempts reaching the bottom service per request at the top.

    Each of `layers` services calls the one below it and retries a failed
    call up to `max_retries` times; a call fails only if all its attempts
    fail. Attempts at the bottom fail independently with probability f.
    With one layer this is the expected number of attempts of one client.

    Parameters
    ----------
    failure_probability : float
        f in [0, 1].
    max_retries : int
        r >= 0.
    layers : int
        >= 1.

    Returns
    -------
    float
        Examples: amplification(0.5, 3) == 1.875;
        amplification(1.0, 3, layers=2) == 16.0.

    Raises
    ------
    ValueError
        naming "failure_probability", "max_retries" or "layers" if it is out
        of range.
    """
    ### BEGIN SOLUTION
    if not 0 <= failure_probability <= 1:
        raise ValueError(f"failure_probability must be in [0, 1], got "
                         f"{failure_probability}")
    if max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, got {max_retries}")
    if layers < 1:
        raise ValueError(f"layers must be >= 1, got {layers}")
    f, total = failure_probability, 1.0
    for _ in range(layers):
        total *= sum(f**j for j in range(max_retries + 1))
    return total
    ### END SOLUTION


def recovery_load(capacity, max_retries, retry_budget=None):
    """Arrival rate below which a collapsed queue with retrying clients recovers.

    In the collapsed state every attempt times out, the server still serves
    every attempt it receives, and the clients retry each request up to
    `max_retries` times. A `retry_budget` b (if given) lets clients send at
    most b retries per first attempt. Derive the threshold on the arrival
    rate of requests (not attempts) below which the backlog shrinks.

    Parameters
    ----------
    capacity : float
        > 0, attempts per second the servers can complete (c * mu).
    max_retries : int
        >= 0.
    retry_budget : float or None
        >= 0.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        naming "capacity", "max_retries" or "retry_budget" if it is out of
        range.
    """
    ### BEGIN SOLUTION
    if capacity <= 0:
        raise ValueError(f"capacity must be > 0, got {capacity}")
    if max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, got {max_retries}")
    factor = max_retries + 1.0
    if retry_budget is not None:
        if retry_budget < 0:
            raise ValueError(f"retry_budget must be >= 0, got {retry_budget}")
        factor = min(factor, 1.0 + retry_budget)
    return capacity / factor
    ### END SOLUTION


def backoff_schedule(num_retries, base, cap, uniforms=None):
    """Waits before retries 1..num_retries: capped exponential backoff.

    Retry j (1-based) waits min(cap, base * 2 ** (j - 1)). With `uniforms`
    (a sequence of num_retries numbers in [0, 1), the random draws), use
    full jitter: retry j waits uniforms[j - 1] times that ceiling.

    Parameters
    ----------
    num_retries : int
        >= 0.
    base : float
        >= 0, seconds.
    cap : float
        >= base, seconds.
    uniforms : sequence of float or None

    Returns
    -------
    list of float
        Example: backoff_schedule(4, 1.0, 5.0) == [1.0, 2.0, 4.0, 5.0].

    Raises
    ------
    ValueError
        naming "num_retries", "base" or "cap" if it is out of range, and
        "uniforms" if it has the wrong length or a value outside [0, 1).
    """
    ### BEGIN SOLUTION
    if num_retries < 0:
        raise ValueError(f"num_retries must be >= 0, got {num_retries}")
    if base < 0:
        raise ValueError(f"base must be >= 0, got {base}")
    if cap < base:
        raise ValueError(f"cap must be >= base ({base}), got {cap}")
    ceilings = [min(cap, base * 2.0**j) for j in range(num_retries)]
    if uniforms is None:
        return ceilings
    if len(uniforms) != num_retries or any(not 0 <= u < 1 for u in uniforms):
        raise ValueError(f"uniforms must be {num_retries} numbers in [0, 1), got "
                         f"{uniforms}")
    return [u * ceiling for u, ceiling in zip(uniforms, ceilings, strict=True)]
    ### END SOLUTION


# %% [markdown]
# Try it: three layers that retry three times, and a service of capacity 100.

# %%
if __name__ == "__main__":
    print("attempts at the bottom, all failing:", amplification(1.0, 3, layers=3))
    print("recovers below", recovery_load(100.0, 3), "requests/s;",
          "with a 10 % budget:", recovery_load(100.0, 3, retry_budget=0.1))
    print(backoff_schedule(5, 0.1, 1.0, uniforms=[0.5] * 5))
