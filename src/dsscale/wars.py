r"""The WARS staleness model with any delay law, and a Pareto-exponential mixture.

:func:`dsscale.quorum.simulate_pbs_t_visibility` draws the four WARS delays
from exponentials. Bailis et al. fitted production latencies (LinkedIn's
Voldemort, Yammer's Riak) with mixtures of a Pareto body and an exponential
tail instead; :class:`ParetoExponentialMixture` draws from such a fit, and
:func:`simulate_wars` runs the WARS model with any delay sampler. It returns,
per simulated write, the least wait :math:`t` after the commit at which a
read sees the write, so one run answers both questions the paper asks: the
probability of a consistent read at a given :math:`t`
(:func:`consistent_probability`) and the :math:`t` needed for a given
probability (``numpy.quantile`` of the result).

References: P. Bailis, S. Venkataraman, M. J. Franklin, J. M. Hellerstein and
I. Stoica, "Probabilistically Bounded Staleness for Practical Partial
Quorums", PVLDB 5(8), 2012, sections 4-5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsscale._validate import (
    RNGLike,
    as_rng,
    check_array,
    check_float,
    check_int,
    check_quorums,
)

__all__ = [
    "DelaySampler",
    "ParetoExponentialMixture",
    "consistent_probability",
    "simulate_wars",
]

#: Draws an array of one-way delays of the given shape.
DelaySampler = Callable[[np.random.Generator, tuple[int, ...]], NDArray[np.float64]]


@dataclass(frozen=True)
class ParetoExponentialMixture:
    r"""With probability ``pareto_weight`` a Pareto, otherwise an exponential delay.

    .. math:: F(x) = w\,\Bigl(1 - \bigl(\tfrac{x_m}{x}\bigr)^{\alpha}\Bigr)_{x \ge x_m}
              + (1 - w)\,\bigl(1 - e^{-\lambda x}\bigr)

    with :math:`w` = ``pareto_weight``, :math:`x_m` = ``pareto_scale``,
    :math:`\alpha` = ``pareto_shape`` and :math:`\lambda` = ``exponential_rate``
    (per unit of delay). Its mean is
    :math:`w\,\alpha x_m/(\alpha - 1) + (1 - w)/\lambda` for :math:`\alpha > 1`.

    >>> law = ParetoExponentialMixture(1.0, 2.0, 3.0, 1.0)   # pure Pareto
    >>> round(law.mean(), 6)
    3.0
    """

    pareto_weight: float
    pareto_scale: float
    pareto_shape: float
    exponential_rate: float

    def __post_init__(self) -> None:
        check_float("pareto_weight", self.pareto_weight, 0.0, 1.0)
        check_float("pareto_scale", self.pareto_scale, 0.0, strict_min=True)
        check_float("pareto_shape", self.pareto_shape, 0.0, strict_min=True)
        check_float("exponential_rate", self.exponential_rate, 0.0, strict_min=True)

    def mean(self) -> float:
        """The mean delay (infinite if ``pareto_shape <= 1`` and the weight is > 0)."""
        w, a = self.pareto_weight, self.pareto_shape
        exponential = (1.0 - w) / self.exponential_rate
        if w == 0.0:
            return exponential
        return np.inf if a <= 1 else w * a * self.pareto_scale / (a - 1) + exponential

    def __call__(self, rng: np.random.Generator,
                 size: tuple[int, ...]) -> NDArray[np.float64]:
        uniform = 1.0 - rng.random(size)   # in (0, 1], so the Pareto stays finite
        pareto = self.pareto_scale / uniform ** (1.0 / self.pareto_shape)
        exponential = rng.exponential(1.0 / self.exponential_rate, size)
        return np.where(rng.random(size) < self.pareto_weight, pareto, exponential)


def simulate_wars(replication_factor: int, read_quorum: int, write_quorum: int,
                  trials: int, rng: RNGLike, *, write_delay: DelaySampler,
                  ack_delay: DelaySampler, read_delay: DelaySampler,
                  response_delay: DelaySampler) -> NDArray[np.float64]:
    r"""Least wait after a write commits at which a read returns it, per trial.

    The WARS model (Bailis et al. 2012, section 4.2): replica i receives the
    write after :math:`W_i`, acknowledges after :math:`A_i`; the write commits
    at :math:`c`, the ``write_quorum``-th smallest :math:`W_i + A_i`. A read
    sent at :math:`c + t` reaches replica i after :math:`R_i`, which answers
    after :math:`S_i`; the read uses the first ``read_quorum`` responders
    (smallest :math:`R_i + S_i`) and is consistent iff one of them had the
    write, :math:`W_i \le c + t + R_i`. So the least such t is

    .. math:: T = \max\Bigl(0,\ \min_{i \in \text{first } R}
              \bigl(W_i - c - R_i\bigr)\Bigr),

    and :math:`P(\text{consistent at } t) = P(T \le t)`. Each trial draws
    fresh delays for all ``replication_factor`` replicas from the four
    samplers, called as ``sampler(rng, (trials, replication_factor))``.
    With :math:`R + W > N`, T is 0 in every trial.
    """
    n, r, w = check_quorums(replication_factor, read_quorum, write_quorum)
    trials = check_int("trials", trials, 1)
    gen = as_rng(rng)
    shape = (trials, n)
    drawn = []
    for name, sampler in (("write_delay", write_delay), ("ack_delay", ack_delay),
                          ("read_delay", read_delay),
                          ("response_delay", response_delay)):
        delays = np.asarray(sampler(gen, shape), dtype=np.float64)
        if delays.shape != shape or not np.all(delays >= 0):
            raise ValueError(f"{name} must return non-negative delays of shape "
                             f"{shape}, got shape {delays.shape}")
        drawn.append(delays)
    write, ack, read, response = drawn
    commit = np.sort(write + ack, axis=1)[:, w - 1:w]
    responders = np.argsort(read + response, axis=1, kind="stable")[:, :r]
    lag = (np.take_along_axis(write, responders, axis=1) - commit
           - np.take_along_axis(read, responders, axis=1))
    return np.asarray(np.maximum(lag.min(axis=1), 0.0), dtype=np.float64)


def consistent_probability(waits_needed: ArrayLike, wait: ArrayLike
                           ) -> float | NDArray[np.float64]:
    """Fraction of trials whose needed wait is at most ``wait`` (an array is fine).

    >>> consistent_probability([0.0, 0.0, 1.0, 3.0], [0.0, 2.0])
    array([0.5 , 0.75])
    """
    needed = np.sort(check_array("waits_needed", waits_needed, 0.0).ravel())
    if needed.size == 0:
        raise ValueError("waits_needed must hold at least one trial")
    t = check_array("wait", wait, 0.0, allow_inf=True)
    out = np.searchsorted(needed, t, side="right") / needed.size
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)
