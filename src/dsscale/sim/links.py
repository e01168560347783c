"""How a simulated link behaves: its delay law, loss, duplication and order."""

from __future__ import annotations

import random
from dataclasses import dataclass

from dsscale._validate import check_float

__all__ = ["Delay", "ExponentialDelay", "FixedDelay", "Link", "UniformDelay"]


class Delay:
    """A distribution of one-way message delays; ``sample`` draws one."""

    def sample(self, rnd: random.Random) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class UniformDelay(Delay):
    """Delay uniform on ``[low, high]``."""

    low: float = 1.0
    high: float = 3.0

    def __post_init__(self) -> None:
        check_float("low", self.low, 0.0)
        check_float("high", self.high, self.low)

    def sample(self, rnd: random.Random) -> float:
        return rnd.uniform(self.low, self.high)


@dataclass(frozen=True)
class ExponentialDelay(Delay):
    """Delay ``minimum + Exp(mean)``: a floor plus a long tail."""

    mean: float = 1.0
    minimum: float = 0.5

    def __post_init__(self) -> None:
        check_float("mean", self.mean, 0.0, strict_min=True)
        check_float("minimum", self.minimum, 0.0)

    def sample(self, rnd: random.Random) -> float:
        return self.minimum + rnd.expovariate(1.0 / self.mean)


@dataclass(frozen=True)
class FixedDelay(Delay):
    """Every message takes exactly ``delay``."""

    delay: float = 1.0

    def __post_init__(self) -> None:
        check_float("delay", self.delay, 0.0)

    def sample(self, rnd: random.Random) -> float:
        return self.delay


@dataclass(frozen=True)
class Link:
    """How one directed link behaves: delay law, loss and duplication, FIFO."""

    delay: Delay = UniformDelay()
    loss: float = 0.0
    duplicate: float = 0.0
    fifo: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.delay, Delay):
            raise TypeError(f"delay must be a Delay, got {type(self.delay).__name__}")
        check_float("loss", self.loss, 0.0, 1.0)
        check_float("duplicate", self.duplicate, 0.0, 1.0)
