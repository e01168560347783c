r"""MapReduce word count (Dean & Ghemawat, OSDI 2004) on Ray, with references.

The pipeline has three steps:

1. **map** — each of :math:`M` tasks counts the words of one chunk of the corpus
   and splits its counts into :math:`R` partitions by key,
   :math:`\mathrm{part}(w) = h(w) \bmod R` with the stable hash
   :func:`dsscale.partitioning.stable_hash_many` (Python's ``hash`` of a string
   differs between worker processes, so it cannot route keys);
2. **shuffle** — reducer :math:`r` receives partition :math:`r` of every map
   output, :math:`M \cdot R` objects in all;
3. **reduce** — each of the :math:`R` tasks sums the counts of its keys. The
   key sets of the reducers are disjoint, so their union is the answer.

The result equals ``collections.Counter(corpus)`` exactly, whatever M and R.
``wordcount_local`` runs the same map/shuffle/reduce functions in one process.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from dsscale._validate import as_rng, check_float, check_int
from dsscale.partitioning import stable_hash_many

__all__ = ["map_count", "reduce_counts", "synthetic_corpus", "wordcount_local",
           "wordcount_ray", "wordcount_serial"]


def synthetic_corpus(num_words: int, vocab_size: int = 10_000, zipf_s: float = 1.1,
                     rng: np.random.Generator | int | None = 0) -> list[str]:
    r"""``num_words`` words drawn i.i.d. from a Zipf law over ``vocab_size`` words.

    The word of rank :math:`r` (``"w<r>"``, :math:`r = 1..V`) has probability

    .. math:: P(r) = \frac{r^{-s}}{\sum_{j=1}^{V} j^{-s}},

    the rank-frequency law of natural text (Zipf 1935; :math:`s \approx 1`).
    :math:`s = 0` gives a uniform vocabulary. Unlike ``numpy``'s unbounded
    ``zipf``, the vocabulary is finite, so any :math:`s \ge 0` is allowed.
    """
    num_words = check_int("num_words", num_words, minimum=0)
    vocab_size = check_int("vocab_size", vocab_size, minimum=1)
    zipf_s = check_float("zipf_s", zipf_s, minimum=0.0)
    gen = as_rng(rng)
    weights = np.arange(1, vocab_size + 1, dtype=np.float64) ** -zipf_s
    ranks = gen.choice(vocab_size, size=num_words, p=weights / weights.sum()) + 1
    vocab = np.array([f"w{r}" for r in range(vocab_size + 1)], dtype=object)
    return list(vocab[ranks])


def wordcount_serial(corpus: Sequence[str]) -> Counter[str]:
    """The reference answer: one ``Counter`` over the whole corpus."""
    return Counter(corpus)


def _split(corpus: Sequence[str], num_chunks: int) -> list[Sequence[str]]:
    bounds = np.linspace(0, len(corpus), num_chunks + 1).astype(int)
    return [corpus[a:b] for a, b in pairwise(bounds.tolist())]


def map_count(chunk: Sequence[str], num_partitions: int) -> list[dict[str, int]]:
    """Map step: count ``chunk`` and split the counts into partitions by key."""
    counts = Counter(chunk)
    parts: list[dict[str, int]] = [{} for _ in range(num_partitions)]
    if counts:
        words = list(counts)
        owners = stable_hash_many(words) % np.uint64(num_partitions)
        for word, owner in zip(words, owners.tolist(), strict=True):
            parts[owner][word] = counts[word]
    return parts


def reduce_counts(parts: Sequence[dict[str, int]]) -> dict[str, int]:
    """Reduce step: sum the counts of one partition over all map outputs."""
    total: Counter[str] = Counter()
    for part in parts:
        total.update(part)
    return dict(total)


def _check(num_maps: int, num_reduces: int) -> tuple[int, int]:
    return (check_int("num_maps", num_maps, minimum=1),
            check_int("num_reduces", num_reduces, minimum=1))


def _union(reduced: Sequence[dict[str, int]]) -> Counter[str]:
    result: Counter[str] = Counter()
    for part in reduced:
        # reducers own disjoint keys; an overlap would mean a broken shuffle
        if not result.keys().isdisjoint(part):
            raise RuntimeError("shuffle sent one key to two reducers")
        result.update(part)
    return result


def wordcount_local(corpus: Sequence[str], num_maps: int = 4,
                    num_reduces: int = 2) -> Counter[str]:
    """The MapReduce pipeline of :func:`wordcount_ray`, run in this process."""
    num_maps, num_reduces = _check(num_maps, num_reduces)
    mapped = [map_count(chunk, num_reduces) for chunk in _split(corpus, num_maps)]
    return _union([reduce_counts([m[r] for m in mapped])
                   for r in range(num_reduces)])


def wordcount_ray(corpus: Sequence[str], num_maps: int = 4, num_reduces: int = 2,
                  address: str | None = None) -> Counter[str]:
    """MapReduce word count with ``num_maps`` map and ``num_reduces`` reduce tasks.

    Each map task returns its ``num_reduces`` partitions as separate objects
    (``num_returns``), so reducer r fetches only partition r of each map output:
    that fetch is the shuffle. Uses a running Ray, or starts one for the call
    (see :func:`dsscale.raysupport.ray_session`).
    """
    import ray
    from dsscale.raysupport import ray_session

    num_maps, num_reduces = _check(num_maps, num_reduces)
    with ray_session(address):
        map_task = ray.remote(num_returns=num_reduces)(_map_for_ray)
        reduce_task = ray.remote(_reduce_many)
        mapped: list[Any] = []
        for chunk in _split(corpus, num_maps):
            refs = map_task.remote(list(chunk), num_reduces)
            mapped.append([refs] if num_reduces == 1 else refs)
        reduced = ray.get([reduce_task.remote(*[m[r] for m in mapped])
                           for r in range(num_reduces)])
    return _union(reduced)


def _map_for_ray(chunk: Sequence[str], num_partitions: int) -> Any:
    parts = map_count(chunk, num_partitions)
    # with num_returns=1 Ray stores the return value itself as the one object
    return parts[0] if num_partitions == 1 else parts


def _reduce_many(*parts: dict[str, int]) -> dict[str, int]:
    # Ray resolves object refs passed as top-level arguments, so the shuffle
    # inputs arrive here as plain dicts.
    return reduce_counts(parts)
