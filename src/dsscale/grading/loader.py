"""Load a chapter's trusted checks into the judge's process.

Checks come from a chapter folder of the installed exercises (or of an
instructor's directory), never from the folder being graded. Each
``checks*.py`` is imported under a private name (``_dsscale_checks_<chapter>_
<stem>``) that the child reuses when it runs one of their procedures or
rebuilds one of their classes; files named ``checks_hidden*.py`` register
hidden checks, and their source is never sent to the child (it could read
the answers in it), so procedures belong in visible files. A chapter is
loaded once per process (again only if a file changed).
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dsscale.grading.checks import (
    Check,
    Forbidden,
    _loading_hidden,
    clear_registry,
    forbidden_for,
    registered_checks,
)


@dataclass
class ChapterChecks:
    """Every check of one chapter, by exercise, and their sources."""

    chapter: str
    checks: dict[str, list[Check]] = field(default_factory=dict)
    forbidden: dict[str, Forbidden] = field(default_factory=dict)
    sources: list[dict[str, str]] = field(default_factory=list)

    def uses_ray(self, exercise: str) -> bool:
        return any(c.uses_ray for c in self.checks[exercise])


_CACHE: dict[Path, tuple[tuple[tuple[str, int], ...], ChapterChecks]] = {}


def module_name(chapter_dir: Path, path: Path) -> str:
    return f"_dsscale_checks_{chapter_dir.name}_{path.stem}"


def check_files(chapter_dir: Path) -> list[Path]:
    """The chapter's checks files, hidden ones last (their checks run last)."""
    return sorted(chapter_dir.glob("checks*.py"),
                  key=lambda p: (p.stem.startswith("checks_hidden"), p.name))


def load_checks(chapter_dir: Path) -> ChapterChecks:
    """Import a chapter's ``checks*.py`` (cached) and collect what they register."""
    chapter_dir = chapter_dir.resolve()
    files = check_files(chapter_dir)
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in files)
    cached = _CACHE.get(chapter_dir)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    loaded = ChapterChecks(chapter_dir.name)
    clear_registry()
    try:
        for path in files:
            name = module_name(chapter_dir, path)
            _loading_hidden[0] = path.stem.startswith("checks_hidden")
            if not _loading_hidden[0]:  # hidden checks never reach the child
                loaded.sources.append({"name": name, "filename": path.name,
                                       "source": path.read_text(encoding="utf-8")})
            _import(path, name)
        for c in registered_checks():
            loaded.checks.setdefault(c.exercise, []).append(c)
        for exercise in loaded.checks:
            rule = forbidden_for(exercise)
            if rule is not None:
                loaded.forbidden[exercise] = rule
    finally:
        _loading_hidden[0] = False
        clear_registry()
    _CACHE[chapter_dir] = (stamp, loaded)
    return loaded


def _import(path: Path, name: str) -> None:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
