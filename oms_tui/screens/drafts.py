"""F5, My drafts: this operator's orders in progress. Enter resumes one, Delete discards it.
PageDown (or Down) on the last row loads the drafts edited before it (keyset paging).

Every edit of a cart is saved as it is made, so a draft left by a dropped connection or a killed
process is here on the next start, exactly as it was left.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from oms_core.domain.errors import OmsError
from oms_core.read_models import OrderSummary, TimePosition
from oms_tui.shell import OmsShell, shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import money_text, plain, safe
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service

PAGE_SIZE = 50
"""Drafts a page shows."""


def edited_ago(when: datetime | None, now: datetime) -> str:
    """``just now``, ``12 min ago``, ``3 h ago``, ``2 days ago`` (the same in every time zone)."""
    if when is None:
        return ""
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return f"{days} day{'s' if days != 1 else ''} ago"


class DraftsTable(DataTable[Text]):
    """The drafts, one a row; Enter resumes the highlighted one (and says so in the Footer).

    Every column has a fixed width and the customer's takes what is left: auto widths are
    measured as rows arrive, so they would depend on when the screen is looked at.
    """

    BINDINGS = [Binding("enter", "select_cursor", "Resume", id="drafts_resume")]
    WIDTHS = {"draft": 7, "lines": 5, "total": 10, "edited": 12}

    class MoreWanted(Message):
        """The cursor is on the last row, more drafts were edited before it, and they are asked for."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self._drafts: list[OrderSummary] = []
        self._now: datetime | None = None
        self._customer_width = 0
        self.has_more = False

    def action_page_down(self) -> None:
        """Next page of the screen, or the drafts edited before the last row when on it."""
        if self._at_end_with_more():
            self.post_message(self.MoreWanted())
            return
        super().action_page_down()

    def action_cursor_down(self) -> None:
        """Down a row, or the drafts edited before the last row when on it."""
        if self._at_end_with_more():
            self.post_message(self.MoreWanted())
            return
        super().action_cursor_down()

    def _at_end_with_more(self) -> bool:
        return self.has_more and self.row_count > 0 and self.cursor_row >= self.row_count - 1

    def on_resize(self) -> None:
        """Refit the columns to the new width."""
        if self._customer_width != self._wanted_width():
            self.show(self._drafts, self._now)

    def _wanted_width(self) -> int:
        used = sum(self.WIDTHS.values()) + 2 * (len(self.WIDTHS) + 1) + 1
        return max(16, (self.size.width or 80) - used)

    def show(self, drafts: list[OrderSummary], now: datetime | None) -> None:
        """Replace the rows, keeping the highlight on the same row number."""
        self._drafts, self._now = drafts, now
        row = self.cursor_row
        self._customer_width = self._wanted_width()
        self.clear(columns=True)
        self.add_column("Draft", key="draft", width=self.WIDTHS["draft"])
        self.add_column("Customer", key="customer", width=self._customer_width)
        self.add_column(Text("Lines", justify="right"), key="lines", width=self.WIDTHS["lines"])
        self.add_column(Text("Total", justify="right"), key="total", width=self.WIDTHS["total"])
        self.add_column("Last edited", key="edited", width=self.WIDTHS["edited"])
        for draft in drafts:
            who = (
                plain(draft.customer_name) if draft.customer_name else Text("no customer yet", style="italic")
            )
            if draft.customer_number:
                who.append(f"  {safe(draft.customer_number)}", style="dim")
            self.add_row(
                Text(str(draft.id), justify="right"),
                who,
                Text(str(draft.line_count), justify="right"),
                money_text(draft.total),
                Text(edited_ago(draft.updated_at, now) if now else ""),
                key=str(draft.id),
            )
        if drafts:
            self.move_cursor(row=min(max(row, 0), len(drafts) - 1), animate=False)


