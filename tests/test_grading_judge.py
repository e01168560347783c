"""The judge's parts: the plain-data codec, type-strict assertions, the
refusal of the library's own implementation, the check author's API across
the sandbox boundary, and what the sandbox enforces."""

from __future__ import annotations

import ast
import textwrap
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsscale.consistency import Operation
from dsscale.grading import assert_close, assert_equal, assert_raises, same
from dsscale.grading.checks import mentions
from dsscale.grading.codec import ProtocolError, decode, encode
from dsscale.grading.grader import grade
from dsscale.grading.imports import refused_use
from dsscale.grading.sandbox import detect_isolation

EXPORTED = []


def _export(obj):
    EXPORTED.append(obj)
    return {"$": "ref", "id": len(EXPORTED)}


def _round_trip(value, trusted=False):
    return decode(encode(value, _export), lambda tag: ("ref", tag["id"]),
                  trusted=trusted)


plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=5) | st.binary(max_size=5),
    lambda inner: (st.lists(inner, max_size=4)
                   | st.tuples(inner, inner)
                   | st.dictionaries(st.text(max_size=3) | st.integers(), inner,
                                     max_size=3)
                   | st.frozensets(st.integers() | st.text(max_size=3), max_size=3)),
    max_leaves=12)


@given(plain)
def test_plain_data_crosses_unchanged_and_type_strict(value):
    back = _round_trip(value)
    assert type(back) is type(value) and same(back, value)


