"""Checks for Chapter 3's partitioning and balancing exercises (trusted code:
students do not edit this).

Expected values are worked out by hand in the comments, taken from the
paper's C code, or computed with `dsscale` (an independent reference) or with
a reference loop written here; never by calling the function under test a
second time.
"""

import math
from bisect import bisect_left
from fractions import Fraction

import numpy as np

from dsscale.balancing import d_choice_loads
from dsscale.grading import (
    assert_close,
    assert_equal,
    assert_raises,
    check,
    forbid,
    same,
)
from dsscale.partitioning import (
    BoundedLoadRing,
    HashRing,
    jump_hash_array,
    mix64,
    rendezvous_node,
    stable_hash,
    stable_hash_many,
)

YOURSELF = ("this exercise asks you to write it yourself; the library's "
            "version is what the checks compare yours with.")
forbid("ex01_ring_lookup",
       "dsscale.partitioning.ring", "dsscale.partitioning.bounded", reason=YOURSELF)
forbid("ex02_jump_hash", "dsscale.partitioning.jump", reason=YOURSELF)
forbid("ex03_weighted_rendezvous", "dsscale.partitioning.rendezvous", reason=YOURSELF)
forbid("ex04_bounded_capacity", "dsscale.partitioning.bounded", reason=YOURSELF)
forbid("ex05_two_choices", "dsscale.balancing", reason=YOURSELF)


def _as_list(got, what):
    """`got` as a list, or a failure that says what came back instead."""
    if got is None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    if isinstance(got, (str, bytes)) or not hasattr(got, "__len__"):
        raise AssertionError(
            f"{what} should return a list, got {type(got).__name__}: {got!r}")
    return got.tolist() if isinstance(got, np.ndarray) else list(got)


def _first_mismatch(got, want, label):
    """Describe the first entry where `got` differs from `want`, else None."""
    if len(got) != len(want):
        return f"expected {len(want)} entries, got {len(got)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        if g != w:
            return f"{label(i)}: expected {w!r}, got {g!r}"
    return None


# ---- ex01_ring_lookup --------------------------------------------------------


@check("ex01_ring_lookup", points=2, name="successor_owner: bisect and wrap-around")
def _(ex):
    points, owners = [100, 200, 300], ["A", "B", "C"]
    for h, want in ((50, "A"), (0, "A"), (100, "A"), (101, "B"), (200, "B"),
                    (250, "C"), (300, "C"), (301, "A"), (2**64 - 1, "A")):
        assert_equal(ex.successor_owner(points, owners, h), want,
                      f"successor_owner({points}, {owners}, {h})")
    assert_equal(ex.successor_owner([7], ["solo"], 8), "solo",
                  "successor_owner([7], ['solo'], 8)")
    # against the package's ring: its points and owners, the same lookups
    nodes = [f"n{i}" for i in range(6)]
    ring = HashRing(nodes, vnodes=40)
    pts = ring.points.tolist()
    own = [nodes[i] for i in ring.point_owners.tolist()]
    for j in range(2000):
        key = f"key-{j}"
        got = ex.successor_owner(pts, own, stable_hash(key))
        if not same(got, ring.node_for(key)):
            raise AssertionError(
                f"successor_owner on HashRing({nodes}, vnodes=40)'s points, "
                f"h = stable_hash({key!r}): expected {ring.node_for(key)!r}, "
                f"got {got!r}")
    assert_raises(ValueError, ex.successor_owner, [], [], 5,
                  what="successor_owner([], [], 5)", mentions="points")
    assert_raises(ValueError, ex.successor_owner, [1, 2], ["A"], 5,
                  what="successor_owner([1, 2], ['A'], 5)", mentions="owners")


