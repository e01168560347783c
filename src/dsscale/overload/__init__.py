"""Overload: retry amplification, goodput collapse and metastable failure.

* :mod:`~dsscale.overload.retries` — closed forms: the amplification
  :math:`(1 - f^{r+1})/(1 - f)`, the fixed points of a queue whose clients
  time out and retry, and the load below which a collapsed system recovers.
* :mod:`~dsscale.overload.simulate` — the same clients and queue, attempt by
  attempt, with backoff, jitter, retry budgets, admission control and load
  shedding.
"""

from .retries import (
    backoff_delays,
    goodput,
    recovery_threshold,
    retry_amplification,
    retry_fixed_points,
)
from .simulate import (
    DROPPED,
    ERROR,
    OK,
    REJECTED,
    RESET,
    TIMEOUT,
    Client,
    OverloadRun,
    Server,
    simulate_overload,
)

__all__ = [
    "DROPPED",
    "ERROR",
    "OK",
    "REJECTED",
    "RESET",
    "TIMEOUT",
    "Client",
    "OverloadRun",
    "Server",
    "backoff_delays",
    "goodput",
    "recovery_threshold",
    "retry_amplification",
    "retry_fixed_points",
    "simulate_overload",
]
