"""The rules every quorum-replicated register here shares, wherever it runs.

ABD (:mod:`~dsscale.replication.abd`), the Dynamo-style store on the simulator
(:mod:`~dsscale.replication.quorum_store`) and the key-value store on Ray
actors (:mod:`dsscale.parallel.kvstore`) are one protocol at three scales. They
share, from this module:

* the **version** of a value, a *tag* ``(counter, writer)`` compared
  lexicographically; the writer id makes two writers' tags differ even when
  they chose the same counter, so a tag names exactly one write as long as
  each writer id is used for one write per counter (Lynch and Shvartsman,
  FTCS 1997);
* the **quorum configuration** :class:`QuorumConfig` (N, R, W, validated once);
* the **replica's rule**: keep a value only if its tag is larger
  (:func:`store_if_newer`), which makes every store idempotent, so
  retransmissions and duplicates are harmless;
* the **writer's rule**: a new tag is the largest counter a read quorum
  reported, plus one (:func:`next_tag`);
* the **reader's rules**: return the value with the largest tag
  (:func:`freshest`); the replicas that answered with a smaller tag are the ones
  read repair updates (:func:`behind`). Repair that finishes before the read
  returns (a *write-back* to a write quorum) makes reads linearizable; repair
  sent and forgotten does not (see :mod:`~dsscale.replication.quorum_store`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from dsscale._validate import check_quorums

__all__ = ["ZERO", "QuorumConfig", "Tag", "as_tag", "behind", "freshest", "next_tag",
           "store_if_newer"]

Tag = tuple[int, str]
"""``(counter, writer id)``, compared lexicographically."""
ZERO: Tag = (0, "")
"""The tag of a key never written; smaller than every write's tag."""

K = TypeVar("K")


@dataclass(frozen=True)
class QuorumConfig:
    """N, R, W and the repair/sloppiness options of a quorum store."""

    replication_factor: int = 3
    read_quorum: int = 2
    write_quorum: int = 2
    sync_read_repair: bool = True
    sloppy: bool = False

    def __post_init__(self) -> None:
        check_quorums(self.replication_factor, self.read_quorum, self.write_quorum)

    @property
    def intersecting(self) -> bool:
        """R + W > N: every read quorum meets every write quorum (strict only)."""
        return self.read_quorum + self.write_quorum > self.replication_factor


def as_tag(tag: Any) -> Tag:
    """A tag as a tuple (a serialiser may have turned it into a list)."""
    return (int(tag[0]), str(tag[1]))


def store_if_newer(data: dict[K, tuple[Tag, Any]], key: K, tag: Tag,
                   value: Any) -> bool:
    """Keep ``(tag, value)`` for ``key`` if ``tag`` beats the stored one.

    >>> data = {}
    >>> store_if_newer(data, "x", (1, "a"), "v")
    True
    >>> store_if_newer(data, "x", (1, "a"), "v")  # a duplicate: no change
    False
    """
    if tag > data.get(key, (ZERO, None))[0]:
        data[key] = (tag, value)
        return True
    return False


def next_tag(seen: Iterable[Tag], writer: str) -> Tag:
    """The tag of a new write: one more than the largest counter seen.

    >>> next_tag([(3, "b"), (5, "a")], "c")
    (6, 'c')
    """
    return (max((tag[0] for tag in seen), default=0) + 1, writer)


def freshest(replies: Iterable[tuple[Tag, Any]]) -> tuple[Tag, Any]:
    """The ``(tag, value)`` with the largest tag among a read quorum's replies."""
    return max(replies, key=lambda pair: pair[0], default=(ZERO, None))


def behind(tags: Mapping[K, Tag], tag: Tag) -> list[K]:
    """The replicas whose reported tag is older than ``tag``: read repair's targets.

    >>> behind({"r0": (2, "a"), "r1": (1, "b"), "r2": (2, "a")}, (2, "a"))
    ['r1']
    """
    return [replica for replica, seen in tags.items() if seen < tag]