@check("ex01_ring_lookup", points=2, name="build_ring: tokens, sorting, HashRing")
def _(ex):
    table = {"a#0": 40, "a#1": 10, "b#0": 30, "b#1": 20, "c#0": 7, "d#0": 7}

    def toy_hash(token):
        if token not in table:
            raise AssertionError(
                f"build_ring called hash_fn({token!r}); tokens must be "
                f"f'{{node}}#{{i}}', e.g. 'a#0', 'a#1'")
        return table[token]

    # positions a: 40, 10; b: 30, 20 -> sorted 10 a, 20 b, 30 b, 40 a
    what = "build_ring(['a', 'b'], 2, hash_fn)"
    got = ex.build_ring(["a", "b"], 2, toy_hash)
    if not isinstance(got, tuple) or len(got) != 2:
        raise AssertionError(f"{what} should return a pair (points, owners), "
                             f"got {got!r}")
    assert_equal(_as_list(got[0], what), [10, 20, 30, 40], f"{what} points")
    assert_equal(_as_list(got[1], what), ["a", "b", "b", "a"], f"{what} owners")
    # equal positions keep creation order: "d" is listed first, so it comes first
    what = "build_ring(['d', 'c'], 1, hash_fn) with equal positions"
    pts, own = ex.build_ring(["d", "c"], 1, toy_hash)
    assert_equal(_as_list(own, what), ["d", "c"], f"{what}: owners")
    # with stable_hash the ring is HashRing's, point for point
    nodes = ["alpha", "beta", "gamma", "delta", "epsilon"]
    ring = HashRing(nodes, vnodes=64)
    what = f"build_ring({nodes}, 64, stable_hash)"
    pts, own = ex.build_ring(nodes, 64, stable_hash)
    pts, own = _as_list(pts, what), _as_list(own, what)
    want_pts = ring.points.tolist()
    want_own = [nodes[i] for i in ring.point_owners.tolist()]
    if len(pts) != len(want_pts):
        raise AssertionError(f"{what} should have {len(want_pts)} points, "
                             f"got {len(pts)}")
    bad = (_first_mismatch([int(p) for p in pts], want_pts, lambda i: f"points[{i}]")
           or _first_mismatch(own, want_own, lambda i: f"owners[{i}]"))
    if bad:
        raise AssertionError(f"{what} differs from HashRing({nodes}, vnodes=64): {bad}")
    assert_raises(ValueError, ex.build_ring, [], 3, stable_hash,
                  what="build_ring([], 3, stable_hash)", mentions="nodes")
    assert_raises(ValueError, ex.build_ring, ["a", "a"], 3, stable_hash,
                  what="build_ring(['a', 'a'], 3, stable_hash)", mentions="nodes")
    assert_raises(ValueError, ex.build_ring, ["a"], 0, stable_hash,
                  what="build_ring(['a'], 0, stable_hash)", mentions="vnodes")


@check("ex01_ring_lookup", points=2, name="preference_list: distinct owners clockwise")
def _(ex):
    points, owners = [10, 20, 30, 40, 50], ["a", "b", "a", "c", "b"]
    # h = 15 starts at 20 (b), then 30 (a), 40 (c)
    # h = 45 starts at 50 (b), wraps to 10 (a), skips 20 (b) and 30 (a), 40 (c)
    # h = 55 is past 50: starts at 10 (a), then 20 (b), skips 30 (a), 40 (c)
    cases = [(15, 1, ["b"]), (15, 2, ["b", "a"]), (15, 3, ["b", "a", "c"]),
             (45, 3, ["b", "a", "c"]), (55, 3, ["a", "b", "c"]), (40, 2, ["c", "b"])]
    for h, n, want in cases:
        what = f"preference_list({points}, {owners}, {h}, {n})"
        assert_equal(_as_list(ex.preference_list(points, owners, h, n), what), want,
                      what)
    assert_raises(ValueError, ex.preference_list, points, owners, 15, 4,
                  what=f"preference_list({points}, {owners}, 15, 4) "
                       "(3 distinct owners)",
                  mentions="n")
    assert_raises(ValueError, ex.preference_list, points, owners, 15, 0,
                  what=f"preference_list({points}, {owners}, 15, 0)", mentions="n")
    # against the package's Dynamo-style preference lists
    nodes = [f"n{i}" for i in range(8)]
    ring = HashRing(nodes, vnodes=20)
    pts = ring.points.tolist()
    own = [nodes[i] for i in ring.point_owners.tolist()]
    for j in range(300):
        key = f"key-{j}"
        want = ring.nodes_for(key, 3)
        what = (f"preference_list(HashRing({nodes}, vnodes=20) points, "
                f"stable_hash({key!r}), 3)")
        got = _as_list(ex.preference_list(pts, own, stable_hash(key), 3), what)
        assert_equal(got, want, what)


# ---- ex02_jump_hash ----------------------------------------------------------

