"""Checks for Chapter 3's quorum and anti-entropy exercises (trusted code:
students do not edit this).

Expected values are worked out by hand in the comments, computed with
`dsscale.quorum` (an independent reference), or with a reference loop or
hashlib written here; never by calling the function under test a second time.
"""

import hashlib
import math
import random

import numpy as np

from dsscale.grading import (
    assert_close,
    assert_equal,
    assert_raises,
    check,
    forbid,
    same,
)
from dsscale.quorum import (
    pbs_k_staleness_probability,
    pbs_stale_probability,
    quorum_availability,
)

YOURSELF = ("this exercise asks you to write it yourself; the library's "
            "version is what the checks compare yours with.")
forbid("ex06_quorum_availability", "dsscale.quorum", reason=YOURSELF)
forbid("ex07_pbs", "dsscale.quorum", reason=YOURSELF)
forbid("ex08_merkle_diff", "dsscale.replication.merkle", reason=YOURSELF)

# ---- ex06_quorum_availability ---------------------------------------------------


@check("ex06_quorum_availability", points=2,
       name="availability: hand values and a grid")
def _(ex):
    # n = 3, k = 2, p = 0.1: 3 * 0.9^2 * 0.1 + 0.9^3 = 0.243 + 0.729
    assert_close(ex.availability(3, 2, 0.1), 0.972, "availability(3, 2, 0.1)")
    # n = 5, k = 3: 10 * 0.9^3 * 0.01 + 5 * 0.9^4 * 0.1 + 0.9^5
    assert_close(ex.availability(5, 3, 0.1), 0.0729 + 0.32805 + 0.59049,
                 "availability(5, 3, 0.1)")
    assert_close(ex.availability(1, 1, 0.25), 0.75, "availability(1, 1, 0.25)")
    assert_close(ex.availability(4, 1, 0.5), 1 - 0.5**4, "availability(4, 1, 0.5)")
    assert_close(ex.availability(4, 4, 0.5), 0.5**4, "availability(4, 4, 0.5)")
    assert_close(ex.availability(3, 3, 0.0), 1.0, "availability(3, 3, 0.0)")
    assert_close(ex.availability(3, 1, 1.0), 0.0, "availability(3, 1, 1.0)")
    for n in (1, 2, 5, 8, 13):
        for k in range(1, n + 1):
            for p in (0.01, 0.2, 0.5, 0.7):
                assert_close(ex.availability(n, k, p), quorum_availability(n, k, p),
                             f"availability({n}, {k}, {p})", rtol=1e-9, atol=1e-12)
    assert_raises(ValueError, ex.availability, 0, 1, 0.1,
                  what="availability(0, 1, 0.1)", mentions="n")
    assert_raises(ValueError, ex.availability, 3, 4, 0.1,
                  what="availability(3, 4, 0.1)", mentions="k")
    assert_raises(ValueError, ex.availability, 3, 0, 0.1,
                  what="availability(3, 0, 0.1)", mentions="k")
    assert_raises(ValueError, ex.availability, 3, 2, 1.5,
                  what="availability(3, 2, 1.5)", mentions="p_fail")


