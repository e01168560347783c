"""Checks for Chapter 4's Ray exercises (trusted code: students do not edit this).

Pure-Python checks come first in each exercise and the Ray checks require
them, so a stub fails fast with "not implemented" and never starts Ray. The
Ray checks are procedures: trusted code that runs in the sandboxed child,
which joins the one local Ray cluster ``dsscale grade`` starts for the whole
run (``RAY_ADDRESS`` and the token are set for it), and returns plain data
(counts, a log of submissions and fetches, positions of references) that the
check then judges. Nothing here measures or asserts a speed: the batching of
ex02 and ex03 is observed through the driver's submissions and fetches and
through tasks that cannot finish until the procedure lets them, and ex05
only checks that real measurements pass through the student's functions
consistently.

Ray imports the functions it runs in worker processes by module name, and
neither this file (loaded under a private name) nor the student's file is
importable there; :func:`_connect` therefore asks Ray's cloudpickle to ship
both modules' functions and classes by value.
"""

import atexit
import os
import sys
import threading
from collections import Counter

import numpy as np

from dsscale.grading import (
    assert_close,
    assert_equal,
    assert_raised,
    assert_raises,
    captured,
    check,
    forbid,
    procedure,
)
from dsscale.grading.remote import student_error
from dsscale.laws import fit_amdahl
from dsscale.parallel.wordcount import synthetic_corpus

YOURSELF = ("this exercise asks you to write it yourself; the library's "
            "version is what the checks compare yours with.")
forbid("ex02_reduce_step",
       "dsscale.parallel.wordcount.reduce_counts",
       "dsscale.parallel.wordcount.wordcount_local",
       "dsscale.parallel.wordcount.wordcount_ray", "dsscale.parallel.mapreduce",
       reason=YOURSELF)
forbid("ex04_choose_quorums", "dsscale.quorum", reason=YOURSELF)
forbid("ex05_fit_scaling", "dsscale.laws", "dsscale.parallel.scaling", reason=YOURSELF)

_SESSION = []  # the one ray_session of this exercise process, once entered


def _connect(module):
    """Child: join the grader's Ray cluster (once per process); return ``ray``."""
    import ray
    from dsscale.raysupport import ray_session
    from ray import cloudpickle

    if not _SESSION:
        session = ray_session()
        session.__enter__()
        _SESSION.append(session)
        atexit.register(session.__exit__, None, None, None)
    for shipped in (sys.modules[__name__], module):
        cloudpickle.register_pickle_by_value(shipped)
    return ray


class _Log:
    """A Ray actor used as a shared append-only event log."""

    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)

    def read(self):
        return list(self.items)


# ---- ex02_reduce_step -------------------------------------------------------

CORPUS = synthetic_corpus(6_000, vocab_size=300, rng=42)  # words "w1".."w300"
CHUNKS = [CORPUS[i::4] for i in range(4)]


def _mod_partition(word, num_partitions):
    # words are "w<rank>": an easy routing to work out by hand
    return int(word[1:]) % num_partitions


def _expect_counts(got, want, what):
    if got is None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    if not isinstance(got, dict):
        raise AssertionError(f"{what} should return a dict, got "
                             f"{type(got).__name__}: {got!r:.80}")
    if dict(got) == dict(want):
        return
    missing = sorted(set(want) - set(got))[:3]
    extra = sorted(set(got) - set(want))[:3]
    wrong = sorted(w for w in set(got) & set(want) if got[w] != want[w])[:3]
    raise AssertionError(
        f"{what} differs from the expected counts ({len(want)} words): "
        f"missing {missing}, unexpected {extra}, wrong counts for "
        f"{[(w, got[w], want[w]) for w in wrong]} (word, yours, expected)")