class DraftsScreen(Screen[None]):
    """My open drafts, most recently edited first."""

    CSS_PATH = STYLES / "drafts.tcss"
    AUTO_FOCUS = "#drafts-table"
    BINDINGS = [
        Binding("delete", "discard", "Discard", id="drafts_discard"),
        Binding("escape", "back", "Back", id="drafts_back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.drafts: list[OrderSummary] = []

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    def compose(self) -> ComposeResult:
        """Title, the drafts, a line for messages."""
        yield Static(
            f"My drafts ({safe(self.oms.operator)})", id="drafts-title", classes="title", markup=False
        )
        yield DraftsTable(id="drafts-table")
        yield Static("", id="drafts-message", classes="hint", markup=False)
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        """Reload whenever the list comes back (a draft may have been placed meanwhile)."""
        self.load()

    def load(self) -> None:
        """Read my drafts in a worker: as many as are shown (at least a page), from the newest."""
        cart = self.oms.services.cart
        wanted = max(PAGE_SIZE, len(self.drafts))
        run_service(
            self,
            lambda: cart.my_drafts(wanted + 1),
            lambda drafts: self._show(drafts[:wanted], len(drafts) > wanted),
            group="drafts-load",
        )

    def on_drafts_table_more_wanted(self, event: DraftsTable.MoreWanted) -> None:
        """The page of drafts edited before the last one shown."""
        event.stop()
        if not self.drafts:
            return
        cart, after, shown = (
            self.oms.services.cart,
            TimePosition.after_edit(self.drafts[-1]),
            len(self.drafts),
        )

        def appended(drafts: list[OrderSummary]) -> None:
            known = {d.id for d in self.drafts}
            self._show(
                self.drafts + [d for d in drafts[:PAGE_SIZE] if d.id not in known], len(drafts) > PAGE_SIZE
            )
            self.query_one(DraftsTable).move_cursor(row=min(shown, len(self.drafts) - 1))

        run_service(self, lambda: cart.my_drafts(PAGE_SIZE + 1, after), appended, group="drafts-load")

    def _show(self, drafts: list[OrderSummary], has_more: bool = False) -> None:
        self.drafts = drafts
        table = self.query_one(DraftsTable)
        table.has_more = has_more
        table.show(drafts, self.oms.services.context.clock.now())
        message = (
            "Enter resumes the highlighted draft." if drafts else "No open drafts. F4 starts a new order."
        )
        if has_more:
            message = f"{len(drafts)} drafts shown, more on PageDown at the bottom. {message}"
        self.query_one("#drafts-message", Static).update(message)

    @property
    def current(self) -> OrderSummary | None:
        """The highlighted draft."""
        row = self.query_one(DraftsTable).cursor_row
        return self.drafts[row] if self.drafts and 0 <= row < len(self.drafts) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Resume and Discard need a draft."""
        if action in ("resume", "discard"):
            return self.current is not None
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row (the table's own Enter): resume it."""
        event.stop()
        self.action_resume()

    def action_resume(self) -> None:
        """Open the highlighted draft's cart where it was left."""
        if (draft := self.current) is not None:
            self.oms.open_cart(draft.id)

    def action_discard(self) -> None:
        """Delete: throw the highlighted draft away, after a confirmation."""
        from oms_tui.screens.ask import AskScreen

        draft = self.current
        if draft is None:
            return
        who = safe(draft.customer_name) or "no customer"
        lines = f"{draft.line_count} line{'s' if draft.line_count != 1 else ''}"
        question = (
            f"Discard draft {draft.id} ({who}, {lines}, total {money_text(draft.total).plain})? "
            "This cannot be undone."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._discard(draft)

        self.app.push_screen(
            AskScreen("Discard draft", question, "Discard", "Keep", default_yes=False), answered
        )

    def _discard(self, draft: OrderSummary) -> None:
        cart = self.oms.services.cart

        def discard() -> None:
            cart.discard(draft.id, cart.get(draft.id).version)

        def failed(error: OmsError) -> None:
            self.query_one("#drafts-message", Static).update(Text(safe(str(error)), style="bold"))
            self.load()

        run_service(self, discard, lambda _none: self.load(), failed, group="drafts-discard")

    def action_back(self) -> None:
        """Esc: back."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
