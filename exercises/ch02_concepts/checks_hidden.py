"""Hidden checks for Chapter 2 (trusted; not in the student release, shown on
Gradescope after publication): the analysis question, whose feedback must
not hand over the answer.
"""

from dsscale.grading import assert_equal, check
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
