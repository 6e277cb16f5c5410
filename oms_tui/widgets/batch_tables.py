"""Tables of batch jobs: the batches themselves, a run's preview, and the members with their results.

Each is a :class:`PagedTable` fitted to the width; the members table loads a page at a time. A table
with a reason column shows the highlighted row's whole reason on a line below it (the column is
often cut at 80 columns).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from oms_core.domain.batches import MemberRow
from oms_core.domain.money import format_money, from_cents
from oms_core.read_models import TimePosition
from oms_core.services.batch_jobs import BatchPreview, BatchView, PreviewLine
from oms_tui.text import safe
from oms_tui.widgets.paged_table import ColumnSpec, PagedTable
from oms_tui.work import run_service

PAGE_SIZE = 100
LIST_PAGE = 50
"""Batches a page of the batch list shows (club shipments, bulk orders)."""

BATCH_COLUMNS = (
    ColumnSpec("id", "Id", width=5, justify="right"),
    ColumnSpec("name", "Name", weight=1, minimum=10),
    ColumnSpec("status", "Status", width=8),
    ColumnSpec("placed", "Placed", width=13, justify="right"),
    ColumnSpec("failed", "Failed", width=6, justify="right"),
    ColumnSpec("extra", "Club / ships", weight=1, minimum=8),
)
PREVIEW_COLUMNS = (
    ColumnSpec("number", "Customer", width=8),
    ColumnSpec("name", "Name", weight=3, minimum=8),
    ColumnSpec("ship", "Ship to", weight=2, minimum=8),
    ColumnSpec("payment", "Payment", width=10),
    ColumnSpec("total", "Total", width=9, justify="right"),
    ColumnSpec("problem", "Problem", weight=3, minimum=8),
)
MEMBER_COLUMNS = (
    ColumnSpec("number", "Customer", width=8),
    ColumnSpec("name", "Name", weight=3, minimum=8),
    ColumnSpec("customer", "Account", width=7),
    ColumnSpec("result", "Result", width=7),
    ColumnSpec("order", "Order", width=6, justify="right"),
    ColumnSpec("total", "Total", width=9, justify="right"),
    ColumnSpec("reason", "Reason", weight=3, minimum=8),
)
_RESULT_STYLE = {"placed": "green", "failed": "bold red", "skipped": "yellow", "pending": ""}


def batch_cells(view: BatchView) -> tuple[object, ...]:
    """One batch as a row of the batch list."""
    counts = view.counts
    extra = ""
    if view.club_type_code:
        extra = view.club_type_code + (f" {view.ship_date.isoformat()}" if view.ship_date else "")
    return (
        view.id,
        view.name,
        view.status,
        f"{counts.placed:,}/{counts.total:,}",
        f"{counts.failed:,}" if counts.failed else "",
        extra,
    )


class BatchList(PagedTable):
    """Batches newest first, a page at a time: PageDown (or Down) on the last row loads the page
    after it (keyset paging, :class:`TimePosition`), as the Orders screen does.

    ``load`` takes the function that reads a page: ``(limit, after) -> views``.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(BATCH_COLUMNS, id=id)
        self._fetch: Callable[[int, TimePosition | None], list[BatchView]] | None = None
        self._last: BatchView | None = None

    def load(self, fetch: Callable[[int, TimePosition | None], list[BatchView]]) -> None:
        """Show the first page again (the highlighted batch keeps the cursor if it is on it)."""
        self._fetch = fetch
        self._page(None)

    def on_paged_table_more_wanted(self, event: PagedTable.MoreWanted) -> None:
        """The next page."""
        event.stop()
        if self._last is not None:
            self._page(TimePosition.after(self._last))

    def _page(self, after: TimePosition | None) -> None:
        fetch = self._fetch
        if fetch is None:
            return
        run_service(
            self,
            lambda: fetch(LIST_PAGE + 1, after),
            lambda views: self._loaded(views, append=after is not None),
            group="batch-list-page",
        )

    def _loaded(self, views: list[BatchView], *, append: bool) -> None:
        more = len(views) > LIST_PAGE
        views = views[:LIST_PAGE]
        if views or not append:
            self._last = views[-1] if views else None
        rows = [(str(v.id), batch_cells(v)) for v in views]
        if append:
            self.append_rows(rows, has_more=more)
        else:
            self.set_rows(rows, has_more=more, keep_key=self.highlighted_key)


def preview_cells(line: PreviewLine) -> tuple[object, ...]:
    """One customer's order as a row of the preview."""
    ship = line.ship_to
    where = f"{ship.city}, {ship.state}" if ship is not None else ("pickup" if line.shipping_method else "")
    problem = (
        Text("; ".join(line.problems), style="bold red") if line.problems else Text("ready", style="green")
    )
    return (
        line.customer.number,
        line.customer.name,
        where,
        short_payment(line.payment_label),
        format_money(line.total) if not line.problems else "",
        problem,
    )


