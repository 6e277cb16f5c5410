"""Import orders (F8): pick the file, the purchaser and the payment, read the dry run, F9 imports."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from textual.widgets import DataTable, Input, Select, Static
from textual_fspicker import FileOpen, FileSave
from textual_fspicker.parts import DirectoryNavigation

from oms_core.read_models import OrderFilter
from oms_core.spreadsheets.columns import EXAMPLE_ROW
from oms_tui.app import OmsApp
from oms_tui.screens.ask import AskScreen
from oms_tui.screens.import_orders import ImportOrdersScreen
from oms_tui.screens.purchaser_picker import PurchaserPicker
from oms_tui.widgets.customer_search import CustomerSearch
from oms_tui.widgets.import_payment import ImportPayment
from oms_tui.widgets.key_footer import KeyFooter
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY
from tests.import_files import recipient, write_orders
from tests.tui.conftest import Office
from tests.tui.pilot_helpers import burst, keys, screen_text, settle, type_text


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    inbox = tmp_path / "imports"
    inbox.mkdir()
    return inbox


@pytest.fixture
def app(office: Office, folder: Path) -> OmsApp:
    return OmsApp(office.application.services, "root", import_folder=folder, max_import_rows=500)


def _good_file(folder: Path) -> Path:
    return write_orders(
        folder / "gifts.xlsx",
        [
            recipient(gift="Cheers", items=((SKU_CABERNET, 1),)),
            recipient("Bob", "Jones", address1="1 Broadway", city="New York", state="NY", zip_code=10004,
                      items=((SKU_CHARDONNAY, 2),)),
        ],
    )  # fmt: skip


async def _until(pilot, check) -> None:  # noqa: ANN001
    """Let the app run until ``check()`` holds (the file dialogs list folders in the background)."""
    for _ in range(100):
        await settle(pilot)
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError("the screen never got there")


def _imported(office: Office) -> list[object]:
    return office.application.services.orders.list(OrderFilter(source="import"), limit=100)


async def _open(pilot, name: str) -> None:  # noqa: ANN001
    """o, then the file's name typed in the picker's box, Enter."""
    await pilot.press("o")
    await _until(pilot, lambda: isinstance(pilot.app.screen, FileOpen) and name in screen_text(pilot.app))
    pilot.app.screen.query_one(Input).focus()
    await type_text(pilot, name)
    await pilot.press("enter")
    await settle(pilot)


async def _opened(pilot, name: str) -> None:  # noqa: ANN001
    """The Import screen, then the file ``name`` opened in it."""
    await settle(pilot)
    pilot.app.open_import()
    await settle(pilot)
    await _open(pilot, name)


async def _dry_run(pilot, name: str) -> None:  # noqa: ANN001
    """The Import screen, the file opened and Smith the purchaser: the dry run on screen."""
    await _opened(pilot, name)
    await _purchaser(pilot, "smith")


async def _purchaser(pilot, text: str) -> None:  # noqa: ANN001
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PurchaserPicker)
    await type_text(pilot, text)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def _problems(app: OmsApp) -> list[tuple[str, ...]]:
    table = app.screen.query_one("#import-problems", DataTable)
    return [tuple(str(cell).strip() for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def test_f8_opens_the_import_screen_and_o_the_picker_in_the_import_folder(
    app: OmsApp, folder: Path
) -> None:
    _good_file(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, ImportOrdersScreen)
        await pilot.press("o")
        await _until(pilot, lambda: isinstance(app.screen, FileOpen) and "gifts.xlsx" in screen_text(app))
        assert app.screen.query_one(DirectoryNavigation).location == folder
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ImportOrdersScreen)


async def test_the_palette_offers_import_orders(app: OmsApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "import orders")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ImportOrdersScreen)


async def test_a_clean_file_is_dry_run_then_imported_with_f9(
    app: OmsApp, office: Office, folder: Path
) -> None:
    _good_file(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await _opened(pilot, "gifts.xlsx")
        assert "2 order rows read" in screen_text(app)
        await _purchaser(pilot, "smith")
        text = screen_text(app)
        assert "C000001 Ann Smith" in text
        assert "2 orders ready to import" in text
        assert "Visa ending 1111" in text
        assert "Total" in text and _imported(office) == []
        await pilot.press("f9")
        await settle(pilot)
        assert len(_imported(office)) == 2
        assert "Imported 2 orders (#1001–#1002)" in screen_text(app)
        await pilot.press("f9")
        await settle(pilot)
        assert len(_imported(office)) == 2


async def test_problems_are_listed_by_row_and_column_literally_and_nothing_is_imported(
    app: OmsApp, office: Office, folder: Path
) -> None:
    write_orders(
        folder / "gifts.xlsx",
        [recipient(), recipient("[bold]Bob[/bold]", zip_code="9O210", items=(("[red]NOPE", 1),))],
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await _dry_run(pilot, "gifts.xlsx")
        assert _problems(app) == [
            ("3", "H (ZIP*)", "ZIP '9O210' is not a US ZIP (12345 or 12345-6789)"),
            ("3", "O (SKU 1)", "unknown SKU '[red]NOPE'"),
        ]
        assert "2 problems: nothing can be imported" in screen_text(app)
        await pilot.press("f9")
        await settle(pilot)
        assert _imported(office) == []


def _example_row_and(*rows: list[object]) -> list[list[object]]:
    """The template's example row (skipped, with a note), then ``rows``."""
    example = recipient(EXAMPLE_ROW["first_name"], EXAMPLE_ROW["last_name"], address1=EXAMPLE_ROW["address1"])
    return [example, *rows]


