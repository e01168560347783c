r"""Drifting local clocks, and how long a leader's lease may safely last.

The simulator has one virtual clock, ``net.now``: real time. A real server
only has its own oscillator, which runs a little fast or slow. We model that
explicitly: server ``k`` has a *rate* :math:`r_k \in [1 - \rho, 1 + \rho]`,
fixed for the run, and measures durations on its local clock, so a local
duration :math:`\ell` takes :math:`\ell / r_k` of real time. :math:`\rho` is
the *drift bound*, the only thing about clocks the protocol may rely on.
Election timeouts, heartbeats and leases are all local durations.

**Leader leases** (Ongaro's thesis, Stanford 2014, section 6.4.1). A follower
that hears from the leader at real time :math:`t_h` refuses to vote for
anyone until its local clock has advanced by the minimum election timeout
:math:`E` (section 4.2.3), that is until real time

.. math:: t_h + E / r_f \;\ge\; t_h + \frac{E}{1 + \rho}.

A leader that sent a heartbeat at real time :math:`s \le t_h` and had it
acknowledged by a majority therefore knows that no other leader can be
elected before :math:`s + E / (1 + \rho)`: any new leader needs a vote from
that majority. The leader measures the lease on its own clock; a local
duration :math:`L` lasts at most :math:`L / (1 - \rho)` of real time, so the
lease is safe if :math:`L / (1 - \rho) \le E / (1 + \rho)`:

.. math:: L_{\max} = E \, \frac{1 - \rho}{1 + \rho} \;\approx\; E\,(1 - 2\rho).

A lease of :math:`E` (ignoring drift) is unsafe as soon as the leader's clock
is slow and a follower's fast: the old leader still answers reads from its
state after a new leader has committed a write. The fault campaign catches
exactly that (``raft-lease-no-drift``).

The rates of a deployment are drawn from a seed (:func:`clock_rates`), so a
run replays exactly.
"""

from __future__ import annotations

from dsscale._validate import RNGLike, as_rng, check_float, check_int

__all__ = ["clock_rates", "lease_duration"]


def lease_duration(election_timeout: float, drift_bound: float) -> float:
    r"""The longest safe lease, in the leader's local time units.

    .. math:: L_{\max} = E \, \frac{1 - \rho}{1 + \rho}

    Parameters
    ----------
    election_timeout : float
        :math:`E`, the *minimum* election timeout (local time units, > 0).
    drift_bound : float
        :math:`\rho \in [0, 1)`: every clock runs at a rate within
        :math:`[1 - \rho, 1 + \rho]` of real time.

    References: D. Ongaro, "Consensus: Bridging Theory and Practice", PhD
    thesis, Stanford University, 2014, section 6.4.1.

    Examples
    --------
    >>> lease_duration(10.0, 0.0)
    10.0
    >>> round(lease_duration(10.0, 0.2), 4)
    6.6667
    """
    e = check_float("election_timeout", election_timeout, 0.0, strict_min=True)
    rho = check_float("drift_bound", drift_bound, 0.0, 1.0, strict_max=True)
    return e * (1.0 - rho) / (1.0 + rho)


def clock_rates(num_nodes: int, drift_bound: float, rng: RNGLike = None
                ) -> tuple[float, ...]:
    r"""Draw each node's clock rate uniformly from :math:`[1 - \rho, 1 + \rho]`.

    Examples
    --------
    >>> rates = clock_rates(3, 0.1, rng=1)
    >>> len(rates), all(0.9 <= r <= 1.1 for r in rates)
    (3, True)
    >>> clock_rates(2, 0.0, rng=1)
    (1.0, 1.0)
    """
    n = check_int("num_nodes", num_nodes, 0)
    rho = check_float("drift_bound", drift_bound, 0.0, 1.0, strict_max=True)
    gen = as_rng(rng)
    return tuple(float(r) for r in gen.uniform(1.0 - rho, 1.0 + rho, size=n))
