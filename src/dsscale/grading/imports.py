"""Refuse "implement X" submissions that use the library's own X.

The judge reads the submission's syntax tree (it never runs it) and looks
for imports of the forbidden library names, attribute chains that reach them
from an imported module (``import dsscale.partitioning as p; p.jump_hash``),
``from ... import *`` of a module that holds them, and the dynamic escape
hatches (``__import__``, ``importlib``, ``exec``, ``eval``, ``compile``,
``sys.modules``, ``getattr`` on such a module), and ``super().m`` for a
forbidden method ``m``. Names are compared by what
they resolve to in the library, so a re-export counts as the original.
Code under ``if __name__ == "__main__":`` is not read: the grader never runs
it. The child adds an identity test at run time
(:class:`~dsscale.grading.remote.Submission`).
"""

from __future__ import annotations

import ast
import importlib
from types import ModuleType
from typing import Any

DYNAMIC = frozenset({"__import__", "exec", "eval", "compile"})


def _resolve(dotted: str) -> Any:
    """The library object a dotted path names, or None (only ``dsscale.*``)."""
    if not (dotted == "dsscale" or dotted.startswith("dsscale.")):
        return None
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj
    return None


class _Forbidden:
    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.objects = [o for o in (_resolve(n) for n in names) if o is not None]
        # methods: a subclass reaches them through super().name
        self.methods = {o.__name__ for o in self.objects
                        if callable(o) and "." in getattr(o, "__qualname__", "")}

    def hit(self, dotted: str) -> bool:
        if any(dotted == n or dotted.startswith(n + ".") for n in self.names):
            return True
        obj = _resolve(dotted)
        if obj is None:
            return False
        if any(obj is o for o in self.objects):
            return True
        if isinstance(obj, ModuleType):
            return self.hit_module(obj.__name__, exact=True)
        # a function or class re-exported from a forbidden module
        owner = getattr(obj, "__module__", None)
        return isinstance(owner, str) and self.hit_module(owner, exact=True)

    def hit_module(self, module: str, *, exact: bool = False) -> bool:
        """``module`` is forbidden (exact) or holds something forbidden."""
        if any(module == n or module.startswith(n + ".") for n in self.names):
            return True
        return not exact and any(n.startswith(module + ".") for n in self.names)


def refused_use(tree: ast.AST, names: tuple[str, ...]) -> str | None:
    """Describe the first forbidden use in ``tree`` (with its line), or None."""
    rules = _Forbidden(names)
    modules: dict[str, str] = {}  # local name -> dotted module or object it is
    graded = _without_main(tree)
    for node in graded:
        found = _imports(node, rules, modules)
        if found:
            return found
    for node in graded:
        found = _uses(node, rules, modules)
        if found:
            return found
    return None


def _is_main_guard(node: ast.AST) -> bool:
    """``if __name__ == "__main__":`` -- code the grader never runs."""
    test = getattr(node, "test", None)
    return (isinstance(node, ast.If) and isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def _without_main(tree: ast.AST) -> list[ast.AST]:
    """Every node except those of top-level ``__main__`` blocks (a try-it demo
    may compare with the library)."""
    body = getattr(tree, "body", [])
    kept = [n for n in body if not _is_main_guard(n)]
    return [node for top in kept for node in ast.walk(top)]


def _imports(node: ast.AST, rules: _Forbidden, modules: dict[str, str]) -> str | None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.split(".")[0] == "importlib":
                return f"imports importlib (line {node.lineno})"
            if rules.hit(alias.name):
                return f"imports {alias.name} (line {node.lineno})"
            local = alias.asname or alias.name.split(".")[0]
            modules[local] = alias.name if alias.asname else local
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module.split(".")[0] == "importlib":
            return f"imports from importlib (line {node.lineno})"
        for alias in node.names:
            origin = f"{node.module}.{alias.name}"
            if alias.name == "*" and rules.hit_module(node.module):
                return f"imports * from {node.module} (line {node.lineno})"
            if rules.hit(origin) or rules.hit(node.module):
                return f"imports {origin} (line {node.lineno})"
            modules[alias.asname or alias.name] = origin
    return None


def _dotted(node: ast.AST, modules: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return modules.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, modules)
        return f"{base}.{node.attr}" if base else None
    return None


def _uses(node: ast.AST, rules: _Forbidden, modules: dict[str, str]) -> str | None:
    line = getattr(node, "lineno", "?")
    if isinstance(node, ast.Name) and node.id in DYNAMIC:
        return f"uses {node.id} (line {line})"
    if isinstance(node, ast.Attribute):
        if (node.attr in rules.methods and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "super"):
            return f"calls super().{node.attr} (line {line})"
        dotted = _dotted(node, modules)
        if node.attr == "modules" and _dotted(node.value, modules) == "sys":
            return f"uses sys.modules (line {line})"
        if dotted and rules.hit(dotted):
            return f"uses {dotted} (line {line})"
        base = _dotted(node.value, modules)
        if node.attr == "__dict__" and base and rules.hit_module(base):
            return f"uses {base}.__dict__ (line {line})"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in ("getattr", "vars") and node.args:
        base = _dotted(node.args[0], modules)
        if base and rules.hit_module(base):
            return f"uses {node.func.id}({base}, ...) (line {line})"
    return None
