"""Checks for Chapter 2's partitioning exercises (trusted code: students do not
edit this).

Expected values are worked out by hand in the comments or computed with
`dsscale.partitioning`, an independent reference; never by calling the function
under test a second time.
"""

import math

import numpy as np

from dsscale.grading import assert_close, assert_equal, assert_raises, check, forbid
from dsscale.partitioning import RangePartitioner, stable_hash_many

YOURSELF = ("this exercise asks you to write it yourself; the library's "
            "version is what the checks compare yours with.")
forbid("ex01_keys_moved",
       "dsscale.partitioning.modulo", "dsscale.partitioning.metrics", reason=YOURSELF)
forbid("ex02_range_split", "dsscale.partitioning.range", reason=YOURSELF)


def _int_list(got, what):
    """`got` as a list of Python ints, or a failure that says what came back."""
    if got is None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    try:
        return [int(c) for c in got]
    except (TypeError, ValueError):
        raise AssertionError(
            f"{what} should return a list of ints, got {type(got).__name__}: {got!r}"
        ) from None


# ---- ex01_keys_moved ---------------------------------------------------------


@check("ex01_keys_moved", points=1, name="modulo_owner")
def _(ex):
    # 17 = 3*5 + 2;  2**64 - 1 = 18446744073709551615, and 18 ... 615 mod 10 = 5
    assert_equal(ex.modulo_owner(17, 5), 2, "modulo_owner(17, 5)")
    assert_equal(ex.modulo_owner(2**64 - 1, 10), 5, "modulo_owner(2**64 - 1, 10)")
    assert_equal(ex.modulo_owner(4, 1), 0, "modulo_owner(4, 1)")
    got = ex.modulo_owner(np.array([7, 8, 9], dtype=np.uint64), 3)
    if not isinstance(got, np.ndarray):
        raise AssertionError(  # noqa: TRY004 - a failed check is an AssertionError
            "modulo_owner(np.array([7, 8, 9]), 3) should return a numpy array, "
            f"got {type(got).__name__}: {got!r}")
    assert_equal(got.tolist(), [1, 2, 0], "modulo_owner(np.array([7, 8, 9]), 3)")
    assert_raises(ValueError, ex.modulo_owner, 5, 0, what="modulo_owner(5, 0)",
                  mentions="num_nodes")


@check("ex01_keys_moved", points=2, name="moved_fraction_modulo on exact cases")
def _(ex):
    # h mod a == h mod b  <=>  h mod lcm(a, b) < min(a, b), so over whole
    # periods of lcm(a, b) the staying fraction is min(a, b) / lcm(a, b):
    # 3 -> 4 over range(60): 3/12 stay, 0.75 move;
    # 3 -> 2 over range(60): 2/6 stay, 2/3 move;  5 -> 5: nothing moves.
    cases = [((range(60), 3, 4), 0.75), ((range(60), 3, 2), 2 / 3),
             ((list(range(30)), 5, 5), 0.0), (([7], 1, 2), 1.0)]
    for (hashes, old, new), want in cases:
        shown = f"moved_fraction_modulo({hashes!r}, {old}, {new})"
        assert_close(ex.moved_fraction_modulo(hashes, old, new), want, shown)
    # a numpy uint64 array of large hashes 2**63 + r, r = 0..11, 3 -> 4 nodes:
    # 2**63 = 2 (mod 3) and 0 (mod 4), so h mod 3 = (r + 2) mod 3 and
    # h mod 4 = r mod 4; they agree only for r = 4, 5, 6, so 9/12 move
    big = np.array([2**63 + r for r in range(12)], dtype=np.uint64)
    assert_close(ex.moved_fraction_modulo(big, 3, 4), 0.75,
                 "moved_fraction_modulo(2**63 + [0..11] as uint64, 3, 4)")
    assert_raises(ValueError, ex.moved_fraction_modulo, [], 3, 4,
                  what="moved_fraction_modulo([], 3, 4)", mentions="key_hashes")
    assert_raises(ValueError, ex.moved_fraction_modulo, [1, 2], 0, 4,
                  what="moved_fraction_modulo([1, 2], 0, 4)", mentions="old_nodes")


@check("ex01_keys_moved", points=1, name="expected_moved_fraction_modulo")
def _(ex):
    # n / (n + 1): 1 -> 0.5, 4 -> 0.8, 9 -> 0.9, 99 -> 0.99
    for n, want in ((1, 0.5), (4, 0.8), (9, 0.9), (99, 0.99)):
        assert_close(ex.expected_moved_fraction_modulo(n), want,
                     f"expected_moved_fraction_modulo({n})")
    assert_raises(ValueError, ex.expected_moved_fraction_modulo, 0,
                  what="expected_moved_fraction_modulo(0)", mentions="n")


