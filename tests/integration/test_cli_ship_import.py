"""``oms ship import``: the warehouse's confirmations, tolerant of how files are written, all or
nothing, safe to run twice, and hostile files refused with one line per problem; SQLite and PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from oms_core import bootstrap
from oms_core.demo.plan import SeedPlan
from oms_core.read_models import OrderFilter, OrderView
from oms_tui.cli import imports as import_command
from oms_tui.cli import main
from tests.fakes import FixedClock

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def office(database_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[OrderView]]:
    """A seeded office whose placed orders are released; the orders, by number."""
    monkeypatch.setattr(import_command, "interactive", lambda: False)
    bootstrap.seed_database(
        database_url, SeedPlan(customers=60, products=10, orders=400, seed=4), clock=FixedClock(NOW)
    )
    application = bootstrap.build(bootstrap.Config(database_url, operator="root"))
    try:
        services = application.services
        placed = services.orders.list(OrderFilter(status="placed"), limit=50)
        # A year of seeded orders: the newest are still placed, a few of them held (not released).
        waiting = [s for s in placed if not services.orders.get(s.id).hold]
        released = [services.fulfilment.release(summary.id) for summary in waiting]
    finally:
        application.close()
    return database_url, sorted(released, key=lambda view: view.number or 0)


def with_app(url: str, work: Callable[[bootstrap.Application], Any]) -> Any:
    application = bootstrap.build(bootstrap.Config(url, operator="root"))
    try:
        return work(application)
    finally:
        application.close()


def shipments_of(url: str, order_id: int) -> list:  # as a list, whatever the view holds
    return list(with_app(url, lambda app: app.services.orders.get(order_id).shipments))


def _released_order(
    application: bootstrap.Application, customer_id: int, sku: str, quantity: int
) -> OrderView:
    """A new order of ``quantity`` of ``sku`` for the customer, paid by check and released (the
    stock received first: the seed's newest orders may have taken the last of it)."""
    with application.uow_factory(write=True) as uow:
        product = uow.products.get_by_sku(sku)
        assert product is not None and product.id is not None
        uow.products.restock(product.id, quantity)
        uow.commit()
    services = application.services
    draft = services.cart.add_line(services.cart.start(customer_id).id, sku, quantity)
    services.cart.set_payment(draft.id, "check", check_number="2001")
    order = services.checkout.place(draft.id, confirm_duplicate=True)
    return services.fulfilment.release(order.id)


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_an_odd_but_readable_file_records_its_shipments_once(office, tmp_path):
    url, orders = office
    first, second = orders[0], orders[1]
    line = first.lines[0]
    # Headers in other words, cases and spacing; a title row; dates written three ways; "all".
    text = (
        "Warehouse confirmations for Nov 27\n"
        " ORDER # ;sku; Qty Shipped ;Ship Via;Service Level;Tracking #;Date Shipped;Notes\n"
        f"{first.number};{line.sku.lower()};{line.quantity};ups;Ground;1Z999AA10123456784;11/27/2026;dock 4\n"
        + "".join(
            f"{first.number};{other.sku};ALL;ups;Ground;1Z999AA10123456784;11/27/2026;\n"
            for other in first.lines[1:]
        )
        + f"#{second.number};{second.lines[0].sku};all;FedEx;;7489 2010 1111;Nov 28, 2026;\n"
    )
    path = write_csv(tmp_path / "confirmations.csv", text)

    status, out, err = oms("--db", url, "ship", "import", str(path), "--dry-run")
    assert status == 0, out + err
    assert "2 shipments to record, 0 recorded before" in out
    assert "note: column H (Notes): not a shipping column; it was ignored" in out
    assert "dry run: nothing was recorded" in err
    assert shipments_of(url, first.id) == []

    status, out, err = oms("--db", url, "ship", "import", str(path), "--yes")
    assert status == 0, out + err
    assert "recorded 2 shipments" in out
    recorded = shipments_of(url, first.id)
    assert [(s.carrier, s.service, s.tracking_number) for s in recorded] == [
        ("ups", "Ground", "1Z999AA10123456784")
    ]
    assert sum(quantity for _, quantity in recorded[0].lines) == sum(line.quantity for line in first.lines)
    after = with_app(url, lambda app: app.services.orders.get(first.id))
    assert after.status == "shipped"
    second_after = with_app(url, lambda app: app.services.orders.get(second.id))
    assert second_after.shipments[0].tracking_number == "7489 2010 1111"
    assert second_after.shipments[0].shipped_at.date().isoformat() == "2026-11-28"

    status, out, err = oms("--db", url, "ship", "import", str(path), "--yes")
    assert status == 0, out + err
    assert "0 shipments to record, 2 recorded before" in out
    assert "nothing new: every shipment in confirmations.csv was recorded before" in out
    assert len(shipments_of(url, first.id)) == 1 and len(shipments_of(url, second.id)) == 1


def test_one_bad_row_records_nothing_and_each_problem_is_one_line(office, tmp_path):
    url, orders = office
    over, held = orders[0], orders[1]
    # The good rows ship one bottle of the good order at a time: six of it keep every row's own
    # problem in view, whatever the seed's newest orders hold (a one-bottle order would have shipped).
    good = with_app(url, lambda app: _released_order(app, over.customer.id, over.lines[0].sku, 6))
    with_app(url, lambda app: app.services.holds.place(held.id, "address check"))
    header = "Order Number,SKU,Quantity,Carrier,Service,Tracking Number,Ship Date\n"
    rows = [
        f"{good.number},{good.lines[0].sku},1,UPS,Ground,1ZGOOD0001,2026-11-27",
        f"{over.number},{over.lines[0].sku},{over.lines[0].quantity + 5},UPS,Ground,1ZOVER0001,2026-11-27",
        f"{held.number},{held.lines[0].sku},all,UPS,Ground,1ZHELD0001,2026-11-27",
        f"999999,{good.lines[0].sku},1,UPS,Ground,1ZNONE0001,2026-11-27",
        f"{good.number},NOT-A-SKU,1,UPS,Ground,1ZGOOD0002,2026-11-27",
        f"{good.number},{good.lines[0].sku},two,UPS,Ground,1ZGOOD0003,2026-11-27",
        f'{good.number},{good.lines[0].sku},1,"=HYPERLINK(""http://x"",""y"")",,1ZGOOD0004,2026-11-27',
        f"{good.number},{good.lines[0].sku},1,UPS,Ground,1ZGOOD0005,2099-01-01",
        f"{good.number},{good.lines[0].sku},1,UPS,Ground,1ZGOOD0006,someday",
        f"{good.number},{good.lines[0].sku},1,UPS,Ground,,2026-11-27",
    ]
    path = write_csv(tmp_path / "bad.csv", header + "\n".join(rows) + "\n")
    status, out, err = oms("--db", url, "ship", "import", str(path), "--yes")
    assert status == 1, out + err
    problems = [line.strip() for line in out.splitlines() if line.startswith("  row ")]
    by_row = {int(p.split(",")[0].removeprefix("row ")): p for p in problems}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10, 11], out
    assert "column C (Quantity)" in by_row[3] and f"left to ship on order {over.number}" in by_row[3]
    assert "column A (Order Number)" in by_row[4] and "on hold for address check" in by_row[4]
    assert by_row[5].endswith("there is no order 999999")
    assert "column B (SKU)" in by_row[6] and "NOT-A-SKU is not on order" in by_row[6]
    assert "column C (Quantity)" in by_row[7] and "'two' is not a quantity" in by_row[7]
    assert "column D (Carrier)" in by_row[8] and "formula" in by_row[8]
    assert "column G (Ship Date)" in by_row[9] and "in the future" in by_row[9]
    assert "column G (Ship Date)" in by_row[10] and "'someday' is not a date" in by_row[10]
    assert "column F (Tracking Number)" in by_row[11]
    assert "9 problems; nothing was recorded:" in out
    assert all("Traceback" not in text for text in (out, err))
    assert "error report" not in err and "could not be read" not in err  # a CSV: the lines are the report
    for order in (good, over, held):
        assert shipments_of(url, order.id) == []  # all or nothing: the good row was not recorded either


