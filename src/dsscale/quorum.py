r"""Replication math: quorum availability and probabilistic staleness (PBS).

A key is stored on ``replication_factor`` replicas (N). A write is
acknowledged once ``write_quorum`` replicas (W) have it; a read asks
``read_quorum`` replicas (R) and returns the newest value among them.
If :math:`R + W > N` every read quorum meets every write quorum, so a read
sees the latest acknowledged write. Partial quorums (:math:`R + W \le N`) are
faster and more available but can return stale data; Bailis et al. quantify
how often ("Probabilistically Bounded Staleness for Practical Partial
Quorums", PVLDB 5(8), 2012).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from dsscale._validate import RNGLike, as_rng, check_array, check_int, check_quorums

__all__ = [
    "pbs_k_staleness_probability",
    "pbs_stale_probability",
    "quorum_availability",
    "simulate_pbs",
    "simulate_quorum_availability",
    "simulate_pbs_t_visibility",
    "zone_quorum_availability",
]


def quorum_availability(num_nodes: int, quorum_size: int,
                        failure_probability: ArrayLike) -> float | NDArray[np.float64]:
    r"""Probability that at least ``quorum_size`` of ``num_nodes`` nodes are up.

    With :math:`n` = ``num_nodes``, :math:`k` = ``quorum_size`` and each node
    down independently with probability :math:`p` = ``failure_probability``:

    .. math:: A(n, k, p) = \sum_{i=k}^{n} \binom{n}{i} (1 - p)^i \, p^{\,n-i}

    the upper tail of a Binomial(n, 1 - p), evaluated with
    ``scipy.stats.binom.sf`` (stable for large ``n``). A quorum system with
    quorums of size ``k`` can serve requests exactly when this event happens.

    Parameters
    ----------
    num_nodes : int
        Number of nodes, ``>= 1``.
    quorum_size : int
        Nodes needed, in ``1..num_nodes``.
    failure_probability : float or array_like
        Probability that each node is down, in ``[0, 1]``.

    Returns
    -------
    float or ndarray
        A float for a scalar ``failure_probability``, else an array of its shape.

    Examples
    --------
    >>> round(quorum_availability(3, 2, 0.1), 3)  # 3 * 0.9**2 * 0.1 + 0.9**3
    0.972

    References: e.g. D. Peleg and A. Wool, "The availability of quorum
    systems", Information and Computation 123(2), 1995.
    """
    n = check_int("num_nodes", num_nodes, 1)
    k = check_int("quorum_size", quorum_size)
    if not 1 <= k <= n:
        raise ValueError(f"quorum_size must be in 1..num_nodes ({n}), got {k}")
    p = check_array("failure_probability", failure_probability, 0.0, 1.0)
    result = np.asarray(stats.binom.sf(k - 1, n, 1.0 - p), dtype=np.float64)
    return float(result) if result.ndim == 0 else result


def simulate_quorum_availability(num_nodes: int, quorum_size: int,
                                 failure_probability: float, trials: int,
                                 rng: RNGLike) -> float:
    """Monte Carlo estimate of :func:`quorum_availability`.

    Each trial draws every node down independently with probability
    ``failure_probability`` and counts the trial available if at least
    ``quorum_size`` nodes are up. The estimate's standard error is
    :math:`\\sqrt{A (1 - A) / \\text{trials}}`.
    """
    n = check_int("num_nodes", num_nodes, 1)
    k = check_int("quorum_size", quorum_size)
    if not 1 <= k <= n:
        raise ValueError(f"quorum_size must be in 1..num_nodes ({n}), got {k}")
    p = float(check_array("failure_probability", failure_probability, 0.0, 1.0))
    trials = check_int("trials", trials, 1)
    up = as_rng(rng).random((trials, n)) >= p
    return float(np.mean(up.sum(axis=1) >= k))


def pbs_stale_probability(replication_factor: int, read_quorum: int,
                          write_quorum: int) -> float:
    r"""Probability that a read quorum misses the latest write entirely.

    With the :math:`W` replicas holding the write and the :math:`R` replicas
    read both chosen uniformly at random (Bailis et al. 2012, eq. 1):

    .. math:: p_s = \frac{\binom{N - W}{R}}{\binom{N}{R}}

    the chance that all :math:`R` replicas read come from the :math:`N - W`
    without the write. It is 0 exactly when :math:`R + W > N`.

    >>> pbs_stale_probability(3, 1, 1)  # C(2, 1) / C(3, 1)
    0.6666666666666666
    """
    n, r, w = check_quorums(replication_factor, read_quorum, write_quorum)
    return math.comb(n - w, r) / math.comb(n, r)


def pbs_k_staleness_probability(replication_factor: int, read_quorum: int,
                                write_quorum: int, versions: int) -> float:
    r"""Probability that a read is more than ``versions`` (k) versions stale.

    A read returns a value older than the last ``k`` writes only if its quorum
    misses each of them; with independently chosen write quorums (Bailis et
    al. 2012, eq. 2, PBS k-staleness):

    .. math:: P(\text{more than } k \text{ versions stale}) = p_s^{\,k}

    so the read is consistent within ``k`` versions with probability
    :math:`1 - p_s^k`. ``k = 1`` gives :func:`pbs_stale_probability`.
    """
    n, r, w = check_quorums(replication_factor, read_quorum, write_quorum)
    k = check_int("versions", versions, 1)
    return pbs_stale_probability(n, r, w) ** k


def simulate_pbs(replication_factor: int, read_quorum: int, write_quorum: int,
                 trials: int, rng: RNGLike) -> float:
    """Monte Carlo estimate of :func:`pbs_stale_probability`.

    Each trial picks a write quorum of W and a read quorum of R replicas
    uniformly at random and counts the read stale if they are disjoint. The
    estimate's standard error is
    :math:`\\sqrt{p_s (1 - p_s) / \\text{trials}}`.
    """
    n, r, w = check_quorums(replication_factor, read_quorum, write_quorum)
    trials = check_int("trials", trials, 1)
    gen = as_rng(rng)
    # A random rank per replica: the w (r) lowest ranks form the quorum.
    wrote = gen.random((trials, n)).argsort(axis=1).argsort(axis=1) < w
    read = gen.random((trials, n)).argsort(axis=1).argsort(axis=1) < r
    return float(np.mean(~np.any(wrote & read, axis=1)))


def simulate_pbs_t_visibility(replication_factor: int, read_quorum: int,
                              write_quorum: int, wait: ArrayLike, trials: int,
                              rng: RNGLike, *, write_mean: float = 1.0,
                              ack_mean: float = 1.0, read_mean: float = 1.0,
                              response_mean: float = 1.0
                              ) -> float | NDArray[np.float64]:
    r"""Probability that a read issued ``wait`` (t) after a write commits is stale.

    The WARS model of Bailis et al. (2012, section 4): the coordinator sends
    the write to all ``n`` replicas (one-way delay W), each acknowledges (A);
    the write commits at the ``w``-th acknowledgement, at time
    :math:`c = w\text{-th smallest}(W_i + A_i)`. A read starts at
    :math:`c + t`, reaches replica i after :math:`R_i` and its response comes
    back after :math:`S_i`; the read returns after the first ``r`` responses.
    Replica i answers with the new value iff :math:`W_i \le c + t + R_i`. The
    read is stale iff none of its first ``r`` responders has it. All delays
    are exponential with the given means.

    ``wait`` may be an array; every value reuses the same draws (common random
    numbers), so the estimate is non-increasing in ``wait``. With
    :math:`R + W > N` it is 0 for every ``wait >= 0``.
    """
    n, r, w = check_quorums(replication_factor, read_quorum, write_quorum)
    trials = check_int("trials", trials, 1)
    waits = check_array("wait", wait, 0.0, allow_inf=True)
    means = {}
    for name, value in (("write_mean", write_mean), ("ack_mean", ack_mean),
                        ("read_mean", read_mean), ("response_mean", response_mean)):
        means[name] = float(check_array(name, value, 0.0, strict_min=True))
    gen = as_rng(rng)
    write = gen.exponential(means["write_mean"], (trials, n))
    ack = gen.exponential(means["ack_mean"], (trials, n))
    read = gen.exponential(means["read_mean"], (trials, n))
    response = gen.exponential(means["response_mean"], (trials, n))
    commit = np.sort(write + ack, axis=1)[:, w - 1:w]
    responders = np.argsort(read + response, axis=1)[:, :r]
    write_first = np.take_along_axis(write, responders, axis=1)
    read_arrival = commit + np.take_along_axis(read, responders, axis=1)
    flat = waits.ravel()
    stale = np.array([
        np.mean(~np.any(write_first <= read_arrival + wait, axis=1))
        for wait in flat])
    return float(stale[0]) if waits.ndim == 0 else stale.reshape(waits.shape)


def zone_quorum_availability(replicas_per_zone: Sequence[int], quorum_size: int,
                             node_failure_probability: ArrayLike,
                             zone_failure_probability: ArrayLike = 0.0
                             ) -> float | NDArray[np.float64]:
    r"""Probability that a quorum can form when whole zones fail together.

    Replicas are spread over zones (availability zones, racks, power domains):
    zone z holds ``replicas_per_zone[z]`` = :math:`m_z` of them. Each zone is
    down with probability ``zone_failure_probability`` = q, taking all of its
    replicas with it; inside a zone that is up, each replica is down
    independently with probability ``node_failure_probability`` = p. The
    result is :math:`P(U \ge k)` for ``quorum_size`` k, where U, the number of
    replicas up, has the generating function

    .. math:: E[x^U] = \prod_z \bigl(q + (1 - q)\,(p + (1 - p)\,x)^{m_z}\bigr).

    With Z zones of m replicas each, conditioning on the number j of zones up
    gives the closed form

    .. math:: A = \sum_{j=0}^{Z} \binom{Z}{j} (1-q)^j q^{Z-j}
              \sum_{i=k}^{jm} \binom{jm}{i} (1-p)^i p^{\,jm-i},

    and q = 0 gives back :func:`quorum_availability`. The probabilities are
    computed by multiplying the zones' polynomials (exact, no sampling).

    Parameters
    ----------
    replicas_per_zone : sequence of int
        Replicas in each zone, each ``>= 1``; e.g. ``(2, 2, 2)`` for Aurora's
        six copies over three availability zones.
    quorum_size : int
        Replicas that must be up, in ``1..sum(replicas_per_zone)``.
    node_failure_probability : float or array_like
        p, in ``[0, 1]``.
    zone_failure_probability : float or array_like
        q, in ``[0, 1]``; broadcast against p.

    Returns
    -------
    float or ndarray
        A float when both probabilities are scalars, else an array of their
        broadcast shape.

    Examples
    --------
    >>> round(zone_quorum_availability((2, 2, 2), 4, 0.0, 0.1), 6)  # 2 of 3 zones
    0.972
    >>> independent = zone_quorum_availability((1, 1, 1), 2, 0.1)
    >>> math.isclose(independent, quorum_availability(3, 2, 0.1))
    True

    References: A. Verbitski et al., "Amazon Aurora: Design Considerations for
    High Throughput Cloud-Native Relational Databases", SIGMOD 2017 (quorums
    over three zones); D. Ford et al., "Availability in Globally Distributed
    Storage Systems", OSDI 2010 (correlated failures dominate).
    """
    if isinstance(replicas_per_zone, int | np.integer):
        raise TypeError("replicas_per_zone must be a sequence of ints, one per zone")
    sizes = [check_int("replicas_per_zone", m, 1) for m in replicas_per_zone]
    if not sizes:
        raise ValueError("replicas_per_zone must name at least one zone")
    total = sum(sizes)
    quorum_size = check_int("quorum_size", quorum_size)
    if not 1 <= quorum_size <= total:
        raise ValueError(f"quorum_size must be in 1..{total} (the number of "
                         f"replicas), got {quorum_size}")
    p = check_array("node_failure_probability", node_failure_probability, 0.0, 1.0)
    q = check_array("zone_failure_probability", zone_failure_probability, 0.0, 1.0)
    shape = np.broadcast_shapes(p.shape, q.shape)
    p_up = np.broadcast_to(1.0 - p, shape)[..., None]
    q_zone = np.broadcast_to(q, shape)[..., None]
    # pmf[..., i] = P(i replicas up), built one zone (one factor) at a time
    pmf: NDArray[np.float64] = np.ones(shape + (1,))
    for m in sizes:
        zone = np.asarray((1.0 - q_zone) * stats.binom.pmf(np.arange(m + 1), m, p_up),
                          dtype=np.float64)
        zone[..., :1] += q_zone
        grown = np.zeros(shape + (pmf.shape[-1] + m,))
        for i in range(m + 1):
            grown[..., i:i + pmf.shape[-1]] += pmf * zone[..., i:i + 1]
        pmf = grown
    result = np.clip(pmf[..., quorum_size:].sum(axis=-1), 0.0, 1.0)
    return float(result) if result.ndim == 0 else result