@check("ex01_keys_moved", points=1, name="simulation agrees with n / (n + 1)")
def _(ex):
    # 20,000 stable hashes: the moved fraction is a binomial proportion around
    # n/(n+1) with standard error sqrt(p(1-p)/M) <= 0.0035; allow 4 of them.
    keys = [f"user-{i}" for i in range(20_000)]
    hashes = stable_hash_many(keys)
    for n in (4, 9):
        got = ex.moved_fraction_modulo(hashes, n, n + 1)
        want = n / (n + 1)
        if got is None:
            raise AssertionError("moved_fraction_modulo returned None")
        tol = 4 * math.sqrt(want * (1 - want) / len(keys))
        if not abs(float(got) - want) <= tol:
            raise AssertionError(
                f"moved_fraction_modulo(20,000 stable hashes, {n}, {n + 1}) should be "
                f"within {tol:.4f} of {n}/{n + 1} = {want:.4f}, got {got!r}")


# ---- ex02_range_split --------------------------------------------------------


@check("ex02_range_split", points=2, name="split_points at sample quantiles")
def _(ex):
    sample = [50, 10, 40, 20, 30, 60, 70, 80, 90, 100]
    # sorted 10..100, m = 10, k = 4: indices 10//4 = 2, 20//4 = 5, 30//4 = 7
    got, (after, _) = ex.split_points.and_args(sample, 4)
    assert_equal(got, [30, 60, 80], f"split_points({sample}, 4)")
    if after != sample:
        raise AssertionError("split_points must not modify (sort) the sample "
                             "it is given")
    # m = 3, k = 2: index 3//2 = 1 of [1, 2, 3]
    assert_equal(ex.split_points([3, 1, 2], 2), [2], "split_points([3, 1, 2], 2)")
    # m = 3, k = 3: indices 1, 2;  k = 1: no split points
    assert_equal(ex.split_points([3, 1, 2], 3), [2, 3], "split_points([3, 1, 2], 3)")
    assert_equal(ex.split_points([3, 1, 2], 1), [], "split_points([3, 1, 2], 1)")
    # strings sort alphabetically: apple banana fig kiwi, index 4//2 = 2
    words = ["kiwi", "apple", "fig", "banana"]
    assert_equal(ex.split_points(words, 2), ["fig"], f"split_points({words}, 2)")
    # duplicates are kept: [1, 1, 1, 1, 2, 2], k = 3: indices 2, 4
    assert_equal(ex.split_points([2, 1, 1, 2, 1, 1], 3), [1, 2],
                  "split_points([2, 1, 1, 2, 1, 1], 3)")
    assert_raises(ValueError, ex.split_points, [1, 2], 0,
                  what="split_points([1, 2], 0)", mentions="num_partitions")
    assert_raises(ValueError, ex.split_points, [], 2,
                  what="split_points([], 2)", mentions="sample")


@check("ex02_range_split", points=1, name="partition_of: equal keys go right")
def _(ex):
    bounds = [30, 60, 80]
    for key, want in ((5, 0), (29, 0), (30, 1), (59, 1), (60, 2), (80, 3), (1000, 3)):
        assert_equal(ex.partition_of(key, bounds), want,
                     f"partition_of({key}, {bounds})")
    assert_equal(ex.partition_of(7, []), 0, "partition_of(7, [])")
    # an empty range between equal split points: 5 is >= both 5s
    assert_equal(ex.partition_of(5, [5, 5, 9]), 2, "partition_of(5, [5, 5, 9])")
    assert_equal(ex.partition_of("m", ["fig", "pear"]), 1,
                  "partition_of('m', ['fig', 'pear'])")


@check("ex02_range_split", points=2, name="partition_sizes, with sample split points")
def _(ex):
    # keys 1..100 with [30, 60, 80]: 1..29 -> 29, 30..59 -> 30, 60..79 -> 20,
    # 80..100 -> 21
    keys = list(range(1, 101))
    what = "partition_sizes(1..100, [30, 60, 80])"
    got = _int_list(ex.partition_sizes(keys, [30, 60, 80]), what)
    assert_equal(got, [29, 30, 20, 21], what)
    what = "partition_sizes([5], [1, 2])"
    assert_equal(_int_list(ex.partition_sizes([5], [1, 2]), what), [0, 0, 1], what)
    # skewed keys i*i, boundaries from a 1-in-7 sample into 8 ranges; the
    # reference counts come from the package's RangePartitioner
    skewed = [i * i for i in range(10_000)]
    ref = RangePartitioner.from_sample(skewed[::7], 8)
    want = np.bincount(ref.node_for_many(np.array(skewed)), minlength=8).tolist()
    what = "partition_sizes(i*i for i < 10,000, split_points(every 7th, 8))"
    got = _int_list(ex.partition_sizes(skewed, ex.split_points(skewed[::7], 8)), what)
    assert_equal(got, want, what)
