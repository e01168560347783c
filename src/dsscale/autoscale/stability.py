r"""The delayed control loop :math:`x_{k+1} = x_k - K\,x_{k-d}` and its stability.

An autoscaler that corrects a fraction K (the *gain*) of the capacity error it
measures, on a measurement that is d control intervals old, moves the
relative error :math:`x_k` of its fleet by exactly this recurrence (derived
in the book, Chapter 5, "Autoscaling as a feedback loop"). Its characteristic
polynomial is :math:`z^{d+1} - z^d + K`; the loop is stable iff every root
lies strictly inside the unit circle, which for :math:`K > 0` holds iff

.. math:: K < K^*(d) = 2\cos\frac{d\pi}{2d + 1}.

References
----------
S. A. Levin and R. M. May, "A note on difference-delay equations",
Theoretical Population Biology 9(2), 1976.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import check_float, check_int


def critical_gain(delay: int) -> float:
    r"""Largest stable gain of :math:`x_{k+1} = x_k - K x_{k-d}`.

    .. math:: K^*(d) = 2\cos\frac{d\pi}{2d + 1}


    ``delay`` d is in control intervals. :math:`K^*(0) = 2`,
    :math:`K^*(1) = 1`, and :math:`K^*(d) \approx \pi/(2d + 1)` for large d:
    every extra interval of delay forces a proportionally gentler correction.

    >>> critical_gain(0), round(critical_gain(1), 12), round(critical_gain(2), 6)
    (2.0, 1.0, 0.618034)
    """
    d = check_int("delay", delay, 0)
    return 2.0 * math.cos(d * math.pi / (2 * d + 1))


def characteristic_roots(gain: float, delay: int) -> NDArray[np.complex128]:
    r"""The d + 1 roots of :math:`z^{d+1} - z^d + K`, largest modulus first.

    A solution of the recurrence is a combination of :math:`z^k` over these
    roots, so the largest modulus (the *spectral radius*) is the factor by
    which an error shrinks (< 1) or grows (> 1) per interval, and its angle
    sets the period of the oscillation.
    """
    k = check_float("gain", gain, 0.0)
    d = check_int("delay", delay, 0)
    coefficients = np.zeros(d + 2)
    coefficients[0], coefficients[1], coefficients[-1] = 1.0, -1.0, k
    if d == 0:
        coefficients = np.array([1.0, k - 1.0])
    roots = np.roots(coefficients).astype(np.complex128)
    return roots[np.argsort(-np.abs(roots), kind="stable")]


def spectral_radius(gain: float, delay: int) -> float:
    """Largest root modulus of the loop: < 1 stable, > 1 growing oscillation."""
    return float(np.abs(characteristic_roots(gain, delay)[0]))


def delay_loop(gain: float, delay: int, num_steps: int,
               initial: float = 1.0) -> NDArray[np.float64]:
    r"""Iterate :math:`x_{k+1} = x_k - K x_{k-d}` after a disturbance at step 0.

    The error jumps to ``initial`` at step 0 (say, the load steps up); the
    controller's measurements of the d steps before describe the old,
    balanced state, so :math:`x_{-d} = \dots = x_{-1} = 0` in the correction
    term. Returns :math:`x_0, \dots, x_{\text{num\_steps}}`. Because the loop
    is linear, this is also its impulse response: a measurement error
    :math:`\epsilon` at step j adds :math:`-K\epsilon\,x_{k-j-d-1}` to every
    later :math:`x_k` (for ``initial`` 1).

    >>> delay_loop(0.5, 0, 3).tolist()
    [1.0, 0.5, 0.25, 0.125]
    >>> delay_loop(1.0, 1, 5).tolist()   # marginal: a period-6 oscillation
    [1.0, 1.0, 0.0, -1.0, -1.0, 0.0]
    """
    k = check_float("gain", gain, 0.0)
    d = check_int("delay", delay, 0)
    n = check_int("num_steps", num_steps, 0)
    x0 = check_float("initial", initial)
    x = np.zeros(n + d + 1)
    x[d] = x0
    for i in range(d, n + d):
        x[i + 1] = x[i] - k * x[i - d]
    return x[d:]


def target_tracking_loop(gain: float, delay: int, num_steps: int,
                         initial: float) -> NDArray[np.float64]:
    r"""The same disturbance under the proportional rule, without linearising.

    A target-tracking controller sets :math:`c_{k+1} = c_k + K(c_k m/m^* -
    c_k)`, and a metric inversely proportional to capacity measured d steps
    late reads :math:`m/m^* = c^*/c_{k-d}`. With :math:`x = c/c^* - 1`,

    .. math:: 1 + x_{k+1} = (1 + x_k)\Bigl(1 - K\frac{x_{k-d}}{1 + x_{k-d}}\Bigr),

    whose linearisation at :math:`x = 0` is :func:`delay_loop` (for d = 0 the
    two coincide exactly). History and
    ``initial`` as in :func:`delay_loop`; ``initial`` must exceed -1 (a
    positive fleet). Returns :math:`x_0, \dots, x_{\text{num\_steps}}`; a
    fleet driven to zero servers stays there (``-1``).

    >>> target_tracking_loop(1.0, 0, 2, -0.5).tolist()   # undamped, no delay
    [-0.5, 0.0, 0.0]
    """
    k = check_float("gain", gain, 0.0)
    d = check_int("delay", delay, 0)
    n = check_int("num_steps", num_steps, 0)
    x0 = check_float("initial", initial, -1.0, strict_min=True)
    x = np.zeros(n + d + 1)
    x[d] = x0
    for i in range(d, n + d):
        e = x[i - d]
        factor = 1.0 - k * e / (1.0 + e) if e > -1.0 else 1.0
        x[i + 1] = max(-1.0, (1.0 + x[i]) * factor - 1.0)
    return x[d:]
