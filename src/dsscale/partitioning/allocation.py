r"""Token allocation: choose a joining node's ring tokens to balance replicated load.

With random tokens a node's share of the ring has coefficient of variation about
:math:`1/\sqrt v` (:func:`~dsscale.partitioning.metrics.ring_share_cv`), so
random placement needs hundreds of tokens per node for good balance. An
*allocator* instead places each token of a joining node where it evens out the
load best. This module implements a greedy allocator in the spirit of Apache
Cassandra's (CASSANDRA-7032, Cassandra 3.0; the default in 4.0 with
``num_tokens: 16`` and ``allocate_tokens_for_local_replication_factor: 3``).

The quantity balanced is **replicated ownership**: with replication factor
:math:`R`, the arc :math:`(p_{k-1}, p_k]` ending at point :math:`p_k` is stored
on the :math:`R` distinct nodes met walking clockwise from :math:`p_k`
(:func:`~dsscale.partitioning.replicas.replica_sets`),
and a node's replicated ownership is the total length of the arcs it stores.
The shares sum to :math:`R`, so the ideal is :math:`R/n` for each of :math:`n`
nodes.

How one candidate split changes ownership
-----------------------------------------
Insert a token of node :math:`X` strictly inside arc :math:`j`. Walking from any
point :math:`p_k` whose walk reaches :math:`p_j` (including :math:`k = j`
itself, for the part of arc :math:`j` before the new token), :math:`X` is now
met before :math:`p_j`. If :math:`X` already held that arc's data nothing
changes; otherwise :math:`X` joins the arc's replica set and the *last* node of
the old walk, the :math:`R`-th distinct one, drops out. So a candidate moves a
known length from known nodes to :math:`X`, and its effect on the sum of
squared deviations from :math:`R/n` is computed for every candidate at once.

Greedy variant implemented here
-------------------------------
For each of the joining node's :math:`t` tokens in turn, every arc of the
current ring (with the node's tokens placed so far) is a candidate, split at
its midpoint, and the candidate with the lowest cost is taken:

.. math:: \sum_{\text{nodes } i} \left(o_i - \frac{R}{n}\right)^2
          + \sum_{\text{tokens } k} \left(s_k - \frac{R}{n\,c_k}\right)^2,

where :math:`o_i` is node :math:`i`'s replicated ownership, :math:`s_k` the
replicated span of token :math:`k` (the arcs its node stores through it) and
:math:`c_k` the token count of its node (:math:`t` for the joining node). The
first sum splits the ranges of over-loaded nodes first. The second keeps each
token's span near its fair part; without it the greedy fills the new node's
quota with a few large splits, parks its remaining tokens where they change
nothing, and the first nodes' long spans are never cut down (their load grows
to two or three times the mean by 30 nodes at 16 tokens; the tests keep this
mutant out). Exact ties are broken with `rng`. While the cluster has at most
:math:`R` nodes every node stores every key and the first sum is flat, so the
allocator then balances at replication factor :math:`n - 1` (plain ownership
for the second node), which spreads the first nodes' tokens for later.

How it differs from Cassandra's
-------------------------------
Cassandra's ``ReplicationAwareTokenAllocator`` (as described by Lambov, 2016,
and in its source) also splits ranges at their midpoints and scores candidates
by the change in the variance of node and of token ownership, but it weighs
and normalises the two terms in its own way; it keeps candidates in a priority
queue and re-evaluates only the best few after each choice, where this module
re-scores every arc exactly for every token (:math:`O(nv)` work per token, fine
at textbook sizes); it handles racks (replicas in distinct racks), which
:class:`~dsscale.partitioning.HashRing` does not model; and it seeds the first
nodes of a datacentre differently. The balance reached here is this module's,
not a reproduction of Cassandra's numbers.

References
----------
B. Lambov, "New token allocation algorithm in Cassandra 3.0", DataStax blog,
2016; CASSANDRA-7032 (the allocator), CASSANDRA-13701 (16 tokens by default).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .._validate import RNGLike, as_rng, check_int
from .base import NodeLabel, check_nodes
from .replicas import _arcs, _walks
from .ring import HashRing

__all__ = ["add_allocated_node", "allocate_tokens", "grow_allocated"]

_RING = 2.0**64
_TOKEN_WEIGHT = 1.0  # weight of the token term of the cost


def _token_spans(owners: NDArray[np.intp], arcs: NDArray[np.float64],
                 r: int) -> NDArray[np.float64]:
    """Replicated span of each token: the arcs its owner stores through it."""
    seen, member, _ = _walks(owners, r)
    size = owners.size
    k, d = np.nonzero(member)
    return np.bincount((k + d) % size, weights=arcs[k],
                       minlength=size).astype(np.float64)


def _candidates(points: NDArray[np.uint64], owners: NDArray[np.intp],
                num_nodes: int, new_owner: int, r: int,
                token_target: NDArray[np.float64], new_token_target: float) -> tuple[
        NDArray[np.float64], NDArray[np.float64]]:
    """Score splitting each arc at its midpoint with a token of `new_owner`.

    Returns ``(after, token_cost)``: ``after[j]`` is every node's ownership if
    arc ``j`` (ending at ``points[j]``) is split, and ``token_cost[j]`` the sum
    over tokens (the new one included) of the squared deviation of each
    token's replicated span from its target (`token_target` per existing
    point, `new_token_target` for the new token).
    """
    arcs = _arcs(points)
    size = points.size
    seen, member, length = _walks(owners, r)
    own = np.bincount(seen[member], weights=np.broadcast_to(
        arcs[:, None], seen.shape)[member], minlength=num_nodes)
    mk, md = np.nonzero(member)
    spans = np.bincount((mk + md) % size, weights=arcs[mk], minlength=size)
    is_new = member & (seen == new_owner)
    holds_new = np.any(is_new, axis=1)
    first_new = np.argmax(is_new, axis=1)     # where the walk first meets it
    last = length - 1
    # Pair (k, d): the walk from k reaches point k + d, so a token inserted just
    # before that point (candidate j = k + d) takes arc k (half of it when
    # d = 0). If the new owner did not store arc k, it replaces the walk's last
    # replica; if it did, only the token through which it stores arc k changes,
    # and only when the new token comes first.
    depth = seen.shape[1]
    k, d = np.nonzero(np.arange(depth) < length[:, None])
    j = (k + d) % size
    moved = arcs[k] * np.where(d == 0, 0.5, 1.0)
    gains = ~holds_new[k]
    node_delta = np.bincount(j[gains] * num_nodes + seen[k[gains], last[k[gains]]],
                             weights=moved[gains],
                             minlength=size * num_nodes).reshape(size, num_nodes)
    after = own - node_delta
    after[:, new_owner] += node_delta.sum(axis=1)
    # Token spans: the token losing arc k is the last replica's (node moves) or
    # the new owner's earlier token (if it is met at or after the split).
    shifts = gains | (first_new[k] >= d)
    loser = (k + np.where(gains, last[k], first_new[k])) % size
    key = j[shifts] * size + loser[shifts]
    uniq, inverse = np.unique(key, return_inverse=True)
    lost = np.bincount(inverse, weights=moved[shifts])
    tok = uniq % size
    change = ((spans[tok] - lost - token_target[tok]) ** 2
              - (spans[tok] - token_target[tok]) ** 2)
    new_span = np.bincount(j[shifts], weights=moved[shifts], minlength=size)
    base = float(np.sum((spans - token_target) ** 2))
    token_cost = (base + np.bincount(uniq // size, weights=change, minlength=size)
                  + (new_span - new_token_target) ** 2)
    return after.astype(np.float64), np.asarray(token_cost, dtype=np.float64)


def allocate_tokens(ring: HashRing, num_tokens: int, replication_factor: int, *,
                    rng: RNGLike = None) -> NDArray[np.uint64]:
    """Tokens for one node joining `ring`, chosen greedily to balance the
    replicated ownership of all nodes (see the module docstring).

    Parameters
    ----------
    ring : HashRing
        The ring before the node joins.
    num_tokens : int
        Tokens to place, >= 1.
    replication_factor : int
        Replicas per key, >= 1; the ownership balanced is at this factor once
        the cluster (new node included) has more nodes than it.
    rng : numpy Generator, int seed or None
        Breaks exact ties between equally good candidates.

    Returns
    -------
    numpy.ndarray of uint64
        `num_tokens` distinct positions, none already on the ring, in the order
        chosen. Pass them to :meth:`HashRing.from_tokens`, or use
        :func:`add_allocated_node`.

    >>> ring = HashRing.from_tokens({"a": [0, 2**63]})
    >>> sorted(int(t) for t in allocate_tokens(ring, 2, 3, rng=0)) == [2**62, 3 * 2**62]
    True
    """
    t = check_int("num_tokens", num_tokens, 1)
    rf = check_int("replication_factor", replication_factor, 1)
    gen = as_rng(rng)
    n_after = len(ring.nodes) + 1
    new_owner = n_after - 1
    r = max(1, min(rf, n_after - 1))  # <= R nodes: every node stores everything
    target = r / n_after
    points, owners = ring.points, ring.point_owners
    chosen: list[int] = []
    for _ in range(t):
        counts = np.bincount(owners, minlength=n_after).astype(np.float64)
        counts[new_owner] = t
        after, token_cost = _candidates(points, owners, n_after, new_owner, r,
                                        target / counts[owners], target / t)
        cost = np.sum((after - target) ** 2, axis=1) + _TOKEN_WEIGHT * token_cost
        gaps = _gaps(points)
        cost[np.array(gaps) < 2] = np.inf          # no integer strictly inside the arc
        if not np.isfinite(cost).any():
            raise ValueError("ring has no arc left to split")
        best = np.flatnonzero(cost <= cost.min() + 1e-15)
        j = int(best[gen.integers(best.size)]) if best.size > 1 else int(best[0])
        token = (int(points[j - 1]) + gaps[j] // 2) % 2**64
        chosen.append(token)
        slot = int(np.searchsorted(points, np.uint64(token)))
        points = np.insert(points, slot, np.uint64(token))
        owners = np.insert(owners, slot, new_owner)
    return np.array(chosen, dtype=np.uint64)


def _gaps(points: NDArray[np.uint64]) -> list[int]:
    """Exact integer length of the arc ending at each point (Python ints)."""
    p = [int(x) for x in points]
    return [(p[i] - p[i - 1]) % 2**64 or 2**64 for i in range(len(p))]


def grow_allocated(nodes: Sequence[NodeLabel], num_tokens: int,
                   replication_factor: int, *, rng: RNGLike = None) -> list[HashRing]:
    """Grow a cluster one node at a time with allocated tokens.

    The first node gets `num_tokens` evenly spaced tokens from a random offset;
    each later node gets :func:`allocate_tokens`. Returns the ring after each
    join: element ``i`` holds ``nodes[:i + 1]``.

    >>> rings = grow_allocated(["a", "b", "c", "d"], 4, 3, rng=1)
    >>> [len(r.nodes) for r in rings], rings[-1].points.size
    ([1, 2, 3, 4], 16)
    """
    labels = check_nodes(nodes)
    t = check_int("num_tokens", num_tokens, 1)
    rf = check_int("replication_factor", replication_factor, 1)
    gen = as_rng(rng)
    offset = int(gen.integers(2**63)) * 2
    first = [(offset + (i * 2**64) // t) % 2**64 for i in range(t)]
    rings = [HashRing.from_tokens({labels[0]: first}, vnodes=t)]
    for node in labels[1:]:
        rings.append(add_allocated_node(rings[-1], node, rf, t, rng=gen))
    return rings


def add_allocated_node(ring: HashRing, node: NodeLabel, replication_factor: int,
                       num_tokens: int | None = None,
                       rng: RNGLike = None) -> HashRing:
    """A new ring: `ring` with `node` added on tokens chosen to balance replicated
    ownership (:func:`allocate_tokens`).

    `num_tokens` defaults to the ring's :attr:`~HashRing.vnodes`; `rng` only
    breaks exact ties.
    """
    nodes = check_nodes((*ring.nodes, node))
    n = ring.vnodes if num_tokens is None else check_int("num_tokens",
                                                           num_tokens, 1)
    tokens = allocate_tokens(ring, n, replication_factor, rng=rng)
    return ring._with_node(nodes[-1], n / ring.vnodes, tokens)
