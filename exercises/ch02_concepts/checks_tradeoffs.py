"""Checks for Chapter 2's trade-offs exercise (trusted code: students do not edit
this).

Expected values are worked out by hand in the comments, with the availability
and staleness cross-checked against `dsscale.quorum` and the latency against
`dsscale.capacity.quorum_latency`, independent references; never by calling the
function under test a second time. p = 0.01 throughout unless stated, q = 1 - p.
"""

from dsscale.capacity import quorum_latency
from dsscale.grading import assert_close, assert_equal, assert_raises, check, forbid
from dsscale.quorum import pbs_stale_probability, quorum_availability

forbid("ex05_quorum_design", "dsscale.capacity",
       reason="this exercise asks you to compute the latency and search the "
              "designs yourself; dsscale.capacity is what the checks compare "
              "yours with.")

KEYS = ["read_latency", "read_unavailability", "stale_probability",
        "write_latency", "write_unavailability"]


def _unavailable(n, k, p):
    """Reference: P(at least n - k + 1 of n down), by dsscale.quorum."""
    return quorum_availability(n, n - k + 1, 1 - p)


def _metrics(ex, args, kwargs=None):
    kwargs = kwargs or {}
    got = ex.design_metrics(*args, **kwargs)
    shown = f"design_metrics{args}" + (f" with {kwargs}" if kwargs else "")
    if not isinstance(got, dict):
        raise AssertionError(f"{shown} should return a dict, got "  # noqa: TRY004
                             f"{type(got).__name__}: {got!r}")
    assert_equal(sorted(got), KEYS, f"the keys of {shown}")
    return got, shown


@check("ex05_quorum_design", points=2, name="design_metrics at known points")
def _(ex):
    cases = [
        # N=3, R=W=2: fewer than 2 up = at least 2 down: 3 p^2 q + p^3 = 2.98e-4;
        # R + W > N: never stale; 2nd of 3 answers: 1/3 + 1/2 = 5/6
        ((3, 2, 2, 0.01), {}, (2.98e-4, 2.98e-4, 0.0, 5 / 6, 5 / 6)),
        # N=5, R=1, W=3, p = 0.1, m = 2: read fails iff all 5 down: 1e-5; write
        # iff >= 3 down: 10(.001)(.81) + 5(1e-4)(.9) + 1e-5 = 0.00856;
        # stale C(2,1)/C(5,1) = 0.4; waits 2/5 and 2(1/5 + 1/4 + 1/3)
        ((5, 1, 3, 0.1), {"replica_latency": 2.0},
         (1e-5, 0.00856, 0.4, 0.4, 2 * (1 / 5 + 1 / 4 + 1 / 3))),
        # N=4, R=W=2, p = 0: always available; stale C(2,2)/C(4,2) = 1/6;
        # 2nd of 4: 1/4 + 1/3
        ((4, 2, 2, 0.0), {}, (0.0, 0.0, 1 / 6, 7 / 12, 7 / 12)),
        # N=1, everything down: both fail surely; one replica, never stale
        ((1, 1, 1, 1.0), {}, (1.0, 1.0, 0.0, 1.0, 1.0)),
        # N=3, R=1, W=3, m = 0.5: read fails iff all down (1e-6), write iff any
        # (1 - q^3 = 0.029701); waits 0.5/3 and 0.5 (1/3 + 1/2 + 1)
        ((3, 1, 3, 0.01), {"replica_latency": 0.5},
         (1e-6, 0.029701, 0.0, 0.5 / 3, 0.5 * 11 / 6)),
    ]
    for args, kwargs, (r_un, w_un, stale, r_lat, w_lat) in cases:
        n, r, w, p = args
        m = kwargs.get("replica_latency", 1.0)
        # the hand values agree with the library's
        assert abs(r_un - _unavailable(n, r, p)) < 1e-12 + 1e-9 * r_un
        assert abs(w_un - _unavailable(n, w, p)) < 1e-12 + 1e-9 * w_un
        assert abs(stale - pbs_stale_probability(n, r, w)) < 1e-12
        assert abs(r_lat - quorum_latency(n, r, m)) < 1e-12
        got, shown = _metrics(ex, args, kwargs)
        for key, want in (("read_unavailability", r_un), ("write_unavailability", w_un),
                          ("stale_probability", stale), ("read_latency", r_lat),
                          ("write_latency", w_lat)):
            assert_close(got[key], want, f"{shown}[{key!r}]", rtol=1e-6)


@check("ex05_quorum_design", points=1, name="design_metrics rejects bad designs")
def _(ex):
    bad = [((0, 1, 1, 0.1), "replication_factor"), ((3, 4, 1, 0.1), "read_quorum"),
           ((3, 1, 0, 0.1), "write_quorum"), ((3, 2, 2, 1.5), "failure_probability"),
           ((3, 2, 2, -0.1), "failure_probability")]
    for args, word in bad:
        assert_raises(ValueError, ex.design_metrics, *args,
                      what=f"design_metrics{args}", mentions=word)
    assert_raises(ValueError, ex.design_metrics, 3, 2, 2, 0.1, 0.0,
                  what="design_metrics(3, 2, 2, 0.1, replica_latency=0.0)",
                  mentions="replica_latency")


