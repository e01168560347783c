"""``dsscale demo``: run one parallel program on Ray and check it.

``dsscale demo wordcount|sort|montecarlo|kv|scaling [--workers K ...]
[--address ADDR] [--json PATH] [--seed S]``. Each demo prints a short report,
compares its answer with the serial reference, and with ``--json`` writes the
key numbers to a file. Ray runs locally unless ``--address`` or ``RAY_ADDRESS``
names a cluster. Bad input is reported in one line (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from dsscale._validate import check_int

__all__ = ["register", "run_demo"]

PROGRAMS = ("wordcount", "sort", "montecarlo", "kv", "scaling")

# Problem size per program when --size is not given (each runs in seconds).
_DEFAULT_SIZE = {"wordcount": 1_000_000, "sort": 2_000_000,
                 "montecarlo": 20_000_000, "kv": 300}


def _int_arg(name: str, text: str, minimum: int | None = None,
             maximum: int | None = None) -> int:
    """Parse an integer option here, so a bad value gets a one-line error."""
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {text!r}") from None
    return check_int(name, value, minimum, maximum)


def register(subparsers: Any) -> None:
    """Add the ``demo`` subcommand to the ``dsscale`` parser."""
    p = subparsers.add_parser(
        "demo", help="run a parallel program on Ray and check it",
        description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("program", metavar="PROGRAM",
                   help="one of: " + ", ".join(PROGRAMS))
    p.add_argument("--workers", nargs="+", metavar="K", default=None,
                   help="parallel workers (scaling: a list, default 1 2; "
                        "others: one value, default 2; kv: shards)")
    p.add_argument("--address", default=None, metavar="ADDR",
                   help="Ray cluster HOST:PORT (default: $RAY_ADDRESS, else local)")
    p.add_argument("--json", dest="json_path", default=None, metavar="PATH",
                   help="write the key numbers as JSON to PATH")
    p.add_argument("--seed", default="0", metavar="S", help="random seed (default 0)")
    p.add_argument("--size", default=None, metavar="SIZE",
                   help="problem size: words, keys, samples or operations")
    g = p.add_argument_group("scaling")
    g.add_argument("--mode", default="strong", metavar="MODE",
                   help="strong (fixed total work) or weak (work grows with k)")
    g.add_argument("--repeats", default="5", metavar="N",
                   help="timed runs per worker count; median kept (default 5)")
    g.add_argument("--task-size", default=None, metavar="N",
                   help="n_iter of one cpu_task (default 2 x DEFAULT_TASK_SIZE, "
                        "~0.3 s of work: long enough that task overhead and Ray's "
                        "own background work stay a few percent of a task)")
    g.add_argument("--statistic", default="median", choices=("median", "min"),
                   help="summarise the repeats by their median (default) or their "
                        "fastest run, as timeit does; the JSON reports both")
    g.add_argument("--tasks-per-worker", default="4", metavar="N",
                   help="tasks per worker at the largest k (default 4)")
    k = p.add_argument_group("kv")
    k.add_argument("--replication-factor", default="3", metavar="N",
                   help="N (default 3)")
    k.add_argument("--read-quorum", default="2", metavar="R", help="R (default 2)")
    k.add_argument("--write-quorum", default="2", metavar="W", help="W (default 2)")
    k.add_argument("--clients", default="4", metavar="C",
                   help="concurrent clients (default 4)")
    k.add_argument("--no-kill", action="store_true",
                   help="do not kill a replica during the run")
    p.set_defaults(func=run_demo)
    p.error = _one_line_error


def _one_line_error(message: str) -> NoReturn:
    print(f"dsscale demo: error: {message}", file=sys.stderr)
    sys.exit(2)


def run_demo(args: argparse.Namespace) -> int:
    """Entry point of ``dsscale demo``; returns the exit status."""
    from dsscale.raysupport import ray_session

    opts = _options(args)
    # connect first: a wrong --address fails in seconds, before any work
    with ray_session(args.address):
        start = time.perf_counter()
        report = _RUNNERS[args.program](opts)
    report["program"] = args.program
    report["wall_seconds"] = round(time.perf_counter() - start, 3)
    for key, value in report.items():
        print(f"{key:>22}: {_show(value)}")
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report.get("ok", True) else 1


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """Parse and check every option before Ray starts (errors come fast)."""
    from dsscale._validate import check_quorums
    from dsscale.parallel.scaling import DEFAULT_TASK_SIZE

    if args.program not in PROGRAMS:
        raise ValueError(f"PROGRAM must be one of {', '.join(PROGRAMS)}; "
                         f"got {args.program!r}")
    texts = args.workers or (["1", "2"] if args.program == "scaling" else ["2"])
    workers = [_int_arg("--workers", w, minimum=1) for w in texts]
    if args.program != "scaling" and len(workers) != 1:
        raise ValueError(f"--workers takes one value for {args.program}, "
                         f"got {len(workers)}")
    if args.mode not in ("strong", "weak"):
        raise ValueError(f"--mode must be 'strong' or 'weak', got {args.mode!r}")
    n, r, w = check_quorums(
        _int_arg("--replication-factor", args.replication_factor),
        _int_arg("--read-quorum", args.read_quorum),
        _int_arg("--write-quorum", args.write_quorum))
    size = None if args.size is None else _int_arg("--size", args.size, minimum=1)
    return {
        "workers": workers, "seed": _int_arg("--seed", args.seed, minimum=0),
        "size": size or _DEFAULT_SIZE.get(args.program),
        "mode": args.mode, "repeats": _int_arg("--repeats", args.repeats, 1),
        "task_size": 2 * DEFAULT_TASK_SIZE if args.task_size is None
        else _int_arg("--task-size", args.task_size, 1),
        "tasks_per_worker": _int_arg("--tasks-per-worker", args.tasks_per_worker, 1),
        "statistic": getattr(args, "statistic", "median"),
        "replication_factor": n, "read_quorum": r, "write_quorum": w,
        "clients": _int_arg("--clients", args.clients, 1), "kill": not args.no_kill,
    }


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _scaling(o: dict[str, Any]) -> dict[str, Any]:
    from dsscale.parallel.scaling import measure_scaling

    result = measure_scaling(
        workers=o["workers"], mode=o["mode"], tasks_per_worker=o["tasks_per_worker"],
        task_size=o["task_size"], repeats=o["repeats"], progress=True,
        statistic=o["statistic"])
    data = result.to_dict()
    keep = ("workers", "throughput", "speedup", "efficiency", "seconds", "mode",
            "tasks", "task_size", "repeats", "statistic")
    out = {key: data[key] for key in keep}
    for name in ("median", "min"):
        out[f"speedup_{name}"] = list(result.speedup_by(name))
    return out


def _wordcount(o: dict[str, Any]) -> dict[str, Any]:
    from dsscale.parallel.wordcount import (
        synthetic_corpus,
        wordcount_ray,
        wordcount_serial,
    )

    corpus = synthetic_corpus(o["size"], vocab_size=10_000, zipf_s=1.1,
                              rng=o["seed"])
    k = o["workers"][0]
    counts = wordcount_ray(corpus, num_maps=2 * k, num_reduces=k)
    same = counts == wordcount_serial(corpus)
    return {"words": o["size"], "distinct_words": len(counts),
            "top_words": [f"{w}:{c}" for w, c in counts.most_common(3)],
            "map_tasks": 2 * k, "reduce_tasks": k,
            "equals_serial": same, "ok": same}


def _sort(o: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    from dsscale.parallel.samplesort import random_keys, samplesort_ray, sort_serial

    keys = random_keys(o["size"], o["seed"])
    result = samplesort_ray(keys, num_partitions=o["workers"][0], rng=o["seed"])
    same = bool(np.array_equal(result.keys, sort_serial(keys)))
    return {"keys": o["size"], "partitions": o["workers"][0],
            "partition_sizes": list(result.partition_sizes),
            "imbalance": result.imbalance, "equals_serial": same, "ok": same}


def _montecarlo(o: dict[str, Any]) -> dict[str, Any]:
    import math

    from dsscale.parallel.montecarlo import pi_ray, pi_serial

    num_tasks = 8
    result = pi_ray(o["size"], num_tasks=num_tasks, rng=o["seed"],
                    workers=o["workers"][0])
    same = result == pi_serial(o["size"], num_tasks=num_tasks, rng=o["seed"])
    return {"samples": o["size"], "tasks": num_tasks, "workers": o["workers"][0],
            "pi_estimate": result.estimate, "stderr": result.stderr,
            "error_in_stderrs": abs(result.estimate - math.pi) / result.stderr,
            "equals_serial": same, "ok": same}


def _kv(o: dict[str, Any]) -> dict[str, Any]:
    from dsscale.parallel.kvworkload import run_kv_workload

    size = o["size"]
    report = run_kv_workload(
        num_clients=o["clients"], num_ops=size,
        kill_after=size // 3 if o["kill"] else None,
        replication_factor=o["replication_factor"], read_quorum=o["read_quorum"],
        write_quorum=o["write_quorum"], num_shards=o["workers"][0],
        rng=o["seed"], progress=True)
    out = report.to_dict()
    # with R + W > N the store promises a linearizable history and no lost
    # acknowledged write; with R + W <= N it promises neither
    out["ok"] = not report.strict_quorum or (
        report.linearizable and report.lost_writes == 0)
    return out


_RUNNERS: dict[str, Callable[..., dict[str, Any]]] = {
    "scaling": _scaling, "wordcount": _wordcount, "sort": _sort,
    "montecarlo": _montecarlo, "kv": _kv}
