"""Takes the rate of the wait as c mu, forgetting that arrivals keep coming."""
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
# # Exercise 6.1 — Servers for a p99 target
#
# Requests arrive as a Poisson process and are served, first come first
# served, by `servers` identical servers sharing one queue; service times are
# exponential (the M/M/c queue). Compute the probability that a request spends
# longer than a given time in the system, use it to size a cluster for a
# percentile target, and answer an analysis question on how far sizing for
# the mean misses.
# (Book: Chapter 6, "Sizing", `book/ch06_faq/sizing.md`.)
#
# Grade with `dsscale grade ch06`.

# %%
import math  # solution-only


def response_tail(servers, arrival_rate, service_rate, latency):
    """Probability that a request spends longer than `latency` in an M/M/c system.

    The time in the system is the wait for a server plus the request's own
    exponential service.

    Parameters
    ----------
    servers : int
        c >= 1.
    arrival_rate : float
        lambda >= 0, requests per second; must be < servers * service_rate.
    service_rate : float
        mu > 0, requests per second per server.
    latency : float
        t >= 0, seconds.

    Returns
    -------
    float
        P(T > t). Examples: for one server it is exp(-(mu - lambda) t), so
        response_tail(1, 0.5, 1.0, 2.0) == exp(-1); with no load it is the
        service tail, response_tail(3, 0.0, 2.0, 1.0) == exp(-2).

    Raises
    ------
    ValueError
        naming "servers", "arrival_rate", "service_rate" or "latency" when
        out of range; "arrival_rate" also when the queue is unstable
        (arrival_rate >= servers * service_rate).
    """
    ### BEGIN SOLUTION
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers must be an integer >= 1, got {servers!r}")
    if not service_rate > 0:
        raise ValueError(f"service_rate must be > 0, got {service_rate}")
    if not 0 <= arrival_rate < servers * service_rate:
        raise ValueError("arrival_rate must be in [0, servers * service_rate), "
                         f"got {arrival_rate}")
    if not latency >= 0:
        raise ValueError(f"latency must be >= 0, got {latency}")
    c, lam, mu, t = servers, arrival_rate, service_rate, latency
    a = lam / mu
    b = 1.0                                  # Erlang B by recursion
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    wait = b / (1 - (a / c) * (1 - b))       # Erlang C
    theta = c * mu                           # rate of the wait, given waiting
    if math.isclose(theta, mu, rel_tol=1e-12):
        both = (1 + mu * t) * math.exp(-mu * t)
    else:
        both = (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / (theta - mu)
    return (1 - wait) * math.exp(-mu * t) + wait * both
    ### END SOLUTION


def servers_for_percentile(arrival_rate, service_time, latency_target,
                           percentile=0.99):
    """Fewest servers whose `percentile` response time is within `latency_target`.

    Parameters
    ----------
    arrival_rate : float
        > 0, requests per second.
    service_time : float
        > 0, the mean service time in seconds (service_rate = 1 / service_time).
    latency_target : float
        > 0, seconds.
    percentile : float
        q in (0, 1).

    Returns
    -------
    int
        The smallest c with response_tail(c, ...) <= 1 - q. Example: 5,000
        requests per second of 8 ms with a 50 ms p99 need 42 servers.

    Raises
    ------
    ValueError
        naming "latency_target" when no number of servers can meet it (even
        with no queueing, the service time alone exceeds the target too
        often); naming the other parameters when out of range.
    """
    ### BEGIN SOLUTION
    if not arrival_rate > 0:
        raise ValueError(f"arrival_rate must be > 0, got {arrival_rate}")
    if not service_time > 0:
        raise ValueError(f"service_time must be > 0, got {service_time}")
    if not latency_target > 0:
        raise ValueError(f"latency_target must be > 0, got {latency_target}")
    if not 0 < percentile < 1:
        raise ValueError(f"percentile must be in (0, 1), got {percentile}")
    mu = 1 / service_time
    if math.exp(-mu * latency_target) >= 1 - percentile:
        raise ValueError("latency_target is shorter than the service time's own "
                         "percentile: no number of servers meets it")
    c = math.floor(arrival_rate / mu) + 1
    while response_tail(c, arrival_rate, mu, latency_target) > 1 - percentile:
        c += 1
    return c
    ### END SOLUTION


def analysis_mean_sizing():
    """Analysis question: sizing for the mean.

    A service receives 1,200 requests per second of 20 ms each (exponential),
    and its p99 must stay within 120 ms. A colleague sizes it so that the
    *mean* response time is within 120 ms instead: the fewest servers whose
    mean response time W = C/(c mu - lambda) + 1/mu is at most 0.120 s.

    Return a tuple (servers_for_p99, servers_for_mean, late_fraction): the
    servers the p99 target needs, the servers the colleague chooses, and the
    fraction of requests slower than 120 ms with the colleague's cluster.
    """
    ### BEGIN SOLUTION
    lam, s, target = 1200.0, 0.020, 0.120
    mu = 1 / s
    p99 = servers_for_percentile(lam, s, target)
    c = math.floor(lam / mu) + 1
    while True:
        a = lam / mu
        b = 1.0
        for k in range(1, c + 1):
            b = a * b / (k + a * b)
        wait = b / (1 - (a / c) * (1 - b))
        if wait / (c * mu - lam) + 1 / mu <= target:
            break
        c += 1
    return p99, c, response_tail(c, lam, mu, target)
    ### END SOLUTION


# %% [markdown]
# Try it: the p99 of a growing cluster.

# %%
if __name__ == "__main__":
    for c in range(41, 46):
        print(c, response_tail(c, 5000.0, 125.0, 0.050))
    print(servers_for_percentile(5000.0, 0.008, 0.050))
    print(analysis_mean_sizing())
