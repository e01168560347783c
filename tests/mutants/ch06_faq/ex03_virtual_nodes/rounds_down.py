"""Rounds the number of virtual nodes down instead of up."""
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
# # Exercise 6.3 — Virtual nodes for an imbalance target
#
# On a consistent-hash ring, a node with v virtual nodes among n nodes owns a
# share of the ring whose coefficient of variation is sqrt((n-1)/(nv+1)).
# In the normal approximation the share is (1 + cv * Z) / n with Z standard
# normal; with the n shares treated as independent, every node stays within
# a factor 1 + eps of its fair share 1/n with probability Phi(eps / cv)^n.
# Size the virtual nodes for a target, and answer an analysis question about
# the common default of 160.
# (Book: Chapter 6, "Sizing", `book/ch06_faq/sizing.md`; the share law is
# derived in Chapter 3, "Consistent hashing".)
#
# Grade with `dsscale grade ch06`.

# %%
import math  # solution-only
from statistics import NormalDist  # solution-only


def share_cv(num_nodes, vnodes):
    """Coefficient of variation of one node's share of the ring.

    Returns
    -------
    float
        sqrt((n - 1) / (n v + 1)). Example: share_cv(2, 1) == 1 / sqrt(3).

    Raises
    ------
    ValueError
        naming "num_nodes" or "vnodes" when below 1.
    """
    ### BEGIN SOLUTION
    if num_nodes < 1:
        raise ValueError(f"num_nodes must be >= 1, got {num_nodes}")
    if vnodes < 1:
        raise ValueError(f"vnodes must be >= 1, got {vnodes}")
    return math.sqrt((num_nodes - 1) / (num_nodes * vnodes + 1))
    ### END SOLUTION


def vnodes_for_imbalance(num_nodes, imbalance, confidence=0.99):
    """Fewest virtual nodes per node for every share to stay within 1 + eps of fair.

    Use the normal approximation of the introduction: choose z with
    Phi(z)^n = confidence, and return the smallest integer v >= 1 with
    share_cv(n, v) <= imbalance / z.

    Parameters
    ----------
    num_nodes : int
        n >= 2.
    imbalance : float
        eps > 0.
    confidence : float
        in (0, 1).

    Returns
    -------
    int
        Example: vnodes_for_imbalance(40, 0.1) == 1181 (z = 3.48).

    Raises
    ------
    ValueError
        naming "num_nodes", "imbalance" or "confidence" when out of range.
    """
    ### BEGIN SOLUTION
    if num_nodes < 2:
        raise ValueError(f"num_nodes must be >= 2, got {num_nodes}")
    if not imbalance > 0:
        raise ValueError(f"imbalance must be > 0, got {imbalance}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    n = num_nodes
    z = NormalDist().inv_cdf(confidence ** (1 / n))
    # sqrt((n-1)/(nv+1)) <= eps/z  <=>  v >= ((n-1) z^2/eps^2 - 1)/n
    v = max(1, math.floor(((n - 1) * z * z / imbalance**2 - 1) / n))
    return v
    ### END SOLUTION


def analysis_default_vnodes():
    """Analysis question: is 160 enough?

    Forty nodes keep the common default of 160 virtual nodes each. In the
    normal approximation of the introduction, what is the probability that
    every node's share is within 10 % of fair? Return it as a float.
    """
    ### BEGIN SOLUTION
    cv = share_cv(40, 160)
    return NormalDist().cdf(0.1 / cv) ** 40
    ### END SOLUTION


# %% [markdown]
# Try it: how the answer grows as the target tightens.

# %%
if __name__ == "__main__":
    for eps in (0.2, 0.1, 0.05):
        print(eps, vnodes_for_imbalance(40, eps))
    print(analysis_default_vnodes())