async def test_a_file_full_of_problems_is_listed_a_page_at_a_time(
    app: OmsApp, office: Office, folder: Path
) -> None:
    # 250 rows, each with a bad ZIP and an unknown SKU: 500 problems, and a note for the example row.
    rows = _example_row_and(*(recipient(f"R{n}", zip_code="9O210", items=(("NOPE", 1),)) for n in range(250)))
    write_orders(folder / "gifts.xlsx", rows)
    async with app.run_test(size=(100, 30)) as pilot:
        await _dry_run(pilot, "gifts.xlsx")
        assert "500 problems: nothing can be imported" in screen_text(app)
        shown = _problems(app)
        assert len(shown) == 100
        assert shown[:2] == [("3", "H (ZIP*)", "ZIP '9O210' is not a US ZIP (12345 or 12345-6789)"),
                             ("3", "O (SKU 1)", "unknown SKU 'NOPE'")]  # fmt: skip
        table = app.screen.query_one("#import-problems", DataTable)
        table.focus()
        table.move_cursor(row=99)
        await pilot.press("pagedown")
        await settle(pilot)
        assert len(_problems(app)) == 200 and table.cursor_row == 100
        for _ in range(3):
            table.move_cursor(row=table.row_count - 1)
            await pilot.press("down")
            await settle(pilot)
        shown = _problems(app)
        assert len(shown) == 501  # every problem once, then the note
        assert len(set(shown[:500])) == 500
        assert shown[499] == ("252", "O (SKU 1)", "unknown SKU 'NOPE'")
        assert shown[500][2] == "note: the template's example row (Jane Example) was skipped"


async def test_at_80_columns_the_highlighted_problem_is_said_in_full_under_the_table(
    app: OmsApp, office: Office, folder: Path
) -> None:
    write_orders(folder / "gifts.xlsx", _example_row_and(recipient("Ann", zip_code="9O210")))
    async with app.run_test(size=(80, 24)) as pilot:
        await _dry_run(pilot, "gifts.xlsx")
        assert "1 problem: nothing can be imported" in screen_text(app)
        table = app.screen.query_one("#import-problems", DataTable)
        note = "the template's example row (Jane Example) was skipped"
        assert note not in _problems(app)[-1][2]  # cut short in its cell at this width
        table.focus()
        table.move_cursor(row=table.row_count - 1)
        await settle(pilot)
        said = str(app.screen.query_one("#problem-said", Static).render())
        assert note in said
        table.move_cursor(row=0)
        await settle(pilot)
        said = str(app.screen.query_one("#problem-said", Static).render())
        assert "row 3, column H (ZIP*): ZIP '9O210' is not a US ZIP (12345 or 12345-6789)" in said


async def test_e_writes_the_error_report_beside_the_file_and_shows_its_path(
    app: OmsApp, folder: Path
) -> None:
    write_orders(folder / "gifts.xlsx", [recipient(items=((SKU_CABERNET, "two"),))])
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot, "gifts.xlsx")
        assert _problems(app) == [("2", "P (Qty 1)", "'two' is not a quantity (SKU 'WINE-CAB-2019')")]
        await pilot.press("e")
        await _until(
            pilot, lambda: isinstance(app.screen, FileSave) and app.screen.query_one(Input).has_focus
        )
        await pilot.press("enter")
        await settle(pilot)
        report = folder / "gifts-errors.xlsx"
        assert report.exists()
        assert (
            str(app.screen.query_one("#import-status", Static).render()) == f"Error report written: {report}"
        )
        assert "Error report written" in screen_text(app)
        sheet = openpyxl.load_workbook(report)["Orders"]
        assert sheet.cell(2, 19).value == "Qty 1: 'two' is not a quantity (SKU 'WINE-CAB-2019')"


async def test_a_hostile_file_is_refused_with_its_reason(app: OmsApp, office: Office, folder: Path) -> None:
    (folder / "orders.xlsx").write_text("First,Last\nAnn,Smith\n")
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot, "orders.xlsx")
        text = screen_text(app)
        assert "The file cannot be imported" in text
        assert "orders.xlsx is a CSV file, not an Excel workbook" in text
        await _purchaser(pilot, "smith")
        await pilot.press("f9")
        await settle(pilot)
        assert _imported(office) == []


