r"""Load balancing: the power of d choices, and tail latency under fan-out.

Balls into bins. Throwing :math:`n` balls into :math:`n` bins uniformly at random
leaves a maximum load of :math:`(1 + o(1)) \ln n / \ln\ln n` with high
probability. Letting each ball look at :math:`d \ge 2` random bins and join the
least loaded drops it to :math:`\ln\ln n / \ln d + O(1)` -- an exponential
improvement from a second choice (Azar, Broder, Karlin, Upfal 1994/1999;
Mitzenmacher 2001).

Fan-out. A request that waits for :math:`F` independent sub-requests, each slow
with probability :math:`p`, is slow with probability :math:`1 - (1-p)^F`
(Dean & Barroso 2013); hedged requests (a second copy after a delay, first reply
wins) cut the tail at a small extra load. :func:`simulate_fanout` measures both.

References
----------
Y. Azar, A. Broder, A. Karlin, E. Upfal, "Balanced allocations", STOC 1994;
SIAM J. Computing 29(1), 1999.
M. Mitzenmacher, "The power of two choices in randomized load balancing",
IEEE TPDS 12(10), 2001.
G. Gonnet, "Expected length of the longest probe sequence in hash code
searching", JACM 28(2), 1981.
J. Dean, L. A. Barroso, "The Tail at Scale", CACM 56(2), 2013.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validate import RNGLike, as_rng, check_array, check_float, check_int

LatencySampler = Callable[[np.random.Generator, tuple[int, ...]], NDArray[np.float64]]


def d_choice_loads(balls: int, bins: int, d: int, rng: RNGLike = None
                   ) -> NDArray[np.int64]:
    r"""Final bin loads after sequential greedy d-choice allocation.

    Each ball draws `d` bins independently and uniformly (with replacement) and
    joins the least loaded, ties to the earliest choice. ``d = 1`` is one
    ``np.bincount``; for ``d >= 2`` the choices are pre-drawn with numpy and the
    inherently sequential greedy pass is a tight loop over Python ints.

    Parameters
    ----------
    balls : int
        Number of balls, >= 0.
    bins : int
        Number of bins, >= 1.
    d : int
        Choices per ball, >= 1.
    rng : numpy Generator, int or None
        Source of randomness.
    """
    m = check_int("balls", balls, 0)
    n = check_int("bins", bins, 1)
    d = check_int("d", d, 1)
    gen = as_rng(rng)
    choices = gen.integers(0, n, size=(m, d))
    if d == 1 or n == 1:
        return np.bincount(choices[:, 0], minlength=n).astype(np.int64)
    loads = [0] * n
    if d == 2:
        for a, b in choices.tolist():
            if loads[b] < loads[a]:
                a = b
            loads[a] += 1
    else:
        get = loads.__getitem__
        for row in choices.tolist():
            loads[min(row, key=get)] += 1
    return np.array(loads, dtype=np.int64)


def max_load(balls: int, bins: int, d: int = 1, rng: RNGLike = None) -> int:
    """Maximum bin load after greedy d-choice allocation (see :func:`d_choice_loads`).

    Examples
    --------
    >>> max_load(10_000, 10_000, d=2, rng=0) < max_load(10_000, 10_000, d=1, rng=0)
    True
    """
    return int(d_choice_loads(balls, bins, d, rng).max())


def expected_max_load_one_choice(n: int) -> float:
    r"""Asymptotic max load of n balls in n bins with one random choice each.

    .. math:: L_{\max} \approx \frac{\ln n}{\ln \ln n}

    This is the leading term only: the true value is
    :math:`(1 + o(1)) \ln n / \ln\ln n` w.h.p. (Gonnet 1981 gives the sharper
    :math:`\Gamma^{-1}(n) - 3/2 + o(1)`), so at practical n the simulated maximum is
    typically a little above this. Requires ``n >= 3`` so that
    :math:`\ln\ln n > 0`.
    """
    n = check_int("n", n, 3)
    return math.log(n) / math.log(math.log(n))


def expected_max_load_d_choices(n: int, d: int) -> float:
    r"""Asymptotic max load of n balls in n bins with d >= 2 choices each.

    .. math:: L_{\max} = \frac{\ln \ln n}{\ln d} + O(1)

    (Azar et al. 1999, Theorem 1.1). Only the leading term is returned; the
    :math:`O(1)` is not small at practical n (about 1-2), so compare *growth* with
    simulation, not values. ``d = 1`` falls back to
    :func:`expected_max_load_one_choice`.
    """
    n = check_int("n", n, 3)
    d = check_int("d", d, 1)
    if d == 1:
        return expected_max_load_one_choice(n)
    return math.log(math.log(n)) / math.log(d)


def d_choice_tail_fractions(d: int, levels: int = 12) -> NDArray[np.float64]:
    r"""Fraction of bins with load at least ``i`` after ``n`` balls into ``n`` bins
    with ``d`` choices, in the large-``n`` (fluid) limit, for ``i = 0 .. levels``.

    Mitzenmacher's differential equations for the tails :math:`s_i(t)` as
    :math:`t n` balls have been placed, integrated to :math:`t = 1`:

    .. math:: \frac{ds_i}{dt} = s_{i-1}^{\,d} - s_i^{\,d}, \quad s_0 \equiv 1,
              \quad s_i(0) = 0.

    For ``d = 1`` these are Poisson(1) tails; for ``d >= 2`` they fall doubly
    exponentially in ``i``. References: M. Mitzenmacher, "The power of two
    choices in randomized load balancing", IEEE TPDS 12(10), 2001.

    >>> tails = d_choice_tail_fractions(1, 3)
    >>> round(float(tails[1]), 6)  # P(Poisson(1) >= 1) = 1 - 1/e
    0.632121
    """
    from scipy.integrate import solve_ivp

    d = check_int("d", d, 1)
    levels = check_int("levels", levels, 1)

    def rhs(t: float, s: NDArray[np.float64]) -> NDArray[np.float64]:
        padded = np.concatenate(([1.0], s))
        return np.asarray(padded[:-1] ** d - padded[1:] ** d)

    sol = solve_ivp(rhs, (0.0, 1.0), np.zeros(levels), rtol=1e-10, atol=1e-14)
    return np.concatenate(([1.0], sol.y[:, -1]))


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
