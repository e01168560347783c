"""Checks for Chapter 4's Ray exercises (trusted code: students do not edit this).

Pure-Python checks come first in each exercise, so a stub fails fast with
"not implemented". The checks marked ``uses_ray=True`` run on the one local
Ray cluster that ``dsscale grade`` starts for the whole grading run (it sets
``RAY_ADDRESS`` and the token for this process). Nothing here measures or
asserts a speed: the batching pattern of ex03 is observed through the
``get`` the check passes in and through tasks that cannot finish until the
check lets them, and ex05 only checks that real measurements pass through
the student's functions consistently.

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

from dsscale.grading import assert_close, assert_equal, assert_raises, check
from dsscale.laws import fit_amdahl
from dsscale.parallel.wordcount import synthetic_corpus

_SESSION = []  # the one ray_session of this exercise process, once entered


def _connect(ex):
    """Join the grader's Ray cluster (once per process); return ``ray``."""
    import ray
    from dsscale.raysupport import ray_session
    from ray import cloudpickle

    if not _SESSION:
        session = ray_session()
        session.__enter__()
        _SESSION.append(session)
        atexit.register(session.__exit__, None, None, None)
    for module in (sys.modules[__name__], ex):
        cloudpickle.register_pickle_by_value(module)
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
    got = ex.merge_counts([a, b, {}])
    _expect_counts(got, {"a": 2, "b": 4, "c": 1}, "merge_counts([a, b, {}])")
    if a != {"a": 2, "b": 1} or b != Counter({"b": 3, "c": 1}):
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


@check("ex02_reduce_step", points=2, name="reduce_on_ray equals Counter(corpus)",
       uses_ray=True)
def _(ex):
    ray = _connect(ex)
    refs = [ray.put(dict(Counter(c))) for c in CHUNKS]
    want = Counter(CORPUS)
    _expect_counts(ex.reduce_on_ray(refs, 3, _mod_partition), want,
                   "reduce_on_ray(refs, 3, partition_of)")
    _expect_counts(ex.reduce_on_ray(refs, 1), want,
                   "reduce_on_ray(refs, 1) (default partition_of)")


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


@check("ex02_reduce_step", points=1,
       name="reduce_on_ray runs one Ray task per partition", uses_ray=True)
def _(ex):
    ray = _connect(ex)
    log = ray.remote(num_cpus=0)(_Log).remote()
    try:
        spy = _SpyPartition(log)
        refs = [ray.put(dict(Counter(c))) for c in CHUNKS]
        _expect_counts(ex.reduce_on_ray(refs, 4, spy), Counter(CORPUS),
                       "reduce_on_ray(refs, 4, partition_of)")
        if spy.driver_calls:
            raise AssertionError(
                f"reduce_on_ray(refs, 4, partition_of) called partition_of "
                f"{spy.driver_calls} times in the driver; routing words is the "
                f"reduce tasks' job (reduce_task calls reduce_partition)")
        tasks = ray.get(log.read.remote())
        if len(set(tasks)) != 4:
            raise AssertionError(
                f"reduce_on_ray(refs, 4, partition_of) should launch 4 reduce "
                f"tasks (one per partition, each calling partition_of), but "
                f"partition_of ran in {len(set(tasks))} task(s)")
    finally:
        ray.kill(log)


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


@check("ex03_batched_get", points=1, name="results_in_order on Ray",
       uses_ray=True)
def _(ex):
    ray = _connect(ex)
    cube = ray.remote(num_cpus=0)(_cube)
    assert_equal(ex.results_in_order(cube, list(range(10))),
                  [x ** 3 for x in range(10)], "results_in_order(cube, range(10))")


class _Gate:
    """A threaded Ray actor whose ``hold`` calls finish only after ``open``."""

    def __init__(self):
        self.event = threading.Event()

    def hold(self, value):
        self.event.wait()
        return value

    def open(self):
        self.event.set()


@check("ex03_batched_get", points=2,
       name="first_k_done returns the k ready results with ray.wait",
       uses_ray=True)
