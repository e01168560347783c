"""Headless Chromium reads the built book from file:// with the network cut off.

It checks what a reader would see: the math typeset by the local MathJax (no
raw TeX left), every figure loaded, and a console free of errors. Uses
Debian's chromium through Playwright; never downloads a browser. Skips with a
reason where Chromium or Playwright is missing, unless DSSCALE_REQUIRE_BROWSER
is set (as in CI), where that is a failure.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "make_pdf", Path(__file__).resolve().parents[1] / "book" / "_ext" / "make_pdf.py")
assert _spec is not None and _spec.loader is not None
make_pdf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_pdf)

pytestmark = [pytest.mark.browser, pytest.mark.book, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = bool(os.environ.get("DSSCALE_REQUIRE_BROWSER"))
ROOT = Path(__file__).resolve().parents[1]
PAGES = [f"{name}.html" for name, _ in make_pdf.toc_pages(ROOT / "_toc.yml")]
# pages whose prose is mostly equations: MathJax must have had work to do
MATH_HEAVY = {"book/ch01_background/amdahl_gustafson.html",
              "book/ch01_background/usl.html", "book/ch01_background/queueing.html",
              "book/ch03_algorithms/quorums.html", "book/ch05_trends/autoscaling.html"}


def _need(condition: bool, reason: str) -> None:
    if not condition:
        if REQUIRED:
            pytest.fail(f"DSSCALE_REQUIRE_BROWSER is set but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    _need(CHROMIUM is not None,
          "Chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "playwright is not installed (pip install playwright)")
    profile = tempfile.mkdtemp(prefix="dsscale-chromium-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"])
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.parametrize("page_path", PAGES)
def test_page_renders_offline(built_book, browser, page_path):
    target = built_book / page_path
    assert target.exists(), f"{page_path} was not built"
    page = browser.new_page()
    errors: list[str] = []
    network: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def offline(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:  # the reader has no network
            network.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.goto(target.as_uri(), wait_until="load")
    if page.locator("script[src*='mathjax']").count():
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
            timeout=30_000)
        page.evaluate("() => MathJax.startup.promise")
    typeset = page.locator("mjx-container").count()
    math_nodes = page.locator(".math").count()  # what Sphinx marked as math
    raw_tex = page.evaluate(
        r"""() => [...document.querySelectorAll('.math, span.math, div.math')]
                 .filter(e => !e.querySelector('mjx-container'))
                 .map(e => e.textContent.slice(0, 60))""")
    images = page.evaluate(
        """() => [...document.images].map(i => [i.getAttribute('src'),
                                                 i.complete && i.naturalWidth > 0])""")
    page.close()
    assert network == [], f"the page tried to reach the network: {network}"
    assert errors == [], f"console errors: {errors}"
    assert typeset >= math_nodes, f"{math_nodes} math nodes, {typeset} typeset"
    if page_path in MATH_HEAVY:
        assert math_nodes >= 20, "a page full of equations has no math nodes"
    assert raw_tex == [], f"math left as raw TeX: {raw_tex}"
    broken = [src for src, ok in images if not ok]
    assert broken == [], f"images that did not load: {broken}"