# Rows: keys; columns: num_buckets 1, 2, 3, 10, 100, 1000, 10**6, 2**31 - 1.
# Printed by the paper's C function (Lamping & Veach 2014, Figure 1) compiled
# with gcc -O2 on x86-64.
_JUMP_BUCKETS = (1, 2, 3, 10, 100, 1000, 1_000_000, 2**31 - 1)
_JUMP_TABLE = {
    0: (0, 0, 0, 0, 0, 0, 0, 0),
    1: (0, 0, 0, 6, 55, 549, 985611, 262355607),
    2: (0, 0, 0, 6, 62, 338, 152951, 736532115),
    42: (0, 1, 2, 2, 43, 571, 153897, 1603940301),
    123456789: (0, 0, 0, 7, 34, 294, 561473, 1234790967),
    2**64 - 1: (0, 1, 2, 9, 92, 313, 589430, 699554662),
    0xDEADBEEFCAFEBABE: (0, 1, 1, 4, 89, 144, 268672, 635109204),
    2**63: (0, 1, 1, 5, 84, 453, 802256, 1119800965),
}


@check("ex02_jump_hash", points=2, name="jump_hash matches the paper's C code")
def _(ex):
    for key, row in _JUMP_TABLE.items():
        for n, want in zip(_JUMP_BUCKETS, row, strict=True):
            got = ex.jump_hash(key, n)
            if got is None:
                raise AssertionError(
                    "jump_hash returned None; did you forget `return`?")
            if not same(got, want):
                hint = ""
                if n > 1 and got == 0:
                    hint = " (is the loop running at all?)"
                raise AssertionError(
                    f"jump_hash({key}, {n}) should be {want}, got {got!r}{hint}")
    assert_raises(ValueError, ex.jump_hash, 5, 0, what="jump_hash(5, 0)",
                  mentions="num_buckets")
    assert_raises(ValueError, ex.jump_hash, 5, 2**31, what="jump_hash(5, 2**31)",
                  mentions="num_buckets")
    assert_raises(ValueError, ex.jump_hash, -1, 10, what="jump_hash(-1, 10)",
                  mentions="key")
    assert_raises(ValueError, ex.jump_hash, 2**64, 10, what="jump_hash(2**64, 10)",
                  mentions="key")


@check("ex02_jump_hash", points=2, name="jump_hash agrees with dsscale on 2,000 keys")
def _(ex):
    hashes = stable_hash_many([f"key-{i}" for i in range(2000)])
    keys = hashes.tolist()
    for n in (2, 3, 7, 10, 100, 1000, 65_536, 2**31 - 1):
        want = jump_hash_array(hashes, n).tolist()
        answers = ex.jump_hash.map([(key, n) for key in keys])  # one round trip
        for key, w, got in zip(keys, want, answers, strict=True):
            if not same(got, w):
                raise AssertionError(
                    f"jump_hash({key}, {n}) should be {w} "
                    f"(dsscale.partitioning.jump_hash), got {got!r}")


@check("ex02_jump_hash", points=1, name="growing 10 -> 11 buckets moves ~1/11, all "
       "into bucket 10")
def _(ex):
    # 20,000 keys; the moved fraction is binomial around 1/11 with standard
    # error sqrt((1/11)(10/11)/20000) = 0.0020; allow 4 of them.
    keys = stable_hash_many([f"user-{i}" for i in range(20_000)]).tolist()
    before = ex.jump_hash.map([(k, 10) for k in keys])
    after = ex.jump_hash.map([(k, 11) for k in keys])
    moved = 0
    for key, b, a in zip(keys, before, after, strict=True):
        if b != a:
            moved += 1
            if a != 10:
                raise AssertionError(
                    f"jump_hash({key}, 10) = {b!r} but jump_hash({key}, 11) = {a!r}: "
                    f"a key that moves must move to the new bucket 10")
    p = 1 / 11
    tol = 4 * math.sqrt(p * (1 - p) / len(keys))
    if not abs(moved / len(keys) - p) <= tol:
        raise AssertionError(
            f"growing 10 -> 11 buckets moved {moved / len(keys):.4f} of 20,000 keys; "
            f"expected 1/11 = {p:.4f} +- {tol:.4f}")


# ---- ex03_weighted_rendezvous ------------------------------------------------


def _mix(x):
    return int(mix64(np.array([x], dtype=np.uint64))[0])


