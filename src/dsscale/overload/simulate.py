"""Clients that time out and retry, against an FCFS queue of ``servers`` servers.

Requests arrive as a Poisson process whose rate follows a
:class:`~dsscale.autoscale.traces.LoadTrace`. Every attempt joins one FCFS
queue served by identical servers with exponential service times — the
M/M/c queue of Chapter 1 — and the client gives up on it after ``timeout``
seconds. The server does not know: it serves the abandoned attempt anyway,
unless it sheds load. A failed attempt (timed out, rejected, dropped, or an
injected error) is retried after a backoff, up to ``max_retries`` times.

Mitigations, each off by default:

* client side — capped exponential backoff with or without full jitter, and a
  *retry budget*: a token bucket (10 tokens) that every first attempt refills
  by ``retry_budget`` tokens and every retry drains by one;
* server side — *admission control* (reject at once when ``queue_limit``
  attempts are already waiting) and *load shedding* (``drop_expired``: skip an
  attempt whose client has already given up when it reaches the head of the
  queue).

``reset_at`` crashes and restarts the servers at that instant: every attempt
queued or in service fails at once, which synchronises the clients' retries.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import RNGLike, as_rng, check_float, check_int
from dsscale.autoscale.traces import LoadTrace

OK, TIMEOUT, REJECTED, DROPPED, ERROR, RESET = range(6)
_BUCKET = 10.0


@dataclass(frozen=True)
class Client:
    """How callers behave: timeout, retries, backoff, retry budget."""

    timeout: float
    max_retries: int = 3
    backoff_base: float = 0.0
    backoff_cap: float = 0.0
    jitter: bool = False
    retry_budget: float | None = None

    def __post_init__(self) -> None:
        check_float("timeout", self.timeout, 0.0, strict_min=True)
        check_int("max_retries", self.max_retries, 0)
        check_float("backoff_base", self.backoff_base, 0.0)
        check_float("backoff_cap", self.backoff_cap, self.backoff_base)
        if self.retry_budget is not None:
            check_float("retry_budget", self.retry_budget, 0.0)


@dataclass(frozen=True)
class Server:
    """The service: capacity, and what it does when overloaded."""

    servers: int
    service_rate: float
    queue_limit: int | None = None
    drop_expired: bool = False
    error_probability: float = 0.0

    def __post_init__(self) -> None:
        check_int("servers", self.servers, 1)
        check_float("service_rate", self.service_rate, 0.0, strict_min=True)
        if self.queue_limit is not None:
            check_int("queue_limit", self.queue_limit, 0)
        check_float("error_probability", self.error_probability, 0.0, 1.0)

    @property
    def capacity(self) -> float:
        """Attempts per second the servers complete when never idle, cμ."""
        return self.servers * self.service_rate


@dataclass(frozen=True)
class OverloadRun:
    """Every attempt (time, outcome code, request) and every request's fate."""

    attempt_times: NDArray[np.float64]
    outcomes: NDArray[np.int64]
    attempt_request: NDArray[np.int64]
    work: NDArray[np.float64]              # server time each attempt consumed
    request_times: NDArray[np.float64]
    completion_times: NDArray[np.float64]  # nan if the request failed for good

    @property
    def amplification(self) -> float:
        """Attempts per request."""
        return self.attempt_times.size / max(1, self.request_times.size)

    @property
    def success_fraction(self) -> float:
        return float(np.mean(np.isfinite(self.completion_times)))

    def rate(self, what: str, bin_width: float, horizon: float) -> NDArray[np.float64]:
        """Events per second in bins of ``bin_width`` over ``[0, horizon]``.

        ``what`` is ``"offered"`` (attempts), ``"goodput"`` (requests
        completed successfully, by completion time) or ``"wasted"`` (server
        seconds spent on attempts that did not succeed, per second).
        """
        width = check_float("bin_width", bin_width, 0.0, strict_min=True)
        edges = np.arange(0.0, check_float("horizon", horizon, width) + width, width)
        if what == "offered":
            counts, _ = np.histogram(self.attempt_times, edges)
        elif what == "goodput":
            done = self.completion_times[np.isfinite(self.completion_times)]
            counts, _ = np.histogram(done, edges)
        elif what == "wasted":
            counts, _ = np.histogram(self.attempt_times, edges,
                                     weights=np.where(self.outcomes == OK, 0.0,
                                                      self.work))
        else:
            raise ValueError("what must be 'offered', 'goodput' or 'wasted', "
                             f"got {what!r}")
        rates: NDArray[np.float64] = counts / width
        return rates


