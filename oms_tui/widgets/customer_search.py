"""The one search box for customers, with its results table.

Type a last name, company, email, phone or customer number: the table follows as you type. Every
key searches at once, one search at a time: keys typed while a search runs make one search for the
newest text when it answers, and the older answer is dropped, so the table never shows an older
query's results after a newer one's and no pause is spent waiting for the typing to stop. Up and
Down in the box move the highlight; Enter, in the box or the table, chooses the highlighted
customer and posts ``CustomerSearch.CustomerChosen``. Used by Customers, Identify and Bulk Order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from oms_tui.keyboard import hold_keys_while
from oms_tui.shell import shell
from oms_tui.widgets.paged_table import ColumnSpec, PagedTable
from oms_tui.work import run_service

if TYPE_CHECKING:  # on the first screen: the read models load with the services, behind it
    from textual.worker import Worker

    from oms_core.domain.customer_search import SearchPosition
    from oms_core.read_models import CustomerPage, CustomerSummary

PAGE_SIZE = 50
PROMPT = "Type a name, company, email, phone, customer number, ZIP, or city and state."
"""The status line before anything is typed: short enough for 80 columns (it was cut at "and")."""
NO_MATCH = "no match — ctrl+n creates a customer"

# At 80 columns the name (as the caller says it), company, phone, city and state; email and type
# join from 100 columns on. The state tells two Smiths apart as well as the city does.
WIDE = 100
COLUMNS = (
    ColumnSpec("number", "Number", width=7),
    ColumnSpec("name", "Name", weight=6, minimum=16),
    ColumnSpec("company", "Company", weight=2, minimum=6),
    ColumnSpec("email", "Email", weight=4, minimum=8, wide=WIDE),
    ColumnSpec("phone", "Phone", width=14),
    ColumnSpec("city", "City", weight=2, minimum=5),
    ColumnSpec("state", "St", width=2),
    ColumnSpec("type", "Type", width=9, wide=WIDE),
)


class CustomerSearch(Vertical):
    """A search box over a page of matching customers."""

    DEFAULT_CSS = """
    CustomerSearch {
        height: 1fr;
    }
    CustomerSearch > #customer-search-status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "More", show=False),
    ]

    @dataclass
    class CustomerChosen(Message):
        """The operator chose a customer (Enter on a result)."""

        search: CustomerSearch
        customer: CustomerSummary

        @property
        def customer_id(self) -> int:
            """The chosen customer's id."""
            return self.customer.id

        @property
        def control(self) -> CustomerSearch:
            """The search widget the customer was chosen in."""
            return self.search

    def __init__(self, query: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._initial = query
        self._results: dict[str, CustomerSummary] = {}
        self._query = ""
        self._sequence = 0
        self._in_flight = False
        self._searching: Worker[None] | None = None
        self._wanted: _Wanted | None = None
        self._next: SearchPosition | None = None
        self._choose_when_ready = False

    def compose(self) -> ComposeResult:
        """The box, the table and a one-line status."""
        yield Input(
            self._initial,
            placeholder="name, company, email, phone, number, ZIP or city ST",
            id="customer-query",
        )
        yield PagedTable(COLUMNS, id="customer-results", classes="-active-cursor")
        yield Static(PROMPT, id="customer-search-status", markup=False)

    def on_mount(self) -> None:
        """Search for the initial text, if any."""
        if self._initial.strip():
            self._start_search(self._initial)

    # -- public ----------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a search is running or waiting to run."""
        return self._in_flight or self._wanted is not None

    @property
    def highlighted(self) -> CustomerSummary | None:
        """The customer under the highlight, if any."""
        key = self.table.highlighted_key
        return self._results.get(key) if key is not None else None

    @property
    def table(self) -> PagedTable:
        """The results table."""
        return self.query_one("#customer-results", PagedTable)

    @property
    def query_input(self) -> Input:
        """The search box."""
        return self.query_one("#customer-query", Input)

    def choose(self) -> None:
        """Choose the highlighted customer; if a search is still running, its first result."""
        if self.busy:
            # Enter typed before the results: it takes the first, and what is typed after it
            # (an "o" for the order, a SKU...) waits for the screen that customer opens, not
            # going into this box (it would change the search, and nothing would open).
            self._choose_when_ready = True
            if self._searching is not None:
                hold_keys_while(self._searching)
            return
        customer = self.highlighted
        if customer is not None:
            self.post_message(self.CustomerChosen(self, customer))

    def refresh_results(self) -> None:
        """Run the current search again (records may have changed), keeping the highlight."""
        if self._query:
            self._run(self._query, keep=self.table.highlighted_key)

    def focus_query(self) -> None:
        """Put the cursor in the search box."""
        self.query_input.focus()

    # -- events ----------------------------------------------------------------------------------

    @on(Input.Changed, "#customer-query")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._start_search(event.value)

    @on(Input.Submitted, "#customer-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.choose()

    @on(PagedTable.RowSelected, "#customer-results")
    def _row_selected(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        self.choose()

    @on(PagedTable.MoreWanted, "#customer-results")
    def _more_wanted(self, event: PagedTable.MoreWanted) -> None:
        event.stop()
        self._load_more()

    def action_move(self, step: int) -> None:
        """Move the highlight from the search box."""
        if step > 0:
            self.table.action_cursor_down()
        else:
            self.table.action_cursor_up()

    def action_page(self, step: int) -> None:
        """Page the results from the search box (PageDown on the last row loads more)."""
        if step > 0:
            self.table.action_page_down()
        else:
            self.table.action_page_up()

    # -- searching -------------------------------------------------------------------------------

    def _start_search(self, text: str) -> None:
        self._run(text, keep=None)

    def _run(self, text: str, keep: str | None, after: SearchPosition | None = None) -> None:
        """Search for ``text`` now, or when the search in flight answers (its answer is dropped)."""
        self._query = text
        self._sequence += 1
        if not text.strip():
            self._wanted = None
            self._choose_when_ready = False
            self._results = {}
            self.table.set_rows([], has_more=False)
            self._status(PROMPT)
            return
        self._wanted = _Wanted(self._sequence, text, keep, after)
        if not self._in_flight:
            self._launch()

    def _launch(self) -> None:
        wanted = self._wanted
        if wanted is None:
            return
        self._wanted = None
        self._in_flight = True
        app = shell(self.app)
        self._searching = run_service(
            self,
            # ``app.services`` is read in the worker: it waits while the database is still opening.
            lambda: app.services.customers.search_page(wanted.text, PAGE_SIZE, wanted.after),
            lambda page: self._answered(wanted, page),
            lambda error: self._failed(wanted, str(error)),
            group="customer-search",
            exclusive=False,
            hold_keys=self._choose_when_ready,  # the search an early Enter waits for
        )

    def _load_more(self) -> None:
        if self.busy or not self.table.has_more or self._next is None:
            return
        self._run(self._query, keep=None, after=self._next)

    def _answered(self, wanted: _Wanted, page: CustomerPage) -> None:
        self._in_flight = False
        if self._wanted is not None:
            self._launch()  # the operator typed on: this answer is stale, search the newest text
        elif wanted.sequence == self._sequence:
            self._show(page, wanted.keep, append=wanted.after is not None)

    def _show(self, page: CustomerPage, keep: str | None, append: bool) -> None:
        rows, has_more = page.customers, page.next is not None
        self._next = page.next
        region = shell(self.app).services.context.settings.phone_region
        if not append:
            self._results = {}
        for row in rows:
            self._results[str(row.id)] = row
        table_rows = [(str(row.id), _cells(row, region)) for row in rows]
        if append:
            self.table.append_rows(table_rows, has_more=has_more)
        else:
            self.table.set_rows(table_rows, has_more=has_more, keep_key=keep)
        shown = self.table.loaded
        if not shown:
            self._status(NO_MATCH)
        elif has_more:
            self._status(f"{shown} shown, more on PageDown at the bottom")
        else:
            self._status(f"{shown} customer{'s' if shown != 1 else ''}")
        if self._choose_when_ready:
            self._choose_when_ready = False
            self.choose()

    def _failed(self, wanted: _Wanted, message: str) -> None:
        self._in_flight = False
        if self._wanted is not None:
            self._launch()
            return
        if wanted.sequence != self._sequence:
            return
        self._choose_when_ready = False
        self._status(message)

    def _status(self, text: str) -> None:
        self.query_one("#customer-search-status", Static).update(text)


@dataclass(frozen=True, slots=True)
class _Wanted:
    """One search to run: its place in the typing order, text, highlight to keep, and the
    position its page starts after (``None``: the first page).
    """

    sequence: int
    text: str
    keep: str | None
    after: SearchPosition | None


def _cells(row: CustomerSummary, region: str) -> tuple[str, ...]:
    # Imported here: phonenumbers' metadata takes a noticeable part of start-up, and the first
    # screen has no rows to format until the database is open.
    from oms_core.services.contact import display_phone

    name = f"{row.last_name}, {row.first_name}" if row.first_name and row.last_name else row.name
    return (
        row.number,
        name,
        row.company,
        row.email,
        display_phone(row.phone, region),
        row.city,
        row.state,
        row.type_code.title(),
    )
