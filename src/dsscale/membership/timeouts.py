r"""Heartbeats with a timeout: detection time and false positives, in closed form.

The model (Chen, Toueg and Aguilera, IEEE Trans. Computers 2002, who call these
the *detection time* :math:`T_D` and the *mistake rate*): a process sends a
heartbeat every ``interval`` :math:`\eta`; each is lost independently with
probability ``loss`` :math:`\ell`; a delivered one takes a delay uniform on
``[min_delay, min_delay + jitter]`` (:math:`[a, a + w]`, with :math:`w \le \eta`
so that heartbeats never overtake each other). The monitor suspects the process
as soon as no heartbeat has arrived for longer than ``timeout`` :math:`T`, and
trusts it again when one arrives.

*False positives.* After a heartbeat arrives, the next arrival is
:math:`(K + 1)\eta + D' - D` later, with :math:`K` the number of heartbeats lost in
between, :math:`P(K = k) = (1 - \ell)\ell^k`, and :math:`D' - D` triangular on
:math:`[-w, w]`. A false suspicion follows iff that gap exceeds :math:`T`.

*Detection time.* The process crashes :math:`U \sim \mathrm{U}(0, \eta)` after its
last heartbeat; the last *delivered* one was sent :math:`K\eta` earlier still and
took :math:`D`, so the monitor suspects at :math:`\max(0, T + D - U - K\eta)` after
the crash (zero if it already suspected, wrongly, before the crash).
"""

from __future__ import annotations

import math

from dsscale._validate import check_float

__all__ = [
    "heartbeat_detection_time",
    "heartbeat_false_positive_probability",
    "heartbeat_gap_moments",
    "timeout_for_false_positive",
]


def _check_model(interval: float, loss: float, min_delay: float,
                 jitter: float) -> tuple[float, float, float, float]:
    eta = check_float("interval", interval, 0.0, strict_min=True)
    ell = check_float("loss", loss, 0.0, 1.0, strict_max=True)
    a = check_float("min_delay", min_delay, 0.0)
    w = check_float("jitter", jitter, 0.0, eta)
    return eta, ell, a, w


def _triangular_tail(z: float, w: float) -> float:
    """P(D' - D > z) for D, D' independent uniform of width w (w = 0: a step)."""
    if w == 0.0:
        return 1.0 if z < 0.0 else 0.0
    if z <= -w:
        return 1.0
    if z >= w:
        return 0.0
    if z < 0.0:
        return 1.0 - (z + w) ** 2 / (2 * w * w)
    return (w - z) ** 2 / (2 * w * w)


def heartbeat_false_positive_probability(timeout: float, interval: float,
                                         loss: float = 0.0, jitter: float = 0.0
                                         ) -> float:
    r"""Probability that a delivered heartbeat is followed by a false suspicion.

    .. math::

        P_{\mathrm{fp}}(T) = \sum_{k \ge 0} (1 - \ell)\,\ell^{k}\,
            P\bigl(D' - D > T - (k + 1)\eta\bigr),

    which for ``jitter = 0`` is :math:`\ell^{\lfloor T/\eta \rfloor}`: the next
    :math:`\lfloor T/\eta \rfloor` heartbeats must all be lost. Multiply by
    :math:`(1 - \ell)/\eta` for false suspicions per unit time (the mistake rate
    of Chen, Toueg and Aguilera, IEEE Trans. Computers 2002).

    Examples
    --------
    >>> round(heartbeat_false_positive_probability(3.5, 1.0, loss=0.1), 12)
    0.001
    >>> heartbeat_false_positive_probability(1.25, 1.0, jitter=0.5)
    0.125
    """
    big_t = check_float("timeout", timeout, 0.0)
    eta, ell, _, w = _check_model(interval, loss, 0.0, jitter)
    # terms with (k + 1) eta > T + w are certain suspicions: a geometric tail
    k_sure = math.floor((big_t + w) / eta)
    total = ell**k_sure
    for k in range(k_sure):
        total += (1 - ell) * ell**k * _triangular_tail(big_t - (k + 1) * eta, w)
    return min(1.0, total)