@check("ex03_weighted_rendezvous", points=1, name="hrw_score = mix64(key ^ node)")
def _(ex):
    pairs = [(1, 0), (0, 1), (2**64 - 1, 0), (123456789, 987654321),
             (0xDEADBEEF, 0xCAFEBABE << 32), (stable_hash("k"), stable_hash("node-a"))]
    for kh, nh in pairs:
        got = ex.hrw_score(kh, nh)
        want = _mix(kh ^ nh)  # the package's mix64, on a one-element array
        if got is None:
            raise AssertionError("hrw_score returned None; did you forget `return`?")
        if not isinstance(got, (int, np.integer)) or int(got) != want:
            raise AssertionError(f"hrw_score({kh}, {nh}) should be {want}, got {got!r}")


@check("ex03_weighted_rendezvous", points=1, name="weighted_score = -w / ln(u)")
def _(ex):
    # s = 0:        u = 0.5 / 2**52 = 2**-53, ln u = -53 ln 2
    # s = 2**63:    u = (2**51 + 0.5) / 2**52 = 1/2 + 2**-53
    # s = 2**64-1:  u = (2**52 - 0.5) / 2**52 = 1 - 2**-53, so -w/ln u ~ w 2**53
    # s < 2**12 all share the top bits 0, so s = 4095 scores like s = 0
    cases = [(0, 1.0, 1 / (53 * math.log(2))),
             (0, 3.0, 3 / (53 * math.log(2))),
             (4095, 1.0, 1 / (53 * math.log(2))),
             (2**63, 2.0, -2.0 / math.log(0.5 + 2**-53)),
             (2**64 - 1, 1.0, -1.0 / math.log1p(-(2**-53)))]
    for s, w, want in cases:
        assert_close(ex.weighted_score(s, w), want, f"weighted_score({s}, {w})",
                     rtol=1e-12)
    assert_raises(ValueError, ex.weighted_score, 2**63, 0.0,
                  what="weighted_score(2**63, 0.0)", mentions="weight")


@check("ex03_weighted_rendezvous", points=2,
       name="choose agrees with dsscale.partitioning.rendezvous_node")
def _(ex):
    nodes = ["a", "b", "c", "d"]
    for weights in ([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0], [0.5, 8.0, 0.5, 2.0]):
        keys = [f"key-{j}" for j in range(500)]
        answers = ex.choose.map([(key, nodes, weights) for key in keys])
        for key, got in zip(keys, answers, strict=True):
            want = rendezvous_node(key, nodes, weights)
            if not same(got, want):
                raise AssertionError(
                    f"choose({key!r}, {nodes}, {weights}) should be {want!r}, "
                    f"got {got!r}")
    assert_equal(ex.choose("x", ["only"], [5.0]), "only",
                 "choose('x', ['only'], [5.0])")
    assert_raises(ValueError, ex.choose, "x", [], [],
                  what="choose('x', [], [])", mentions="nodes")
    assert_raises(ValueError, ex.choose, "x", ["a", "b"], [1.0],
                  what="choose('x', ['a', 'b'], [1.0])", mentions="weights")
    assert_raises(ValueError, ex.choose, "x", ["a", "b"], [1.0, -2.0],
                  what="choose('x', ['a', 'b'], [1.0, -2.0])", mentions="weights")


@check("ex03_weighted_rendezvous", points=2,
       name="shares follow the weights; a new node takes only its share")
def _(ex):
    # M = 8,000 keys. Node i's count is binomial(M, p_i) with p_i = w_i / sum(w),
    # so its share has standard error sqrt(p_i (1 - p_i) / M) <= 0.0056; allow 4.
    # Adding node "e" of weight 2 (total 12): a key moves iff "e" now wins,
    # probability 2/12, and it can only move *to* "e".
    keys = [f"key-{j}" for j in range(8000)]
    nodes, weights = ["a", "b", "c", "d"], [1.0, 2.0, 3.0, 4.0]
    before = ex.choose.map([(k, nodes, weights) for k in keys])
    for node, w in zip(nodes, weights, strict=True):
        p = w / sum(weights)
        share = sum(b == node for b in before) / len(keys)
        tol = 4 * math.sqrt(p * (1 - p) / len(keys))
        if not abs(share - p) <= tol:
            raise AssertionError(
                f"node {node!r} of weight {w} won {share:.4f} of {len(keys)} keys; "
                f"expected {p:.4f} +- {tol:.4f} (weights {weights})")
    after = ex.choose.map([(k, [*nodes, "e"], [*weights, 2.0]) for k in keys])
    moved = 0
    for key, b, a in zip(keys, before, after, strict=True):
        if b != a:
            moved += 1
            if a != "e":
                raise AssertionError(
                    f"adding node 'e' moved {key!r} from {b!r} to {a!r}; keys may only "
                    f"move to the new node")
    p = 2 / 12
    tol = 4 * math.sqrt(p * (1 - p) / len(keys))
    if not abs(moved / len(keys) - p) <= tol:
        raise AssertionError(
            f"adding node 'e' (weight 2 of 12) moved {moved / len(keys):.4f} of the "
            f"keys; expected {p:.4f} +- {tol:.4f}")


