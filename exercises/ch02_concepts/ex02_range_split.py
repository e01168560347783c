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
# # Exercise 2.2 — Range partitioning with split points from a sample
#
# Range partitioning keeps neighbouring keys together: sorted split points
# $b_0 \le b_1 \le \dots \le b_{k-2}$ cut the key space into $k$ ranges, and
# partition $i$ holds the keys in $[b_{i-1}, b_i)$ (with $b_{-1} = -\infty$
# and $b_{k-1} = +\infty$). Equal-width ranges overload some partitions when
# keys are skewed; split points taken at the quantiles of a sample of the keys
# give every partition about the same number of keys. Implement the split
# points, the lookup and the per-partition counts.
# (Book: Chapter 2, "Partitioning", `book/ch02_concepts/partitioning.md`.)
#
# Grade with `dsscale grade ch02`.

# %%
from bisect import bisect_right


def split_points(sample, num_partitions):
    """The k - 1 split points at the quantiles of a sample of keys.

    Sort the sample, s_0 <= s_1 <= ... <= s_{m-1} (m = len(sample)), and
    return the list `[s[(i * m) // k] for i in 1, 2, ..., k - 1]`, where
    k = `num_partitions` and `//` is integer (floor) division. For example
    the sample 10, 20, ..., 100 (m = 10) split into k = 4 gives the indices
    2, 5, 7 and the split points `[30, 60, 80]`.

    Parameters
    ----------
    sample : sequence of mutually comparable keys (numbers or strings)
        Not modified. May be empty only when `num_partitions` == 1.
    num_partitions : int
        k >= 1. With k == 1 the answer is `[]` (one range holds everything).

    Returns
    -------
    list
        k - 1 keys in non-decreasing order.

    Raises
    ------
    ValueError
        if `num_partitions` < 1 (message contains "num_partitions"), or if
        `sample` is empty while k > 1 (message contains "sample").
    """
    raise NotImplementedError("your code here")


def partition_of(key, boundaries):
    """Index of the range that holds `key`.

    The answer is the number of split points that are <= key: a key equal to
    a split point b_i is the *first* key of partition i + 1, not the last of
    partition i. With `boundaries = [30, 60, 80]`: 29 -> 0, 30 -> 1, 59 -> 1,
    60 -> 2, 80 -> 3, 1000 -> 3. Use binary search, not a scan. Empty
    `boundaries` put every key in partition 0.

    Parameters
    ----------
    key : a key comparable with the boundaries
    boundaries : list, sorted in non-decreasing order

    Returns
    -------
    int
        in 0..len(boundaries).
    """
    raise NotImplementedError("your code here")


def partition_sizes(keys, boundaries):
    """How many of `keys` fall in each range (by the rule of `partition_of`).

    Returns
    -------
    list of int
        `len(boundaries) + 1` counts, entry i for partition i; they sum to
        len(keys). Empty ranges count 0: `partition_sizes([5], [1, 2])` is
        `[0, 0, 1]`.
    """
    raise NotImplementedError("your code here")


# %% [markdown]
# Try it: 10,000 keys that grow like $i^2$ (a skewed distribution), split into
# 8 ranges of equal width, then at the quantiles of a 1-in-7 sample.

# %%
if __name__ == "__main__":
    keys = [i * i for i in range(10_000)]
    width = keys[-1] / 8
    equal_width = [round(width * i) for i in range(1, 8)]
    print("equal width:", partition_sizes(keys, equal_width))
    print("quantiles:  ", partition_sizes(keys, split_points(keys[::7], 8)))
