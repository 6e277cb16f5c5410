"""Orders (F3): every placed order, newest first, a page at a time, with filters.

Filters: status (or on hold), source, operator, placed from / to (11/28/2026, 11/28, today, +3 or 2026-11-28),
customer number and order number. A choice from a list applies at once; typed filters apply after
a short pause (a date half typed is not yet a mistake). Enter in a filter moves to the next one
(from the last, to the table); Enter on a row opens the order. PageDown on the last row loads the
page after it (keyset paging, so the hundredth page costs what the first does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Input, Label, Select, Static

from oms_core.domain.dates import parse_typed_date
from oms_core.domain.errors import NotFound
from oms_core.domain.orders import OrderSource, OrderStatus
from oms_core.read_models import OrderFilter, OrderPosition, OrderSummary
from oms_tui.shell import OmsShell, shell
from oms_tui.stylesheets import STYLES
from oms_tui.widgets.fields import FormSelect
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.order_rows import ORDER_COLUMNS, order_cells
from oms_tui.widgets.paged_table import PagedTable
from oms_tui.work import run_service

PAGE_SIZE = 50
DEBOUNCE_SECONDS = 0.3
ON_HOLD = "on hold"
"""The status list's choice for held orders (any status): OrderFilter.on_hold."""
STATUSES = (
    ("Any", ""),
    ("On hold", ON_HOLD),
    *((status.label.capitalize(), status.value) for status in OrderStatus if status is not OrderStatus.DRAFT),
)
SOURCES = (("Any", ""), *((source.value.title(), source.value) for source in OrderSource))
FILTER_INPUTS = ("operator-filter", "placed-from", "placed-to", "customer-number", "order-number")


@dataclass(frozen=True, slots=True)
class Filters:
    """The filter bar as typed, before the customer number is looked up."""

    status: str = ""
    placed_from: date | None = None
    placed_to: date | None = None
    customer_number: str = ""
    number: int | None = None
    source: str = ""
    operator: str = ""
    on_hold: bool = False

    def order_filter(self, customer_id: int | None) -> OrderFilter:
        """The service's filter; dates cover whole days in local time (``placed_to`` is exclusive)."""
        start = datetime.combine(self.placed_from, time.min).astimezone() if self.placed_from else None
        end = None
        if self.placed_to:
            end = datetime.combine(self.placed_to + timedelta(days=1), time.min).astimezone()
        return OrderFilter(
            status=self.status or None,
            on_hold=self.on_hold,
            customer_id=customer_id,
            number=self.number,
            placed_from=start,
            placed_to=end,
            source=self.source or None,
            operator=self.operator or None,
        )


def parse_day(text: str, today: date) -> date | None:
    """A typed date (``11/28``, ``today``, ``+3``, ``2026-11-26``: ``parse_typed_date``), or
    ``None`` when nothing is typed; raises ``ValueError`` with a message for anything else.
    """
    text = text.strip()
    return parse_typed_date(text, today) if text else None