# ---- ex04_bounded_capacity ---------------------------------------------------


@check("ex04_bounded_capacity", points=2, name="capacity, exactly")
def _(ex):
    cases = [
        ((100, 10, 0.1), 11),   # 1.1 * 10 = 11 exactly (floats give 11.000...02)
        ((50, 5, 0.1), 11),     # the same trap
        ((90, 3, 0.1), 33),     # 99 / 3 = 33 exactly
        ((10, 3, 0.25), 5),     # 12.5 / 3 = 4.17 -> 5
        ((0, 5, 0.5), 0),
        ((7, 7, Fraction(1, 7)), 2),  # 8/7 -> 2
        ((30, 4, 0.2), 9),      # 36 / 4 = 9 exactly
        ((10, 4, 1), 5),        # 2 * 10 / 4 = 5
        ((1000, 10, 0.25), 125),
        # 2 (10^10 + 1) / 10^10 = 2.0000000002, just above 2: a ceiling that
        # shaves off float noise (- 1e-9) lands on 2
        ((10**10 + 1, 10**10, 1), 3),
    ]
    for args, want in cases:
        assert_equal(ex.capacity(*args), want, f"capacity{args}")
    # and agrees with the package's BoundedLoadRing on a grid
    for eps in (0.05, 0.1, 0.3, 0.7, 1.5):
        for n in (1, 3, 7, 10):
            ring = BoundedLoadRing([f"n{i}" for i in range(n)], eps, vnodes=1)
            for m in (1, 9, 70, 90, 100, 333):
                assert_equal(ex.capacity(m, n, eps), ring.capacity(m),
                              f"capacity({m}, {n}, {eps})")
    assert_raises(ValueError, ex.capacity, -1, 3, 0.1, what="capacity(-1, 3, 0.1)",
                  mentions="m")
    assert_raises(ValueError, ex.capacity, 10, 0, 0.1, what="capacity(10, 0, 0.1)",
                  mentions="n")
    assert_raises(ValueError, ex.capacity, 10, 3, 0, what="capacity(10, 3, 0)",
                  mentions="epsilon")


@check("ex04_bounded_capacity", points=2, name="assign_bounded on hand-worked rings")
def _(ex):
    keys = [5, 8, 12, 35, 38, 39, 80, 90]
    cases = [
        # the docstring's example: cap = ceil(1.1 * 8 / 3) = 3
        (keys, [10, 40, 70], 0.1, [0, 0, 1, 1, 1, 2, 0, 2]),
        # the same ring, nodes listed in another order (A = 1, B = 2, C = 0)
        (keys, [70, 10, 40], 0.1, [1, 1, 2, 2, 2, 0, 1, 0]),
        # cap = ceil(11 * 8 / 3) = 30 never binds: the plain ring successors
        (keys, [10, 40, 70], 10, [0, 0, 1, 1, 1, 1, 0, 0]),
        # cap = ceil(1.5 * 4 / 3) = 2; all four wrap to node 0 (position 10),
        # the 3rd and 4th overflow to node 1
        ([75, 76, 77, 78], [10, 40, 70], 0.5, [0, 0, 1, 1]),
        # a key at a node's position belongs to that node; cap = ceil(1.6) = 2
        ([40, 40, 40, 10], [10, 40, 70], 0.2, [1, 1, 2, 0]),
        ([], [10, 40, 70], 0.2, []),
    ]
    for k, nodes, eps, want in cases:
        what = f"assign_bounded({k}, {nodes}, {eps})"
        assert_equal(_as_list(ex.assign_bounded(k, nodes, eps), what), want, what)
    # 100 keys all at position 0 on 10 nodes, epsilon 0.1: the exact cap is 11
    # (not 12), so nodes fill 11 at a time in position order: 9 * 11 + 1
    nodes = [100 * (i + 1) for i in range(10)]
    want = [i for i in range(9) for _ in range(11)] + [9]
    what = f"assign_bounded([0] * 100, {nodes}, 0.1)"
    assert_equal(_as_list(ex.assign_bounded([0] * 100, nodes, 0.1), what), want, what)
    assert_raises(ValueError, ex.assign_bounded, [1, 2], [], 0.1,
                  what="assign_bounded([1, 2], [], 0.1)", mentions="node_positions")
    assert_raises(ValueError, ex.assign_bounded, [1, 2], [5, 5], 0.1,
                  what="assign_bounded([1, 2], [5, 5], 0.1)", mentions="node_positions")
    assert_raises(ValueError, ex.assign_bounded, [1, 2], [5, 9], 0,
                  what="assign_bounded([1, 2], [5, 9], 0)", mentions="epsilon")


