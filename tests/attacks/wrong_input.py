"""Correct numbers, but every error message is "wrong input".

Targets ch01 ex03_usl. Its honest score is that of the two numeric checks
(4 of 5 points): "usl_throughput rejects bad input" asks that each message
name its parameter (n, sigma, kappa), and "wrong input" contains the letter
n without naming n.
"""

import math

import numpy as np


def usl_throughput(n, lambda_, sigma, kappa):
    x = np.asarray(n, dtype=float)
    if np.any(x < 1) or sigma < 0 or kappa < 0:
        raise ValueError("wrong input")
    out = lambda_ * x / (1.0 + sigma * (x - 1.0) + kappa * x * (x - 1.0))
    return float(out) if out.ndim == 0 else out


def best_concurrency(sigma, kappa, max_n=10_000):
    if kappa == 0:
        return 1 if sigma >= 1 else max_n
    peak = math.sqrt(max(0.0, 1.0 - sigma) / kappa)
    candidates = sorted({max(1, min(max_n, c))
                         for c in (math.floor(peak), math.ceil(peak), 1)})
    values = [usl_throughput(c, 1.0, sigma, kappa) for c in candidates]
    return next(c for c, v in zip(candidates, values, strict=True)
                if v == max(values))
