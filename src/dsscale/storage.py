r"""Disaggregated storage: which resource bounds throughput, and quorums over zones.

A database whose compute nodes keep no data sends every write (and every
cache miss) over the network to a storage service. Each operation then makes
a *demand* on three resources: CPU on the compute node, bytes on the network,
and I/Os on the storage service. If an operation needs :math:`d_i` units of
resource i, which can deliver :math:`c_i` units per second, its *service
demand* is :math:`D_i = d_i / c_i` seconds, and resource i is busy a fraction
:math:`U_i = X D_i` of the time at throughput X (the utilisation law). Since
no :math:`U_i` exceeds 1,

.. math:: X \le \min_i \frac{1}{D_i} = \min\Bigl(\frac{c_\text{cpu}}{d_\text{cpu}},
          \frac{c_\text{net}}{d_\text{net}}, \frac{c_\text{io}}{d_\text{io}}\Bigr),

and with N operations in flight, each taking at least :math:`\sum_i D_i`,
also :math:`X \le N / \sum_i D_i` (Little's law). Mean value analysis gives
the exact throughput in between for exponential service (Reiser and
Lavenberg, JACM 1980); :func:`simulate_closed_network` measures it.

Aurora (Verbitski et al., SIGMOD 2017) ships only redo log records to six
storage replicas, two in each of three availability zones, and writes to 4 of
the 6 and reads from 3. The zone arithmetic is in
:func:`dsscale.quorum.zone_quorum_availability`; :func:`worst_case_survives`
and :func:`simulate_zone_availability` are its deterministic and Monte Carlo
counterparts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsscale._validate import RNGLike, as_rng, check_array, check_float, check_int

__all__ = [
    "AURORA_READ_QUORUM",
    "AURORA_REPLICAS_PER_ZONE",
    "AURORA_WRITE_QUORUM",
    "ClosedNetworkRun",
    "ThroughputBounds",
    "mva_throughput",
    "simulate_closed_network",
    "simulate_zone_availability",
    "throughput_bounds",
    "worst_case_survives",
]

#: Aurora's layout: six copies, two in each of three availability zones.
AURORA_REPLICAS_PER_ZONE = (2, 2, 2)
#: Aurora's write quorum (4 of 6) and read quorum (3 of 6).
AURORA_WRITE_QUORUM = 4
AURORA_READ_QUORUM = 3


@dataclass(frozen=True)
class ThroughputBounds:
    """Operations per second each resource could sustain on its own."""

    compute: float
    network: float
    storage: float

    @property
    def throughput(self) -> float:
        """The bound on throughput: the smallest of the three."""
        return min(self.compute, self.network, self.storage)

    @property
    def bottleneck(self) -> str:
        """Name of the resource that sets the bound (first one on a tie)."""
        bounds = {"compute": self.compute, "network": self.network,
                  "storage": self.storage}
        return min(bounds, key=bounds.__getitem__)

    @property
    def service_demands(self) -> NDArray[np.float64]:
        """Seconds of each resource per operation, :math:`D_i = 1/X_i`."""
        return 1.0 / np.array([self.compute, self.network, self.storage])


def throughput_bounds(cpu_seconds_per_op: float, num_cores: int,
                      network_bytes_per_op: float, network_bytes_per_second: float,
                      storage_ios_per_op: float,
                      storage_ios_per_second: float) -> ThroughputBounds:
    r"""Throughput each of compute, network and storage allows on its own.

    .. math:: X_\text{cpu} = \frac{\text{cores}}{d_\text{cpu}}, \quad
              X_\text{net} = \frac{B}{d_\text{net}}, \quad
              X_\text{io} = \frac{\text{IOPS}}{d_\text{io}}

    and the system's throughput is at most their minimum (the utilisation
    law). A zero demand puts no bound on that resource (infinity).

    Examples
    --------
    >>> b = throughput_bounds(0.0004, 32, 66_000, 1.25e9, 5, 100_000)
    >>> round(b.compute), round(b.network), round(b.storage), b.bottleneck
    (80000, 18939, 20000, 'network')

    References: P. J. Denning and J. P. Buzen, "The Operational Analysis of
    Queueing Network Models", ACM Computing Surveys 10(3), 1978.
    """
    cpu = check_float("cpu_seconds_per_op", cpu_seconds_per_op, 0.0)
    cores = check_int("num_cores", num_cores, 1)
    net = check_float("network_bytes_per_op", network_bytes_per_op, 0.0)
    bandwidth = check_float("network_bytes_per_second", network_bytes_per_second,
                            0.0, strict_min=True)
    ios = check_float("storage_ios_per_op", storage_ios_per_op, 0.0)
    iops = check_float("storage_ios_per_second", storage_ios_per_second, 0.0,
                       strict_min=True)
    if cpu == net == ios == 0.0:
        raise ValueError("at least one of cpu_seconds_per_op, network_bytes_per_op "
                         "and storage_ios_per_op must be > 0")

    def bound(capacity: float, demand: float) -> float:
        return capacity / demand if demand > 0 else float("inf")

    return ThroughputBounds(bound(cores, cpu), bound(bandwidth, net),
                            bound(iops, ios))


def _check_demands(service_demands: ArrayLike) -> NDArray[np.float64]:
    demands = check_array("service_demands", service_demands, 0.0)
    if demands.ndim != 1 or demands.size == 0 or not np.any(demands > 0):
        raise ValueError("service_demands must be a non-empty 1-d array with a "
                         f"positive entry, got {demands.tolist()}")
    return demands


def mva_throughput(service_demands: ArrayLike, population: int) -> NDArray[np.float64]:
    r"""Exact throughput of a closed network for 1..``population`` operations in flight.

    Mean value analysis for single-server FIFO stations with exponential
    service of means :math:`D_i` (seconds per operation) and no think time:
    an arriving operation finds the mean queue of a network with one
    operation fewer (the arrival theorem), so for N = 1, 2, ...

    .. math:: R_i(N) = D_i\,\bigl(1 + Q_i(N-1)\bigr), \quad
              X(N) = \frac{N}{\sum_i R_i(N)}, \quad Q_i(N) = X(N)\,R_i(N).

    Returns the array :math:`[X(1), \dots, X(N)]`, which rises from
    :math:`1/\sum_i D_i` towards :math:`1/\max_i D_i`.

    Examples
    --------
    >>> mva_throughput([0.5, 0.5], 2).round(4).tolist()
    [1.0, 1.3333]

    References: M. Reiser and S. S. Lavenberg, "Mean-Value Analysis of Closed
    Multichain Queuing Networks", JACM 27(2), 1980.
    """
    demands = _check_demands(service_demands)
    population = check_int("population", population, 1)
    queue = np.zeros_like(demands)
    out = np.empty(population)
    for n in range(1, population + 1):
        residence = demands * (1.0 + queue)
        out[n - 1] = n / residence.sum()
        queue = out[n - 1] * residence
    return out


@dataclass(frozen=True)
class ClosedNetworkRun:
    """Measured throughput of :func:`simulate_closed_network` and its error."""

    throughput: float
    stderr: float
    """Standard error from batch means (independent batches of completions)."""
    completions: int


def simulate_closed_network(service_demands: ArrayLike, population: int,
                            num_completions: int, rng: RNGLike, *,
                            num_batches: int = 20) -> ClosedNetworkRun:
    r"""Simulate ``population`` operations cycling through FIFO stations in order.

    Each operation visits station 0, 1, ..., then returns to station 0; each
    visit takes an exponential time of mean ``service_demands[i]``. Single
    FIFO servers in a cycle never reorder operations, so the k-th service at
    station i starts at :math:`\max(a_i(k), e_i(k-1))` for arrival
    :math:`a_i(k)` and previous end :math:`e_i(k-1)`, with
    :math:`a_0(k) = e_{\text{last}}(k - N)`. The first tenth of the
    completions is discarded as warm-up; the rest is cut into
    ``num_batches`` batches whose throughputs give the standard error.
    """
    demands = _check_demands(service_demands)
    population = check_int("population", population, 1)
    num_batches = check_int("num_batches", num_batches, 2)
    total = check_int("num_completions", num_completions, 10 * num_batches)
    gen = as_rng(rng)
    service = gen.exponential(1.0, (total, demands.size)) * demands
    done = np.empty(total)                 # departure times from the last station
    last_end = np.zeros(demands.size)
    for k in range(total):
        t = done[k - population] if k >= population else 0.0
        for i in range(demands.size):
            t = max(t, last_end[i]) + service[k, i]
            last_end[i] = t
        done[k] = t
    warm = total // 10
    edges = np.linspace(warm, total - 1, num_batches + 1).astype(int)
    rates = np.diff(edges) / np.diff(done[edges])
    overall = (edges[-1] - edges[0]) / (done[edges[-1]] - done[edges[0]])
    stderr = float(np.std(rates, ddof=1) / np.sqrt(num_batches))
    return ClosedNetworkRun(float(overall), stderr, int(edges[-1] - edges[0]))


def _check_layout(replicas_per_zone: Sequence[int], quorum_size: int) -> list[int]:
    if isinstance(replicas_per_zone, int | np.integer):
        raise TypeError("replicas_per_zone must be a sequence of ints, one per zone")
    sizes = [check_int("replicas_per_zone", m, 1) for m in replicas_per_zone]
    if not sizes:
        raise ValueError("replicas_per_zone must name at least one zone")
    check_int("quorum_size", quorum_size, 1, sum(sizes))
    return sizes


def worst_case_survives(replicas_per_zone: Sequence[int], quorum_size: int,
                        zones_down: int, nodes_down: int) -> bool:
    """Whether a quorum survives *any* ``zones_down`` zones plus ``nodes_down`` nodes.

    The adversary takes the largest zones and then any further replicas, so
    the quorum survives iff ``total - (largest zones) - nodes_down >= quorum``.

    Examples
    --------
    >>> worst_case_survives((2, 2, 2), 3, zones_down=1, nodes_down=1)  # AZ+1 read
    True
    >>> worst_case_survives((2, 2, 2), 4, zones_down=1, nodes_down=1)  # AZ+1 write
    False
    >>> worst_case_survives((1, 1, 1), 2, zones_down=1, nodes_down=1)
    False
    """
    sizes = _check_layout(replicas_per_zone, quorum_size)
    zones_down = check_int("zones_down", zones_down, 0, len(sizes))
    nodes_down = check_int("nodes_down", nodes_down, 0)
    lost = sum(sorted(sizes, reverse=True)[:zones_down]) + nodes_down
    return sum(sizes) - lost >= quorum_size


def simulate_zone_availability(replicas_per_zone: Sequence[int], quorum_size: int,
                               node_failure_probability: float,
                               zone_failure_probability: float, trials: int,
                               rng: RNGLike) -> float:
    """Monte Carlo estimate of :func:`dsscale.quorum.zone_quorum_availability`.

    Each trial draws, independently, whether each zone is down and whether
    each replica is down, and counts the trial available if at least
    ``quorum_size`` replicas are in a zone that is up and are up themselves.
    The standard error is :math:`\\sqrt{A(1 - A)/\\text{trials}}`.
    """
    sizes = _check_layout(replicas_per_zone, quorum_size)
    p = check_float("node_failure_probability", node_failure_probability, 0.0, 1.0)
    q = check_float("zone_failure_probability", zone_failure_probability, 0.0, 1.0)
    trials = check_int("trials", trials, 1)
    gen = as_rng(rng)
    zone_up = gen.random((trials, len(sizes))) >= q
    node_up = gen.random((trials, sum(sizes))) >= p
    zone_of = np.repeat(np.arange(len(sizes)), sizes)
    live = (node_up & zone_up[:, zone_of]).sum(axis=1)
    return float(np.mean(live >= quorum_size))
