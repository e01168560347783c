"""Graded exercises: a judge, a sandbox, checks and the ``dsscale grade`` command.

A chapter's folder in ``exercises/`` holds the student files (``exNN_*.py``)
and trusted ``checks*.py`` files that register checks with :func:`check`::

    @check("ex01_amdahl", points=2, name="known values")
    def _(ex):                # ex: the student's module, running in a sandbox
        assert_close(ex.amdahl_speedup(0.5, 2), 4 / 3, "amdahl_speedup(0.5, 2)")

The checks run in the judge's process; the student's file runs in a
sandboxed child (:mod:`dsscale.grading.sandbox`) that only answers with plain
data (:mod:`dsscale.grading.codec`). See ``exercises/README.md`` for the
check author's guide.
"""

from dsscale.grading.checks import (
    Check,
    assert_close,
    assert_equal,
    assert_raised,
    assert_raises,
    captured,
    check,
    forbid,
    procedure,
    registered_checks,
    same,
)
from dsscale.grading.remote import RemoteObject, StudentError

__all__ = ["Check", "RemoteObject", "StudentError", "assert_close", "assert_equal",
           "assert_raised", "assert_raises", "captured", "check", "forbid",
           "procedure", "registered_checks", "same"]
