"""The Quick Order Pad in a modal: many items typed or pasted at once.

Two uses:

* From the cart (``q``): F9 adds every good item to the draft in one edit and leaves only the
  lines still to fix in the pad; when nothing is left, the pad closes. It returns the items added.
* For a bulk order or a club shipment: F9 returns the items (SKU, quantity) once every line reads;
  nothing is written.

Esc closes without doing anything more (what was already added stays in the cart).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from oms_core.domain.errors import OmsError
from oms_core.services.quick_pad import PadAdded, PadPreview
from oms_tui.shell import OmsShell, shell
from oms_tui.text import safe
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.quick_pad import QuickPad
from oms_tui.work import run_service

Items = list[tuple[str, int]]


class QuickPadScreen(ModalScreen[Items | None]):
    """The pad over the current screen; returns the items added or chosen, or ``None``."""

    DEFAULT_CSS = """
    QuickPadScreen > #pad-dialog {
        width: 100%;
        height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    QuickPadScreen #pad-title {
        height: 1;
    }
    """

    BINDINGS = [
        Binding("f9", "submit", "Add to cart", id="pad_submit"),
        Binding("escape", "close", "Close", id="pad_close"),
    ]

    def __init__(
        self,
        *,
        draft_id: int | None = None,
        customer_id: int | None = None,
        type_code: str | None = None,
        text: str = "",
        title: str = "Quick Order Pad",
    ) -> None:
        super().__init__()
        self.draft_id = draft_id
        self._customer_id = customer_id
        self._type_code = type_code
        self._text = text
        self._title = title
        self._submit_when_checked = False
        self._working = False
        self.added: Items = []
        if draft_id is None:
            self._bindings.key_to_bindings["f9"] = [
                Binding("f9", "submit", "Use these items", id="pad_submit")
            ]

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    @property
    def pad(self) -> QuickPad:
        """The pad widget."""
        return self.query_one(QuickPad)

    def compose(self) -> ComposeResult:
        """Title, the pad and its preview, the keys."""
        with Vertical(id="pad-dialog"):
            yield Static(Text(safe(self._title), style="bold"), id="pad-title", classes="title")
            yield QuickPad(self._check, self._text)
        yield KeyFooter()

    def on_mount(self) -> None:
        """Start typing at once."""
        self.pad.text_area.focus()

    def _check(self, text: str) -> PadPreview:
        """Runs in the pad's worker."""
        return self.oms.services.quick_pad.preview(
            text, customer_id=self._customer_id, draft_id=self.draft_id, type_code=self._type_code
        )

    def on_quick_pad_checked(self, event: QuickPad.Checked) -> None:
        """A check answered: go on with an F9 pressed while it ran."""
        event.stop()
        if self._submit_when_checked and not self.pad.busy:
            self._submit_when_checked = False
            self.action_submit()

    # -- actions -------------------------------------------------------------------------------

    def action_submit(self) -> None:
        """F9: add to the cart, or hand the items back, once the check of the text as it is is in."""
        if self._working:
            return
        preview = self.pad.current
        if preview is None or self.pad.busy:
            self._submit_when_checked = True
            if not self.pad.busy:
                self.pad.recheck()
            return
        if self.draft_id is None:
            self._use(preview)
        else:
            self._add(preview)

    def _use(self, preview: PadPreview) -> None:
        if not preview.rows:
            self.pad.say("The pad is empty: type a SKU and a quantity", error=True)
        elif preview.problems:
            self.pad.say("Fix or delete the lines marked ! first", error=True)
        else:
            self.dismiss(list(preview.items))

    def _add(self, preview: PadPreview) -> None:
        if not preview.items:
            message = "Nothing to add: fix the lines marked !" if preview.rows else "The pad is empty"
            self.pad.say(message, error=True)
            return
        draft_id, text = self.draft_id, self.pad.text
        assert draft_id is not None
        self._working = True
        self.pad.say("Adding...")
        run_service(
            self,
            lambda: self.oms.services.quick_pad.add_to_cart(draft_id, text),
            self._added,
            self._refused,
            group="pad-add",
        )

    def _added(self, result: PadAdded) -> None:
        self._working = False
        self.added.extend(result.added)
        count = len(result.added)
        if not result.remaining.strip():
            self.notify(f"Added {count} item{'s' if count != 1 else ''} to the cart")
            self.dismiss(self.added)
            return
        self.pad.replace_text(result.remaining)
        self.pad.say(f"Added {count} item{'s' if count != 1 else ''}; fix the lines left, then F9 again")

    def _refused(self, error: OmsError) -> None:
        self._working = False
        self.pad.say(str(error), error=True)
        self.pad.recheck()

    def action_close(self) -> None:
        """Esc: close; items already added stay in the cart."""
        self.dismiss(self.added or None)
