"""Treats an equally up-to-date log as less up to date (> for >=)."""
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
# # Exercise 4.6 — The vote-granting rule of Raft
#
# A Raft candidate becomes leader when a majority of the servers vote for
# it. Two rules about a single vote make that safe (Ongaro and Ousterhout,
# "In Search of an Understandable Consensus Algorithm", USENIX ATC 2014,
# sections 5.2 and 5.4.1):
#
# * **one vote per term**: two majorities share a server, so if every
#   server votes at most once in a term, at most one leader is elected in it;
# * **only for an up-to-date log**: every committed entry is stored on a
#   majority, so if voters refuse candidates whose log is *less up to date*
#   than their own, the winner holds every committed entry.
#
# Write both rules as plain functions. The grader checks them on cases,
# then plugs your `grant_vote` into the package's Raft server
# (`dsscale.replication.raft`, option `Rules(grant_vote=...)`) and runs a
# seeded fault campaign -- crashes, partitions, loss, duplication and an
# adversary that crashes voters right after they vote -- checking every
# history with `dsscale.consistency.check_linearizable`.
# (Book: Chapter 4, "Raft and its campaign".)
#
# Grade with `dsscale grade ch04`.

# %%


def log_up_to_date(candidate_last_log_index, candidate_last_log_term,
                   last_log_index, last_log_term):
    """Is the candidate's log at least as up to date as this server's?

    A log is described by its last entry: its index and its term (index 0
    and term 0 for an empty log). Compare the terms of the last entries
    first: the later term is more up to date. If those terms are equal, the
    longer log is more up to date. Equal logs count as up to date.

    Parameters
    ----------
    candidate_last_log_index, candidate_last_log_term : int
        The candidate's last entry.
    last_log_index, last_log_term : int
        This server's last entry.

    Returns
    -------
    bool

    Examples
    --------
    >>> log_up_to_date(3, 2, 3, 2)
    True
    """
    ### BEGIN SOLUTION
    if candidate_last_log_term != last_log_term:
        return candidate_last_log_term > last_log_term
    return candidate_last_log_index > last_log_index
    ### END SOLUTION


def grant_vote(current_term, voted_for, last_log_index, last_log_term,
               candidate_id, candidate_term, candidate_last_log_index,
               candidate_last_log_term):
    """Should this server grant its vote for a `RequestVote`?

    The server has already moved to the candidate's term if that was newer,
    so `candidate_term <= current_term` always holds here.

    Grant the vote (return True) exactly when all three hold:

    1. the request is of the current term (`candidate_term ==
       current_term`); an older request gets no vote;
    2. this server has not voted for anybody else in this term: `voted_for`
       is None, or is `candidate_id` itself (the candidate asks again when
       the first answer was lost: the answer must be the same);
    3. the candidate's log is at least as up to date as this server's
       (`log_up_to_date`).

    Parameters
    ----------
    current_term : int
        This server's term.
    voted_for : str or None
        Whom this server voted for in `current_term` (None: nobody yet).
    last_log_index, last_log_term : int
        This server's last log entry.
    candidate_id : str
    candidate_term : int
    candidate_last_log_index, candidate_last_log_term : int
        The request's fields.

    Returns
    -------
    bool

    Examples
    --------
    >>> grant_vote(4, None, 7, 3, "b", 4, 7, 3)
    True
    """
    ### BEGIN SOLUTION
    return (candidate_term == current_term
            and voted_for in (None, candidate_id)
            and log_up_to_date(candidate_last_log_index, candidate_last_log_term,
                               last_log_index, last_log_term))
    ### END SOLUTION


# %% [markdown]
# Try it: a three-server Raft cluster with your rule elects one leader.

# %%
if __name__ == "__main__":
    from dsscale.replication.raft import RaftOptions, RaftServer, Rules
    from dsscale.sim import FixedDelay, Link, Network

    net = Network(0, Link(FixedDelay(1.0)))
    options = RaftOptions(rules=Rules(grant_vote=grant_vote))
    names = ("a", "b", "c")
    net.add(*(RaftServer(n, names, options, rng=i) for i, n in enumerate(names)))
    net.run(until=60.0)
    for n in names:
        node = net.nodes[n]
        print(n, node.role, "term", node.current_term, "voted for", node.voted_for)
