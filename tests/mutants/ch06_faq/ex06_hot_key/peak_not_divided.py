"""Divides the background by r as well: ((1 - p) + P p) / r."""
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
# # Exercise 6.6 — Spreading a hot key
#
# A key that receives a fraction p of all requests lives on one of P
# partitions. Split into r pieces on r distinct partitions (each request
# picks a piece at random), with all other requests spread evenly, it leaves
# the partitions that hold a piece with a load, relative to the mean, that
# you derive. Find the fewest pieces for a target peak, and answer an
# analysis question about a Zipf workload.
# (Book: Chapter 6, "Hashing schemes and hot keys",
# `book/ch06_faq/hashing_and_hot_keys.md`.)
#
# Grade with `dsscale grade ch06`.

# %%
def salted_peak(key_share, num_partitions, spread):
    """Load of a partition holding one of the hot key's pieces, over the mean.

    Parameters
    ----------
    key_share : float
        p in [0, 1], the hot key's share of all requests.
    num_partitions : int
        P >= 1.
    spread : int
        r in 1..P, the number of pieces.

    Returns
    -------
    float
        Example: a key with 5 % of the requests on 64 partitions, unspread,
        gives salted_peak(0.05, 64, 1) == 4.15; spread over all 64, 1.0.

    Raises
    ------
    ValueError
        naming "key_share", "num_partitions" or "spread" when out of range.
    """
    ### BEGIN SOLUTION
    if not 0 <= key_share <= 1:
        raise ValueError(f"key_share must be in [0, 1], got {key_share}")
    if num_partitions < 1:
        raise ValueError(f"num_partitions must be >= 1, got {num_partitions}")
    if not 1 <= spread <= num_partitions:
        raise ValueError(f"spread must be in 1..{num_partitions}, got {spread}")
    return max(1.0, ((1 - key_share) + num_partitions * key_share) / spread)
    ### END SOLUTION


def spread_for_peak(key_share, num_partitions, max_peak):
    """Fewest pieces r in 1..P with salted_peak(p, P, r) <= max_peak.

    Returns
    -------
    int
        Example: spread_for_peak(0.05, 64, 1.5) == 6.

    Raises
    ------
    ValueError
        naming "max_peak" when it is below 1 (no spread reaches it), and as
        salted_peak does for the other parameters.
    """
    ### BEGIN SOLUTION
    salted_peak(key_share, num_partitions, 1)       # validates
    if max_peak < 1:
        raise ValueError(f"max_peak must be >= 1, got {max_peak}")
    for r in range(1, num_partitions + 1):
        if salted_peak(key_share, num_partitions, r) <= max_peak + 1e-12:
            return r
    return num_partitions
    ### END SOLUTION


def analysis_zipf_hot_key():
    """Analysis question: the hottest key of a Zipf workload.

    A store of 1,000,000 keys with Zipf popularity of exponent 1.0 (p_i
    proportional to 1/i) runs on 32 partitions, which must stay within 1.5
    times their mean load. Return a tuple (pieces, peak): the pieces the
    hottest key needs, and the peak it leaves, salted_peak with that many.
    """
    ### BEGIN SOLUTION
    harmonic = sum(1 / i for i in range(1, 1_000_001))
    p1 = 1 / harmonic
    r = spread_for_peak(p1, 32, 1.5)
    return r, salted_peak(p1, 32, r)
    ### END SOLUTION


# %% [markdown]
# Try it: the peak as the key is spread further.

# %%
if __name__ == "__main__":
    for r in (1, 2, 4, 8, 16):
        print(r, salted_peak(0.05, 64, r))
    print(analysis_zipf_hot_key())