def test_a_file_without_the_columns_or_not_a_spreadsheet_is_refused_in_one_line(office, tmp_path):
    url, _ = office
    wrong = write_csv(tmp_path / "wrong.csv", "Name,Address,City,Order\nAnn,1 Main St,Portland,1001\n")
    status, out, _ = oms("--db", url, "ship", "import", str(wrong), "--yes")
    assert status == 1 and "no header row" in out
    partial = write_csv(tmp_path / "partial.csv", "Order,SKU,Carrier\n1001,A,UPS\n")
    status, out, _ = oms("--db", url, "ship", "import", str(partial), "--yes")
    assert status == 1
    assert "the file has no 'Quantity' column" in out and "no 'Tracking Number' column" in out
    binary = tmp_path / "shipments.xlsx"
    binary.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    status, out, _ = oms("--db", url, "ship", "import", str(binary), "--yes")
    assert status == 1 and "old Excel 97-2003 workbook" in out
    status, _, err = oms("--db", url, "ship", "import", str(tmp_path / "missing.csv"), "--yes")
    assert status == 2 and "there is no file" in err


def test_an_xlsx_confirmation_with_an_uncalculated_formula_is_refused_by_cell(office, tmp_path):
    url, orders = office
    order = orders[0]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Shipments"
    sheet.append(["Order", "Item", "Units", "Carrier", "Tracking", "Ship Date"])
    sheet.append([order.number, order.lines[0].sku, "=1+1", "UPS", "1ZXLSX0001", datetime(2026, 11, 27)])
    path = tmp_path / "ship.xlsx"
    book.save(path)  # openpyxl saves formulas without a cached result
    status, out, err = oms("--db", url, "ship", "import", str(path), "--yes")
    assert status == 1, out + err
    assert "row 2, column C (Units): the cell holds a formula with no saved result" in out
    assert "error report:" in err
    assert shipments_of(url, order.id) == []

    sheet["C2"] = 1
    book.save(path)
    status, out, err = oms("--db", url, "ship", "import", str(path), "--yes")
    assert status == 0, out + err
    assert [s.tracking_number for s in shipments_of(url, order.id)] == ["1ZXLSX0001"]


def test_a_file_over_the_row_limit_is_refused_before_anything_is_checked(office, tmp_path, monkeypatch):
    url, orders = office
    config = tmp_path / "oms.toml"
    config.write_text("[import]\nmax_rows = 50\n")
    config.chmod(0o600)
    monkeypatch.setenv("OMS_CONFIG", str(config))
    order = orders[0]
    lines = "".join(f"{order.number},{order.lines[0].sku},1,UPS,1Z{n:08d},2026-11-27\n" for n in range(60))
    path = write_csv(tmp_path / "huge.csv", "Order,SKU,Qty,Carrier,Tracking,Ship Date\n" + lines)
    status, out, _ = oms("--db", url, "ship", "import", str(path), "--yes")
    assert status == 1 and "more than 50 rows" in out
    assert shipments_of(url, order.id) == []
