"""``oms bulk run`` and ``oms club process``: unattended runs with a progress line and the report."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from oms_core.bootstrap import Config, build, upgrade_database
from oms_tui.cli import main
from tests.fakes import SKU_CABERNET, seed_reference
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
    assert err.strip() == "oms: error: batch 999 does not exist"