@check("ex02_reduce_step", points=1, name="merge_counts sums partial counts")
def _(ex):
    a, b = {"a": 2, "b": 1}, Counter({"b": 3, "c": 1})
    got, (after,) = ex.merge_counts.and_args([a, b, {}])
    _expect_counts(got, {"a": 2, "b": 4, "c": 1}, "merge_counts([a, b, {}])")
    if after != [a, b, {}]:
        raise AssertionError("merge_counts must not modify its input dicts; "
                             "build a new dict")
    _expect_counts(ex.merge_counts([]), {}, "merge_counts([])")
    _expect_counts(ex.merge_counts([Counter(c) for c in CHUNKS]), Counter(CORPUS),
                   "merge_counts of the 4 chunks' Counters")


@check("ex02_reduce_step", points=2, name="reduce_partition keeps its own words")
def _(ex):
    partials = [dict(Counter(c)) for c in CHUNKS]
    total = Counter(CORPUS)
    for r in range(3):
        want = {w: c for w, c in total.items() if int(w[1:]) % 3 == r}
        got = ex.reduce_partition(partials, r, 3, _mod_partition)
        _expect_counts(got, want, f"reduce_partition(partials, {r}, 3, partition_of)")
    assert_raises(ValueError, ex.reduce_partition, partials, 3, 3, _mod_partition,
                  what="reduce_partition(partials, 3, 3, ...)", mentions="partition")
    assert_raises(ValueError, ex.reduce_partition, partials, 0, 0, _mod_partition,
                  what="reduce_partition(partials, 0, 0, ...)",
                  mentions="num_partitions")


class _SpyPartition:
    """``partition_of`` that reports each Ray task it runs in to a log actor."""

    def __init__(self, log):
        self.log = log
        self.driver_pid = os.getpid()
        self.driver_calls = 0
        self.tasks = set()  # task ids reported from this copy

    def __call__(self, word, num_partitions):
        import ray

        if os.getpid() == self.driver_pid:
            self.driver_calls += 1
        else:
            task = ray.get_runtime_context().get_task_id()
            if task not in self.tasks:
                self.tasks.add(task)
                ray.get(self.log.add.remote(task))  # logged before we go on
        return int(word[1:]) % num_partitions


class _Watched:
    """Stands in for the student's ``reduce_task``: logs each submission."""

    def __init__(self, task, events):
        self.task, self.events = task, events

    def remote(self, *args, **kwargs):
        self.events.append("submit")
        return self.task.remote(*args, **kwargs)


@procedure
def reduce_on_ray_run(module, num_partitions, partition):
    """Child: reduce_on_ray over the 4 chunks, logging submissions and fetches.

    ``partition`` is "mod" (word rank mod R), "spy" (the same, logging the
    task it runs in) or "default" (the student's default argument).
    """
    ray = _connect(module)
    refs = [ray.put(dict(Counter(c))) for c in CHUNKS]
    log = ray.remote(num_cpus=0)(_Log).remote()
    spy = _SpyPartition(log)
    events = []
    real_get, real_task = ray.get, module.reduce_task

    def watched_get(refs, *args, **kwargs):
        events.append(["get", len(refs) if isinstance(refs, list | tuple) else 1])
        return real_get(refs, *args, **kwargs)

    ray.get, module.reduce_task = watched_get, _Watched(real_task, events)
    try:
        if partition == "default":
            counts = module.reduce_on_ray(refs, num_partitions)
        else:
            chosen = spy if partition == "spy" else _mod_partition
            counts = module.reduce_on_ray(refs, num_partitions, chosen)
    finally:
        ray.get, module.reduce_task = real_get, real_task
    tasks = ray.get(log.read.remote())
    ray.kill(log)
    return {"counts": counts, "events": events, "driver_calls": spy.driver_calls,
            "tasks": len(set(tasks))}


PURE_REDUCE = ["merge_counts sums partial counts",
               "reduce_partition keeps its own words"]


@check("ex02_reduce_step", points=2, name="reduce_on_ray equals Counter(corpus)",
       uses_ray=True, requires=PURE_REDUCE)