def _reference_bounded(key_positions, node_positions, cap):
    """The forwarding rule, written independently: a linear clockwise scan."""
    by_position = sorted(range(len(node_positions)), key=node_positions.__getitem__)
    sorted_positions = [node_positions[i] for i in by_position]
    loads = dict.fromkeys(by_position, 0)
    out = []
    for p in key_positions:
        start = bisect_left(sorted_positions, p)
        for step in range(len(by_position)):
            node = by_position[(start + step) % len(by_position)]
            if loads[node] < cap:
                loads[node] += 1
                out.append(node)
                break
    return out


@check("ex04_bounded_capacity", points=1,
       name="assign_bounded on 50 hashed nodes: the cap holds")
def _(ex):
    nodes = stable_hash_many([f"node-{i}" for i in range(50)]).tolist()
    keys = stable_hash_many([f"key-{j}" for j in range(2000)]).tolist()
    cap = 50  # ceil(1.25 * 2000 / 50) = 50 exactly
    want = _reference_bounded(keys, nodes, cap)
    what = "assign_bounded(2,000 hashed keys, 50 hashed nodes, 0.25)"
    got = _as_list(ex.assign_bounded(keys, nodes, 0.25), what)
    if len(got) != len(want):
        raise AssertionError(
            f"{what} should return {len(want)} indices, got {len(got)}")
    loads = np.bincount(np.asarray(got, dtype=np.int64), minlength=50)
    if loads.max() > cap:
        raise AssertionError(f"{what}: node {int(loads.argmax())} holds "
                             f"{int(loads.max())} keys, above the cap {cap}")
    bad = _first_mismatch(got, want, lambda i: f"key {i} (position {keys[i]})")
    if bad:
        raise AssertionError(f"{what}: {bad}")


# ---- ex05_two_choices --------------------------------------------------------


class _ScriptedRng(np.random.Generator):
    """A Generator whose `integers` returns fixed rows, and only once.

    A real Generator subclass, so `isinstance(rng, np.random.Generator)` holds.
    """

    def __init__(self, rows, bins):
        super().__init__(np.random.PCG64(0))
        self.rows = np.array(rows, dtype=np.int64)
        self.bins = bins
        self.calls = 0

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        self.calls += 1
        if high is None:  # integers(bins, size=...) means 0..bins-1 too
            low, high = 0, low
        size = tuple(np.atleast_1d(size).tolist()) if size is not None else None
        want = (0, self.bins, self.rows.shape)
        if self.calls > 1 or endpoint or (low, high, size) != want:
            raise AssertionError(
                f"draw every choice with one call rng.integers(0, bins, "
                f"size=(balls, d)) = integers{want}; got call {self.calls}: "
                f"integers({low}, {high}, size={size}, endpoint={endpoint})")
        return self.rows.copy()


