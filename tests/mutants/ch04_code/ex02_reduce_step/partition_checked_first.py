"""Checks the partition number before num_partitions, so num_partitions = 0 is reported as a bad partition."""
# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercise 4.2 — The reduce step of MapReduce word count
#
# In MapReduce word count each *map* task counts the words of one chunk of
# the corpus and produces a *partial* count, a dict `{word: count}`. The
# *reduce* side turns the partials into the answer. With `R` reducers, word
# `w` belongs to reducer `partition_of(w, R)`; reducer `r` sums the counts of
# its own words only, so the reducers' key sets are disjoint and the answer
# is simply their union. Write the merge, the per-partition reduce, and a
# driver that runs one Ray task per partition. The result must equal
# `collections.Counter(corpus)` exactly, whatever the number of partitions.
# (Book: Chapter 4, "MapReduce on Ray", `book/ch04_code/ray_mapreduce.md`.)
#
# Grade with `dsscale grade ch04`.

# %%
import ray
from dsscale.partitioning import stable_hash


def stable_partition(word, num_partitions):
    """The reducer that owns `word`: stable_hash(word) mod num_partitions.

    Given (not part of the exercise). Python's built-in `hash` of a string
    differs from one process to the next, so it cannot route keys between
    Ray workers; `dsscale.partitioning.stable_hash` is the same everywhere.
    """
    return stable_hash(word) % num_partitions


def merge_counts(partials):
    """Sum many partial word counts into one.

    Parameters
    ----------
    partials : sequence of dict or collections.Counter
        Each maps word -> count (a positive int).

    Returns
    -------
    dict
        A new dict with every word that appears in any partial, mapped to the
        sum of its counts over all partials; `{}` for no partials. The input
        dicts must not be modified.
    """
    ### BEGIN SOLUTION
    total = {}
    for partial in partials:
        for word, count in partial.items():
            total[word] = total.get(word, 0) + count
    return total
    ### END SOLUTION


def reduce_partition(partials, partition, num_partitions, partition_of):
    """What reducer `partition` computes: the merged counts of its own words.

    Parameters
    ----------
    partials : sequence of dict
        All map outputs, each word -> count.
    partition : int
        This reducer's number, in 0..num_partitions - 1.
    num_partitions : int
        R, the number of reducers (>= 1).
    partition_of : callable
        `partition_of(word, num_partitions)` -> the reducer that owns `word`
        (for example `stable_partition`).

    Returns
    -------
    dict
        Like `merge_counts(partials)`, but only with the words `w` for which
        `partition_of(w, num_partitions) == partition`.

    Raises
    ------
    ValueError
        naming "num_partitions" if num_partitions < 1 (check this first),
        and naming "partition" if partition is outside 0..num_partitions - 1.
    """
    ### BEGIN SOLUTION
    if not 0 <= partition < num_partitions:
        raise ValueError(f"partition must be in 0..{num_partitions - 1}, "
                         f"got {partition}")
    if num_partitions < 1:
        raise ValueError(f"num_partitions must be >= 1, got {num_partitions}")
    total = {}
    for partial in partials:
        for word, count in partial.items():
            if partition_of(word, num_partitions) == partition:
                total[word] = total.get(word, 0) + count
    return total
    ### END SOLUTION


@ray.remote
def reduce_task(partition, num_partitions, partition_of, *partials):
    """Ray task: `reduce_partition` of `partials` for reducer `partition`.

    The partials come last, as separate arguments: Ray replaces an object
    reference passed as a top-level argument by its value before the task
    runs (a reference inside a list would arrive as a reference).
    """
    ### BEGIN SOLUTION
    return reduce_partition(partials, partition, num_partitions, partition_of)
    ### END SOLUTION


def reduce_on_ray(partial_refs, num_partitions, partition_of=stable_partition):
    """Run the reduce step on Ray: one `reduce_task` per partition.

    Parameters
    ----------
    partial_refs : list of ray.ObjectRef
        References to the map outputs (dicts word -> count).
    num_partitions : int
        R >= 1 (a ValueError naming "num_partitions" otherwise).
    partition_of : callable
        Passed on to every reduce task.

    Returns
    -------
    dict
        The union of the R reducers' dicts: the total count of every word.

    Launch exactly `num_partitions` calls of `reduce_task.remote(...)`, one
    per partition, each given all of `partial_refs`; fetch their results
    with one `ray.get`. Only the tasks call `partition_of`; the driver just
    takes the union of the reducers' (disjoint) dicts.
    """
    ### BEGIN SOLUTION
    if num_partitions < 1:
        raise ValueError(f"num_partitions must be >= 1, got {num_partitions}")
    refs = [reduce_task.remote(r, num_partitions, partition_of, *partial_refs)
            for r in range(num_partitions)]
    result = {}
    for part in ray.get(refs):
        result.update(part)
    return result
    ### END SOLUTION


# %% [markdown]
# Try it: count a Zipf corpus with 4 map outputs and 3 reducers.

# %%
if __name__ == "__main__":
    from collections import Counter

    from dsscale.parallel.wordcount import synthetic_corpus
    from dsscale.raysupport import ray_session

    corpus = synthetic_corpus(20_000, vocab_size=500, rng=1)
    with ray_session(num_cpus=2):
        refs = [ray.put(dict(Counter(corpus[i::4]))) for i in range(4)]
        counts = reduce_on_ray(refs, 3)
    print(len(counts), "distinct words; equal to Counter:", counts == Counter(corpus))
