r"""Commit latency: the round trip to a majority, as an order statistic.

A leader that appends an entry sends it to its :math:`N = n - 1` followers
at once and commits it when :math:`q = \lfloor n/2 \rfloor + 1` servers,
itself included, store it: after the :math:`k = q - 1` -th fastest follower
round trip :math:`X_{(k:N)}`. With one-way delays :math:`D = m + \mu E`
(``ExponentialDelay(mean=mu, minimum=m)``, :math:`E` a unit exponential),
a round trip is :math:`X = 2m + \mu G` with :math:`G` the sum of two unit
exponentials, :math:`F_G(x) = 1 - e^{-x}(1 + x)`. The :math:`k`-th smallest
of :math:`N` independent copies is at most :math:`x` when at least :math:`k`
of them are (David and Nagaraja, *Order Statistics*, 3rd ed., 2003, 2.1):

.. math:: P(L \le 2m + \mu x) = \sum_{i=k}^{N} \binom{N}{i}
          F_G(x)^i \bigl(1 - F_G(x)\bigr)^{N-i},

and :math:`E[L] = 2m + \mu \int_0^\infty P(G_{(k:N)} > x)\,dx`. With fixed
delays :math:`d_{\ell j}` the latency is the :math:`q`-th smallest round
trip :math:`2 d_{\ell j}`, leader included (Chapter 5's
:func:`~dsscale.geo.commit_latency_ms`).

:func:`measure_commit_latency` measures it on :class:`RaftServer`: a client
next to the leader (links of zero delay) writes one entry at a time and
times each write. Consecutive writes are spaced by ``gap``: a follower's late
acknowledgement of the previous entry makes the leader resend what that
follower lacks, the new entry included, and with random delays this second
copy may overtake the first -- so back-to-back writes commit a little faster
than the formula says.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate

from dsscale._validate import RNGLike, as_rng, check_array, check_float, check_int
from dsscale.consistency import Operation
from dsscale.replication.raft.client import RaftClient
from dsscale.replication.raft.options import RaftOptions
from dsscale.replication.raft.rules import majority
from dsscale.replication.raft.server import RaftServer
from dsscale.sim import Delay, FixedDelay, Link, Network

__all__ = ["commit_latency_cdf", "expected_commit_latency", "measure_commit_latency",
           "stable_leader_cluster"]

DelaySpec = Delay | Callable[[int, int], Delay]
ServerFactory = Callable[[str, tuple[str, ...], RaftOptions, int], RaftServer]


def _gamma2_order_cdf(x: NDArray[np.float64], k: int, big_n: int
                      ) -> NDArray[np.float64]:
    """P(G_(k:N) <= x) for G the sum of two unit exponentials."""
    x = np.maximum(x, 0.0)
    f = 1.0 - np.exp(-x) * (1.0 + x)
    return np.asarray(sum(math.comb(big_n, i) * f**i * (1.0 - f) ** (big_n - i)
                          for i in range(k, big_n + 1)), dtype=np.float64)


def _checked(num_servers: int, min_delay: float, mean_delay: float
             ) -> tuple[int, int, float, float]:
    n = check_int("num_servers", num_servers, 2)
    m = check_float("min_delay", min_delay, 0.0)
    mu = check_float("mean_delay", mean_delay, 0.0, strict_min=True)
    return majority(n) - 1, n - 1, m, mu


def commit_latency_cdf(latency: ArrayLike, num_servers: int, min_delay: float,
                       mean_delay: float) -> NDArray[np.float64]:
    r""":math:`P(L \le \ell)` for one-way delays ``min_delay + Exp(mean_delay)``.

    .. math:: P(L \le 2m + \mu x) = \sum_{i=k}^{N} \binom{N}{i} F_G(x)^i
              (1 - F_G(x))^{N-i}, \quad k = \lfloor n/2 \rfloor,\; N = n - 1

    Examples
    --------
    Three servers commit on the faster of two round trips ``2m + G``:

    >>> commit_latency_cdf([1.0, 3.0], 3, 0.5, 1.0).round(4).tolist()
    [0.0, 0.8352]
    >>> import math; round(1 - (3 * math.exp(-2.0)) ** 2, 4)  # 1 - (1 - F_G(2))^2
    0.8352
    """
    k, big_n, m, mu = _checked(num_servers, min_delay, mean_delay)
    values = check_array("latency", latency)
    return _gamma2_order_cdf((values - 2.0 * m) / mu, k, big_n)


def expected_commit_latency(num_servers: int, min_delay: float,
                            mean_delay: float) -> float:
    r"""Mean commit latency at the leader, one-way delays ``m + Exp(mu)``.

    .. math:: E[L] = 2m + \mu \int_0^\infty P\bigl(G_{(k:N)} > x\bigr)\,dx

    For three servers :math:`k = 1, N = 2` and the integral is
    :math:`\int_0^\infty e^{-2x}(1 + x)^2 dx = 5/4`.

    Examples
    --------
    >>> round(expected_commit_latency(3, 0.5, 1.0), 10)  # 2 * 0.5 + 1.25
    2.25
    >>> round(expected_commit_latency(5, 0.5, 1.0), 4)
    2.4378

    References: D. Ongaro and J. Ousterhout, USENIX ATC 2014 (commit on a
    majority); H. A. David and H. N. Nagaraja, *Order Statistics*, 2003.
    """
    k, big_n, m, mu = _checked(num_servers, min_delay, mean_delay)

    def survival(x: float) -> float:
        return 1.0 - float(_gamma2_order_cdf(np.array([x]), k, big_n)[0])

    area, _ = integrate.quad(survival, 0.0, math.inf, epsabs=1e-12, epsrel=1e-10)
    return float(2.0 * m + mu * area)


def stable_leader_cluster(net: Network, num_servers: int, *, leader: int = 0,
                          delay: DelaySpec | None = None,
                          options: RaftOptions | None = None,
                          heartbeat_interval: float = 1e4,
                          make_server: ServerFactory | None = None) -> tuple[str, ...]:
    """Add servers ``s0 .. s{n-1}`` to ``net`` and run it until server
    ``leader`` leads and has committed its no-op; return the names.

    ``delay`` is the one-way delay of every link, or ``delay(i, j)`` for the
    link from server ``i`` to server ``j`` (default: the network's).

    The leader's election timer fires first, at ``1.2 * heartbeat_interval``;
    the others' never fire, since heartbeats come every
    ``heartbeat_interval``. The default is so long that no heartbeat falls
    inside a measured operation (it could carry the entry a second time).
    Clocks are perfect. ``options`` supplies the other settings;
    ``make_server(name, names, options, index)`` builds each server
    (default :class:`RaftServer`).
    """
    n = check_int("num_servers", num_servers, 1)
    leader = check_int("leader", leader, 0, n - 1)
    h = check_float("heartbeat_interval", heartbeat_interval, 0.0, strict_min=True)
    base = RaftOptions() if options is None else options
    names = tuple(f"s{i}" for i in range(n))
    first = replace(base, election_timeout=(1.2 * h, 1.2 * h), heartbeat_interval=h,
                    drift_bound=0.0)
    others = replace(first, election_timeout=(1e3 * h, 2e3 * h))

    def default(name: str, group: tuple[str, ...], opts: RaftOptions,
                index: int) -> RaftServer:
        return RaftServer(name, group, opts, 1.0, index)
    build = default if make_server is None else make_server
    net.add(*(build(s, names, first if i == leader else others, i)
              for i, s in enumerate(names)))
    if delay is not None:
        _set_links(net, names, delay)
    boss = net.nodes[names[leader]]
    assert isinstance(boss, RaftServer)
    net.run(until=net.now + 100 * h,
            stop=lambda: boss.role == "leader" and boss.committed_in_term())
    if boss.role != "leader":
        raise RuntimeError(f"{names[leader]} was not elected in {100 * h:g} time "
                           "units: are the delays longer than heartbeat_interval?")
    return names


def _set_links(net: Network, names: Sequence[str], delay: DelaySpec) -> None:
    if isinstance(delay, Delay):
        net.default_link = Link(delay)
        return
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i != j:
                net.set_link(a, b, Link(delay(i, j)))


def measure_commit_latency(num_servers: int, delay: DelaySpec, *, leader: int = 0,
                           num_entries: int = 200, gap: float = 0.0,
                           rng: RNGLike = None) -> NDArray[np.float64]:
    """Commit latency of ``num_entries`` writes, one at a time, at the leader.

    Parameters
    ----------
    num_servers : int
        Servers in the Raft group.
    delay : Delay or callable
        The one-way delay of every link, or ``delay(i, j)`` for the link from
        server ``i`` to server ``j``.
    leader : int
        Which server leads (see :func:`stable_leader_cluster`).
    num_entries : int
        Writes to time.
    gap : float
        Pause between a write's commit and the next write (module docstring).
    rng : numpy Generator, int or None
        Seeds the network.

    Returns
    -------
    ndarray
        Each write's commit time minus its arrival at the leader.

    Examples
    --------
    >>> from dsscale.sim import FixedDelay
    >>> measure_commit_latency(3, FixedDelay(1.0), num_entries=3).tolist()
    [2.0, 2.0, 2.0]
    """
    count = check_int("num_entries", num_entries, 1)
    pause = check_float("gap", gap, 0.0)
    net = Network(as_rng(rng), trace=False)
    names = stable_leader_cluster(net, num_servers, leader=leader, delay=delay)
    history: list[Operation] = []
    plan = [(pause, ("put", "x", j)) for j in range(count)]
    client = RaftClient("client", plan, history, (names[leader],), retry=1e12,
                        op_timeout=1e12, rng=0)
    net.add(client)
    net.set_link("client", names[leader], Link(FixedDelay(0.0)))
    net.set_link(names[leader], "client", Link(FixedDelay(0.0)))
    net.run(stop=lambda: client.done)
    return np.array([op.return_time - op.call for op in history])
