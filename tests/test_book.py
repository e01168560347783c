"""The book builds with -W, executes every chapter, and is readable offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.book, pytest.mark.slow]


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                files.append(e["file"])
            walk(e.get("sections"))
            walk(e.get("chapters"))

    walk(toc.get("parts"))
    return files


TOC = _toc_files()
CHAPTER_INDEXES = [f for f in TOC if f.endswith("/index")]


def test_toc_has_the_six_chapters():
    assert [Path(f).parent.name[:4] for f in CHAPTER_INDEXES] == [
        "ch01", "ch02", "ch03", "ch04", "ch05", "ch06"]


@pytest.mark.parametrize("page", TOC)
def test_every_page_is_built_and_offline(built_book, page):
    html = (built_book / f"{page}.html").read_text(encoding="utf-8")
    # no executed cell left an error or a traceback in the page
    assert "Traceback (most recent call last)" not in html
    assert 'class="output traceback' not in html
    # nothing is fetched from the network: every script and stylesheet is local
    remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
    assert remote == [], f"{page} loads {remote}"


def test_math_is_served_locally(built_book):
    html = (built_book / "book/ch01_background/amdahl_gustafson.html").read_text()
    match = re.search(r'<script[^>]+src="([^"]*mathjax[^"]*)"', html)
    assert match, "no MathJax script in the page"
    path = match.group(1).split("?", 1)[0]  # Sphinx may append ?v=<checksum>
    target = (built_book / "book/ch01_background" / path).resolve()
    assert target.exists(), f"MathJax script {match.group(1)} is not in the build"


@pytest.mark.parametrize("page", [f for f in TOC if "/ch0" in f])
def test_chapter_pages_offer_notebook_and_source_downloads(built_book, page):
    html = (built_book / f"{page}.html").read_text(encoding="utf-8")
    notebook = re.search(r'href="([^"]+\.ipynb)"', html)
    source = re.search(r'href="([^"]+_sources/[^"]+\.md)"', html)
    assert notebook and source, f"{page} lacks a download button"
    base = (built_book / page).parent
    assert (base / notebook.group(1)).resolve().exists()
    assert (base / source.group(1)).resolve().exists()


@pytest.mark.parametrize("page", CHAPTER_INDEXES)
def test_chapter_roadmaps_are_real_prose(page):
    text = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    words = len(re.findall(r"[A-Za-z]{2,}", text))
    assert words >= 250, f"{page} roadmap has only {words} words"
    for placeholder in ("TODO", "TBD", "this section will cover", "lorem ipsum"):
        assert placeholder.lower() not in text.lower()


def test_chapter_one_figures_were_produced_by_the_build(built_book):
    pages = list((built_book / "book/ch01_background").glob("*.html"))
    images = sum(len(re.findall(r"<img[^>]+src=\"[^\"]*_images/", p.read_text()))
                 for p in pages)
    assert images >= 6


def _heading_numbers(html: str) -> list[str]:
    return [n.strip() for n in re.findall(r'class="section-number">([^<]*)<', html)]


@pytest.mark.parametrize("index", CHAPTER_INDEXES)
def test_chapter_numbering_starts_at_its_first_section(built_book, index):
    """An index page's own headings are unnumbered rubrics, so the chapter's first
    section is N.1 (not N.4 after three numbered index headings)."""
    chapter = CHAPTER_INDEXES.index(index) + 1
    sections = [f for f in TOC if f.startswith(str(Path(index).parent) + "/")
                and f != index]
    first = (built_book / f"{sections[0]}.html").read_text(encoding="utf-8")
    assert _heading_numbers(first)[0] == f"{chapter}.1."
    own = (built_book / f"{index}.html").read_text(encoding="utf-8")
    main = own.split("<main", 1)[1]
    numbered = re.findall(r"<h[2-6][^>]*>\s*<span class=\"section-number\">", main)
    assert numbered == [], f"{index} has numbered headings of its own"
