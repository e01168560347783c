"""Checks for Chapter 5's CRDT exercise (trusted code: students do not edit this).

The reference is `dsscale.crdt.ORSet`; every history is drawn from a seeded
`random.Random`, so a failure replays exactly. The student's states are only
ever passed back to the student's functions.
"""

import random

from dsscale.crdt import ORSet
from dsscale.grading import assert_equal, check

REPLICAS = ("phone", "laptop", "tablet")
ELEMENTS = ("milk", "eggs", "bread", 3, (1, 2))


def _value(ex, state, what):
    got = ex.value(state)
    if got is None:
        raise AssertionError(f"{what}: value() returned None; did you forget "
                             "`return`?")
    try:
        return frozenset(got)
    except TypeError:
        raise AssertionError(f"{what}: value() should return a set of elements, "
                             f"got {type(got).__name__}") from None


def _history(ex, seed, steps=60):
    """Random adds, removes and merges on three replicas, checked at each step."""
    rnd = random.Random(seed)
    mine = [ex.empty() for _ in REPLICAS]
    ref = [ORSet() for _ in REPLICAS]
    log = []
    for _ in range(steps):
        i = rnd.randrange(3)
        roll = rnd.random()
        if roll < 0.4:
            element = rnd.choice(ELEMENTS)
            mine[i] = ex.add(mine[i], element, REPLICAS[i])
            ref[i] = ref[i].add(element, REPLICAS[i])
            log.append(f"{REPLICAS[i]} adds {element!r}")
        elif roll < 0.7:
            element = rnd.choice(ELEMENTS)
            mine[i] = ex.remove(mine[i], element)
            ref[i] = ref[i].remove(element)
            log.append(f"{REPLICAS[i]} removes {element!r}")
        else:
            j = rnd.randrange(3)
            mine[i] = ex.merge(mine[i], mine[j])
            ref[i] = ref[i].merge(ref[j])
            log.append(f"{REPLICAS[i]} merges {REPLICAS[j]}'s state")
        what = f"history seed {seed}, after step {len(log)} ({log[-1]})"
        assert_equal(_value(ex, mine[i], what), ref[i].value, f"{what}: value")
    return mine, ref


@check("ex07_orset", points=1, name="one replica behaves like a set")
def _(ex):
    state = ex.empty()
    assert_equal(_value(ex, state, "empty()"), frozenset(), "value(empty())")
    state = ex.add(state, "milk", "phone")
    state = ex.add(state, "eggs", "phone")
    state = ex.remove(state, "milk")
    assert_equal(_value(ex, state, "add milk, add eggs, remove milk"),
                 frozenset({"eggs"}), "value after add milk, add eggs, remove milk")
    state = ex.add(state, "milk", "phone")      # added again after a remove
    assert_equal(_value(ex, state, "... then add milk again"),
                 frozenset({"eggs", "milk"}), "value after adding milk again")
    state = ex.remove(state, "bread")           # absent: no effect
    assert_equal(_value(ex, state, "remove an absent element"),
                 frozenset({"eggs", "milk"}), "value after removing an absent element")


@check("ex07_orset", points=2,
       name="concurrent add wins; a remove only removes what it saw")
def _(ex):
    shared = ex.add(ex.empty(), "milk", "phone")
    removed = ex.remove(shared, "milk")          # the phone removes milk ...
    readded = ex.add(shared, "milk", "laptop")   # ... while the laptop adds it again
    for what, state in (("merge(removed, readded)", ex.merge(removed, readded)),
                        ("merge(readded, removed)", ex.merge(readded, removed))):
        assert_equal(_value(ex, state, what), frozenset({"milk"}),
                     f"value({what}) (the laptop's add was not observed by the "
                     "remove, so it wins)")
    both = ex.merge(removed, readded)
    gone = ex.remove(both, "milk")               # a remove that saw both adds
    assert_equal(_value(ex, ex.merge(gone, readded), "merge after removing both"),
                 frozenset(), "value after a remove that observed both adds, merged "
                 "with an older state")


@check("ex07_orset", points=2, name="random histories on three replicas")
def _(ex):
    for seed in range(40):
        _history(ex, seed)


@check("ex07_orset", points=2, name="merge laws on random states")
def _(ex):
    rnd = random.Random(77)
    for seed in range(20):
        states, _ = _history(ex, 1000 + seed, steps=30)
        a, b, c = (states[k] for k in rnd.sample(range(3), 3))
        what = f"states of history {1000 + seed}"
        assert_equal(_value(ex, ex.merge(a, b), what), _value(ex, ex.merge(b, a), what),
                     f"{what}: value(merge(a, b)) vs value(merge(b, a)) (commutative)")
        assert_equal(_value(ex, ex.merge(ex.merge(a, b), c), what),
                     _value(ex, ex.merge(a, ex.merge(b, c)), what),
                     f"{what}: merge(merge(a, b), c) vs merge(a, merge(b, c)) "
                     "(associative)")
        assert_equal(_value(ex, ex.merge(a, a), what), _value(ex, a, what),
                     f"{what}: value(merge(a, a)) vs value(a) (idempotent)")
        # a merged state must go on behaving: remove everything it holds
        merged = ex.merge(a, b)
        for element in ELEMENTS:
            merged = ex.remove(merged, element)
        assert_equal(_value(ex, ex.merge(merged, a), what), frozenset(),
                     f"{what}: a state that removed everything, merged with an "
                     "older one, should stay empty")
