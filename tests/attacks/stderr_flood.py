"""A 1.5 GB flood on stderr, then nothing.

Targets ch01 ex01_amdahl and implements nothing: its honest score is 0. At
import it writes 1.5 GB to stderr in 1 MiB blocks. The grader must stop it
after a bounded amount of output, with bounded memory of its own.
"""

import sys

BLOCK = b"x" * (1 << 20)
for _ in range(1536):
    sys.stderr.buffer.write(BLOCK)
sys.stderr.flush()


def amdahl_speedup(parallel_fraction, workers):
    raise NotImplementedError


def amdahl_limit(parallel_fraction):
    raise NotImplementedError
