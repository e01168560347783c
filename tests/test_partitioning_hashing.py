"""stable_hash: fixed known answers, cross-process stability, vectorised == scalar."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import xxhash
from hypothesis import given
from hypothesis import strategies as st

from dsscale.partitioning import mix64, stable_hash, stable_hash_many, to_unit_interval

KEYS = ["", "a", "user-42", "ключ", b"\x00\xff", 0, 1, 2**63, 2**64 - 1, -1, -(2**63)]
any_key = st.one_of(
    st.text(max_size=20), st.binary(max_size=20),
    st.integers(min_value=-(2**63), max_value=2**64 - 1))


def test_known_answers_are_xxh3_of_the_canonical_encoding() -> None:
    # XXH3-64 of the empty input is a published constant of the spec.
    assert stable_hash("") == stable_hash(b"") == 0x2D06800538D394C2
    assert stable_hash("user-42") == xxhash.xxh3_64_intdigest(b"user-42")
    assert stable_hash("ключ") == xxhash.xxh3_64_intdigest("ключ".encode())
    assert stable_hash(5) == xxhash.xxh3_64_intdigest((5).to_bytes(8, "little"))
    assert stable_hash(-1) == stable_hash(2**64 - 1)
    assert stable_hash(np.int64(-7)) == stable_hash(-7)
    assert stable_hash(np.uint64(7)) == stable_hash(7)
    assert all(0 <= stable_hash(k) < 2**64 for k in KEYS)


def test_same_value_in_a_process_with_another_hash_seed() -> None:
    code = ("from dsscale.partitioning import stable_hash\n"
            f"print([stable_hash(k) for k in {KEYS!r}])")
    here = [stable_hash(k) for k in KEYS]
    for seed in ("1", "987654"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                             capture_output=True, text=True).stdout
        assert out.strip() == str(here)


@given(st.lists(any_key, max_size=30), st.integers(0, 2**64 - 1))
def test_many_equals_scalar(keys: list[object], seed: int) -> None:
    got = stable_hash_many(keys, seed)
    assert got.dtype == np.uint64 and got.shape == (len(keys),)
    assert got.tolist() == [stable_hash(k, seed) for k in keys]  # type: ignore[arg-type]


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16, np.uint64])
def test_integer_array_fast_path_is_bit_exact(dtype: type) -> None:
    info = np.iinfo(dtype)
    rng = np.random.default_rng(3)
    keys = rng.integers(info.min, info.max, size=2000, dtype=dtype, endpoint=True)
    keys[:2] = [info.min, info.max]
    for seed in (0, 12345, 2**64 - 1):
        want = [xxhash.xxh3_64_intdigest((int(k) % 2**64).to_bytes(8, "little"), seed)
                for k in keys]
        assert stable_hash_many(keys, seed).tolist() == want


def test_unsupported_and_out_of_range_keys() -> None:
    for bad in (1.5, None, True, ("a",), np.float64(1)):
        with pytest.raises(TypeError, match="key"):
            stable_hash(bad)  # type: ignore[arg-type]
    for big in (2**64, -(2**63) - 1):
        with pytest.raises(ValueError, match="key"):
            stable_hash(big)
    with pytest.raises(TypeError, match="key"):
        stable_hash_many(["a", 2.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="key"):
        stable_hash_many(np.array([True, False]))
    with pytest.raises(ValueError, match="seed"):
        stable_hash("a", seed=-1)


def test_helpers_mix64_and_unit_interval() -> None:
    x = np.arange(1000, dtype=np.uint64)
    assert np.unique(mix64(x)).size == 1000  # a bijection
    u = to_unit_interval(np.array([0, 2**64 - 1], dtype=np.uint64))
    assert 0.0 < u[0] < 1e-15 and 1 - 1e-15 < u[1] < 1.0
