"""Contention coefficient M/(BT): counts the bytes once, not twice."""
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
# # Exercise 5.6 — How far does data-parallel training scale?
#
# n workers share a fixed global batch: each computes for T/n seconds, then
# they sum their gradients of M bytes with a ring all-reduce. The ring cuts
# every gradient into n chunks and runs a reduce-scatter and an all-gather of
# n - 1 steps each; in every step each worker sends one chunk to its
# neighbour, all links at once, and a message of b bytes costs
# `latency + b / bandwidth` seconds. Work out the cost, its Universal
# Scalability Law coefficients, the best number of workers, and how often a
# job on many machines should checkpoint.
# (Book: Chapter 5, "Scaling ML training", `book/ch05_trends/ml_training.md`.)
#
# Grade with `dsscale grade ch05`.

# %%
import math  # solution-only


def allreduce_seconds(num_workers, message_bytes, bandwidth, latency):
    """Seconds of one ring all-reduce of `message_bytes` among `num_workers`.

    Parameters
    ----------
    num_workers : int
        n >= 1 (one worker needs no communication: 0.0).
    message_bytes : float
        M >= 0.
    bandwidth : float
        Bytes per second of every link, > 0.
    latency : float
        Seconds added to every message, >= 0.

    Raises
    ------
    ValueError
        naming "num_workers", "message_bytes", "bandwidth" or "latency" when
        out of range (checked in that order).
    """
    ### BEGIN SOLUTION
    if num_workers < 1:
        raise ValueError(f"num_workers must be >= 1, got {num_workers}")
    if message_bytes < 0:
        raise ValueError(f"message_bytes must be >= 0, got {message_bytes}")
    if bandwidth <= 0:
        raise ValueError(f"bandwidth must be > 0, got {bandwidth}")
    if latency < 0:
        raise ValueError(f"latency must be >= 0, got {latency}")
    n = num_workers
    return 2 * (n - 1) * (latency + message_bytes / (n * bandwidth))
    ### END SOLUTION


def usl_coefficients(compute_seconds, message_bytes, bandwidth, latency):
    """(sigma, kappa) such that the step throughput is exactly a USL.

    With step(n) = compute_seconds / n + allreduce_seconds(n, ...), the
    throughput 1 / step(n) must equal
    n / (compute_seconds * (1 + sigma (n - 1) + kappa n (n - 1))) for every
    n. Return the pair as floats. Raise ValueError naming
    "compute_seconds" if it is <= 0 (other arguments as in
    `allreduce_seconds`).
    """
    ### BEGIN SOLUTION
    if compute_seconds <= 0:
        raise ValueError(f"compute_seconds must be > 0, got {compute_seconds}")
    allreduce_seconds(1, message_bytes, bandwidth, latency)  # validates the rest
    return (message_bytes / (bandwidth * compute_seconds),
            2 * latency / compute_seconds)
    ### END SOLUTION


def best_worker_count(compute_seconds, message_bytes, bandwidth, latency,
                      max_workers):
    """The number of workers in 1..max_workers with the shortest step.

    Return an int; on a tie, the smallest. It must be exact for any
    max_workers up to a million, so evaluate only the candidates that can
    win rather than every n. Raise ValueError naming "max_workers" if it is
    < 1 (other arguments as in `usl_coefficients`).
    """
    ### BEGIN SOLUTION
    sigma, kappa = usl_coefficients(compute_seconds, message_bytes, bandwidth,
                                    latency)
    if max_workers < 1:
        raise ValueError(f"max_workers must be >= 1, got {max_workers}")

    def step(n):
        return compute_seconds / n + allreduce_seconds(n, message_bytes, bandwidth,
                                                       latency)

    # step(n) = a / n + b n + const is convex; its real minimum is at
    # sqrt((1 - sigma) / kappa), so the best integer is its floor or ceiling
    if kappa == 0 or sigma >= 1:
        peak = max_workers if sigma < 1 else 1
    else:
        peak = math.sqrt((1 - sigma) / kappa)
    candidates = {1, max_workers, min(max_workers, max(1, math.floor(peak))),
                  min(max_workers, max(1, math.ceil(peak)))}
    return min(sorted(candidates), key=step)
    ### END SOLUTION


def checkpoint_interval(checkpoint_seconds, node_mtbf_seconds, num_machines):
    """Young's checkpoint interval for a job running on `num_machines`.

    Each machine is interrupted independently, on average once every
    `node_mtbf_seconds`; any interruption stops the whole job. A checkpoint
    costs `checkpoint_seconds`. Return the interval (seconds of work between
    checkpoints) that minimises the first-order waste, as a float. Raise
    ValueError naming "checkpoint_seconds" (< 0), "node_mtbf_seconds"
    (<= 0) or "num_machines" (< 1).
    """
    ### BEGIN SOLUTION
    if checkpoint_seconds < 0:
        raise ValueError(f"checkpoint_seconds must be >= 0, got {checkpoint_seconds}")
    if node_mtbf_seconds <= 0:
        raise ValueError(f"node_mtbf_seconds must be > 0, got {node_mtbf_seconds}")
    if num_machines < 1:
        raise ValueError(f"num_machines must be >= 1, got {num_machines}")
    return math.sqrt(2 * checkpoint_seconds * node_mtbf_seconds / num_machines)
    ### END SOLUTION


def analysis_scaling_limit():
    """Analysis question: when does adding workers stop paying off?

    A model has 2 GB of gradients (2e9 bytes); one step of the global batch
    takes 0.8 s of compute on one accelerator; links give 50 GB/s (5e10
    bytes per second) and 30 microseconds of latency per message. What is
    the number of workers with the shortest step time (an int)?
    """
    ### BEGIN SOLUTION
    return best_worker_count(0.8, 2e9, 5e10, 30e-6, 10**6)
    ### END SOLUTION


# %% [markdown]
# Try it.

# %%
if __name__ == "__main__":
    print(allreduce_seconds(4, 1e9, 1e10, 1e-5))
    print(usl_coefficients(0.5, 1e8, 1e10, 1e-4))
    print(analysis_scaling_limit(), checkpoint_interval(120, 30 * 86400, 512))
