"""Minimises J on a 10-second grid instead of solving h(T) = c / p."""
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
# # Exercise 5.2 — Keep-alive and provisioned concurrency
#
# A serverless platform keeps an idle function instance warm for a
# keep-alive time $T$ after its last request. For one instance and requests
# much shorter than the gaps $X$ between them, a request is cold when
# $X > T$, and the instance idles for $\min(X, T)$. With an idle cost $c$
# per warm second and a penalty $p$ per cold start, a request costs on
# average
#
# $$J(T) = c\,E[\min(X, T)] + p\,P(X > T).$$
#
# Compute the cold fraction for Poisson arrivals, $J(T)$ for gaps drawn from
# a mixture of exponentials, the keep-alive that minimises it (an analysis
# question: derive where the optimum lies), and the provisioned concurrency
# a pool needs.
# (Book: Chapter 5, "Serverless and cold starts", `book/ch05_trends/serverless.md`.)
#
# Grade with `dsscale grade ch05`.

# %%
import math  # solution-only


def _check_mixture(weights, rates):
    if len(weights) == 0 or len(weights) != len(rates):
        raise ValueError("weights and rates must be non-empty and of equal length")
    if any(w < 0 for w in weights) or abs(sum(weights) - 1.0) > 1e-9:
        raise ValueError(f"weights must be >= 0 and sum to 1, got {weights}")
    if any(r <= 0 for r in rates):
        raise ValueError(f"rates must all be > 0, got {rates}")


def cold_fraction(arrival_rate, keep_alive):
    """Fraction of requests that find the single instance cold (Poisson arrivals).

    Parameters
    ----------
    arrival_rate : float
        lambda >= 0, requests per second.
    keep_alive : float
        T >= 0, seconds.

    Returns
    -------
    float
        Example: cold_fraction(0.1, 10.0) is about 0.368.

    Raises
    ------
    ValueError
        naming "arrival_rate" or "keep_alive" if it is negative.
    """
    ### BEGIN SOLUTION
    if arrival_rate < 0:
        raise ValueError(f"arrival_rate must be >= 0, got {arrival_rate}")
    if keep_alive < 0:
        raise ValueError(f"keep_alive must be >= 0, got {keep_alive}")
    return math.exp(-arrival_rate * keep_alive)
    ### END SOLUTION


def expected_cost(weights, rates, keep_alive, idle_cost, cold_penalty):
    """J(T) per request; a gap is exponential with rate rates[i] w.p. weights[i].

    Parameters
    ----------
    weights : sequence of float
        Mixture weights, >= 0, summing to 1.
    rates : sequence of float
        Phase rates, > 0, same length as weights. One phase is Poisson.
    keep_alive : float
        T >= 0.
    idle_cost, cold_penalty : float
        c >= 0 per warm idle second, p >= 0 per cold start.

    Returns
    -------
    float
        c E[min(X, T)] + p P(X > T). Example: for one phase of rate 0.1,
        T = 10, c = 1 and p = 100: (1 - e^-1) / 0.1 + 100 e^-1 = 43.11.

    Raises
    ------
    ValueError
        naming "weights" or "rates" if the mixture is invalid (unequal
        lengths, empty, weights not summing to 1 or negative, a rate <= 0),
        and "keep_alive" if T < 0.
    """
    ### BEGIN SOLUTION
    _check_mixture(weights, rates)
    if keep_alive < 0:
        raise ValueError(f"keep_alive must be >= 0, got {keep_alive}")
    phases = list(zip(weights, rates, strict=True))
    idle = sum(w * (1 - math.exp(-r * keep_alive)) / r for w, r in phases)
    cold = sum(w * math.exp(-r * keep_alive) for w, r in phases)
    return idle_cost * idle + cold_penalty * cold
    ### END SOLUTION