def _(ex):
    want = Counter(CORPUS)
    got = reduce_on_ray_run(ex, 3, "mod")
    _expect_counts(got["counts"], want, "reduce_on_ray(refs, 3, partition_of)")
    got = reduce_on_ray_run(ex, 1, "default")
    _expect_counts(got["counts"], want, "reduce_on_ray(refs, 1) (default partition_of)")


@check("ex02_reduce_step", points=2,
       name="reduce_on_ray submits one task per partition, then fetches",
       uses_ray=True, requires=PURE_REDUCE)
def _(ex):
    got = reduce_on_ray_run(ex, 4, "spy")
    what = "reduce_on_ray(refs, 4, partition_of)"
    _expect_counts(got["counts"], Counter(CORPUS), what)
    if got["driver_calls"]:
        raise AssertionError(
            f"{what} called partition_of {got['driver_calls']} times in the driver; "
            "routing words is the reduce tasks' job (reduce_task calls "
            "reduce_partition)")
    if got["tasks"] != 4:
        raise AssertionError(
            f"{what} should launch 4 reduce tasks (one per partition, each calling "
            f"partition_of), but partition_of ran in {got['tasks']} task(s)")
    events = got["events"]
    submits = events.count("submit")
    first_get = next((i for i, e in enumerate(events) if e != "submit"), len(events))
    if submits != 4 or first_get < submits:
        raise AssertionError(
            f"{what} fetched a result with ray.get after {first_get} of its "
            f"{submits} reduce_task.remote calls: a task waited for before the "
            "next is submitted runs alone; submit every task, then fetch")


# ---- ex03_batched_get -------------------------------------------------------


class _FakeRef:
    def __init__(self, x):
        self.x = x


class _FakeRemoteFunction:
    """Stands in for a Ray remote function and logs every submission."""

    def __init__(self, log):
        self.log = log

    def remote(self, x):
        self.log.append(("submit", x))
        return _FakeRef(x)


@check("ex03_batched_get", points=2,
       name="results_in_order submits every task before one get")
def _(ex):
    inputs = [3, 1, 4, 1, 5, 9]
    log = []

    def get(refs):
        if isinstance(refs, _FakeRef):
            log.append(("get", 1))
            return refs.x ** 2
        refs = list(refs)
        log.append(("get", len(refs)))
        return [r.x ** 2 for r in refs]

    try:
        got = ex.results_in_order(_FakeRemoteFunction(log), inputs, get=get)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - explained to the student
        if not any(kind == "get" for kind, _ in log):
            raise AssertionError(
                f"results_in_order raised {type(exc).__name__}: {exc} before "
                "calling the `get` it was given; fetch the results with "
                "`get(refs)`, not with ray.get directly") from None
        raise
    gets = [e for e in log if e[0] == "get"]
    submits = [e for e in log if e[0] == "submit"]
    if submits != [("submit", x) for x in inputs]:
        raise AssertionError(f"results_in_order should call fn.remote(x) once per "
                             f"input, in order; it submitted {[x for _, x in submits]}"
                             f" for inputs {inputs}")
    if len(gets) != 1:
        raise AssertionError(
            f"results_in_order called get {len(gets)} times; call it once, with "
            f"the list of all {len(inputs)} references (a get per task waits for "
            f"each task before the next is submitted)")
    if log[-1] != ("get", len(inputs)):
        raise AssertionError(
            f"results_in_order must submit every task before calling get, then "
            f"call get with all {len(inputs)} references; the order of events "
            f"was {log}")
    got = list(got) if isinstance(got, list | tuple) else got
    assert_equal(got, [x ** 2 for x in inputs],
                  "results_in_order(square, [3, 1, 4, 1, 5, 9])")
    assert_equal(ex.results_in_order(_FakeRemoteFunction([]), [], get=get), [],
                  "results_in_order(fn, [])")


def _cube(x):
    return x ** 3


@procedure
def results_on_ray(module):
    """Child: results_in_order with a real Ray remote function."""
    ray = _connect(module)
    return module.results_in_order(ray.remote(num_cpus=0)(_cube), list(range(10)))


