r"""The cost models of scaling ML training: all-reduce, pipelines, checkpoints.

* **Data parallelism.** Each of n workers computes the gradient of 1/n of a
  fixed global batch (time :math:`T/n`), then the workers sum their gradients
  of M bytes with a ring all-reduce: a reduce-scatter and an all-gather of
  n - 1 steps each, every step moving M/n bytes per worker over links of
  bandwidth B and latency :math:`\alpha` (Patarasuk and Yuan, JPDC 2009):

  .. math:: t_\text{step}(n) = \frac{T}{n} + 2\frac{n-1}{n}\frac{M}{B}
            + 2(n-1)\,\alpha .

  Dividing :math:`t_\text{step}(1) = T` by it gives exactly the Universal
  Scalability Law with :math:`\sigma = 2M/(BT)` and :math:`\kappa = 2\alpha/T`.
* **Pipeline parallelism.** p stages and m micro-batches leave each stage idle
  a fraction :math:`(p-1)/(m+p-1)` of a GPipe step (Huang et al., NeurIPS 2019).
* **Checkpointing under preemption.** With failures at rate 1/M and a
  checkpoint costing :math:`\delta`, Young's interval :math:`\sqrt{2\delta M}`
  (CACM 1974) minimises the first-order waste; Daly (FGCS 2006) refines it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import lambertw

from dsscale._validate import RNGLike, as_rng, check_array, check_float, check_int

__all__ = [
    "PipelineRun",
    "allreduce_usl_coefficients",
    "daly_interval",
    "data_parallel_step_seconds",
    "expected_waste",
    "optimal_checkpoint_interval",
    "pipeline_bubble_fraction",
    "ring_allreduce_seconds",
    "simulate_checkpointing",
    "simulate_pipeline",
    "young_interval",
]

FloatOrArray = float | NDArray[np.float64]


def _out(x: NDArray[np.float64]) -> FloatOrArray:
    return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=np.float64)


def _link(message_bytes: float, bandwidth: float, latency: float
          ) -> tuple[float, float, float]:
    return (check_float("message_bytes", message_bytes, 0.0),
            check_float("bandwidth_bytes_per_second", bandwidth, 0.0, strict_min=True),
            check_float("latency_seconds", latency, 0.0))


def ring_allreduce_seconds(num_workers: ArrayLike, message_bytes: float,
                           bandwidth_bytes_per_second: float,
                           latency_seconds: float) -> FloatOrArray:
    r"""Time of a ring all-reduce of ``message_bytes`` M among n workers.

    .. math:: t_\text{ar}(n) = 2(n-1)\Bigl(\alpha + \frac{M}{nB}\Bigr)

    2(n - 1) steps (reduce-scatter, then all-gather), each sending one chunk
    of M/n bytes to the next worker on the ring, all links at once. Zero for
    one worker.

    Examples
    --------
    >>> ring_allreduce_seconds(4, 1e9, 1e10, 1e-5)   # 1 GB at 10 GB/s, 10 us
    0.15006

    References: P. Patarasuk and X. Yuan, "Bandwidth Optimal All-reduce
    Algorithms for Clusters of Workstations", JPDC 69(2), 2009.
    """
    n = check_array("num_workers", num_workers, 1.0)
    m, b, alpha = _link(message_bytes, bandwidth_bytes_per_second, latency_seconds)
    return _out(2.0 * (n - 1.0) * (alpha + m / (n * b)))


def data_parallel_step_seconds(num_workers: ArrayLike, compute_seconds: float,
                               message_bytes: float, bandwidth_bytes_per_second: float,
                               latency_seconds: float) -> FloatOrArray:
    r"""One synchronous data-parallel step: compute, then all-reduce.

    .. math:: t_\text{step}(n) = \frac{T}{n} + 2\frac{n-1}{n}\frac{M}{B}
              + 2(n-1)\,\alpha

    for a fixed global batch whose gradient takes ``compute_seconds`` T on
    one worker. Computation and communication do not overlap here.
    """
    n = check_array("num_workers", num_workers, 1.0)
    t = check_float("compute_seconds", compute_seconds, 0.0, strict_min=True)
    return _out(t / n + np.asarray(ring_allreduce_seconds(
        n, message_bytes, bandwidth_bytes_per_second, latency_seconds)))


def allreduce_usl_coefficients(compute_seconds: float, message_bytes: float,
                               bandwidth_bytes_per_second: float,
                               latency_seconds: float) -> tuple[float, float]:
    r"""The USL's (sigma, kappa) of data-parallel training with ring all-reduce.

    .. math:: \frac{t_\text{step}(1)}{t_\text{step}(n)}
              = \frac{n}{1 + \sigma(n-1) + \kappa\, n(n-1)}, \qquad
              \sigma = \frac{2M}{BT}, \quad \kappa = \frac{2\alpha}{T}.

    Examples
    --------
    >>> allreduce_usl_coefficients(0.5, 1e8, 1e10, 1e-4)
    (0.04, 0.0004)
    """
    t = check_float("compute_seconds", compute_seconds, 0.0, strict_min=True)
    m, b, alpha = _link(message_bytes, bandwidth_bytes_per_second, latency_seconds)
    return 2.0 * m / (b * t), 2.0 * alpha / t


def pipeline_bubble_fraction(num_stages: ArrayLike,
                             num_microbatches: ArrayLike) -> FloatOrArray:
    r"""Idle fraction of a GPipe pipeline of p stages and m micro-batches.

    .. math:: \text{bubble} = \frac{p - 1}{m + p - 1}

    Each pass (forward or backward) takes m + p - 1 slots, of which each
    stage is busy in m.

    Examples
    --------
    >>> pipeline_bubble_fraction(4, 1), pipeline_bubble_fraction(4, 13)
    (0.75, 0.1875)

    References: Y. Huang et al., "GPipe: Efficient Training of Giant Neural
    Networks using Pipeline Parallelism", NeurIPS 2019.
    """
    p = check_array("num_stages", num_stages, 1.0)
    m = check_array("num_microbatches", num_microbatches, 1.0)
    return _out((p - 1.0) / (m + p - 1.0))


@dataclass(frozen=True)
class PipelineRun:
    """Makespan of one simulated pipeline step and the stages' idle fraction."""

    makespan: float
    busy: float
    """Seconds of work summed over all stages."""
    num_stages: int

    @property
    def bubble_fraction(self) -> float:
        """1 - busy / (stages x makespan)."""
        return 1.0 - self.busy / (self.num_stages * self.makespan)


