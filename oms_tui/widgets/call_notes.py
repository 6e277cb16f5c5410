"""Call notes on the Customer and Order screens: newest first, one line each, text shown literally.

The key that adds one asks with ``oms_tui.screens.reason.ask_for_note``.
"""

from __future__ import annotations

from rich.text import Text

from oms_core.read_models import NoteView
from oms_tui.text import plain
from oms_tui.widgets.order_rows import when


def notes_text(notes: tuple[NoteView, ...], shown: int = 5) -> Text | None:
    """The newest ``shown`` notes, one line each (when, who, what), or ``None`` when there are none."""
    if not notes:
        return None
    lines = [Text("Call notes (newest first; n adds one)", style="bold")]
    for note in notes[:shown]:
        line = Text(f"{when(note.at)}  ")
        line.append_text(plain(note.author))
        line.append("  ")
        line.append_text(plain(note.text))
        lines.append(line)
    return Text("\n").join(lines)
