r"""SWIM's detection time, false positives and message load, in closed form.

Notation: :math:`n` members, protocol period :math:`T'`, :math:`k` indirect
probes, message loss :math:`\ell`, one-way delay :math:`d`. Every formula
assumes delays short enough that an ack is never late: a round trip fits in
the ping timeout and the four hops of an indirect probe in the rest of the
period. Reference: A. Das, I. Gupta, A. Motivala, "SWIM", DSN 2002.
"""

from __future__ import annotations

from dsscale._validate import check_float, check_int

__all__ = [
    "swim_detection_time",
    "swim_false_positive_probability",
    "swim_message_load",
    "swim_probe_periods",
]


def swim_probe_periods(num_members: int) -> float:
    r"""Expected periods until a crashed member is first probed, synchronous rounds.

    The paper's model: all members start their periods together and each
    probes one of the :math:`n - 1` others uniformly; the crashed member is
    missed by all :math:`n - 1` probers of a period with probability
    :math:`(1 - \tfrac{1}{n-1})^{n-1}`, so the number of periods is geometric:

    .. math::

        E = \frac{1}{1 - (1 - \frac{1}{n-1})^{n-1}}
        \;\xrightarrow[n\to\infty]{}\; \frac{e}{e - 1} \approx 1.582 .

    Examples
    --------
    >>> round(swim_probe_periods(10**6), 4)
    1.582
    """
    n = check_int("num_members", num_members, 3)
    return 1.0 / (1.0 - (1.0 - 1.0 / (n - 1)) ** (n - 1))


def swim_detection_time(num_members: int, period: float, delay: float = 0.0) -> float:
    r"""Expected time from a crash to its first detection, unsynchronised members.

    Each of the :math:`m = n - 1` survivors probes at its own phase, uniform
    in the period, a target chosen with probability :math:`p = 1/(n-1)`, and
    detects :math:`T'` after the probe starts. A probe counts if its ping
    arrives after the crash, i.e. starts after :math:`t_c - d`. With
    :math:`t = jT' + r`, one survivor misses the crashed member during
    :math:`t` with probability :math:`(1-p)^j(1 - p r/T')`; so

    .. math::

        E[T_D] = T' + T'\,\frac{1 - (1-p)^{m+1}}{p\,(m+1)\,\bigl(1 - (1-p)^m\bigr)}
                 - d
        \;\xrightarrow[n\to\infty]{}\; 2T' - d .

    Examples
    --------
    >>> round(swim_detection_time(10**6, 1.0), 4)
    2.0
    """
    n = check_int("num_members", num_members, 3)
    big_t = check_float("period", period, 0.0, strict_min=True)
    d = check_float("delay", delay, 0.0)
    m, p = n - 1, 1.0 / (n - 1)
    miss = 1.0 - p
    wait = big_t * (1 - miss ** (m + 1)) / (p * (m + 1) * (1 - miss**m))
    return big_t + wait - d


def swim_false_positive_probability(loss: float, indirect_probes: int) -> float:
    r"""Probability that one probe of a live member fails.

    The direct round trip fails with probability :math:`1 - (1-\ell)^2`; each
    indirect path needs four messages, so all :math:`k` fail with probability
    :math:`(1 - (1-\ell)^4)^k`:

    .. math::

        P_{\mathrm{fp}} = \bigl(1 - (1-\ell)^2\bigr)\bigl(1 - (1-\ell)^4\bigr)^k .

    Examples
    --------
    >>> round(swim_false_positive_probability(0.1, 3), 6)  # 0.19 * 0.3439**3
    0.007728
    """
    ell = check_float("loss", loss, 0.0, 1.0)
    k = check_int("indirect_probes", indirect_probes, 0)
    return (1 - (1 - ell) ** 2) * (1 - (1 - ell) ** 4) ** k


def swim_message_load(loss: float, indirect_probes: int) -> float:
    r"""Expected messages a member sends per period, all members alive.

    A member sends one ping per period and, since each member is probed once
    per period on average, one ack per ping it receives; a probe whose direct
    round trip fails adds :math:`k` ping-reqs, and each indirect path sends on
    only the messages that arrived:

    .. math::

        L = 1 + (1-\ell) + \bigl(1 - (1-\ell)^2\bigr)\,k\,
            \bigl(1 + (1-\ell) + (1-\ell)^2 + (1-\ell)^3\bigr),

    independent of :math:`n`; all-to-all heartbeating sends :math:`n - 1`.
    Membership updates ride on these messages and add none.

    Examples
    --------
    >>> swim_message_load(0.0, 3)
    2.0
    """
    ell = check_float("loss", loss, 0.0, 1.0)
    k = check_int("indirect_probes", indirect_probes, 0)
    s = 1 - ell
    return 1 + s + (1 - s * s) * k * (1 + s + s * s + s**3)