def simulate_pipeline(num_stages: int, num_microbatches: int,
                      forward_seconds: float, backward_seconds: float, *,
                      variability: float = 0.0, rng: RNGLike = None) -> PipelineRun:
    r"""Schedule one GPipe step, task by task, and measure its makespan.

    Forward: micro-batch j runs on stage s after stage s - 1 finished it and
    after stage s finished micro-batch j - 1. Backward runs in the reverse
    stage order once the last stage has finished every forward. Task times
    have the given means; ``variability`` > 0 draws each from a gamma law
    with that coefficient of variation (``rng`` is then required).
    """
    p = check_int("num_stages", num_stages, 1)
    m = check_int("num_microbatches", num_microbatches, 1)
    fwd = check_float("forward_seconds", forward_seconds, 0.0, strict_min=True)
    bwd = check_float("backward_seconds", backward_seconds, 0.0)
    cv = check_float("variability", variability, 0.0)
    if cv > 0:
        gen = as_rng(rng)
        shape = 1.0 / cv**2
        f = gen.gamma(shape, fwd / shape, (p, m))
        b = gen.gamma(shape, bwd / shape, (p, m)) if bwd > 0 else np.zeros((p, m))
    else:
        f, b = np.full((p, m), fwd), np.full((p, m), bwd)
    end = np.zeros((p, m))
    for s in range(p):
        for j in range(m):
            ready = max(end[s - 1, j] if s else 0.0, end[s, j - 1] if j else 0.0)
            end[s, j] = ready + f[s, j]
    back = np.zeros((p, m))
    for s in reversed(range(p)):
        for j in range(m):
            after_next = back[s + 1, j] if s < p - 1 else end[p - 1, m - 1]
            after_prev = back[s, j - 1] if j else end[s, m - 1]
            back[s, j] = max(after_next, after_prev) + b[s, j]
    makespan = float(back[0, m - 1]) if bwd > 0 else float(end[p - 1, m - 1])
    return PipelineRun(makespan, float(f.sum() + b.sum()), p)


def young_interval(checkpoint_seconds: ArrayLike, mtbf_seconds: ArrayLike
                   ) -> FloatOrArray:
    r"""Young's checkpoint interval :math:`\tau = \sqrt{2\delta M}`.

    Minimises the first-order waste :math:`\delta/\tau + \tau/(2M)`.

    Examples
    --------
    >>> round(young_interval(60.0, 4 * 3600.0))   # 1-minute checkpoints, 4-hour MTBF
    1315

    References: J. W. Young, "A First Order Approximation to the Optimum
    Checkpoint Interval", CACM 17(9), 1974.
    """
    delta = check_array("checkpoint_seconds", checkpoint_seconds, 0.0)
    mtbf = check_array("mtbf_seconds", mtbf_seconds, 0.0, strict_min=True)
    return _out(np.sqrt(2.0 * delta * mtbf))


