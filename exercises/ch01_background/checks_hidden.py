"""Hidden checks for Chapter 1 (trusted; not in the student release, shown on
Gradescope after publication): the analysis question, whose feedback must
not hand over the answer.
"""

import math

from dsscale.grading import assert_equal, check
from dsscale.queueing import mm1_response_quantile


@check("ex04_littles_law", points=2, name="analysis: servers for a p99 under 20 ms")
def _(ex):
    # each server: lambda = 900 / N, mu = 500; p99 = ln(100) / (mu - lambda),
    # below 0.02 s iff 900 / N < 500 - 50 ln(100) = 269.74, i.e. N > 3.34
    want = next(n for n in range(1, 100) if 900 / n < 500
                and mm1_response_quantile(900 / n, 500.0, 0.99) < 0.020)
    assert want == 4 and math.isclose(500 - 50 * math.log(100), 269.74, abs_tol=0.01)
    assert_equal(ex.analysis_servers_for_p99(), want, "analysis_servers_for_p99()",
                 reveal=False)
