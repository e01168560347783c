r"""The phi-accrual failure detector (Hayashibara, Défago, Yared, Katayama, SRDS 2004).

Instead of a yes/no verdict, the detector outputs a suspicion level

.. math::

    \varphi(\Delta t) = -\log_{10}\bigl(1 - F(\Delta t)\bigr),

where :math:`\Delta t` is the time since the last heartbeat and :math:`F` the
distribution of inter-arrival times, a normal law whose mean and standard
deviation are estimated from a sliding window of recent inter-arrival times.
:math:`\varphi = 1` means "a gap this long happens once in 10 heartbeats",
:math:`\varphi = 3` "once in 1000". An application suspects when
:math:`\varphi` exceeds its threshold :math:`\Phi`; since :math:`\varphi` grows
with :math:`\Delta t`, that is a timeout

.. math::

    T_\Phi = \hat\mu + \hat\sigma\, z_\Phi, \qquad
    z_\Phi = \Phi_{\mathcal N}^{-1}\bigl(1 - 10^{-\Phi}\bigr),

which adapts as the estimates move. If the gaps really are normal, each
heartbeat is followed by a false suspicion with probability :math:`10^{-\Phi}`.
The standard deviation is floored at ``min_std`` (as Akka does) so that a
perfectly regular stream does not give a zero-width normal.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from dsscale._validate import check_array, check_float, check_int

__all__ = ["PhiAccrualDetector", "phi", "phi_timeout"]

_LN10 = math.log(10.0)


def phi(elapsed: ArrayLike, mean: float, std: float) -> NDArray[np.float64]:
    r"""Suspicion level after ``elapsed`` time without a heartbeat.

    .. math:: \varphi = -\log_{10}\Bigl(1 - \Phi_{\mathcal N}\bigl(
        \tfrac{\Delta t - \mu}{\sigma}\bigr)\Bigr)

    computed as ``-log_ndtr(-z) / ln 10``, which stays accurate far into the
    tail where ``1 - ndtr(z)`` would round to 0.

    References: N. Hayashibara et al., SRDS 2004.

    Examples
    --------
    >>> round(float(phi(1.0, mean=1.0, std=0.2)), 6)  # half the gaps are longer
    0.30103
    """
    dt = check_array("elapsed", elapsed, 0.0)
    mu = check_float("mean", mean, 0.0)
    sigma = check_float("std", std, 0.0, strict_min=True)
    z = (dt - mu) / sigma
    result: NDArray[np.float64] = -special.log_ndtr(-z) / _LN10
    return result


def phi_timeout(threshold: float, mean: float, std: float) -> float:
    r"""The silence after which :math:`\varphi` reaches ``threshold``.

    .. math:: T_\Phi = \mu + \sigma\,\Phi_{\mathcal N}^{-1}(1 - 10^{-\Phi})

    Examples
    --------
    >>> round(phi_timeout(3.0, mean=1.0, std=0.1), 4)  # z = 3.0902
    1.309
    """
    big_phi = check_float("threshold", threshold, 0.0, strict_min=True)
    mu = check_float("mean", mean, 0.0)
    sigma = check_float("std", std, 0.0, strict_min=True)
    # -ndtri(p) rather than ndtri(1 - p): exact for tiny p = 10**-threshold
    return mu + sigma * float(-special.ndtri(10.0 ** (-big_phi)))


class PhiAccrualDetector:
    """A phi-accrual detector over a window of the last ``window`` gaps.

    Parameters
    ----------
    threshold : float
        Suspect when :math:`\\varphi` exceeds this (> 0; Cassandra uses 8).
    window : int
        Number of inter-arrival times kept (>= 2).
    min_std : float
        Floor on the estimated standard deviation (> 0).
    initial_interval : float
        Assumed mean gap before two heartbeats have arrived (> 0); its
        standard deviation is taken as a quarter of it.
    """

    def __init__(self, threshold: float = 8.0, window: int = 1000,
                 min_std: float = 0.01, initial_interval: float = 1.0) -> None:
        self.threshold = check_float("threshold", threshold, 0.0, strict_min=True)
        self.window = check_int("window", window, 2)
        self.min_std = check_float("min_std", min_std, 0.0, strict_min=True)
        self.initial = check_float("initial_interval", initial_interval, 0.0,
                                   strict_min=True)
        self.gaps: deque[float] = deque(maxlen=self.window)
        self.last: float | None = None
        self._sum = 0.0
        self._sum_sq = 0.0

    def heartbeat(self, now: float) -> None:
        if self.last is not None:
            if len(self.gaps) == self.window:
                old = self.gaps[0]
                self._sum -= old
                self._sum_sq -= old * old
            gap = now - self.last
            self.gaps.append(gap)
            self._sum += gap
            self._sum_sq += gap * gap
        self.last = now

    def estimate(self) -> tuple[float, float]:
        """Mean and (floored) standard deviation of the gaps in the window."""
        if len(self.gaps) < 2:
            return self.initial, max(self.initial / 4, self.min_std)
        count = len(self.gaps)
        mean = self._sum / count
        var = max(0.0, self._sum_sq / count - mean * mean)  # running sums
        return mean, max(math.sqrt(var), self.min_std)

    def phi(self, now: float) -> float:
        """Suspicion level at time ``now``."""
        if self.last is None:
            raise RuntimeError("phi() needs a heartbeat first")
        mean, std = self.estimate()
        return float(phi(max(0.0, now - self.last), mean, std))

    def suspect_at(self) -> float:
        if self.last is None:
            raise RuntimeError("suspect_at() needs a heartbeat first")
        mean, std = self.estimate()
        return self.last + phi_timeout(self.threshold, mean, std)

    def mistake(self) -> None:
        """Phi needs no correction: the long gap enters the window."""
