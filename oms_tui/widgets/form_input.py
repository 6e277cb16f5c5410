"""An Input for forms that keeps the Enter rule even when keys are typed ahead.

Textual hands a burst of keys (a fast typist, a paste of keystrokes over a slow SSH link) to the
widget that had the focus when they arrived. If Enter moved the focus through a message, the keys
after it would land in the field just left. Here Enter moves the focus as the key is handled,
and a key that reaches this box after the focus has moved on is passed to the focused widget.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input


class FormInput(Input):
    """An Input that follows the Enter rule: Enter moves to the next field at once (and still
    posts ``Submitted``); with ``enter_moves=False`` (the last field) it only posts ``Submitted``,
    for the form to save or submit.
    """

    def __init__(self, *args: Any, enter_moves: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enter_moves = enter_moves

    async def _on_key(self, event: events.Key) -> None:
        # Textual calls Input._on_key after this one unless the default is prevented.
        focused = self.screen.focused if self.is_attached else None
        if focused is not None and focused is not self:
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()
            if self.enter_moves:
                self.screen.focus_next()
