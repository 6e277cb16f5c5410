"""What the Bulk Order and Club Shipment screens share: one batch, its table, its run and export.

The screen shows the batch (name, items, shipping, counts), then either the preview (each member's
order as it would be placed now, with its problems) or the members with their results, and under
them the progress of a run. F9 runs (again: only what is not placed), ``s`` stops after the chunk
in hand, ``e`` exports the results to .xlsx. Leaving the screen or the app part-way loses nothing:
the members' statuses are in the database and the next run goes on from there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from oms_core.domain.batches import MemberStatus
from oms_core.domain.errors import OmsError
from oms_core.services.batch_jobs import BatchPreview, BatchView, RunProgress, RunReport
from oms_tui.screens.ask import AskScreen
from oms_tui.shell import OmsShell, shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import safe
from oms_tui.widgets.batch_run import RunPanel
from oms_tui.widgets.batch_tables import PREVIEW_COLUMNS, DetailTable, MemberTable, preview_rows
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.work import run_service

if TYPE_CHECKING:
    from collections.abc import Callable

    from oms_core.services.bulk import BulkOrderService
    from oms_core.services.clubs import ClubService

PREVIEW_LIMIT = 500
_EDITS = frozenset({"run", "preview", "items", "shipping", "add_search", "add_type", "add_paste", "remove"})


def batch_bindings(run: str, own: list[Binding]) -> list[Binding]:
    """A batch screen's keys in the order the Footer shows them: run and stop, the screen's own,
    then the tables, export and back.
    """
    return [
        Binding("f9", "run", run, id="batch_run"),
        Binding("s", "stop", "Stop", id="batch_stop"),
        *own,
        Binding("p", "preview", "Preview", id="batch_preview"),
        Binding("r", "results", "All", id="batch_results"),
        Binding("f", "failed", "Unplaced", id="batch_failed"),
        Binding("e", "export", "Export", id="batch_export"),
        Binding("escape", "back", "Back", id="batch_back"),
    ]


class BatchScreen(Screen[None]):
    """One batch. Subclasses say which service, what a run calls, and their keys
    (``BINDINGS = batch_bindings(...)``).
    """

    CSS_PATH = STYLES / "batches.tcss"
    NOUN = "order"

    def __init__(self, batch_id: int) -> None:
        super().__init__()
        self.batch_id = batch_id
        self.view: BatchView | None = None
        self.mode = "results"

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    @property
    def service(self) -> BulkOrderService | ClubService:
        """The service the batch belongs to."""
        raise NotImplementedError

    def job(self, progress: Callable[[RunProgress], None], should_stop: Callable[[], bool]) -> RunReport:
        """The service call that runs the batch (in the run's worker)."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        """The batch, its tables, the run and the keys."""
        yield Static("", id="batch-title", markup=False)
        yield Static("", id="batch-info", markup=False)
        yield Static("", id="batch-table-title", markup=False)
        yield DetailTable(PREVIEW_COLUMNS, id="batch-preview")
        yield MemberTable(id="batch-members")
        yield RunPanel(id="batch-run")
        yield KeyFooter()

    @property
    def panel(self) -> RunPanel:
        """The run's progress."""
        return self.query_one(RunPanel)

    @property
    def members(self) -> MemberTable:
        """The members with their results."""
        return self.query_one(MemberTable)

    # -- loading -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Load the batch; show its results once it has been run, else the preview."""
        self.load(first=True)

    def on_screen_resume(self) -> None:
        """Back from a dialog: the batch may have changed."""
        if self.view is not None and not self.panel.running:
            self.load()

    def load(self, first: bool = False) -> None:
        """Read the batch (and refresh the table shown)."""
        service = self.service

        def loaded(view: BatchView) -> None:
            self.show_view(view)
            if first and view.never_run or self.mode == "preview":
                self.action_preview()
            else:
                self._show_members(self.members.status)

        run_service(self, lambda: service.get(self.batch_id), loaded, self.failed, group="batch-load")

    def show_view(self, view: BatchView) -> None:
        """The title and the info lines."""
        self.view = view
        counts = view.counts
        title = Text.assemble((f"{self.KIND_TITLE} {view.id}: ", "bold"), (safe(view.name), "bold"))
        if view.interrupted:  # its run was killed: say how to go on
            title.append("  [interrupted: run it again to resume]", style="bold yellow")
        else:
            title.append(f"  [{view.status}]", style="dim")
        self.query_one("#batch-title", Static).update(title)
        items = ", ".join(f"{sku} x {quantity}" for sku, quantity in view.lines)
        info = Text(safe(self.describe(view)), no_wrap=True, overflow="ellipsis")
        info.append(f"\nItems: {safe(items)}")
        info.append(
            f"\n{counts.total:,} members: {counts.placed:,} placed, {counts.failed:,} failed, "
            f"{counts.skipped:,} skipped, {counts.pending:,} pending"
        )
        self.query_one("#batch-info", Static).update(info)

    def describe(self, view: BatchView) -> str:
        """The line about shipping (and club and ship date)."""
        return f"Shipping: {view.shipping_method}"

    KIND_TITLE = "Batch"

    # -- tables --------------------------------------------------------------------------------

    def action_preview(self) -> None:
        """``p``: each member's order as a run would place it now."""
        self.mode = "preview"
        self._table_title("Preview: working it out...")
        service = self.service
        run_service(
            self,
            lambda: service.preview(self.batch_id, PREVIEW_LIMIT),
            self._show_preview,
            self.failed,
            group="batch-preview",
        )

    def _show_preview(self, preview: BatchPreview) -> None:
        if self.mode != "preview":
            return
        self.query_one("#batch-preview", DetailTable).set_rows(preview_rows(preview))
        shown = f" (first {len(preview.rows)})" if len(preview.rows) < preview.members else ""
        self._table_title(
            f"Preview{shown}: {preview.members:,} to order, {preview.ready:,} ready "
            f"({preview.grand_total:,.2f}), {preview.with_problems:,} with problems"
        )
        self._display("preview")

    def action_results(self) -> None:
        """``r``: every member with the result of their order."""
        self._show_members(None)

    def action_failed(self) -> None:
        """``f``: the members whose order failed (then those skipped, pending)."""
        failed, skipped = MemberStatus.FAILED.value, MemberStatus.SKIPPED.value
        self._show_members(failed if self.members.status != failed else skipped)

    def _show_members(self, status: str | None) -> None:
        self.mode = "results"
        service = self.service
        self.members.load(lambda s, limit, after: service.members(self.batch_id, s, limit, after), status)
        self._table_title("Members" if status is None else f"Members {status} (f: next status, r: all)")
        self._display("results")

    def _display(self, mode: str) -> None:
        self.query_one("#batch-preview").display = mode == "preview"
        self.members.display = mode == "results"

    def _table_title(self, text: str) -> None:
        self.query_one("#batch-table-title", Static).update(Text(text, style="bold"))

    # -- running -------------------------------------------------------------------------------

    def action_run(self) -> None:
        """F9: place the orders of every member not yet placed, after a yes.

        The batch is read again first: another operator, or ``oms club process`` on the command
        line, may have run it since it was shown, and the question must count what is left now.
        """
        if self.view is None or self.panel.running:
            return
        service = self.service
        run_service(
            self,
            lambda: service.get(self.batch_id),
            self._ask_to_run,
            self.failed,
            # A group of its own: in "batch-load" a refresh started meanwhile would cancel this
            # read (or this read the refresh), and F9 would go unanswered.
            group="batch-ask-to-run",
            hold_keys=True,  # the y typed after F9 answers the question
        )

    def _ask_to_run(self, view: BatchView) -> None:
        self.show_view(view)
        if self.panel.running:
            return
        to_do = view.counts.to_do
        if view.counts.total == 0:
            self.notify("Add members first", severity="warning")
            return
        if to_do == 0:
            self.notify(f"Every {self.NOUN} is already placed")
            return
        question = f"Place up to {to_do:,} {self.NOUN}s for {safe(view.name)}? Each member's card is charged."

        def answered(yes: bool | None) -> None:
            if yes:
                self._table_title("Running...")
                self.panel.start(self.job, f"{self.NOUN}s")
                self.refresh_bindings()

        self.app.push_screen(AskScreen("Run", question, yes="Run", no="Not now"), answered)

    def on_run_panel_finished(self, event: RunPanel.Finished) -> None:
        """The run ended: show the results."""
        event.stop()
        report = event.report
        state = "stopped part-way" if report.stopped else "done"
        self.notify(
            f"Run {state}: {report.placed:,} placed, {report.failed:,} failed, {report.skipped:,} skipped"
        )
        self.mode = "results"
        self.refresh_bindings()
        self.load()

    def on_run_panel_failed(self, event: RunPanel.Failed) -> None:
        """The run broke off: say so; what was placed is placed."""
        event.stop()
        self.notify(event.message, severity="error", timeout=10)
        self.refresh_bindings()
        self.load()

    def action_stop(self) -> None:
        """``s``: stop after the chunk in hand; F9 goes on later."""
        self.panel.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Stop only while running; changes and another run only while not."""
        if action == "stop":
            return self.panel.running
        if action in _EDITS and self.panel.running:
            return None
        return True

    # -- export and leaving ----------------------------------------------------------------------

    def action_export(self) -> None:
        """``e``: write the results to an .xlsx file (asks where)."""
        from oms_core.spreadsheets.batch_report import default_report_name, export_batch
        from oms_tui.screens.batch_new import ExportPathScreen

        view = self.view
        if view is None:
            return
        service = self.service
        default = Path.home() / default_report_name(view.kind, view.id)

        def chosen(path: Path | None) -> None:
            if path is None:
                return
            run_service(
                self,
                lambda: export_batch(service, self.batch_id, path),
                lambda count: self.notify(f"Wrote {count:,} rows to {path}"),
                self.failed,
                group="batch-export",
            )

        self.app.push_screen(ExportPathScreen(default), chosen)

    def action_back(self) -> None:
        """Esc: back. A run in progress stops after its chunk; F9 here goes on later."""
        if self.panel.running:
            self.panel.stop()
            self.notify("The run stops after the current chunk; F9 on this batch goes on later")
        self.app.pop_screen()

    def failed(self, error: OmsError) -> None:
        """A service call was refused: say why."""
        self.notify(str(error), severity="error", timeout=8)
