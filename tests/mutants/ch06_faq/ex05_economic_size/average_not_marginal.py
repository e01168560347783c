"""Adds nodes while the average throughput per node is worth its price, not the marginal one."""
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
# # Exercise 6.5 — When to stop adding nodes
#
# Under the Universal Scalability Law n nodes deliver
# X(n) = lam * n / (1 + sigma (n - 1) + kappa n (n - 1)). Throughput peaks at
# N* = sqrt((1 - sigma) / kappa), but every node costs money. Find the size
# that maximises value * X(n) - cost * n, and compare it with the peak.
# (Book: Chapter 6, "Sizing", `book/ch06_faq/sizing.md`; the USL is
# Chapter 1's.)
#
# Grade with `dsscale grade ch06`.

# %%
import math  # solution-only


def usl_throughput(n, node_throughput, sigma, kappa):
    """X(n) for n >= 1 nodes (n may be a float).

    Raises
    ------
    ValueError
        naming "n" (< 1), "node_throughput" (<= 0), "sigma" (outside [0, 1])
        or "kappa" (< 0).
    """
    ### BEGIN SOLUTION
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not node_throughput > 0:
        raise ValueError(f"node_throughput must be > 0, got {node_throughput}")
    if not 0 <= sigma <= 1:
        raise ValueError(f"sigma must be in [0, 1], got {sigma}")
    if kappa < 0:
        raise ValueError(f"kappa must be >= 0, got {kappa}")
    return node_throughput * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))
    ### END SOLUTION


def economic_size(node_throughput, sigma, kappa, node_cost, throughput_value):
    """The number of nodes n >= 1 that maximises value * X(n) - cost * n.

    Parameters
    ----------
    node_throughput, sigma, kappa
        The USL parameters (kappa > 0, so that the throughput has a peak).
    node_cost : float
        > 0, the price of one node per period.
    throughput_value : float
        > 0, the value of one unit of throughput per period.

    Returns
    -------
    int
        The best size; ties go to the smaller size. Example:
        economic_size(1000, 0.05, 0.001, 1.0, 0.01) == 20, while the
        throughput peaks at N* = 30.8.

    Raises
    ------
    ValueError
        naming "kappa" if it is not > 0, "node_cost" or "throughput_value"
        if not > 0 (and as usl_throughput does).
    """
    ### BEGIN SOLUTION
    if not kappa > 0:
        raise ValueError(f"kappa must be > 0, got {kappa}")
    if not node_cost > 0:
        raise ValueError(f"node_cost must be > 0, got {node_cost}")
    if not throughput_value > 0:
        raise ValueError(f"throughput_value must be > 0, got {throughput_value}")
    usl_throughput(1, node_throughput, sigma, kappa)        # validates the rest
    peak = math.sqrt((1 - sigma) / kappa)
    best, best_profit = 1, -math.inf
    for n in range(1, math.ceil(peak) + 2):
        profit = n if (throughput_value * usl_throughput(
            n, node_throughput, sigma, kappa) / n >= node_cost) else -n
        if profit > best_profit:
            best, best_profit = n, profit
    return best
    ### END SOLUTION


def analysis_stop_early():
    """Analysis question: the cost of stopping at the peak.

    A service's nodes each deliver 500 requests per second alone, with
    sigma = 0.03 and kappa = 0.0005. A node costs 2 per hour and a request
    per second of capacity is worth 0.01 per hour. Return a tuple
    (economic_nodes, peak_nodes, throughput_share): the economic size, the
    integer size with the highest throughput, and the economic size's
    throughput as a fraction of that highest throughput.
    """
    ### BEGIN SOLUTION
    n = economic_size(500.0, 0.03, 0.0005, 2.0, 0.01)
    peak = math.sqrt((1 - 0.03) / 0.0005)
    at_peak = max((math.floor(peak), math.ceil(peak)),
                  key=lambda m: usl_throughput(m, 500.0, 0.03, 0.0005))
    share = usl_throughput(n, 500.0, 0.03, 0.0005) / usl_throughput(
        at_peak, 500.0, 0.03, 0.0005)
    return n, at_peak, share
    ### END SOLUTION


# %% [markdown]
# Try it: the economic size as throughput becomes more valuable.

# %%
if __name__ == "__main__":
    for value in (0.005, 0.01, 0.05, 0.5):
        print(value, economic_size(1000.0, 0.05, 0.001, 1.0, value))
    print(analysis_stop_early())
