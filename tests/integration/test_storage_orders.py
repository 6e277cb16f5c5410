"""Orders on both backends: round trips, saving drafts, versions, lists, numbers and batch keys."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from oms_core.domain.errors import DatabaseError, InvalidState, NotFound, StaleEdit
from oms_core.domain.orders import DraftStage, Order, OrderSource, OrderStatus
from oms_core.domain.payments import CardToken, Payment, PaymentChoice, PaymentMethod, PaymentStatus
from oms_core.read_models import OrderFilter, OrderPosition
from oms_core.storage import SqlUnitOfWorkFactory
from tests.integration.storage_builders import T0, add_customer, address, draft, line, product


@pytest.fixture
def shop(uow_factory: SqlUnitOfWorkFactory) -> dict[str, int]:
    """A customer and two products, by name."""
    with uow_factory(write=True) as uow:
        ann = add_customer(uow, "Ann", "Smith", city="Portland")
        bob = add_customer(uow, "Bob", "Jones")
        cab, gift = product("CAB-750", "24.00"), product("GIFT-BOX", "5.50")
        uow.products.add(cab)
        uow.products.add(gift)
        uow.commit()
    return {"ann": ann.id, "bob": bob.id, "cab": cab.id, "gift": gift.id}  # type: ignore[dict-item]


def _products(uow_factory: SqlUnitOfWorkFactory, shop: dict[str, int]):
    with uow_factory() as uow:
        return uow.products.get(shop["cab"]), uow.products.get(shop["gift"])


def test_an_order_with_lines_payments_and_addresses_comes_back_whole(uow_factory, shop) -> None:
    cab, gift = _products(uow_factory, shop)
    card = CardToken("tok_test_4242_ab", "Visa", "4242", 4, 2030)
    order = Order(
        id=None,
        status=OrderStatus.PLACED,
        source=OrderSource.FAX,
        number=1001,
        customer_id=shop["ann"],
        operator="ann",
        lines=[line(cab, 2), line(gift, 1, price="5.50")],
        bill_to=address(city="Portland"),
        ship_to=address(city="Bend", name="Ann at the cabin"),
        ship_to_address_id=77,
        shipping_method="GROUND",
        shipping_charge=Decimal("12.95"),
        shipping_tax=Decimal("0.84"),
        payment_choice=PaymentChoice(PaymentMethod.CARD, card=card),
        payments=[
            Payment(
                PaymentMethod.CARD,
                Decimal("68.64"),
                PaymentStatus.AUTHORIZED,
                "auth_1",
                card.token,
                "Visa",
                "4242",
                4,
                2030,
            )
        ],
        gift_message="Happy birthday",
        notes="Ring twice",
        batch_key="bulk:1:1",
        created_at=T0,
        updated_at=T0 + timedelta(minutes=5),
        placed_at=T0 + timedelta(minutes=5),
    )
    order.lines[1].price_override = Decimal("4.00")
    order.lines[1].override_reason = "damaged box"
    with uow_factory(write=True) as uow:
        order_id = uow.orders.add(order)
        uow.commit()
    assert order.id == order_id and all(ln.id is not None for ln in order.lines)

    with uow_factory() as uow:
        loaded = uow.orders.get(order_id)
        by_number = uow.orders.get_by_number(1001)
    assert loaded == order
    assert by_number == order
    assert loaded.placed_at is not None and loaded.placed_at.utcoffset() == timedelta(0)
    assert loaded.total == order.total


def test_a_draft_without_addresses_or_payment_keeps_them_empty(uow_factory, shop) -> None:
    with uow_factory(write=True) as uow:
        order = draft(None)
        uow.orders.add(order)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.orders.get(order.id)  # type: ignore[arg-type]
    assert (loaded.bill_to, loaded.ship_to, loaded.payment_choice, loaded.number) == (None, None, None, None)
    assert loaded.lines == [] and loaded.payments == []
    assert loaded.created_at == T0


def test_saving_a_draft_updates_kept_lines_adds_new_ones_and_drops_removed_ones(uow_factory, shop) -> None:
    cab, gift = _products(uow_factory, shop)
    with uow_factory(write=True) as uow:
        order = draft(shop["ann"], line(cab, 1), line(gift, 1))
        uow.orders.add(order)
        uow.commit()
    kept_id = order.lines[0].id

    with uow_factory(write=True) as uow:
        order = uow.orders.get(order.id)  # type: ignore[arg-type]
        order.lines[0].quantity = 6
        del order.lines[1]
        order.lines.append(line(gift, 3))
        order.payment_choice = PaymentChoice(PaymentMethod.CHECK, check_number="1042")
        order.updated_at = T0 + timedelta(hours=1)
        uow.orders.save(order)
        uow.commit()
    assert order.version == 2
    assert order.lines[0].id == kept_id and order.lines[1].id is not None

    with uow_factory() as uow:
        loaded = uow.orders.get(order.id)  # type: ignore[arg-type]
        summary = uow.orders.drafts()[0]
    assert loaded == order
    assert [(ln.sku, ln.quantity) for ln in loaded.lines] == [("CAB-750", 6), ("GIFT-BOX", 3)]
    assert summary.total == order.total and summary.line_count == 2


def test_a_stale_draft_save_is_refused_and_changes_nothing(uow_factory, shop) -> None:
    cab, _ = _products(uow_factory, shop)
    with uow_factory(write=True) as uow:
        order = draft(shop["ann"], line(cab, 1))
        uow.orders.add(order)
        uow.commit()
    with uow_factory() as uow:
        mine, theirs = uow.orders.get(order.id), uow.orders.get(order.id)  # type: ignore[arg-type]
    with uow_factory(write=True) as uow:
        theirs.notes = "theirs"
        uow.orders.save(theirs)
        uow.commit()
    with uow_factory(write=True) as uow:
        mine.lines[0].quantity = 99
        with pytest.raises(StaleEdit, match="changed by someone else"):
            uow.orders.save(mine)
    with uow_factory() as uow:
        stored = uow.orders.get(order.id)  # type: ignore[arg-type]
    assert (stored.notes, stored.lines[0].quantity, stored.version) == ("theirs", 1, 2)


def test_saving_or_discarding_a_draft_that_is_gone_is_not_found(uow_factory, shop) -> None:
    with uow_factory(write=True) as uow:
        with pytest.raises(NotFound):
            uow.orders.save(dataclasses.replace(draft(None), id=4242))
        with pytest.raises(NotFound):
            uow.orders.delete_draft(4242, 1)
        with pytest.raises(NotFound):
            uow.orders.get(4242)
        assert uow.orders.get_by_number(4242) is None


def test_payments_are_appended_and_a_void_updates_the_stored_one(uow_factory, shop) -> None:
    with uow_factory(write=True) as uow:
        order = draft(shop["ann"])
        order.payments = [Payment(PaymentMethod.CASH, Decimal("10.00"), PaymentStatus.RECORDED)]
        uow.orders.add(order)
        uow.commit()
    with uow_factory(write=True) as uow:
        order = uow.orders.get(order.id)  # type: ignore[arg-type]
        order.payments[0] = dataclasses.replace(order.payments[0], status=PaymentStatus.VOIDED)
        order.payments.append(
            Payment(PaymentMethod.CHECK, Decimal("10.00"), PaymentStatus.RECORDED, check_number="7")
        )
        uow.orders.save(order)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.orders.get(order.id)  # type: ignore[arg-type]
    assert [(p.method, p.status) for p in loaded.payments] == [
        (PaymentMethod.CASH, PaymentStatus.VOIDED),
        (PaymentMethod.CHECK, PaymentStatus.RECORDED),
    ]


def test_a_draft_can_be_discarded_only_at_its_version_and_only_while_a_draft(uow_factory, shop) -> None:
    cab, _ = _products(uow_factory, shop)
    with uow_factory(write=True) as uow:
        doomed = draft(shop["ann"], line(cab))
        placed = draft(shop["ann"], line(cab))
        placed.status, placed.number = OrderStatus.PLACED, 1001
        uow.orders.add(doomed)
        uow.orders.add(placed)
        uow.commit()
    with uow_factory(write=True) as uow:
        with pytest.raises(StaleEdit):
            uow.orders.delete_draft(doomed.id, 7)  # type: ignore[arg-type]
        with pytest.raises(InvalidState):
            uow.orders.delete_draft(placed.id, 1)  # type: ignore[arg-type]
        uow.orders.delete_draft(doomed.id, 1)  # type: ignore[arg-type]
        uow.commit()
    with uow_factory() as uow, pytest.raises(NotFound):
        uow.orders.get(doomed.id)  # type: ignore[arg-type]


def test_order_numbers_are_gap_free_and_a_rolled_back_number_is_reused(uow_factory, shop) -> None:
    with uow_factory(write=True) as uow:
        assert uow.orders.next_number() == 1001
        uow.rollback()
    with uow_factory(write=True) as uow:
        first = uow.orders.next_number()
        block = uow.orders.next_numbers(3)
        after = uow.orders.next_number()
        uow.commit()
    assert (first, block, after) == (1001, [1002, 1003, 1004], 1005)
    with uow_factory(write=True) as uow:
        assert uow.orders.next_numbers(0) == []


def _placed(
    customer_id: int, number: int, at, status=OrderStatus.PLACED, source=OrderSource.PHONE, key=None
) -> Order:
    order = draft(customer_id, at=at)
    order.status, order.number, order.placed_at, order.source, order.batch_key = (
        status,
        number,
        at,
        source,
        key,
    )
    return order


def test_the_order_list_filters_and_shows_newest_first_with_drafts_on_request(uow_factory, shop) -> None:
    ann, bob = shop["ann"], shop["bob"]
    with uow_factory(write=True) as uow:
        old = _placed(ann, 1001, T0)
        mid = _placed(bob, 1002, T0 + timedelta(days=1), source=OrderSource.EMAIL)
        mid.operator = "bob"
        new = _placed(ann, 1003, T0 + timedelta(days=2), status=OrderStatus.SHIPPED)
        cancelled = _placed(ann, 1004, T0 + timedelta(days=3), status=OrderStatus.CANCELLED)
        cart = draft(ann)
        for order in (old, mid, new, cancelled, cart):
            uow.orders.add(order)
        uow.commit()

    def numbers(**filters: object) -> list[int | None]:
        with uow_factory() as uow:
            return [s.number for s in uow.orders.list(OrderFilter(**filters), 50)]  # type: ignore[arg-type]

    assert numbers() == [1004, 1003, 1002, 1001]
    assert numbers(include_drafts=True) == [None, 1004, 1003, 1002, 1001]
    assert numbers(status="draft") == [None]
    assert numbers(status=OrderStatus.SHIPPED) == [1003]
    assert numbers(customer_id=bob) == [1002]
    assert numbers(number=1001) == [1001]
    assert numbers(source=OrderSource.EMAIL) == [1002]
    assert numbers(placed_from=T0 + timedelta(days=1), placed_to=T0 + timedelta(days=3)) == [1003, 1002]
    assert numbers(operator="bob") == [1002]
    assert numbers(operator="ann", status=OrderStatus.SHIPPED) == [1003]
    with uow_factory() as uow:
        first = uow.orders.list(OrderFilter(), 1)
        page = uow.orders.list(OrderFilter(), 2, after=OrderPosition.after(first[0]))
        row = uow.orders.list(OrderFilter(number=1002), 1)[0]
        with_drafts = uow.orders.list(OrderFilter(include_drafts=True), 1)
        after_draft = uow.orders.list(
            OrderFilter(include_drafts=True), 2, after=OrderPosition.after(with_drafts[0])
        )
    assert [s.number for s in page] == [1003, 1002]
    assert [s.number for s in with_drafts + after_draft] == [None, 1004, 1003]
    assert (row.customer_number, row.customer_name, row.status, row.source) == (
        "C000002",
        "Bob Jones",
        "placed",
        "email",
    )


def test_drafts_list_most_recently_edited_first_by_operator_and_customer(uow_factory, shop) -> None:
    with uow_factory(write=True) as uow:
        a = draft(shop["ann"], operator="ann", at=T0)
        b = draft(shop["bob"], operator="bob", at=T0 + timedelta(minutes=1))
        c = draft(shop["ann"], operator="bob", at=T0 + timedelta(minutes=2))
        placed = _placed(shop["ann"], 1001, T0 + timedelta(minutes=3))
        for order in (a, b, c, placed):
            uow.orders.add(order)
        uow.commit()
    with uow_factory(write=True) as uow:
        a.updated_at = T0 + timedelta(minutes=10)
        uow.orders.save(a)
        uow.commit()
    with uow_factory() as uow:
        assert [s.id for s in uow.orders.drafts()] == [a.id, c.id, b.id]
        assert [s.id for s in uow.orders.drafts(operator="bob")] == [c.id, b.id]
        assert [s.id for s in uow.orders.drafts(customer_id=shop["ann"])] == [a.id, c.id]
        assert [s.id for s in uow.orders.drafts(limit=1)] == [a.id]


def test_placed_since_returns_the_customers_live_orders_from_that_time(uow_factory, shop) -> None:
    ann = shop["ann"]
    with uow_factory(write=True) as uow:
        orders = [
            _placed(ann, 1001, T0 - timedelta(days=1)),
            _placed(ann, 1002, T0),
            _placed(ann, 1003, T0 + timedelta(days=1), status=OrderStatus.CANCELLED),
            _placed(ann, 1004, T0 + timedelta(days=2), status=OrderStatus.SHIPPED),
            _placed(shop["bob"], 1005, T0 + timedelta(days=1)),
            draft(ann),
        ]
        for order in orders:
            uow.orders.add(order)
        uow.commit()
    with uow_factory() as uow:
        found = uow.orders.placed_since(ann, T0)
    assert [o.number for o in found] == [1002, 1004]


def test_batch_keys_find_placed_orders_only(uow_factory, shop) -> None:
    with uow_factory(write=True) as uow:
        placed = _placed(shop["ann"], 1001, T0, key="club:1:1")
        cancelled = _placed(shop["bob"], 1002, T0, status=OrderStatus.CANCELLED, key="club:1:2")
        cart = draft(shop["ann"])
        cart.batch_key = "club:1:3"
        uow.orders.add_many([placed, cancelled, cart])
        uow.commit()
    with uow_factory() as uow:
        found = uow.orders.by_batch_keys(["club:1:1", "club:1:2", "club:1:3", "club:1:4"])
    assert found == {"club:1:1": placed.id, "club:1:2": cancelled.id}


def test_the_database_refuses_a_second_order_with_the_same_batch_key(uow_factory, shop) -> None:
    with uow_factory(write=True) as uow:
        uow.orders.add(_placed(shop["ann"], 1001, T0, key="club:7:1"))
        uow.commit()
    with uow_factory(write=True) as uow, pytest.raises(DatabaseError, match="refused"):
        uow.orders.add_many(
            [_placed(shop["bob"], 1002, T0, key="club:7:2"), _placed(shop["ann"], 1003, T0, key="club:7:1")]
        )
    with uow_factory() as uow:
        assert uow.orders.by_batch_keys(["club:7:1", "club:7:2"]).keys() == {"club:7:1"}


def test_many_orders_insert_at_once_with_their_lines_and_payments(uow_factory, shop) -> None:
    cab, gift = _products(uow_factory, shop)
    orders = []
    for i in range(25):
        order = _placed(shop["ann"], 2000 + i, T0 + timedelta(minutes=i))
        order.lines = [line(cab, i + 1), line(gift, 1)]
        order.payments = [Payment(PaymentMethod.ON_ACCOUNT, order.total, PaymentStatus.RECORDED)]
        orders.append(order)
    with uow_factory(write=True) as uow:
        uow.orders.add_many(orders)
        uow.orders.add_many([])
        uow.commit()
    assert len({o.id for o in orders}) == 25
    assert len({ln.id for o in orders for ln in o.lines}) == 50
    with uow_factory() as uow:
        for order in (orders[0], orders[13], orders[24]):
            assert uow.orders.get(order.id) == order  # type: ignore[arg-type]


def test_a_write_unit_of_work_locks_the_order_row_it_reads_on_postgresql(uow_factory, shop) -> None:
    with uow_factory(write=True) as uow:
        order = draft(shop["ann"])
        uow.orders.add(order)
        uow.commit()
    statements: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(uow_factory.engine, "before_cursor_execute", remember)
    try:
        with uow_factory() as uow:
            uow.orders.get(order.id)  # type: ignore[arg-type]
        read = [s for s in statements if "FROM orders" in s]
        statements.clear()
        with uow_factory(write=True) as uow:
            uow.orders.get(order.id)  # type: ignore[arg-type]
        written = [s for s in statements if "FROM orders" in s]
    finally:
        event.remove(uow_factory.engine, "before_cursor_execute", remember)
    assert not any("FOR UPDATE" in s for s in read)
    if uow_factory.engine.dialect.name == "postgresql":
        assert "FOR UPDATE" in written[0]
    else:  # SQLite has no row locks; the write transaction began with BEGIN IMMEDIATE instead
        assert "FOR UPDATE" not in written[0]


def test_where_a_draft_was_left_and_its_confirmation_choice_are_kept(uow_factory, shop) -> None:
    with uow_factory(write=True) as uow:
        order = draft(shop["ann"])
        order.send_confirmation = False
        uow.orders.add(order)
        uow.commit()
    with uow_factory(write=True) as uow:
        assert uow.orders.set_stage(order.id, DraftStage.CHECKOUT)  # type: ignore[arg-type]
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.orders.get(order.id)  # type: ignore[arg-type]
    kept = (loaded.stage, loaded.send_confirmation, loaded.version)
    assert kept == (DraftStage.CHECKOUT, False, order.version)
    loaded.status = OrderStatus.PLACED
    with uow_factory(write=True) as uow:
        uow.orders.save(loaded)
        assert not uow.orders.set_stage(order.id, DraftStage.CART)  # type: ignore[arg-type]
        uow.commit()
