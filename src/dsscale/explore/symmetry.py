"""Symmetry reduction: one representative per class of renamed states.

If renaming some nodes -- a permutation ``pi`` of interchangeable replicas,
say -- maps every transition ``s -> t`` to a transition ``pi(s) -> pi(t)``,
then ``s`` and ``pi(s)`` have the same future up to renaming, and a search
needs to visit only one of them (Ip and Dill, Formal Methods in System
Design 9, 1996). The explorer keys each state by the smallest fingerprint
over its orbit ``{pi(s) : pi in G}``, which is the same for every state of the
orbit; at best this divides the number of states by ``|G|``.

A permutation renames node ids wherever they occur: node positions, message
senders and receivers, and every string inside node states and messages that
equals a node id (or a client's process id ``c1'2``). Which nodes may be
permuted is a property of the protocol, and a wrong claim makes the search
unsound:

* the replicas of ABD and of the strict and partial quorum stores are
  interchangeable: clients treat them alike and only count answers;
* the replicas of primary-backup and chain replication are not (the first
  is the primary, or the head), nor are those of the sloppy store, whose
  ring makes some of them fallbacks;
* writers are *not* interchangeable in any of these protocols: tags
  ``(counter, writer id)`` break ties between concurrent writes by the
  writers' ids, so renaming two writers changes which write wins;
* readers with the same plan are interchangeable: their ids are only
  addresses.

:func:`symmetry_holds` tests the claim on sampled states.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from dsscale.explore.freeze import _DICT
from dsscale.explore.space import Space, State

__all__ = ["SYMMETRIC_REPLICAS", "canonical_key", "permute", "symmetric_groups",
           "symmetry_holds"]

#: Protocols whose replicas are interchangeable.
SYMMETRIC_REPLICAS = frozenset({"abd", "abd-no-writeback", "quorum", "quorum-partial"})

Permutation = tuple[int, ...]  # node index -> node index


def symmetric_groups(space: Space) -> list[tuple[int, ...]]:
    """Groups of interchangeable node indices: replicas (if the protocol's are)
    and readers with identical plans."""
    m = space.machine
    groups: list[tuple[int, ...]] = []
    if space.scope.name in SYMMETRIC_REPLICAS and len(space.crashable) > 1:
        groups.append(space.crashable)
    by_plan: dict[tuple[Any, ...], list[int]] = {}
    for cid, ops in space.scope.workload().items():
        if ops and all(op[0] == "get" for op in ops):
            by_plan.setdefault(tuple(ops), []).append(m.index[cid])
    groups += [tuple(g) for g in by_plan.values() if len(g) > 1]
    return groups


def _permutations(num_nodes: int, groups: Sequence[tuple[int, ...]]
                  ) -> list[Permutation]:
    """Every permutation of the nodes that permutes each group within itself."""
    perms = []
    for images in itertools.product(*(itertools.permutations(g) for g in groups)):
        pi = list(range(num_nodes))
        for group, image in zip(groups, images, strict=True):
            for a, b in zip(group, image, strict=True):
                pi[a] = b
        perms.append(tuple(pi))
    return perms


def _renamer(names: dict[str, str]) -> Callable[[Any], Any]:
    """A function renaming node ids (and process ids) inside any frozen value."""
    memo: dict[Any, Any] = {}

    def rename(value: Any) -> Any:
        cls = type(value)
        if cls is str:
            if value in names:
                return names[value]
            base, prime, rest = value.partition("'")
            return names[base] + prime + rest if prime and base in names else value
        if cls is tuple:
            if value and value[0] is _DICT:  # keep a frozen dict sorted by key
                items = [(rename(k), rename(v)) for k, v in value[1]]
                try:
                    items.sort(key=lambda kv: kv[0])
                except TypeError:
                    pass
                return (_DICT, tuple(items))
            return tuple(rename(v) for v in value)
        if cls is frozenset:
            return frozenset(rename(v) for v in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            try:
                cached = memo.get(value)
            except TypeError:
                cached = None
            if cached is None:
                changes = {f.name: rename(getattr(value, f.name))
                           for f in dataclasses.fields(value)}
                cached = dataclasses.replace(value, **changes)
                memo[value] = cached
            return cached
        return value  # numbers, None, tags, types

    return rename


def permute(space: Space, pi: Permutation) -> Callable[[State], State]:
    """The function ``s -> pi(s)`` on global states (memoised per snapshot)."""
    m, hist = space.machine, space.histories
    rename = _renamer({m.ids[i]: m.ids[j] for i, j in enumerate(pi) if i != j})
    inverse = [0] * len(pi)
    for i, j in enumerate(pi):
        inverse[j] = i
    snap_memo: dict[tuple[int, int], int] = {}
    env_memo: dict[int, int] = {}
    hist_memo: dict[int, int] = {}
    clients = sorted(hist.position, key=hist.position.__getitem__)

    def snap(i: int, s: int) -> int:
        got = snap_memo.get((i, s))
        if got is None:
            values, timers = m.snaps[s]
            new_timers = tuple(sorted(rename(timers),
                                      key=lambda ref: (ref[0], repr(ref[1]))))
            got = m._intern((rename(values), new_timers), m.snap_up[s], new_timers)
            snap_memo[(i, s)] = got
        return got

    def env(e: int) -> int:
        got = env_memo.get(e)
        if got is None:
            src, dst, msg = m.envs[e]
            got = env_memo[e] = m.envelope(pi[src], pi[dst], rename(msg))
        return got

    def history(h: int) -> int:
        got = hist_memo.get(h)
        if got is None:
            records, opened, block, last = hist.items[h]
            moved = tuple(rename(opened[hist.position[inverse[c]]]) for c in clients)
            got = hist._intern((tuple(sorted(rename(records), key=repr)), moved,
                                block, last))
            hist_memo[h] = got
        return got

    def apply(state: State) -> State:
        snaps, flight, h, budget, now = state
        return (tuple(snap(inverse[j], snaps[inverse[j]]) for j in range(len(pi))),
                tuple(sorted(env(e) for e in flight)), history(h), budget, now)

    return apply


def canonical_key(space: Space,
                  groups: Iterable[tuple[int, ...]] | None = None
                  ) -> Callable[[State], int]:
    """A fingerprint shared by the states of one symmetry class.

    Rather than trying all ``|G|`` permutations of a state, the key sorts the
    members of each group by their snapshot and renames them into that order;
    only members with equal snapshots (ties) are tried in every order, and
    the smallest fingerprint wins. Every candidate is a renaming of the
    state, so two states share a key only if they are symmetric (sound);
    states whose tied members differ only in what *other* nodes remember of
    them may keep distinct keys (a smaller reduction, never a wrong one).
    """
    groups = symmetric_groups(space) if groups is None else list(groups)
    groups = [tuple(g) for g in groups if len(g) > 1]
    if not groups:
        return hash
    size = len(space.machine.ids)
    identity = tuple(range(size))
    maps: dict[Permutation, Callable[[State], State]] = {}

    def renamed(state: State, pi: Permutation) -> int:
        if pi == identity:
            return hash(state)
        f = maps.get(pi)
        if f is None:
            f = maps[pi] = permute(space, pi)
        return hash(f(state))

    def key(state: State) -> int:
        snaps = state[0]
        choices: list[list[tuple[tuple[int, ...], tuple[int, ...]]]] = []
        for group in groups:
            order = sorted(group, key=snaps.__getitem__)
            blocks: list[list[int]] = []
            for i in order:
                if blocks and snaps[blocks[-1][0]] == snaps[i]:
                    blocks[-1].append(i)
                else:
                    blocks.append([i])
            orders = [tuple(itertools.chain.from_iterable(p)) for p in
                      itertools.product(*(itertools.permutations(b) for b in blocks))]
            choices.append([(tuple(o), group) for o in orders])
        best = None
        for combo in itertools.product(*choices):
            image = list(identity)
            for ordered, group in combo:
                for source, target in zip(ordered, group, strict=True):
                    image[source] = target
            fingerprint = renamed(state, tuple(image))
            if best is None or fingerprint < best:
                best = fingerprint
        assert best is not None
        return best

    return key


def symmetry_holds(space: Space, groups: Iterable[tuple[int, ...]],
                   states: Iterable[State]) -> bool:
    """Check that every permutation of ``groups`` commutes with the transitions.

    For each given state ``s`` and permutation ``pi``, the successors of
    ``pi(s)`` must be exactly ``pi`` of the successors of ``s``.
    """
    perms = _permutations(len(space.machine.ids), list(groups))
    for pi in perms:
        f = permute(space, pi)
        for state in states:
            ahead = {f(t) for _, t, _ in space.successors(state)}
            mirrored = {t for _, t, _ in space.successors(f(state))}
            if ahead != mirrored:
                return False
    return True
