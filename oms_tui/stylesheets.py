"""Where the Textual stylesheets (``.tcss``) are: the one place the app and every screen look them up.

They live inside the package (``oms_tui/styles/``), not at the top of the repository, so that they
travel in the wheel and an installed ``oms`` finds them beside its code, from any folder.
"""

from __future__ import annotations

from pathlib import Path

STYLES = Path(__file__).resolve().parent / "styles"