@check("ex03_batched_get", points=1, name="results_in_order on Ray",
       uses_ray=True, requires=["results_in_order submits every task before one get"])
def _(ex):
    assert_equal(results_on_ray(ex), [x ** 3 for x in range(10)],
                 "results_in_order(cube, range(10))")


class _Gate:
    """A threaded Ray actor whose ``hold`` calls finish only after ``open``."""

    def __init__(self):
        self.event = threading.Event()

    def hold(self, value):
        self.event.wait()
        return value

    def open(self):
        self.event.set()


@procedure
def first_k_run(module):
    """Child: first_k_done(refs, 3) while three of six tasks cannot finish.

    Returns whether it hung, its outcome (values, and not_ready as positions
    in refs) and the outcomes of two calls with a bad k.
    """
    ray = _connect(module)
    gate = ray.remote(num_cpus=0, max_concurrency=8)(_Gate).remote()
    try:
        refs = [gate.hold.remote(100), ray.put(1), gate.hold.remote(101),
                ray.put(2), ray.put(3), gate.hold.remote(102)]
        outcome = {}
        worker = threading.Thread(
            target=lambda: outcome.update(captured(module.first_k_done, refs, 3)),
            daemon=True)
        worker.start()
        # a bound on liveness, not a speed: a right answer returns at once
        worker.join(timeout=15)
        hung = worker.is_alive()
        ray.get(gate.open.remote())
        worker.join(timeout=30)
        value = outcome.get("value")
        if isinstance(value, tuple | list) and len(value) == 2:
            values, rest = value
            positions = [next((i for i, r in enumerate(refs) if r == x), -1)
                         for x in rest] if isinstance(rest, list | tuple) else rest
            outcome["value"] = (values, positions)
        return {"hung": hung, "outcome": outcome,
                "k0": captured(module.first_k_done, refs, 0),
                "k7": captured(module.first_k_done, refs, 7)}
    finally:
        ray.get(gate.open.remote())
        ray.kill(gate)


@check("ex03_batched_get", points=2,
       name="first_k_done returns the k ready results with ray.wait",
       uses_ray=True, requires=["results_in_order submits every task before one get"])
def _(ex):
    got = first_k_run(ex)
    if got["hung"]:
        raise AssertionError(
            "first_k_done(refs, 3) was still waiting 15 s after three of the "
            "six references were ready: it waits for tasks that have not "
            "finished")
    outcome = got["outcome"]
    if "error" in outcome:
        raise student_error(outcome["error"], "")
    value = outcome.get("value")
    try:
        values, not_ready = value
        values, not_ready = list(values), list(not_ready)
    except (TypeError, ValueError):
        raise AssertionError(f"first_k_done should return a tuple "
                             f"(values, not_ready), got {value!r}") from None
    assert_equal(values, [1, 2, 3], "the values of first_k_done(refs, 3)")
    assert_equal(not_ready, [0, 2, 5],
                 "the positions in refs of not_ready from first_k_done(refs, 3) "
                 "(the references that were not ready, in their order)")
    assert_raised(got["k0"], ValueError, what="first_k_done(refs, 0)", mentions="k")
    assert_raised(got["k7"], ValueError, what="first_k_done(refs, 7) with 6 refs",
                  mentions="k")


# ---- ex04_choose_quorums ----------------------------------------------------


def _pairs(got, what):
    if got is None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    try:
        return [tuple(int(v) for v in pair) for pair in got]
    except (TypeError, ValueError):
        raise AssertionError(f"{what} should return a list of (R, W) pairs, "
                             f"got {got!r}") from None


