r"""Commit latency of leader-based replication over a wide area.

A leader replicates each entry to the other replicas and commits once a
*replication quorum* of q replicas, itself included, has stored it. Sending
to every replica at once, it hears the i-th acknowledgement after the i-th
smallest round trip, so with the round trips :math:`r_{\ell j}` from leader
:math:`\ell` (and :math:`r_{\ell\ell} = 0` for itself) sorted,

.. math:: L(\ell) = r_{\ell, (q)}, \qquad q = \lfloor n/2 \rfloor + 1

for a majority of n replicas: the round trip to the q-th nearest replica,
leader included. A client at site c pays its own round trip on top,
:math:`r_{c\ell} + L(\ell)`. Flexible Paxos (Howard, Malkhi and Spiegelman,
OPODIS 2016) shows that only a leader-election quorum :math:`q_1` and a
replication quorum :math:`q_2` need to intersect, :math:`q_1 + q_2 > n`, so
commits may use a smaller :math:`q_2` and pay for it at election time.
Spanner (Corbett et al., OSDI 2012) adds a *commit wait* of :math:`2\varepsilon`
for clock uncertainty :math:`\varepsilon`, overlapped with replication.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsscale._validate import check_array, check_float, check_int

__all__ = [
    "best_leader",
    "client_latency_ms",
    "commit_latency_ms",
    "commit_wait_ms",
    "election_latency_ms",
    "flexible_quorums",
    "majority",
    "spanner_commit_latency_ms",
    "truetime_epsilon_ms",
]


def majority(num_replicas: int) -> int:
    """Smallest majority of ``num_replicas``: ``num_replicas // 2 + 1``.

    Examples
    --------
    >>> [majority(n) for n in (1, 2, 3, 4, 5)]
    [1, 2, 2, 3, 3]
    """
    return check_int("num_replicas", num_replicas, 1) // 2 + 1


def _check_rtt(rtt_ms: ArrayLike) -> NDArray[np.float64]:
    rtt = check_array("rtt_ms", rtt_ms, 0.0)
    if rtt.ndim != 2 or rtt.shape[0] != rtt.shape[1] or rtt.shape[0] < 1:
        raise ValueError(f"rtt_ms must be a square matrix, got shape {rtt.shape}")
    if np.any(np.diag(rtt) != 0.0):
        raise ValueError("rtt_ms must have a zero diagonal (a replica to itself)")
    return rtt


def _check_site(name: str, site: int, num_replicas: int) -> int:
    return check_int(name, site, 0, num_replicas - 1)


def _check_quorum(name: str, quorum: int | None, num_replicas: int) -> int:
    if quorum is None:
        return majority(num_replicas)
    return check_int(name, quorum, 1, num_replicas)


def commit_latency_ms(rtt_ms: ArrayLike, leader: int,
                      write_quorum: int | None = None) -> float:
    r"""Time from proposal to commit at ``leader``: the q-th smallest round trip.

    .. math:: L(\ell) = r_{\ell, (q)}

    the q-th order statistic of row :math:`\ell` of ``rtt_ms``, whose zero
    diagonal entry stands for the leader's own copy. ``write_quorum`` q
    defaults to a majority.

    Parameters
    ----------
    rtt_ms : (n, n) array
        Round trips between replicas (e.g. :func:`~dsscale.geo.rtt_matrix_ms`).
    leader : int
        Index of the leader's site, in ``0..n-1``.
    write_quorum : int, optional
        Replicas (leader included) that must store an entry, in ``1..n``.

    Examples
    --------
    >>> rtt = [[0, 10, 70], [10, 0, 65], [70, 65, 0]]
    >>> commit_latency_ms(rtt, 0), commit_latency_ms(rtt, 2)
    (10.0, 65.0)
    >>> commit_latency_ms(rtt, 0, write_quorum=3)
    70.0

    References: D. Ongaro and J. Ousterhout, "In Search of an Understandable
    Consensus Algorithm", USENIX ATC 2014 (commit on a majority).
    """
    rtt = _check_rtt(rtt_ms)
    n = rtt.shape[0]
    leader = _check_site("leader", leader, n)
    q = _check_quorum("write_quorum", write_quorum, n)
    return float(np.sort(rtt[leader])[q - 1])


def election_latency_ms(rtt_ms: ArrayLike, candidate: int,
                        election_quorum: int) -> float:
    """Time for ``candidate`` to collect ``election_quorum`` votes, itself included.

    The same order statistic as :func:`commit_latency_ms`, for the phase-1
    quorum :math:`q_1` of Flexible Paxos.
    """
    rtt = _check_rtt(rtt_ms)
    n = rtt.shape[0]
    candidate = _check_site("candidate", candidate, n)
    q1 = check_int("election_quorum", election_quorum, 1, n)
    return float(np.sort(rtt[candidate])[q1 - 1])


def flexible_quorums(num_replicas: int) -> list[tuple[int, int]]:
    r"""Every smallest safe (election quorum, write quorum) pair for n replicas.

    Flexible Paxos needs :math:`q_1 + q_2 > n`; the smallest election quorum
    for a write quorum :math:`q_2` is :math:`q_1 = n - q_2 + 1`.

    Examples
    --------
    >>> flexible_quorums(5)
    [(5, 1), (4, 2), (3, 3), (2, 4), (1, 5)]

    References: H. Howard, D. Malkhi and A. Spiegelman, "Flexible Paxos:
    Quorum Intersection Revisited", OPODIS 2016.
    """
    n = check_int("num_replicas", num_replicas, 1)
    return [(n - q2 + 1, q2) for q2 in range(1, n + 1)]


def client_latency_ms(rtt_ms: ArrayLike, leader: int,
                      client_weights: ArrayLike | None = None,
                      write_quorum: int | None = None) -> float:
    r"""Mean latency of a write from clients spread over the replicas' sites.

    A client at site c sends to the leader, waits for the commit and gets the
    reply, :math:`r_{c\ell} + L(\ell)`; averaged with weights :math:`w_c`
    (the share of writes from site c, normalised to sum to 1):

    .. math:: C(\ell) = \sum_c w_c\, r_{c\ell} + L(\ell)

    ``client_weights`` None means every client sits at the leader's site, so
    the result is :func:`commit_latency_ms`.
    """
    rtt = _check_rtt(rtt_ms)
    commit = commit_latency_ms(rtt, leader, write_quorum)
    if client_weights is None:
        return commit
    weights = check_array("client_weights", client_weights, 0.0)
    if weights.shape != (rtt.shape[0],) or weights.sum() <= 0:
        raise ValueError(f"client_weights must be {rtt.shape[0]} non-negative "
                         f"numbers with a positive sum, got {weights.tolist()}")
    return float(weights @ rtt[:, leader] / weights.sum()) + commit


def best_leader(rtt_ms: ArrayLike, client_weights: ArrayLike | None = None,
                write_quorum: int | None = None) -> int:
    """Site that minimises :func:`client_latency_ms`; ties go to the lowest index.

    Examples
    --------
    >>> rtt = [[0, 10, 70], [10, 0, 65], [70, 65, 0]]
    >>> best_leader(rtt), best_leader(rtt, client_weights=[0, 0, 1])
    (0, 2)
    """
    rtt = _check_rtt(rtt_ms)
    costs = [client_latency_ms(rtt, leader, client_weights, write_quorum)
             for leader in range(rtt.shape[0])]
    return int(np.argmin(costs))


def commit_wait_ms(clock_uncertainty_ms: float) -> float:
    r"""Spanner's commit wait: :math:`2\varepsilon` for uncertainty :math:`\varepsilon`.

    The leader gives a transaction the timestamp
    :math:`s = \text{TT.now().latest} = t + \delta + \varepsilon` (true time t,
    clock error :math:`|\delta| \le \varepsilon`) and releases it once
    :math:`\text{TT.now().earliest} = t' + \delta - \varepsilon \ge s`, that is
    at :math:`t' = t + 2\varepsilon`, whatever :math:`\delta` is. Then s lies in
    the past of every observer, which makes timestamp order agree with real
    time (external consistency).

    References: J. C. Corbett et al., "Spanner: Google's Globally-Distributed
    Database", OSDI 2012, section 4.1.2.
    """
    return 2.0 * check_float("clock_uncertainty_ms", clock_uncertainty_ms, 0.0)


def spanner_commit_latency_ms(replication_ms: float,
                              clock_uncertainty_ms: float) -> float:
    r"""Commit latency when the commit wait overlaps replication.

    .. math:: L_{\text{Spanner}} = \max(L, 2\varepsilon)

    Both start when the timestamp is chosen; the commit is released when both
    have finished.
    """
    replication = check_float("replication_ms", replication_ms, 0.0)
    return max(replication, commit_wait_ms(clock_uncertainty_ms))



def truetime_epsilon_ms(seconds_since_poll: ArrayLike, *, base_ms: float = 1.0,
                        drift_us_per_s: float = 200.0) -> float | NDArray[np.float64]:
    r"""TrueTime's uncertainty :math:`\varepsilon` a time :math:`\tau` after a poll.

    Right after a poll the uncertainty is what the poll itself could not
    resolve (``base_ms``: the time masters' own error and the message delay to
    them). Between polls the local clock may drift at up to the assumed
    worst-case rate, so the bound grows linearly:

    .. math:: \varepsilon(\tau) = \varepsilon_0 + \rho\,\tau

    with :math:`\rho` = ``drift_us_per_s`` (microseconds per second). Polling
    every P seconds gives a sawtooth between :math:`\varepsilon_0` and
    :math:`\varepsilon_0 + \rho P`, whose time average is the midpoint.

    >>> truetime_epsilon_ms(30.0)   # Spanner: 1 ms + 200 us/s * 30 s
    7.0

    References: J. C. Corbett et al., "Spanner: Google's Globally-Distributed
    Database", OSDI 2012, section 3 (30 s polls, 200 us/s, sawtooth 1-7 ms).
    """
    tau = check_array("seconds_since_poll", seconds_since_poll, 0.0)
    base = check_float("base_ms", base_ms, 0.0)
    drift = check_float("drift_us_per_s", drift_us_per_s, 0.0)
    out = base + drift * 1e-3 * tau
    return float(out) if out.ndim == 0 else np.asarray(out, dtype=np.float64)
