"""``oms import template`` and ``oms import orders``: output, files and exit statuses 0, 1 and 2."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from oms_core import bootstrap
from oms_core.clock import StoppedClock
from oms_core.config import OfficeConfig
from oms_core.domain.customers import Address
from oms_core.domain.payments import CardEntry
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.customers import CustomerInput
from oms_tui.cli import imports as import_command
from oms_tui.cli import main
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, FixedClock, seed_reference
from tests.import_files import recipient, write_orders

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A SQLite office with the reference data, Pat (card on file) and Sam (wholesale, no card)."""
    path = tmp_path / "oms.db"
    url = f"sqlite:///{path}"
    bootstrap.upgrade_database(url)
    gateway = TestGateway(StoppedClock(NOW))
    clock = FixedClock(NOW)
    application = bootstrap.build(bootstrap.Config(url, operator="root"), gateway=gateway, clock=clock)
    with application.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    customers = application.services.customers
    office = Address(name="Pat Buyer", address1="1 Corp Way", city="Portland", state="OR", zip="97205")
    pat = customers.create(
        CustomerInput(first_name="Pat", last_name="Buyer", email="pat@corp.example", address=office),
        allow_duplicate=True,
    ).customer
    assert pat is not None
    customers.add_card(pat.id, CardEntry("4111111111111111", 12, 2030, "123"))
    customers.create(
        CustomerInput(first_name="Sam", last_name="Trade", type_code="WHOLESALE", address=office),
        allow_duplicate=True,
    )
    application.close()

    def build_application(database_url: str, office: OfficeConfig) -> bootstrap.Application:
        config = bootstrap.Config(database_url, operator="root", office=office)
        clock = FixedClock(NOW)
        return bootstrap.build(config, gateway=TestGateway(clock), clock=clock)

    monkeypatch.setattr(import_command, "build_application", build_application)
    monkeypatch.setattr(import_command, "interactive", lambda: False)
    monkeypatch.setenv(bootstrap.DATABASE_URL_ENV, url)
    return path


def orders_in(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT number, source FROM orders WHERE status != 'draft' ORDER BY number"
        ).fetchall()


def good_file(folder: Path) -> Path:
    return write_orders(
        folder / "gifts.xlsx",
        [
            recipient(items=((SKU_CABERNET, 1),)),
            recipient("Bob", "Jones", address1="1 Broadway", city="New York", state="NY", zip_code=10004,
                      items=((SKU_CHARDONNAY, 2),)),
        ],
    )  # fmt: skip


def test_template_writes_the_workbook(db: Path, tmp_path: Path) -> None:
    status, out, err = oms("import", "template", str(tmp_path / "t.xlsx"))
    assert (status, out) == (0, "")
    assert err == f"wrote the import template to {tmp_path / 't.xlsx'}\n"
    workbook = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert workbook.sheetnames == ["Orders", "Instructions"]


