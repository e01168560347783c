r"""Raft's two safety rules, as pure functions a server plugs in.

A server never decides a vote or a commit inline: it calls the functions of
its :class:`Rules`. The defaults are the rules of Ongaro and Ousterhout
(USENIX ATC 2014, Figure 2 and section 5.4); the chapter's exercises replace
them with a student's version, and the unsafe variants with the classic
mistakes, and the fault campaign judges the result.

**Voting** (section 5.4.1). A server grants at most one vote per term, and
only to a candidate whose log is at least as *up to date* as its own:
comparing the last entries, the later term wins, and with equal last terms
the longer log wins. Since a leader needs a majority of votes and every
committed entry is on a majority, the winner holds every committed entry
(*Leader Completeness*).

**Committing** (section 5.4.2). A leader commits index :math:`N` once

.. math:: \bigl|\{k : \mathrm{match}_k \ge N\}\bigr| \ge \lfloor n/2 \rfloor + 1
          \quad\text{and}\quad \mathrm{term}(N) = \mathrm{currentTerm},

where :math:`\mathrm{match}_k` is the last index known to be replicated on
voting member :math:`k` (the leader's own last index for itself). Counting
replicas is *not* enough for an entry of an older term: Figure 8 of the paper
shows such an entry, stored on a majority, overwritten by a later leader.
Committing an entry of the current term commits everything before it too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "CommitRule",
    "Rules",
    "VoteRule",
    "advance_commit_index",
    "commit_by_counting",
    "grant_vote",
    "log_up_to_date",
    "majority",
]

VoteRule = Callable[..., bool]
CommitRule = Callable[[int, int, Sequence[int], Sequence[int]], int]


def majority(num_voters: int) -> int:
    """Smallest number of voters that is more than half: ``n // 2 + 1``.

    >>> majority(3), majority(4), majority(5)
    (2, 3, 3)
    """
    return num_voters // 2 + 1


def log_up_to_date(candidate_last_log_index: int, candidate_last_log_term: int,
                   last_log_index: int, last_log_term: int) -> bool:
    """Is the candidate's log at least as up to date as ours? (section 5.4.1)

    >>> log_up_to_date(1, 3, 5, 2)  # later last term wins, even if shorter
    True
    >>> log_up_to_date(4, 2, 5, 2)  # same last term: the longer log wins
    False
    """
    return (candidate_last_log_term, candidate_last_log_index) >= (
        last_log_term, last_log_index)


def grant_vote(current_term: int, voted_for: str | None, last_log_index: int,
               last_log_term: int, candidate_id: str, candidate_term: int,
               candidate_last_log_index: int, candidate_last_log_term: int) -> bool:
    """Whether to vote for ``candidate_id``'s ``RequestVote``.

    The server has already adopted ``candidate_term`` if it was larger, so
    ``candidate_term <= current_term``. Grant iff the request is of the
    current term, this server has not voted for someone else in it (a second
    request from the same candidate is granted again: the reply may have been
    lost), and the candidate's log is at least as up to date.

    Examples
    --------
    >>> grant_vote(3, None, 5, 2, "b", 3, 5, 2)
    True
    >>> grant_vote(3, "a", 5, 2, "b", 3, 5, 2)  # already voted for a
    False
    >>> grant_vote(3, None, 5, 2, "b", 2, 9, 2)  # stale term
    False
    """
    return (candidate_term == current_term
            and voted_for in (None, candidate_id)
            and log_up_to_date(candidate_last_log_index, candidate_last_log_term,
                               last_log_index, last_log_term))


def advance_commit_index(commit_index: int, current_term: int,
                         match_indexes: Sequence[int],
                         log_terms: Sequence[int]) -> int:
    """The leader's new commit index (section 5.4.2).

    Parameters
    ----------
    commit_index : int
        The current commit index; the result is never smaller.
    current_term : int
        The leader's term.
    match_indexes : sequence of int
        One per voting member, the leader's own last log index included.
    log_terms : sequence of int
        ``log_terms[i]`` is the term of the leader's entry ``i``, for
        ``commit_index <= i < len(log_terms)`` (earlier ones may be compacted).

    Examples
    --------
    >>> advance_commit_index(1, 3, [4, 4, 1], [0, 1, 2, 3, 3])
    4
    >>> advance_commit_index(1, 3, [4, 2, 1], [0, 1, 2, 3, 3])  # 2 is of term 2
    1
    """
    replicated = sorted(match_indexes, reverse=True)[majority(len(match_indexes)) - 1]
    if replicated > commit_index and log_terms[replicated] == current_term:
        return replicated
    return commit_index


def commit_by_counting(commit_index: int, current_term: int,
                       match_indexes: Sequence[int], log_terms: Sequence[int]) -> int:
    """UNSAFE: commit whatever a majority stores, whatever its term (Figure 8)."""
    replicated = sorted(match_indexes, reverse=True)[majority(len(match_indexes)) - 1]
    return max(commit_index, replicated)


@dataclass(frozen=True)
class Rules:
    """The voting and commit rules a server uses (defaults: Raft's)."""

    grant_vote: VoteRule = grant_vote
    advance_commit_index: CommitRule = advance_commit_index
