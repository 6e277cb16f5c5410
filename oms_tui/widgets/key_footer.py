"""The keys line at the bottom of every screen: the screen's own keys first, wrapped, never cut.

Textual's ``Footer`` is one line that cuts whatever does not fit, and it lists the keys of the
focused widget and the app before those of the screen, so at 80 columns a screen's own keys fell
off its right edge (Bulk's ``f`` and ``e``; the Order screen's ``k``, ``m``, ``h``...). This footer
lists the screen's own keys first (its widgets' and its own), then the app's (F1, the palette),
and goes on to a second line (or a third) when they do not fit the width. Keys are Textual's
``FooterKey``s, so they look and click as before. Which keys there are stays declared once, in
each screen's ``BINDINGS`` and in ``command_table``.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, Vertical
from textual.screen import Screen
from textual.widgets._footer import FooterKey

_GAP = 2
"""Columns between two keys (one would run a description into the next key in 16 colours)."""


def footer_bindings(screen: Screen[object]) -> list[tuple[Binding, bool, str]]:
    """The keys a footer shows for ``screen``: (binding, enabled, tooltip), the screen's own first
    (its widgets' and its own, from the focused widget outwards, as Textual orders them), then
    the app's, and last the command palette's (ctrl+p); one per action.
    """
    own: list[tuple[Binding, bool, str]] = []
    app: list[tuple[Binding, bool, str]] = []
    seen: set[str] = set()
    active = screen.active_bindings
    for namespace, binding, enabled, tooltip in active.values():
        if not binding.show or binding.action in seen:
            continue
        seen.add(binding.action)
        (app if namespace is screen.app else own).append((binding, enabled, tooltip))
    palette = active.get(screen.app.COMMAND_PALETTE_BINDING) if screen.app.ENABLE_COMMAND_PALETTE else None
    if palette is not None and palette.binding.action not in seen:
        app.append((palette.binding, palette.enabled, palette.tooltip))
    return own + app


class KeyFooter(Vertical, can_focus=False, can_focus_children=False):
    """The screen's keys in as many lines as they need at the terminal's width."""

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: auto;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyFooter > HorizontalGroup {
        height: 1;
    }
    KeyFooter FooterKey {
        margin-right: 2;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._ready = False
        self._width = 0

    def on_mount(self) -> None:
        """Follow the screen's keys as the focus moves and actions turn on and off."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        # A screen whose focus never moves sends no update: show its keys as they are now.
        self.call_after_refresh(self._bindings_changed, self.screen)

    def on_unmount(self) -> None:
        """Stop following the screen's keys."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self._ready = True
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.recompose)

    def on_resize(self, event: events.Resize) -> None:
        """Lay the keys out again for a new width."""
        if event.size.width != self._width:
            self._width = event.size.width
            self.call_after_refresh(self.recompose)

    def compose(self) -> ComposeResult:
        """One line of keys after another, each as full as the width allows."""
        if not self._ready:
            return
        width = self.size.width or self.app.size.width
        for line in self._lines(width):
            yield HorizontalGroup(*line)

    def _lines(self, width: int) -> Iterator[list[FooterKey]]:
        line: list[FooterKey] = []
        used = 0
        for binding, enabled, tooltip in footer_bindings(self.screen):
            shown = self.app.get_key_display(binding)
            needs = cell_len(shown) + (1 + cell_len(binding.description) if binding.description else 0)
            if line and used + needs > width:
                yield line
                line, used = [], 0
            line.append(
                FooterKey(
                    binding.key,
                    shown,
                    binding.description,
                    binding.action,
                    disabled=not enabled,
                    tooltip=tooltip or binding.description,
                    classes="-compact",
                )
            )
            used += needs + _GAP
        if line:
            yield line