@check("ex04_choose_quorums", points=1, name="valid_quorums")
def _(ex):
    # N = 3: W >= 2; W = 2 needs R >= 2, W = 3 any R
    assert_equal(_pairs(ex.valid_quorums(3), "valid_quorums(3)"),
                  [(1, 3), (2, 2), (2, 3), (3, 2), (3, 3)], "valid_quorums(3)")
    # N = 4: W >= 3 (W = 2 is not > 4 / 2); W = 3 needs R >= 2
    assert_equal(_pairs(ex.valid_quorums(4), "valid_quorums(4)"),
                  [(1, 4), (2, 3), (2, 4), (3, 3), (3, 4), (4, 3), (4, 4)],
                  "valid_quorums(4)")
    assert_equal(_pairs(ex.valid_quorums(1), "valid_quorums(1)"), [(1, 1)],
                  "valid_quorums(1)")
    assert_raises(ValueError, ex.valid_quorums, 0, what="valid_quorums(0)",
                  mentions="replication_factor")


def _pair(got, what):
    if got is None:
        raise AssertionError(f"{what} returned None; did you forget `return`?")
    try:
        first, second = (int(v) for v in got)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} should return a pair of ints, "
                             f"got {got!r}") from None
    return first, second


@check("ex04_choose_quorums", points=2, name="cheapest_quorums (ties included)")
def _(ex):
    cases = [
        # (N, f): cost f R + (1 - f) W over the valid pairs
        ((3, 0.9), (1, 3)),   # (1,3): 1.2 < (2,2): 2.0
        ((3, 0.25), (2, 2)),  # (2,2): 2.0 < (1,3): 2.5
        ((3, 0.5), (2, 2)),   # tie (1,3) = (2,2) = 2.0: smaller W
        ((3, 0.0), (2, 2)),   # tie (2,2) = (3,2) = 2: same W, smaller R
        ((3, 1.0), (1, 3)),   # cost R: only (1,3) has R = 1
        ((4, 0.5), (2, 3)),   # tie (2,3) = (1,4) = 2.5: smaller W
        ((5, 0.75), (1, 5)),  # (1,5): 2.0 < (2,4): 2.5 < (3,3): 3.0
        ((5, 0.25), (3, 3)),  # (3,3): 3.0 < (2,4): 3.5 < (1,5): 4.0
        ((5, 0.5), (3, 3)),   # three-way tie at 3.0: smallest W
    ]
    for (n, f), want in cases:
        what = f"cheapest_quorums({n}, {f})"
        assert_equal(_pair(ex.cheapest_quorums(n, f), what), want, what)
    assert_raises(ValueError, ex.cheapest_quorums, 3, 1.5,
                  what="cheapest_quorums(3, 1.5)", mentions="read_fraction")
    assert_raises(ValueError, ex.cheapest_quorums, 0, 0.5,
                  what="cheapest_quorums(0, 0.5)", mentions="replication_factor")


@check("ex04_choose_quorums", points=1, name="tolerated_failures")
def _(ex):
    cases = [
        ((3, 2, 2), (1, 1)),
        ((3, 1, 3), (2, 0)),
        ((5, 3, 3), (2, 2)),
        ((5, 4, 3), (1, 1)),  # a write first asks R = 4 replicas for versions
        ((5, 1, 5), (4, 0)),
    ]
    for args, want in cases:
        what = f"tolerated_failures{args}"
        assert_equal(_pair(ex.tolerated_failures(*args), what), want, what)
    assert_raises(ValueError, ex.tolerated_failures, 3, 0, 2,
                  what="tolerated_failures(3, 0, 2)", mentions="read_quorum")
    assert_raises(ValueError, ex.tolerated_failures, 3, 2, 4,
                  what="tolerated_failures(3, 2, 4)", mentions="write_quorum")
    assert_raises(ValueError, ex.tolerated_failures, 0, 1, 1,
                  what="tolerated_failures(0, 1, 1)", mentions="replication_factor")


