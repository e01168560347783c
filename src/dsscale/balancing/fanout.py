r"""Tail latency under fan-out, and hedged requests.

A request that waits for :math:`F` independent sub-requests, each slow with
probability :math:`p`, is slow with probability :math:`1 - (1-p)^F` (Dean and
Barroso, "The Tail at Scale", CACM 56(2), 2013); hedged requests (a second copy
after a delay, first reply wins) cut the tail at a small extra load.
:func:`simulate_fanout` measures both.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from dsscale._validate import RNGLike, as_rng, check_array, check_float, check_int

LatencySampler = Callable[[np.random.Generator, tuple[int, ...]], NDArray[np.float64]]


def fanout_slow_probability(p_slow: ArrayLike, fanout: ArrayLike) -> Any:
    r"""Probability that a request fanned out to `fanout` servers waits on a slow one.

    .. math:: P(\text{slow}) = 1 - (1 - p)^{F}

    With :math:`p = 0.01` and :math:`F = 100`, 63% of requests are slow
    (Dean & Barroso 2013). Broadcasts over arrays; returns a float for scalars.

    Parameters
    ----------
    p_slow : float or array_like
        Per-server probability of a slow reply, in [0, 1].
    fanout : int or array_like of int
        Servers per request, >= 1.
    """
    p = check_array("p_slow", p_slow, 0.0, 1.0)
    f_raw = np.asarray(fanout)
    if f_raw.dtype.kind not in "iu":
        if f_raw.dtype.kind == "f" and np.all(np.isfinite(f_raw)) and np.all(
                f_raw == np.round(f_raw)):
            f_raw = f_raw.astype(np.int64)
        else:
            raise TypeError(
                f"fanout must be an integer or integer array, got {fanout!r}")
    f = check_array("fanout", f_raw, 1.0)
    out = -np.expm1(f * np.log1p(-p)) if np.all(p < 1) else 1.0 - (1.0 - p) ** f
    return float(out) if np.ndim(out) == 0 else out


@dataclass(frozen=True)
class MixtureLatency:
    r"""Sub-request latency: lognormal around `base_ms`, slow with prob. `p_slow`.

    .. math:: L = \begin{cases} \mathrm{base} \cdot e^{\sigma Z} & 1 - p \\
              \mathrm{slow} \cdot e^{\sigma Z} & p \end{cases}

    The default (10 ms typical, 1% at ~1 s) is Dean & Barroso's example server.
    """

    base_ms: float = 10.0
    slow_ms: float = 1000.0
    p_slow: float = 0.01
    sigma: float = 0.25

    def __post_init__(self) -> None:
        check_float("base_ms", self.base_ms, 0.0, strict_min=True)
        check_float("slow_ms", self.slow_ms, 0.0, strict_min=True)
        check_float("p_slow", self.p_slow, 0.0, 1.0)
        check_float("sigma", self.sigma, 0.0)

    def survival(self, latency_ms: ArrayLike) -> Any:
        r"""P(L > x): the mixture of two lognormal tails.

        .. math:: P(L > x) = (1 - p)\,\bar\Phi\Bigl(\frac{\ln(x/\mathrm{base})}
                  {\sigma}\Bigr) + p\,\bar\Phi\Bigl(\frac{\ln(x/\mathrm{slow})}
                  {\sigma}\Bigr)

        with :math:`\bar\Phi` the standard normal tail; with ``sigma = 0`` each
        mode is a point mass. Returns a float for a scalar ``latency_ms``.

        >>> round(MixtureLatency(sigma=0.25).survival(100.0), 4)   # the slow mode
        0.01
        """
        x = check_array("latency_ms", latency_ms, 0.0, allow_inf=True)
        with np.errstate(divide="ignore"):
            log_x = np.log(x)
        tails = []
        for scale in (self.base_ms, self.slow_ms):
            if self.sigma == 0:
                tails.append((x < scale).astype(np.float64))
            else:
                tails.append(special.ndtr((math.log(scale) - log_x) / self.sigma))
        out = (1.0 - self.p_slow) * tails[0] + self.p_slow * tails[1]
        return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)

    def __call__(self, rng: np.random.Generator,
                 size: tuple[int, ...]) -> NDArray[np.float64]:
        scale = np.where(rng.random(size) < self.p_slow, self.slow_ms, self.base_ms)
        return scale * np.exp(self.sigma * rng.standard_normal(size))


@dataclass(frozen=True)
class FanoutResult:
    """Outcome of :func:`simulate_fanout`.

    Attributes
    ----------
    latency : numpy.ndarray
        Per-request latency (ms): the slowest of its `fanout` sub-requests.
    sub_latency : numpy.ndarray
        Per-sub-request latency, shape ``(num_requests, fanout)``.
    hedged_fraction : float
        Extra load: hedge copies sent per sub-request (0 without hedging).
    """

    latency: NDArray[np.float64]
    sub_latency: NDArray[np.float64]
    hedged_fraction: float

    def percentile(self, q: ArrayLike) -> Any:
        """Request-latency percentile(s), q in [0, 100]."""
        qs = check_array("q", q, 0.0, 100.0)
        out = np.percentile(self.latency, qs)
        return float(out) if np.ndim(out) == 0 else out


def simulate_fanout(fanout: int, num_requests: int = 10_000,
                    latency: LatencySampler | None = None,
                    hedge_after: float | None = None,
                    rng: RNGLike = None) -> FanoutResult:
    r"""Simulate requests that fan out to `fanout` servers, optionally hedged.

    A request finishes when its slowest sub-request does. With hedging, a
    sub-request still pending after `hedge_after` ms gets a second copy (an
    independent latency draw :math:`L'`); the first reply wins:

    .. math:: L_{\text{eff}} = \min(L, \; t_h + L') \text{ if } L > t_h
              \text{, else } L

    The primary latencies are drawn first, so two calls with the same integer
    seed and sampler see the same primaries -- compare with and without hedging on
    identical luck.

    Parameters
    ----------
    fanout : int
        Sub-requests per request, >= 1.
    num_requests : int, default 10000
        Requests to simulate, >= 1.
    latency : callable ``(rng, shape) -> array``, optional
        Sub-request latency sampler in ms; default :class:`MixtureLatency()`.
    hedge_after : float, optional
        Hedge delay in ms, >= 0 (Dean & Barroso suggest the 95th percentile of
        the sub-request latency); None disables hedging.
    rng : numpy Generator, int or None
    """
    f = check_int("fanout", fanout, 1)
    r = check_int("num_requests", num_requests, 1)
    gen = as_rng(rng)
    sampler: LatencySampler = MixtureLatency() if latency is None else latency
    primary = np.asarray(sampler(gen, (r, f)), dtype=np.float64)
    if primary.shape != (r, f):
        raise ValueError(f"latency sampler must return shape {(r, f)}, "
                         f"got {primary.shape}")
    sub = primary
    hedged = 0.0
    if hedge_after is not None:
        t = check_float("hedge_after", hedge_after, 0.0)
        backup = t + np.asarray(sampler(gen, (r, f)), dtype=np.float64)
        late = primary > t
        sub = np.where(late, np.minimum(primary, backup), primary)
        hedged = float(late.mean())
    return FanoutResult(latency=sub.max(axis=1), sub_latency=sub,
                        hedged_fraction=hedged)


SurvivalFunction = Callable[[float], float]

TWO_POINT_FAMILIES = ("lognormal", "weibull", "loglogistic", "pareto")


def two_point_survival(family: str, x1: float, tail1: float, x2: float,
                       tail2: float) -> SurvivalFunction:
    r"""A one-mode latency law through two tail points, as a survival function.

    Returns :math:`S` with :math:`S(x_1) = \text{tail1}` and
    :math:`S(x_2) = \text{tail2}` for a two-parameter `family`; each is linear
    in a transformed scale, so the fit is closed-form:

    * ``"lognormal"``: :math:`\bar\Phi^{-1}(S)` linear in :math:`\ln x`;
    * ``"weibull"``: :math:`\ln(-\ln S)` linear in :math:`\ln x`;
    * ``"loglogistic"``: :math:`\ln(1/S - 1)` linear in :math:`\ln x`;
    * ``"pareto"``: :math:`\ln S` linear in :math:`\ln x` (a Pareto law,
      :math:`S = 1` below its scale).

    Two published tail facts (a hedge rate and a tail percentile, say) leave
    no free parameter in any of these; comparing the families shows how much a
    conclusion depends on the law's shape rather than on the data.

    Parameters
    ----------
    family : str
        One of :data:`TWO_POINT_FAMILIES`.
    x1, x2 : float
        Latencies, 0 < x1 < x2.
    tail1, tail2 : float
        P(L > x1) and P(L > x2), 1 > tail1 > tail2 > 0.

    >>> s = two_point_survival("weibull", 10.0, 0.02, 1800.0, 1e-6)
    >>> round(s(10.0), 6), round(s(1800.0), 9)
    (0.02, 1e-06)
    """
    if family not in TWO_POINT_FAMILIES:
        raise ValueError(f"family must be one of {TWO_POINT_FAMILIES}, got {family!r}")
    a = check_float("x1", x1, 0.0, strict_min=True)
    b = check_float("x2", x2, 0.0, strict_min=True)
    if not b > a:
        raise ValueError(f"x2 must exceed x1, got x1={a}, x2={b}")
    s1 = check_float("tail1", tail1, 0.0, 1.0, strict_min=True, strict_max=True)
    s2 = check_float("tail2", tail2, 0.0, 1.0, strict_min=True, strict_max=True)
    if not s2 < s1:
        raise ValueError(f"tail2 must be below tail1, got tail1={s1}, tail2={s2}")
    forward: dict[str, Callable[[float], float]] = {
        "lognormal": lambda s: float(special.ndtri(1.0 - s)),
        "weibull": lambda s: math.log(-math.log(s)),
        "loglogistic": lambda s: math.log(1.0 / s - 1.0),
        "pareto": lambda s: -math.log(s),
    }
    g = forward[family]
    slope = (g(s2) - g(s1)) / (math.log(b) - math.log(a))
    icpt = g(s1) - slope * math.log(a)

    def survival(x: float) -> float:
        if x <= 0:
            return 1.0
        y = icpt + slope * math.log(x)
        if family == "lognormal":
            return float(special.ndtr(-y))
        if family == "weibull":
            return math.exp(-math.exp(y))
        if family == "loglogistic":
            return 1.0 / (1.0 + math.exp(y)) if y < 700 else 0.0
        return min(1.0, math.exp(-y))

    return survival


def fanout_quantile(survival: SurvivalFunction, fanout: int, q: float,
                    hedge_after: float | None = None, upper: float = 1e7) -> float:
    r"""The q-quantile of a request that waits for `fanout` independent sub-requests.

    With sub-request survival :math:`S`, the request is later than :math:`x` with
    probability :math:`1 - (1 - S_h(x))^F`; without hedging :math:`S_h = S`, with
    a hedge after :math:`t` (an independent copy, first reply wins)

    .. math:: S_h(x) = S(x)\,S(x - t) \quad (x \ge t), \qquad S_h(x) = S(x)
              \quad (x < t),

    the rule :func:`simulate_fanout` samples. Solved by bisection on
    :math:`(0, \text{upper}]`.

    >>> s = two_point_survival("pareto", 10.0, 0.02, 1800.0, 1e-6)
    >>> round(fanout_quantile(s, 1, 0.98), 6)   # S(10) = 2 %: the p98 of one
    10.0
    """
    f = check_int("fanout", fanout, 1)
    level = check_float("q", q, 0.0, 1.0, strict_min=True, strict_max=True)
    top = check_float("upper", upper, 0.0, strict_min=True)
    t = None if hedge_after is None else check_float("hedge_after", hedge_after, 0.0)

    def late(x: float) -> float:
        tail = survival(x)
        if t is not None and x >= t:
            tail *= survival(x - t)
        return float(fanout_slow_probability(min(max(tail, 0.0), 1.0), f))

    if late(top) > 1.0 - level:
        raise ValueError(f"upper={top} is below the {level} quantile; raise upper")
    lo, hi = 0.0, top
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if late(mid) > 1.0 - level:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return hi
