"""Hidden checks for Chapter 4 (trusted; not in the student release, shown on
Gradescope after publication): the analysis question, whose feedback must
not hand over the answer.
"""

from dsscale.grading import assert_close, check


def _cheapest(n, f):
    # the rule of the exercise, written out: least cost, then least W, then R
    pairs = [(r, w) for r in range(1, n + 1) for w in range(1, n + 1)
             if r + w > n and 2 * w > n]
    return min(pairs, key=lambda p: (f * p[0] + (1 - f) * p[1], p[1], p[0]))


@check("ex04_choose_quorums", points=2,
       name="analysis: the largest read fraction at which majorities win")
def _(ex):
    # (3, 3) costs 3, (2, 4) 4 - 2f and (1, 5) 5 - 4f: all tie at f = 1/2 and
    # the least W keeps (3, 3); a hair above, (1, 5) is cheaper
    assert _cheapest(5, 0.5) == (3, 3) and _cheapest(5, 0.5 + 1e-9) == (1, 5)
    assert_close(ex.analysis_majorities_read_fraction(), 0.5,
                 "analysis_majorities_read_fraction()", rtol=0, atol=1e-6,
                 reveal=False)
