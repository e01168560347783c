"""Checks for Chapter 2's replication and consistency exercises (trusted code:
students do not edit this).

Expected values are worked out by hand in the comments (the Dynamo paper's
D1..D5 example, §4.4), or computed with `dsscale.replication.VersionVector`
and `dsscale.consistency.check_linearizable`, independent references; never
by calling the function under test a second time.
"""

import math
import random

from dsscale.consistency import (
    Operation,
    RegisterModel,
    check_linearizable,
    random_register_history,
)
from dsscale.grading import assert_equal, assert_raises, check, forbid
from dsscale.replication import Versioned, VersionVector
from dsscale.replication import reconcile as reference_reconcile

YOURSELF = ("this exercise asks you to write it yourself; the library's "
            "version is what the checks compare yours with.")
forbid("ex03_version_vectors", "dsscale.replication.version_vectors", reason=YOURSELF)
forbid("ex04_linearizable_by_hand",
       "dsscale.consistency.checker", "dsscale.consistency.naive",
       "dsscale.consistency._search", "dsscale.consistency.shrink", reason=YOURSELF)


def _norm(vector, what):
    """A version vector as a dict without zero entries, or a helpful failure."""
    if vector is None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    if not isinstance(vector, dict):
        raise AssertionError(
            f"{what} should return a dict {{node: counter}}, got "
            f"{type(vector).__name__}: {vector!r}")
    return {node: count for node, count in vector.items() if count != 0}


def _expect_vector(got, want, what):
    if _norm(got, what) != want:
        raise AssertionError(f"{what} should be {want!r}, got {got!r}")


def _random_vector(rnd):
    # few nodes and small counters, so that every relation is common
    return {node: rnd.randrange(3) for node in "ABCD" if rnd.random() < 0.7}


# ---- ex03_version_vectors -------------------------------------------------------


@check("ex03_version_vectors", points=1, name="increment and merge")
def _(ex):
    vv = {"Sx": 2}
    got, (after, _) = ex.increment.and_args(vv, "Sy")
    _expect_vector(got, {"Sx": 2, "Sy": 1}, "increment({'Sx': 2}, 'Sy')")
    if after != vv:
        raise AssertionError(f"increment must not modify its argument: {vv} became "
                             f"{after}")
    _expect_vector(ex.increment(vv, "Sx"), {"Sx": 3}, "increment({'Sx': 2}, 'Sx')")
    _expect_vector(ex.increment({}, "Sx"), {"Sx": 1}, "increment({}, 'Sx')")
    assert_raises(ValueError, ex.increment, {"Sx": -1}, "Sx",
                  what="increment({'Sx': -1}, 'Sx')", mentions="vv")
    a, b = {"Sx": 2, "Sy": 1}, {"Sx": 1, "Sz": 1}
    got, after = ex.merge.and_args(a, b)
    _expect_vector(got, {"Sx": 2, "Sy": 1, "Sz": 1},
                   "merge({'Sx': 2, 'Sy': 1}, {'Sx': 1, 'Sz': 1})")
    if after != [a, b]:
        raise AssertionError("merge must not modify its arguments")
    _expect_vector(ex.merge({}, {}), {}, "merge({}, {})")
    rnd = random.Random(3)
    for _ in range(200):
        a, b = _random_vector(rnd), _random_vector(rnd)
        want = VersionVector.of(a).merge(VersionVector.of(b)).as_dict()
        _expect_vector(ex.merge(a, b), want, f"merge({a}, {b})")


@check("ex03_version_vectors", points=2,
       name="compare: before, after, equal, concurrent")
def _(ex):
    cases = [
        ({"Sx": 1}, {"Sx": 2}, "before"),
        ({"Sx": 2}, {"Sx": 1}, "after"),
        ({"Sx": 2, "Sy": 1}, {"Sx": 2, "Sz": 1}, "concurrent"),
        ({"Sx": 1, "Sy": 0}, {"Sx": 1}, "equal"),  # a missing node counts as 0
        ({}, {}, "equal"),
        ({}, {"Sy": 1}, "before"),
        ({"Sx": 3, "Sy": 1, "Sz": 1}, {"Sx": 2, "Sy": 1}, "after"),
        ({"Sx": 1, "Sy": 2}, {"Sx": 2, "Sy": 1}, "concurrent"),
    ]
    for a, b, want in cases:
        assert_equal(ex.compare(a, b), want, f"compare({a}, {b})")
    rnd = random.Random(7)
    for _ in range(500):
        a, b = _random_vector(rnd), _random_vector(rnd)
        want = VersionVector.of(a).compare(VersionVector.of(b)).value
        assert_equal(ex.compare(a, b), want, f"compare({a}, {b})")


