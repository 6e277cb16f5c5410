"""The oms Textual application: global keys, navigation and the command palette."""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from rich.text import Text
from textual.app import App

from oms_core.documents.office import OfficeDetails
from oms_core.domain.errors import OmsError
from oms_tui.command_table import app_bindings
from oms_tui.keyboard import TypeAhead
from oms_tui.palette import OmsCommands
from oms_tui.stylesheets import STYLES

if TYPE_CHECKING:
    from oms_core.services.registry import Services

CONNECT_TIMEOUT_SECONDS = 120
MAIL_INTERVAL_SECONDS = 60
MAIL_BATCH = 50


class OmsApp(TypeAhead, App[None]):
    """Phone-order back office. F-keys are global; each screen's own keys show in the Footer.

    Implements :class:`oms_tui.shell.OmsShell`, through which screens reach it. Keys typed ahead
    wait their turn (``TypeAhead``): each is handled by the screen and field the key before it
    left the operator in.
    """

    TITLE = "oms"
    CSS_PATH = [STYLES / "app.tcss"]
    COMMANDS = App.COMMANDS | {OmsCommands}
    ENABLE_COMMAND_PALETTE = True
    # One binding per entry of the command table (the palette and the F1 help use it too). The
    # Footer shows the screen's own keys and F1; the other global keys are in the help and the
    # palette, since all of them do not fit beside a screen's keys at 80 columns.
    BINDINGS = app_bindings()

    def __init__(
        self,
        services: Services | None,
        operator: str = "",
        database: str = "",
        *,
        import_folder: Path | None = None,
        documents_folder: Path | None = None,
        office_details: OfficeDetails | None = None,
        max_import_rows: int = 20_000,
        connect: Callable[[], Services] | None = None,
    ) -> None:
        """Run on ready ``services``, or on those ``connect`` builds once the first screen shows.

        With ``connect``, the database is opened (schema upgraded, storage imported) in a
        background thread after the first screen is up, so the operator can start typing at
        once; a service call made before it is ready waits for it.
        """
        super().__init__()
        if services is None and connect is None:
            raise ValueError("OmsApp needs services or a way to connect")
        self._services = services
        self._open_services = connect
        self._open_error = ""
        self._services_ready = threading.Event()
        if services is not None:
            self._services_ready.set()
        self.import_folder = import_folder or Path.home()
        self.documents_folder = documents_folder or Path.home()
        self.office_details = office_details or OfficeDetails()
        self.max_import_rows = max_import_rows
        self.operator = operator or (services.context.operator_username if services else "")
        self.database = database
        self.sub_title = f"{self.operator}"

    @property
    def services(self) -> Services:
        """The services; while the database is still being opened, waits for it.

        Raises:
            OmsError: the database could not be opened.
        """
        if self._services is None:
            self._services_ready.wait(CONNECT_TIMEOUT_SECONDS)
            if self._services is None:
                raise OmsError(self._open_error or "the database did not answer")
        return self._services

    def on_mount(self) -> None:
        """Start on the Customers screen: most calls begin with finding the caller."""
        self.open_customers()
        if self._services is None and self._open_services is not None:
            # Once the first screen is drawn: opening the database imports the storage and the
            # services, and in a thread beside the first paint it slowed the paint (one interpreter
            # lock) more than it gained.
            self.screen.call_after_refresh(self._start_connecting)
        self._remind_drafts()
        self.set_interval(MAIL_INTERVAL_SECONDS, self._send_mail)

    def _start_connecting(self) -> None:
        threading.Thread(target=self._open_database, name="oms-connect", daemon=True).start()

    def _open_database(self) -> None:
        connect = self._open_services
        assert connect is not None
        try:
            self._services = connect()
        except Exception as error:  # noqa: BLE001 - reported as one line, then the app exits
            self._open_error = (
                str(error)
                if isinstance(error, OmsError)
                else (f"cannot open the database ({type(error).__name__}: {error})")
            )
            # Text, not a str: Textual prints an exit message as Rich markup, and a path or a
            # server's message may hold brackets.
            message = Text(f"oms: error: {self._open_error}")
            # Exit after the screen that is mounting has been drawn, not in the middle of it.
            self.call_from_thread(lambda: self.call_after_refresh(self.exit, None, 1, message))
        finally:
            self._services_ready.set()
        self._reconcile_payments()

    def _reconcile_payments(self) -> None:
        """Finish payments a killed oms left half-way (still on the connecting thread, so the
        first screen never waits for the gateway); the operator is told only if something changed.
        """
        services = self._services
        if services is None:
            return
        try:
            report = services.payments.reconcile()
        except Exception:  # noqa: BLE001 - the office runs `oms payments reconcile` as well
            logging.getLogger("oms.tui").exception("reconciling interrupted payments failed")
            return
        if report.completed or report.voided or report.declined:
            message = f"Interrupted payments finished: {report.summary()}"
            self.call_from_thread(self.notify, message, title="Payments", markup=False)

    def _send_mail(self) -> None:
        """Send the office's due mail in the background, as every running oms does, so mail goes
        out within a minute even without cron. A server that is down only delays it (the outbox
        keeps it); nothing is shown to the operator, whose work never depends on mail.
        """
        services = self._services
        if services is None or not services.mail.configured:
            return
        if any(worker.group == "mail-sender" and worker.is_running for worker in self.workers):
            return  # the last round is still talking to a slow server
        self.run_worker(
            lambda: services.mail.send_due(MAIL_BATCH), group="mail-sender", thread=True, exit_on_error=False
        )

    def _remind_drafts(self) -> None:
        """Say so when this operator left orders in progress (a dropped connection, a crash)."""
        from oms_tui.work import run_service

        def remind(drafts: list[object]) -> None:
            if drafts:
                count = f"{len(drafts)} open draft{'s' if len(drafts) != 1 else ''}"
                self.notify(f"You have {count} — F5 to resume", title="My drafts", timeout=10)

        run_service(
            self, lambda: self.services.cart.my_drafts(), remind, lambda _error: None, group="drafts-reminder"
        )

    def _fatal_error(self) -> None:
        """Exit after an unhandled exception, showing the traceback WITHOUT local variables.

        Textual's default crash report prints locals, and a local may hold a card number being
        typed; ARCHITECTURE.md forbids that reaching the screen or a log.
        """
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        logging.getLogger("oms.tui").critical("the screens stopped on an unexpected error", exc_info=True)
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    # -- navigation: every screen opens through these, so keys and palette share them ---------

    def open_customers(self) -> None:
        """The customer search (F2)."""
        from oms_tui.screens.customers import CustomersScreen

        self._switch_to_root(CustomersScreen())

    def open_customer(self, customer_id: int) -> None:
        """A customer's record."""
        from oms_tui.screens.customer import CustomerScreen

        self.push_screen(CustomerScreen(customer_id))

    def open_identify(self, draft_id: int | None = None) -> None:
        """Find or create the customer for a new order (F4), or for ``draft_id``."""
        from oms_tui.screens.identify import IdentifyScreen

        self.push_screen(IdentifyScreen(draft_id))

    def open_cart(self, draft_id: int) -> None:
        """A draft's cart."""
        from oms_tui.screens.cart import CartScreen

        self.push_screen(CartScreen(draft_id))

    def open_checkout(self, draft_id: int) -> None:
        """A draft's checkout."""
        from oms_tui.screens.checkout import CheckoutScreen

        self.push_screen(CheckoutScreen(draft_id))

    def open_orders(self) -> None:
        """The order list (F3)."""
        from oms_tui.screens.orders import OrdersScreen

        self._switch_to_root(OrdersScreen())

    def open_order(self, order_id: int) -> None:
        """A placed order."""
        from oms_tui.screens.order import OrderScreen

        self.push_screen(OrderScreen(order_id))

    def open_drafts(self) -> None:
        """This operator's open drafts (F5)."""
        from oms_tui.screens.drafts import DraftsScreen

        self.push_screen(DraftsScreen())

    def open_bulk_orders(self) -> None:
        """The bulk orders (F6)."""
        from oms_tui.screens.bulk_order import BulkOrdersScreen

        self.push_screen(BulkOrdersScreen())

    def open_bulk_order(self, batch_id: int) -> None:
        """One bulk order."""
        from oms_tui.screens.bulk_order import BulkOrderScreen

        self.push_screen(BulkOrderScreen(batch_id))

    def open_club_shipments(self) -> None:
        """The club shipments (F7)."""
        from oms_tui.screens.club_shipments import ClubShipmentsScreen

        self.push_screen(ClubShipmentsScreen())

    def open_club_shipment(self, shipment_id: int) -> None:
        """One club shipment."""
        from oms_tui.screens.club_shipments import ClubShipmentScreen

        self.push_screen(ClubShipmentScreen(shipment_id))

    def open_import(self) -> None:
        """Import orders from a spreadsheet (F8)."""
        from oms_tui.screens.import_orders import ImportOrdersScreen

        self.push_screen(ImportOrdersScreen())

    def _switch_to_root(self, screen: object) -> None:
        # F2/F3 are "go home" keys: drop whatever stack is open so Esc never walks back
        # through a finished order.
        while len(self.screen_stack) > 1:
            self.pop_screen()
        if len(self.screen_stack) == 1 and type(self.screen).__name__ != "Screen":
            self.switch_screen(screen)  # type: ignore[arg-type]
        else:
            self.push_screen(screen)  # type: ignore[arg-type]

    # -- actions -------------------------------------------------------------------------------

    def action_help(self) -> None:
        """Show the keys (F1)."""
        from oms_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_customers(self) -> None:
        """Go to Customers (F2)."""
        self.open_customers()

    def action_orders(self) -> None:
        """Go to Orders (F3)."""
        self.open_orders()

    def action_new_order(self) -> None:
        """Start a new order: find or create the customer first (F4)."""
        self.open_identify()

    def action_drafts(self) -> None:
        """Resume one of my drafts (F5)."""
        self.open_drafts()

    def action_bulk_orders(self) -> None:
        """The same items for many customers (F6)."""
        self.open_bulk_orders()

    def action_club_shipments(self) -> None:
        """Club shipments (F7)."""
        self.open_club_shipments()

    def action_import_orders(self) -> None:
        """Import orders from a spreadsheet (F8)."""
        self.open_import()


