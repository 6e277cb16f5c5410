"""Bulk Order (F6): the same items for many customers, each paying for their own order.

``BulkOrdersScreen`` lists the bulk orders (newest first); ``n`` makes one: a name and a shipping
method, then the items in the Quick Order Pad. ``BulkOrderScreen`` is one bulk order: add customers
from the search (``a``), a whole customer type (``t``) or a pasted list of numbers and emails
(``v``); change the items (``i``) or the shipping (``m``); preview each customer's order (``p``);
F9 places the orders with a progress bar; ``s`` stops; ``e`` exports the results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from oms_core.domain.quick_pad import format_items
from oms_core.services.batch_jobs import BatchView, RunProgress, RunReport
from oms_core.services.bulk import BulkOrderService, MembersAdded
from oms_tui.screens.batch_base import BatchScreen, batch_bindings
from oms_tui.screens.batch_new import NewBatch, NewBatchScreen
from oms_tui.screens.quick_pad import QuickPadScreen
from oms_tui.shell import OmsShell, shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import safe
from oms_tui.widgets.batch_tables import BatchList
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.paged_table import PagedTable
from oms_tui.work import run_service

if TYPE_CHECKING:
    from collections.abc import Callable


class BulkOrdersScreen(Screen[None]):
    """Every bulk order, newest first; Enter opens one, ``n`` makes a new one."""

    CSS_PATH = STYLES / "batches.tcss"
    BINDINGS = [
        Binding("n", "new", "New bulk order", id="bulk_new"),
        Binding("enter", "open", "Open", id="bulk_open"),
        Binding("escape", "back", "Back", id="bulk_back"),
    ]

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    def compose(self) -> ComposeResult:
        """Title, the list, keys."""
        yield Static("Bulk orders", classes="title", markup=False)
        yield BatchList(id="batch-list")
        yield Static(
            "n makes a bulk order: a name, the shipping, then the items.", classes="hint", markup=False
        )
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        """(Re)load the list whenever it comes back on top."""
        bulk = self.oms.services.bulk
        table = self.query_one(BatchList)
        table.load(bulk.list)
        table.focus()

    def on_paged_table_row_selected(self, event: PagedTable.RowSelected) -> None:
        """Enter on a row."""
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """Open the highlighted bulk order."""
        key = self.query_one(PagedTable).highlighted_key
        if key is not None:
            self.oms.open_bulk_order(int(key))

    def action_new(self) -> None:
        """``n``: name and shipping, then the items, then the bulk order is made and opened."""
        cart = self.oms.services.cart
        run_service(self, cart.shipping_methods, self._ask_details, group="bulk-new")

    def _ask_details(self, methods: list[tuple[str, str]]) -> None:
        default = self.oms.services.context.settings.default_shipping_method
        self.app.push_screen(
            NewBatchScreen("New bulk order", methods, default_method=default), self._ask_items
        )

    def _ask_items(self, details: NewBatch | None) -> None:
        if details is None:
            return

        def chosen(items: list[tuple[str, int]] | None) -> None:
            if items:
                self._create(details, items)

        self.app.push_screen(QuickPadScreen(title=f"Items for {details.name}"), chosen)

    def _create(self, details: NewBatch, items: list[tuple[str, int]]) -> None:
        bulk = self.oms.services.bulk
        run_service(
            self,
            lambda: bulk.create(details.name, items, details.shipping_method),
            lambda view: self.oms.open_bulk_order(view.id),
            group="bulk-new",
        )

    def action_back(self) -> None:
        """Esc: back to where F6 was pressed."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


