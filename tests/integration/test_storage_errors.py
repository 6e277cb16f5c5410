"""The storage raises the domain's errors, in words, never SQLAlchemy's or the driver's."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from oms_core.bootstrap import Config, build
from oms_core.clock import SystemClock
from oms_core.domain.errors import DatabaseBusy, DatabaseError, TransactionConflict
from oms_core.services import retry
from oms_core.storage import database
from oms_core.storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, seed_reference


@pytest.fixture
def seeded(uow_factory: SqlUnitOfWorkFactory) -> dict[str, int]:
    with uow_factory(write=True) as uow:
        ids = seed_reference(uow)
        uow.commit()
    return ids


@pytest.mark.postgres
def test_a_deadlock_is_a_transaction_conflict(database_url: str, uow_factory, seeded) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time: it cannot deadlock")
    first, second = seeded[SKU_CABERNET], seeded[SKU_CHARDONNAY]
    both_hold_one = threading.Barrier(2, timeout=10)
    raised: list[BaseException] = []

    def take(one: int, other: int) -> None:
        with uow_factory(write=True) as uow:
            try:
                uow.products.take_stock(one, 1, True)
                both_hold_one.wait()
                uow.products.take_stock(other, 1, True)
                uow.commit()
            except BaseException as exc:  # noqa: BLE001 - the test looks at what was raised
                raised.append(exc)

    threads = [threading.Thread(target=take, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(raised) == 1, raised  # the server picked one victim
    assert isinstance(raised[0], TransactionConflict)
    assert str(raised[0]).startswith("the database was busy with other work (deadlock detected)")


def test_a_missing_table_says_to_upgrade(tmp_path: Path) -> None:
    engine = database.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with (
            pytest.raises(DatabaseError, match=r"no such table: products.*run `oms db upgrade` first"),
            SqlUnitOfWorkFactory(engine, SystemClock())() as uow,
        ):
            uow.products.get(1)
    finally:
        engine.dispose()


def _hold_write_lock(path: str, release: threading.Event, held: threading.Event) -> None:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    held.set()
    release.wait(30)
    other.execute("ROLLBACK")
    other.close()


def test_sqlite_waiting_past_the_busy_timeout_is_retried_then_reported_in_words(
    database_url: str, seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the busy timeout is SQLite's")
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(retry, "RETRY_BUDGET_SECONDS", 1.0)
    application = build(Config(database_url, operator="alice"))
    path = database_url.removeprefix("sqlite:///")
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, release, held))
    holder.start()
    try:
        held.wait(10)
        with pytest.raises(DatabaseBusy, match="stayed busy with other work") as busy:
            application.services.cart.start()
        assert "database is locked" in str(busy.value.__cause__)
        # A lock let go while the call is still retrying: the operator never hears of it.
        threading.Timer(0.3, release.set).start()
        assert application.services.cart.start().id is not None
    finally:
        release.set()
        holder.join(10)
        application.close()


class _BrokenFileCursor(sqlite3.Cursor):
    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql == "BEGIN IMMEDIATE":
            raise sqlite3.DatabaseError("database disk image is malformed")
        return super().execute(sql, *args)


class _BrokenFileConnection(sqlite3.Connection):
    """A connection to a file that turns out damaged when a write transaction begins."""

    def cursor(self, factory: type[sqlite3.Cursor] = _BrokenFileCursor) -> sqlite3.Cursor:
        return super().cursor(factory)

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        return self.cursor().execute(sql, *args)


def test_a_damaged_sqlite_file_refusing_a_write_is_reported_in_words(tmp_path: Path) -> None:
    """The write lock is asked for outside SQLAlchemy's error handling: a driver error there must
    still reach the operator as the domain's one line, not as sqlite3's exception.
    """
    engine = database.make_engine(
        f"sqlite:///{tmp_path / 'damaged.db'}", connect_args={"factory": _BrokenFileConnection}
    )
    try:
        with (
            pytest.raises(DatabaseError, match="malformed"),
            SqlUnitOfWorkFactory(engine, SystemClock())(write=True) as uow,
        ):
            uow.reference.shipping_methods()
    finally:
        engine.dispose()


def test_a_file_that_is_not_a_database_is_named_so_not_as_a_refused_change(tmp_path: Path) -> None:
    """Reading a text file as the database said "the database refused the change (file is not a
    database); nothing was saved", though nothing was being changed.
    """
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 100)
    engine = database.make_engine(f"sqlite:///{path}")
    try:
        with (
            pytest.raises(DatabaseError, match="names a file that is not an oms database") as refused,
            SqlUnitOfWorkFactory(engine, SystemClock())() as uow,
        ):
            uow.reference.shipping_methods()
        assert "refused the change" not in str(refused.value)
    finally:
        engine.dispose()
