"""Print the built HTML book to one PDF, offline, with headless Chromium.

``python book/_ext/make_pdf.py [--html _build/html] [--out _build/html/dsscale.pdf]``

Jupyter Book 1.x cannot build this book as a single HTML page (its
``singlehtml`` builder fails on myst-nb's hidden-cell nodes) and a LaTeX build
would need TeX Live. Instead every page of the table of contents, in order, is
opened from ``file://`` in the system's Chromium (driven by Playwright, which
never downloads a browser here), with the network cut off; once MathJax has
typeset the page it is printed with the theme's print style sheet, and the
pages are merged with ``pypdf`` into one file whose outline (bookmarks) follows
the table of contents.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def toc_pages(toc_path: Path) -> list[tuple[str, int]]:
    """``(file, depth)`` for every page, in reading order (depth 0 = chapter)."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    pages = [(str(toc["root"]), 0)]

    def walk(entries: list[dict[str, Any]] | None, depth: int) -> None:
        for entry in entries or []:
            if "file" in entry:
                pages.append((str(entry["file"]), depth))
            walk(entry.get("sections"), depth + 1)

    for part in toc.get("parts", []):
        walk(part.get("chapters"), 0)
    return pages


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise SystemExit("make pdf needs Chromium (apt-get install -y chromium)")
    return found


def print_pages(html: Path, pages: list[tuple[str, int]],
                out_dir: Path) -> list[tuple[Path, str, int]]:
    """Print each page to its own PDF; return ``(pdf, title, depth)``."""
    from playwright.sync_api import Route, sync_playwright

    printed = []
    profile = tempfile.mkdtemp(prefix="dsscale-pdf-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=_chromium(), headless=True,
                args=["--no-sandbox", "--disable-gpu",
                      "--disable-background-networking", "--disable-sync",
                      "--no-first-run", "--disable-component-update"])

            def offline(route: Route) -> None:
                if route.request.url.startswith("file://"):
                    route.continue_()
                else:
                    route.abort()

            for number, (name, depth) in enumerate(pages):
                source = html / f"{name}.html"
                if not source.exists():
                    raise SystemExit(f"{source} is missing: run `make book` first")
                page = context.new_page()
                page.route("**/*", offline)
                page.goto(source.as_uri(), wait_until="load")
                if page.locator("script[src*='mathjax']").count():
                    # Sphinx loads MathJax only on pages with mathematics
                    page.wait_for_function(
                        "() => window.MathJax && MathJax.startup"
                        " && MathJax.startup.promise", timeout=60_000)
                    page.evaluate("() => MathJax.startup.promise")
                title = page.title().split("—")[0].split("|")[0].strip()
                target = out_dir / f"{number:03d}.pdf"
                page.pdf(path=str(target), format="A4", print_background=True,
                         margin={"top": "18mm", "bottom": "18mm",
                                 "left": "16mm", "right": "16mm"})
                page.close()
                printed.append((target, title, depth))
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return printed


def merge(printed: list[tuple[Path, str, int]], out: Path) -> int:
    """Concatenate the page PDFs; outline entries nest chapters and sections."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    parents: dict[int, Any] = {}
    for path, title, depth in printed:
        first = len(writer.pages)
        for pdf_page in PdfReader(str(path)).pages:
            writer.add_page(pdf_page)
        parent = parents.get(depth - 1) if depth > 0 else None
        parents[depth] = writer.add_outline_item(title=title, page_number=first,
                                                 parent=parent)
    writer.add_metadata({"/Title": "Scaling Distributed Systems",
                         "/Author": "The dsscale authors"})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path,
                        default=ROOT / "_build" / "html" / "dsscale.pdf")
    parser.add_argument("--toc", type=Path, default=ROOT / "_toc.yml")
    args = parser.parse_args(argv)
    pages = toc_pages(args.toc)
    with tempfile.TemporaryDirectory(prefix="dsscale-pdf-pages-") as tmp:
        printed = print_pages(args.html, pages, Path(tmp))
        total = merge(printed, args.out)
    print(f"{args.out}: {total} pages from {len(pages)} chapters and sections")
    return 0


if __name__ == "__main__":
    sys.exit(main())
