"""Raft on the simulator: a replicated key-value store and how to break it.

Raft (D. Ongaro and J. Ousterhout, "In Search of an Understandable Consensus
Algorithm", USENIX ATC 2014) keeps a log of commands identical on a majority
of servers; every server applies the committed prefix to its own copy of a
state machine, here a key-value store. This package follows the paper's
Figure 2 and, for what the paper leaves out -- linearizable reads, leases,
membership changes, client sessions -- D. Ongaro's thesis, "Consensus:
Bridging Theory and Practice" (Stanford University, 2014).

**How to read it.** One module per concern, in this order:

==================  ===========================================================
module              what it holds
==================  ===========================================================
``messages``        the RPCs, log entries and commands (frozen records)
``log``             the log after a snapshot; Log Matching; configurations
``state_machine``   the key-value store and its client table (dedup by request)
``rules``           the vote and commit rules, as pure functions
``clock``           drifting local clocks; the longest safe lease
``options``         every knob of a deployment
``core``            state, durable fields, role changes, applying entries
``election``        timeouts, ``RequestVote``, one vote per term
``replication``     ``AppendEntries``, the consistency check, committing
``service``         client requests: writes, ReadIndex and lease reads
``snapshots``       compaction and ``InstallSnapshot``
``membership``      single-server changes (learners, one change at a time)
``server``          the concerns assembled: :class:`RaftServer`
``client``          :class:`RaftClient`: finds the leader, retries the same id
``admin``           :class:`RaftAdmin`: adds and removes servers
``cluster``         deployments and the named variants (safe and unsafe)
``nemesis``         targeted faults that expose each unsafe variant
``elections``       split votes: the formula and a measurement
``failover``        time from a leader crash to the next leader (Figure 16 of the paper)
``latency``         commit latency as an order statistic, and a measurement
``throughput``      clients in flight, per-entry cost and batches; measured
==================  ===========================================================

**What is checked, and how.** Role-level unit tests drive one server through
a fake network (``tests/test_raft_roles.py``). The fault campaigns of
:mod:`dsscale.faults` run every variant of :data:`VARIANTS` under seeded
crashes, restarts with durable state, partitions, loss, duplication and
reordering, and check each history with
:func:`~dsscale.consistency.check_linearizable`; the safe variants pass, the
unsafe ones (committing old-term entries by counting, forgetting the vote,
leases that ignore drift, reading from any server) are caught, some only by
the targeted campaigns of :mod:`~dsscale.replication.raft.nemesis`.

Examples
--------
>>> from dsscale.replication import deploy
>>> from dsscale.sim import FixedDelay, Link, Network
>>> net = Network(1, Link(FixedDelay(1.0)))
>>> history = deploy("raft", net, {"c0": [(20.0, ("put", "x", "a")),
...                                       (1.0, ("get", "x"))]})
>>> _ = net.run(until=100.0)
>>> [op.output for op in history]
[None, 'a']
"""

from dsscale.replication.raft.admin import RaftAdmin
from dsscale.replication.raft.client import RaftClient
from dsscale.replication.raft.clock import clock_rates, lease_duration
from dsscale.replication.raft.cluster import VARIANTS, RaftVariant, build_raft
from dsscale.replication.raft.elections import (
    first_election_split_probability,
    measure_split_votes,
    split_vote_probability,
    timeout_spread_for,
)
from dsscale.replication.raft.failover import (
    Failovers,
    mean_broadcast_time,
    measure_failover,
)
from dsscale.replication.raft.latency import (
    commit_latency_cdf,
    expected_commit_latency,
    measure_commit_latency,
)
from dsscale.replication.raft.log import RaftLog
from dsscale.replication.raft.nemesis import TARGETED, NemesisSpec, raft_nemesis
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.rules import (
    Rules,
    advance_commit_index,
    commit_by_counting,
    grant_vote,
)
from dsscale.replication.raft.server import ForgetfulRaftServer, RaftServer
from dsscale.replication.raft.state_machine import KVStateMachine
from dsscale.replication.raft.throughput import measure_throughput, raft_throughput

__all__ = [
    "TARGETED",
    "VARIANTS",
    "Failovers",
    "ForgetfulRaftServer",
    "KVStateMachine",
    "NemesisSpec",
    "RaftAdmin",
    "RaftClient",
    "RaftLog",
    "RaftOptions",
    "RaftServer",
    "RaftVariant",
    "Rules",
    "advance_commit_index",
    "build_raft",
    "clock_rates",
    "commit_latency_cdf",
    "commit_by_counting",
    "expected_commit_latency",
    "first_election_split_probability",
    "grant_vote",
    "lease_duration",
    "mean_broadcast_time",
    "measure_commit_latency",
    "measure_failover",
    "measure_split_votes",
    "measure_throughput",
    "raft_nemesis",
    "raft_throughput",
    "split_vote_probability",
    "timeout_spread_for",
]
