"""Include each inline script once per page.

sphinx-thebe (which Jupyter Book always loads) adds its configuration script,
``const THEBE_JS_URL = ...``, every time Sphinx reads documents; a build that
reads in two passes therefore puts it in every page twice, and the second
copy throws "Identifier 'THEBE_JS_URL' has already been declared" in the
reader's console. This hook drops exact duplicates from a page's script list
before it is rendered.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _dedupe(app: Sphinx, pagename: str, templatename: str,
            context: dict[str, Any], doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        # an inline script is added once with filename None, once with ""
        key = (str(getattr(script, "filename", script) or ""),
               str(attributes.get("body", "")))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    scripts[:] = unique  # in place: later handlers append to this very list


def setup(app: Sphinx) -> dict[str, Any]:
    # early: html-page-context stops at the first handler that returns a template
    app.connect("html-page-context", _dedupe, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
