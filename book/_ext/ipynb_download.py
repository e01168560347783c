"""Offer every executed chapter as a .ipynb download, with no launch service.

sphinx-book-theme only copies the executed notebook of a MyST Markdown page
into ``_sources`` when a Binder/JupyterHub/Thebe launch button is configured;
an offline book has none. This hook runs just before the theme builds its
header buttons and does the copy itself, so the download menu lists both the
``.md`` source and the executed ``.ipynb``.
"""

from __future__ import annotations

from pathlib import Path
from shutil import copy2
from typing import Any

from sphinx.application import Sphinx


def _offer_notebook(app: Sphinx, pagename: str, templatename: str,
                    context: dict[str, Any], doctree: Any) -> None:
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.exists():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _offer_notebook, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