def _request_times(trace: LoadTrace, gen: np.random.Generator) -> list[float]:
    counts = gen.poisson(trace.rates * trace.interval)
    starts = np.repeat(trace.times, counts)
    times: list[float] = np.sort(starts + gen.random(starts.size)
                                 * trace.interval).tolist()
    return times


class _Retrier:
    """The client side: decides whether and when a failed attempt is retried."""

    def __init__(self, client: Client, gen: np.random.Generator) -> None:
        self.client, self.gen = client, gen
        self.tokens = _BUCKET
        self.pending: list[tuple[float, int, int]] = []   # (time, request, attempt)

    def first_attempt(self) -> None:
        if self.client.retry_budget is not None:
            self.tokens = min(_BUCKET, self.tokens + self.client.retry_budget)

    def failed(self, when: float, request: int, attempt: int) -> None:
        c = self.client
        if attempt >= c.max_retries:
            return
        if c.retry_budget is not None:
            if self.tokens < 1.0:
                return
            self.tokens -= 1.0
        ceiling = min(c.backoff_cap, c.backoff_base * 2.0**attempt)
        wait = self.gen.random() * ceiling if c.jitter else ceiling
        heapq.heappush(self.pending, (when + wait, request, attempt + 1))


class _Queue:
    """The server side: FCFS over identical servers, with admission and shedding."""

    def __init__(self, server: Server, timeout: float, reset_at: float | None,
                 gen: np.random.Generator) -> None:
        self.server, self.timeout, self.gen = server, timeout, gen
        self.reset_at = reset_at
        self.free = [0.0] * server.servers     # heap: when each server is next free
        self.waiting: list[float] = []         # heap: start times of queued attempts

    def attempt(self, t: float) -> tuple[int, float, float]:
        """Outcome, time the client learns it, and server time used."""
        s, tau, reset = self.server, self.timeout, self.reset_at
        if reset is not None and t >= reset:
            self.free, self.waiting, self.reset_at = [reset] * s.servers, [], None
            reset = None
        if s.queue_limit is not None:
            while self.waiting and self.waiting[0] <= t:
                heapq.heappop(self.waiting)
            if len(self.waiting) >= s.queue_limit:
                return REJECTED, t, 0.0
        start = max(t, self.free[0])
        if start > t:
            heapq.heappush(self.waiting, start)
        if s.drop_expired and start - t >= tau:
            return DROPPED, t + tau, 0.0
        end = start + self.gen.exponential(1.0 / s.service_rate)
        heapq.heapreplace(self.free, end)
        if reset is not None and end > reset:
            used = max(0.0, reset - start)
            if t + tau <= reset:   # the client had given up before the crash
                return TIMEOUT, t + tau, used
            return RESET, reset, used
        if end - t > tau:
            return TIMEOUT, t + tau, end - start
        if s.error_probability and self.gen.random() < s.error_probability:
            return ERROR, end, end - start
        return OK, end, end - start


def simulate_overload(trace: LoadTrace, client: Client, server: Server, *,
                      reset_at: float | None = None,
                      rng: RNGLike = None) -> OverloadRun:
    """Run clients and server (see the module docstring) over ``trace``.

    Attempts are handled in the order they reach the server, new requests and
    retries alike, so the FCFS start of each is known when it arrives. All
    randomness comes from ``rng``.
    """
    gen = as_rng(rng)
    if reset_at is not None:
        check_float("reset_at", reset_at, 0.0)
    arrivals = _request_times(trace, gen)
    retrier = _Retrier(client, gen)
    queue = _Queue(server, client.timeout, reset_at, gen)
    times: list[float] = []
    outcomes: list[int] = []
    owners: list[int] = []
    work: list[float] = []
    completion = [math.nan] * len(arrivals)
    nxt = 0
    while nxt < len(arrivals) or retrier.pending:
        if retrier.pending and (nxt == len(arrivals)
                                or retrier.pending[0][0] < arrivals[nxt]):
            t, request, attempt = heapq.heappop(retrier.pending)
        else:
            t, request, attempt = arrivals[nxt], nxt, 0
            nxt += 1
            retrier.first_attempt()
        outcome, when, used = queue.attempt(t)
        times.append(t)
        outcomes.append(outcome)
        owners.append(request)
        work.append(used)
        if outcome == OK:
            completion[request] = when
        else:
            retrier.failed(when, request, attempt)
    return OverloadRun(np.array(times), np.array(outcomes, dtype=np.int64),
                       np.array(owners, dtype=np.int64), np.array(work),
                       np.array(arrivals), np.array(completion))
