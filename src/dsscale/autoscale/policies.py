r"""Scaling policies: what an autoscaler does with a measurement.

Every policy maps an :class:`Observation` (what the controller saw at the end
of a control interval) to the number of servers it wants *committed*: ready
plus still provisioning. The loop in :mod:`dsscale.autoscale.replay` orders
or cancels servers to match it.

* :class:`TargetTracking` — the rule of Kubernetes' Horizontal Pod Autoscaler
  and of target-tracking policies in public clouds:
  :math:`c' = c\,m/m^*`, optionally damped by a gain K,
  :math:`c' = c + K(c\,m/m^* - c)`.
* :class:`StepScaling` — add or remove a fixed number of servers when the
  metric leaves a band.
* :class:`Predictive` — size for the load seen one period earlier (a seasonal
  forecast), never below what a reactive rule asks for.
* :class:`FixedCapacity` — no autoscaling, the baseline.
* :class:`Scheduled` — a number of servers fixed in advance for every
  interval: the clairvoyant baseline, given the true load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import check_float, check_int

Metric = Literal["utilisation", "concurrency", "latency"]
_METRICS = ("utilisation", "concurrency", "latency")


@dataclass(frozen=True)
class Observation:
    """What a controller sees at the end of interval ``tick``.

    The metrics average the measurement window, which may lag the present by
    the metric delay. ``utilisation`` is busy server time over ready server
    time, ``concurrency`` the mean number of requests in the system per ready
    server (the quantity Knative targets), ``latency`` the mean response time
    of the requests that completed in the window (``nan`` if none did), and
    ``servers_measured`` the mean number of ready servers the window saw.
    ``arrival_history[j]`` is the measured arrival rate of interval j, up to
    the last interval the lagged metrics cover.
    """

    tick: int
    interval: float
    ready: int
    pending: int
    utilisation: float
    concurrency: float
    latency: float
    arrival_rate: float
    servers_measured: float
    arrival_history: NDArray[np.float64]
    service_rate: float

    @property
    def committed(self) -> int:
        """Servers ready or provisioning: the capacity already paid for."""
        return self.ready + self.pending

    def metric(self, name: Metric) -> float:
        """The named metric (``"utilisation"``, ``"concurrency"``, ``"latency"``)."""
        if name not in _METRICS:
            raise ValueError(f"metric must be one of {_METRICS}, got {name!r}")
        return float(getattr(self, name))


class Policy(Protocol):
    """Anything with ``desired(observation) -> servers`` (a real number)."""

    def desired(self, obs: Observation) -> float: ...


@dataclass(frozen=True)
class FixedCapacity:
    """Always ``servers`` servers: static provisioning."""

    servers: int

    def __post_init__(self) -> None:
        check_int("servers", self.servers, 1)

    def desired(self, obs: Observation) -> float:
        return float(self.servers)


@dataclass(frozen=True)
class Scheduled:
    """``servers[k]`` servers during interval k, decided in advance.

    At the end of interval k it asks for ``servers[k + 1]`` (the last entry
    once the schedule runs out). Replayed without provisioning delay on a
    schedule computed from the true arrival rates, it is the clairvoyant
    autoscaler that real policies are measured against.
    """

    servers: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.servers) == 0:
            raise ValueError("servers must not be empty")
        for i, c in enumerate(self.servers):
            check_int(f"servers[{i}]", c, 1)

    def desired(self, obs: Observation) -> float:
        return float(self.servers[min(obs.tick + 1, len(self.servers) - 1)])


@dataclass(frozen=True)
class TargetTracking:
    r"""Scale in proportion to metric / target: :math:`c' = c + K(c\,m/m^* - c)`.

    c is the number of ready servers, m the observed ``metric``, m* the
    ``target`` and K the ``gain`` (1 is the undamped HPA rule). Because the
    rule starts from *ready* servers and returns a total, servers already
    provisioning are not ordered twice. The ratio is the right correction
    when the metric is inversely proportional to capacity, as utilisation and
    concurrency per server are; latency is not, and tracking it
    proportionally over- and under-corrects (see the book).
    """

    metric: Metric
    target: float
    gain: float = 1.0

    def __post_init__(self) -> None:
        if self.metric not in _METRICS:
            raise ValueError(f"metric must be one of {_METRICS}, got {self.metric!r}")
        check_float("target", self.target, 0.0, strict_min=True)
        check_float("gain", self.gain, 0.0, strict_min=True)

    def desired(self, obs: Observation) -> float:
        value = obs.metric(self.metric)
        if math.isnan(value):  # nothing completed in the window: hold
            return float(obs.committed)
        c = float(obs.ready)
        return c + self.gain * (c * value / self.target - c)


@dataclass(frozen=True)
class StepScaling:
    """Add ``step`` servers above ``upper``, remove ``step`` below ``lower``.

    The step is applied to the committed capacity, and the metric keeps
    reporting the old capacity until new servers are ready: without a
    cooldown at least as long as the provisioning delay, the rule keeps
    adding servers it has already ordered.
    """

    lower: float
    upper: float
    step: int = 1
    metric: Metric = "utilisation"

    def __post_init__(self) -> None:
        check_float("lower", self.lower, 0.0)
        check_float("upper", self.upper, self.lower, strict_min=True)
        check_int("step", self.step, 1)
        if self.metric not in _METRICS:
            raise ValueError(f"metric must be one of {_METRICS}, got {self.metric!r}")

    def desired(self, obs: Observation) -> float:
        value = obs.metric(self.metric)
        if value > self.upper:
            return float(obs.committed + self.step)
        if value < self.lower:
            return float(obs.committed - self.step)
        return float(obs.committed)


@dataclass(frozen=True)
class Predictive:
    r"""Provision now for the load one ``period`` before the moment it arrives.

    The forecast of the arrival rate ``lead`` seconds ahead is the measured
    rate at the same phase one period earlier, the largest over the next
    ``lead`` seconds of that history (a seasonal-naive forecast). The policy
    asks for :math:`\hat\lambda / (\mu\,u^*)` servers, and never fewer than
    the reactive :class:`TargetTracking` rule on utilisation with the same
    target, which covers whatever the forecast misses. Until a full period
    of history exists it is purely reactive.
    """

    period: float
    lead: float
    target_utilisation: float

    def __post_init__(self) -> None:
        check_float("period", self.period, 0.0, strict_min=True)
        check_float("lead", self.lead, 0.0)
        check_float("target_utilisation", self.target_utilisation, 0.0, 1.0,
                    strict_min=True)

    def desired(self, obs: Observation) -> float:
        reactive = TargetTracking("utilisation", self.target_utilisation)
        wanted = reactive.desired(obs)
        period_ticks = max(1, round(self.period / obs.interval))
        ahead = max(1, math.ceil(self.lead / obs.interval - 1e-9))
        now = obs.tick + 1  # the next interval
        past = [now + j - period_ticks for j in range(ahead + 1)]
        history = obs.arrival_history
        if past[0] < 0 or past[-1] >= history.size:
            return wanted
        forecast = float(history[past[0]: past[-1] + 1].max())
        return max(wanted, forecast / (obs.service_rate * self.target_utilisation))