def _(ex):
    ray = _connect(ex)
    gate = ray.remote(num_cpus=0, max_concurrency=8)(_Gate).remote()
    try:
        # three results exist already; three cannot exist until gate.open()
        refs = [gate.hold.remote(100), ray.put(1), gate.hold.remote(101),
                ray.put(2), ray.put(3), gate.hold.remote(102)]
        outcome = {}

        def call():
            try:
                outcome["value"] = ex.first_k_done(refs, 3)
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                outcome["error"] = exc

        worker = threading.Thread(target=call, daemon=True)
        worker.start()
        # a bound on liveness, not a speed: a right answer returns at once
        worker.join(timeout=15)
        hung = worker.is_alive()
        ray.get(gate.open.remote())
        worker.join(timeout=30)
        if hung:
            raise AssertionError(
                "first_k_done(refs, 3) was still waiting 15 s after three of the "
                "six references were ready: it waits for tasks that have not "
                "finished; use ray.wait(refs, num_returns=k) and fetch only the "
                "ready ones")
        if "error" in outcome:
            raise outcome["error"]
        got = outcome.get("value")
        try:
            values, not_ready = got
            values, not_ready = list(values), list(not_ready)
        except (TypeError, ValueError):
            raise AssertionError(f"first_k_done should return a tuple "
                                 f"(values, not_ready), got {got!r}") from None
        assert_equal(values, [1, 2, 3], "the values of first_k_done(refs, 3)")
        if not_ready != [refs[0], refs[2], refs[5]]:
            raise AssertionError(
                "not_ready of first_k_done(refs, 3) should be the three "
                "references that were not ready (refs[0], refs[2], refs[5], in "
                f"that order), got {not_ready}")
        assert_raises(ValueError, ex.first_k_done, refs, 0,
                      what="first_k_done(refs, 0)", mentions="k")
        assert_raises(ValueError, ex.first_k_done, refs, 7,
                      what="first_k_done(refs, 7) with 6 refs", mentions="k")
    finally:
        ray.get(gate.open.remote())
        ray.kill(gate)


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


@check("ex04_choose_quorums", points=1,
       name="a KVStore on Ray with your cheapest_quorums(3, 0.9)", uses_ray=True)
def _(ex):
    r, w = _pair(ex.cheapest_quorums(3, 0.9), "cheapest_quorums(3, 0.9)")
    if not (1 <= r <= 3 and 2 <= w <= 3 and r + w > 3):
        raise AssertionError(f"cheapest_quorums(3, 0.9) = {(r, w)} is not a safe "
                             "quorum for N = 3 (need R + W > 3 and W > 3 / 2)")
    _connect(ex)
    from dsscale.parallel.kvstore import KVStore

    # a generous per-replica timeout: the grading machine may be busy
    with KVStore(num_shards=1, replication_factor=3, read_quorum=r,
                 write_quorum=w, rng=0, timeout=10.0) as store:
        items = {"alpha": 1, "beta": "two", "gamma": [3]}
        for key, value in items.items():
            store.put(key, value)
        for key, value in items.items():
            assert_equal(store.get(key), value,
                          f"get({key!r}) after put with (R, W) = {(r, w)}")
        store.put("alpha", 11)
        assert_equal(store.get("alpha"), 11, "get('alpha') after a second put")


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


@check("ex05_fit_scaling", points=1,
       name="real measure_scaling numbers through your functions", uses_ray=True)
def _(ex):
    # fail fast, before spending seconds on Ray
    ex.speedup_efficiency([1, 2], [[2.0], [1.0]])
    _connect(ex)
    from dsscale.parallel.scaling import measure_scaling

    result = measure_scaling(workers=(1, 2), tasks_per_worker=1,
                             task_size=50_000, repeats=2)
    what = "speedup_efficiency(result.workers, result.samples)"
    s, e = _two_arrays(ex.speedup_efficiency(result.workers, result.samples), what)
    s, e = np.asarray(s, dtype=float), np.asarray(e, dtype=float)
    if s.shape != (2,) or s[0] != 1.0:
        raise AssertionError(f"{what}: the speedup at 1 worker must be exactly 1.0, "
                             f"got speedup {s}")
    assert_close(s, result.speedup, f"the speedup of {what} (the median times)",
                 rtol=1e-9)
    assert_close(e, s / np.array([1.0, 2.0]), f"the efficiency of {what}")
    # with points at n = 1 and 2 only, least squares fits n = 2 exactly:
    # 1 / ((1 - p) + p / 2) = S  <=>  p = 2 (1 - 1 / S), clipped to [0, 1]
    p = ex.fit_parallel_fraction(result.workers, s)
    want = float(np.clip(2.0 * (1.0 - 1.0 / s[1]), 0.0, 1.0))
    assert_close(p, want, f"fit_parallel_fraction on the measured speedup "
                          f"{s[1]:.4f} at 2 workers", rtol=0, atol=1e-4)
    assert_close(ex.predict_speedup(p, 2), float(np.clip(s[1], 1.0, 2.0)),
                 "predict_speedup(p, 2) with the fitted p", rtol=0, atol=1e-3)