@procedure
def kv_store_run(module, read_quorum, write_quorum):
    """Child: puts and gets on a Ray KVStore with these quorums."""
    _connect(module)
    from dsscale.parallel.kvstore import KVStore

    # a generous per-replica timeout: the grading machine may be busy
    with KVStore(num_shards=1, replication_factor=3, read_quorum=read_quorum,
                 write_quorum=write_quorum, rng=0, timeout=10.0) as store:
        items = {"alpha": 1, "beta": "two", "gamma": [3]}
        for key, value in items.items():
            store.put(key, value)
        got = {key: store.get(key) for key in items}
        store.put("alpha", 11)
        got["alpha again"] = store.get("alpha")
    return got


@check("ex04_choose_quorums", points=1,
       name="a KVStore on Ray with your cheapest_quorums(3, 0.9)", uses_ray=True,
       requires=["valid_quorums", "cheapest_quorums (ties included)"])
def _(ex):
    r, w = _pair(ex.cheapest_quorums(3, 0.9), "cheapest_quorums(3, 0.9)")
    if not (1 <= r <= 3 and 2 <= w <= 3 and r + w > 3):
        raise AssertionError(f"cheapest_quorums(3, 0.9) = {(r, w)} is not a safe "
                             "quorum for N = 3 (need R + W > 3 and W > 3 / 2)")
    got = kv_store_run(ex, r, w)
    want = {"alpha": 1, "beta": "two", "gamma": [3], "alpha again": 11}
    assert_equal(got, want, f"get of every key after the puts, with (R, W) = {(r, w)}")


# ---- ex05_fit_scaling -------------------------------------------------------


def _two_arrays(got, what):
    try:
        a, b = got
    except (TypeError, ValueError):
        raise AssertionError(f"{what} should return a tuple (speedup, efficiency), "
                             f"got {got!r}") from None
    return a, b


@check("ex05_fit_scaling", points=1, name="speedup_efficiency from repeated runs")
def _(ex):
    # medians: n=4 -> (3.1 + 3.2) / 2 = 3.15, n=1 -> 11, n=2 -> (6 + 5.5) / 2
    what = "speedup_efficiency([4, 1, 2], ...)"
    s, e = _two_arrays(ex.speedup_efficiency(
        [4, 1, 2], [[3.0, 3.2, 3.1, 9.0], [10.0, 12.0, 11.0], [6.0, 5.5]]), what)
    want = np.array([11 / 3.15, 1.0, 11 / 5.75])
    assert_close(s, want, f"the speedup of {what}")
    assert_close(e, want / [4, 1, 2], f"the efficiency of {what}")
    assert_raises(ValueError, ex.speedup_efficiency, [2, 4], [[1.0], [0.5]],
                  what="speedup_efficiency([2, 4], ...) (no 1-worker run)",
                  mentions="workers")
    assert_raises(ValueError, ex.speedup_efficiency, [1, 2], [[1.0]],
                  what="speedup_efficiency([1, 2], [[1.0]])", mentions="workers")
    assert_raises(ValueError, ex.speedup_efficiency, [1, 2], [[1.0], [-0.5]],
                  what="speedup_efficiency([1, 2], [[1.0], [-0.5]])",
                  mentions="seconds")
    assert_raises(ValueError, ex.speedup_efficiency, [1, 2], [[1.0], []],
                  what="speedup_efficiency([1, 2], [[1.0], []])", mentions="seconds")


N_MEASURED = np.array([1.0, 2.0, 4.0, 8.0, 16.0])


