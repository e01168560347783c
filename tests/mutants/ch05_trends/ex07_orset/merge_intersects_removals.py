"""Merges tombstones by intersection: a remove is undone by merging a state that has not seen it."""
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
# # Exercise 5.7 — An observed-remove set
#
# Replicas of a set accept `add` and `remove` offline and exchange their states
# later, in any order, possibly twice. An OR-set (Shapiro et al., INRIA
# RR-7506, 2011) converges anyway: every add creates a unique tag, a remove
# deletes the tags of the element that its replica has *seen*, and two states
# merge by union. An element is present iff one of its tags has not been
# removed, so an add concurrent with a remove wins.
#
# Represent a state however you like (tuples, frozensets, a small class): the
# checks only call the five functions below, on seeded random histories of
# three replicas, and compare `value` with a reference after every step. Never
# modify a state in place: every function returns a new one.
# (Book: Chapter 5, "CRDTs and local-first software",
# `book/ch05_trends/crdts_local_first.md`.)
#
# Grade with `dsscale grade ch05`.

# %%


def empty():
    """The state of a new, empty set."""
    ### BEGIN SOLUTION
    return (frozenset(), frozenset())  # (tagged adds, removed tags)
    ### END SOLUTION


def add(state, element, replica):
    """`replica` (a str) adds `element`; return the new state.

    The tag must be unique across all replicas and all time: e.g.
    (replica, n) where n is one more than the number of tags `replica` has
    already created in this state.
    """
    ### BEGIN SOLUTION
    adds, removed = state
    seq = 1 + sum(1 for _, r, _ in adds if r == replica)
    return (adds | {(element, replica, seq)}, removed)
    ### END SOLUTION


def remove(state, element):
    """Remove `element` as this replica has observed it; return the new state.

    Only the tags of `element` present in `state` are removed: an add made
    elsewhere and not yet merged here survives. Removing an absent element
    changes nothing.
    """
    ### BEGIN SOLUTION
    adds, removed = state
    return (adds, removed | {(r, s) for e, r, s in adds if e == element})
    ### END SOLUTION


def merge(a, b):
    """The least upper bound of two states: commutative, associative,
    idempotent."""
    ### BEGIN SOLUTION
    return (a[0] | b[0], a[1] & b[1])
    ### END SOLUTION


def value(state):
    """The elements present, as a frozenset."""
    ### BEGIN SOLUTION
    adds, removed = state
    return frozenset(e for e, r, s in adds if (r, s) not in removed)
    ### END SOLUTION


# %% [markdown]
# Try it: the phone removes "milk" while the laptop, offline, adds it again.

# %%
if __name__ == "__main__":
    shared = add(empty(), "milk", "phone")
    phone = remove(shared, "milk")
    laptop = add(shared, "milk", "laptop")
    print("phone:", value(phone), " laptop:", value(laptop),
          " merged:", value(merge(phone, laptop)))
