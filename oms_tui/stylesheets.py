"""Where the Textual stylesheets (``.tcss``) are: the one place the app and every screen look them up."""

from __future__ import annotations

from pathlib import Path

STYLES = Path(__file__).resolve().parent.parent / "styles"
