"""Load MathJax on every page, not only on pages whose body has mathematics.

Sphinx adds the MathJax script only to pages with math in their body, but the
navigation sidebar of every page shows page titles, and a title may hold
mathematics ("the power of $d$ choices"); on a page without MathJax that title
would show its raw TeX. The "always" asset policy (Sphinx >= 4.1) includes the
script everywhere.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    app.set_html_assets_policy("always")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
