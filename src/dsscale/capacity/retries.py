r"""A retry and timeout policy from three numbers: how often calls fail, how
often the caller may fail, and how much extra load a bad day may add.

With independent attempt failures of probability f, r retries make a
request fail with probability :math:`f^{r+1}`, so the fewest retries for a
success target s are

.. math:: r = \Bigl\lceil \frac{\ln(1 - s)}{\ln f} \Bigr\rceil - 1 ,

and they cost :math:`A(f) = (1 - f^{r+1})/(1 - f)` attempts per request on
a normal day (:func:`dsscale.overload.retry_amplification`). On a bad day
(f → 1) the same policy multiplies the load by r + 1, which is what makes a
collapsed service stay down below :math:`X/(r + 1)`
(:func:`dsscale.overload.recovery_threshold`); a retry budget b caps the
factor at 1 + b without changing the normal-day success rate as long as
:math:`A(f) - 1 \le b`. The timeout should cut off only the rare slow
attempt: for an M/M/c service, the response-time quantile
:math:`1 - \varepsilon` for a spurious-timeout rate ε
(:func:`dsscale.queueing.mmc_response_quantile`). Backoff is capped
exponential with full jitter (:func:`dsscale.overload.backoff_delays`).

References
----------
M. Brooker, "Timeouts, retries, and backoff with jitter", Amazon Builders'
Library, 2019; B. Beyer et al., *Site Reliability Engineering*, O'Reilly
2016 (retry budgets); N. Bronson et al., "Metastable Failures in
Distributed Systems", HotOS 2021.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dsscale._validate import check_float, check_int
from dsscale.overload import recovery_threshold, retry_amplification
from dsscale.queueing import mmc_response_quantile

__all__ = ["RetryPolicy", "plan_retries", "retries_for_success", "timeout_for"]


@dataclass(frozen=True)
class RetryPolicy:
    """A retry policy and what it costs on a normal and on a bad day."""

    max_retries: int
    retry_budget: float | None
    success_probability: float
    normal_amplification: float
    worst_amplification: float
    recovery_load: float

    @property
    def budget_binds_normally(self) -> bool:
        """True when the budget would cut retries on a normal day too."""
        return (self.retry_budget is not None
                and self.normal_amplification - 1.0 > self.retry_budget)


def retries_for_success(failure_probability: float, target_success: float) -> int:
    """Fewest retries r with :math:`1 - f^{r+1} \\ge` ``target_success``.

    >>> retries_for_success(0.01, 0.999999)   # f^3 = 1e-6
    2
    """
    f = check_float("failure_probability", failure_probability, 0.0, 1.0,
                    strict_max=True)
    s = check_float("target_success", target_success, 0.0, 1.0, strict_max=True)
    if f == 0.0 or 1.0 - f >= s:
        return 0
    # the smallest r with (r + 1) ln f <= ln(1 - s); nudged against rounding
    return max(0, math.ceil(math.log1p(-s) / math.log(f) - 1e-9) - 1)


def plan_retries(failure_probability: float, target_success: float,
                 retry_budget: float | None = 0.1) -> RetryPolicy:
    """Retries for ``target_success``, with their normal and worst-case load.

    ``recovery_load`` is the fraction of capacity below which a collapsed
    service recovers under this policy, :math:`1/\\min(r + 1, 1 + b)`.

    >>> p = plan_retries(0.01, 0.999999)
    >>> p.max_retries, round(p.normal_amplification, 4), p.worst_amplification
    (2, 1.0101, 1.1)
    """
    r = retries_for_success(failure_probability, target_success)
    f = float(failure_probability)
    b = None if retry_budget is None else check_float("retry_budget", retry_budget,
                                                      0.0)
    worst = float(r + 1) if b is None else min(float(r + 1), 1.0 + b)
    return RetryPolicy(r, b, 1.0 - f ** (r + 1), retry_amplification(f, r), worst,
                       recovery_threshold(1.0, r, b))


def timeout_for(servers: int, arrival_rate: float, service_time: float,
                spurious_timeouts: float) -> float:
    """Timeout that only ``spurious_timeouts`` of healthy M/M/c attempts exceed.

    >>> round(timeout_for(1, 500.0, 0.001, 0.001), 5)   # ln(1000) / 500
    0.01382
    """
    c = check_int("servers", servers, 1)
    s = check_float("service_time", service_time, 0.0, strict_min=True)
    eps = check_float("spurious_timeouts", spurious_timeouts, 0.0, 1.0,
                      strict_min=True, strict_max=True)
    return mmc_response_quantile(c, arrival_rate, 1.0 / s, 1.0 - eps)
