"""Graded exercises: checks, a sandboxed runner and the ``dsscale grade`` command.

A chapter's folder in ``exercises/`` holds the student files (``exNN_*.py``) and
trusted ``checks*.py`` files that register checks with :func:`check`::

    @check("ex01_amdahl", points=2, name="known values")
    def _(ex):                       # ex is the student's imported module
        assert_close(ex.amdahl_speedup(0.5, 2), 4 / 3, "amdahl_speedup(0.5, 2)")

Each exercise is run in its own subprocess with a timeout (see
:mod:`dsscale.grading.runner`), so a student's crash or infinite loop costs only
that exercise's points.
"""

from dsscale.grading.checks import (
    Check,
    assert_close,
    assert_equal,
    assert_raises,
    check,
    registered_checks,
)

__all__ = ["Check", "assert_close", "assert_equal", "assert_raises", "check",
           "registered_checks"]
