"""Fast static checks of the chapters' sources, ahead of the full book build.

Every ``{literalinclude}`` names a file and, with ``:pyobject:``, an object
that exists in it; every ``{doc}`` link points at a page of the table of
contents. The full build (``test_book.py``) would catch both too, minutes
later; these run in a second and name the line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "book").rglob("*.md"))
INCLUDE = re.compile(r"```\{literalinclude\}\s+(\S+)\s*\n((?::[^\n]*\n)*)")


def _toc_files() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {toc["root"]}

    def walk(entries: list[dict[str, object]] | None) -> None:
        for e in entries or []:
            if "file" in e:
                files.add(str(e["file"]))
            walk(e.get("sections"))  # type: ignore[arg-type]
            walk(e.get("chapters"))  # type: ignore[arg-type]

    walk(toc.get("parts"))
    return files


def _objects(path: Path) -> set[str]:
    """Dotted names of the classes, functions and methods defined in ``path``."""
    names: set[str] = set()

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(prefix + child.name)
                visit(child, prefix + child.name + ".")

    visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_literalincludes_name_existing_files_and_objects(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for match in INCLUDE.finditer(text):
        target = (page.parent / match.group(1)).resolve()
        line = text[:match.start()].count("\n") + 1
        assert target.exists(), f"{page.name}:{line}: no file {match.group(1)}"
        options = dict(re.findall(r":(\w+):\s*(.*)", match.group(2)))
        if "pyobject" in options and target.suffix == ".py":
            assert options["pyobject"].strip() in _objects(target), (
                f"{page.name}:{line}: {match.group(1)} has no {options['pyobject']}")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_doc_links_point_at_pages_in_the_toc(page: Path) -> None:
    toc = _toc_files()
    text = page.read_text(encoding="utf-8")
    for match in re.finditer(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", text):
        target = (page.parent / match.group(1)).resolve().relative_to(ROOT)
        line = text[:match.start()].count("\n") + 1
        assert str(target) in toc, f"{page.name}:{line}: {{doc}} to {target}"


def test_references_parse_and_every_citation_has_an_entry() -> None:
    from pybtex.database import parse_file

    bib = ROOT / "book" / "references.bib"
    text = bib.read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,]+),", text, flags=re.M)
    assert len(keys) == len(set(keys)), "duplicate BibTeX keys"
    entries = parse_file(str(bib)).entries  # a syntax error raises here
    assert set(entries) == set(keys)
    missing = set()
    for page in PAGES:
        for group in re.findall(r"\{cite[pt]?\}`([^`]+)`", page.read_text("utf-8")):
            missing |= {k.strip() for k in group.split(",")} - set(keys)
    assert missing == set(), f"cited but not in references.bib: {sorted(missing)}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_exercise_in_the_text_has_a_solution(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    posed = re.findall(r"```\{exercise\}[^\n]*\n:label: (\S+)", text)
    solved = set(re.findall(r"```\{solution\} (\S+)", text))
    assert [label for label in posed if label not in solved] == []


CHAPTER_INDEXES = sorted((ROOT / "book").glob("ch0*/index.md"))


@pytest.mark.parametrize("index", CHAPTER_INDEXES, ids=lambda p: p.parent.name)
def test_chapter_index_lists_exactly_the_graded_exercises(index: Path) -> None:
    text = index.read_text(encoding="utf-8")
    folder = ROOT / "exercises" / index.parent.name
    existing = {p.stem for p in folder.glob("ex[0-9][0-9]_*.py")}
    named = set(re.findall(r"\b(ex\d\d_\w+?)(?:\.py)?\b", text))
    assert named <= existing, f"{index.parent.name} lists {sorted(named - existing)}"
    numbers = set(re.findall(r"\b(ex\d\d)", text))
    unlisted = {e for e in existing if e[:4] not in numbers}
    assert unlisted == set(), f"{index.parent.name} does not list {sorted(unlisted)}"


def _chapters() -> list[dict[str, object]]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [c for part in toc["parts"] for c in part["chapters"] if "sections" in c]


@pytest.mark.parametrize("chapter", _chapters(),
                         ids=lambda c: str(c["file"]).split("/")[1])
def test_chapter_index_links_every_section_it_has(chapter: dict[str, object]) -> None:
    """A chapter's introduction links each of its sections ({doc} or a {ref} to a
    label of that page), so a section cannot exist unannounced; the {doc} links
    test above makes sure it announces none that do not exist."""
    index = (ROOT / f"{chapter['file']}.md").read_text(encoding="utf-8")
    missing = []
    for section in chapter["sections"]:  # type: ignore[attr-defined]
        page = ROOT / f"{section['file']}.md"
        labels = set(LABEL.findall(page.read_text(encoding="utf-8")))
        doc = re.compile(r"\{doc\}`(?:[^`<]*<)?" + re.escape(page.stem) + r">?`")
        if not (doc.search(index) or any(re.search(r"\{(?:ref|numref)\}`(?:[^`<]*<)?"
                                                   + re.escape(label) + r">?`", index)
                                         for label in labels)):
            missing.append(page.stem)
    assert missing == [], f"{chapter['file']} does not link {missing}"


GLOSSARY = ROOT / "book" / "glossary.md"
LABEL = re.compile(r"^\(([^)\s]+)\)=\s*$", flags=re.M)
TERM_ROLE = re.compile(r"\{term\}`([^`]*)`")


def _glossary_entries() -> list[tuple[list[str], str]]:
    """``(terms, definition)`` for each entry of the page's ``{glossary}`` block."""
    text = GLOSSARY.read_text(encoding="utf-8")
    block = re.search(r"^```\{glossary\}\n(.*?)^```\s*$", text, flags=re.M | re.S)
    assert block, "book/glossary.md has no {glossary} block"
    entries: list[tuple[list[str], str]] = []
    terms: list[str] = []
    definition: list[str] = []
    for line in block.group(1).split("\n") + [""]:
        if not line.strip():
            if terms:
                entries.append((terms, " ".join(definition)))
            terms, definition = [], []
        elif line[0].isspace():
            definition.append(line.strip())
        else:
            assert not definition, f"glossary term {line!r} needs a blank line first"
            terms.append(line.strip())
    return entries


