"""The knobs of a Raft deployment, in one frozen record.

Times are in the units of the simulator's clock and are *local* durations
(see :mod:`~dsscale.replication.raft.clock`): a server whose clock runs at
rate ``r`` waits ``d / r`` of real time for a timer of ``d``. The defaults
suit the fault campaign's network (one-way delays of 0.5 plus an
exponential of mean 1.5; a fifth of the links five times slower): a
heartbeat every 2.5, elections after 10 to 20 without one.

The unsafe variants of :mod:`~dsscale.replication.raft.cluster` differ from
``RaftOptions()`` in one field each (or, for the forgotten vote, in the
server class).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dsscale._validate import check_float, check_int
from dsscale.replication.raft.clock import lease_duration
from dsscale.replication.raft.rules import Rules

__all__ = ["ReadMode", "RaftOptions"]

ReadMode = Literal["read-index", "lease", "any"]


@dataclass(frozen=True)
class RaftOptions:
    """How a Raft cluster behaves.

    Parameters
    ----------
    election_timeout : (float, float)
        A follower that hears from no leader for ``Uniform(low, high)`` (drawn
        afresh at every reset) starts an election. ``low`` is also the time a
        server that heard from a leader refuses to vote (thesis, 4.2.3).
    heartbeat_interval : float
        How often a leader sends ``AppendEntries`` to every follower; must be
        below ``election_timeout[0]``.
    reads : {"read-index", "lease", "any"}
        How a leader answers ``get``: confirm leadership with a heartbeat
        round first (ReadIndex, thesis 6.4), or within its lease without one
        (6.4.1), or -- unsafe -- any server answers from its own state.
    drift_bound : float
        Every server's clock runs at a rate within ``[1 - rho, 1 + rho]``.
    lease_drift_bound : float or None
        The drift the lease rule *assumes* (None: ``drift_bound``); the
        unsafe variant assumes 0.
    snapshot_threshold : int
        Compact the log once this many applied entries follow the snapshot.
    max_batch : int
        At most this many entries per ``AppendEntries``.
    client_retry : float
        A client that gets no answer for this long asks the next server.
    client_timeout : float
        A client gives up on an operation after this long (it is then
        recorded as pending, with unknown outcome).
    eager_noop : bool
        A new leader appends a no-op at once (the thesis, 6.4), so entries of
        earlier terms commit with it. If False, as in the paper, it appends
        one only when a read or a membership change needs an entry of its own
        term committed; entries of earlier terms then wait for the next entry
        of the new term -- unless the commit rule is the unsafe one.
    rules : Rules
        The vote and commit rules (see :mod:`~dsscale.replication.raft.rules`).
    """

    election_timeout: tuple[float, float] = (10.0, 20.0)
    heartbeat_interval: float = 2.5
    reads: ReadMode = "read-index"
    drift_bound: float = 0.2
    lease_drift_bound: float | None = None
    snapshot_threshold: int = 16
    max_batch: int = 8
    client_retry: float = 8.0
    client_timeout: float = 100.0
    eager_noop: bool = True
    rules: Rules = field(default_factory=Rules)

    def __post_init__(self) -> None:
        low, high = self.election_timeout
        check_float("election_timeout[0]", low, 0.0, strict_min=True)
        check_float("election_timeout[1]", high, low)
        check_float("heartbeat_interval", self.heartbeat_interval, 0.0, low,
                    strict_min=True, strict_max=True)
        if self.reads not in ("read-index", "lease", "any"):
            raise ValueError("reads must be one of 'read-index', 'lease', 'any', "
                             f"got {self.reads!r}")
        check_float("drift_bound", self.drift_bound, 0.0, 1.0, strict_max=True)
        if self.lease_drift_bound is not None:
            check_float("lease_drift_bound", self.lease_drift_bound, 0.0, 1.0,
                        strict_max=True)
        check_int("snapshot_threshold", self.snapshot_threshold, 1)
        check_int("max_batch", self.max_batch, 1)
        check_float("client_retry", self.client_retry, 0.0, strict_min=True)
        check_float("client_timeout", self.client_timeout, 0.0, strict_min=True)
        if not isinstance(self.rules, Rules):
            raise TypeError(f"rules must be a Rules, got {type(self.rules).__name__}")

    @property
    def lease(self) -> float:
        """The lease a leader takes after a majority acknowledges a round."""
        assumed = (self.drift_bound if self.lease_drift_bound is None
                   else self.lease_drift_bound)
        return lease_duration(self.election_timeout[0], assumed)