@check("ex05_quorum_design", points=3, name="cheapest_design meets the targets")
def _(ex):
    # Unavailabilities at p = 0.01 (fewer than k of n up):
    #   n=1: k=1 1e-2;  n=2: k=1 1e-4, k=2 1.99e-2;
    #   n=3: k=1 1e-6, k=2 2.98e-4, k=3 2.97e-2;
    #   n=4: k=2 3.97e-6, k=3 5.9e-4;  n=5: k=3 9.85e-6, k=4 9.8e-4.
    # Waits (m = 1): n=2: 1/2, 1.5; n=3: 1/3, 5/6, 11/6; n=4: 1/4, 7/12, 13/12;
    #   n=5: 1/5, 9/20, 47/60, 77/60.
    cases = [
        # no staleness, 1e-3: n=2 strict needs W or R = 2 (1.99e-2); n=3 (2,2)
        ((0.01, 1e-3, 0.0, 1.0), {}, (3, 2, 2)),
        # no staleness, 1e-5: n=3 needs a majority (2.98e-4); n=4 strict needs a
        # 3 somewhere (5.9e-4); n=5 R=W=3 (9.85e-6), waits 47/60 <= 1
        ((0.01, 1e-5, 0.0, 1.0), {}, (5, 3, 3)),
        # staleness up to 0.2 at 1e-5: n=3 only k=1 is available enough, and
        # (1,1) is stale 2/3; n=4 k <= 2: (1,1) 3/4, (1,2) and (2,1) 1/2,
        # (2,2) 1/6: an even N wins once staleness is allowed
        ((0.01, 1e-5, 0.2, 1.0), {}, (4, 2, 2)),
        # staleness up to 0.7, fast: n=1 fails availability; n=2 (1,1): 1e-4,
        # stale 1/2, wait 1/2 <= 0.6
        ((0.01, 1e-3, 0.7, 0.6), {}, (2, 1, 1)),
        # nothing strict reaches 1e-9 with at most 9 replicas (n=9, R=W=5:
        # about C(9,5) p^5 = 1.26e-8)
        ((0.01, 1e-9, 0.0, 10.0), {}, None),
        # ... and a mean-latency cap below every n=3 option with 2 answers:
        # n=3 strict needs a 2 (5/6 > 0.8); n=5 (3,3) waits 47/60 = 0.783
        ((0.01, 1e-3, 0.0, 0.8), {}, (5, 3, 3)),
    ]
    for args, kwargs, want in cases:
        shown = f"cheapest_design{args}"
        got = ex.cheapest_design(*args, **kwargs)
        if want is None:
            assert_equal(got, None, shown)
        else:
            assert_equal(got, want, shown)


@check("ex05_quorum_design", points=2,
       name="cheapest_design: read_fraction weighs latency, ties keep the smaller R")
def _(ex):
    # n=3, staleness up to 0.4, 1e-3: (1,1) is stale 2/3; (1,2) and (2,1) are
    # stale 1/3 with waits {1/3, 5/6}; (2,2) waits 5/6 on both; n=2 fails
    # ((1,1) stale 1/2, anything with a 2 is unavailable 1.99e-2)
    base = (0.01, 1e-3, 0.4, 1.0)
    # f = 0.5: (1,2) and (2,1) both cost 7/12: the tie keeps R = 1
    assert_equal(ex.cheapest_design(*base, read_fraction=0.5), (3, 1, 2),
                 f"cheapest_design{base} with read_fraction=0.5")
    # f = 0.9: (1,2) costs 0.9/3 + 0.1 * 5/6 = 0.383, (2,1) 0.783
    assert_equal(ex.cheapest_design(*base, read_fraction=0.9), (3, 1, 2),
                 f"cheapest_design{base} with read_fraction=0.9")
    # f = 0.1: writes dominate, (2,1) costs 0.1 * 5/6 + 0.9/3 = 0.383
    assert_equal(ex.cheapest_design(*base, read_fraction=0.1), (3, 2, 1),
                 f"cheapest_design{base} with read_fraction=0.1")
    # the same targets in units of m = 3 need a latency cap three times as large
    assert_equal(ex.cheapest_design(0.01, 1e-3, 0.4, 3.0, read_fraction=0.1,
                                    replica_latency=3.0), (3, 2, 1),
                 "cheapest_design(0.01, 1e-3, 0.4, 3.0, read_fraction=0.1, "
                 "replica_latency=3.0)")
    # max_replicas = 2 excludes every n=3 design
    assert_equal(ex.cheapest_design(*base, max_replicas=2), None,
                 f"cheapest_design{base} with max_replicas=2")


@check("ex05_quorum_design", points=1, name="cheapest_design rejects bad options")
def _(ex):
    # keyword-only options: called through a lambda
    assert_raises(ValueError,
                  lambda: ex.cheapest_design(0.01, 1e-3, 0.0, 1.0, read_fraction=1.5),
                  what="cheapest_design(..., read_fraction=1.5)",
                  mentions="read_fraction")
    assert_raises(ValueError,
                  lambda: ex.cheapest_design(0.01, 1e-3, 0.0, 1.0, max_replicas=0),
                  what="cheapest_design(..., max_replicas=0)", mentions="max_replicas")
    assert_raises(ValueError, ex.cheapest_design, 2.0, 1e-3, 0.0, 1.0,
                  what="cheapest_design(2.0, ...)", mentions="failure_probability")