def best_keep_alive(weights, rates, idle_cost, cold_penalty, max_keep_alive):
    """The T in [0, max_keep_alive] that minimises `expected_cost`.

    The answer must be accurate to 1e-6 seconds. Work out where the minimum
    of J can lie before you compute it: at 0, at max_keep_alive, or inside.
    For a single phase (Poisson arrivals) the answer is always 0 or
    max_keep_alive; if J is the same at both (c = p * rate), return 0.

    Parameters
    ----------
    weights, rates : sequences of float
        As in `expected_cost`.
    idle_cost : float
        c > 0.
    cold_penalty : float
        p > 0.
    max_keep_alive : float
        >= 0.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        as `expected_cost` for the mixture, and naming "idle_cost" or
        "cold_penalty" if it is <= 0.
    """
    ### BEGIN SOLUTION
    _check_mixture(weights, rates)
    if idle_cost <= 0:
        raise ValueError(f"idle_cost must be > 0, got {idle_cost}")
    if cold_penalty <= 0:
        raise ValueError(f"cold_penalty must be > 0, got {cold_penalty}")
    slowest = min(rates)

    def hazard(t):   # the rate of a request after t idle seconds; it decreases
        terms = [(w * math.exp(-(r - slowest) * t), r)
                 for w, r in zip(weights, rates, strict=True)]
        return sum(s * r for s, r in terms) / sum(s for s, _ in terms)

    # J'(T) = P(X > T) (c - p h(T)): J falls while h(T) > c / p
    ratio = idle_cost / cold_penalty
    if hazard(0.0) <= ratio:
        return 0.0
    if hazard(max_keep_alive) >= ratio:
        return float(max_keep_alive)
    grid = [10.0 * i for i in range(int(max_keep_alive // 10) + 1)]
    return min(grid, key=lambda t: expected_cost(weights, rates, t, idle_cost,
                                                 cold_penalty))
    ### END SOLUTION


def provisioned_instances(arrival_rate, service_rate, max_overflow):
    """Fewest always-warm instances k so that at most `max_overflow` overflow.

    k instances are always warm and used first; a request that finds all k
    busy goes to an on-demand instance. Requests arrive as a Poisson process
    and each needs an instance to itself for a time of mean 1 / service_rate
    (any distribution). Derive the overflow probability for k instances and
    return the smallest k that meets the target (k may be 0).

    Parameters
    ----------
    arrival_rate : float
        >= 0.
    service_rate : float
        > 0.
    max_overflow : float
        In (0, 1].

    Returns
    -------
    int
        Example: provisioned_instances(1.0, 1.0, 0.2) == 2.

    Raises
    ------
    ValueError
        naming "arrival_rate", "service_rate" or "max_overflow" if it is out
        of range.
    """
    ### BEGIN SOLUTION
    if arrival_rate < 0:
        raise ValueError(f"arrival_rate must be >= 0, got {arrival_rate}")
    if service_rate <= 0:
        raise ValueError(f"service_rate must be > 0, got {service_rate}")
    if not 0 < max_overflow <= 1:
        raise ValueError(f"max_overflow must be in (0, 1], got {max_overflow}")
    a = arrival_rate / service_rate
    blocked, k = 1.0, 0          # Erlang B(0, a) = 1
    while blocked > max_overflow:
        k += 1
        blocked = a * blocked / (k + a * blocked)
    return k
    ### END SOLUTION


# %% [markdown]
# Try it: a bursty function with a mean gap of a minute.

# %%
if __name__ == "__main__":
    w, r = (0.9, 0.1), (0.2, 1 / 555)
    t_star = best_keep_alive(w, r, 1.0, 100.0, 1800.0)
    best = expected_cost(w, r, t_star, 1.0, 100.0)
    print(f"T* = {t_star:.1f} s, J(T*) = {best:.1f}, "
          f"J(600) = {expected_cost(w, r, 600.0, 1.0, 100.0):.1f}")
    print("provisioned for 1 % overflow at a = 4:",
          provisioned_instances(4.0, 1.0, 0.01))