@check("ex05_two_choices", points=1, name="allocate on scripted choices (tie rule)")
def _(ex):
    # d = 2, bins = 3: ball 0 sees loads 0, 0 -> first, bin 0; ball 1 sees
    # bin 0 (1), bin 1 (0) -> bin 1; ball 2 sees bin 1 (1), bin 0 (1) -> tie,
    # first -> bin 1; ball 3 -> bin 2. Loads [1, 2, 1].
    rows = [[0, 1], [0, 1], [1, 0], [2, 2]]
    what = f"allocate(4, 3, 2, rng) with choices {rows}"
    assert_equal(_as_list(ex.allocate(4, 3, 2, _ScriptedRng(rows, 3)), what),
                  [1, 2, 1], what)
    # d = 3: ball 0 all zero -> first, bin 2; ball 1 sees 0, 0, 1 -> bin 0;
    # ball 2 sees bin 1 (0), bin 2 (1), bin 0 (1) -> bin 1; ball 3 -> bin 0.
    rows = [[2, 1, 0], [0, 1, 2], [1, 2, 0], [0, 0, 0]]
    what = f"allocate(4, 3, 3, rng) with choices {rows}"
    assert_equal(_as_list(ex.allocate(4, 3, 3, _ScriptedRng(rows, 3)), what),
                  [2, 1, 1], what)
    # d = 1 is plain placement: bins 3, 3, 0 -> loads [1, 0, 0, 2]
    rows = [[3], [3], [0]]
    what = f"allocate(3, 4, 1, rng) with choices {rows}"
    assert_equal(_as_list(ex.allocate(3, 4, 1, _ScriptedRng(rows, 4)), what),
                  [1, 0, 0, 2], what)


@check("ex05_two_choices", points=2, name="allocate matches an independent simulation")
def _(ex):
    # dsscale.balancing.d_choice_loads draws rng.integers(0, bins, size=(balls, d))
    # and breaks ties to the earliest choice: the same rule, implemented apart.
    for balls, bins, d, seed in ((10, 4, 1, 1), (100, 10, 2, 2), (1000, 50, 2, 3),
                                 (1000, 50, 3, 4), (500, 7, 4, 5), (0, 5, 2, 6),
                                 (20, 1, 2, 7)):
        want = d_choice_loads(balls, bins, d, np.random.default_rng(seed)).tolist()
        what = f"allocate({balls}, {bins}, {d}, np.random.default_rng({seed}))"
        got = _as_list(ex.allocate(balls, bins, d, np.random.default_rng(seed)), what)
        assert_equal([int(x) for x in got], want, what)
    assert_raises(ValueError, ex.allocate, -1, 5, 2, np.random.default_rng(0),
                  what="allocate(-1, 5, 2, rng)", mentions="balls")
    assert_raises(ValueError, ex.allocate, 5, 0, 2, np.random.default_rng(0),
                  what="allocate(5, 0, 2, rng)", mentions="bins")
    assert_raises(ValueError, ex.allocate, 5, 5, 0, np.random.default_rng(0),
                  what="allocate(5, 5, 0, rng)", mentions="d")


@check("ex05_two_choices", points=1, name="simulate_max_load")
def _(ex):
    # scripted: loads [1, 2, 1] (see the first check) -> 2
    scripted = _ScriptedRng([[0, 1], [0, 1], [1, 0], [2, 2]], 3)
    got = ex.simulate_max_load(4, 3, 2, scripted)
    assert_equal(got, 2, "simulate_max_load(4, 3, 2, rng) with choices "
                          "[[0, 1], [0, 1], [1, 0], [2, 2]]")
    for balls, bins, d, seed in ((1000, 100, 1, 11), (1000, 100, 2, 12)):
        want = int(d_choice_loads(balls, bins, d, np.random.default_rng(seed)).max())
        what = f"simulate_max_load({balls}, {bins}, {d}, np.random.default_rng({seed}))"
        got = ex.simulate_max_load(balls, bins, d, np.random.default_rng(seed))
        if not isinstance(got, (int, np.integer)):
            raise AssertionError(  # noqa: TRY004 - a failed check is an AssertionError
                f"{what} should return an int, got {type(got).__name__}: {got!r}")
        assert_equal(int(got), want, what)
    assert_equal(ex.simulate_max_load(0, 5, 2, np.random.default_rng(0)), 0,
                  "simulate_max_load(0, 5, 2, rng)")


@check("ex05_two_choices", points=1, name="two choices beat one at n = 10,000")
def _(ex):
    n = 10_000
    got = {}
    for d in (1, 2):
        want = int(d_choice_loads(n, n, d, np.random.default_rng(2024)).max())
        what = f"simulate_max_load({n}, {n}, {d}, np.random.default_rng(2024))"
        got[d] = ex.simulate_max_load(n, n, d, np.random.default_rng(2024))
        assert_equal(got[d], want, what)
    if not got[2] < got[1]:
        raise AssertionError(f"with d = 2 the max load should be below d = 1's; got "
                             f"{got[2]} and {got[1]}")
