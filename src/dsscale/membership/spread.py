r"""How many gossip rounds until everybody knows: exact, asymptotic and simulated.

The *random phone call* model (Demers et al., PODC 1987; Karp et al., FOCS 2000):
time goes in synchronous rounds; in each round every node calls one other node
chosen uniformly at random. Information known at the start of a round crosses
a call in the direction(s) the protocol allows:

* **push**: an informed caller tells the callee;
* **pull**: an uninformed caller asks the callee and learns if it knew;
* **push-pull**: both.

Each message is lost independently with probability ``loss``; a pull needs two
messages (request and reply), a push one.

Given :math:`i` informed nodes among :math:`n`, the number informed after one
round depends only on :math:`i`, so the count is a Markov chain that can be
solved exactly. Let :math:`m = n - i`. Each uninformed node pulls successfully,
independently, with probability :math:`q = (1 - \ell)^2\, i / (n - 1)`, so the
pulled count is Binomial(:math:`m, q`). Then each of the :math:`i` pushes lands
on a uniformly random other node, and reaches a node not yet informed, when
:math:`j` of the :math:`m` already are, with probability
:math:`(1 - \ell)(m - j)/(n - 1)`: a pure-birth chain over the :math:`i` pushes.
:func:`gossip_round_distribution` composes these into the transition matrix
and iterates it from one informed node.

Leading terms (to :math:`O(1)`): push :math:`\log_2 n + \ln n` (Frieze and
Grimmett 1985; Pittel, SIAM J. Appl. Math. 1987); pull
:math:`\log_2 n + \log_2 \ln n`; push-pull :math:`\log_3 n + \log_2 \ln n`
(Karp, Schindelhauer, Shenker and Vöcking, FOCS 2000, prove
:math:`\log_3 n + O(\log\log n)`).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from dsscale._validate import RNGLike, as_rng, check_float, check_int

__all__ = [
    "MODES",
    "expected_gossip_rounds",
    "gossip_round_distribution",
    "gossip_rounds_leading_term",
    "gossip_transition_matrix",
    "simulate_gossip_rounds",
]

Mode = Literal["push", "pull", "push-pull"]
MODES: tuple[Mode, ...] = ("push", "pull", "push-pull")
_MAX_EXACT = 2048


def _check_mode(mode: str) -> tuple[bool, bool]:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    return mode != "pull", mode != "push"


def _one_round(n: int, i: int, push: bool, pull: bool,
               loss: float) -> NDArray[np.float64]:
    """Distribution of the number of newly informed nodes, given i informed."""
    m = n - i
    if m == 0:
        return np.ones(1)
    if pull:
        q = (1 - loss) ** 2 * i / (n - 1)
        dist = stats.binom.pmf(np.arange(m + 1), m, q)
    else:
        dist = np.zeros(m + 1)
        dist[0] = 1.0
    if push:
        hit = (1 - loss) * (m - np.arange(m + 1)) / (n - 1)  # P(a push is new)
        for _ in range(i):
            moved = dist * hit
            dist = dist - moved
            dist[1:] += moved[:-1]
    return np.asarray(dist, dtype=np.float64)


def gossip_transition_matrix(num_nodes: int, mode: Mode = "push-pull",
                             loss: float = 0.0) -> NDArray[np.float64]:
    """``P[i, j]``: probability that ``i`` informed nodes become ``j`` in a round.

    Rows and columns run over ``0..num_nodes``; the chain only moves up.
    """
    n = check_int("num_nodes", num_nodes, 2, _MAX_EXACT)
    push, pull = _check_mode(mode)
    ell = check_float("loss", loss, 0.0, 1.0, strict_max=True)
    matrix = np.zeros((n + 1, n + 1))
    matrix[0, 0] = 1.0
    for i in range(1, n + 1):
        matrix[i, i:] = _one_round(n, i, push, pull, ell)
    return matrix


def gossip_round_distribution(num_nodes: int, mode: Mode = "push-pull",
                              loss: float = 0.0, tail: float = 1e-12
                              ) -> NDArray[np.float64]:
    r"""Exact distribution of the rounds :math:`R` until all nodes know.

    Returns ``p`` with ``p[t] = P(R = t)``, starting from one informed node,
    computed by iterating :func:`gossip_transition_matrix` until
    :math:`P(R > t) <` ``tail``.

    Examples
    --------
    >>> gossip_round_distribution(2, "push").tolist()  # one call informs the other
    [0.0, 1.0]
    """
    matrix = gossip_transition_matrix(num_nodes, mode, loss)
    eps = check_float("tail", tail, 0.0, 1.0, strict_min=True, strict_max=True)
    n = matrix.shape[0] - 1
    state = np.zeros(n + 1)
    state[1] = 1.0
    done = [state[n]]
    while 1.0 - done[-1] >= eps:
        state = state @ matrix
        done.append(state[n])
        if len(done) > 100 * n + 100:  # pragma: no cover - needs loss near 1
            raise RuntimeError("gossip did not finish; is loss close to 1?")
    cdf = np.array(done)
    return np.diff(cdf, prepend=0.0)


def expected_gossip_rounds(num_nodes: int, mode: Mode = "push-pull",
                           loss: float = 0.0) -> float:
    r"""Exact :math:`E[R]` from :func:`gossip_round_distribution`.

    Examples
    --------
    >>> round(expected_gossip_rounds(3, "push"), 4)  # 1 + 1/(3/4): see below
    2.3333

    (The first round always informs a second node; then both miss the third
    with probability 1/4 per round.)
    """
    pmf = gossip_round_distribution(num_nodes, mode, loss)
    return float(np.arange(len(pmf)) @ pmf)


def gossip_rounds_leading_term(num_nodes: int | NDArray[np.int64],
                               mode: Mode = "push-pull") -> NDArray[np.float64]:
    r"""The asymptotic rounds, without the :math:`O(1)` term.

    .. math::

        \text{push: } \log_2 n + \ln n, \quad
        \text{pull: } \log_2 n + \log_2 \ln n, \quad
        \text{push-pull: } \log_3 n + \log_2 \ln n

    References: B. Pittel, SIAM J. Appl. Math. 1987 (push); R. Karp,
    C. Schindelhauer, S. Shenker, B. Vöcking, FOCS 2000 (pull, push-pull).

    Examples
    --------
    >>> round(float(gossip_rounds_leading_term(1024, "push")), 3)  # 10 + 6.931
    16.931
    """
    n = _check_sizes(num_nodes)
    _check_mode(mode)
    ln_n = np.log(n)
    if mode == "push":
        result = np.log2(n) + ln_n
    elif mode == "pull":
        result = np.log2(n) + np.log2(ln_n)
    else:
        result = ln_n / math.log(3) + np.log2(ln_n)
    return np.asarray(result, dtype=np.float64)


def _check_sizes(num_nodes: int | NDArray[np.int64]) -> NDArray[np.float64]:
    """``num_nodes`` as a float array, each at least 3 (so ln ln n is defined)."""
    arr = np.asarray(num_nodes)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"num_nodes must be integers, got {arr.dtype}")
    if arr.size and arr.min() < 3:
        raise ValueError(f"num_nodes must be >= 3, got {arr.min()}")
    return arr.astype(np.float64)


def simulate_gossip_rounds(num_nodes: int, mode: Mode = "push-pull",
                           trials: int = 1, rng: RNGLike = None,
                           loss: float = 0.0) -> NDArray[np.int64]:
    """Rounds until all nodes know, in ``trials`` independent runs (vectorised).

    A direct simulation of the phone-call model, independent of the Markov
    chain: each round draws every node's callee and every message's fate.
    The message-level protocol on :mod:`dsscale.sim` is
    :class:`dsscale.membership.gossip.GossipNode`.
    """
    n = check_int("num_nodes", num_nodes, 2)
    push, pull = _check_mode(mode)
    count = check_int("trials", trials, 1)
    ell = check_float("loss", loss, 0.0, 1.0, strict_max=True)
    gen = as_rng(rng)
    rounds = np.zeros(count, dtype=np.int64)
    nodes = np.arange(n)
    for trial in range(count):
        informed = np.zeros(n, dtype=bool)
        informed[gen.integers(n)] = True
        while not informed.all():
            callee = gen.integers(0, n - 1, size=n)
            callee += callee >= nodes  # anyone but oneself
            arrives = gen.random((2, n)) >= ell  # call, and its reply
            new = informed.copy()
            if push:
                new[callee[informed & arrives[0]]] = True
            if pull:
                asked = ~informed & arrives[0] & arrives[1]
                new[asked] |= informed[callee[asked]]
            informed = new
            rounds[trial] += 1
    return rounds
