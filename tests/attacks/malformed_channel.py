"""Malformed and partial output on the grader's channel.

Targets ch01 ex01_amdahl and implements nothing: its honest score is 0.
Every call writes garbage, a JSON message with an unknown tag, a forged
"reply" to a request not yet made, and half a line to every open descriptor
(one of them is the channel to the judge), then exits.
"""

import os

JUNK = [b"not json at all\n", b'{"op": "reply", "id": 999, "value": {"$": "evil"}}\n',
        b'{"op": "reply", "id": 1, "value": {"$": "ndarray", "dtype": "O", '
        b'"shape": [1], "data": [1]}}\n', b'{"op": "reply", "id": 1, "val']


def _scribble():
    for fd in range(0, 64):
        for junk in JUNK:
            try:
                os.write(fd, junk)
            except OSError:
                pass
    os._exit(0)


def amdahl_speedup(parallel_fraction, workers):
    _scribble()


def amdahl_limit(parallel_fraction):
    _scribble()