def short_payment(label: str) -> str:
    """``Visa ending 1111, exp 12/30`` -> ``Visa 1111``: what fits a column."""
    return label.split(",")[0].replace(" ending ", " ")


def member_detail(row: MemberRow) -> str:
    """The whole story of one member, for the line under the table."""
    if row.reason:
        return row.reason
    if row.order_number is not None:
        total = format_money(from_cents(row.order_total_cents)) if row.order_total_cents is not None else ""
        return f"Order {row.order_number} placed, {total}"
    return "Not tried yet"


def member_cells(row: MemberRow) -> tuple[object, ...]:
    """One member as a row of the results."""
    total = format_money(from_cents(row.order_total_cents)) if row.order_total_cents is not None else ""
    return (
        row.customer_number,
        row.customer_name,
        row.customer_status.replace("_", " "),
        Text(row.status.value, style=_RESULT_STYLE.get(row.status.value, "")),
        row.order_number or "",
        total,
        row.reason,
    )


class DetailTable(Vertical):
    """A table and, under it, the whole reason (or problem) of the highlighted row."""

    DEFAULT_CSS = """
    DetailTable {
        height: 1fr;
    }
    DetailTable > .detail-line {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(self, columns: tuple[ColumnSpec, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._columns = columns
        self._details: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        """The table and its detail line."""
        yield PagedTable(self._columns)
        yield Static("", classes="detail-line", markup=False)

    @property
    def table(self) -> PagedTable:
        """The rows."""
        return self.query_one(PagedTable)

    def set_rows(self, rows: list[tuple[str, tuple[object, ...], str]], has_more: bool = False) -> None:
        """Replace the rows: (key, cells, detail)."""
        self._details = {key: detail for key, _, detail in rows}
        self.table.set_rows([(key, cells) for key, cells, _ in rows], has_more=has_more)
        self._show(self.table.highlighted_key)

    def append_rows(self, rows: list[tuple[str, tuple[object, ...], str]], has_more: bool) -> None:
        """Add the next page."""
        self._details.update((key, detail) for key, _, detail in rows)
        self.table.append_rows([(key, cells) for key, cells, _ in rows], has_more=has_more)

    @on(PagedTable.RowHighlighted)
    def _highlighted(self, event: PagedTable.RowHighlighted) -> None:
        event.stop()
        self._show(self.table.highlighted_key)

    def _show(self, key: str | None) -> None:
        detail = self._details.get(key, "") if key is not None else ""
        self.query_one(".detail-line", Static).update(Text(safe(detail)))


def preview_rows(preview: BatchPreview) -> list[tuple[str, tuple[object, ...], str]]:
    """Rows for a ``DetailTable`` of a preview; the detail is the customer's whole problem list."""
    rows = []
    for line in preview.rows:
        detail = "; ".join(line.problems) if line.problems else _ship_text(line)
        rows.append((str(line.customer.id), preview_cells(line), detail))
    return rows


def _ship_text(line: PreviewLine) -> str:
    ship = line.ship_to.one_line() if line.ship_to is not None else "held for pickup"
    return f"{ship}; {line.payment_label}; total {format_money(line.total)}"


class MemberTable(DetailTable):
    """The members of a batch with their results, a page at a time (PageDown at the end for more).

    ``load`` takes the function that reads a page: ``(status, limit, after_customer) -> rows``, the
    page after the member ``after_customer`` (``None`` for the first page; keyset paging).
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(MEMBER_COLUMNS, id=id)
        self._fetch: Callable[[str | None, int, int | None], list[MemberRow]] | None = None
        self.status: str | None = None
        self._last_customer: int | None = None

    def load(
        self, fetch: Callable[[str | None, int, int | None], list[MemberRow]], status: str | None = None
    ) -> None:
        """Show the first page of members (all, or in one status)."""
        self._fetch, self.status = fetch, status
        self._page(None)

    def on_paged_table_more_wanted(self, event: PagedTable.MoreWanted) -> None:
        """The next page."""
        event.stop()
        if self._last_customer is not None:
            self._page(self._last_customer)

    def _page(self, after: int | None) -> None:
        fetch, status = self._fetch, self.status
        if fetch is None:
            return
        run_service(
            self,
            lambda: fetch(status, PAGE_SIZE + 1, after),
            lambda rows: self._loaded(rows, append=after is not None),
            group="member-page",
        )

    def _loaded(self, rows: list[MemberRow], *, append: bool) -> None:
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        if rows or not append:
            self._last_customer = rows[-1].customer_id if rows else None
        shaped = [(str(r.customer_id), member_cells(r), member_detail(r)) for r in rows]
        if append:
            self.append_rows(shaped, has_more=more)
        else:
            self.set_rows(shaped, has_more=more)
