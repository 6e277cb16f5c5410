"""The file pickers (textual-fspicker's) laid out for 80x24, and typed into as operators type.

The library's dialog takes 80% of the terminal and shares its bottom line between the name box
(2fr), the filter (1fr) and two wide buttons, so at 80 columns the name box was 16 characters and
the filter drew its choices down the side. Here the dialog takes the whole width up to 100
columns, the name box takes what the filter (a fixed 14) and two narrow buttons leave. A character
typed while the folder listing has the focus goes to the name box (the listing has no use for
it), so an operator can start typing a name or a path at once; ``.`` stays the listing's own key
(show hidden files).

Imported only when a picker opens: textual-fspicker is not loaded at start-up.
"""

from __future__ import annotations

from typing import cast

from textual import events
from textual.widgets import Input
from textual_fspicker import FileOpen, FileSave
from textual_fspicker.parts import DirectoryNavigation

# Nested under the picker classes, so the rules style these dialogs only (Textual keeps one
# stylesheet for the whole app).
_FITTING = """
{picker} {{
    Dialog {{
        width: 100%;
        max-width: 100;
        height: 100%;
        max-height: 30;
    }}
    InputBar {{
        padding: 0 1;
        height: auto;
        Input {{
            width: 1fr;
        }}
        Select {{
            width: 14;
        }}
        Button {{
            min-width: 8;
            width: auto;
            margin-left: 1;
        }}
    }}
}}
"""


class _TypesIntoTheName:
    """Keys typed on the folder listing go to the name box.

    A burst (``gifts.xlsx`` and Enter sent at once) arrives before the focus has moved to the name
    box, so until it has, every key goes in by hand here, Enter and Backspace included.
    """

    _forwarding = False

    def on_key(self, event: events.Key) -> None:
        """Send a name typed on the listing to the name box."""
        screen = cast("FileOpen | FileSave", self)
        if not isinstance(screen.focused, DirectoryNavigation):
            return
        name = screen.query_one(Input)
        if self._forwarding and event.key in ("enter", "backspace"):
            event.stop()
            event.prevent_default()
            if event.key == "enter":
                name.action_submit()
            else:
                name.action_delete_left()
            return
        if event.character is None or not event.is_printable or event.character == ".":
            return
        event.stop()
        event.prevent_default()
        name.insert_text_at_cursor(event.character)
        self._forwarding = True
        name.select_on_focus = False  # selected, what was typed would go at the next key
        name.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Once a widget has the focus, keys go where it is."""
        self._forwarding = False


class OrderFileOpen(_TypesIntoTheName, FileOpen):
    """Pick a file to open; fits 80x24; typing on the listing types the name."""

    DEFAULT_CSS = _FITTING.format(picker="OrderFileOpen")


class ReportFileSave(_TypesIntoTheName, FileSave):
    """Pick where to write a file; fits 80x24; typing on the listing types the name."""

    DEFAULT_CSS = _FITTING.format(picker="ReportFileSave")
