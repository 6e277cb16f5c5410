"""Bulk orders: the same items for many customers, each paying for their own order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from oms_core.domain.errors import ValidationError
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.context import ServiceContext
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, SKU_GIFT_BOX
from tests.unit.batch_helpers import DECLINED_CARD, add_customer, replace_card


@pytest.fixture
def gateway(clock):
    return TestGateway(clock)


@pytest.fixture
def services(fake_factory, clock, gateway):
    return Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))


def _batch(services, customer_ids=(), lines=((SKU_CABERNET, 2),)):
    return services.bulk.create("Holiday gifts", list(lines), "GROUND", list(customer_ids))


def _orders(services):
    return [o for o in services.orders.list() if o.source == "bulk"]


def test_a_batch_is_made_with_its_items_merged_and_its_customers(services):
    ann = add_customer(services, "Ann")
    view = services.bulk.create("Gifts", [(SKU_CABERNET, 1), ("wine-cab-2019", 2)], "GROUND", [ann])
    assert view.lines == ((SKU_CABERNET, 3),)
    assert view.counts.pending == 1
    assert view.status == "open"


@pytest.mark.parametrize(
    ("name", "lines", "method", "field"),
    [
        ("", [(SKU_CABERNET, 1)], "GROUND", "name"),
        ("Gifts", [], "GROUND", "lines"),
        ("Gifts", [("NOPE", 1)], "GROUND", "lines"),
        ("Gifts", [("OLD-MAGNUM", 1)], "GROUND", "lines"),
        ("Gifts", [(SKU_CABERNET, 0)], "GROUND", "lines"),
        ("Gifts", [(SKU_CABERNET, 1)], "TELEPORT", "shipping_method"),
    ],
)
def test_a_batch_with_bad_details_is_refused(services, name, lines, method, field):
    with pytest.raises(ValidationError) as refused:
        services.bulk.create(name, lines, method)
    assert refused.value.field == field


def test_a_run_places_one_order_per_customer_at_their_prices(services):
    retail = add_customer(services, "Retail")
    wholesale = add_customer(services, "Trade", type_code="WHOLESALE", card=None)  # pays on account
    batch = _batch(services, [retail, wholesale])
    report = services.bulk.run(batch.id)
    assert (report.placed, report.failed, report.stopped) == (2, 0, False)
    members = {m.customer_id: m for m in services.bulk.members(batch.id)}
    retail_order = services.orders.get(members[retail].order_id)
    trade_order = services.orders.get(members[wholesale].order_id)
    assert retail_order.subtotal == Decimal("70.00")
    assert trade_order.subtotal == Decimal("59.50")  # 15 % off
    assert trade_order.payments[0].method == "on_account"
    assert retail_order.source == "bulk"
    assert services.bulk.get(batch.id).status == "finished"


def test_a_declined_card_fails_only_its_own_order(services):
    good = [add_customer(services, f"Good{i}") for i in range(3)]
    declined = add_customer(services, "Declined", card=DECLINED_CARD)
    batch = _batch(services, [good[0], declined, *good[1:]])
    report = services.bulk.run(batch.id)
    assert (report.placed, report.failed) == (3, 1)
    rows = {m.customer_id: m for m in services.bulk.members(batch.id)}
    assert rows[declined].status == "failed"
    assert "declined" in rows[declined].reason
    assert all(rows[i].status == "placed" and rows[i].order_number for i in good)
    assert len(_orders(services)) == 3


def test_running_again_places_nothing_twice_and_retries_the_failed_after_the_fix(services, clock):
    good = add_customer(services, "Good")
    declined = add_customer(services, "Declined", card=DECLINED_CARD)
    batch = _batch(services, [good, declined])
    services.bulk.run(batch.id)
    clock.advance(timedelta(minutes=5))
    again = services.bulk.run(batch.id)
    assert (again.tried, again.placed, again.failed) == (1, 0, 1)
    assert len(_orders(services)) == 1

    replace_card(services, declined)
    clock.advance(timedelta(minutes=5))
    fixed = services.bulk.run(batch.id)
    assert (fixed.tried, fixed.placed, fixed.failed) == (1, 1, 0)
    assert fixed.counts.placed == 2
    assert len(_orders(services)) == 2
    assert services.bulk.run(batch.id).tried == 0
    assert len(_orders(services)) == 2


def test_a_stopped_run_resumes_where_it_stopped(services):
    ids = [add_customer(services, f"M{i}") for i in range(7)]
    batch = _batch(services, ids, lines=((SKU_CABERNET, 1),))
    seen = []

    def stop_after_first_chunk() -> bool:
        return len(seen) >= 2  # the start, then one chunk

    report = services.bulk.run(
        batch.id, progress=seen.append, should_stop=stop_after_first_chunk, chunk_size=3
    )
    assert report.stopped
    assert (report.tried, report.placed) == (3, 3)
    assert services.bulk.get(batch.id).status == "stopped"
    assert [(p.done, p.total) for p in seen] == [(0, 7), (3, 7)]

    resumed = services.bulk.run(batch.id, chunk_size=3)
    assert (resumed.tried, resumed.placed, resumed.stopped) == (4, 4, False)
    assert len(_orders(services)) == 7
    numbers = sorted(m.order_number for m in services.bulk.members(batch.id))
    assert numbers == list(range(numbers[0], numbers[0] + 7))


def test_a_run_that_died_mid_chunk_loses_nothing_and_repeats_nothing(services, fake_factory, monkeypatch):
    ids = [add_customer(services, f"M{i}") for i in range(4)]
    batch = _batch(services, ids, lines=((SKU_CABERNET, 1),))
    calls = {"n": 0}
    real_record = type(fake_factory().batches).record

    def crash_on_second_chunk(self, batch_id, results, now):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the terminal closed while the second chunk was being written
        return real_record(self, batch_id, results, now)

    monkeypatch.setattr(type(fake_factory().batches), "record", crash_on_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        services.bulk.run(batch.id, chunk_size=2)
    monkeypatch.undo()
    assert services.bulk.get(batch.id).status == "running"
    assert services.bulk.get(batch.id).counts.placed == 2
    assert len(_orders(services)) == 2

    resumed = services.bulk.run(batch.id, chunk_size=2)
    assert resumed.placed == 2
    assert len(_orders(services)) == 4


def test_the_preview_lists_each_customers_order_and_problems(services):
    ann = add_customer(services, "Ann")
    held = add_customer(services, "Held", status="on_hold")
    no_card = add_customer(services, "NoCard", card=None)
    nowhere = add_customer(services, "Nowhere", address=None)
    batch = _batch(services, [ann, held, no_card, nowhere])
    preview = services.bulk.preview(batch.id)
    rows = {row.customer.id: row for row in preview.rows}
    assert rows[ann].problems == ()
    assert rows[ann].total == Decimal("79.95")
    assert rows[ann].payment_label.startswith("Visa ending 1111")
    assert rows[ann].ship_to.city == "Portland"
    assert "customer is on hold" in rows[held].problems
    assert rows[no_card].problems == ("no card on file: choose a payment method",)
    assert "no ship-to address" in rows[nowhere].problems
    assert (preview.members, preview.ready, preview.grand_total) == (4, 1, Decimal("79.95"))
    assert _orders(services) == []


def test_the_preview_shows_short_stock_in_member_order(services):
    ids = [add_customer(services, f"S{i}") for i in range(3)]  # the gift box has 5
    batch = _batch(services, ids, lines=((SKU_GIFT_BOX, 2),))
    rows = services.bulk.preview(batch.id).rows
    assert [bool(r.problems) for r in rows] == [False, False, True]
    assert "short" in rows[2].problems[0]


def test_customers_are_added_by_type_and_by_pasted_numbers_and_emails(services):
    trade = [add_customer(services, f"T{i}", type_code="WHOLESALE") for i in range(2)]
    add_customer(services, "Held", type_code="WHOLESALE", status="on_hold")
    ann = add_customer(services, "Ann", email="ann@example.com")
    bob = add_customer(services, "Bob")
    batch = _batch(services)
    by_type = services.bulk.add_customer_type(batch.id, "WHOLESALE")
    assert (by_type.added, by_type.already) == (2, 0)
    number = services.customers.get(bob).number
    pasted = services.bulk.add_pasted(
        batch.id, f"ANN@example.com, {number.lower()}\nC999999; nobody@example.com\n{trade[0]}x"
    )
    assert pasted.added == 2
    assert pasted.unknown == ("C999999", "nobody@example.com", f"{trade[0]}x")
    members = {m.customer_id for m in services.bulk.members(batch.id)}
    assert members == {*trade, ann, bob}
    assert services.bulk.add_customers(batch.id, [ann]).already == 1


def test_a_customer_whose_order_was_placed_cannot_be_taken_out(services):
    ann, bob = add_customer(services, "Ann"), add_customer(services, "Bob", card=DECLINED_CARD)
    batch = _batch(services, [ann, bob])
    services.bulk.run(batch.id)
    assert services.bulk.remove_customers(batch.id, [ann, bob]) == 1
    assert [m.customer_id for m in services.bulk.members(batch.id)] == [ann]


def test_running_a_batch_without_customers_is_refused(services):
    with pytest.raises(ValidationError):
        services.bulk.run(_batch(services).id)


def test_batches_are_listed_newest_first_with_their_counts(services):
    first = _batch(services, [add_customer(services, "A")])
    second = _batch(services)
    listed = services.bulk.list()
    assert [b.id for b in listed] == [second.id, first.id]
    assert listed[1].counts.total == 1
