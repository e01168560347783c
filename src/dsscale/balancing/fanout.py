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