@check("ex03_version_vectors", points=2, name="the Dynamo paper's D1..D5 (§4.4)")
def _(ex):
    # D1 [(Sx,1)] and D2 [(Sx,2)] are written through Sx; D3 [(Sx,2),(Sy,1)]
    # through Sy and, from D2 as well, D4 [(Sx,2),(Sz,1)] through Sz
    d1 = ex.increment({}, "Sx")
    _expect_vector(d1, {"Sx": 1}, "D1 = increment({}, 'Sx')")
    d2 = ex.increment(d1, "Sx")
    _expect_vector(d2, {"Sx": 2}, "D2 = increment(D1, 'Sx')")
    d3, d4 = ex.increment(d2, "Sy"), ex.increment(d2, "Sz")
    _expect_vector(d3, {"Sx": 2, "Sy": 1}, "D3 = increment(D2, 'Sy')")
    _expect_vector(d4, {"Sx": 2, "Sz": 1}, "D4 = increment(D2, 'Sz')")
    assert_equal(ex.compare(d2, d1), "after", "compare(D2, D1)")
    assert_equal(ex.compare(d3, d4), "concurrent", "compare(D3, D4)")
    # a node that holds D1 or D2 and receives D4 drops them: D4 descends
    v1, v2 = ("D1", {"Sx": 1}), ("D2", {"Sx": 2})
    v3, v4 = ("D3", {"Sx": 2, "Sy": 1}), ("D4", {"Sx": 2, "Sz": 1})
    assert_equal(ex.reconcile([v1, v2, v4]), [v4], "reconcile([D1, D2, D4])")
    # a node that holds D3 and receives D4 must keep both (siblings)
    assert_equal(ex.reconcile([v3, v4]), [v3, v4], "reconcile([D3, D4])")
    assert_equal(ex.reconcile([v1, v3, v2, v4]), [v3, v4],
                 "reconcile([D1, D3, D2, D4])")
    # a client reads both siblings and writes D5 through Sx
    d5 = ex.write_vector([v3[1], v4[1]], "Sx")
    _expect_vector(d5, {"Sx": 3, "Sy": 1, "Sz": 1}, "D5 = write_vector([D3, D4], 'Sx')")
    v5 = ("D5", {"Sx": 3, "Sy": 1, "Sz": 1})
    assert_equal(ex.reconcile([v3, v5, v4]), [v5], "reconcile([D3, D5, D4])")
    _expect_vector(ex.write_vector([], "Sq"), {"Sq": 1}, "write_vector([], 'Sq')")


@check("ex03_version_vectors", points=1, name="reconcile on random siblings")
def _(ex):
    assert_equal(ex.reconcile([]), [], "reconcile([])")
    same = [("first", {"A": 1}), ("second", {"A": 1, "B": 0})]
    assert_equal(ex.reconcile(same), [same[0]],
            "reconcile with two equal vectors (keep only the first)")
    rnd = random.Random(11)
    for _ in range(300):
        siblings = [(f"v{i}", _random_vector(rnd)) for i in range(rnd.randint(1, 6))]
        kept = reference_reconcile(
            Versioned(value, VersionVector.of(vector)) for value, vector in siblings)
        names = {item.value for item in kept}
        want = [pair for pair in siblings if pair[0] in names]
        assert_equal(ex.reconcile(siblings), want, f"reconcile({siblings})")


# ---- ex04_linearizable_by_hand -------------------------------------------------

INF = math.inf
# The checks' own copy of the exercise's HISTORIES, so that editing them in the
# exercise file changes nothing.
HISTORIES = {
    "h1": [Operation("A", ("write", 1), 0, None, 4),
           Operation("B", ("read", None), 1, 1, 2),
           Operation("C", ("read", None), 3, 0, 5)],
    "h2": [Operation("A", ("write", 1), 0, None, 4),
           Operation("B", ("read", None), 1, 0, 2),
           Operation("C", ("read", None), 3, 1, 5)],
    "h3": [Operation("A", ("write", 1), 0, None, 2),
           Operation("B", ("write", 2), 1, None, 3),
           Operation("C", ("read", None), 4, 1, 5)],
    "h4": [Operation("A", ("write", 1), 0, None, 2),
           Operation("B", ("write", 2), 3, None, 4),
           Operation("C", ("read", None), 5, 1, 6)],
    "h5": [Operation("A", ("write", 1), 0, None, 5),
           Operation("B", ("write", 2), 1, None, 6),
           Operation("C", ("read", None), 2, 2, 3),
           Operation("C", ("read", None), 4, 1, 7)],
    "h6": [Operation("A", ("write", 1), 0, None, 2),
           Operation("B", ("write", 2), 1, None, 3),
           Operation("C", ("read", None), 4, 2, 5),
           Operation("D", ("read", None), 6, 1, 7)],
    "h7": [Operation("A", ("write", 1), 0, None, INF),
           Operation("B", ("read", None), 1, 0, 2),
           Operation("C", ("read", None), 5, 1, 6)],
    "h8": [Operation("A", ("write", 1), 0, None, INF),
           Operation("B", ("read", None), 1, 1, 2),
           Operation("C", ("read", None), 3, 0, 4)],
}
MODEL = RegisterModel(initial=0)


