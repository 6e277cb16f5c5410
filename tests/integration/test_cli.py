"""The ``oms`` command: run in-process through ``main`` and, a few times, as a real process."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers
import pytest

from oms_core import bootstrap
from oms_core.demo.plan import SeedPlan
from oms_core.domain.errors import OmsError
from oms_tui import cli
from oms_tui.cli import main
from tests.fakes import FixedClock

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("oms: error: ")
    assert "Traceback" not in err
    return lines[0]


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "oms.db"


def url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_version_prints_the_package_version():
    status, out, _ = oms("--version")
    assert status == 0
    assert out.strip().startswith("oms ") and out.strip() != "oms unknown"


@pytest.mark.parametrize(
    "argv",
    [(), ("demo",), ("seed",), ("db",), ("db", "upgrade"), ("export",), ("operator",), ("operator", "add"),
     ("operator", "list")],
)  # fmt: skip
def test_every_command_has_help(argv):
    status, out, err = oms(*argv, "--help")
    assert status == 0 and err == ""
    assert out.startswith("usage: oms")


def test_db_upgrade_creates_the_schema_in_a_new_file(db):
    status, out, err = oms("--db", url(db), "db", "upgrade")
    assert status == 0, err
    assert str(db) in out
    tables = {name for (name,) in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"customers", "products", "orders", "alembic_version"} <= tables
    assert oms("--db", url(db), "db", "upgrade")[0] == 0  # again: nothing to do, still fine


def test_the_database_url_comes_from_the_environment_when_db_is_not_given(db, monkeypatch):
    monkeypatch.setenv(bootstrap.DATABASE_URL_ENV, url(db))
    assert oms("db", "upgrade")[0] == 0
    assert db.exists()


def test_seed_adds_the_counts_asked_for_each_customer_with_an_address_and_a_valid_phone(db):
    status, out, err = oms(
        "--db", url(db), "seed", "--customers", "300", "--products", "40", "--orders", "25"
    )
    assert status == 0, err
    assert "added 300 customers" in out and "40 products and 25 orders" in out
    assert rows(db, "SELECT count(*) FROM customers") == [(300,)]
    assert rows(db, "SELECT count(*) FROM products") == [(40,)]
    assert rows(db, "SELECT count(*) FROM orders WHERE status != 'draft'") == [(25,)]
    assert rows(db, "SELECT count(*) FROM customers c WHERE NOT EXISTS "
                    "(SELECT 1 FROM addresses a WHERE a.customer_id = c.id)") == [(0,)]  # fmt: skip
    for (phone,) in rows(db, "SELECT phone FROM customers"):
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone, None)), phone
    assert rows(db, "SELECT count(*) FROM cards WHERE token NOT LIKE 'tok_test_%' "
                    "AND token NOT LIKE 'tok_decline_%'") == [(0,)]  # fmt: skip


def test_seeded_order_totals_are_their_lines_plus_shipping_plus_tax(db):
    assert oms("--db", url(db), "seed", "--customers", "200", "--products", "50", "--orders", "60")[0] == 0
    orders = rows(
        db,
        "SELECT o.id, o.subtotal_cents, o.shipping_cents, o.tax_cents, o.total_cents, o.shipping_tax_cents, "
        "sum(l.quantity * coalesce(l.price_override_cents, l.unit_price_cents)), sum(l.line_tax_cents) "
        "FROM orders o JOIN order_lines l ON l.order_id = o.id GROUP BY o.id",
    )
    assert len(orders) == 60
    for _, subtotal, shipping, tax, total, shipping_tax, lines, line_tax in orders:
        assert subtotal == lines
        assert tax == line_tax + shipping_tax
        assert total == subtotal + shipping + tax
    payments = rows(
        db, "SELECT o.total_cents, p.amount_cents FROM orders o JOIN payments p ON p.order_id = o.id"
    )
    assert len(payments) == 60 and all(total == amount for total, amount in payments)
    assert rows(db, "SELECT count(DISTINCT order_id) FROM audit_events WHERE action = 'placed'") == [(60,)]


def test_the_same_seed_gives_the_same_database(tmp_path):
    dumps = []
    for name in ("a.db", "b.db"):
        path = tmp_path / name
        bootstrap.seed_database(url(path), SeedPlan(120, 30, 20, seed=42), clock=FixedClock(NOW))
        dumps.append(
            [
                rows(path, f"SELECT * FROM {table} ORDER BY id")
                for table in (
                    "customers",
                    "addresses",
                    "cards",
                    "products",
                    "orders",
                    "order_lines",
                    "payments",
                )
            ]
        )
    assert dumps[0] == dumps[1]
    other = tmp_path / "c.db"
    bootstrap.seed_database(url(other), SeedPlan(120, 30, 20, seed=43), clock=FixedClock(NOW))
    assert rows(other, "SELECT * FROM customers ORDER BY id") != dumps[0][0]


def test_seeding_again_adds_to_the_database_numbers_continue_and_skus_never_collide(db):
    assert oms("--db", url(db), "seed", "--customers", "50", "--products", "30", "--orders", "10")[0] == 0
    assert oms("--db", url(db), "seed", "--customers", "50", "--products", "30", "--orders", "10")[0] == 0
    assert rows(db, "SELECT count(*), count(DISTINCT number) FROM customers") == [(100, 100)]
    assert rows(db, "SELECT min(number), max(number) FROM customers") == [("C000001", "C000100")]
    assert rows(db, "SELECT count(*), count(DISTINCT upper(sku)) FROM products") == [(60, 60)]
    numbers = [n for (n,) in rows(db, "SELECT number FROM orders ORDER BY number")]
    assert len(numbers) == 20 and numbers == list(range(numbers[0], numbers[0] + 20))
    assert rows(db, "SELECT count(*) FROM customer_types") == [(4,)]  # reference data added once


def test_orders_can_be_seeded_from_the_customers_and_products_already_there(db):
    assert oms("--db", url(db), "seed", "--customers", "80", "--products", "20")[0] == 0
    status, out, err = oms("--db", url(db), "seed", "--customers", "0", "--products", "0", "--orders", "15")
    assert status == 0, err
    assert "15 orders" in out
    assert rows(db, "SELECT count(*) FROM products WHERE stock_on_hand < 0") == [(0,)]


def test_seed_places_exactly_the_orders_asked_receiving_stock_instead_of_overselling(db):
    # 600 orders from 6 products: far more than their opening stock, so deliveries are received.
    status, out, err = oms(
        "--db", url(db), "seed", "--customers", "150", "--products", "6", "--orders", "600"
    )
    assert status == 0, err
    assert "600 orders" in out and "stock deliveries received" in out
    assert rows(db, "SELECT count(*) FROM orders WHERE status != 'draft'") == [(600,)]
    assert rows(db, "SELECT count(*) FROM products WHERE stock_on_hand < 0") == [(0,)]
    received = rows(db, "SELECT count(*) FROM audit_events WHERE action = 'stock received'")[0][0]
    assert received > 0
    numbers = [n for (n,) in rows(db, "SELECT number FROM orders ORDER BY placed_at, id")]
    assert numbers == list(range(numbers[0], numbers[0] + 600))
    assert rows(db, "SELECT value FROM counters WHERE name = 'order'") == [(numbers[-1],)]
    # The planner's statistics were refreshed after the load.
    assert rows(db, "SELECT count(*) > 0 FROM sqlite_stat1 WHERE tbl = 'orders'") == [(1,)]


def test_operator_add_then_list(db):
    status, out, _ = oms(
        "--db", url(db), "operator", "add", "alice", "--role", "supervisor", "--name", "Alice Ng"
    )
    assert status == 0 and out.strip() == "alice (Alice Ng) is supervisor"
    assert (
        oms("--db", url(db), "operator", "add", "alice", "--role", "admin")[1].strip()
        == "alice (Alice Ng) is admin"
    )
    status, out, _ = oms("--db", url(db), "operator", "list")
    assert status == 0
    account = bootstrap.os_account()  # created the database, so its first admin
    listed = sorted(line.split() for line in out.splitlines())
    assert listed == sorted([[account, "admin"], ["alice", "admin", "Alice", "Ng"]])


class FakeTui:
    """Stands in for the Textual app: opens the database the way the app would, records who."""

    def __init__(self) -> None:
        self.started: list[tuple[str, str]] = []

    def __call__(self, config: bootstrap.Config, connect) -> int:
        services = connect()
        assert services.customers is not None  # the database really opened behind the screen
        self.started.append((config.database_url, config.operator))
        return 0


def test_demo_seeds_once_registers_the_user_as_admin_and_starts_the_tui(db, monkeypatch):
    tui = FakeTui()
    monkeypatch.setattr("oms_tui.app.run_connecting", tui)
    monkeypatch.setenv(bootstrap.OPERATOR_ENV, "demo-user")
    assert oms("--db", url(db), "demo")[0] == 0
    assert rows(db, "SELECT count(*) FROM customers") == [(2_000,)]
    assert rows(db, "SELECT count(*) FROM orders") == [(500,)]
    assert rows(db, "SELECT role FROM operators WHERE username = 'demo-user'") == [("admin",)]
    assert oms("--db", url(db), "demo")[0] == 0  # second time: opens it as it is
    assert rows(db, "SELECT count(*) FROM customers") == [(2_000,)]
    assert tui.started == [(url(db), "demo-user")] * 2


def test_oms_without_a_command_upgrades_the_database_then_starts_the_tui(db, monkeypatch):
    tui = FakeTui()
    monkeypatch.setattr("oms_tui.app.run_connecting", tui)
    monkeypatch.setenv(bootstrap.OPERATOR_ENV, "pat")
    status, _, err = oms("--db", url(db))
    assert status == 0
    assert tui.started == [(url(db), "pat")]  # the account running the tests created it: an admin
    assert f"oms: {bootstrap.os_account()} created this database and is its first admin" in err
    assert rows(db, "SELECT count(*) FROM alembic_version") == [(1,)]


def test_without_a_terminal_the_tui_refuses_in_one_line_instead_of_spinning(db, monkeypatch):
    monkeypatch.setattr("sys.__stdin__", io.StringIO())
    monkeypatch.setenv(bootstrap.OPERATOR_ENV, "pat")
    status, _, err = oms("--db", url(db))
    assert status == 1
    assert "the screens need a terminal" in one_line_error(err)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--db", "not a url", "db", "upgrade"), "is not a database URL"),
        (("--db", "mysql://u@h/db", "export", "customers"), "unsupported database 'mysql'"),
        (("--db", "postgresql://h:port/db", "export", "customers"), "is not a database URL"),
        (("--db", "sqlite://tmp/qa/x.db", "operator", "list"), "has two slashes where SQLite needs three"),
        (("--db", "sqlite://tmp/qa/x.db", "db", "upgrade"), "has two slashes where SQLite needs three"),
        (("--db", "", "operator", "list"), "argument --db: an empty URL"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
        (("export", "customers", "--db", "sqlite://"), "global options go before the command"),
        (
            ("seed", "--customers", "-5", "--products", "1"),
            "argument --customers: -5 is too small (at least 0)",
        ),
        (
            ("seed", "--customers", "1000000000000", "--products", "1"),
            "argument --customers: 1000000000000 is too large (at most 10,000,000)",
        ),
        (
            ("bulk", "run", "99999999999999999999"),
            "argument BATCH: 99999999999999999999 is too large (at most 9,223,372,036,854,775,807)",
        ),
        (("club", "process", "0"), "argument SHIPMENT: 0 is too small (at least 1)"),
        (("club", "process", "9" * 5000), "is too large (at most 9,223,372,036,854,775,807)"),
        (("import", "template", "t.xlsx", "--pairs", "51"), "argument --pairs: 51 is too large (at most 50)"),
        (
            ("seed", "--customers", "1", "--products", "1", "--seed", "x"),
            "argument --seed: 'x' is not a whole",
        ),
        (("seed", "--customers", "lots", "--products", "1"), "'lots' is not a whole number"),
        (("operator", "add", "bob", "--role", "boss"), "invalid choice: 'boss'"),
    ],
)
def test_usage_and_url_mistakes_are_one_line_and_a_non_zero_exit(argv, expected):
    status, out, err = oms(*argv)
    assert status != 0
    assert expected in one_line_error(err)


def test_xlsx_without_out_is_refused_in_one_line(db):
    oms("--db", url(db), "db", "upgrade")
    status, out, err = oms("--db", url(db), "export", "orders", "--format", "xlsx")
    assert status == 1 and out == ""
    assert "xlsx needs a file: give --out FILE.xlsx" in one_line_error(err)


def test_reading_a_database_that_does_not_exist_is_refused_and_creates_nothing(tmp_path):
    missing = tmp_path / "nowhere" / "oms.db"
    status, _, err = oms("--db", url(missing), "export", "customers")
    assert status == 1
    assert "there is no database at" in one_line_error(err)
    assert not missing.exists()


def test_a_database_without_the_schema_suggests_db_upgrade(db):
    sqlite3.connect(db).close()
    status, _, err = oms("--db", url(db), "export", "products")
    assert status == 1
    assert "oms db upgrade" in one_line_error(err)


def test_an_unreachable_postgresql_server_is_one_line():
    status, out, err = oms("--db", "postgresql://nobody@127.0.0.1:9/none", "export", "customers")
    assert status == 1 and out == ""
    assert "cannot reach the database" in one_line_error(err)


def test_interrupting_a_command_exits_130(db, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(bootstrap, "upgrade_database", interrupted)
    status, _, err = oms("--db", url(db), "db", "upgrade")
    assert status == 130 and "interrupted" in err


def test_an_unexpected_error_is_one_line_unless_debugging(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(bootstrap, "upgrade_database", broken)
    status, _, err = oms("--db", url(db), "db", "upgrade")
    assert status == 1
    assert "unexpected RuntimeError: boom" in one_line_error(err)
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(RuntimeError):
        main(["--db", url(db), "db", "upgrade"], stdout=io.StringIO(), stderr=io.StringIO())


def _run(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oms_tui.cli", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_as_a_process_version_and_help_work():
    done = _run("--version")
    assert done.returncode == 0 and done.stdout.startswith("oms ")
    done = _run("export", "--help")
    assert done.returncode == 0 and "--format {csv,json,xlsx}" in done.stdout


def test_as_a_process_seed_then_export_to_stdout(db):
    done = _run("--db", url(db), "seed", "--customers", "20", "--products", "10", "--orders", "5")
    assert done.returncode == 0, done.stderr
    done = _run("--db", url(db), "export", "customers", "--format", "csv")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "number,first_name,last_name,company,email,phone,type,status,city,state,zip"
    assert len(lines) == 21


def test_as_a_process_a_bad_url_is_one_line_without_a_traceback():
    done = _run("--db", "nonsense", "export", "orders")
    assert done.returncode == 1
    assert done.stdout == ""
    one_line_error(done.stderr)


def test_as_a_process_without_a_terminal_the_tui_exits_at_once_with_one_line(db):
    done = _run("--db", url(db))  # stdin is not a terminal here, as under cron or CI
    assert done.returncode == 1
    assert "the screens need a terminal" in one_line_error(done.stderr)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "is not a database URL"),
        ("/var/lib/oms.db", "is not a database URL"),
        ("mysql://u@h/db", "unsupported database 'mysql'"),
        ("mssql+pyodbc://u@h/db", "unsupported database 'mssql'"),
    ],
)
def test_the_tui_refuses_a_wrong_kind_of_url_before_it_starts(url, expected, monkeypatch):
    tui = FakeTui()
    monkeypatch.setattr("oms_tui.app.run_connecting", tui)
    status, _, err = oms("--db", url)
    assert status == 1
    assert expected in one_line_error(err)
    assert tui.started == []


@pytest.mark.parametrize(
    "url", ["sqlite:///x.db", "sqlite://", "postgresql://u@h/db", "postgres+psycopg://h/d"]
)
def test_the_quick_scheme_check_lets_supported_urls_through(url):
    bootstrap.check_database_scheme(url)


def test_a_url_that_fails_the_full_check_is_reported_from_behind_the_first_screen(monkeypatch):
    reported = []

    def fake_tui(config, connect):
        try:
            connect()
        except OmsError as error:
            reported.append(str(error))
            return 1
        return 0

    monkeypatch.setattr("oms_tui.app.run_connecting", fake_tui)
    assert oms("--db", "postgresql://host:bad-port/x")[0] == 1
    assert reported and "not a database URL" in reported[0]


@pytest.mark.parametrize(
    "argv", [("db", "upgrade"), ("seed", "--customers", "2", "--products", "2")], ids=["upgrade", "seed"]
)
def test_a_database_of_something_else_is_refused_unless_forced(tmp_path, argv):
    foreign = tmp_path / "accounts.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER)")
    status, out, err = oms("--db", url(foreign), *argv)
    assert status == 1 and out == ""
    assert "the database holds other tables (ledger) and no oms schema" in one_line_error(err)
    with sqlite3.connect(foreign) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == [("ledger",)]
    status, _, err = oms("--db", url(foreign), *argv, "--force")
    assert status == 0, err
    with sqlite3.connect(foreign) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_a_database_in_a_missing_folder_is_refused_and_no_folder_is_made(tmp_path):
    missing = tmp_path / "typo" / "oms.db"
    status, _, err = oms("--db", url(missing), "db", "upgrade")
    assert status == 1
    expected = f"there is no folder {missing.parent} for the database oms.db (oms creates no folders)"
    assert one_line_error(err) == f"oms: error: {expected}"
    assert not missing.parent.exists()
