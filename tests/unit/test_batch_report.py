"""The .xlsx result report of a bulk order or club shipment."""

from __future__ import annotations

import openpyxl
import pytest

from oms_core.payments.test_gateway import TestGateway
from oms_core.services.context import ServiceContext
from oms_core.services.registry import Services
from oms_core.spreadsheets.batch_report import HEADERS, default_report_name, export_batch
from tests.fakes import SKU_CABERNET
from tests.unit.batch_helpers import DECLINED_CARD, add_customer


@pytest.fixture
def services(fake_factory, clock):
    return Services.build(ServiceContext(fake_factory, TestGateway(clock), clock, "a"))


def test_the_report_lists_every_customer_with_order_or_reason_and_keeps_text_as_text(services, tmp_path):
    good = add_customer(services, "=HYPERLINK(1)")
    bad = add_customer(services, "Bad", card=DECLINED_CARD)
    batch = services.bulk.create("Gifts", [(SKU_CABERNET, 1)], "GROUND", [good, bad])
    services.bulk.run(batch.id)
    path = tmp_path / default_report_name("bulk", batch.id)
    assert export_batch(services.bulk, batch.id, path) == 2

    workbook = openpyxl.load_workbook(path)
    rows = list(workbook["Results"].iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert rows[1][1] == "=HYPERLINK(1) Member"
    assert workbook["Results"]["B2"].data_type == "s"
    assert rows[1][4:7] == ("placed", 1001, 44.95)
    assert rows[2][4] == "failed" and "declined" in rows[2][7]
    about = dict(workbook["Batch"].iter_rows(values_only=True))
    assert about["Batch"] == "Gifts"
    assert (about["Placed"], about["Failed"]) == ("1", "1")
