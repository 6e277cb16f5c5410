"""``oms bulk run`` and ``oms club process``: unattended runs with a progress line and the report."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from oms_core.bootstrap import Config, build, upgrade_database
from oms_tui.cli import main
from tests.fakes import SKU_CABERNET, SKU_GIFT_BOX, seed_reference
from tests.unit.batch_helpers import DECLINED_CARD, add_customer


@pytest.fixture
def office(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'oms.db'}"
    upgrade_database(url)
    application = build(Config(url, operator="root"))
    with application.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    yield url, application.services
    application.close()


def _oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_bulk_run_prints_progress_and_the_report_and_writes_the_xlsx(office, tmp_path):
    url, services = office
    good = add_customer(services, "Good")
    bad = add_customer(services, "[red]Bad[/]", card=DECLINED_CARD)
    batch = services.bulk.create("Gifts", [(SKU_CABERNET, 1)], "GROUND", [good, bad])
    report = tmp_path / "gifts.xlsx"
    status, out, err = _oms("--db", url, "bulk", "run", str(batch.id), "--report", str(report))
    assert status == 0
    assert "2 of 2 done: 1 placed, 1 failed, 0 skipped" in err
    assert "This run: 1 placed, 1 failed, 0 skipped of 2 tried." in out
    assert "[red]Bad[/] Member" in out and "declined" in out
    assert "Good Member" not in out  # placed rows only with --all
    assert f"wrote 2 rows to {report}" in err
    assert openpyxl.load_workbook(report)["Results"].max_row == 3

    status, out, _ = _oms("--db", url, "bulk", "run", str(batch.id), "--all")
    assert "This run: 0 placed, 1 failed, 0 skipped of 1 tried." in out
    assert "Good Member" in out
    status, out, _ = _oms("--db", url, "bulk", "list")
    assert f"{batch.id}  Gifts" in out and "1/2 placed" in out


def test_club_process_skips_members_on_hold_and_lists_shipments(office):
    url, services = office
    add_customer(services, "Active", type_code="WINECLUB")
    add_customer(services, "Held", type_code="WINECLUB", status="on_hold")
    shipment = services.clubs.create_shipment(
        "Fall 2026 release", "WINECLUB", [(SKU_CABERNET, 2)], date(2026, 10, 1), "GROUND"
    )
    status, out, _ = _oms("--db", url, "club", "process", str(shipment.id))
    assert status == 0
    assert "1 placed, 0 failed, 1 skipped" in out
    assert "member is on hold" in out
    status, out, _ = _oms("--db", url, "club", "list")
    assert "Fall 2026 release" in out and "WINECLUB ships 2026-10-01" in out


def test_an_unknown_batch_is_one_line_of_error(office):
    url, _ = office
    status, _, err = _oms("--db", url, "bulk", "run", "999")
    assert status == 1
    assert err.strip() == "oms: error: there is no bulk order 999"
    status, _, err = _oms("--db", url, "club", "process", "999")
    assert status == 1
    assert err.strip() == "oms: error: there is no club shipment 999"


@pytest.fixture
def office_on_each_backend(database_url: str):
    """An office on SQLite and on PostgreSQL with 3 gift boxes on hand."""
    application = build(Config(database_url, operator="root"))
    with application.uow_factory(write=True) as uow:
        seed_reference(uow)
        gift_box = uow.products.get_by_sku(SKU_GIFT_BOX)
        uow.products.restock(gift_box.id, 3 - gift_box.stock_on_hand)
        uow.commit()
    yield database_url, application.services
    application.close()


def test_declined_members_keep_no_stock_and_a_retry_after_a_delivery_places_the_short(
    office_on_each_backend,
):
    url, services = office_on_each_backend
    for i in range(3):
        add_customer(services, f"Declined{i}", type_code="WINECLUB", card=DECLINED_CARD)
    for i in range(6):
        add_customer(services, f"Good{i}", type_code="WINECLUB")
    shipment = services.clubs.create_shipment(
        "Gift boxes", "WINECLUB", [(SKU_GIFT_BOX, 1)], date(2026, 10, 1), "GROUND"
    )
    status, out, _ = _oms("--db", url, "club", "process", str(shipment.id))
    assert status == 0
    assert "This run: 3 placed, 6 failed, 0 skipped of 9 tried." in out
    assert out.count("declined:") == 3 and out.count("GIFT-BOX short (0 left)") == 3

    with services.context.uow_factory(write=True) as uow:  # 3 more boxes come in
        uow.products.restock(uow.products.get_by_sku(SKU_GIFT_BOX).id, 3)
        uow.commit()
    status, out, _ = _oms("--db", url, "club", "process", str(shipment.id))
    assert "This run: 3 placed, 3 failed, 0 skipped of 6 tried." in out
    assert out.count("declined:") == 3 and "short" not in out


def test_bulk_list_prints_every_bulk_order_newest_first_in_keyset_pages(office, monkeypatch):
    url, services = office
    monkeypatch.setattr("oms_tui.cli.batches.PAGE", 2)
    made = [services.bulk.create(f"Gifts {i}", [(SKU_CABERNET, 1)], "GROUND").id for i in range(5)]
    status, out, err = _oms("--db", url, "bulk", "list")
    assert status == 0 and err == ""
    assert [int(line.split()[0]) for line in out.splitlines()] == list(reversed(made))
    status, out, err = _oms("--db", url, "club", "list")
    assert (status, out, err.strip()) == (0, "", "no club shipments yet")
