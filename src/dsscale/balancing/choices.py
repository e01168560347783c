r"""Balls into bins: the power of d choices.

Throwing :math:`n` balls into :math:`n` bins uniformly at random leaves a maximum
load of :math:`(1 + o(1)) \ln n / \ln\ln n` with high probability. Letting each
ball look at :math:`d \ge 2` random bins and join the least loaded drops it to
:math:`\ln\ln n / \ln d + O(1)` -- an exponential improvement from a second
choice (Azar, Broder, Karlin, Upfal, STOC 1994 / SIAM J. Comput. 29(1), 1999;
Mitzenmacher, IEEE TPDS 12(10), 2001; Gonnet, JACM 28(2), 1981).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import RNGLike, as_rng, check_int


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