async def test_the_same_file_again_asks_before_importing(app: OmsApp, office: Office, folder: Path) -> None:
    _good_file(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await _dry_run(pilot, "gifts.xlsx")
        await pilot.press("f9")
        await settle(pilot)
        assert len(_imported(office)) == 2
        app.pop_screen()
        app.open_import()
        await settle(pilot)
        await _open(pilot, "gifts.xlsx")
        await _purchaser(pilot, "smith")
        assert "This file was already imported on 2026-11-26 15:00 by root (2 orders)" in screen_text(app)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, AskScreen)
        await pilot.press("n")
        await settle(pilot)
        assert len(_imported(office)) == 2
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert len(_imported(office)) == 4


async def test_a_new_card_is_tokenised_masked_and_charged_once_per_order(
    app: OmsApp, office: Office, folder: Path
) -> None:
    _good_file(folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await _dry_run(pilot, "gifts.xlsx")
        payment = app.screen.query_one(ImportPayment)
        payment.method.focus()
        payment.method.value = ("card", None)  # as typing "n" does
        await settle(pilot)
        await pilot.press("enter")  # on to the card number
        await settle(pilot)
        await type_text(pilot, "5555555555554444")
        await pilot.press("enter")
        await type_text(pilot, "12/30")
        await pilot.press("enter")
        await type_text(pilot, "123")
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "New card: Mastercard ending 4444" in text
        assert "5555555555554444" not in text and "555555" not in text
        assert all(box.value == "" for box in payment.query(Input) if box.id and box.id.startswith("card-"))
        payment.query_one("#import-mode", Select).value = False
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        orders = [office.application.services.orders.get(o.id) for o in _imported(office)]
        assert len(orders) == 2
        references = {o.payments[0].reference for o in orders}
        assert len(references) == 2
        assert {o.payments[0].label for o in orders} == {"Mastercard ending 4444"}


async def test_a_check_needs_its_number(app: OmsApp, office: Office, folder: Path) -> None:
    _good_file(folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await _dry_run(pilot, "gifts.xlsx")
        method = app.screen.query_one(ImportPayment).method
        method.focus()
        method.value = ("check", None)  # as typing "ch" does
        await settle(pilot)
        await pilot.press("enter")  # on to the check number
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert _imported(office) == []
        await type_text(pilot, "1042")
        await pilot.press("enter")
        await settle(pilot)
        assert "Check #1042" in screen_text(app)
        await pilot.press("f9")
        await settle(pilot)
        assert len(_imported(office)) == 2


async def test_the_file_picker_fits_80x24_with_a_wide_name_box_and_a_filter_on_one_line(
    app: OmsApp, folder: Path
) -> None:
    _good_file(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f8", "o")
        await _until(pilot, lambda: isinstance(app.screen, FileOpen) and "gifts.xlsx" in screen_text(app))
        name = app.screen.query_one(Input)
        assert name.region.width >= 40, f"the name box is {name.region.width} wide"
        (kind,) = app.screen.query(Select)
        assert kind.region.height <= 3 and kind.region.width >= 10, f"the filter is {kind.region}"
        assert name.region.y == kind.region.y  # side by side, not stacked
        assert "xlsx" in screen_text(app).split("\n")[kind.region.y + 1]


async def test_typing_a_name_while_the_list_has_the_focus_goes_into_the_name_box(
    app: OmsApp, office: Office, folder: Path
) -> None:
    _good_file(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f8", "o")
        await _until(pilot, lambda: isinstance(app.screen, FileOpen) and "gifts.xlsx" in screen_text(app))
        assert isinstance(app.focused, DirectoryNavigation)
        burst(app, keys("gifts.xlsx", ["enter"]))  # typed at once, before the focus can follow
        await _until(
            pilot, lambda: isinstance(app.screen, ImportOrdersScreen) and app.screen.path is not None
        )
        assert app.screen.path == folder / "gifts.xlsx"


async def test_the_purchaser_picker_shows_its_search_and_results_at_80x24(app: OmsApp, folder: Path) -> None:
    """A rule for the picker's box (``> Vertical``) matched its key footer too (a ``Vertical``):
    the footer took the box's border and 90% of the height, and the search had two rows.
    """
    _good_file(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await _opened(pilot, "gifts.xlsx")
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PurchaserPicker)
        await type_text(pilot, "smith")
        await settle(pilot)
        search = app.screen.query_one(CustomerSearch)
        assert search.region.height >= 10
        assert app.screen.query_one(KeyFooter).region.height <= 2
        assert "Smith, Ann" in screen_text(app)
