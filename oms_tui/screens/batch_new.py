"""The first questions for a new bulk order or club shipment: a name and a shipping method, and
for a shipment the club and the ship date. The items come next, in the Quick Order Pad.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static

from oms_core.domain.dates import parse_typed_date
from oms_core.output_files import UnwritableOutput, check_output_path
from oms_tui.shell import shell
from oms_tui.widgets.fields import FormInput, FormSelect
from oms_tui.widgets.form import FormScreen, field_row
from oms_tui.widgets.key_footer import KeyFooter


@dataclass(frozen=True, slots=True)
class NewBatch:
    """What the dialog asked: enough to open the pad and then make the batch."""

    name: str
    shipping_method: str
    club: str | None = None
    ship_date: date | None = None


class NewBatchScreen(FormScreen[NewBatch | None]):
    """Name and shipping (and club and ship date for a club shipment); F9 goes on to the items."""

    DEFAULT_CSS = """
    NewBatchScreen #new-batch { height: auto; width: 76; }
    NewBatchScreen Select { width: 1fr; }
    """

    def __init__(
        self,
        title: str,
        methods: list[tuple[str, str]],
        clubs: list[tuple[str, str]] | None = None,
        default_method: str = "GROUND",
        name: str = "",
        ship_date: date | None = None,
        club: str | None = None,
    ) -> None:
        super().__init__()
        self._club = club
        self._name = name
        self._ship_date = ship_date
        self._title = title
        self._methods = methods
        self._clubs = clubs
        self._default_method = default_method

    def compose(self) -> ComposeResult:
        """The fields in the order they are asked."""
        codes = [code for code, _ in self._methods]
        method = self._default_method if self._default_method in codes else (codes[0] if codes else None)
        with Vertical(classes="dialog", id="new-batch"):
            yield Label(self._title, classes="title", markup=False)
            yield from field_row(
                "Name", FormInput(self._name, id="name", max_length=200, placeholder="e.g. Fall 2026 release")
            )
            if self._clubs is not None:
                options = [(name, code) for code, name in self._clubs]
                clubs = FormSelect(options, value=self._club or Select.NULL, allow_blank=True, id="club")
                yield from field_row("Club", clubs)
                yield from field_row(
                    "Ship date",
                    FormInput(self._date_text, id="ship_date", max_length=10, placeholder="11/28, +3"),
                )
            options = [(f"{name} ({code})", code) for code, name in self._methods]
            yield from field_row(
                "Shipping", FormSelect(options, value=method or Select.NULL, id="shipping_method")
            )
            yield Static("Next: the items, in the Quick Order Pad (F9).", classes="hint", markup=False)
            yield Static("", id="form-error", classes="field-error -empty", markup=False)
        yield KeyFooter()

    @property
    def _date_text(self) -> str:
        return self._ship_date.isoformat() if self._ship_date else ""

    def action_save(self) -> None:
        """Check the answers and go on to the items."""
        self.clear_errors()
        problems = []
        name = self.query_one("#name", Input).value.strip()
        if not name:
            problems.append(("name", "give it a name"))
        club = None
        ship_date = None
        if self._clubs is not None:
            picked = self.query_one("#club", Select).value
            club = picked if isinstance(picked, str) else None
            if club is None:
                problems.append(("club", "choose the club"))
            typed = self.query_one("#ship_date", Input).value.strip()
            try:
                ship_date = parse_typed_date(typed, shell(self.app).services.context.clock.now().date())
            except ValueError as error:
                problems.append(("ship_date", str(error)))
        method = self.query_one("#shipping_method", Select).value
        if not isinstance(method, str):
            problems.append(("shipping_method", "choose a shipping method"))
        if problems:
            self.show_problems(problems)
            self.focus_first_error()
            return
        assert isinstance(method, str)
        self.dismiss(NewBatch(name, method, club, ship_date))


class ExportPathScreen(FormScreen[Path | None]):
    """Where to write the results (.xlsx); the file name is filled in."""

    DEFAULT_CSS = """
    ExportPathScreen #export-path-dialog { height: auto; width: 76; }
    """

    def __init__(self, default: Path) -> None:
        super().__init__()
        self._default = default

    def compose(self) -> ComposeResult:
        """The path field."""
        with Vertical(classes="dialog", id="export-path-dialog"):
            yield Label("Export the results", classes="title", markup=False)
            yield from field_row("File", FormInput(str(self._default), id="path"))
            yield Static("", id="form-error", classes="field-error -empty", markup=False)
        yield KeyFooter()

    def action_save(self) -> None:
        """Check the name and the place (a regular file in a folder that exists) and give the path
        back (``~`` is the home folder).
        """
        typed = self.query_one("#path", Input).value.strip()
        if not typed:
            self.set_error("path", "give a file name")
            return
        path = Path(typed).expanduser()
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")
        try:
            check_output_path(path)
        except UnwritableOutput as exc:
            self.set_error("path", str(exc))
            return
        self.dismiss(path)
