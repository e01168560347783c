r"""Stable 64-bit hashing of keys: the one hash every partitioner uses.

Python's built-in :func:`hash` is salted per process (``PYTHONHASHSEED``), so two
processes would disagree on where a string key lives. Every scheme in
:mod:`dsscale.partitioning` therefore hashes with :func:`stable_hash`, which is
XXH3-64 (Y. Collet, xxHash, https://xxhash.com) over a canonical byte encoding.

Why XXH3-64:

* **speed on short keys** -- a handful of nanoseconds of C per key, so the cost of
  a Python-level call dominates, not the hash;
* **quality** -- it passes SMHasher, including the avalanche tests: flipping one
  input bit flips each output bit with probability close to 1/2, so hash values of
  similar keys (``"user-1"``, ``"user-2"``) look independent and uniform;
* **stability** -- its output is fixed by the specification, identical across
  processes, platforms and versions (XXH3 has been frozen since xxHash 0.8.0).

Canonical encoding: ``str`` is UTF-8, ``bytes`` as given, and an ``int`` ``k`` with
:math:`-2^{63} \le k < 2^{64}` is the 64-bit word :math:`k \bmod 2^{64}` written as
8 little-endian bytes. So ``-1`` and ``2**64 - 1`` share a hash (they are the same
64-bit word, as in int64 and uint64 arrays); other ints raise ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import repeat
from typing import Any

import numpy as np
import xxhash
from numpy.typing import NDArray

from .._validate import check_int

Key = str | bytes | int

_MASK64 = (1 << 64) - 1
# Bytes 8..23 of XXH3's default secret (kSecret), read as little-endian words;
# the 4-to-8-byte path of XXH3 only touches these two words.
_SECRET_8 = 0x1CAD21F72C81017C
_SECRET_16 = 0xDB979083E96DD4DE
_PRIME_MX2 = 0x9FB21C651E98DF25
_digest = xxhash.xxh3_64_intdigest


def _key_bytes(key: Any, name: str = "key") -> bytes:
    if type(key) is int and 0 <= key < (1 << 64):  # fast path for the common case
        return key.to_bytes(8, "little")
    if isinstance(key, str):
        return key.encode("utf-8")
    if isinstance(key, bytes):
        return key
    if isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
        k = int(key)
        if not -(1 << 63) <= k < (1 << 64):
            raise ValueError(f"{name} must be an int in [-2**63, 2**64), got {k}")
        return (k & _MASK64).to_bytes(8, "little")
    raise TypeError(f"{name} must be str, bytes or int, got {type(key).__name__}")


def stable_hash(key: Key, seed: int = 0) -> int:
    r"""Return the 64-bit unsigned XXH3 hash of `key`, equal in every process.

    .. math:: h(k) = \mathrm{XXH3\_64}(\mathrm{enc}(k), \mathit{seed})
              \in [0, 2^{64})

    where enc is UTF-8 for ``str``, identity for ``bytes`` and 8-byte little-endian
    two's complement for ``int`` (see the module docstring for the rule).

    Parameters
    ----------
    key : str, bytes or int
        The key; ints must lie in ``[-2**63, 2**64)``.
    seed : int, default 0
        XXH3 seed in ``[0, 2**64)``; distinct seeds give independent hash families.

    Raises
    ------
    TypeError
        If `key` is of another type (``bool`` and ``float`` included).

    References
    ----------
    Y. Collet, "xxHash: extremely fast non-cryptographic hash algorithm", XXH3
    specification, https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md
    """
    if seed != 0:  # the common seed 0 skips validation: this is a hot path
        seed = check_int("seed", seed, 0, _MASK64)
    return int(_digest(_key_bytes(key), seed))


def _xxh3_words(words: NDArray[np.uint64], seed: int) -> NDArray[np.uint64]:
    """XXH3-64 of each 64-bit word's 8 little-endian bytes, vectorised.

    This is XXH3's ``len_4to8`` branch (spec section "Small inputs") for len = 8:
    the two 32-bit halves are swapped, xored with a secret-derived constant, then
    finished by the ``rrmxmx`` mixer. uint64 arithmetic wraps like the C code.
    """
    s = seed & 0xFFFFFFFF
    swapped = ((s & 0xFF) << 24) | ((s & 0xFF00) << 8) | ((s >> 8) & 0xFF00) | (s >> 24)
    seed64 = (seed ^ (swapped << 32)) & _MASK64
    bitflip = np.uint64(((_SECRET_8 ^ _SECRET_16) - seed64) & _MASK64)
    u32 = np.uint64(32)
    h = ((words << u32) | (words >> u32)) ^ bitflip
    h ^= ((h << np.uint64(49)) | (h >> np.uint64(15))) ^ (
        (h << np.uint64(24)) | (h >> np.uint64(40)))
    h *= np.uint64(_PRIME_MX2)
    h ^= (h >> np.uint64(35)) + np.uint64(8)
    h *= np.uint64(_PRIME_MX2)
    h ^= h >> np.uint64(28)
    return h


def _int_words(keys: NDArray[Any]) -> NDArray[np.uint64]:
    if keys.dtype.kind == "u":
        return keys.astype(np.uint64, copy=False)
    return keys.astype(np.int64, copy=False).view(np.uint64)


def stable_hash_many(keys: Sequence[Key] | NDArray[Any],
                     seed: int = 0) -> NDArray[np.uint64]:
    """Hash a sequence of keys; ``stable_hash_many(keys)[i] == stable_hash(keys[i])``.

    A numpy array of integers (any int or uint dtype) takes a vectorised path: the
    XXH3 small-input formula evaluated with numpy uint64 arithmetic, bit-for-bit
    equal to the C library (checked in the tests). A list of Python ints is
    converted to such an array; anything else (str, bytes, mixed) is hashed key by
    key with the C implementation.

    Parameters
    ----------
    keys : sequence of str, bytes or int, or an integer numpy array
    seed : int, default 0

    Returns
    -------
    numpy.ndarray of uint64, shape ``(len(keys),)``
    """
    seed = check_int("seed", seed, 0, _MASK64)
    if isinstance(keys, np.ndarray):
        if keys.ndim != 1:
            raise ValueError(f"keys must be one-dimensional, got shape {keys.shape}")
        if keys.dtype.kind in "iu":
            return _xxh3_words(_int_words(keys), seed)
        if keys.dtype.kind == "b":
            raise TypeError("keys must be str, bytes or int, got bool")
        keys = keys.tolist()
    items: list[Any] = list(keys)
    if items and all(type(k) is int for k in items):
        lo, hi = min(items), max(items)
        if lo >= -(1 << 63) and hi < (1 << 64):
            words = np.array([k & _MASK64 for k in items], dtype=np.uint64) if (
                lo < 0 or hi >= (1 << 63)) else np.array(items, dtype=np.int64)
            return _xxh3_words(_int_words(words), seed)
    # map() keeps the per-key loop in C: about twice as fast as a comprehension.
    encoded: Iterator[bytes] = map(str.encode, items) if all(
        type(k) is str for k in items) else map(_key_bytes, items)
    digests = map(_digest, encoded) if seed == 0 else map(_digest, encoded,
                                                          repeat(seed))
    return np.fromiter(digests, dtype=np.uint64, count=len(items))


def mix64(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    r"""The splitmix64 finaliser, a bijection of 64-bit words with full avalanche.

    .. math:: z \leftarrow (z \oplus z \gg 30)\,c_1;\;
              z \leftarrow (z \oplus z \gg 27)\,c_2;\; z \oplus z \gg 31

    with :math:`c_1 = \mathtt{0xbf58476d1ce4e5b9}`,
    :math:`c_2 = \mathtt{0x94d049bb133111eb}` (mod :math:`2^{64}`). Used to combine
    a key hash with a node hash (rendezvous) without calling XXH3 per pair.

    References
    ----------
    G. Steele, D. Lea, C. Flood, "Fast splittable pseudorandom number generators",
    OOPSLA 2014; constants from D. Stafford's "Mix13" variant.
    """
    z = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):  # the products wrap mod 2**64 by design
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def to_unit_interval(h: NDArray[np.uint64]) -> NDArray[np.float64]:
    r"""Map 64-bit hashes to floats strictly inside (0, 1).

    .. math:: u = (\lfloor h / 2^{12} \rfloor + \tfrac12)\, 2^{-52}

    The top 52 bits plus the half fit a double's 53-bit significand exactly, so u
    lies in :math:`[2^{-53}, 1 - 2^{-53}]` and ``log(u)`` is finite and negative.
    (With 53 bits the half would round the largest value up to exactly 1.0.)
    """
    top = (np.asarray(h, dtype=np.uint64) >> np.uint64(12)).astype(np.float64)
    return (top + 0.5) * 2.0**-52
