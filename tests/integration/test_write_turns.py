"""A batch run gives way to writers waiting for SQLite's lock, and pauses not at all when none wait."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oms_core.bootstrap import Application, Config, build
from oms_core.clock import SystemClock
from oms_core.payments.test_gateway import TestGateway
from oms_core.storage import SqlUnitOfWorkFactory, make_engine
from oms_core.storage.write_turns import WriteTurns
from tests.fakes import SKU_CABERNET, FixedClock, seed_reference
from tests.unit.batch_helpers import add_customer

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.fixture
def application(database_url: str) -> Iterator[Application]:
    clock = FixedClock(NOW)
    app = build(Config(database_url, operator="alice"), gateway=TestGateway(clock), clock=clock)
    with app.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    yield app
    app.close()


def _write_lock_taken(database: str | None) -> bool:
    """Whether another connection holds SQLite's write lock right now (asked without waiting)."""
    probe = sqlite3.connect(str(database), timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()
    return False


def _sqlite(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single write lock only")


def test_a_run_gives_way_to_a_writer_waiting_for_the_lock_until_it_is_in(database_url: str) -> None:
    _sqlite(database_url)
    engine = make_engine(database_url)
    factory = SqlUnitOfWorkFactory(engine, SystemClock())
    turns = WriteTurns(engine.url.database)
    holding, release = threading.Event(), threading.Event()
    got_in: list[float] = []

    def holder() -> None:  # a chunk's transaction
        with factory(write=True) as uow:
            uow.reference.shipping_methods()  # begins: BEGIN IMMEDIATE
            holding.set()
            release.wait(10)
            uow.commit()

    def waiter() -> None:  # an operator's edit arriving meanwhile
        holding.wait(10)
        with factory(write=True) as uow:
            uow.reference.shipping_methods()
            got_in.append(time.monotonic())
            uow.commit()

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    try:
        assert turns.anyone_waiting() is False
        for thread in threads:
            thread.start()
        # The holder marks itself too while it asks: look only once it holds the lock.
        assert holding.wait(10)
        deadline = time.monotonic() + 10
        while not turns.anyone_waiting() and time.monotonic() < deadline:
            time.sleep(0.005)
        assert turns.anyone_waiting() is True
        release.set()  # the chunk commits
        paused = factory.make_way(5.0)
        # Its mark clears the moment it has the lock, a moment before it records getting in: it
        # got in if it holds the lock now or has been and gone (then it recorded it first).
        holds_the_lock = _write_lock_taken(engine.url.database)
        assert holds_the_lock or got_in, "the waiting writer had not got in when the run went on"
        assert paused < 5.0
        assert turns.anyone_waiting() is False
    finally:
        release.set()
        for thread in threads:
            thread.join(10)
        engine.dispose()


def test_with_nobody_waiting_a_run_does_not_pause_between_chunks(
    application: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = application.services
    ids = [add_customer(services, f"M{i}") for i in range(6)]
    batch = services.bulk.create("Gifts", [(SKU_CABERNET, 1)], "GROUND", ids)
    pauses: list[float] = []
    sleep = time.sleep

    def recording_sleep(seconds: float) -> None:
        pauses.append(seconds)
        sleep(seconds)

    monkeypatch.setattr(time, "sleep", recording_sleep)
    report = services.bulk.run(batch.id, chunk_size=2)
    assert report.placed == 6
    assert [p for p in pauses if p >= 0.05] == []


def test_where_waiters_cannot_be_seen_a_run_pauses_the_whole_gap(tmp_path: Path) -> None:
    turns = WriteTurns(":memory:")
    assert turns.anyone_waiting() is None
    started = time.monotonic()
    assert turns.make_way(0.05) == 0.05
    assert time.monotonic() - started >= 0.05


def test_a_writer_waiting_for_the_lock_gets_it_as_soon_as_it_is_released(database_url: str) -> None:
    """SQLite's own wait sleeps up to 100 ms between tries once a writer has waited a while, so a
    writer that queued behind a long transaction got in up to 100 ms after it ended (and anyone
    arriving meanwhile went first): the tail of every operator's edit while a chunk runs.
    """
    _sqlite(database_url)
    engine = make_engine(database_url)
    factory = SqlUnitOfWorkFactory(engine, SystemClock())
    delays: list[float] = []
    try:
        for _ in range(7):
            holding = threading.Event()
            got_in: list[float] = []

            def waiter(holding: threading.Event = holding, got_in: list[float] = got_in) -> None:
                holding.wait(10)
                with factory(write=True) as uow:
                    uow.reference.shipping_methods()
                    got_in.append(time.monotonic())
                    uow.commit()

            thread = threading.Thread(target=waiter)
            thread.start()
            with factory(write=True) as uow:
                uow.reference.shipping_methods()  # BEGIN IMMEDIATE: holds the lock
                holding.set()
                time.sleep(0.35)  # long enough for SQLite's waiter to be sleeping 100 ms at a time
                uow.commit()
                released = time.monotonic()
            thread.join(10)
            assert got_in, "the waiting writer never got in"
            delays.append(got_in[0] - released)
    finally:
        engine.dispose()
    # 80 ms a hand-over before; a few ms now, with room for a loaded machine.
    assert sum(delays) / len(delays) < 0.04, [round(delay * 1000) for delay in delays]