NO_TERMINAL_MESSAGE = (
    "the screens need a terminal on standard input and standard error; "
    "start oms from a terminal or an SSH session, or run a command (oms --help)"
)


def has_terminal(stdin: TextIO | None, stderr: TextIO | None) -> bool:
    """Whether Textual can draw: it reads keys from standard input and draws on standard error.

    Without a terminal Textual would spin in its event loop for ever (under cron, CI or a pipe).
    """
    try:
        return bool(stdin and stderr and stdin.isatty() and stderr.isatty())
    except ValueError:  # a closed stream
        return False


class LaunchSettings(Protocol):
    """What the screens need from the command line's ``bootstrap.Config`` (the app never imports
    bootstrap, which would tie it to storage).
    """

    @property
    def database_url(self) -> str:
        """The database the screens work on."""
        ...

    @property
    def operator(self) -> str:
        """Who is at the keyboard."""
        ...

    @property
    def import_folder(self) -> Path:
        """Where the Import screen's file picker starts."""
        ...

    @property
    def documents_folder(self) -> Path:
        """Where the Order screen writes invoices and packing slips."""
        ...

    @property
    def office_details(self) -> OfficeDetails:
        """The sender block of documents."""
        ...

    @property
    def max_import_rows(self) -> int:
        """Spreadsheets with more data rows are refused."""
        ...


