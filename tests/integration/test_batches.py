"""Bulk orders and club shipments on SQLite and PostgreSQL: storage, runs, resumes and retries."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from oms_core.bootstrap import Application, Config, build
from oms_core.domain.batches import Batch, BatchKind, BatchStatus, MemberResult, MemberStatus
from oms_core.domain.customers import Address
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.customers import CustomerInput
from oms_core.storage.batches import SqlBatchRepository
from tests.fakes import SKU_CABERNET, SKU_GIFT_BOX, FixedClock, seed_reference
from tests.unit.batch_helpers import DECLINED_CARD, add_customer, replace_card

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def application(database_url: str, clock: FixedClock) -> Iterator[Application]:
    app = build(Config(database_url, operator="alice"), gateway=TestGateway(clock), clock=clock)
    with app.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    yield app
    app.close()


def _bulk_orders(services) -> int:
    return len([o for o in services.orders.list(limit=1000) if o.source == "bulk"])


def test_a_batch_and_its_members_are_stored_and_read_back(application, clock):
    services = application.services
    ann = add_customer(services, "Ann", email="Ann@Example.com")
    bob = add_customer(services, "Bob", status="on_hold", pickup=True)
    now = clock.now()
    with application.uow_factory(write=True) as uow:
        batch = Batch(
            None,
            BatchKind.CLUB,
            "Fall",
            (("WINE-CAB-2019", 2),),
            "GROUND",
            club_type_code="WINECLUB",
            ship_date=date(2026, 10, 1),
            created_by="alice",
            created_at=now,
            updated_at=now,
        )
        batch_id = uow.batches.add(batch)
        assert uow.batches.add_members(batch_id, [ann, bob, ann], now) == 2
        assert uow.batches.add_members(batch_id, [bob], now) == 0
        uow.commit()
    with application.uow_factory(write=True) as uow:
        stored = uow.batches.get(batch_id)
        assert (stored.kind, stored.lines, stored.ship_date) == (
            BatchKind.CLUB,
            (("WINE-CAB-2019", 2),),
            date(2026, 10, 1),
        )
        stored.status = BatchStatus.STOPPED
        uow.batches.update(stored)
        later = now + timedelta(minutes=1)
        uow.batches.record(
            batch_id, [MemberResult(bob, MemberStatus.SKIPPED, reason="member is on hold")], later
        )
        uow.commit()
    with application.uow_factory() as uow:
        assert uow.batches.get(batch_id).status is BatchStatus.STOPPED
        assert uow.batches.counts([batch_id])[batch_id].skipped == 1
        targets = uow.batches.targets(batch_id, ["pending", "skipped"])
        assert [(t.customer_id, t.status, t.customer_status, t.preferred_pickup) for t in targets] == [
            (ann, MemberStatus.PENDING, "active", False),
            (bob, MemberStatus.SKIPPED, "on_hold", True),
        ]
        assert targets[1].tried_at == later
        rows = uow.batches.members(batch_id, ["skipped"])
        assert [(r.customer_name, r.reason) for r in rows] == [("Bob Member", "member is on hold")]
        assert [b.id for b in uow.batches.list(BatchKind.CLUB, 10)] == [batch_id]
        assert uow.batches.list(BatchKind.BULK, 10) == []
        number = services.customers.get(ann).number
        found = uow.batches.find_customers([number.lower(), "C999999"], ["ann@example.COM ", "x@y.z"])
        assert found == {number: ann, "ann@example.com": ann}


def test_a_bulk_run_with_a_declined_card_then_a_rerun_places_nothing_twice(application, clock):
    services = application.services
    ids = [add_customer(services, f"Good{i}") for i in range(4)]
    declined = add_customer(services, "Declined", card=DECLINED_CARD)
    batch = services.bulk.create("Gifts", [(SKU_CABERNET, 2)], "GROUND", [ids[0], declined, *ids[1:]])
    first = services.bulk.run(batch.id, chunk_size=2)
    assert (first.placed, first.failed) == (4, 1)
    clock.advance(timedelta(minutes=1))
    again = services.bulk.run(batch.id)
    assert (again.tried, again.placed) == (1, 0)
    assert _bulk_orders(services) == 4

    replace_card(services, declined)
    clock.advance(timedelta(minutes=1))
    fixed = services.bulk.run(batch.id)
    assert fixed.placed == 1 and fixed.counts.placed == 5
    assert _bulk_orders(services) == 5
    rows = services.bulk.members(batch.id)
    assert all(r.order_number and r.order_total_cents == 7995 for r in rows)
    assert [r.customer_id for r in rows] == [ids[0], declined, *ids[1:]]  # in the order added
    paged, after = [], None
    while page := services.bulk.members(batch.id, None, 2, after):  # keyset pages of two
        paged += [r.customer_id for r in page]
        after = page[-1].customer_id
    assert paged == [r.customer_id for r in rows]
    assert [r.customer_id for r in services.bulk.members(batch.id, "placed", 2, ids[0])] == [declined, ids[1]]


def test_a_stopped_bulk_run_resumes_where_it_stopped(application):
    services = application.services
    ids = [add_customer(services, f"M{i}") for i in range(9)]
    batch = services.bulk.create("Gifts", [(SKU_CABERNET, 1)], "GROUND", ids)
    chunks = []
    stopped = services.bulk.run(
        batch.id, progress=chunks.append, should_stop=lambda: len(chunks) > 2, chunk_size=3
    )
    assert (stopped.stopped, stopped.placed) == (True, 6)
    resumed = services.bulk.run(batch.id, chunk_size=3)
    assert (resumed.tried, resumed.placed) == (3, 3)
    assert _bulk_orders(services) == 9


def test_two_runs_of_one_batch_at_once_never_order_twice(application):
    services = application.services
    ids = [add_customer(services, f"M{i}") for i in range(24)]
    batch = services.bulk.create("Gifts", [(SKU_CABERNET, 1)], "GROUND", ids)
    errors = []

    def run() -> None:
        try:
            services.bulk.run(batch.id, chunk_size=4)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _bulk_orders(services) == 24
    assert services.bulk.get(batch.id).counts.placed == 24
    with application.uow_factory() as uow:
        assert uow.products.get_by_sku(SKU_CABERNET).stock_on_hand == 100 - 24


def test_a_club_shipment_lists_what_stopped_each_member_and_a_retry_fixes_them(application, clock):
    services = application.services
    club = "WINECLUB"
    good = add_customer(services, "Good", type_code=club)
    pickup = add_customer(services, "Pickup", type_code=club, address=None, pickup=True)
    held = add_customer(services, "Held", type_code=club, status="on_hold")
    nowhere = add_customer(services, "Nowhere", type_code=club, address=None)
    short = add_customer(services, "Short", type_code=club)
    shipment = services.clubs.create_shipment(
        "Fall 2026 release", club, [(SKU_GIFT_BOX, 2)], date(2026, 10, 1), "GROUND"
    )
    first = services.clubs.process(shipment.id)
    rows = {r.customer_id: r for r in services.clubs.members(shipment.id)}
    assert (first.placed, first.failed, first.skipped) == (2, 2, 1)
    assert rows[good].status == rows[pickup].status == "placed"
    assert rows[held].reason == "member is on hold"
    assert rows[nowhere].reason == "no ship-to address"
    assert "short" in rows[short].reason
    assert services.orders.get(rows[pickup].order_id).shipping_method == "WILLCALL"
    assert services.orders.get(rows[good].order_id).subtotal == Decimal("21.60")  # 2 x 12.00, 10 % off

    services.customers.save_address(
        nowhere,
        Address(name="N. Member", address1="2 Elm St", city="Portland", state="OR", zip="97205"),
        default_shipping=True,
    )
    with application.uow_factory(write=True) as uow:
        uow.products.restock(uow.products.get_by_sku(SKU_GIFT_BOX).id, 10)
        uow.commit()
    clock.advance(timedelta(hours=1))
    retry = services.clubs.process(shipment.id)
    assert (retry.tried, retry.placed, retry.failed, retry.skipped) == (3, 2, 0, 1)
    assert services.clubs.get(shipment.id).counts.placed == 4
    assert services.clubs.process(shipment.id).placed == 0
    club_orders = [o for o in services.orders.list(limit=100) if o.source == "club"]
    assert len(club_orders) == 4


def test_pasted_customer_numbers_and_emails_are_found_on_the_database(application):
    services = application.services
    ann = add_customer(services, "Ann", email="ann@example.com")
    created = services.customers.create(
        CustomerInput(first_name="Cy", last_name="Press"), allow_duplicate=True
    )
    batch = services.bulk.create("Gifts", [(SKU_CABERNET, 1)], "GROUND")
    pasted = services.bulk.add_pasted(batch.id, f"ANN@EXAMPLE.COM\n{created.customer.number}\nnobody@x.org")
    assert (pasted.added, pasted.unknown) == (2, ("nobody@x.org",))
    assert {m.customer_id for m in services.bulk.members(batch.id)} == {ann, created.customer.id}


def test_a_run_refreshes_the_planners_statistics_as_its_tables_grow(application, database_url, monkeypatch):
    """On a new PostgreSQL database a run's tables start empty, and plans made then were kept for
    the whole run (the foreign-key checks of order lines scanned a whole index per line): the
    statistics are refreshed after the first chunk and as the run doubles, not only at its end.
    Those refreshes run on a thread of their own while the next chunk runs (the run no longer
    waits for ANALYZE); the last one, before the result listing, at the end of the run.
    """
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite plans from its indexes alone")
    services = application.services
    for i in range(6):
        add_customer(services, f"Member{i}", type_code="WINECLUB")
    shipment = services.clubs.create_shipment(
        "Winter release", "WINECLUB", [(SKU_CABERNET, 1)], date(2026, 12, 1), "GROUND"
    )
    tables = ("orders", "gateway_calls", "batch_members")
    engine = application.uow_factory.engine
    with engine.connect() as conn:  # empty, as on a new database (TRUNCATE keeps the old figures)
        for table in tables:
            conn.exec_driver_sql(f"ANALYZE {table}")
        conn.commit()
    refreshes: list[tuple[str, int, dict[str, float]]] = []
    real = SqlBatchRepository.refresh_statistics

    def refresh(self, added: int) -> None:  # noqa: ANN001
        real(self, added)
        rows = self._conn.exec_driver_sql(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%(names)s)", {"names": list(tables)}
        )
        refreshes.append((threading.current_thread().name, added, dict(rows.all())))

    monkeypatch.setattr(SqlBatchRepository, "refresh_statistics", refresh)
    report = services.clubs.process(shipment.id, chunk_size=2)
    assert report.placed == 6
    assert [(name.split("_")[0], added) for name, added, _ in refreshes] == [
        ("oms-statistics", 2),  # after the first chunk, beside the second
        ("oms-statistics", 2),  # the run doubled (4 members), beside the third
        ("MainThread", 2),  # at the end, before the result listing
    ]
    first, doubled, last = (stats for _, _, stats in refreshes)
    assert first["orders"] in (2, 4) and first["batch_members"] == 6  # no longer empty
    assert doubled["orders"] in (4, 6)
    assert last["orders"] in (4, 6)  # 2 more after 4 is not a doubling: analysed again only if 6 seen