def test_numpy_fractions_generators_and_package_dataclasses_cross():
    rng = np.random.default_rng(7)
    value = {"a": np.arange(6, dtype=np.uint64).reshape(2, 3),
             "s": np.float32(1.5), "f": Fraction(1, 3), "c": Counter("abca"),
             "r": range(2, 9, 3), "op": Operation("c0", ("put", "x", 1), 0.5, None,
                                                  float("inf"))}
    back = _round_trip(value)
    assert back["a"].dtype == np.uint64 and back["a"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert type(back["s"]) is np.float32 and back["f"] == Fraction(1, 3)
    assert back["c"] == Counter("abca") and back["r"] == range(2, 9, 3)
    assert back["op"] == value["op"]
    copy = _round_trip(rng)
    assert copy.integers(0, 10**9) == rng.integers(0, 10**9)


def test_objects_and_subclasses_stay_behind_as_references():
    class Sneaky(int):
        def __eq__(self, other):
            return True

    class Anything:
        def __eq__(self, other):
            return True

    EXPORTED.clear()
    for value in (Sneaky(3), Anything(), np.array([Anything()]), {"k": Anything()}):
        encode(value, _export)
    assert [type(v).__name__ for v in EXPORTED] == ["Sneaky", "Anything", "Anything",
                                                    "Anything"]


@pytest.mark.parametrize("bad", [
    {"$": "ndarray", "dtype": "O", "shape": [1], "data": [1]},
    {"$": "nope"},
    {"$": "dataclass", "type": "collections:OrderedDict", "fields": {}},
    {"$": "import", "module": "os", "name": "system"},
    {"$": "tuple", "items": "not a list"},
    {"$": "ndarray", "dtype": "<i8", "shape": [3], "data": [1, 2]},
    {"$": "Generator", "state": {"bit_generator": "Evil"}},
])
def test_malformed_or_dangerous_values_are_refused(bad):
    with pytest.raises(ProtocolError):
        decode(bad, lambda tag: None, trusted=False)


def test_type_strict_equality():
    assert same(np.int64(3), 3) and same(np.array([1, 2]), [1, 2])
    assert same({1, 2}, frozenset({2, 1}))
    for actual, expected in ((True, 1), (1, True), (2, 2.0), (2.0, 2), ((1,), [1]),
                             ([1], (1,)), ("1", 1), (None, 0), ({"a": 1}, {"a": 1.0})):
        assert not same(actual, expected), (actual, expected)
    with pytest.raises(AssertionError, match=r"should be 2 \(int\), got 2.0 \(float\)"):
        assert_equal(2.0, 2, "f()")
    with pytest.raises(AssertionError, match="is not the expected answer"):
        assert_equal(3, 4, "analysis()", reveal=False)


def test_assert_close_wants_numbers_and_can_hide_the_answer():
    for wrong in (True, "1.0", [1, "x"], object()):
        with pytest.raises(AssertionError, match="should be a number"):
            assert_close(wrong, 1.0, "f()")
    with pytest.raises(AssertionError) as info:
        assert_close(3.5, 3.31, "timeout()", reveal=False, atol=1e-3)
    assert "3.31" not in str(info.value) and "3.5" in str(info.value)


def test_mentions_is_a_whole_word():
    assert mentions("n must be >= 1, got 0", "n")
    assert mentions("k must be in 1..5", "k") and mentions("'n' is bad", "n")
    assert not mentions("wrong input", "n")
    assert not mentions("num_nodes must be >= 1", "n")
    with pytest.raises(AssertionError, match="should name 'n'"):
        assert_raises(ValueError, _raise, "wrong input", what="f(0)", mentions="n")


def _raise(message):
    raise ValueError(message)


FORBIDDEN = ("dsscale.partitioning.jump", "dsscale.replication.abd.ABDReplica.on_Store")


@pytest.mark.parametrize(("source", "found"), [
    ("from dsscale.partitioning import jump_hash", "imports dsscale.partitioning"),
    ("from dsscale.partitioning.jump import jump_hash", "imports"),
    ("import dsscale.partitioning.jump as j", "imports dsscale.partitioning.jump"),
    ("import dsscale.partitioning as p\nf = p.jump_hash", "uses dsscale.partitioning"),
    ("from dsscale.partitioning import *", "imports * from"),
    ("import dsscale.partitioning as p\nf = getattr(p, 'jump' + '_hash')", "getattr"),
    ("f = __import__('dsscale')", "uses __import__"),
    ("import importlib", "imports importlib"),
    ("import sys\nm = sys.modules", "uses sys.modules"),
    ("exec('x = 1')", "uses exec"),
    ("from dsscale.replication.abd import ABDReplica\n"
     "class R(ABDReplica):\n    def on_Store(self, src, msg):\n"
     "        super().on_Store(src, msg)", "calls super().on_Store"),
])
def test_the_librarys_own_implementation_is_refused(source, found):
    use = refused_use(ast.parse(source), FORBIDDEN)
    assert use is not None and found in use


@pytest.mark.parametrize("source", [
    "from dsscale.partitioning import stable_hash\nimport numpy as np",
    "import dsscale.partitioning as p\nh = p.stable_hash('k')",
    "if __name__ == '__main__':\n    from dsscale.partitioning import jump_hash",
])
def test_other_library_code_is_allowed(source):
    assert refused_use(ast.parse(source), FORBIDDEN) is None


STUDENT = '''
import os
import resource
import socket


class Box:
    def __init__(self, v):
        self.v = v

    def get(self):
        return self.v

    def __eq__(self, other):
        return True


def make(v):
    return Box(v)


def twice(fn, x):
    return fn(fn(x))


def grow(items):
    items.append(99)
    return len(items)


def fail(kind):
    raise {"value": ValueError, "type": TypeError}[kind]("n must be positive")


def first_term(entries):
    return entries[0].term, type(entries[0]).__name__


def swallow(fn):
    try:
        fn()
    except Exception:
        return "swallowed"
'''

CHECKS = '''
import os
import resource
import socket
from collections import namedtuple
from pathlib import Path

import dsscale
from dsscale.grading import RemoteObject, StudentError, check, procedure


@procedure
def facts(module):
    """Child: what the sandbox lets the student's process see and do."""
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1).close()
        network = "connected"
    except OSError as exc:
        network = type(exc).__name__
    repo = Path(dsscale.__file__).resolve().parents[2]
    return {"uid": os.getuid(), "pid": os.getpid(), "network": network,
            "sees_exercises": (repo / "exercises").exists(),
            "sees_tests": (repo / "tests").exists(),
            "address_space": resource.getrlimit(resource.RLIMIT_AS)[0],
            "files": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
            "module_is_real": type(module).__name__}


@check("ex01_probe", points=1, name="objects stay in the child")
def _(ex):
    box, other = ex.make(5), ex.make(5)
    assert isinstance(box, RemoteObject) and box.get() == 5
    assert box == box and box != other and box != 5  # not the student's __eq__


@check("ex01_probe", points=1, name="callbacks run in the judge")
def _(ex):
    calls = []

    def inc(x):
        calls.append(x)
        return x + 1

    assert ex.twice(inc, 1) == 3 and calls == [1, 2]


@check("ex01_probe", points=1, name="a failing callback fails the check")
def _(ex):
    def broken():
        raise AssertionError("the check's own assertion")

    try:
        ex.swallow(broken)
    except AssertionError as exc:
        assert "own assertion" in str(exc)
    else:
        raise RuntimeError("the swallowed assertion was lost")


@check("ex01_probe", points=1, name="arguments come back as the call left them")
def _(ex):
    items = [1, 2]
    got, (after,) = ex.grow.and_args(items)
    assert got == 3 and after == [1, 2, 99] and items == [1, 2]


@check("ex01_probe", points=1, name="student exceptions pose as built-ins")
def _(ex):
    try:
        ex.fail("value")
    except ValueError as exc:
        assert isinstance(exc, StudentError) and exc.is_a(ValueError)
        assert not exc.is_a(TypeError) and exc.line is not None
    else:
        raise RuntimeError("no exception")


@check("ex01_probe", points=1, name="procedures run on the real module")
def _(ex):
    seen = facts(ex)
    assert seen["module_is_real"] == "module"
    FACTS.update(seen)


E = namedtuple("E", "term value")


@check("ex01_probe", points=1, name="the checks' named tuples cross by value")
def _(ex):
    assert ex.first_term([E(3, "a"), E(4, "b")]) == (3, "E")


FACTS = {}
'''


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    root = tmp_path_factory.mktemp("judge")
    chapter = root / "exercises" / "ch09_probe"
    chapter.mkdir(parents=True)
    (chapter / "checks.py").write_text(textwrap.dedent(CHECKS))
    (chapter / "ex01_probe.py").write_text(textwrap.dedent(STUDENT))
    report = grade(root / "exercises", "ch09")
    import sys

    facts = sys.modules["_dsscale_checks_ch09_probe_checks"].FACTS
    return report, facts


def test_the_check_authors_api_across_the_boundary(probe):
    report, _ = probe
    [result] = report.results
    assert [(c.name, c.message) for c in result.checks if not c.earned] == []


@pytest.mark.skipif(not detect_isolation().namespaces,
                    reason="needs the namespace sandbox (root on Linux)")
def test_the_namespace_sandbox_confines_the_child(probe):
    _, facts = probe
    assert facts["uid"] == 65534  # nobody
    assert facts["pid"] == 2  # its own PID namespace, under the jail
    assert facts["network"] != "connected"  # no network, not even loopback
    assert not facts["sees_exercises"] and not facts["sees_tests"]
    assert facts["address_space"] == 3 << 30 and facts["files"] == 256


def test_missing_chapter_file_costs_only_that_exercise(tmp_path, probe):
    report = grade(Path(__file__).resolve().parents[1] / "exercises", "ch01",
                   submission=tmp_path, only="ex02_gustafson")
    [result] = report.results
    assert result.earned == 0 and "ex02_gustafson.py not found" in result.note