def run_connecting(config: LaunchSettings, connect: Callable[[], Services]) -> int:
    """Run the TUI at once and open the database behind the first screen; return the exit code.

    Args:
        config: the operator, database URL and import settings.
        connect: opens the database and builds the services (runs in a background thread).

    Raises:
        OmsError: there is no terminal to draw on.
    """
    if not has_terminal(sys.__stdin__, sys.__stderr__):
        raise OmsError(NO_TERMINAL_MESSAGE)

    def connect_then_settle() -> Services:
        services = connect()
        settle_heap()
        return services

    app = OmsApp(
        None,
        config.operator,
        config.database_url,
        import_folder=config.import_folder,
        documents_folder=config.documents_folder,
        office_details=config.office_details,
        max_import_rows=config.max_import_rows,
        connect=connect_then_settle,
    )
    app.run()
    return app.return_code or 0


def settle_heap() -> None:
    """Take what start-up made (modules, tables, styles) out of the cycle collector's full passes.

    Textual's drawing leaves reference cycles behind (a ``Strip`` caches itself), so Python's full
    collection runs every few searches, and each one walked every object start-up had made as
    well, some 90,000 of them: a pause of about 100 ms, now and then between a key and its
    results (the p95 of a search painted at 120x40 was 3x a bare screen's). Frozen (``gc.freeze``)
    they are never walked again; they live as long as the process anyway. Called once, when the
    database is open and the services built (most of what oms imports is in by then); only by
    the ``oms`` process itself, never in a test run, whose frozen objects would never be freed.
    """
    gc.freeze()
