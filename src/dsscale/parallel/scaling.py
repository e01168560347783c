r"""Measure how a CPU-bound Ray job scales with the number of workers.

Two experiments, after Gustafson (1988):

* **strong scaling** — a fixed total of :math:`T` tasks is divided among
  :math:`k` workers; ideal time falls as :math:`1/k`;
* **weak scaling** — each worker gets the same number of tasks, so the total
  grows with :math:`k`; ideal time stays constant.

In both cases the reported speedup is the throughput ratio

.. math:: S(k) = \frac{X(k)}{X(1)}, \qquad X(k) = \frac{T_k}{t_k},

which for strong scaling equals the classic :math:`t_1 / t_k` and for weak
scaling is the *scaled speedup*. Parallelism is limited to exactly :math:`k`
by running the tasks on :math:`k` long-lived actors (one process each), which
are warmed up before the clock starts, so worker start-up is not measured.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from dsscale._validate import check_int
from dsscale.parallel.cputask import DEFAULT_TASK_SIZE, cpu_task
from dsscale.raysupport import ray_session

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["DEFAULT_TASK_SIZE", "ScalingResult", "cpu_task", "measure_scaling",
           "plot_scaling"]

Mode = Literal["strong", "weak"]


@dataclass(frozen=True)
class ScalingResult:
    """Measured throughput and speedup per worker count (same order)."""

    workers: tuple[int, ...]
    throughput: tuple[float, ...]
    """Tasks per second, from the repeats' ``statistic`` (median or minimum) time."""
    speedup: tuple[float, ...]
    """Throughput relative to the 1-worker throughput."""
    seconds: tuple[float, ...]
    """Wall-clock seconds of one repeat: the repeats' median or minimum."""
    mode: Mode
    tasks: tuple[int, ...]
    """Tasks run per repeat at each worker count."""
    task_size: int
    repeats: int
    samples: tuple[tuple[float, ...], ...] = field(default=())
    """Seconds of every repeat, per worker count."""
    statistic: str = "median"
    """How the repeats were summarised: ``"median"`` or ``"min"``."""

    def speedup_by(self, statistic: str) -> tuple[float, ...]:
        """Speedup recomputed from ``samples`` with ``"median"`` or ``"min"``."""
        if statistic not in ("median", "min"):
            raise ValueError(f"statistic must be 'median' or 'min', got {statistic!r}")
        return _summarise(self.samples, self.tasks, self.workers, statistic)[2]

    @property
    def efficiency(self) -> tuple[float, ...]:
        """Speedup per worker, :math:`E(k) = S(k)/k`."""
        return tuple(s / k for s, k in zip(self.speedup, self.workers, strict=True))

    def fit_usl(self) -> Any:
        """Fit the Universal Scalability Law (``dsscale.laws.fit_usl``)."""
        from dsscale.laws import fit_usl

        return fit_usl(np.asarray(self.workers, float), np.asarray(self.throughput))

    def fit_amdahl(self) -> float:
        """Parallel fraction p of the best Amdahl fit (``dsscale.laws``)."""
        from dsscale.laws import fit_amdahl

        return float(fit_amdahl(np.asarray(self.workers, float),
                                np.asarray(self.speedup)))

    def to_dict(self) -> dict[str, Any]:
        """Plain lists and numbers, ready for ``json.dump``."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, tuple):
                out[key] = [list(v) if isinstance(v, tuple) else v for v in value]
        out["efficiency"] = list(self.efficiency)
        return out


def _check_workers(workers: Sequence[int]) -> tuple[int, ...]:
    if isinstance(workers, int | np.integer):
        workers = (int(workers),)
    ks = tuple(check_int("workers", k, minimum=1) for k in workers)
    if not ks:
        raise ValueError("workers must hold at least one worker count")
    if 1 not in ks:
        raise ValueError(f"workers must include 1 (the speedup baseline), got {ks}")
    if len(set(ks)) != len(ks):
        raise ValueError(f"workers must not repeat a value, got {ks}")
    return ks


def _make_pool(size: int, cpus_per_actor: float) -> list[Any]:
    import ray

    # Ray starts workers at niceness 15 (RAY_worker_niceness), so on a shared
    # machine any normal-priority process would starve them and the curve
    # would measure the neighbours. Timed workers run at normal priority.
    class Burner:
        def run(self, n_iter: int) -> int:
            return cpu_task(n_iter)

    niceness = {"env_vars": {"RAY_worker_niceness": "0"}}
    actor: Any = ray.remote(num_cpus=cpus_per_actor, runtime_env=niceness)(Burner)
    return [actor.remote() for _ in range(size)]


def _time_once(pool: Sequence[Any], k: int, num_tasks: int, task_size: int) -> float:
    import ray

    start = time.perf_counter()
    # Static round-robin: every actor gets its share up front, so no actor
    # waits for the driver between tasks.
    refs = [pool[i % k].run.remote(task_size) for i in range(num_tasks)]
    ray.get(refs)
    return time.perf_counter() - start


def measure_scaling(workers: Sequence[int] = (1, 2), tasks_per_worker: int = 4,
                    task_size: int = DEFAULT_TASK_SIZE, mode: Mode = "strong",
                    repeats: int = 3, address: str | None = None,
                    progress: bool = False, warmup_rounds: int = 1,
                    statistic: str = "median") -> ScalingResult:
    """Run :func:`cpu_task` on 1..k Ray workers and report throughput and speedup.

    Parameters
    ----------
    workers
        Worker counts to measure; must include 1, the baseline.
    tasks_per_worker
        Strong scaling runs ``tasks_per_worker * max(workers)`` tasks at every
        k (fixed total work); weak scaling runs ``tasks_per_worker * k``.
    task_size
        ``n_iter`` of each :func:`cpu_task` (default about 0.1-0.2 s of work).
    mode
        ``"strong"`` or ``"weak"``.
    repeats
        Timed runs per worker count, summarised by ``statistic``.
    address
        Ray address (see :func:`dsscale.raysupport.init_ray`). A Ray runtime
        already running in this process is reused.
    progress
        Show a tqdm progress bar on stderr.
    warmup_rounds
        Untimed rounds over every worker count before timing starts. Just
        after ``ray.init`` Ray's own agents are still starting and take CPU;
        on a 2-core machine the first timed round then shows a speedup well
        below what the next ones show, so it is run and discarded.
    statistic
        ``"median"`` (typical run) or ``"min"`` (best run, as ``timeit``
        reports: interference from other processes only ever adds time, so
        the fastest repeat is the closest to the work's own cost). Every
        repeat is kept in ``samples`` either way.

    With ``workers=(1, 2)`` and the defaults the measurement takes about 10 s
    plus Ray's start-up. On a machine with fewer cores than ``max(workers)``,
    workers share cores (each actor then asks Ray for a fraction of a CPU),
    which is the saturation the Universal Scalability Law describes.
    """
    import os

    import ray

    ks = _check_workers(workers)
    tasks_per_worker = check_int("tasks_per_worker", tasks_per_worker, minimum=1)
    task_size = check_int("task_size", task_size, minimum=1)
    repeats = check_int("repeats", repeats, minimum=1)
    warmup_rounds = check_int("warmup_rounds", warmup_rounds, minimum=0)
    if statistic not in ("median", "min"):
        raise ValueError(f"statistic must be 'median' or 'min', got {statistic!r}")
    if mode not in ("strong", "weak"):
        raise ValueError(f"mode must be 'strong' or 'weak', got {mode!r}")
    k_max = max(ks)
    totals = tuple(tasks_per_worker * (k_max if mode == "strong" else k) for k in ks)
    with ray_session(address, num_cpus=max(k_max, os.cpu_count() or 1)) as info:
        cpus_per_actor = min(1.0, info.num_cpus / k_max) if info.num_cpus else 1.0
        pool = _make_pool(k_max, cpus_per_actor)
        try:
            samples = _timed_rounds(pool, ks, totals, task_size, repeats,
                                    warmup_rounds, progress)
        finally:
            for actor in pool:
                ray.kill(actor)
    seconds, throughput, speedup = _summarise(samples, totals, ks, statistic)
    return ScalingResult(
        workers=ks, throughput=throughput,
        speedup=speedup, seconds=seconds, mode=mode,
        tasks=totals, task_size=task_size, repeats=repeats, samples=tuple(samples),
        statistic=statistic)


def _timed_rounds(pool: Sequence[Any], ks: Sequence[int], totals: Sequence[int],
                  task_size: int, repeats: int, warmup_rounds: int,
                  progress: bool) -> list[tuple[float, ...]]:
    """Every repeat's time at every worker count, after untimed warm-up."""
    import ray

    # Warm-up: actor processes start and import everything here.
    ray.get([actor.run.remote(1000) for actor in pool])
    for _ in range(warmup_rounds):
        for k, total in zip(ks, totals, strict=True):
            _time_once(pool, k, total, task_size)
    bar = _progress_bar(len(ks) * repeats, progress)
    runs: list[list[float]] = [[] for _ in ks]
    # Repeats are interleaved (1, 2, 1, 2, ...) so that a change in
    # background load hits every worker count alike.
    for _ in range(repeats):
        for i, (k, total) in enumerate(zip(ks, totals, strict=True)):
            runs[i].append(_time_once(pool, k, total, task_size))
            bar.update(1)
            bar.set_postfix_str(f"k={k}")
    bar.close()
    return [tuple(r) for r in runs]


def _summarise(samples: Sequence[Sequence[float]], tasks: Sequence[int],
               workers: Sequence[int], statistic: str
               ) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    """Seconds, throughput and speedup (vs 1 worker) from every repeat's time."""
    summary = statistics.median if statistic == "median" else min
    seconds = tuple(float(summary(s)) for s in samples)
    throughput = tuple(t / s for t, s in zip(tasks, seconds, strict=True))
    base = throughput[list(workers).index(1)]
    return seconds, throughput, tuple(x / base for x in throughput)


def _progress_bar(total: int, enabled: bool) -> Any:
    # plain tqdm, not tqdm.auto: in a notebook the latter warns on stderr when
    # ipywidgets is missing, which a -W book build treats as an error
    from tqdm import tqdm

    return tqdm(total=total, desc="scaling", unit="run", disable=not enabled,
                leave=False)


def plot_scaling(result: ScalingResult, ax: Axes | None = None,
                 fit: bool = True) -> Axes:
    """Speedup against workers, with the ideal line and (if possible) a USL fit.

    The USL curve is drawn when ``fit`` is true and the result has at least
    three distinct worker counts (the fit needs three points).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    ks = np.asarray(result.workers, float)
    order = np.argsort(ks)
    grid = np.linspace(1.0, max(ks.max(), 2.0), 100)
    ax.plot(grid, grid, ls="--", color="0.5", label="ideal $S(k)=k$")
    ax.plot(ks[order], np.asarray(result.speedup)[order], "o-",
            label=f"measured ({result.mode})")
    if fit and len(set(result.workers)) >= 3:
        usl = result.fit_usl()
        ax.plot(grid, np.asarray(usl.predict(grid)) / usl.predict(1.0), ":",
                label=rf"USL $\sigma$={usl.sigma:.3f}, $\kappa$={usl.kappa:.4f}")
    ax.set_xlabel("workers $k$")
    ax.set_ylabel("speedup $S(k)$")
    ax.legend(loc="upper left")
    return ax
