"""The commands reachable from every screen, declared once.

The app's key bindings, the command palette's navigation entries and the F1 help's key table are
all built from :data:`GLOBAL_COMMANDS`, so a key cannot be added, renamed or moved in one of them
and forgotten in the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True, slots=True)
class GlobalCommand:
    """One command every screen offers.

    Attributes:
        key: the Textual key that runs it (``"f2"``).
        action: the app's action (``action_<action>``); also the binding's id, so a user keymap
            can rebind it.
        title: its short name: the binding's description and the palette entry.
        help: what the F1 help says it does.
        palette: the palette's line under the title; empty when it is not in the palette.
        in_footer: shown in every screen's footer after its own keys (only F1: the rest are in the
            help and the palette).
        priority: runs even when the focused widget would take the key.
    """

    key: str
    action: str
    title: str
    help: str
    palette: str = ""
    in_footer: bool = False
    priority: bool = False

    @property
    def key_label(self) -> str:
        """The key as the help and the palette name it: ``F2``, ``ctrl+q``."""
        return self.key.upper() if self.key.startswith("f") and self.key[1:].isdigit() else self.key

    @property
    def palette_help(self) -> str:
        """The palette's help line, naming the key: ``Search customers (F2)``."""
        return f"{self.palette} ({self.key_label})"

    def binding(self) -> Binding:
        """The app-level binding."""
        return Binding(
            self.key, self.action, self.title, id=self.action, show=self.in_footer, priority=self.priority
        )


GLOBAL_COMMANDS: tuple[GlobalCommand, ...] = (
    GlobalCommand("f1", "help", "Help", "this help", in_footer=True),
    GlobalCommand("f2", "customers", "Customers", "Customers (search)", "Search customers"),
    GlobalCommand("f3", "orders", "Orders", "Orders", "All orders"),
    GlobalCommand(
        "f4",
        "new_order",
        "New order",
        "New order: find or create the customer",
        "Find or create the customer, then add items",
    ),
    GlobalCommand(
        "f5", "drafts", "My drafts", "My drafts: resume an order in progress", "Resume an order in progress"
    ),
    GlobalCommand(
        "f6",
        "bulk_orders",
        "Bulk order",
        "Bulk order: the same items for many customers, each paying for their own",
        "The same items for many customers, each paying",
    ),
    GlobalCommand(
        "f7",
        "club_shipments",
        "Club shipments",
        "Club shipments: one order per club member, on their card on file",
        "One order per club member, on their card",
    ),
    GlobalCommand(
        "f8",
        "import_orders",
        "Import orders",
        "Import orders from a spreadsheet (one purchaser, one order per recipient row)",
        "Orders from a spreadsheet, one per recipient",
    ),
    GlobalCommand("ctrl+q", "quit", "Quit", "quit (drafts are already saved)", priority=True),
)


def app_bindings() -> list[Binding]:
    """The app's bindings, one per global command."""
    return [command.binding() for command in GLOBAL_COMMANDS]


def palette_commands() -> tuple[GlobalCommand, ...]:
    """The global commands the palette offers, in the table's order."""
    return tuple(command for command in GLOBAL_COMMANDS if command.palette)
