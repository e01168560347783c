"""Jump consistent hash: the paper's algorithm exactly, vectorised, consistent."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.partitioning import JumpHash, jump_hash, jump_hash_array, moved_fraction

# The paper's function (Lamping & Veach 2014, Figure 1), typed in from its text.
PAPER_C = r"""
#include <stdint.h>
int32_t JumpConsistentHash(uint64_t key, int32_t num_buckets) {
    int64_t b = -1, j = 0;
    while (j < num_buckets) {
        b = j;
        key = key * 2862933555777941757ULL + 1;
        j = (b + 1) * ((double)(1LL << 31) / (double)((key >> 33) + 1));
    }
    return b;
}
"""

# Expected values: rows are keys, columns num_buckets (1, 2, 10, 1000, 65536,
# 2**31 - 1). Computed by `reference_jump` below (the C code step by step with
# explicit 64-bit masking) and confirmed with the compiled C function above.
KEYS = [0, 1, 2, 3, 42, 123456789, 2**64 - 1, 0xDEADBEEFCAFEBABE]
BUCKETS = [1, 2, 10, 1000, 65536, 2**31 - 1]
KNOWN = [
    [0, 0, 0, 0, 0, 0],
    [0, 0, 6, 549, 21134, 262355607],
    [0, 0, 6, 338, 3927, 736532115],
    [0, 0, 8, 961, 59579, 1315363102],
    [0, 1, 2, 571, 5747, 1603940301],
    [0, 0, 7, 294, 42483, 1234790967],
    [0, 1, 9, 313, 18311, 699554662],
    [0, 1, 4, 144, 61115, 635109204],
]


def reference_jump(key: int, num_buckets: int) -> int:
    """The paper's loop, one C statement per line, with uint64 wraparound."""
    b, j = -1, 0
    while j < num_buckets:
        b = j
        key = (key * 2862933555777941757 + 1) % 2**64   # uint64_t overflow
        denom = float((key >> 33) + 1)                  # (double)((key>>33)+1)
        j = int(float(b + 1) * (2147483648.0 / denom))  # int64_t(double)
    return b


def test_known_answers() -> None:
    for key, row in zip(KEYS, KNOWN, strict=True):
        assert [reference_jump(key, n) for n in BUCKETS] == row
        assert [jump_hash(key, n) for n in BUCKETS] == row
    assert jump_hash_array(np.array(KEYS, dtype=np.uint64), 1000).tolist() == [
        r[3] for r in KNOWN]


@pytest.fixture(scope="module")
def c_jump(tmp_path_factory: pytest.TempPathFactory) -> ctypes._CFuncPtr:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc not available")
    d: Path = tmp_path_factory.mktemp("jump_c")
    (d / "jump.c").write_text(PAPER_C)
    subprocess.run([gcc, "-O2", "-shared", "-fPIC", "-o", str(d / "jump.so"),
                    str(d / "jump.c")], check=True, capture_output=True)
    fn = ctypes.CDLL(str(d / "jump.so")).JumpConsistentHash
    fn.argtypes, fn.restype = [ctypes.c_uint64, ctypes.c_int32], ctypes.c_int32
    return fn


def test_matches_compiled_paper_code(c_jump: ctypes._CFuncPtr) -> None:
    rng = np.random.default_rng(2014)
    keys = rng.integers(0, 2**64, size=3000, dtype=np.uint64, endpoint=False)
    keys[:4] = [0, 1, 2**63, 2**64 - 1]
    for n in (1, 3, 17, 1000, 2**20 + 7, 2**31 - 1):
        want = [c_jump(int(k), n) for k in keys]
        assert jump_hash_array(keys, n).tolist() == want
        assert [jump_hash(int(k), n) for k in keys[:300]] == want[:300]


@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=40),
       st.integers(1, 2**31 - 1))
def test_array_equals_scalar(keys: list[int], n: int) -> None:
    got = jump_hash_array(np.array(keys, dtype=np.uint64), n)
    assert got.tolist() == [jump_hash(k, n) for k in keys]


def test_array_accepts_shapes_and_int_dtypes() -> None:
    k = np.arange(12, dtype=np.int64).reshape(3, 4)
    assert jump_hash_array(k, 5).shape == (3, 4)
    assert jump_hash_array([2**64 - 1, 3], 9).tolist() == [
        jump_hash(2**64 - 1, 9), jump_hash(3, 9)]
    assert jump_hash_array(np.array([], dtype=np.uint64), 3).size == 0


def test_balance_within_binomial_bounds() -> None:
    m, n = 200_000, 10
    keys = np.random.default_rng(7).integers(0, 2**64, m, dtype=np.uint64,
                                             endpoint=False)
    counts = np.bincount(jump_hash_array(keys, n), minlength=n)
    sd = np.sqrt(m * (1 / n) * (1 - 1 / n))
    assert np.all(np.abs(counts - m / n) <= 5 * sd)


def test_growth_moves_keys_only_to_the_new_bucket() -> None:
    keys = np.random.default_rng(8).integers(0, 2**64, 50_000, dtype=np.uint64,
                                             endpoint=False)
    for n in (1, 7, 100):
        before, after = jump_hash_array(keys, n), jump_hash_array(keys, n + 1)
        moved = before != after
        assert np.all(after[moved] == n)
        p = 1 / (n + 1)
        assert abs(moved.mean() - p) <= 5 * np.sqrt(p * (1 - p) / keys.size)


def test_partitioner_wrapper() -> None:
    j = JumpHash(["a", "b", "c"])
    keys = [f"k{i}" for i in range(2000)]
    idx = j.node_for_many(keys)
    assert [j.nodes[i] for i in idx] == [j.node_for(k) for k in keys]
    grown = j.add_node("d")
    assert set(np.asarray(grown.nodes)[grown.node_for_many(keys)]) == set("abcd")
    assert 0.15 < moved_fraction(j, grown, keys) < 0.35
    assert grown.remove_node("d").nodes == j.nodes
    with pytest.raises(ValueError, match="node"):
        grown.remove_node("a")


def test_bad_input() -> None:
    for n in (0, -1, 2**31):
        with pytest.raises(ValueError, match="num_buckets"):
            jump_hash(1, n)
        with pytest.raises(ValueError, match="num_buckets"):
            jump_hash_array([1], n)
    with pytest.raises(TypeError, match="num_buckets"):
        jump_hash(1, 2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="key"):
        jump_hash(-1, 3)
    with pytest.raises(ValueError, match="key"):
        jump_hash(2**64, 3)
    with pytest.raises(TypeError, match="key"):
        jump_hash("a", 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="keys"):
        jump_hash_array(np.array([-1, 2]), 3)
    with pytest.raises(TypeError, match="keys"):
        jump_hash_array(np.array([1.0]), 3)
    with pytest.raises(ValueError, match="nodes"):
        JumpHash([])
