"""What a screen may ask of the running application: the services, who is working, and navigation.

Screens and widgets reach the app through ``shell(self.app)`` instead of importing
``oms_tui.app``: the app imports the screens it opens, so a screen importing the app back would
tie every screen and the app into one import cycle. ``OmsApp`` implements this protocol; an
import-linter contract keeps screens, widgets and the palette from importing the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from textual.app import App

    from oms_core.documents.office import OfficeDetails
    from oms_core.services.registry import Services


class OmsShell(Protocol):
    """The running oms application as screens see it."""

    operator: str
    import_folder: Path
    documents_folder: Path
    office_details: OfficeDetails
    max_import_rows: int

    @property
    def services(self) -> Services:
        """The services (waits while the database is still being opened)."""
        ...

    def open_customers(self) -> None:
        """The customer search (F2), as the root screen."""

    def open_customer(self, customer_id: int) -> None:
        """A customer's record."""

    def open_identify(self, draft_id: int | None = None) -> None:
        """Find or create the customer for a new order, or for ``draft_id``."""

    def open_cart(self, draft_id: int) -> None:
        """A draft's cart."""

    def open_checkout(self, draft_id: int) -> None:
        """A draft's checkout."""

    def open_orders(self) -> None:
        """The order list (F3), as the root screen."""

    def open_order(self, order_id: int) -> None:
        """A placed order."""

    def open_drafts(self) -> None:
        """This operator's open drafts (F5)."""

    def open_bulk_orders(self) -> None:
        """The bulk orders (F6)."""

    def open_bulk_order(self, batch_id: int) -> None:
        """One bulk order."""

    def open_club_shipments(self) -> None:
        """The club shipments (F7)."""

    def open_club_shipment(self, shipment_id: int) -> None:
        """One club shipment."""

    def open_import(self) -> None:
        """Import orders from a spreadsheet (F8)."""


def shell(app: App[object]) -> OmsShell:
    """The running ``app`` as an :class:`OmsShell` (screens only ever run inside ``OmsApp``)."""
    return cast(OmsShell, app)