def daly_interval(checkpoint_seconds: float, mtbf_seconds: float) -> float:
    r"""Daly's higher-order estimate of the optimum checkpoint interval.

    .. math:: \tau = \sqrt{2\delta M}\Bigl[1 + \tfrac13\sqrt{\tfrac{\delta}{2M}}
              + \tfrac19\,\tfrac{\delta}{2M}\Bigr] - \delta
              \quad (\delta < 2M), \qquad \tau = M \quad (\delta \ge 2M).

    References: J. T. Daly, "A higher order estimate of the optimum
    checkpoint interval for restart dumps", Future Generation Computer
    Systems 22(3), 2006.
    """
    delta = check_float("checkpoint_seconds", checkpoint_seconds, 0.0)
    mtbf = check_float("mtbf_seconds", mtbf_seconds, 0.0, strict_min=True)
    if delta >= 2.0 * mtbf:
        return mtbf
    x = delta / (2.0 * mtbf)
    return math.sqrt(2.0 * delta * mtbf) * (1.0 + math.sqrt(x) / 3.0 + x / 9.0) - delta


def expected_waste(interval_seconds: ArrayLike, checkpoint_seconds: float,
                   mtbf_seconds: float, restart_seconds: float = 0.0) -> FloatOrArray:
    r"""Expected extra time per second of useful work, for checkpoint interval tau.

    Work is cut into segments of :math:`\tau` seconds, each followed by a
    checkpoint of :math:`\delta`. Failures arrive as a Poisson process of rate
    1/M; a failure loses the segment in progress, costs a restart of R (during
    which nothing fails) and the segment starts again. A segment needs
    :math:`L = \tau + \delta` failure-free seconds; the attempts before it
    succeeds are geometric, so its expected wall time is
    :math:`(M + R)(e^{L/M} - 1)` and

    .. math:: W(\tau) = \frac{(M + R)\,(e^{(\tau + \delta)/M} - 1)}{\tau} - 1
              \;\approx\; \frac{\delta}{\tau} + \frac{\tau}{2M} + \frac{\delta + R}{M}.
    """
    tau = check_array("interval_seconds", interval_seconds, 0.0, strict_min=True)
    delta = check_float("checkpoint_seconds", checkpoint_seconds, 0.0)
    mtbf = check_float("mtbf_seconds", mtbf_seconds, 0.0, strict_min=True)
    restart = check_float("restart_seconds", restart_seconds, 0.0)
    return _out((mtbf + restart) * np.expm1((tau + delta) / mtbf) / tau - 1.0)


def optimal_checkpoint_interval(checkpoint_seconds: float,
                                mtbf_seconds: float) -> float:
    r"""The interval that minimises :func:`expected_waste` exactly.

    Setting the derivative of :math:`(e^{(\tau+\delta)/M} - 1)/\tau` to zero
    gives :math:`(1 - \tau/M)\,e^{\tau/M} = e^{-\delta/M}`, solved by the
    principal branch of the Lambert W function:

    .. math:: \tau^* = M\bigl(1 + W_0(-e^{-1-\delta/M})\bigr)
              = \sqrt{2\delta M}\,\bigl(1 + O(\sqrt{\delta/M})\bigr).

    It does not depend on the restart time R.
    """
    delta = check_float("checkpoint_seconds", checkpoint_seconds, 0.0)
    mtbf = check_float("mtbf_seconds", mtbf_seconds, 0.0, strict_min=True)
    w = lambertw(-math.exp(-1.0 - delta / mtbf), 0).real
    return float(mtbf * (1.0 + w))


def simulate_checkpointing(num_segments: int, interval_seconds: float,
                           checkpoint_seconds: float, mtbf_seconds: float,
                           restart_seconds: float, num_runs: int,
                           rng: RNGLike) -> NDArray[np.float64]:
    """Wall time of ``num_runs`` jobs of ``num_segments`` segments under failures.

    Each attempt at a segment draws the time to the next failure afresh from
    an exponential of mean ``mtbf_seconds`` (Poisson failures are memoryless);
    if it exceeds interval + checkpoint the segment is saved, otherwise the
    time up to the failure plus the restart is lost and the segment is tried
    again. Returns one wall time per run; the useful work of a run is
    ``num_segments * interval_seconds``.
    """
    segments = check_int("num_segments", num_segments, 1)
    tau = check_float("interval_seconds", interval_seconds, 0.0, strict_min=True)
    delta = check_float("checkpoint_seconds", checkpoint_seconds, 0.0)
    mtbf = check_float("mtbf_seconds", mtbf_seconds, 0.0, strict_min=True)
    restart = check_float("restart_seconds", restart_seconds, 0.0)
    runs = check_int("num_runs", num_runs, 1)
    gen = as_rng(rng)
    needed = tau + delta
    wall = np.zeros(runs)
    for _ in range(segments):
        pending = np.arange(runs)
        while pending.size:
            until_failure = gen.exponential(mtbf, pending.size)
            saved = until_failure >= needed
            wall[pending] += np.where(saved, needed, until_failure + restart)
            pending = pending[~saved]
    return wall