def _check_verdicts(ex, names):
    got = ex.verdicts()
    if not isinstance(got, dict):
        raise AssertionError(f"verdicts() should return a dict, got {got!r}")
    missing = [n for n in names if n not in got]
    if missing:
        raise AssertionError(f"verdicts() has no entry for {', '.join(missing)}")
    for name in names:
        if not isinstance(got[name], bool):
            raise AssertionError(f"verdicts()[{name!r}] should be True or False, "
                                 f"got {got[name]!r}")
    if any(got[n] != bool(check_linearizable(HISTORIES[n], MODEL)) for n in names):
        # no count and no name: either would let a student probe for the answers
        raise AssertionError(
            f"the verdicts on {', '.join(names)} are not all right; for each "
            "history, try to place a linearization point in every bar, and for a "
            "False verdict say which read cannot be satisfied")


@check("ex04_linearizable_by_hand", points=1, name="verdicts on h1..h4")
def _(ex):
    _check_verdicts(ex, ["h1", "h2", "h3", "h4"])


@check("ex04_linearizable_by_hand", points=1, name="verdicts on h5..h8 (with pending)")
def _(ex):
    _check_verdicts(ex, ["h5", "h6", "h7", "h8"])


def _validate_order(history, order, what):
    """Fail unless `order` is a linearization of `history` (checked directly)."""
    if not isinstance(order, (list, tuple)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in order):
        raise AssertionError(f"{what} should be a list of positions, got {order!r}")
    if len(set(order)) != len(order) or not all(0 <= i < len(history) for i in order):
        raise AssertionError(f"{what} = {order}: positions must be distinct and in "
                             f"0..{len(history) - 1}")
    left_out = [i for i in range(len(history))
                if i not in order and not history[i].pending]
    if left_out:
        raise AssertionError(f"{what} = {order} leaves out completed operations "
                             f"{left_out}")
    for x, i in enumerate(order):
        for j in order[:x]:
            if history[i].return_time < history[j].call:
                raise AssertionError(
                    f"{what} = {order} puts {j} after {i}, but {i} returned "
                    f"before {j} was called")
    value = 0
    for i in order:
        op = history[i]
        if op.input[0] == "write":
            value = op.input[1]
        elif op.output != value:
            raise AssertionError(
                f"{what} = {order}: read {i} returned {op.output} but the "
                f"register holds {value} at that point of the order")


def _check_witness(ex, history, what):
    order = ex.witness_order(history)
    if check_linearizable(history, MODEL):
        if order is None:
            raise AssertionError(f"{what} returned None, but the history is "
                                 "linearizable")
        _validate_order(history, order, what)
    elif order is not None:
        raise AssertionError(f"{what} should be None (not linearizable), got {order!r}")


@check("ex04_linearizable_by_hand", points=2, name="witness_order on h1..h8")
def _(ex):
    for name, history in HISTORIES.items():
        _check_witness(ex, history, f"witness_order(HISTORIES[{name!r}])")
    order = ex.witness_order([])
    if order != [] and order != ():
        raise AssertionError(f"witness_order([]) should be [], got {order!r}")


# Intervals are closed: an operation returning at t and one called at t are
# concurrent (the convention of dsscale.consistency.Operation), so each of
# these is linearizable only by ordering the later-called operation first.
TOUCHING = {
    # read 0 at [2, 3] goes before write(1) at [0, 2]
    "write(1) [0, 2], read 0 [2, 3]": [Operation("A", ("write", 1), 0, None, 2),
                                       Operation("B", ("read", None), 2, 0, 3)],
    # write(2) at [2, 4] goes before write(1) at [0, 2], and the read sees 1
    "write(1) [0, 2], write(2) [2, 4], read 1 [5, 6]": [
        Operation("A", ("write", 1), 0, None, 2),
        Operation("B", ("write", 2), 2, None, 4),
        Operation("C", ("read", None), 5, 1, 6)],
}


@check("ex04_linearizable_by_hand", points=1,
       name="witness_order when one interval ends where another begins")
def _(ex):
    for name, history in TOUCHING.items():
        _check_witness(ex, history, f"witness_order([{name}])")


@check("ex04_linearizable_by_hand", points=1, name="witness_order on random histories")
def _(ex):
    for seed in range(40):
        # even seeds linearizable by construction, odd ones with a stale read
        # planted (seed 39 has no read to plant it in: it raises and is skipped)
        try:
            history = random_register_history(3, 7, seed, linearizable=seed % 2 == 0)
        except ValueError:
            continue
        _check_witness(ex, history,
                       f"witness_order(random_register_history(3, 7, {seed}, "
                       f"linearizable={seed % 2 == 0}))")
