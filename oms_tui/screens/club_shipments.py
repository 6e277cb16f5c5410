"""Club Shipments (F7): one order per active club member, at the club's prices, on their card.

``ClubShipmentsScreen`` lists the shipments (newest first) with the clubs and their membership;
``n`` makes one: a name, the club, the ship date and the shipping, then the items in the Quick
Order Pad (priced for the club). ``ClubShipmentScreen`` is one shipment: its members with their
status (``f`` shows those not placed), F9 processes it with a progress bar and, run again, retries
the members that failed once their card, address or stock is fixed; ``s`` stops; ``e`` exports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from oms_core.domain.quick_pad import format_items
from oms_core.services.batch_jobs import BatchView, RunProgress, RunReport
from oms_core.services.clubs import ClubService, ClubView
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


class ClubShipmentsScreen(Screen[None]):
    """Every club shipment, newest first; Enter opens one, ``n`` makes a new one."""

    CSS_PATH = STYLES / "batches.tcss"
    BINDINGS = [
        Binding("n", "new", "New shipment", id="club_new"),
        Binding("enter", "open", "Open", id="club_open"),
        Binding("escape", "back", "Back", id="club_back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.clubs: list[ClubView] = []

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    def compose(self) -> ComposeResult:
        """Title, the clubs, the list of shipments, keys."""
        yield Static("Club shipments", classes="title", markup=False)
        yield Static("", id="club-summary", classes="hint", markup=False)
        yield BatchList(id="batch-list")
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        """(Re)load the clubs and the shipments whenever the list comes back on top."""
        clubs = self.oms.services.clubs
        run_service(self, clubs.clubs, self._show, group="club-list")
        table = self.query_one(BatchList)
        table.load(clubs.list)
        table.focus()

    def _show(self, loaded: list[ClubView]) -> None:
        self.clubs = loaded
        summary = "   ".join(
            f"{safe(c.name)} ({safe(c.code)}): {c.active:,} active, {c.on_hold:,} on hold" for c in self.clubs
        )
        summary = summary or "No clubs: mark a customer type as a club"
        self.query_one("#club-summary", Static).update(Text(summary))

    def on_paged_table_row_selected(self, event: PagedTable.RowSelected) -> None:
        """Enter on a row."""
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """Open the highlighted shipment."""
        key = self.query_one(PagedTable).highlighted_key
        if key is not None:
            self.oms.open_club_shipment(int(key))

    def action_new(self) -> None:
        """``n``: name, club, ship date and shipping, then the items; then it is made and opened."""
        if not self.clubs:
            self.notify("There is no club yet", severity="warning")
            return
        cart = self.oms.services.cart
        run_service(self, cart.shipping_methods, self._ask_details, group="club-new")

    def _ask_details(self, methods: list[tuple[str, str]]) -> None:
        clubs = [(c.code, c.name) for c in self.clubs]
        default = self.oms.services.context.settings.default_shipping_method
        dialog = NewBatchScreen("New club shipment", methods, clubs=clubs, default_method=default)
        self.app.push_screen(dialog, self._ask_items)

    def _ask_items(self, details: NewBatch | None) -> None:
        if details is None:
            return

        def chosen(items: list[tuple[str, int]] | None) -> None:
            if items:
                self._create(details, items)

        pad = QuickPadScreen(type_code=details.club, title=f"Items for {details.name} (club prices)")
        self.app.push_screen(pad, chosen)

    def _create(self, details: NewBatch, items: list[tuple[str, int]]) -> None:
        clubs = self.oms.services.clubs
        run_service(
            self,
            lambda: clubs.create_shipment(
                details.name, details.club or "", items, details.ship_date, details.shipping_method
            ),
            lambda view: self.oms.open_club_shipment(view.id),
            group="club-new",
        )

    def action_back(self) -> None:
        """Esc: back to where F7 was pressed."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


class ClubShipmentScreen(BatchScreen):
    """One shipment: its members and their status, processing, retries and the results."""

    KIND_TITLE = "Club shipment"
    NOUN = "club order"
    BINDINGS = batch_bindings(
        "Process",
        [
            Binding("i", "items", "Items", id="club_items"),
            Binding("m", "shipping", "Details", id="club_details"),
        ],
    )

    @property
    def service(self) -> ClubService:
        """Club shipments."""
        return self.oms.services.clubs

    def job(self, progress: Callable[[RunProgress], None], should_stop: Callable[[], bool]) -> RunReport:
        """Process the shipment (again: the members not placed)."""
        return self.service.process(self.batch_id, progress, should_stop)

    def describe(self, view: BatchView) -> str:
        """Club, ship date and shipping."""
        when = view.ship_date.isoformat() if view.ship_date else "no date"
        return f"Club: {view.club_type_code}   Ships: {when}   Shipping: {view.shipping_method} (or pickup)"

    def action_items(self) -> None:
        """``i``: change the items (orders already placed keep theirs)."""
        view = self.view
        if view is None:
            return

        def chosen(items: list[tuple[str, int]] | None) -> None:
            if items:
                update = self.service.update_shipment
                run_service(self, lambda: update(self.batch_id, lines=items), self._updated, self.failed)

        pad = QuickPadScreen(
            type_code=view.club_type_code, text=format_items(view.lines), title=f"Items for {view.name}"
        )
        self.app.push_screen(pad, chosen)

    def action_shipping(self) -> None:
        """``m``: the name, ship date and shipping."""
        run_service(self, self.oms.services.cart.shipping_methods, self._ask_details)

    def _ask_details(self, methods: list[tuple[str, str]]) -> None:
        view = self.view
        if view is None:
            return
        club = view.club_type_code or ""

        def chosen(details: NewBatch | None) -> None:
            if details is not None:
                run_service(
                    self,
                    lambda: self.service.update_shipment(
                        self.batch_id,
                        name=details.name,
                        ship_date=details.ship_date,
                        shipping_method=details.shipping_method,
                    ),
                    self._updated,
                    self.failed,
                )

        dialog = NewBatchScreen(
            "Shipment details",
            methods,
            clubs=[(club, club)],
            default_method=view.shipping_method,
            name=view.name,
            ship_date=view.ship_date,
            club=club,
        )
        self.app.push_screen(dialog, chosen)

    def _updated(self, view: BatchView) -> None:
        self.show_view(view)
        if self.mode == "preview":
            self.action_preview()
