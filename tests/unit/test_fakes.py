"""The fakes behave like the database: tests of services rely on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from oms_core.domain.customers import Address, AddressBookEntry, Customer
from oms_core.domain.errors import InvalidState, NotFound, StaleEdit
from oms_core.domain.orders import Order, OrderLine, OrderStatus
from oms_core.read_models import OrderFilter
from tests.fakes import (
    SKU_CORKSCREW,
    SKU_GIFT_BOX,
    FakeUnitOfWorkFactory,
    FixedClock,
)


def _customer(first: str, last: str, **kwargs: Any) -> Customer:
    kwargs.setdefault("number", "")
    return Customer(id=None, first_name=first, last_name=last, **kwargs)


def _add_customer(factory: FakeUnitOfWorkFactory, customer: Customer) -> int:
    with factory(write=True) as uow:
        customer.number = uow.customers.next_number()
        customer_id = uow.customers.add(customer)
        uow.commit()
    return customer_id


def test_leaving_without_commit_leaves_no_trace(fake_factory: FakeUnitOfWorkFactory) -> None:
    with fake_factory(write=True) as uow:
        assert uow.customers.next_number() == "C000001"
        uow.customers.add(_customer("Ann", "Smith", number="C000001"))
        gift_box = uow.products.get_by_sku(SKU_GIFT_BOX)
        assert gift_box is not None and gift_box.id is not None
        assert uow.products.take_stock(gift_box.id, 5, allow_backorder=False)

    with fake_factory() as uow:
        assert uow.customers.get_by_number("C000001") is None
        assert uow.customers.next_number() == "C000001"
        gift_box = uow.products.get_by_sku(SKU_GIFT_BOX)
        assert gift_box is not None and gift_box.stock_on_hand == 5
        assert uow.committed == 0


def test_rollback_discards_the_work_of_the_unit_of_work(fake_factory: FakeUnitOfWorkFactory) -> None:
    with fake_factory(write=True) as uow:
        uow.reference.save_setting("override_limit", "20")
        uow.rollback()
        assert uow.reference.setting("override_limit") is None
        uow.reference.save_setting("override_limit", "25")
        uow.commit()
        uow.reference.save_setting("override_limit", "30")
    with fake_factory() as uow:
        assert uow.reference.setting("override_limit") == "25"


def test_committed_work_is_seen_by_the_next_unit_of_work(fake_factory: FakeUnitOfWorkFactory) -> None:
    customer_id = _add_customer(
        fake_factory,
        _customer("Ann", "Smith", addresses=[AddressBookEntry(None, Address(city="Portland"))]),
    )
    with fake_factory() as uow:
        loaded = uow.customers.get(customer_id)
    assert loaded.number == "C000001"
    assert loaded.addresses[0].id is not None
    assert fake_factory.made[-2].committed == 1


def test_mutating_a_loaded_customer_changes_nothing_until_updated(
    fake_factory: FakeUnitOfWorkFactory,
) -> None:
    customer_id = _add_customer(fake_factory, _customer("Ann", "Smith"))
    with fake_factory() as uow:
        uow.customers.get(customer_id).last_name = "Jones"
        assert uow.customers.get(customer_id).last_name == "Smith"


def test_a_stale_customer_update_is_refused(fake_factory: FakeUnitOfWorkFactory) -> None:
    customer_id = _add_customer(fake_factory, _customer("Ann", "Smith"))
    with fake_factory() as uow:
        first_window = uow.customers.get(customer_id)
    with fake_factory(write=True) as uow:
        second_window = uow.customers.get(customer_id)
        second_window.email = "ann@example.com"
        uow.customers.update(second_window)
        uow.commit()
    assert second_window.version == 2

    first_window.email = "other@example.com"
    with fake_factory(write=True) as uow, pytest.raises(StaleEdit):
        uow.customers.update(first_window)
    with fake_factory() as uow:
        assert uow.customers.get(customer_id).email == "ann@example.com"


def test_missing_records_raise_not_found(fake_factory: FakeUnitOfWorkFactory) -> None:
    with fake_factory() as uow:
        with pytest.raises(NotFound):
            uow.customers.get(999)
        with pytest.raises(NotFound):
            uow.orders.get(999)
        with pytest.raises(NotFound):
            uow.orders.save(Order(id=999))


def test_a_stale_draft_is_neither_saved_nor_deleted(
    fake_factory: FakeUnitOfWorkFactory, clock: FixedClock
) -> None:
    with fake_factory(write=True) as uow:
        draft = Order(id=None, operator="alice", updated_at=clock.now())
        draft.lines.append(OrderLine(None, 1, "WINE-CAB-2019", "Cabernet 2019", 2, Decimal("35.00")))
        draft_id = uow.orders.add(draft)
        uow.commit()
    assert draft.lines[0].id is not None

    with fake_factory(write=True) as uow:
        current = uow.orders.get(draft_id)
        current.notes = "call back"
        uow.orders.save(current)
        uow.commit()

    with fake_factory(write=True) as uow:
        with pytest.raises(StaleEdit):
            uow.orders.save(draft)
        with pytest.raises(StaleEdit):
            uow.orders.delete_draft(draft_id, version=1)
        uow.orders.delete_draft(draft_id, version=2)
        uow.commit()
    with fake_factory() as uow, pytest.raises(NotFound):
        uow.orders.get(draft_id)


def test_a_placed_order_is_not_deleted_as_a_draft(fake_factory: FakeUnitOfWorkFactory) -> None:
    with fake_factory(write=True) as uow:
        order_id = uow.orders.add(Order(id=None, status=OrderStatus.PLACED, number=1001))
        with pytest.raises(InvalidState):
            uow.orders.delete_draft(order_id, version=1)


def test_order_numbers_start_at_1001_and_skip_nothing_rolled_back(
    fake_factory: FakeUnitOfWorkFactory,
) -> None:
    with fake_factory(write=True) as uow:
        assert uow.orders.next_number() == 1001
        uow.commit()
    with fake_factory(write=True) as uow:
        assert uow.orders.next_number() == 1002
    with fake_factory(write=True) as uow:
        assert uow.orders.next_number() == 1002


def test_duplicates_share_an_email_or_a_phone(fake_factory: FakeUnitOfWorkFactory) -> None:
    ann = _add_customer(fake_factory, _customer("Ann", "Smith", email="Ann@Example.com"))
    bob = _add_customer(fake_factory, _customer("Bob", "Smith", alt_phone="+15035551234"))
    with fake_factory() as uow:
        found = uow.customers.find_duplicates("ann@example.com", "+15035551234", exclude_id=None)
        assert [c.id for c in found] == [ann, bob]
        assert uow.customers.find_duplicates("ann@example.com", "", exclude_id=ann) == []


def test_stock_cannot_go_below_zero_unless_backordered(fake_factory: FakeUnitOfWorkFactory) -> None:
    with fake_factory(write=True) as uow:
        gift_box = uow.products.get_by_sku(SKU_GIFT_BOX)
        corkscrew = uow.products.get_by_sku("cork-screw")
        assert gift_box is not None and gift_box.id is not None
        assert corkscrew is not None and corkscrew.id is not None and corkscrew.sku == SKU_CORKSCREW

        assert not uow.products.take_stock(gift_box.id, 6, allow_backorder=False)
        assert uow.products.get(gift_box.id).stock_on_hand == 5
        assert uow.products.take_stock(gift_box.id, 5, allow_backorder=False)
        assert not uow.products.take_stock(gift_box.id, 1, allow_backorder=False)
        assert uow.products.take_stock(corkscrew.id, 3, allow_backorder=True)
        assert uow.products.get(corkscrew.id).stock_on_hand == -3
        uow.products.restock(gift_box.id, 2)
        assert uow.products.get(gift_box.id).stock_on_hand == 2


def test_order_list_is_newest_first_without_drafts(
    fake_factory: FakeUnitOfWorkFactory, clock: FixedClock
) -> None:
    with fake_factory(write=True) as uow:
        older = uow.orders.add(Order(id=None, status=OrderStatus.PLACED, number=1001, placed_at=clock.now()))
        newer = uow.orders.add(
            Order(
                id=None, status=OrderStatus.PLACED, number=1002, placed_at=clock.advance(timedelta(hours=1))
            )
        )
        draft = uow.orders.add(Order(id=None, updated_at=clock.now()))
        assert [o.id for o in uow.orders.list(OrderFilter(), limit=10)] == [newer, older]
        with_drafts = uow.orders.list(OrderFilter(include_drafts=True), limit=10)
        assert [o.id for o in with_drafts] == [draft, newer, older]
        assert [o.id for o in uow.orders.drafts()] == [draft]


def test_fixed_clock_is_aware_utc_and_advances(clock: FixedClock) -> None:
    assert clock.now() == datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    clock.advance(timedelta(minutes=5))
    assert clock.now().minute == 5
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 1, 1))  # noqa: DTZ001
