"""Hidden checks for Chapter 2 (trusted; not in the student release, shown on
Gradescope after publication): the analysis questions, whose feedback must
not hand over the answer.
"""

from dsscale.grading import assert_close, assert_equal, check
from dsscale.quorum import quorum_availability
from dsscale.replication import VersionVector


@check("ex03_version_vectors", points=2,
       name="analysis: which conflict resolutions lose a write")
def _(ex):
    # last writer wins keeps one of the two timestamps; both writes carry
    # counter 1 (each read v0), a tie broken by the clock; only vectors see
    # the two writes as concurrent, {Sx: 1} against {Sy: 1}:
    concurrent = VersionVector.of({"Sx": 1}).compare(VersionVector.of({"Sy": 1}))
    assert concurrent.value == "concurrent"
    got = ex.analysis_lost_writes()
    if isinstance(got, list | tuple | frozenset):
        got = set(got)
    assert_equal(got, {"lww", "counter"}, "analysis_lost_writes()", reveal=False)


@check("ex05_quorum_design", points=1,
       name="analysis: the unavailability floor of never reading stale data")
def _(ex):
    # R + W > 5 puts a majority (3) on one side; R = W = 3 reaches that floor:
    # P(at least 3 of 5 down) at p = 0.02, read from dsscale.quorum as the
    # availability of "3 down" with up and down swapped (= 7.7625e-5)
    want = quorum_availability(5, 3, 0.98)
    assert abs(want - 7.76e-5) < 1e-7
    assert_close(ex.analysis_majority_floor(), want, "analysis_majority_floor()",
                 rtol=1e-3, reveal=False)
