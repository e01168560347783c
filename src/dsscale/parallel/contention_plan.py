r"""The engineered costs of :mod:`dsscale.parallel.contention`, without Ray.

:class:`EngineeredCosts` fixes the USL's coefficients of a program in advance
(a parallel wait of :math:`(1 - \sigma) T`, a lock held for :math:`\sigma T`,
messages of :math:`\kappa T` each, optionally gamma-distributed);
:func:`plan_rounds` draws the rounds the Ray program is asked to run, so the
plan can be computed, and tested, on any machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import RNGLike, as_rng, check_float, check_int

__all__ = ["EngineeredCosts", "RoundPlan", "plan_rounds"]


@dataclass(frozen=True)
class EngineeredCosts:
    r"""The costs of one item: T split into parallel work, a held lock, messages.

    ``unit_seconds`` is T, the time of one item on one worker (0 runs the
    program without any waits, for tests). ``sigma`` in [0, 1) is the share of
    T spent holding the lock, ``kappa`` >= 0 the cost of one message in units
    of T, and ``variability`` the coefficient of variation of holds and
    messages (0: every one takes exactly its mean).

    Examples
    --------
    >>> costs = EngineeredCosts(0.1, sigma=0.1, kappa=0.03)
    >>> round(costs.expected_round_seconds(4), 6)   # 0.1 * (1 + 0.3 + 0.36)
    0.166
    """

    unit_seconds: float
    sigma: float
    kappa: float
    variability: float = 0.0

    def __post_init__(self) -> None:
        check_float("unit_seconds", self.unit_seconds, 0.0)
        check_float("sigma", self.sigma, 0.0, 1.0, strict_max=True)
        check_float("kappa", self.kappa, 0.0)
        check_float("variability", self.variability, 0.0, 3.0)

    @property
    def parallel_seconds(self) -> float:
        return (1.0 - self.sigma) * self.unit_seconds

    @property
    def hold_seconds(self) -> float:
        return self.sigma * self.unit_seconds

    @property
    def message_seconds(self) -> float:
        return self.kappa * self.unit_seconds

    def expected_round_seconds(self, n: int) -> float:
        """Mean time of one round on ``n`` workers: T(1 + sigma(n-1) + kappa n(n-1))."""
        n = check_int("n", n, 1)
        return self.unit_seconds * (1 + self.sigma * (n - 1)
                                    + self.kappa * n * (n - 1))

    def throughput(self, n: int) -> float:
        """Items per second on ``n`` workers: the USL with lambda = 1/T."""
        if self.unit_seconds == 0:
            raise ValueError("unit_seconds must be > 0 for a throughput")
        return n / self.expected_round_seconds(n)

    def _draw(self, mean: float, size: int | tuple[int, int],
              gen: np.random.Generator) -> NDArray[np.float64]:
        if self.variability == 0 or mean == 0:
            return np.full(size, mean)
        shape = 1.0 / self.variability**2
        return gen.gamma(shape, mean / shape, size)

    def plan(self, n: int, rng: RNGLike) -> RoundPlan:
        """The waits of one round on ``n`` workers, drawn from ``rng``."""
        n = check_int("n", n, 1)
        gen = as_rng(rng)
        holds = self._draw(self.hold_seconds, n, gen)
        messages = self._draw(self.message_seconds, (n, n), gen)
        np.fill_diagonal(messages, 0.0)
        return RoundPlan(n, self.parallel_seconds, tuple(float(h) for h in holds),
                         tuple(tuple(float(m) for m in row) for row in messages))


@dataclass(frozen=True)
class RoundPlan:
    """What one round is asked to wait: the serial reference of a round.

    ``messages[i][j]`` is the time the bus carries worker i's message to j
    (0 on the diagonal).
    """

    n: int
    parallel_seconds: float
    hold_seconds: tuple[float, ...]
    message_seconds: tuple[tuple[float, ...], ...]

    @property
    def scheduled_seconds(self) -> float:
        """Time of the round with no overhead at all."""
        return (self.parallel_seconds + sum(self.hold_seconds)
                + sum(map(sum, self.message_seconds)))


def plan_rounds(costs: EngineeredCosts, worker_counts: Sequence[int], repeats: int,
                rng: RNGLike) -> list[RoundPlan]:
    """Plans of ``repeats`` sweeps over ``worker_counts``, interleaved.

    The order is that of :func:`run_contention` (counts inside repeats), and so
    are the draws: the same ``rng`` gives the same plans, with or without Ray.
    """
    if not isinstance(costs, EngineeredCosts):
        raise TypeError(f"costs must be EngineeredCosts, got {type(costs).__name__}")
    counts = tuple(check_int("worker_counts", k, 1) for k in worker_counts)
    if not counts:
        raise ValueError("worker_counts must not be empty")
    repeats = check_int("repeats", repeats, 1)
    gen = as_rng(rng)
    return [costs.plan(n, gen) for _ in range(repeats) for n in counts]
