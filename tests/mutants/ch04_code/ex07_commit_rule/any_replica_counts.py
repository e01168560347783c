"""Commits what the most up-to-date voter stores, not a majority."""
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
# # Exercise 4.7 — When may a Raft leader commit?
#
# A Raft leader keeps, for every voting member $k$, the index
# $\mathrm{match}_k$ of the last log entry it knows is stored there (for
# itself: its own last index). An entry stored on a majority survives any
# later election: the next leader needs a majority of votes, and some voter
# of that majority stores the entry and refuses a candidate without it.
#
# That argument has a hole, shown in Figure 8 of Ongaro and Ousterhout
# (USENIX ATC 2014): an entry of an *earlier term*, copied to a majority by a
# later leader, can still be overwritten, by a server whose last entry has a
# term between the two. Raft's rule therefore commits by counting only
# entries of the leader's **current term**; committing such an entry commits
# every entry before it too (they are in the same place on every server that
# stores it).
#
# Write the leader's commit rule. The grader checks cases, then plugs your
# function into the package's Raft server (`Rules(advance_commit_index=...)`,
# in the variant whose new leaders add no entry of their own at once) and
# runs a seeded campaign with an adversary that plays the three leaders of
# Figure 8; every history must be linearizable, and the same campaign must
# catch the rule that counts old-term entries.
# (Book: Chapter 4, "Raft and its campaign".)
#
# Grade with `dsscale grade ch04`.

# %%


def advance_commit_index(commit_index, current_term, match_indexes, log_terms):
    """The leader's new commit index.

    Find the largest index N such that a majority of the voting members
    store it (at least `len(match_indexes) // 2 + 1` of the `match_indexes`
    are `>= N`) and whose entry is of the current term (`log_terms[N] ==
    current_term`). Return N if it is larger than `commit_index`, otherwise
    return `commit_index` unchanged: the commit index never decreases.

    Parameters
    ----------
    commit_index : int
        The current commit index (>= 0).
    current_term : int
        The leader's term.
    match_indexes : sequence of int
        One per voting member, the leader's own last index included.
    log_terms : sequence of int
        `log_terms[i]` is the term of the leader's entry `i`, for
        `commit_index <= i < len(log_terms)`; smaller indices may be
        unavailable (compacted), so do not look below `commit_index`.
        Terms never decrease along the log.

    Returns
    -------
    int

    Examples
    --------
    >>> advance_commit_index(1, 2, [3, 3, 1], [0, 1, 2, 2])
    3
    """
    ### BEGIN SOLUTION
    needed = len(match_indexes) // 2 + 1
    best = commit_index
    for n in range(commit_index + 1, len(log_terms)):
        stored = len(match_indexes) if max(match_indexes) >= n else 0
        if stored >= needed and log_terms[n] == current_term:
            best = n
    return best
    ### END SOLUTION


# %% [markdown]
# Try it on Figure 8's moment (c): the leader of term 4 has copied the
# entry of term 2 at index 2 to a majority, but nothing of term 4 yet.

# %%
if __name__ == "__main__":
    terms = [0, 1, 2, 4]  # index 0 is the empty prefix
    print(advance_commit_index(1, 4, [3, 2, 2, 1, 1], terms))  # 1: must wait
    print(advance_commit_index(1, 4, [3, 3, 3, 1, 1], terms))  # 3: commits 2 and 3