@check("ex06_quorum_availability", points=2, name="smallest_cluster for a target")
def _(ex):
    # p = 0.1: majorities of 3, 5, 7, 9 give 0.972, 0.99144, 0.997272, 0.999109
    assert_equal(ex.smallest_cluster(0.999, 0.1), 9, "smallest_cluster(0.999, 0.1)")
    assert_equal(ex.smallest_cluster(0.99, 0.1), 5, "smallest_cluster(0.99, 0.1)")
    assert_equal(ex.smallest_cluster(0.9, 0.1), 1, "smallest_cluster(0.9, 0.1)")
    # p >= 1/2: bigger majorities are LESS available, so nothing beats n = 1
    assert_equal(ex.smallest_cluster(0.5, 0.6), None, "smallest_cluster(0.5, 0.6)")
    assert_equal(ex.smallest_cluster(0.3, 0.6), 1, "smallest_cluster(0.3, 0.6)")
    assert_equal(ex.smallest_cluster(0.99999, 0.2, max_n=11), None,
            "smallest_cluster(0.99999, 0.2, max_n=11)")
    for target in (0.99, 0.999, 0.9999, 0.99999):
        for p in (0.01, 0.05, 0.2, 0.3):
            want = next((n for n in range(1, 102, 2)
                         if quorum_availability(n, n // 2 + 1, p) >= target), None)
            assert_equal(ex.smallest_cluster(target, p), want,
                    f"smallest_cluster({target}, {p})")
    assert_raises(ValueError, ex.smallest_cluster, 1.0, 0.1,
                  what="smallest_cluster(1.0, 0.1)", mentions="target")
    assert_raises(ValueError, ex.smallest_cluster, 0.9, -0.1,
                  what="smallest_cluster(0.9, -0.1)", mentions="p_fail")


@check("ex06_quorum_availability", points=1, name="best_read_quorum")
def _(ex):
    # n = 3, p = 0.1: r = 1 reads if one of 3 is up (0.999) but writes need all
    # 3 (0.729); r = 2 needs 2 of 3 both ways (0.972). Half reads: r = 2 wins
    # (0.972 > 0.864); 99 % reads: 0.99 * 0.999 + 0.01 * 0.729 = 0.9963 wins.
    assert_equal(ex.best_read_quorum(3, 0.1, 0.5), 2, "best_read_quorum(3, 0.1, 0.5)")
    assert_equal(ex.best_read_quorum(3, 0.1, 0.99), 1, "best_read_quorum(3, 0.1, 0.99)")
    assert_equal(ex.best_read_quorum(3, 0.1, 0.01), 3, "best_read_quorum(3, 0.1, 0.01)")
    for n in (2, 4, 5, 7):
        for p in (0.001, 0.05, 0.2):
            for f in (0.1, 0.3, 0.8, 0.95, 0.999):
                u = [f * quorum_availability(n, r, p)
                     + (1 - f) * quorum_availability(n, n + 1 - r, p)
                     for r in range(1, n + 1)]
                ranked = sorted(u, reverse=True)
                if ranked[0] - ranked[1] < 1e-9:
                    continue  # a near tie: floating point could go either way
                assert_equal(ex.best_read_quorum(n, p, f), 1 + int(np.argmax(u)),
                        f"best_read_quorum({n}, {p}, {f})")
    assert_raises(ValueError, ex.best_read_quorum, 3, 0.1, 1.5,
                  what="best_read_quorum(3, 0.1, 1.5)", mentions="read_fraction")


# ---- ex07_pbs ---------------------------------------------------------------------


@check("ex07_pbs", points=2, name="stale_probability and k_stale_probability")
def _(ex):
    # N = 3, R = W = 1: the read misses the one replica written with prob 2/3
    assert_close(ex.stale_probability(3, 1, 1), 2 / 3, "stale_probability(3, 1, 1)")
    # N = 10, R = 2, W = 3: C(7, 2) / C(10, 2) = 21 / 45
    assert_close(ex.stale_probability(10, 2, 3), 21 / 45, "stale_probability(10, 2, 3)")
    # N = 5, R = 2, W = 2: C(3, 2) / C(5, 2) = 3 / 10
    assert_close(ex.stale_probability(5, 2, 2), 0.3, "stale_probability(5, 2, 2)")
    # R + W > N: every read quorum meets every write quorum
    assert_close(ex.stale_probability(3, 2, 2), 0.0, "stale_probability(3, 2, 2)")
    assert_close(ex.stale_probability(5, 1, 5), 0.0, "stale_probability(5, 1, 5)")
    for n in range(1, 9):
        for r in range(1, n + 1):
            for w in range(1, n + 1):
                assert_close(ex.stale_probability(n, r, w),
                             pbs_stale_probability(n, r, w),
                             f"stale_probability({n}, {r}, {w})")
    # (2/3)^3 = 8/27; (0.3)^2 = 0.09
    assert_close(ex.k_stale_probability(3, 1, 1, 3), 8 / 27,
                 "k_stale_probability(3, 1, 1, 3)")
    assert_close(ex.k_stale_probability(5, 2, 2, 2), 0.09,
                 "k_stale_probability(5, 2, 2, 2)")
    assert_close(ex.k_stale_probability(10, 2, 3, 4),
                 pbs_k_staleness_probability(10, 2, 3, 4),
                 "k_stale_probability(10, 2, 3, 4)")
    assert_raises(ValueError, ex.stale_probability, 0, 1, 1,
                  what="stale_probability(0, 1, 1)", mentions="n")
    assert_raises(ValueError, ex.stale_probability, 3, 4, 1,
                  what="stale_probability(3, 4, 1)", mentions="r")
    assert_raises(ValueError, ex.stale_probability, 3, 1, 0,
                  what="stale_probability(3, 1, 0)", mentions="w")
    assert_raises(ValueError, ex.k_stale_probability, 3, 1, 1, 0,
                  what="k_stale_probability(3, 1, 1, 0)", mentions="k")


def _reference_simulation(n, r, w, trials, seed):
    """The docstring's recipe, written out: two permutations per trial."""
    rng = np.random.default_rng(seed)
    stale = 0
    for _ in range(trials):
        wrote = rng.permutation(n)[:w]
        read = rng.permutation(n)[:r]
        stale += len(np.intersect1d(wrote, read)) == 0
    return stale / trials


@check("ex07_pbs", points=2, name="simulate_stale: exactly the specified draws")
def _(ex):
    for n, r, w, trials, seed in ((3, 1, 1, 500, 0), (5, 2, 1, 300, 1),
                                  (10, 2, 3, 400, 2), (7, 3, 2, 200, 3)):
        want = _reference_simulation(n, r, w, trials, seed)
        got = ex.simulate_stale(n, r, w, trials, np.random.default_rng(seed))
        assert_close(got, want,
                     f"simulate_stale({n}, {r}, {w}, {trials}, default_rng({seed})) "
                     "(draw rng.permutation(n) for the write set, then for the read "
                     "set, once per trial)")
    assert_raises(ValueError, ex.simulate_stale, 3, 1, 1, 0, np.random.default_rng(0),
                  what="simulate_stale(3, 1, 1, 0, rng)", mentions="trials")


@check("ex07_pbs", points=1, name="simulate_stale agrees with the formula")
def _(ex):
    # the estimate is within 4 standard errors of p_s (fixed seeds: deterministic)
    for n, r, w, seed in ((10, 2, 3, 11), (3, 1, 1, 12), (6, 2, 2, 13)):
        trials = 20_000
        p = pbs_stale_probability(n, r, w)
        se = math.sqrt(p * (1 - p) / trials)
        got = ex.simulate_stale(n, r, w, trials, np.random.default_rng(seed))
        if got is None or not abs(got - p) <= 4 * se:
            raise AssertionError(
                f"simulate_stale({n}, {r}, {w}, {trials}, default_rng({seed})) = "
                f"{got!r} is more than 4 standard errors ({4 * se:.4f}) from "
                f"p_s = {p:.4f}")
    got = ex.simulate_stale(3, 2, 2, 1000, np.random.default_rng(14))
    assert_close(got, 0.0, "simulate_stale(3, 2, 2, 1000, rng) (R + W > N)")


# ---- ex08_merkle_diff --------------------------------------------------------------


def _sha(data):
    return hashlib.sha256(data).digest()


def _enc(text):
    data = text.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def _bucket(key, depth):
    top = int.from_bytes(_sha(key.encode("utf-8"))[:8], "big")
    return top >> (64 - depth) if depth else 0


def _as_levels(tree, what):
    if tree is None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    if not isinstance(tree, (list, tuple)) or not all(
            isinstance(level, (list, tuple)) for level in tree):
        raise AssertionError(f"{what} should return a list of levels (lists of "
                             f"bytes), got {type(tree).__name__}")
    return [list(level) for level in tree]


@check("ex08_merkle_diff", points=2, name="build_tree and root_hash: exact hashes")
def _(ex):
    # depth 0: one leaf, the root, over the pairs sorted by key
    items = {"b": "2", "a": "1"}
    want_root = _sha(b"L" + _enc("a") + _enc("1") + _enc("b") + _enc("2"))
    tree = _as_levels(ex.build_tree(items, 0), "build_tree({'b': '2', 'a': '1'}, 0)")
    assert_equal(tree, [[want_root]], "build_tree({'b': '2', 'a': '1'}, 0)")
    assert_equal(ex.root_hash({}, 0), _sha(b"L"), "root_hash({}, 0) (one empty bucket)")
    # depth 2 with hand-placed keys: find the buckets with the same recipe
    items = {f"k{i}": f"value {i}" for i in range(6)}
    buckets = [[] for _ in range(4)]
    for key in sorted(items):
        buckets[_bucket(key, 2)].append(key)
    leaves = [_sha(b"L" + b"".join(_enc(k) + _enc(items[k]) for k in keys))
              for keys in buckets]
    middle = [_sha(b"I" + leaves[0] + leaves[1]), _sha(b"I" + leaves[2] + leaves[3])]
    root = _sha(b"I" + middle[0] + middle[1])
    what = "build_tree({'k0': 'value 0', ..., 'k5': 'value 5'}, 2)"
    tree = _as_levels(ex.build_tree(items, 2), what)
    if len(tree) != 3 or [len(level) for level in tree] != [1, 2, 4]:
        raise AssertionError(f"{what} should have levels of sizes [1, 2, 4], got "
                             f"{[len(level) for level in tree]}")
    assert_equal(tree[2], leaves, f"{what} leaves (levels[2])")
    assert_equal(tree[1], middle, f"{what} levels[1]")
    assert_equal(tree[0], [root], f"{what} root")
    assert_equal(ex.root_hash(items, 2), root, "root_hash(same items, 2)")
    # the length prefixes make ("ab", "c") and ("a", "bc") different leaves
    if ex.root_hash({"ab": "c"}, 0) == ex.root_hash({"a": "bc"}, 0):
        raise AssertionError("root_hash({'ab': 'c'}, 0) should differ from "
                             "root_hash({'a': 'bc'}, 0): use encode() on keys and "
                             "values")
    assert_raises(ValueError, ex.build_tree, {}, 17, what="build_tree({}, 17)",
                  mentions="depth")


def _hand_tree(leaves):
    """A tree over hand-made leaf 'hashes' (short byte strings)."""
    levels = [list(leaves)]
    while len(levels[0]) > 1:
        below = levels[0]
        levels.insert(0, [b"(" + below[i] + b"," + below[i + 1] + b")"
                          for i in range(0, len(below), 2)])
    return levels


def _expect_diff(got, want, what):
    if got is None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    if not isinstance(got, tuple) or len(got) != 2:
        raise AssertionError(f"{what} should return a pair (buckets, comparisons), "
                             f"got {got!r}")
    buckets, compared = got
    if list(buckets) != want[0]:
        raise AssertionError(f"{what}: differing buckets should be {want[0]}, got "
                             f"{list(buckets)}")
    if not same(compared, want[1]):
        raise AssertionError(f"{what}: should make {want[1]} hash comparisons, made "
                             f"{compared!r} (compare the root, then both children of "
                             "every node that differed, and nothing else)")


@check("ex08_merkle_diff", points=2, name="differing_buckets on hand-made trees")
def _(ex):
    base = [b"a", b"b", b"c", b"d", b"e", b"f", b"g", b"h"]
    a = _hand_tree(base)
    _expect_diff(ex.differing_buckets(a, _hand_tree(base)), ([], 1), "identical trees")
    # leaf 5 differs: root (1) + level 1 (2) + children of node 1 (2) + of node 2 (2)
    b = _hand_tree(base[:5] + [b"X"] + base[6:])
    _expect_diff(ex.differing_buckets(a, b), ([5], 7), "trees differing in leaf 5")
    # leaves 0 and 7: 1 + 2 + (2 + 2) + (2 + 2)
    c = _hand_tree([b"X"] + base[1:7] + [b"Y"])
    _expect_diff(ex.differing_buckets(a, c), ([0, 7], 11), "leaves 0 and 7 differ")
    # leaves 2 and 3 share every ancestor: 1 + 2 + 2 + 2
    d = _hand_tree(base[:2] + [b"X", b"Y"] + base[4:])
    _expect_diff(ex.differing_buckets(a, d), ([2, 3], 7), "leaves 2 and 3 differ")
    # depth 0: the root is the only leaf
    _expect_diff(ex.differing_buckets([[b"a"]], [[b"b"]]), ([0], 1), "depth 0, differ")
    assert_raises(ValueError, ex.differing_buckets, a, _hand_tree(base[:4]),
                  what="differing_buckets of trees of depth 3 and 2", mentions="tree_b")


@check("ex08_merkle_diff", points=2, name="random replicas: buckets and the bound")
def _(ex):
    rnd = random.Random(5)
    for trial in range(30):
        depth = rnd.randint(1, 8)
        a = {f"key{i}": f"v{rnd.randrange(10**6)}" for i in range(rnd.randint(0, 300))}
        b = dict(a)
        for _ in range(rnd.randint(0, 5)):
            action = rnd.random()
            if action < 0.4 and b:
                b[rnd.choice(sorted(b))] = "changed"
            elif action < 0.7 and b:
                del b[rnd.choice(sorted(b))]
            else:
                b[f"new{rnd.randrange(10**6)}"] = "added"
        changed = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
        want = sorted({_bucket(k, depth) for k in changed})
        # every ancestor of a differing leaf differs, and no other node does
        ancestors = {(level, leaf >> (depth - level)) for leaf in want
                     for level in range(depth)}
        compared = 1 + 2 * len(ancestors) if want else 1
        what = f"random trial {trial} (depth {depth}, {len(changed)} keys changed)"
        tree_a = ex.build_tree(a, depth)
        tree_b = ex.build_tree(b, depth)
        got = ex.differing_buckets(tree_a, tree_b)
        _expect_diff(got, (want, compared), what)
        if got[1] > 1 + 2 * len(want) * depth:
            raise AssertionError(f"{what}: {got[1]} comparisons exceed the bound "
                                 f"1 + 2 m depth = {1 + 2 * len(want) * depth}")