def _glossary_terms() -> set[str]:
    return {t.lower() for terms, _ in _glossary_entries() for t in terms}


def _role_target(role: str) -> str:
    """``text <Target>`` names Target; a bare role names its own text."""
    match = re.fullmatch(r"(?s).*<([^<>]+)>\s*", role)
    return (match.group(1) if match else role).strip()


def test_glossary_is_back_matter_before_the_references() -> None:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    back = [p for p in toc["parts"] if p.get("caption") == "Back matter"][0]
    files = [c["file"] for c in back["chapters"]]
    assert files.index("book/glossary") < files.index("book/references")


def test_glossary_terms_are_defined_once() -> None:
    names = [t.lower() for terms, _ in _glossary_entries() for t in terms]
    assert len(names) >= 70
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_every_glossary_entry_links_to_an_existing_section() -> None:
    labels = set()
    for page in PAGES:
        labels |= set(LABEL.findall(page.read_text(encoding="utf-8")))
    toc = _toc_files()
    for terms, definition in _glossary_entries():
        refs = re.findall(r"\{ref\}`(?:[^`<]*<)?([^`>]+)>?`", definition)
        docs = re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", definition)
        assert refs or docs, f"glossary entry {terms[0]!r} links to no section"
        assert [r for r in refs if r not in labels] == [], f"{terms[0]}: {refs}"
        for doc in docs:
            target = (GLOSSARY.parent / doc).resolve().relative_to(ROOT)
            assert str(target) in toc, f"{terms[0]}: {{doc}} to {target}"


def test_section_labels_are_unique() -> None:
    seen: dict[str, str] = {}
    for page in PAGES:
        for label in LABEL.findall(page.read_text(encoding="utf-8")):
            assert label not in seen, f"label {label} in {seen[label]} and {page.name}"
            seen[label] = page.name


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_term_roles_name_glossary_terms(page: Path) -> None:
    terms = _glossary_terms()  # Sphinx falls back to a case-insensitive match
    text = page.read_text(encoding="utf-8")
    for match in TERM_ROLE.finditer(text):
        line = text[:match.start()].count("\n") + 1
        target = _role_target(match.group(1))
        assert target.lower() in terms, f"{page.name}:{line}: no term {target!r}"


def test_every_glossary_entry_is_linked_from_the_text() -> None:
    used = {_role_target(role).lower() for page in PAGES
            for role in TERM_ROLE.findall(page.read_text(encoding="utf-8"))}
    unlinked = [terms[0] for terms, _ in _glossary_entries()
                if not {t.lower() for t in terms} & used]
    assert unlinked == []
