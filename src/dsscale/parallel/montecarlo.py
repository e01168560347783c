r"""Parallel Monte Carlo estimate of :math:`\pi`, reproducible for any worker count.

Draw :math:`n` points uniformly in the unit square; the fraction that falls in
the quarter disc :math:`x^2 + y^2 \le 1` estimates :math:`\pi/4`, so

.. math:: \hat\pi = 4\,\frac{n_\text{in}}{n}, \qquad
          \operatorname{se}(\hat\pi) = 4\sqrt{\frac{p(1-p)}{n}},\ p = \pi/4 .

Reproducibility: the work is cut into a fixed number of *tasks* (not workers),
and task :math:`i` draws from its own stream, child :math:`i` of
``numpy.random.SeedSequence(seed).spawn(num_tasks)`` — statistically independent
streams (O'Neill's PCG design; numpy's recommended way to seed parallel work).
Which worker runs a task, and when, cannot change what it draws, so the Ray
result equals the serial one bit for bit, for 1 worker or 100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dsscale._validate import RNGLike, check_int, spawn_seeds

__all__ = ["MonteCarloResult", "count_inside", "pi_ray", "pi_serial", "task_plan"]

_BATCH = 1 << 20  # points drawn at once: bounds memory at ~16 MB per task


@dataclass(frozen=True)
class MonteCarloResult:
    """Points inside the quarter disc, out of ``samples``; the estimate and its se."""

    inside: int
    samples: int
    num_tasks: int

    @property
    def estimate(self) -> float:
        return 4.0 * self.inside / self.samples

    @property
    def stderr(self) -> float:
        p = math.pi / 4.0
        return 4.0 * math.sqrt(p * (1.0 - p) / self.samples)


def task_plan(num_samples: int, num_tasks: int,
              rng: RNGLike = 0) -> list[tuple[np.random.SeedSequence, int]]:
    """(seed sequence, sample count) of every task; sizes differ by at most 1."""
    num_samples = check_int("num_samples", num_samples, minimum=1)
    num_tasks = check_int("num_tasks", num_tasks, minimum=1, maximum=num_samples)
    sizes = np.full(num_tasks, num_samples // num_tasks)
    sizes[: num_samples % num_tasks] += 1
    children = spawn_seeds(rng, num_tasks)
    return list(zip(children, sizes.tolist(), strict=True))


def count_inside(seed_seq: np.random.SeedSequence, num_samples: int) -> int:
    """Points of ``num_samples`` uniform draws (stream ``seed_seq``) in the disc."""
    rng = np.random.default_rng(seed_seq)
    inside = 0
    left = num_samples
    while left > 0:
        n = min(left, _BATCH)
        xy = rng.random((2, n))
        inside += int(np.count_nonzero(xy[0] ** 2 + xy[1] ** 2 <= 1.0))
        left -= n
    return inside


def pi_serial(num_samples: int, num_tasks: int = 8,
              rng: RNGLike = 0) -> MonteCarloResult:
    """Reference: the tasks of :func:`pi_ray`, run one after another here."""
    plan = task_plan(num_samples, num_tasks, rng)
    inside = sum(count_inside(ss, n) for ss, n in plan)
    return MonteCarloResult(inside, num_samples, len(plan))


def pi_ray(num_samples: int, num_tasks: int = 8, rng: RNGLike = 0,
           workers: int | None = None, address: str | None = None) -> MonteCarloResult:
    """Run the tasks on Ray with at most ``workers`` in flight (default: no cap).

    The answer does not depend on ``workers``; only the wall-clock time does.
    """
    import ray
    from dsscale.raysupport import ray_session

    plan = task_plan(num_samples, num_tasks, rng)
    cap = len(plan) if workers is None else check_int("workers", workers, minimum=1)
    with ray_session(address):
        task = ray.remote(count_inside)
        pending: list[ray.ObjectRef[int]] = []
        done: list[ray.ObjectRef[int]] = []
        for ss, n in plan:
            if len(pending) >= cap:
                ready, pending = ray.wait(pending, num_returns=1)
                done.extend(ready)
            pending.append(task.remote(ss, n))
        inside = sum(ray.get(done + pending))
    return MonteCarloResult(inside, num_samples, len(plan))