def test_template_refuses_to_overwrite_without_force_and_wants_xlsx(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    target.write_text("precious")
    status, _, err = oms("import", "template", str(target))
    assert status == 2 and "add --force" in err
    assert target.read_text() == "precious"
    assert oms("import", "template", str(target), "--force")[0] == 0
    status, _, err = oms("import", "template", str(tmp_path / "t.csv"))
    assert status == 2 and "is an .xlsx file" in err


def test_the_filled_in_template_imports_with_exit_0(db: Path, tmp_path: Path) -> None:
    template = tmp_path / "t.xlsx"
    assert oms("import", "template", str(template))[0] == 0
    workbook = openpyxl.load_workbook(template)
    workbook["Orders"].append(recipient(method="GROUND", items=((SKU_CABERNET, 2), (SKU_CHARDONNAY, 1))))
    workbook.save(template)
    status, out, err = oms(
        "import", "orders", str(template), "--purchaser", "C000001", "--payment", "card-on-file", "--yes"
    )
    assert status == 0, out + err
    assert out.splitlines()[-1] == "imported 1 order (#1001), total 102.45, paid by Visa ending 1111"
    assert "note: row 2: the template's example row (Jane Example) was skipped" in out
    assert orders_in(db) == [(1001, "import")]


def test_a_clean_dry_run_exits_0_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    status, out, err = oms(
        "import", "orders", str(good_file(tmp_path)), "--purchaser", "pat@corp.example",
        "--payment", "card-on-file:1111", "--dry-run",
    )  # fmt: skip
    assert status == 0, err
    assert out.splitlines() == [
        "gifts.xlsx: 2 order rows for C000001 Pat Buyer",
        "payment: Visa ending 1111 (one payment for the whole file)",
        "units: WINE-CAB-2019 1, WINE-CHARD-2021 2",
        "2 orders priced: subtotal 80.00, shipping 19.90, tax 4.87, total 104.77",
    ]
    assert err == "dry run: nothing was written\n"
    assert orders_in(db) == []


def test_a_file_with_errors_exits_1_writes_the_report_and_nothing_else(db: Path, tmp_path: Path) -> None:
    path = write_orders(tmp_path / "gifts.xlsx", [recipient(), recipient("Bob", items=(("NOPE", "x"),))])
    status, out, err = oms(
        "import", "orders", str(path), "--purchaser", "1", "--payment", "check:1042", "--yes"
    )
    assert status == 1
    assert out.splitlines()[-3:] == [
        "2 problems; nothing was imported:",
        "  row 3, column O (SKU 1): unknown SKU 'NOPE'",
        "  row 3, column P (Qty 1): 'x' is not a quantity (SKU 'NOPE')",
    ]
    report = tmp_path / "gifts-errors.xlsx"
    assert err == f"error report: {report}\n"
    assert openpyxl.load_workbook(report)["Orders"].cell(3, 19).value.startswith("SKU 1: unknown SKU 'NOPE'")
    assert orders_in(db) == []


def test_errors_out_puts_the_report_where_the_operator_says(db: Path, tmp_path: Path) -> None:
    path = write_orders(tmp_path / "gifts.xlsx", [recipient(state="ZZ")])
    (tmp_path / "back").mkdir()
    out_file = tmp_path / "back" / "fix-me.xlsx"
    status, _, err = oms(
        "import", "orders", str(path), "--purchaser", "1", "--payment", "card-on-file", "--dry-run",
        "--errors-out", str(out_file),
    )  # fmt: skip
    assert status == 1 and out_file.exists()
    assert err == f"error report: {out_file}\n"


def test_a_hostile_file_exits_1_with_its_reason(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    path.write_text("First,Last\nAnn,Smith\n")
    status, out, err = oms("import", "orders", str(path), "--purchaser", "1", "--payment", "cash", "--yes")
    assert status == 1
    assert "file: orders.xlsx is a CSV file, not an Excel workbook" in out
    assert err == "no error report: the file itself could not be read\n"
    assert orders_in(db) == []


def test_without_yes_and_without_a_terminal_nothing_is_imported(db: Path, tmp_path: Path) -> None:
    status, out, err = oms(
        "import", "orders", str(good_file(tmp_path)), "--purchaser", "1", "--payment", "cash"
    )
    assert status == 2 and out == ""
    assert err == "oms: error: not at a terminal: add --yes to import (or --dry-run to check only)\n"
    assert orders_in(db) == []


def test_at_a_terminal_the_operator_confirms(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_command, "interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda: "n")
    path = good_file(tmp_path)
    assert oms("import", "orders", str(path), "--purchaser", "1", "--payment", "cash")[0] == 2
    assert orders_in(db) == []
    monkeypatch.setattr("builtins.input", lambda: "y")
    status, out, err = oms("import", "orders", str(path), "--purchaser", "1", "--payment", "cash")
    assert status == 0 and "Import 2 orders (104.77)? [y/N]" in err
    assert orders_in(db) == [(1001, "import"), (1002, "import")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--purchaser", "C999999", "--payment", "cash"], "no customer 'C999999'"),
        (
            ["--purchaser", "nobody@x.example", "--payment", "cash"],
            "no customer with the email 'nobody@x.example'",
        ),
        (["--purchaser", "1", "--payment", "bitcoin"], "unknown payment 'bitcoin'"),
        (["--purchaser", "1", "--payment", "on-account"], "Retail customers cannot pay by on account"),
        (["--purchaser", "1", "--payment", "card-on-file:9999"], "no card on file ending 9999"),
        (["--purchaser", "2", "--payment", "card-on-file"], "has no card on file"),
        (["--purchaser", "1", "--payment", "check"], "enter the check number"),
        (["--purchaser", "1", "--payment", "new-card"], "a new card can only be typed at a terminal"),
    ],
)
def test_usage_errors_exit_2_with_one_line(db: Path, tmp_path: Path, argv: list[str], message: str) -> None:
    status, out, err = oms("import", "orders", str(good_file(tmp_path)), *argv, "--yes")
    assert status == 2 and out == ""
    assert err.startswith("oms: error: ") and message in err and len(err.splitlines()) == 1
    assert orders_in(db) == []


def test_a_missing_file_or_option_is_a_usage_error(db: Path, tmp_path: Path) -> None:
    status, _, err = oms(
        "import", "orders", str(tmp_path / "none.xlsx"), "--purchaser", "1", "--payment", "cash"
    )
    assert status == 2 and "there is no file" in err
    status, _, err = oms("import", "orders", str(good_file(tmp_path)), "--payment", "cash")
    assert status == 2 and "--purchaser" in err


def test_the_same_file_twice_needs_allow_duplicate(db: Path, tmp_path: Path) -> None:
    path = good_file(tmp_path)
    args = ("import", "orders", str(path), "--purchaser", "1", "--payment", "card-on-file", "--yes")
    assert oms(*args)[0] == 0
    status, out, err = oms(*args)
    assert status == 2
    assert "already imported on 2026-11-26 15:00 by root (2 orders) as gifts.xlsx" in out
    assert "add --allow-duplicate" in err
    assert len(orders_in(db)) == 2
    status, out, _ = oms(*args, "--allow-duplicate", "--per-order")
    assert status == 0 and out.splitlines()[-1].startswith("imported 2 orders (#1003 to #1004)")
    assert len(orders_in(db)) == 4


def test_a_new_card_is_typed_hidden_at_the_terminal_and_never_printed(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_command, "interactive", lambda: True)
    hidden = iter(["5555 5555 5555 4444", "123"])
    monkeypatch.setattr(import_command.getpass, "getpass", lambda prompt: next(hidden))
    monkeypatch.setattr("builtins.input", lambda prompt="": "12/30")
    status, out, err = oms(
        "import", "orders", str(good_file(tmp_path)), "--purchaser", "1", "--payment", "new-card", "--yes"
    )
    assert status == 0, out + err
    assert out.splitlines()[-1].endswith("paid by Mastercard ending 4444")
    assert "5555" not in out.replace("ending 4444", "") and "5555" not in err
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT brand, last4, token FROM payments").fetchall()
    assert {(brand, last4) for brand, last4, _ in stored} == {("Mastercard", "4444")}
    assert all("5555555555554444" not in token for _, _, token in stored)