class OrdersScreen(Screen[None]):
    """All orders, filtered; Enter opens one."""

    TITLE = "Orders"
    CSS_PATH = [STYLES / "orders.tcss"]
    AUTO_FOCUS = "#orders-table"
    BINDINGS = [
        Binding("enter", "next_filter", "Next", show=False, priority=True),
        Binding("f9", "open", "Open", id="open_order"),
        Binding("slash", "filters", "Filter", id="filter_orders"),
        Binding("escape", "back", "Back", id="back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None
        self._sequence = 0
        self._filters = Filters()
        self._customer_id: int | None = None
        self._last_row: OrderSummary | None = None

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    def compose(self) -> ComposeResult:
        """The filter bar, the table, a status line."""
        yield Header()
        with Horizontal(classes="order-filters"):
            yield Label("Status", classes="filter-label")
            # Form dropdowns: chosen by typing their first letters, the focused one marked by bars.
            yield FormSelect(STATUSES, value="", allow_blank=False, id="status-filter")
            yield Label("Source", classes="filter-label")
            yield FormSelect(SOURCES, value="", allow_blank=False, id="source-filter")
            yield Label("Operator", classes="filter-label")
            yield Input(placeholder="username", compact=True, id="operator-filter", max_length=64)
        with Horizontal(classes="order-filters", id="order-dates"):
            yield Label("From", classes="filter-label")
            yield Input(placeholder="11/28", compact=True, id="placed-from", max_length=10)
            yield Label("To", classes="filter-label")
            yield Input(placeholder="11/28", compact=True, id="placed-to", max_length=10)
            yield Label("Cust", classes="filter-label")
            yield Input(placeholder="C000123", compact=True, id="customer-number", max_length=10)
            yield Label("#", classes="filter-label")
            yield Input(placeholder="1042", compact=True, id="order-number", restrict=r"#?\d*", max_length=12)
        yield Static("", id="filter-error", classes="error", markup=False)
        yield PagedTable(ORDER_COLUMNS, id="orders-table")
        yield Static("", id="orders-status", classes="hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        """No filter error yet."""
        self.query_one("#filter-error").display = False

    def on_screen_resume(self) -> None:
        """Shown (first time, or back from an order that may have changed): load the first page."""
        self._load(self._filters, after=None, keep=self.query_one(PagedTable).highlighted_key)

    # -- filters ---------------------------------------------------------------------------------

    @on(Select.Changed, "#status-filter, #source-filter")
    def _choice_changed(self, event: Select.Changed) -> None:
        # A choice is complete when made: no pause.
        if self._timer is not None:
            self._timer.stop()
        self._apply_filters()

    @on(Input.Changed)
    def _filter_typed(self, event: Input.Changed) -> None:
        if event.input.id in FILTER_INPUTS:
            self._filters_changed()

    def action_next_filter(self) -> None:
        """Enter in a filter: the next filter, from the last one the table (at once, so keys
        typed ahead land where the operator meant them).
        """
        focused = self.focused
        if not isinstance(focused, Input) or focused.id not in FILTER_INPUTS:
            raise SkipAction()
        if focused.id == FILTER_INPUTS[-1]:
            self.query_one(PagedTable).focus()
        else:
            self.focus_next()

    def _filters_changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self._apply_filters)

    def _read_filters(self) -> Filters:
        def value(name: str) -> str:
            return self.query_one(f"#{name}", Input).value.strip()

        today = shell(self.app).services.context.clock.now().date()

        number = value("order-number").lstrip("#")
        choice = str(self.query_one("#status-filter", Select).value or "")
        on_hold = choice == ON_HOLD  # not a status: any held order, whatever its status
        return Filters(
            status="" if on_hold else choice,
            on_hold=on_hold,
            placed_from=parse_day(value("placed-from"), today),
            placed_to=parse_day(value("placed-to"), today),
            customer_number=value("customer-number"),
            number=int(number) if number else None,
            source=str(self.query_one("#source-filter", Select).value or ""),
            operator=value("operator-filter"),
        )

    def _apply_filters(self) -> None:
        self._timer = None
        try:
            filters = self._read_filters()
        except ValueError as error:
            self._show_error(str(error))
            return
        self._show_error("")
        self._filters = filters
        self._load(filters, after=None)

    def _show_error(self, message: str) -> None:
        line = self.query_one("#filter-error", Static)
        line.update(message)
        line.display = bool(message)

    # -- loading ---------------------------------------------------------------------------------

    def _load(self, filters: Filters, after: OrderPosition | None, keep: str | None = None) -> None:
        self._sequence += 1
        sequence = self._sequence
        services = self.oms.services

        def fetch() -> list[OrderSummary]:
            customer_id = None
            if filters.customer_number:
                customer_id = services.customers.get_by_number(filters.customer_number).id
            return services.orders.list(filters.order_filter(customer_id), PAGE_SIZE + 1, after)

        run_service(
            self,
            fetch,
            lambda rows: self._show(sequence, rows, append=after is not None, keep=keep),
            lambda error: self._failed(sequence, error),
            group="orders-list",
        )

    def _show(self, sequence: int, rows: list[OrderSummary], *, append: bool, keep: str | None) -> None:
        if sequence != self._sequence:
            return
        has_more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        if rows or not append:
            self._last_row = rows[-1] if rows else None
        table_rows = [(str(o.id), order_cells(o)) for o in rows]
        table = self.query_one(PagedTable)
        if append:
            table.append_rows(table_rows, has_more=has_more)
        else:
            table.set_rows(table_rows, has_more=has_more, keep_key=keep)
        shown = table.loaded
        status = self.query_one("#orders-status", Static)
        if not shown:
            status.update("No orders match these filters.")
        elif has_more:
            status.update(f"{shown} orders shown, more on PageDown at the bottom. / edits the filters.")
        else:
            status.update(f"{shown} order{'s' if shown != 1 else ''}. / edits the filters.")

    def _failed(self, sequence: int, error: Exception) -> None:
        if sequence != self._sequence:
            return
        if isinstance(error, NotFound):
            self.query_one(PagedTable).set_rows([], has_more=False)
        self._show_error(str(error))

    @on(PagedTable.MoreWanted, "#orders-table")
    def _more(self, event: PagedTable.MoreWanted) -> None:
        event.stop()
        if self._last_row is not None:
            self._load(self._filters, after=OrderPosition.after(self._last_row))

    # -- keys ------------------------------------------------------------------------------------

    @on(PagedTable.RowSelected, "#orders-table")
    def _row_chosen(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        self.oms.open_order(int(event.row_key.value or 0))

    def action_open(self) -> None:
        """F9: open the highlighted order."""
        key = self.query_one(PagedTable).highlighted_key
        if key is not None:
            self.oms.open_order(int(key))

    def action_filters(self) -> None:
        """Jump to the filter bar."""
        self.query_one("#status-filter", Select).focus()

    def action_back(self) -> None:
        """Esc in the filters goes back to the table."""
        if self.focused is not self.query_one(PagedTable):
            self.query_one(PagedTable).focus()
