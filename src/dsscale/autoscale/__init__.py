"""Autoscaling as a feedback loop: staffing, stability, traces, policies, replay.

* :mod:`~dsscale.autoscale.staffing` — how many M/M/c servers a load needs:
  the exact Erlang C search and the square-root staffing rule.
* :mod:`~dsscale.autoscale.stability` — the delayed loop
  :math:`x_{k+1} = x_k - K x_{k-d}` and its critical gain.
* :mod:`~dsscale.autoscale.traces` — seeded diurnal, step and bursty loads.
* :mod:`~dsscale.autoscale.policies` — target tracking, step scaling,
  predictive and fixed capacity.
* :mod:`~dsscale.autoscale.replay` — the loop itself on a simulated queue.
"""

from .policies import (
    FixedCapacity,
    Observation,
    Policy,
    Predictive,
    Scheduled,
    StepScaling,
    TargetTracking,
)
from .replay import AutoscaleRun, replay
from .stability import (
    characteristic_roots,
    critical_gain,
    delay_loop,
    spectral_radius,
    target_tracking_loop,
)
from .staffing import (
    erlang_c_servers,
    halfin_whitt_beta,
    halfin_whitt_wait_probability,
    servers_for_latency,
    square_root_staffing,
)
from .traces import LoadTrace, bursty_trace, diurnal_trace, step_trace

__all__ = [
    "AutoscaleRun",
    "FixedCapacity",
    "LoadTrace",
    "Observation",
    "Policy",
    "Predictive",
    "Scheduled",
    "StepScaling",
    "TargetTracking",
    "bursty_trace",
    "characteristic_roots",
    "critical_gain",
    "delay_loop",
    "diurnal_trace",
    "erlang_c_servers",
    "halfin_whitt_beta",
    "halfin_whitt_wait_probability",
    "replay",
    "servers_for_latency",
    "spectral_radius",
    "square_root_staffing",
    "step_trace",
    "target_tracking_loop",
]
