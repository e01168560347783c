r"""Keep-alive for one function instance: cold starts against idle time.

A platform keeps an instance warm for ``keep_alive`` T seconds after it
finishes a request. Requests take negligible time compared with the gaps
between them, so the next request finds the instance cold exactly when its
gap X since the previous one exceeds T, and the instance sat idle for
:math:`\min(X, T)`. Per request, with an idle cost c per warm second and a
penalty p per cold start,

.. math:: J(T) = c\,E[\min(X, T)] + p\,P(X > T), \qquad
          J'(T) = P(X > T)\,\bigl(c - p\,h(T)\bigr),

where :math:`h` is the hazard rate of the gap. For Poisson arrivals h is the
constant λ, J is monotone and the best T is 0 or as long as allowed. Bursty
arrivals have a decreasing hazard, and the optimum sits where
:math:`h(T^*) = c/p`.

References
----------
M. Shahrad et al., "Serverless in the Wild: Characterizing and Optimizing the
Serverless Workload at a Large Cloud Provider", USENIX ATC 2020.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from dsscale._validate import RNGLike, as_rng, check_float, check_int


def cold_start_probability(arrival_rate: float, keep_alive: float) -> float:
    r"""Chance that a request finds a single instance cold: :math:`e^{-\lambda T}`.

    Poisson arrivals have exponential gaps, :math:`P(X > T) = e^{-\lambda T}`;
    by memorylessness this holds whenever the keep-alive clock starts.

    >>> round(cold_start_probability(1 / 60, 600.0), 6)   # one a minute, 10 min
    4.5e-05
    """
    lam = check_float("arrival_rate", arrival_rate, 0.0)
    t = check_float("keep_alive", keep_alive, 0.0)
    return math.exp(-lam * t)


@dataclass(frozen=True)
class Hyperexponential:
    r"""Gaps from exponential phase i (rate :math:`\lambda_i`) with probability w_i.

    One phase is Poisson arrivals. Two phases model bursts: short gaps
    inside a burst (a fast phase) and long silences between bursts (a slow
    one). The hazard :math:`h(t) = f(t)/S(t)` of a mixture of exponentials
    decreases from :math:`\sum_i w_i\lambda_i` to :math:`\min_i \lambda_i`:
    the longer the instance has been idle, the less likely a request is
    imminent.
    """

    rates: tuple[float, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.rates) == 0 or len(self.rates) != len(self.weights):
            raise ValueError("rates and weights must be non-empty and of equal "
                             f"length, got {len(self.rates)} and {len(self.weights)}")
        for i, (r, w) in enumerate(zip(self.rates, self.weights, strict=True)):
            check_float(f"rates[{i}]", r, 0.0, strict_min=True)
            check_float(f"weights[{i}]", w, 0.0, 1.0)
        if not math.isclose(sum(self.weights), 1.0, rel_tol=1e-9):
            raise ValueError(f"weights must sum to 1, got {sum(self.weights):g}")

    @classmethod
    def poisson(cls, arrival_rate: float) -> Hyperexponential:
        """Exponential gaps: Poisson arrivals, ``arrival_rate`` per second."""
        return cls((check_float("arrival_rate", arrival_rate, 0.0, strict_min=True),),
                   (1.0,))

    @property
    def mean(self) -> float:
        return sum(w / r for r, w in zip(self.rates, self.weights, strict=True))

    def survival(self, t: float) -> float:
        """:math:`P(X > t)`."""
        return sum(w * math.exp(-r * t)
                   for r, w in zip(self.rates, self.weights, strict=True))

    def hazard(self, t: float) -> float:
        """:math:`h(t) = f(t) / P(X > t)`, the request rate after t idle seconds."""
        phases = [(r, w) for r, w in zip(self.rates, self.weights, strict=True)
                  if w > 0]
        slowest = min(r for r, _ in phases)  # factor out exp(-slowest t): no underflow
        terms = [(w * math.exp(-(r - slowest) * t), r) for r, w in phases]
        return sum(s * r for s, r in terms) / sum(s for s, _ in terms)

    def mean_idle(self, keep_alive: float) -> float:
        r""":math:`E[\min(X, T)] = \sum_i w_i (1 - e^{-\lambda_i T})/\lambda_i`."""
        t = check_float("keep_alive", keep_alive, 0.0)
        return sum(w * -math.expm1(-r * t) / r
                   for r, w in zip(self.rates, self.weights, strict=True))

    def sample(self, size: int, rng: RNGLike = None) -> NDArray[np.float64]:
        """``size`` independent gaps: a phase by weight, then an exponential."""
        n = check_int("size", size, 0)
        gen = as_rng(rng)
        phase = gen.choice(len(self.rates), size=n, p=np.asarray(self.weights))
        gaps: NDArray[np.float64] = gen.exponential(1.0, size=n) / np.asarray(
            self.rates)[phase]
        return gaps


def keep_alive_cost(gaps: Hyperexponential, keep_alive: float, idle_cost: float,
                    cold_penalty: float) -> float:
    r"""Expected cost per request, :math:`c\,E[\min(X, T)] + p\,P(X > T)`.

    ``idle_cost`` c is per warm-and-idle second, ``cold_penalty`` p per cold
    start, in the same unit (say, dollars, or seconds of user waiting priced
    at some rate).
    """
    t = check_float("keep_alive", keep_alive, 0.0)
    c = check_float("idle_cost", idle_cost, 0.0)
    p = check_float("cold_penalty", cold_penalty, 0.0)
    return c * gaps.mean_idle(t) + p * gaps.survival(t)


def optimal_keep_alive(gaps: Hyperexponential, idle_cost: float, cold_penalty: float,
                       max_keep_alive: float) -> float:
    r"""The keep-alive in :math:`[0, T_{max}]` that minimises :func:`keep_alive_cost`.

    :math:`J'(T)` has the sign of :math:`c - p\,h(T)`, and h decreases, so J
    falls while :math:`h(T) > c/p` and rises after: the minimum is at 0 if
    :math:`h(0) \le c/p`, at ``max_keep_alive`` if
    :math:`h(T_{max}) \ge c/p`, and otherwise at the unique root of
    :math:`h(T) = c/p`.

    >>> optimal_keep_alive(Hyperexponential.poisson(0.1), 1.0, 5.0, 600.0)
    0.0
    >>> optimal_keep_alive(Hyperexponential.poisson(0.1), 1.0, 20.0, 600.0)
    600.0
    """
    c = check_float("idle_cost", idle_cost, 0.0)
    p = check_float("cold_penalty", cold_penalty, 0.0, strict_min=True)
    t_max = check_float("max_keep_alive", max_keep_alive, 0.0)
    ratio = c / p
    if gaps.hazard(0.0) <= ratio:
        return 0.0
    if gaps.hazard(t_max) >= ratio:
        return t_max
    return float(brentq(lambda t: gaps.hazard(t) - ratio, 0.0, t_max, xtol=1e-10))
