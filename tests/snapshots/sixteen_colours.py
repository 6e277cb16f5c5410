"""Screenshots as a 16-colour terminal (TERM=xterm) shows them.

Textual draws in true colour and the terminal's driver turns every colour into the nearest of the
16 a plain xterm has; two shades that meet in the same colour look the same. The snapshot does the
same to every colour before writing the SVG, so a focus shown only by a shade disappears here too.
"""

from __future__ import annotations

import io
from typing import Any

from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.app import App


def _sixteen(style: Style | None) -> Style | None:
    if style is None:
        return None
    return style + Style(
        color=style.color.downgrade(ColorSystem.STANDARD) if style.color else None,
        bgcolor=style.bgcolor.downgrade(ColorSystem.STANDARD) if style.bgcolor else None,
    )


def in_sixteen_colours(app: App[Any]) -> App[Any]:
    """``app``, whose screenshots (``snap_compare``) are taken in the 16 colours of TERM=xterm."""

    def export_screenshot(*, title: str | None = None, simplify: bool = False) -> str:
        width, height = app.size
        console = Console(
            width=width,
            height=height,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
            record=True,
            legacy_windows=False,
            safe_box=False,
        )
        console.print(
            app.screen._compositor.render_update(
                full=True, screen_stack=app._background_screens, simplify=simplify
            )
        )
        console._record_buffer[:] = [
            Segment(text, _sixteen(style), control) for text, style, control in console._record_buffer
        ]
        return console.export_svg(title=title or app.title)

    app.export_screenshot = export_screenshot  # type: ignore[method-assign]
    return app