def _mean_excess(x: float, eta: float) -> float:
    """E[max(0, x - U)] for U uniform on [0, eta]."""
    if x <= 0.0:
        return 0.0
    if x < eta:
        return x * x / (2 * eta)
    return x - eta / 2


def _mean_excess_integral(x: float, eta: float) -> float:
    """The antiderivative of :func:`_mean_excess` that vanishes at 0."""
    if x <= 0.0:
        return 0.0
    if x < eta:
        return x**3 / (6 * eta)
    return x * x / 2 - eta * x / 2 + eta * eta / 6


def heartbeat_detection_time(timeout: float, interval: float, loss: float = 0.0,
                             min_delay: float = 0.0, jitter: float = 0.0) -> float:
    r"""Expected time from a crash until the monitor suspects it.

    .. math::

        E[T_D] = \sum_{k \ge 0} (1 - \ell)\,\ell^{k}\;
            E\bigl[\max(0,\; T + D - U - k\eta)\bigr],
        \qquad U \sim \mathrm{U}(0, \eta),\; D \sim \mathrm{U}(a, a + w),

    evaluated exactly (the inner expectation is piecewise polynomial). With no
    loss and :math:`T \ge \eta`, it is :math:`T + \bar D - \eta/2`: the
    timeout, plus the delay of the last heartbeat, minus the average time since
    it was sent.

    Examples
    --------
    >>> heartbeat_detection_time(3.0, 1.0, min_delay=0.5)
    3.0
    >>> round(heartbeat_detection_time(3.0, 1.0, loss=0.1, min_delay=0.5), 4)
    2.8891
    """
    big_t = check_float("timeout", timeout, 0.0)
    eta, ell, a, w = _check_model(interval, loss, min_delay, jitter)
    total = 0.0
    k = 0
    while big_t + a + w - k * eta > 0.0:
        c = big_t + a - k * eta
        if w == 0.0:
            inner = _mean_excess(c, eta)
        else:
            inner = (_mean_excess_integral(c + w, eta)
                     - _mean_excess_integral(c, eta)) / w
        total += (1 - ell) * ell**k * inner
        k += 1
    return total


def heartbeat_gap_moments(interval: float, loss: float = 0.0,
                          jitter: float = 0.0) -> tuple[float, float]:
    r"""Mean and standard deviation of the time between delivered heartbeats.

    .. math::

        E[G] = \frac{\eta}{1 - \ell}, \qquad
        \operatorname{Var}[G] = \frac{\eta^2 \ell}{(1 - \ell)^2}
            + 2\,\frac{w^2}{12},

    from :math:`G = (K + 1)\eta + D' - D` with :math:`K` geometric and the
    delays independent of it. These are what a phi-accrual detector estimates
    from its window.

    Examples
    --------
    >>> heartbeat_gap_moments(1.0, loss=0.5)
    (2.0, 1.4142135623730951)
    """
    eta, ell, _, w = _check_model(interval, loss, 0.0, jitter)
    mean = eta / (1 - ell)
    var = eta * eta * ell / (1 - ell) ** 2 + w * w / 6
    return mean, math.sqrt(var)


def timeout_for_false_positive(target: float, interval: float, loss: float = 0.0,
                               jitter: float = 0.0) -> float:
    r"""The smallest timeout whose :func:`heartbeat_false_positive_probability`
    is at most ``target``.

    With ``jitter = 0`` it is :math:`m\eta` for the smallest :math:`m` with
    :math:`\ell^m \le` ``target``; otherwise the monotone function is inverted
    by bisection (to 1e-12 relative).

    Examples
    --------
    >>> timeout_for_false_positive(1e-3, 1.0, loss=0.05)
    3.0
    """
    p = check_float("target", target, 0.0, 1.0, strict_min=True)
    eta, ell, _, w = _check_model(interval, loss, 0.0, jitter)
    m = 0
    while ell**m > p:
        m += 1
    if w == 0.0:
        return m * eta
    lo, hi = 0.0, (m + 1) * eta + w  # P_fp(hi) <= ell**m <= target
    for _ in range(200):
        mid = (lo + hi) / 2
        if heartbeat_false_positive_probability(mid, eta, ell, w) <= p:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-12 * hi:
            break
    return hi
