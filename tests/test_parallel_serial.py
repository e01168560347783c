"""Ray-free parts of dsscale.parallel: serial references, plans, audits, CLI errors.

Nothing here starts Ray; the CLI error tests fail before Ray would start.
"""

from __future__ import annotations

import socket
import time
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale._validate import check_quorums
from dsscale.parallel.montecarlo import pi_serial, task_plan
from dsscale.parallel.samplesort import partition_block, samplesort_local
from dsscale.parallel.scaling import ScalingResult, cpu_task, measure_scaling
from dsscale.parallel.wordcount import (
    map_count,
    synthetic_corpus,
    wordcount_local,
    wordcount_serial,
)
from dsscale.partitioning import RangePartitioner
from dsscale.raysupport import resolve_address

# -- word count -----------------------------------------------------------------


def test_corpus_is_seeded_and_zipfian() -> None:
    a = synthetic_corpus(20_000, vocab_size=500, zipf_s=1.2, rng=1)
    assert a == synthetic_corpus(20_000, vocab_size=500, zipf_s=1.2, rng=1)
    assert a != synthetic_corpus(20_000, vocab_size=500, zipf_s=1.2, rng=2)
    counts = Counter(a)
    assert set(counts) <= {f"w{r}" for r in range(1, 501)}
    # rank 1 is about 2**1.2 = 2.3 times as frequent as rank 2
    assert 1.9 < counts["w1"] / counts["w2"] < 2.7


def test_corpus_validation() -> None:
    with pytest.raises(ValueError, match="vocab_size"):
        synthetic_corpus(10, vocab_size=0)
    with pytest.raises(ValueError, match="zipf_s"):
        synthetic_corpus(10, zipf_s=-1.0)
    assert synthetic_corpus(0) == []


@pytest.mark.parametrize(("num_maps", "num_reduces"), [(1, 1), (4, 3), (50, 7)])
def test_local_mapreduce_equals_counter(num_maps: int, num_reduces: int) -> None:
    corpus = synthetic_corpus(5_000, vocab_size=300, rng=4)
    assert wordcount_local(corpus, num_maps, num_reduces) == wordcount_serial(corpus)


def test_map_partitions_are_disjoint_and_complete() -> None:
    parts = map_count(["a", "b", "a", "c", "d", "a"], 3)
    keys = [set(p) for p in parts]
    assert sum(len(k) for k in keys) == len(set().union(*keys)) == 4
    assert Counter({w: c for p in parts for w, c in p.items()}) == Counter(
        ["a", "b", "a", "c", "d", "a"])


def test_mapreduce_validation() -> None:
    with pytest.raises(ValueError, match="num_reduces"):
        wordcount_local(["a"], 1, 0)


# -- Monte Carlo ----------------------------------------------------------------


def test_task_plan_splits_exactly() -> None:
    plan = task_plan(1_003, 4, rng=0)
    assert [n for _, n in plan] == [251, 251, 251, 250]
    with pytest.raises(ValueError, match="num_tasks"):
        task_plan(3, 4)


def test_pi_serial_is_reproducible_and_accurate() -> None:
    a = pi_serial(400_000, num_tasks=5, rng=9)
    assert a == pi_serial(400_000, num_tasks=5, rng=9)
    # a fixed seed: the error is a deterministic number, here within 4 se
    assert abs(a.estimate - np.pi) < 4 * a.stderr


# -- sample sort ----------------------------------------------------------------


@given(st.lists(st.integers(-1000, 1000), max_size=300), st.integers(1, 6),
       st.integers(0, 3))
def test_local_samplesort_equals_np_sort(keys: list[int], parts: int,
                                         seed: int) -> None:
    arr = np.asarray(keys, dtype=np.int64)
    result = samplesort_local(arr, num_partitions=parts, oversample=4, rng=seed)
    assert np.array_equal(result.keys, np.sort(arr))
    assert sum(result.partition_sizes) == arr.size


def test_partition_block_respects_ranges() -> None:
    part = RangePartitioner([10, 20])
    pieces = partition_block(np.array([25, 5, 10, 19, 20, 0]), part)
    assert [p.tolist() for p in pieces] == [[5, 0], [10, 19], [25, 20]]


def test_samplesort_balances_uniform_keys() -> None:
    keys = np.random.default_rng(0).integers(0, 10**9, size=100_000)
    result = samplesort_local(keys, num_partitions=4, oversample=256, rng=1)
    assert result.imbalance < 1.15


# -- KV store: validation and the history audit ----------------------------------


@pytest.mark.parametrize(("n", "r", "w", "name"), [
    (3, 4, 2, "read_quorum"), (3, 0, 2, "read_quorum"),
    (3, 2, 4, "write_quorum"), (3, 2, 0, "write_quorum")])
