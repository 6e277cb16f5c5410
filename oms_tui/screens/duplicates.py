"""The possible-duplicates dialog: use a customer already on file, or create the new one anyway."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from oms_core.read_models import CustomerSummary
from oms_core.services.contact import display_phone
from oms_tui.shell import shell
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.paged_table import ColumnSpec, PagedTable

COLUMNS = (
    ColumnSpec("number", "Number", width=7),
    ColumnSpec("name", "Name", weight=3, minimum=10),
    ColumnSpec("email", "Email", weight=3, minimum=10),
    ColumnSpec("phone", "Phone", width=14),
    ColumnSpec("city", "City", weight=1, minimum=6),
)


@dataclass(frozen=True, slots=True)
class DuplicateChoice:
    """What the operator decided: ``customer_id`` to use that customer, ``None`` to create anyway."""

    customer_id: int | None


class DuplicatesDialog(ModalScreen[DuplicateChoice | None]):
    """Customers on file with the same email or phone as the one being created."""

    DEFAULT_CSS = """
    DuplicatesDialog #duplicates-dialog { height: auto; max-height: 18; }
    DuplicatesDialog PagedTable { height: auto; max-height: 8; }
    """

    BINDINGS = [
        Binding("u", "use", "Use existing", id="use_existing"),
        Binding("n", "create", "Create anyway", id="create_anyway"),
        Binding("escape", "back", "Back to the form", id="back"),
    ]

    def __init__(self, duplicates: tuple[CustomerSummary, ...]) -> None:
        super().__init__()
        self.duplicates = duplicates

    def compose(self) -> ComposeResult:
        """The message, the customers on file, the keys."""
        with Vertical(classes="dialog", id="duplicates-dialog"):
            yield Label("Possible duplicate", classes="title")
            yield Static(
                "A customer with this email or phone is already on file. Enter or u uses the "
                "highlighted one; n creates the new customer anyway.",
                classes="hint",
            )
            yield PagedTable(COLUMNS, id="duplicates-table")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Fill the table; the first customer is highlighted."""
        region = shell(self.app).services.context.settings.phone_region
        table = self.query_one(PagedTable)
        table.set_rows(
            [
                (str(c.id), (c.number, c.name, c.email, display_phone(c.phone, region), c.city))
                for c in self.duplicates
            ],
            has_more=False,
        )
        table.focus()

    @on(PagedTable.RowSelected)
    def _selected(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        self.action_use()

    def action_use(self) -> None:
        """Use the highlighted customer instead of creating a new one."""
        key = self.query_one(PagedTable).highlighted_key
        if key is not None:
            self.dismiss(DuplicateChoice(int(key)))

    def action_create(self) -> None:
        """Create the new customer anyway."""
        self.dismiss(DuplicateChoice(None))

    def action_back(self) -> None:
        """Back to the form, nothing saved."""
        self.dismiss(None)
