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
# # Exercise 4.9 — Why does this Raft lose acknowledged writes?
#
# A team wrote a Raft follower whose `AppendEntries` handler, once the
# consistency check has passed (the follower's log holds the leader's entry
# at `prev_index`), stores the leader's entries like this:
#
# ```python
# def merge_entries(log, prev_index, entries):
#     del log[prev_index:]          # drop everything after prev_index
#     log.extend(entries)           # and put the leader's entries there
#     return prev_index + len(entries)
# ```
#
# (`log[0]` is the entry at index 1, and so on.) It passes every test they
# wrote, and most fault-injection runs. Yet now and then a write that a
# client saw acknowledged is gone.
#
# 1. Find a failing seed: `campaign(buggy_merge_entries, seeds)` below runs
#    the package's Raft with this handler under a seeded fault campaign
#    (crashes, partitions, loss, duplication, reordering, and an adversary
#    that crashes servers right after they vote and deposes leaders now and
#    then) and returns the seeds whose history broke linearizability or lost
#    a write. `replay_seed(buggy_merge_entries, seed)` re-runs one with its
#    full trace (`result.network.format_trace()`), and
#    `shrink_history(result.history, KVModel())` cuts its history down to a
#    handful of operations that cannot be linearized.
# 2. Explain what goes wrong. (Which messages can a follower receive after
#    it has acknowledged entries, and in what order? What did the leader
#    conclude from the acknowledgement?)
# 3. Write a correct `merge_entries`. Raft's rule (Ongaro and Ousterhout,
#    USENIX ATC 2014, Figure 2): *if an existing entry conflicts with a new
#    one (same index but different terms), delete the existing entry and
#    all that follow it; append any new entries not already in the log.*
#
# The grader checks your function on cases, then runs the campaign with it
# (every history must be linearizable and keep every acknowledged write),
# and confirms that the same campaign catches the handler above.
# (Book: Chapter 4, "Raft and its campaign".)
#
# Grade with `dsscale grade ch04`.

# %%
from dsscale.consistency import KVModel, shrink_history
from dsscale.faults import FaultPlan, replay, run_seed
from dsscale.replication.client import Workload
from dsscale.replication.protocols import PROTOCOLS, Deployment, ProtocolSpec
from dsscale.replication.raft import (
    RaftLog,
    RaftOptions,
    RaftServer,
    RaftVariant,
    build_raft,
)
from dsscale.replication.raft.nemesis import raft_nemesis


def buggy_merge_entries(log, prev_index, entries):
    """The team's version (see above)."""
    del log[prev_index:]
    log.extend(entries)
    return prev_index + len(entries)


def merge_entries(log, prev_index, entries):
    """Store the leader's `entries` at indices `prev_index + 1, ...`.

    Parameters
    ----------
    log : list
        The follower's log; `log[i - 1]` is the entry at index `i`. Each entry
        has a `.term` attribute. Change the list in place.
    prev_index : int
        0 <= prev_index <= len(log); the caller has checked that the
        follower's entry at `prev_index` matches the leader's.
    entries : sequence
        The leader's entries for indices `prev_index + 1, ...`, in order.

    Rules
    -----
    * An entry already in the log with the same index and the same term as
      the leader's is the same entry: keep it (and everything after it that
      also matches).
    * At the first index where the terms differ, delete that entry and every
      entry after it, then append the rest of the leader's entries.
    * Leader's entries beyond the end of the log are appended.
    * Entries after the last of the leader's `entries` are kept unless a
      conflict was found: a message may be an old, shorter copy.

    Returns
    -------
    int
        `prev_index + len(entries)`: the last index now known to match the
        leader's log (the follower reports it in its reply).
    """
    raise NotImplementedError("your code here")


# %% [markdown]
# The plumbing: a Raft log that stores entries with a given function, and
# the campaign. (You need not change anything below.)

# %%
WORKLOAD = Workload(keys=("x", "y", "z"))
FAULTS = FaultPlan(nemesis=raft_nemesis("crash-voter"))
OPTIONS = RaftOptions(snapshot_threshold=10**9)  # no compaction: log[i - 1]


def _protocol(merge, name):
    class Log(RaftLog):
        def merge(self, prev_index, entries):
            return merge(self.entries, prev_index, tuple(entries))

    class Server(RaftServer):
        def init_state(self):
            super().init_state()
            log = Log()
            log.entries = self.log.entries
            self.log = log

    variant = RaftVariant(name, True, "linearizable", OPTIONS, Server)

    def build(net, client_ids, num_replicas=3, options=None):
        servers, others, make_client = build_raft(net, variant, 3)
        return Deployment(servers, others, make_client)

    PROTOCOLS[name] = ProtocolSpec(name, True, "linearizable", build)
    return name


def campaign(merge, seeds):
    """The seeds (of `seeds`) whose run broke a property."""
    name = _protocol(merge, "ex09-campaign")
    return [s for s in seeds
            if run_seed(name, s, workload=WORKLOAD, faults=FAULTS).violations]


def replay_seed(merge, seed):
    """One seed again, with the full trace recorded."""
    return replay(_protocol(merge, "ex09-replay"), seed, workload=WORKLOAD,
                  faults=FAULTS)


if __name__ == "__main__":
    failing = campaign(buggy_merge_entries, range(40))
    print("failing seeds with the team's handler:", failing)
    if failing:
        result = replay_seed(buggy_merge_entries, failing[0])
        print(result.violations)
        for op in shrink_history(result.history, KVModel()):
            print(op)
    print("with yours:", campaign(merge_entries, range(40)))
