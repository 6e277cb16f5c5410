"""``o`` or ``r`` (reorder) for a customer who already has an open draft: resume it (r) or go on
with the new one (n).

A second draft for the same caller is almost always a slip (the first was left when the phone
rang); this asks instead of starting one silently. Esc does neither.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from oms_core.domain.errors import OmsError
from oms_core.domain.money import format_money
from oms_core.read_models import OrderSummary
from oms_tui.shell import shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import safe
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service

RESUME = "resume"
NEW = "new"


def draft_line(draft: OrderSummary) -> str:
    """``draft 12 by alice: 2 lines, 44.95``."""
    lines = f"{draft.line_count} line{'s' if draft.line_count != 1 else ''}"
    return f"draft {draft.id} by {draft.operator}: {lines}, {format_money(draft.total)}"


class ResumeDraftScreen(ModalScreen[str]):
    """Dismissed with :data:`RESUME`, :data:`NEW`, or ``""`` (Esc: neither)."""

    CSS_PATH = STYLES / "resume_draft.tcss"
    BINDINGS = [
        Binding("r", "answer('resume')", "Resume it", id="resume_draft_resume"),
        Binding("n", "answer('new')", "New order", id="resume_draft_new"),
        Binding("escape", "answer('')", "Cancel", id="resume_draft_cancel"),
    ]

    def __init__(self, customer_name: str, drafts: list[OrderSummary], new_label: str = "New order") -> None:
        super().__init__()
        self._customer_name = customer_name
        self._drafts = drafts
        self._new_label = new_label

    def compose(self) -> ComposeResult:
        """The question naming the newest draft, and the two answers (Resume has the focus)."""
        newest = self._drafts[0]
        question = f"{self._customer_name} has an open order: {draft_line(newest)}."
        if len(self._drafts) > 1:
            question += f" ({len(self._drafts) - 1} more: F5 lists your drafts.)"
        with Vertical(classes="dialog"):
            yield Static(Text("Open order", style="bold"), classes="title")
            yield Static(Text(safe(question)), id="resume-question")
            with Horizontal(classes="buttons"):
                yield Button(f"Resume draft {newest.id} (r)", id="resume-yes", variant="primary")
                yield Button(f"{self._new_label} (n)", id="resume-new")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Enter resumes: the safer slip (nothing new is created)."""
        self.query_one("#resume-yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button answers as its key does."""
        event.stop()
        self.dismiss(RESUME if event.button.id == "resume-yes" else NEW)

    def action_answer(self, answer: str) -> None:
        """Answer and close."""
        self.dismiss(answer)


def unless_open_draft(
    screen: Screen[object],
    customer_id: int,
    customer_name: str,
    go_on: Callable[[], None],
    *,
    idle: Callable[[], None],
    failed: Callable[[OmsError], None],
    new_label: str = "New order",
) -> None:
    """Call ``go_on`` (it starts a new draft) unless the customer has an open draft: then ask.

    r opens the newest open draft, n calls ``go_on``, Esc does neither. ``idle`` is called when
    the answer starts nothing (Esc, or the draft resumed), so the screen takes its keys again.
    Keys typed while the drafts are looked up wait, so ``o n`` or ``r r`` typed fast answer the
    question they were meant for.
    """
    oms = shell(screen.app)

    def found(drafts: list[OrderSummary]) -> None:
        if not drafts:
            go_on()
            return

        def answered(answer: str | None) -> None:
            if answer == NEW:
                go_on()
                return
            idle()
            if answer == RESUME:
                oms.open_cart(drafts[0].id)

        screen.app.push_screen(ResumeDraftScreen(customer_name, drafts, new_label), answered)

    run_service(
        screen,
        lambda: oms.services.cart.open_drafts_for(customer_id),
        found,
        failed,
        group="open-drafts",
        hold_keys=True,
    )
