"""A customer's story: their orders (status now), shipments with carrier and tracking, call notes and
the mail sent to them, newest first in one list, so "where is my order?" is answered with two keys
from the customer (``s``, then Enter opens the order).

Keys: Enter opens the highlighted line's order, PageDown/Down past the end loads older lines (keyset
pages), Esc back to the customer.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from oms_core.read_models import StoryEvent, StoryKind, StoryPage
from oms_tui.shell import OmsShell, shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import plain
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.order_rows import when
from oms_tui.widgets.paged_table import ColumnSpec, PagedTable
from oms_tui.work import run_service

STORY_COLUMNS = (
    ColumnSpec("at", "When", width=16),
    ColumnSpec("kind", "What", width=8),
    ColumnSpec("order", "Order", width=7, justify="right"),
    ColumnSpec("state", "Now", weight=1, minimum=10),
    ColumnSpec("summary", "", weight=3, minimum=16),
)

_KIND_WORDS = {
    StoryKind.ORDER: "Order",
    StoryKind.SHIPMENT: "Shipped",
    StoryKind.RETURN: "Return",
    StoryKind.NOTE: "Note",
    StoryKind.MAIL: "Mail",
}


def story_cells(event: StoryEvent) -> tuple[str, ...]:
    """One line of the story: when, what, the order, where it stands, what happened."""
    return (
        when(event.at),
        _KIND_WORDS[event.kind],
        str(event.order_number or ""),
        event.state,
        event.summary,
    )


class StoryScreen(Screen[None]):
    """One customer's story, paged newest first."""

    TITLE = "Story"
    CSS_PATH = [STYLES / "story.tcss"]
    AUTO_FOCUS = "#story"
    BINDINGS = [Binding("escape", "back", "Back", id="story_back")]

    def __init__(self, customer_id: int, title: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self._title = title
        self._events: dict[str, StoryEvent] = {}
        self._next: StoryPage | None = None

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    def compose(self) -> ComposeResult:
        """The heading, an error line, the story."""
        yield Header()
        heading = Text.assemble(plain(self._title), ("   newest first · Enter opens the order", "dim"))
        yield Static(heading, id="story-heading")
        yield Static("", id="story-error", markup=False)
        yield PagedTable(STORY_COLUMNS, id="story")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Read the first page."""
        self.sub_title = self._title
        self._load(first=True)

    def _load(self, first: bool) -> None:
        customer_id, story = self.customer_id, self.oms.services.story
        after = None if first or self._next is None else self._next.next
        run_service(
            self,
            lambda: story.page(customer_id, after=after),
            lambda page: self._show(page, first),
            self._error,
            group="story-page",
        )

    def _show(self, page: StoryPage, first: bool) -> None:
        table = self.query_one("#story", PagedTable)
        rows = [(f"{e.kind.value}:{e.id}", story_cells(e)) for e in page.events]
        if first:
            self._events.clear()
        self._events.update({key: event for (key, _), event in zip(rows, page.events, strict=True)})
        self._next = page
        if first:
            table.set_rows(rows, has_more=page.next is not None)
            if not rows:
                self._error("Nothing yet: no orders, returns, notes or mail for this customer")
        else:
            table.append_rows(rows, has_more=page.next is not None)

    def _error(self, error: object) -> None:
        line = self.query_one("#story-error", Static)
        line.update(str(error))
        line.display = bool(str(error))

    @on(PagedTable.MoreWanted, "#story")
    def _more(self, event: PagedTable.MoreWanted) -> None:
        event.stop()
        if self._next is not None and self._next.next is not None:
            self._load(first=False)

    @on(PagedTable.RowSelected, "#story")
    def _chosen(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        chosen = self._events.get(str(event.row_key.value))
        if chosen is not None and chosen.order_id is not None:
            self.oms.open_order(chosen.order_id)

    def action_back(self) -> None:
        """Back to the customer."""
        self.app.pop_screen()
