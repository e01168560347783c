"""`make pdf`: the built book printed to one PDF, offline, math typeset."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.book, pytest.mark.browser, pytest.mark.slow]

spec = importlib.util.spec_from_file_location("make_pdf",
                                              ROOT / "book" / "_ext" / "make_pdf.py")
assert spec is not None and spec.loader is not None
make_pdf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_pdf)


def test_the_book_prints_to_one_pdf_with_an_outline(built_book: Path,
                                                    tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        if os.environ.get("DSSCALE_REQUIRE_BROWSER"):
            pytest.fail("DSSCALE_REQUIRE_BROWSER is set but chromium is missing")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    from pypdf import PdfReader

    out = tmp_path / "book.pdf"
    assert make_pdf.main(["--html", str(built_book), "--out", str(out)]) == 0
    reader = PdfReader(str(out))
    pages = make_pdf.toc_pages(ROOT / "_toc.yml")
    assert len(reader.pages) > 2 * len(pages)  # sections run to several pages

    def titles(outline: list[object]) -> list[str]:
        found: list[str] = []
        for item in outline:
            found += titles(item) if isinstance(item, list) else [item.title]
        return found

    assert len(titles(reader.outline)) == len(pages)
    assert "Amdahl" in " ".join(titles(reader.outline))
    text = "".join(page.extract_text() for page in reader.pages[:40])
    # MathJax typeset the formulas: no TeX source is left in the printed text
    assert "\\frac" not in text and "\\sum" not in text
