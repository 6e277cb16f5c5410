"""Importing order files on real databases (SQLite file and PostgreSQL, ``database_url`` in
tests/conftest.py): all or nothing, hostile files, duplicate files. An import killed at each step
of paying is in test_payment_kills.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from oms_core.bootstrap import Application, Config, build, upgrade_database
from oms_core.domain.customers import Address
from oms_core.domain.payments import CardEntry
from oms_core.services.customers import CustomerInput
from oms_core.services.imports import DuplicateImportFile, ImportRejected
from oms_core.spreadsheets.reader import ReaderLimits, read_order_file
from oms_core.storage import tables
from oms_core.storage.database import make_engine
from oms_core.storage.imports import SqlImportFileRepository
from tests.fakes import SKU_CABERNET, SKU_CORKSCREW, FixedClock, seed_reference
from tests.import_files import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    many_recipients,
    ole_file,
    recipient,
    replace_part,
    sheet_xml,
    write_orders,
    zip_bomb,
)
from tests.unit.test_import_service import CountingGateway

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@dataclass
class Shop:
    application: Application
    gateway: CountingGateway
    purchaser: int

    @property
    def imports(self):  # noqa: ANN201 - the ImportService
        return self.application.services.imports

    def counts(self) -> dict[str, object]:
        """Everything an import could write, to show that nothing was (the gateway calls it made,
        and their lines in the audit trail, stay: they happened).
        """
        engine = make_engine(self.application.config.database_url)
        with engine.connect() as conn:
            counted = {
                table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (tables.orders, tables.order_lines, tables.payments, tables.import_files)
            }
            counted["audit_events"] = conn.execute(
                select(func.count())
                .select_from(tables.audit_events)
                .where(tables.audit_events.c.action.not_like("payment %"))
            ).scalar_one()
            counted["stock"] = sorted(
                conn.execute(select(tables.products.c.sku, tables.products.c.stock_on_hand)).all()
            )
        engine.dispose()
        return counted


@pytest.fixture
def shop(database_url: str) -> Iterator[Shop]:
    upgrade_database(database_url)
    gateway = CountingGateway()
    application = build(Config(database_url, operator="root"), gateway=gateway, clock=FixedClock(NOW))
    with application.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    buyer = application.services.customers.create(
        CustomerInput(
            first_name="Pat",
            last_name="Buyer",
            company="Corp Inc",
            email="pat@corp.example",
            address=Address(
                name="Pat Buyer", address1="1 Corp Way", city="Portland", state="OR", zip="97205"
            ),
        ),
        allow_duplicate=True,
    ).customer
    assert buyer is not None
    application.services.customers.add_card(buyer.id, CardEntry("4111111111111111", 12, 2030, "123"))
    yield Shop(application, gateway, buyer.id)
    application.close()


def _card(shop: Shop):  # noqa: ANN202 - a PaymentChoice
    return shop.imports.choose_payment(shop.purchaser, "card_on_file")


def test_a_file_is_imported_into_the_database_and_remembered(shop: Shop, tmp_path: Path) -> None:
    path = write_orders(
        tmp_path / "gifts.xlsx",
        [
            recipient(gift="Cheers!", items=((SKU_CABERNET, 2),)),
            recipient("Bob", "Jones", address1="1 Broadway", city="New York", state="NY", zip_code=10004),
        ],
    )
    parsed = read_order_file(path)
    preview = shop.imports.dry_run(parsed, shop.purchaser, _card(shop))
    assert preview.ok and preview.ready == 2
    result = shop.imports.run(parsed, shop.purchaser, _card(shop))
    orders = shop.application.services.orders
    first, second = (orders.get_by_number(n) for n in result.numbers)
    assert (first.source, first.gift_message, first.ship_to.zip if first.ship_to else "") == (
        "import",
        "Cheers!",
        "02134",
    )
    assert second.ship_to is not None and second.ship_to.zip == "10004"
    assert first.bill_to is not None and first.bill_to.address1 == "1 Corp Way"
    assert [
        (r.filename, r.order_count, r.operator) for r in shop.imports.earlier_imports(parsed.content_hash)
    ] == [("gifts.xlsx", 2, "root")]
    assert result.total == preview.total


def test_markup_escape_sequences_and_sql_in_cells_are_stored_literally(shop: Shop, tmp_path: Path) -> None:
    path = write_orders(
        tmp_path / "gifts.xlsx",
        [
            recipient(
                "[bold red]Bobby[/]",
                "Tables'); DROP TABLE orders;--",
                company="_x001B_[31mRed_x001B_[0m Corp",
                address1="1 Main St; DELETE FROM customers",
                gift="[link=http://evil]click[/link] %s ?",
            )
        ],
    )
    result = shop.imports.run(read_order_file(path), shop.purchaser, _card(shop))
    order = shop.application.services.orders.get_by_number(result.numbers[0])
    assert order.ship_to is not None
    assert order.ship_to.name == "[bold red]Bobby[/] Tables'); DROP TABLE orders;--"
    assert order.ship_to.company == "Red Corp"
    assert order.ship_to.address1 == "1 Main St; DELETE FROM customers"
    assert order.gift_message == "[link=http://evil]click[/link] %s ?"
    assert shop.counts()["orders"] == 1


def _csv(tmp: Path) -> Path:
    path = tmp / "orders.xlsx"
    path.write_text("First,Last\nAnn,Smith\n")
    return path


def _good(tmp: Path) -> Path:
    return write_orders(tmp / "good.xlsx", [recipient()])


def _with_sheet(tmp: Path, xml: bytes) -> Path:
    return replace_part(_good(tmp), tmp / "orders.xlsx", "xl/worksheets/sheet1.xml", xml)


def _long_cell(tmp: Path) -> Path:
    source = write_orders(tmp / "good.xlsx", [recipient(gift="PLACEHOLDER")])
    return _with_sheet(tmp, sheet_xml(source).replace(b"PLACEHOLDER", b"x" * 40_000))


HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "csv": (_csv, "is a CSV file, not an Excel workbook"),
    "old xls": (lambda tmp: ole_file(tmp / "orders.xlsx", encrypted=False), "old Excel 97-2003 workbook"),
    "encrypted": (
        lambda tmp: ole_file(tmp / "orders.xlsx", encrypted=True),
        "the file is password-protected",
    ),
    "zip bomb": (lambda tmp: zip_bomb(tmp / "orders.xlsx", 30), "a zip bomb?"),
    "billion laughs": (lambda tmp: _with_sheet(tmp, BILLION_LAUGHS), "declares XML entities or a DOCTYPE"),
    "external entity": (lambda tmp: _with_sheet(tmp, EXTERNAL_ENTITY), "declares XML entities or a DOCTYPE"),
    "too many rows": (
        lambda tmp: write_orders(tmp / "orders.xlsx", many_recipients(30)),
        "more than 25 order rows (the limit)",
    ),
    "formula without a result": (
        lambda tmp: write_orders(tmp / "orders.xlsx", [recipient(items=((SKU_CABERNET, "=2*3"),))]),
        "row 2, column P (Qty 1): the cell holds a formula with no saved result",
    ),
    "cell of 40,000 characters": (
        _long_cell,
        "row 2, column N (Gift Message): the cell has 40,000 characters",
    ),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_file_gets_a_clear_message_and_changes_nothing(
    shop: Shop, tmp_path: Path, kind: str
) -> None:
    build_file, message = HOSTILE[kind]
    before = shop.counts()
    parsed = read_order_file(build_file(tmp_path), ReaderLimits(max_rows=25))
    preview = shop.imports.dry_run(parsed, shop.purchaser, _card(shop))
    assert not preview.ok
    assert message in str(preview.problems[0])
    with pytest.raises(ImportRejected) as caught:
        shop.imports.run(parsed, shop.purchaser, _card(shop))
    assert message in str(caught.value)
    assert shop.counts() == before
    assert shop.gateway.authorized == []


def test_a_gateway_failing_at_the_500th_order_leaves_no_order(shop: Shop, tmp_path: Path) -> None:
    path = write_orders(tmp_path / "big.xlsx", many_recipients(600, items=((SKU_CORKSCREW, 1),)))
    parsed = read_order_file(path)
    before = shop.counts()
    shop.gateway.fail_at = 500
    with pytest.raises(RuntimeError):
        shop.imports.run(parsed, shop.purchaser, _card(shop), one_payment=False)
    assert shop.counts() == before  # no order, and the stock all back
    # Once a request failed no more were sent: only those already in flight (at most 8) came back.
    assert 499 <= len(shop.gateway.authorized) <= 499 + 7
    assert sorted(shop.gateway.voided) == sorted(ref for _, ref in shop.gateway.authorized)


def test_a_fault_in_the_transaction_after_placing_leaves_no_order(
    shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = read_order_file(write_orders(tmp_path / "gifts.xlsx", many_recipients(20)))
    before = shop.counts()

    def broken(self: SqlImportFileRepository, record: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(SqlImportFileRepository, "add", broken)
    with pytest.raises(OSError, match="disk full"):
        shop.imports.run(parsed, shop.purchaser, _card(shop))
    assert shop.counts() == before
    assert shop.gateway.voided == [shop.gateway.authorized[0][1]]


def test_the_same_file_twice_is_caught_on_the_database(shop: Shop, tmp_path: Path) -> None:
    path = write_orders(tmp_path / "gifts.xlsx", [recipient()])
    shop.imports.run(read_order_file(path), shop.purchaser, _card(shop))
    copy = tmp_path / "renamed.xlsx"
    copy.write_bytes(path.read_bytes())
    before = shop.counts()
    with pytest.raises(
        DuplicateImportFile,
        match=r"renamed.xlsx \(the same file as gifts.xlsx\) was already imported on 2026-11-26 15:00 "
        r"by root \(1 order\)",
    ):
        shop.imports.run(read_order_file(copy), shop.purchaser, _card(shop))
    assert shop.counts() == before
    again = shop.imports.run(read_order_file(copy), shop.purchaser, _card(shop), allow_duplicate_file=True)
    assert again.orders == 1
    assert shop.counts()["import_files"] == 2
