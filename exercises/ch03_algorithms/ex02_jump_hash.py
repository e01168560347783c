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
# # Exercise 3.2 — Jump consistent hash
#
# Jump hash (Lamping & Veach, 2014) maps a 64-bit key to one of $n$ buckets
# with no memory at all. Think of the key's bucket as $n$ grows from 1: at
# each step from $j$ to $j + 1$ buckets the key jumps to the new bucket $j$
# with probability $1 / (j + 1)$, which keeps every bucket's share at $1/n$
# and moves only the keys that must move. The algorithm does not walk every
# step: from the key's current bucket $b$ it draws the next bucket count at
# which the key jumps, directly, in $O(\ln n)$ expected rounds. Implement it
# from the description below; the checks compare your function with
# `dsscale.partitioning.jump_hash` on thousands of keys.
# (Book: Chapter 3, "Jump hash, rendezvous and Maglev",
# `book/ch03_algorithms/jump_rendezvous_maglev.md`.)
#
# Grade with `dsscale grade ch03`.

# %%
def jump_hash(key, num_buckets):
    r"""The bucket in 0..num_buckets-1 of a 64-bit key, by jump consistent hash.

    The algorithm keeps two integers: the key's current bucket b and the next
    bucket number j at which it would jump. Start with b = -1, j = 0. While
    j < num_buckets:

    1. the key jumps: set b = j;
    2. advance the key's pseudo-random stream with a 64-bit linear
       congruential step,

       .. math:: key \leftarrow (key \cdot 2862933555777941757 + 1) \bmod 2^{64}

       (Python ints do not overflow: reduce modulo 2**64 yourself, e.g. with
       `& (2**64 - 1)`);
    3. turn the top 31 bits of the new key into r = ((key >> 33) + 1) / 2^31,
       a number in (0, 1], and set the next jump to

       .. math:: j = \left\lfloor (b + 1) \cdot \frac{2^{31}}{(key \gg 33) + 1}
                     \right\rfloor = \lfloor (b + 1) / r \rfloor

       evaluating it as the paper does, in double precision (Python float):
       first the quotient 2^31 / ((key >> 33) + 1) as a float, then its
       product with b + 1, then truncation to an int.

    When the loop ends, return b. For example `jump_hash(k, 1) == 0` for every
    key, `jump_hash(0, n) == 0` for every n, and `jump_hash(42, 3) == 2`.

    Parameters
    ----------
    key : int
        In [0, 2**64) (hash other keys first, e.g. with `stable_hash`).
    num_buckets : int
        In 1..2**31 - 1.

    Returns
    -------
    int
        The bucket.

    Raises
    ------
    ValueError
        if `key` is outside [0, 2**64) (message contains "key"), or
        `num_buckets` is outside 1..2**31 - 1 (message contains "num_buckets").

    References
    ----------
    J. Lamping, E. Veach, "A Fast, Minimal Memory, Consistent Hash
    Algorithm", arXiv:1406.2294, 2014.
    """
    raise NotImplementedError("your code here")


# %% [markdown]
# Try it: hash 10,000 keys into 10 buckets, then 11. Which keys moved, and
# where did they go? Compare the moved fraction with $1/11$.

# %%
if __name__ == "__main__":
    from dsscale.partitioning import stable_hash

    hashes = [stable_hash(f"key-{i}") for i in range(10_000)]
    before = [jump_hash(h, 10) for h in hashes]
    after = [jump_hash(h, 11) for h in hashes]
    moved = [a for b, a in zip(before, after, strict=True) if a != b]
    print(f"moved {len(moved) / len(hashes):.4f} (1/11 = {1 / 11:.4f}), "
          f"destinations {set(moved)}")
