"""Bursts in the set-up forms: a new bulk order, a new club shipment, and the import's payment.

Each sends text, Backspace, ctrl+u, Enter, shift+Tab and dropdown letters at once, then reads
every field: the same as the keys typed slowly.
"""

from __future__ import annotations

from pathlib import Path

from oms_tui.app import OmsApp
from oms_tui.screens.batch_new import NewBatchScreen
from oms_tui.widgets.import_payment import ImportPayment
from tests.tui.pilot_helpers import screen_text, send, settle
from tests.tui.test_club_shipments import _members
from tests.tui.test_import_orders import _good_file, _open, _purchaser


def values(screen, *names: str) -> dict[str, object]:
    return {name: screen.query_one(f"#{name}").value for name in names}


async def test_a_new_bulk_order_typed_in_one_burst(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await send(pilot, ["f6", "n"])
        assert isinstance(app.screen, NewBatchScreen)
        await send(
            pilot, "Holiday gifx", ["backspace"], "ts", ["enter"], "2", ["shift+tab", "ctrl+u"], "Gifts 2026"
        )
        assert values(app.screen, "name", "shipping_method") == {
            "name": "Gifts 2026",
            "shipping_method": "2DAY",
        }
        assert app.focused.id == "name"


async def test_a_new_club_shipment_typed_in_one_burst(office, make_app):
    app = make_app()
    _members(app.services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await send(pilot, ["f7", "n"])
        assert isinstance(app.screen, NewBatchScreen)
        await send(
            pilot,
            "Fall relx",
            ["backspace", "backspace"],
            "lease",
            ["enter"],
            "w",  # the club, by its first letter
            ["enter"],
            "11/29",
            ["backspace"],
            "8",
            ["enter"],
            "2",
            ["shift+tab", "ctrl+u"],
            "+3",
        )
        assert values(app.screen, "name", "club", "ship_date", "shipping_method") == {
            "name": "Fall release",
            "club": "WINECLUB",
            "ship_date": "+3",
            "shipping_method": "2DAY",
        }
        assert app.focused.id == "ship_date"


async def test_the_import_payment_typed_in_one_burst(office, tmp_path: Path):
    folder = tmp_path / "imports"
    folder.mkdir()
    app = OmsApp(office.application.services, "root", import_folder=folder, max_import_rows=500)
    _good_file(folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_import()
        await settle(pilot)
        await _open(pilot, "gifts.xlsx")
        await _purchaser(pilot, "smith")
        payment = app.screen.query_one(ImportPayment)
        payment.method.focus()
        await settle(pilot)
        await send(
            pilot,
            "ch",
            ["enter"],
            "10x",
            ["backspace"],
            "42",
            ["enter"],
        )
        assert "Check #1042" in screen_text(app)
        payment.method.focus()
        await settle(pilot)
        await send(
            pilot,
            "n",
            ["enter"],
            "5555 5555 5555 4443",
            ["backspace"],
            "4",
            ["enter"],
            "1299",
            ["backspace", "backspace"],
            "30",
            ["enter"],
            "9",
            ["ctrl+u"],
            "123",
            ["enter"],
        )
        assert "New card: Mastercard ending 4444" in screen_text(app)
        assert payment.payment is not None and payment.payment.label() == "Mastercard ending 4444"
