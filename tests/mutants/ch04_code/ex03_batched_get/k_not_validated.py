"""Does not reject k outside 1..len(refs)."""
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
# # Exercise 4.3 — Submit everything, then wait: `ray.get` and `ray.wait`
#
# `f.remote(x)` returns at once with a reference; `ray.get(ref)` blocks
# until the result is there. The classic mistake is
#
# ```python
# results = [ray.get(f.remote(x)) for x in inputs]   # one task at a time!
# ```
#
# which waits for each task before submitting the next, so nothing runs in
# parallel. Submit all the tasks first, then fetch all the results with a
# single `ray.get` on the list of references. When you need only the first
# few results to finish, `ray.wait` returns as soon as that many are ready.
# (Book: Chapter 4, "MapReduce on Ray", `book/ch04_code/ray_mapreduce.md`.)
#
# Grade with `dsscale grade ch04`.

# %%
import ray


def results_in_order(fn, inputs, *, get=None):
    """Run `fn` on every input as Ray tasks and return the results in order.

    Parameters
    ----------
    fn : Ray remote function
        Anything with a `.remote(x)` method that returns a reference.
    inputs : sequence
        One task per element, `fn.remote(x)`.
    get : callable, optional
        The function that fetches results; `None` means `ray.get`. Call it
        exactly once, as `get(refs)` with the list of all the references,
        after every task has been submitted (the grader passes its own `get`
        to see that you do).

    Returns
    -------
    list
        `[result of fn on inputs[0], result on inputs[1], ...]`; `[]` for no
        inputs (then no task is submitted and `get` need not be called).
    """
    ### BEGIN SOLUTION
    get = ray.get if get is None else get
    refs = [fn.remote(x) for x in inputs]
    if not refs:
        return []
    return list(get(refs))
    ### END SOLUTION


def first_k_done(refs, k):
    """The results of the first `k` tasks to finish, and the rest unfetched.

    Use `ray.wait(refs, num_returns=k)`, which returns `(ready, not_ready)`
    as soon as `k` of the references are ready, keeping the input order in
    both lists; then fetch only the ready ones. Never wait for a task that
    is not among the first k to finish: the grader gives you tasks that
    only finish after your function has returned.

    Parameters
    ----------
    refs : list of ray.ObjectRef
    k : int
        How many results to wait for, in 1..len(refs).

    Returns
    -------
    tuple (values, not_ready)
        `values`: a list of the k results, in the order their references
        appear in `refs`; `not_ready`: a list of the other references, in
        their order in `refs`.

    Raises
    ------
    ValueError
        naming "k" if k is outside 1..len(refs).
    """
    ### BEGIN SOLUTION
    ready, not_ready = ray.wait(list(refs), num_returns=k)
    return list(ray.get(ready)), list(not_ready)
    ### END SOLUTION


# %% [markdown]
# Try it: squares of 0..7 on two CPUs, then the first three of a batch.

# %%
if __name__ == "__main__":
    from dsscale.raysupport import ray_session

    @ray.remote
    def square(x):
        return x * x

    with ray_session(num_cpus=2):
        print(results_in_order(square, range(8)))
        values, rest = first_k_done([square.remote(x) for x in range(8)], 3)
        print(values, len(rest), "still pending or unfetched")