def test_quorum_validation_names_the_parameter(n: int, r: int, w: int,
                                               name: str) -> None:
    with pytest.raises(ValueError, match=rf"{name} must be in 1\.\.replication_factor"):
        check_quorums(n, r, w)


def test_quorum_validation_types() -> None:
    with pytest.raises(TypeError, match="read_quorum"):
        check_quorums(3, 1.5, 2)
    with pytest.raises(ValueError, match="replication_factor"):
        check_quorums(0, 1, 1)


# -- scaling ----------------------------------------------------------------------


def test_cpu_task_is_deterministic() -> None:
    assert cpu_task(1000) == cpu_task(1000)
    assert cpu_task(0) == 0
    with pytest.raises(ValueError, match="n_iter"):
        cpu_task(-1)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"workers": (0, 1)}, "workers must be >= 1"),
    ({"workers": (2, 4)}, "workers must include 1"),
    ({"workers": (1, 1)}, "must not repeat"),
    ({"mode": "sideways"}, "mode"),
    ({"repeats": 0}, "repeats"),
    ({"task_size": 0}, "task_size")])
def test_measure_scaling_validates_before_starting_ray(kwargs: dict[str, object],
                                                      match: str) -> None:
    with pytest.raises(ValueError, match=match):
        measure_scaling(**kwargs)  # type: ignore[arg-type]


def test_scaling_result_dict_and_efficiency() -> None:
    r = ScalingResult(workers=(1, 2, 4), throughput=(5.0, 9.0, 15.0),
                      speedup=(1.0, 1.8, 3.0), seconds=(1.6, 0.9, 0.5),
                      mode="strong", tasks=(8, 8, 8), task_size=10, repeats=1)
    assert r.efficiency == (1.0, 0.9, 0.75)
    d = r.to_dict()
    assert d["workers"] == [1, 2, 4] and d["speedup"] == [1.0, 1.8, 3.0]
    # speedups that follow Amdahl's law with p = 0.8 exactly: 1/(0.2 + 0.8/n)
    exact = ScalingResult(workers=(1, 2, 4), throughput=(5.0, 25 / 3, 12.5),
                          speedup=(1.0, 1 / 0.6, 2.5), seconds=(1.0, 0.6, 0.4),
                          mode="strong", tasks=(8, 8, 8), task_size=10, repeats=1)
    assert exact.fit_amdahl() == pytest.approx(0.8, abs=1e-6)


# -- Ray addresses and the CLI ------------------------------------------------------


def test_resolve_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    assert resolve_address() == "local"
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.1:6379")
    assert resolve_address() == "10.0.0.1:6379"
    assert resolve_address("local") == "local"


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    from dsscale.cli import main

    try:
        code = main(["demo", *argv])
    except SystemExit as exc:  # argparse-level errors
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("argv", "match"), [
    (("scaling", "--workers", "0"), "--workers must be >= 1, got 0"),
    (("wordcount", "--workers", "two"), "--workers must be an integer"),
    (("kv", "--read-quorum", "4"),
     "read_quorum must be in 1..replication_factor (3), got 4"),
    (("kv", "--write-quorum", "0"), "write_quorum must be in 1..replication_factor"),
    (("kv", "--replication-factor", "2", "--read-quorum", "3"), "read_quorum"),
    (("nosuchdemo",), "PROGRAM must be one of"),
])
def test_cli_bad_input_is_one_line(capsys: pytest.CaptureFixture[str],
                                   argv: tuple[str, ...], match: str) -> None:
    code, err = _cli(capsys, *argv)
    assert code == 2
    assert err.startswith("dsscale demo: error: ")
    assert match in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_unreachable_address_fails_fast(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAY_AUTH_MODE", "token")  # keep init_ray off os.environ
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    code, err = _cli(capsys, "wordcount", "--address", f"127.0.0.1:{port}")
    assert code == 2
    assert "cannot reach a Ray cluster" in err and err.count("\n") == 1
    assert time.monotonic() - start < 60  # generous; Ray alone retries for minutes


def test_cli_unknown_flag_has_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    # reported by the top-level parser (usage line + error line)
    code, err = _cli(capsys, "scaling", "--bogus-flag")
    assert code == 2
    assert "unrecognized arguments: --bogus-flag" in err and "Traceback" not in err


def test_plot_scaling_draws_measured_ideal_and_usl() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from dsscale.parallel.scaling import plot_scaling

    r = ScalingResult(workers=(1, 2, 3, 4), throughput=(5.0, 9.0, 12.0, 13.0),
                      speedup=(1.0, 1.8, 2.4, 2.6), seconds=(1.6, 0.9, 0.7, 0.6),
                      mode="strong", tasks=(8,) * 4, task_size=10, repeats=1)
    ax = plot_scaling(r)
    assert len(ax.get_lines()) == 3  # ideal, measured, USL fit
    assert plot_scaling(r, fit=False).get_lines()