@check("ex05_fit_scaling", points=2, name="fit_parallel_fraction by least squares")
def _(ex):
    exact = 1.0 / (0.2 + 0.8 / N_MEASURED)
    assert_close(ex.fit_parallel_fraction(N_MEASURED, exact), 0.8,
                 "fit_parallel_fraction on noise-free speedups with p = 0.8",
                 rtol=0, atol=1e-4)
    # 5 % noise around p = 0.9; the straight-line fit of 1/S would give 0.910
    rng = np.random.default_rng(11)
    noisy = 1.0 / (0.1 + 0.9 / N_MEASURED)
    noisy *= 1 + 0.05 * rng.standard_normal(N_MEASURED.size)
    noisy[0] = 1.0
    assert_close(ex.fit_parallel_fraction(N_MEASURED, noisy),
                 fit_amdahl(N_MEASURED, noisy),  # 0.89764
                 "fit_parallel_fraction on noisy speedups (least squares on S, "
                 "not on 1/S)", rtol=0, atol=1e-4)
    assert_close(ex.fit_parallel_fraction([1, 2, 4], [1.0, 2.2, 4.6]), 1.0,
                 "fit_parallel_fraction on superlinear speedups (bound p <= 1)",
                 rtol=0, atol=1e-4)
    assert_raises(ValueError, ex.fit_parallel_fraction, [1, 1], [1.0, 1.0],
                  what="fit_parallel_fraction([1, 1], ...)", mentions="workers")
    assert_raises(ValueError, ex.fit_parallel_fraction, [1, 2], [1.0, 0.0],
                  what="fit_parallel_fraction([1, 2], [1.0, 0.0])",
                  mentions="speedup")


@check("ex05_fit_scaling", points=1, name="predict_speedup")
def _(ex):
    assert_close(ex.predict_speedup(0.8, 4), 2.5, "predict_speedup(0.8, 4)")
    assert_close(ex.predict_speedup(0.5, np.array([1, 2])), [1.0, 4 / 3],
                 "predict_speedup(0.5, [1, 2])")
    assert_close(ex.predict_speedup(1.0, 8), 8.0, "predict_speedup(1.0, 8)")
    assert_raises(ValueError, ex.predict_speedup, 1.2, 4,
                  what="predict_speedup(1.2, 4)", mentions="parallel_fraction")
    assert_raises(ValueError, ex.predict_speedup, 0.5, 0.5,
                  what="predict_speedup(0.5, 0.5)", mentions="workers")


@procedure
def measured_run(module):
    """Child: a real measure_scaling run at 1 and 2 workers (raw samples)."""
    _connect(module)
    from dsscale.parallel.scaling import measure_scaling

    result = measure_scaling(workers=(1, 2), tasks_per_worker=1,
                             task_size=50_000, repeats=2)
    return {"workers": [int(n) for n in result.workers],
            "samples": [[float(t) for t in row] for row in result.samples]}


@check("ex05_fit_scaling", points=1,
       name="real measure_scaling numbers through your functions", uses_ray=True,
       requires=["speedup_efficiency from repeated runs",
                 "fit_parallel_fraction by least squares"])
def _(ex):
    run = measured_run(ex)
    workers, samples = run["workers"], run["samples"]
    if workers != [1, 2] or len(samples) != 2 or not all(
            len(row) == 2 and all(t > 0 for t in row) for row in samples):
        raise AssertionError("the measurement did not run")
    what = "speedup_efficiency(workers, samples) of a measured run"
    s, e = _two_arrays(ex.speedup_efficiency(workers, samples), what)
    s, e = np.asarray(s, dtype=float), np.asarray(e, dtype=float)
    # the judge's own medians of the raw samples
    want = float(np.median(samples[0])) / np.array([np.median(r) for r in samples])
    assert_close(s, want, f"the speedup of {what} (the median times)", rtol=1e-9)
    assert_close(e, want / np.array([1.0, 2.0]), f"the efficiency of {what}")
    # with points at n = 1 and 2 only, least squares fits n = 2 exactly:
    # 1 / ((1 - p) + p / 2) = S  <=>  p = 2 (1 - 1 / S), clipped to [0, 1]
    p = ex.fit_parallel_fraction(workers, s)
    p_want = float(np.clip(2.0 * (1.0 - 1.0 / want[1]), 0.0, 1.0))
    assert_close(p, p_want, f"fit_parallel_fraction on the measured speedup "
                            f"{want[1]:.4f} at 2 workers", rtol=0, atol=1e-4)
    assert_close(ex.predict_speedup(p, 2), float(np.clip(want[1], 1.0, 2.0)),
                 "predict_speedup(p, 2) with the fitted p", rtol=0, atol=1e-3)
