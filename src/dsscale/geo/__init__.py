"""Geo-distribution: the fibre floor under a round trip, and what it costs a commit.

* :mod:`dsscale.geo.cities` — shipped city coordinates (GeoNames), great-circle
  distances and the round-trip floor of light in fibre;
* :mod:`dsscale.geo.latency` — commit latency of quorum replication for a
  placement, leader placement, flexible quorums, Spanner's commit wait;
* :mod:`dsscale.geo.replication` — Raft, and a leader that commits on any
  quorum (with an optional commit wait), run on :mod:`dsscale.sim` with those
  link delays.
"""

from dsscale.geo.cities import (
    CITIES,
    EARTH_RADIUS_KM,
    FIBRE_KM_PER_MS,
    great_circle_km,
    rtt_floor_ms,
    rtt_matrix_ms,
)
from dsscale.geo.latency import (
    best_leader,
    client_latency_ms,
    commit_latency_ms,
    commit_wait_ms,
    election_latency_ms,
    flexible_quorums,
    majority,
    spanner_commit_latency_ms,
    truetime_epsilon_ms,
)
from dsscale.geo.replication import ReplicationRun, simulate_raft, simulate_replication

__all__ = [
    "CITIES",
    "EARTH_RADIUS_KM",
    "FIBRE_KM_PER_MS",
    "ReplicationRun",
    "best_leader",
    "client_latency_ms",
    "commit_latency_ms",
    "commit_wait_ms",
    "election_latency_ms",
    "flexible_quorums",
    "great_circle_km",
    "majority",
    "rtt_floor_ms",
    "rtt_matrix_ms",
    "simulate_raft",
    "simulate_replication",
    "spanner_commit_latency_ms",
    "truetime_epsilon_ms",
]