class BulkOrderScreen(BatchScreen):
    """One bulk order: its customers, items, shipping, preview, run and results."""

    KIND_TITLE = "Bulk order"
    BINDINGS = batch_bindings(
        "Run",
        [
            Binding("a", "add_search", "Add", id="bulk_add"),
            Binding("t", "add_type", "Type", id="bulk_add_type"),
            Binding("v", "add_paste", "Paste", id="bulk_paste"),
            Binding("delete", "remove", "Remove", id="bulk_remove"),
            Binding("i", "items", "Items", id="bulk_items"),
            Binding("m", "shipping", "Ship", id="bulk_shipping"),
        ],
    )

    @property
    def service(self) -> BulkOrderService:
        """Bulk orders."""
        return self.oms.services.bulk

    def job(self, progress: Callable[[RunProgress], None], should_stop: Callable[[], bool]) -> RunReport:
        """Run the bulk order."""
        return self.service.run(self.batch_id, progress, should_stop)

    # -- customers -------------------------------------------------------------------------------

    def action_add_search(self) -> None:
        """``a``: search and add customers one by one."""
        from oms_tui.screens.bulk_customers import CustomerPickScreen

        self.app.push_screen(CustomerPickScreen(self.batch_id))

    def action_add_type(self) -> None:
        """``t``: add every active customer of a type."""
        from oms_tui.screens.bulk_customers import TypePickScreen

        customers = self.oms.services.customers

        def picked(code: str | None) -> None:
            if code:
                self._added(lambda: self.service.add_customer_type(self.batch_id, code))

        run_service(
            self, customers.customer_types, lambda types: self.app.push_screen(TypePickScreen(types), picked)
        )

    def action_add_paste(self) -> None:
        """``v``: add the customers of a pasted list of numbers and emails."""
        from oms_tui.screens.bulk_customers import PasteListScreen

        def pasted(text: str | None) -> None:
            if text:
                self._added(lambda: self.service.add_pasted(self.batch_id, text))

        self.app.push_screen(PasteListScreen(), pasted)

    def _added(self, call: Callable[[], MembersAdded]) -> None:
        def done(result: MembersAdded) -> None:
            message = f"Added {result.added:,}"
            if result.already:
                message += f"; {result.already:,} were in already"
            if result.unknown:
                unknown = ", ".join(safe(token) for token in result.unknown[:8])
                more = f" and {len(result.unknown) - 8} more" if len(result.unknown) > 8 else ""
                message += f"; not found: {unknown}{more}"
            self.notify(message, severity="warning" if result.unknown else "information", timeout=10)
            self.load()

        run_service(self, call, done, self.failed)

    def action_remove(self) -> None:
        """Delete: take the highlighted customer out (not when their order was placed)."""
        if self.mode != "results":
            self.notify("Press r for the members, then Delete on one")
            return
        key = self.members.table.highlighted_key
        if key is None:
            return

        def removed(count: int) -> None:
            self.notify("Removed" if count else "That customer's order was placed: it stays")
            self.load()

        run_service(
            self, lambda: self.service.remove_customers(self.batch_id, [int(key)]), removed, self.failed
        )

    # -- items and shipping ---------------------------------------------------------------------

    def action_items(self) -> None:
        """``i``: change the items in the pad (orders already placed keep theirs)."""
        view = self.view
        if view is None:
            return

        def chosen(items: list[tuple[str, int]] | None) -> None:
            if items:
                run_service(
                    self, lambda: self.service.update(self.batch_id, lines=items), self._updated, self.failed
                )

        pad = QuickPadScreen(text=format_items(view.lines), title=f"Items for {view.name}")
        self.app.push_screen(pad, chosen)

    def action_shipping(self) -> None:
        """``m``: choose the shipping method."""
        run_service(self, self.oms.services.cart.shipping_methods, self._ask_shipping)

    def _ask_shipping(self, methods: list[tuple[str, str]]) -> None:
        view = self.view
        if view is None:
            return

        def chosen(details: NewBatch | None) -> None:
            if details is not None:
                method = details.shipping_method
                run_service(
                    self,
                    lambda: self.service.update(self.batch_id, name=details.name, shipping_method=method),
                    self._updated,
                    self.failed,
                )

        self.app.push_screen(
            NewBatchScreen("Name and shipping", methods, default_method=view.shipping_method, name=view.name),
            chosen,
        )

    def _updated(self, view: BatchView) -> None:
        self.show_view(view)
        if self.mode == "preview":
            self.action_preview()
