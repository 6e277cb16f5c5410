"""Import orders (F8): a spreadsheet of recipients becomes one order each, paid by one purchaser.

**o** picks the file (starting in the configured import folder), **p** the purchaser, then the
payment; the dry run follows every change: orders, units per SKU, totals, and every problem by row
and column. **F9** imports: all or nothing, with a progress bar; the same file twice asks first.
**e** writes the error report (a marked-up copy of the file) for the client. Reading, checking and
importing run in workers.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Input, Label, ProgressBar, Static

from oms_core.domain.errors import OmsError
from oms_core.domain.imports import OrderFile
from oms_core.domain.money import format_money
from oms_core.read_models import CustomerDetail, CustomerSummary
from oms_core.services.imports import DuplicateImportFile, ImportPreview, ImportRejected, ImportResult
from oms_tui.shell import OmsShell, shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import plain, safe
from oms_tui.widgets.import_payment import ImportPayment
from oms_tui.widgets.import_summary import ImportSummary
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service


class ImportOrdersScreen(Screen[None]):
    """File, purchaser, payment; dry run; F9 imports."""

    TITLE = "Import orders"
    CSS_PATH = STYLES / "import_orders.tcss"
    BINDINGS = [
        Binding("o", "open_file", "Open file", id="import_open"),
        Binding("p", "purchaser", "Purchaser", id="import_purchaser"),
        Binding("f9", "run_import", "Import", id="import_run"),
        Binding("e", "error_report", "Error report", id="import_report"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.path: Path | None = None
        self.parsed: OrderFile | None = None
        self.purchaser: CustomerSummary | None = None
        self.preview: ImportPreview | None = None
        self.result: ImportResult | None = None
        self.report_path: Path | None = None
        self.running = False

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    @property
    def payment(self) -> ImportPayment:
        """The payment widget."""
        return self.query_one(ImportPayment)

    @property
    def summary(self) -> ImportSummary:
        """The dry-run summary."""
        return self.query_one(ImportSummary)

    def compose(self) -> ComposeResult:
        """File, purchaser, payment, summary, progress, status."""
        yield Header()
        with Horizontal(classes="import-row"):
            yield Label("File", classes="import-label")
            yield Static("none yet: o opens one", id="import-file", markup=False)
        with Horizontal(classes="import-row"):
            yield Label("Purchaser", classes="import-label")
            yield Static("none yet: p chooses", id="import-purchaser", markup=False)
        yield ImportPayment(id="import-payment")
        yield ImportSummary(id="import-summary")
        yield ProgressBar(id="import-progress", show_eta=False)
        yield Static("", id="import-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        """Hide the progress bar until an import runs; keys work from the start (o, p, F9, e)."""
        self.query_one("#import-progress").display = False
        self.summary.table.focus()

    # -- the file -------------------------------------------------------------------------------

    def action_open_file(self) -> None:
        """Pick the spreadsheet, starting in the import folder."""
        from textual_fspicker import Filters

        from oms_tui.screens.file_pickers import OrderFileOpen

        if self.running:
            return
        start = self.path.parent if self.path else self.oms.import_folder
        filters = Filters(
            (".xlsx", lambda p: p.suffix.lower() == ".xlsx"),
            ("all", lambda _p: True),
        )
        picker = OrderFileOpen(start, "Order file to import", filters=filters)
        self.app.push_screen(picker, self._file_chosen)

    def _file_chosen(self, path: Path | None) -> None:
        if path is not None:
            self.load_file(path)

    def load_file(self, path: Path) -> None:
        """Read ``path`` (checked for hostile content first), then run the dry run."""
        from oms_core.spreadsheets.reader import ReaderLimits, read_order_file

        self.path = path
        self.parsed = self.preview = self.result = None
        self.report_path = None
        self.query_one("#import-file", Static).update(plain(str(path)))
        self._status(f"Reading {path.name}…")
        limits = ReaderLimits(max_rows=self.oms.max_import_rows)
        run_service(self, lambda: read_order_file(path, limits), self._file_read, group="import-read")

    def _file_read(self, parsed: OrderFile) -> None:
        self.parsed = parsed
        self.summary.show_file(parsed)
        self._status("" if not parsed.refused else parsed.problems[0].reason)
        self._dry_run()

    # -- purchaser and payment ------------------------------------------------------------------

    def action_purchaser(self) -> None:
        """Choose who pays, with the customer search."""
        from oms_tui.screens.purchaser_picker import PurchaserPicker

        if not self.running:
            self.app.push_screen(PurchaserPicker(), self._purchaser_chosen)

    def _purchaser_chosen(self, customer: CustomerSummary | None) -> None:
        if customer is None:
            return
        self.purchaser = customer
        label = f"{customer.number} {customer.name}" + (f", {customer.company}" if customer.company else "")
        self.query_one("#import-purchaser", Static).update(plain(label))
        run_service(
            self, lambda: self.oms.services.customers.get(customer.id), self._detail, group="import-detail"
        )

    def _detail(self, detail: CustomerDetail) -> None:
        self.payment.set_purchaser(detail)

    @on(ImportPayment.Chosen)
    def _payment_chosen(self, event: ImportPayment.Chosen) -> None:
        event.stop()
        self._dry_run()

    # -- dry run --------------------------------------------------------------------------------

    def _dry_run(self) -> None:
        parsed, purchaser = self.parsed, self.purchaser
        self.preview = None
        if parsed is None or purchaser is None or parsed.refused or self.running:
            return
        payment, one_payment = self.payment.payment, self.payment.one_payment
        if payment is None:
            self.summary.show_file(parsed, "choose how the purchaser pays")
            return
        imports = self.oms.services.imports
        self._status("Checking the file…")
        run_service(
            self,
            lambda: imports.dry_run(parsed, purchaser.id, payment, one_payment),
            self._previewed,
            group="import-dry-run",
        )

    def _previewed(self, preview: ImportPreview) -> None:
        self.preview = preview
        self.summary.show_preview(preview)
        if preview.ok:
            self._status("F9 imports every order; nothing is written until then.")
        else:
            self._status("Fix the file and open it again; e writes the error report for the client.")

    # -- import ---------------------------------------------------------------------------------

    def action_run_import(self) -> None:
        """F9: import the file, after the dry run found no problem (and a confirmation if it is a repeat)."""
        from oms_tui.screens.ask import AskScreen

        preview = self.preview
        if self.running:
            return
        if self.result is not None:
            self.notify("This file was imported; open another one (o).", severity="warning")
            return
        if preview is None:
            self.notify(self._missing(), severity="warning")
            return
        if not preview.ok:
            self.notify(f"{len(preview.problems):,} problems: nothing can be imported yet.", severity="error")
            return
        if preview.earlier_imports:
            last = preview.earlier_imports[-1]
            question = (
                f"{preview.filename} was already imported on {last.imported_at:%Y-%m-%d %H:%M} by "
                f"{last.operator} ({last.order_count:,} orders). Import it again?"
            )
            ask = AskScreen("Same file again?", question, yes="Import again", no="Cancel", default_yes=False)
            self.app.push_screen(ask, lambda yes: self._start(allow_duplicate=True) if yes else None)
            return
        self._start(allow_duplicate=False)

    def _missing(self) -> str:
        if self.parsed is None:
            return "Open a file first (o)."
        if self.parsed.refused:
            return "This file cannot be imported; open another one (o)."
        if self.purchaser is None:
            return "Choose the purchaser first (p)."
        if self.payment.payment is None:
            return "Choose how the purchaser pays."
        return "The dry run is still running."

    def _start(self, allow_duplicate: bool) -> None:
        parsed, purchaser, preview = self.parsed, self.purchaser, self.preview
        payment, one_payment = self.payment.payment, self.payment.one_payment
        if parsed is None or purchaser is None or payment is None or preview is None:
            return
        self.running = True
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=max(preview.ready, 1), progress=0)
        bar.display = True
        self._status(f"Importing {preview.ready:,} orders…")
        imports, app = self.oms.services.imports, self.app

        def progress(stage: str, done: int, total: int) -> None:
            app.call_from_thread(self._progress, stage, done, total)

        run_service(
            self,
            lambda: imports.run(
                parsed,
                purchaser.id,
                payment,
                one_payment,
                allow_duplicate_file=allow_duplicate,
                progress=progress,
            ),
            self._imported,
            self._import_failed,
            group="import-run",
        )

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=max(total, 1), progress=done)
        words = {"checking": "Checking", "placing": "Placing orders", "saving": "Saving", "done": "Done"}
        self._status(f"{words.get(stage, stage)}: {done:,} of {total:,}")

    def _imported(self, result: ImportResult) -> None:
        self.running = False
        self.result = result
        self.query_one("#import-progress", ProgressBar).update(progress=result.orders)
        numbers = (
            f"#{result.first_number}–#{result.last_number}"
            if result.orders > 1
            else f"#{result.first_number}"
        )
        self._status(
            f"Imported {result.orders:,} order{'s' if result.orders != 1 else ''} ({numbers}), "
            f"total {format_money(result.total)}, "
            f"paid by {safe(result.payment_label)}."
        )
        self.notify(f"{result.orders:,} orders imported", title="Import")

    def _import_failed(self, error: OmsError) -> None:
        self.running = False
        self.query_one("#import-progress").display = False
        if isinstance(error, DuplicateImportFile):
            # Another operator imported it since the dry run: ask, as for any repeat.
            self._dry_run()
        elif isinstance(error, ImportRejected):
            self.summary.show_problems(error.problems, "Nothing was imported:")
        self._status(f"Nothing was imported: {error}")

    # -- error report ---------------------------------------------------------------------------

    def action_error_report(self) -> None:
        """Write the marked-up copy of the file (beside it unless another place is chosen)."""
        from oms_core.spreadsheets.error_report import default_report_path
        from oms_tui.screens.file_pickers import ReportFileSave

        path, parsed = self.path, self.parsed
        problems = self.preview.problems if self.preview is not None else parsed.problems if parsed else ()
        if path is None or parsed is None or not parsed.sheet:
            self.notify("Open a readable file first (o).", severity="warning")
            return
        if not problems:
            self.notify("The file has no problems to report.")
            return
        default = default_report_path(path)
        dialog = ReportFileSave(
            default.parent, "Error report (Enter writes it here)", default_file=default.name
        )
        # The name box, not the folder listing, takes the first Enter: it writes the default.
        dialog.call_after_refresh(lambda: dialog.query_one(Input).focus())
        self.app.push_screen(dialog, lambda out: self._write_report(out) if out is not None else None)

    def _write_report(self, out: Path) -> None:
        from oms_core.spreadsheets.error_report import write_error_report

        path, parsed = self.path, self.parsed
        problems = self.preview.problems if self.preview is not None else parsed.problems if parsed else ()
        if path is None or parsed is None:
            return

        def write() -> Path:
            try:
                return write_error_report(path, parsed, problems, out)
            except OSError as exc:
                raise OmsError(f"the error report could not be written to {out}: {exc.strerror}") from None

        run_service(self, write, self._report_written, group="import-report")

    def _report_written(self, out: Path) -> None:
        self.report_path = out
        self._status(f"Error report written: {out}")
        self.notify(f"Error report: {out.name}", title="Import")

    # -- leaving --------------------------------------------------------------------------------

    def action_back(self) -> None:
        """Back (not while the import runs: it finishes or fails as a whole first)."""
        if self.running:
            self.notify("The import is running; it finishes (or fails) as a whole first.")
            return
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.oms.open_customers()

    def _status(self, text: str) -> None:
        self.query_one("#import-status", Static).update(plain(text))
