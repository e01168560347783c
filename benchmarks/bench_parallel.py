"""When does parallelism on Ray pay? Task overhead vs task size, and scaling.

Two measurements, each a ratio taken side by side in one run:

1. **Granularity.** The same batch of CPU-bound tasks runs serially in this
   process and as Ray tasks on 2 workers, for task sizes from ~0.1 ms to
   ~100 ms. The speedup ``serial / ray`` rises from far below 1 (overhead
   dominates) towards 2 (the core count); the implied per-task overhead is
   ``(2 * t_ray - t_serial) / tasks``.
2. **Scaling.** :func:`dsscale.parallel.scaling.measure_scaling` with 100 ms
   tasks: speedup per worker count (beyond the core count the workers share
   cores, so the curve flattens).

Usage: ``python benchmarks/bench_parallel.py [--quick] [--json PATH]``.
Absolute times depend on the machine and its load; read the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from dsscale.parallel.cputask import cpu_task, cpu_task_rate
from dsscale.parallel.scaling import measure_scaling
from dsscale.raysupport import ray_session

WORKERS = 2


def granularity(sizes_ms: list[float], budget_s: float, max_tasks: int,
                rate: float, repeats: int) -> list[dict[str, Any]]:
    """Serial vs 2-worker Ray time for batches of equal tasks of each size.

    Serial and Ray runs alternate ``repeats`` times and the medians are kept,
    so a change in background load hits both sides of the ratio.
    """
    import ray

    # each task asks for half the CPUs, so exactly WORKERS run at once
    cpus = float(ray.cluster_resources()["CPU"]) / WORKERS
    task = ray.remote(num_cpus=cpus)(cpu_task)
    ray.get([task.remote(10) for _ in range(4 * WORKERS)])  # warm the workers
    rows = []
    for size in sizes_ms:
        n_iter = max(1, round(size * rate))
        count = int(min(max_tasks, max(4 * WORKERS, budget_s * 1e3 / size)))
        serial, parallel = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(count):
                cpu_task(n_iter)
            serial.append(time.perf_counter() - start)
            start = time.perf_counter()
            ray.get([task.remote(n_iter) for _ in range(count)])
            parallel.append(time.perf_counter() - start)
        t_serial, t_ray = statistics.median(serial), statistics.median(parallel)
        rows.append({
            "task_ms": size, "tasks": count, "serial_s": t_serial, "ray_s": t_ray,
            "speedup": t_serial / t_ray,
            "overhead_ms_per_task": max(0.0, (WORKERS * t_ray - t_serial) / count
                                        * 1e3)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller, ~30 s run")
    parser.add_argument("--json", dest="json_path", help="write results here")
    args = parser.parse_args(argv)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

    sizes = [0.1, 1.0, 10.0, 100.0] if args.quick else [0.1, 0.3, 1, 3, 10, 30, 100]
    workers = (1, 2) if args.quick else (1, 2, 3, 4)
    rate = cpu_task_rate()
    load = os.getloadavg()
    start = time.perf_counter()
    # Workers at normal priority (Ray's default niceness is 15), so that a
    # busy neighbour does not make the ratio measure the neighbour.
    with ray_session(num_cpus=max(workers) * 2,
                     runtime_env={"env_vars": {"RAY_worker_niceness": "0"}}):
        rows = granularity(sizes, budget_s=0.4 if args.quick else 1.0,
                           max_tasks=400 if args.quick else 2000, rate=rate,
                           repeats=1 if args.quick else 3)
        scaling = measure_scaling(workers=workers, tasks_per_worker=2 if args.quick
                                  else 4, task_size=round(100 * rate),
                                  repeats=1 if args.quick else 3)
    total = time.perf_counter() - start

    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"on {os.cpu_count()} cores; cpu_task: {rate:,.0f} iterations/ms")
    print(f"\n1. serial vs Ray with {WORKERS} workers, by task size")
    print(f"{'task ms':>8} {'tasks':>6} {'serial s':>9} {'ray s':>8} "
          f"{'speedup':>8} {'overhead ms/task':>17}")
    for r in rows:
        print(f"{r['task_ms']:>8g} {r['tasks']:>6} {r['serial_s']:>9.3f} "
              f"{r['ray_s']:>8.3f} {r['speedup']:>8.2f} "
              f"{r['overhead_ms_per_task']:>17.2f}")
    print(f"\n2. {scaling.mode} scaling, 100 ms tasks (speedup vs 1 worker)")
    print(f"{'workers':>8} {'tasks/s':>8} {'speedup':>8} {'efficiency':>11}")
    for k, x, s, e in zip(scaling.workers, scaling.throughput, scaling.speedup,
                          scaling.efficiency, strict=True):
        print(f"{k:>8} {x:>8.2f} {s:>8.2f} {e:>11.2f}")
    print(f"\ntotal {total:.1f} s; load average after: {os.getloadavg()[0]:.2f}")
    if args.json_path:
        Path(args.json_path).write_text(json.dumps({
            "load_average": load, "iterations_per_ms": rate,
            "granularity": rows, "scaling": scaling.to_dict()}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
