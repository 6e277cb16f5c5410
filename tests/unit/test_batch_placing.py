"""The batch engine shared by bulk orders, club shipments and imports (its three steps)."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from oms_core.domain.customers import Address, CustomerStatus
from oms_core.domain.errors import StaleEdit
from oms_core.domain.gateway_calls import CallStatus
from oms_core.domain.orders import MAX_LINE_QUANTITY, OrderSource, OrderStatus
from oms_core.domain.payments import CardEntry
from oms_core.domain.repricing import reprice
from oms_core.payments.test_gateway import TestGateway
from oms_core.services import import_steps
from oms_core.services.batch_placing import ALREADY, FAILED, PLACED, BatchOrderRequest, preview_orders
from oms_core.services.batch_steps import ask_gateway, take_stock_and_record, write_approved
from oms_core.services.context import ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.drafts import PricingContext
from oms_core.services.import_steps import BatchRejected
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_GIFT_BOX, opener
from tests.unit.batch_helpers import place_in_steps

HOME = Address(name="A", address1="1 Main St", city="Portland", state="OR", zip="97205")


@pytest.fixture
def gateway(clock):
    return TestGateway(clock)


@pytest.fixture
def services(fake_factory, clock, gateway):
    return Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))


def _customer(services, name, card="4111111111111111", address=HOME, status="active"):
    data = CustomerInput(first_name=name, last_name="Member", address=address, status=status)
    detail = opener(services, data).customers.create(data, allow_duplicate=True).customer
    if card:
        services.customers.add_card(detail.id, CardEntry(card, 12, 2030, "123"))
    return detail.id


def _request(customer_id, *lines, key=None):
    return BatchOrderRequest(
        key or f"test:{customer_id}", customer_id, tuple(lines), OrderSource.BULK, "GROUND"
    )


def _place(fake_factory, gateway, clock, requests):
    return place_in_steps(ServiceContext(fake_factory, gateway, clock, "alice"), requests)


def test_each_request_becomes_one_placed_order_with_numbers_in_sequence(
    services, fake_factory, gateway, clock
):
    ids = [_customer(services, f"M{i}") for i in range(3)]
    results = _place(fake_factory, gateway, clock, [_request(i, (SKU_CABERNET, 2)) for i in ids])
    assert [r.status for r in results] == [PLACED] * 3
    assert [r.number for r in results] == [1001, 1002, 1003]
    order = services.orders.get(results[0].order_id)
    assert order.status == OrderStatus.PLACED.value
    assert order.source == "bulk"
    assert order.total == Decimal("79.95")  # 70.00 + 9.95 ground (free only over 100); OR has no tax
    assert order.payments[0].label == "Visa ending 1111"


def test_a_declined_card_fails_only_its_own_order(services, fake_factory, gateway, clock):
    good = _customer(services, "Good")
    bad = _customer(services, "Bad", card="4000000000000002")
    results = _place(
        fake_factory, gateway, clock, [_request(good, (SKU_CABERNET, 1)), _request(bad, (SKU_CABERNET, 1))]
    )
    assert results[0].status == PLACED
    assert results[1].status == FAILED
    assert "declined" in results[1].reason


def test_running_the_same_keys_again_places_nothing_twice(services, fake_factory, gateway, clock):
    member = _customer(services, "Once")
    first = _place(fake_factory, gateway, clock, [_request(member, (SKU_CABERNET, 1))])
    again = _place(fake_factory, gateway, clock, [_request(member, (SKU_CABERNET, 1))])
    assert first[0].status == PLACED
    assert again[0].status == ALREADY
    assert len(services.orders.list()) == 1


def test_stock_is_allocated_in_request_order_and_the_rest_is_short(services, fake_factory, gateway, clock):
    ids = [_customer(services, f"S{i}") for i in range(3)]  # the gift box has 5 in stock
    results = _place(fake_factory, gateway, clock, [_request(i, (SKU_GIFT_BOX, 2)) for i in ids])
    assert [r.status for r in results] == [PLACED, PLACED, FAILED]
    assert "short" in results[2].reason
    with fake_factory() as uow:
        assert uow.products.get_by_sku(SKU_GIFT_BOX).stock_on_hand == 1


def test_problems_are_listed_per_customer(services, fake_factory, gateway, clock):
    on_hold = _customer(services, "Hold", status="on_hold")
    no_card = _customer(services, "NoCard", card=None)
    no_address = _customer(services, "Nowhere", address=None)
    results = _place(
        fake_factory,
        gateway,
        clock,
        [
            _request(on_hold, (SKU_CABERNET, 1)),
            _request(no_card, (SKU_CABERNET, 1)),
            _request(no_address, (SKU_CABERNET, 1)),
            _request(no_address, ("NOPE", 1), key="unknown-sku"),
        ],
    )
    assert "on hold" in results[0].reason
    assert "no card on file" in results[1].reason
    assert "no ship-to address" in results[2].reason
    assert "unknown SKU 'NOPE'" in results[3].reason
    assert CustomerStatus.ON_HOLD.value == "on_hold"


def test_all_or_nothing_places_nothing_and_voids_every_hold_when_one_card_is_declined(
    services, fake_factory, gateway, clock
):
    good = _customer(services, "Good")
    bad = _customer(services, "Bad", card="4000000000000002")
    ctx = ServiceContext(fake_factory, gateway, clock, "alice")
    requests = [_request(good, (SKU_CABERNET, 1)), _request(bad, (SKU_CABERNET, 1))]
    with fake_factory(write=True) as uow:
        pending = import_steps.record(uow, ctx, requests, one_payment=False)
        uow.commit()
    with pytest.raises(BatchRejected) as rejected:
        import_steps.authorise(ctx, pending)
    assert [(r.key, r.status) for r in rejected.value.results] == [(f"test:{bad}", FAILED)]
    assert "declined" in rejected.value.results[0].reason
    assert services.orders.list() == []
    assert gateway.voided  # the good order's authorisation was released
    with fake_factory() as uow:
        assert uow.products.get_by_sku(SKU_CABERNET).stock_on_hand == 100
        assert uow.gateway_calls.unsettled() == []


def test_all_or_nothing_takes_nothing_when_one_order_cannot_be_placed(services, fake_factory, gateway, clock):
    good = _customer(services, "Good")
    nowhere = _customer(services, "Nowhere", address=None)
    ctx = ServiceContext(fake_factory, gateway, clock, "alice")
    with fake_factory(write=True) as uow, pytest.raises(BatchRejected, match="no ship-to address"):
        import_steps.record(
            uow, ctx, [_request(good, (SKU_CABERNET, 1)), _request(nowhere, (SKU_CABERNET, 1))], False
        )
    with fake_factory() as uow:
        assert uow.gateway_calls.unsettled() == []
    assert gateway.voided == [] and services.orders.list() == []


def test_preview_prices_without_writing(services, fake_factory):
    member = _customer(services, "Preview")
    with fake_factory() as uow:
        rows = preview_orders(uow, [_request(member, (SKU_CABERNET, 3))])
    assert rows[0].total == Decimal("105.00")
    assert rows[0].problems == ()
    assert services.orders.list() == []


def test_orders_alike_are_priced_as_if_each_were_priced_alone(services, fake_factory, gateway, clock):
    """The batch prices orders that agree on lines, type, exemption, region and shipping once;
    every placed order must still be exactly what repricing it on its own gives."""
    california = Address(name="B", address1="2 Oak St", city="Fresno", state="CA", zip="93701")
    new_york = Address(name="C", address1="3 Elm St", city="Albany", state="NY", zip="12207")
    members = [
        _customer(services, "Or1"),
        _customer(services, "Ca1", address=california),
        _customer(services, "Ny1", address=new_york),
        _customer(services, "Ca2", address=california),
        _customer(services, "Ny2", address=new_york),
    ]
    exempt_data = CustomerInput(first_name="Ex", last_name="Empt", address=california, tax_exempt=True)
    exempt = opener(services, exempt_data).customers.create(exempt_data, allow_duplicate=True).customer.id
    trade = CustomerInput(first_name="Who", last_name="Lesale", address=new_york, type_code="WHOLESALE")
    wholesale = opener(services, trade).customers.create(trade, allow_duplicate=True).customer.id
    for customer_id in (exempt, wholesale):
        services.customers.add_card(customer_id, CardEntry("4111111111111111", 12, 2030, "123"))
    requests = [_request(m, (SKU_CABERNET, 1), (SKU_CHARDONNAY, 2)) for m in members]
    requests.append(_request(members[1], (SKU_CABERNET, 5), key="more"))  # same state, other lines
    requests.append(_request(exempt, (SKU_CABERNET, 1), (SKU_CHARDONNAY, 2)))
    requests.append(_request(wholesale, (SKU_CABERNET, 1), (SKU_CHARDONNAY, 2)))
    requests.append(
        BatchOrderRequest(
            "pickup", members[2], ((SKU_CABERNET, 1), (SKU_CHARDONNAY, 2)), OrderSource.BULK, "WILLCALL"
        )
    )
    results = _place(fake_factory, gateway, clock, requests)
    assert [r.status for r in results] == [PLACED] * len(requests)
    totals = set()
    with fake_factory() as uow:
        pricing = PricingContext(uow)
        for result in results:
            placed = uow.orders.get(result.order_id)
            alone = copy.deepcopy(placed)
            for line in alone.lines:
                line.unit_price = line.line_tax = Decimal("0")
            customer = uow.customers.get(placed.customer_id)
            products = uow.products.get_many([line.product_id for line in alone.lines])
            reprice(
                alone,
                products,
                pricing.customer_type(customer),
                customer.tax_exempt,
                pricing.taxes,
                pricing.shipping(placed.shipping_method),
            )
            assert alone.lines == placed.lines, result.key
            assert (alone.shipping_charge, alone.shipping_tax) == (
                placed.shipping_charge,
                placed.shipping_tax,
            )
            assert alone.totals() == placed.totals() and result.total == placed.total
            totals.add(placed.total)
    assert len(totals) >= 5  # the regions, the exemption, the price level and pickup all differ


def test_repeated_skus_merge_and_bad_items_are_named_for_every_order_that_asks(
    services, fake_factory, gateway, clock
):
    first, second = _customer(services, "Merge1"), _customer(services, "Merge2")
    same = ((SKU_CABERNET, 1), (SKU_CHARDONNAY, 2), (" wine-cab-2019 ", 2))
    bad = ((SKU_CABERNET, MAX_LINE_QUANTITY), (SKU_CABERNET, 1), ("OLD-MAGNUM", 1), (SKU_CHARDONNAY, 0))
    results = _place(
        fake_factory,
        gateway,
        clock,
        [
            _request(first, *same),
            _request(second, *same),
            _request(first, *bad, key="bad-1"),
            _request(second, *bad, key="bad-2"),
            _request(first, key="empty"),
        ],
    )
    assert [r.status for r in results[:2]] == [PLACED, PLACED]
    for result in results[:2]:
        order = services.orders.get(result.order_id)
        assert [(line.sku, line.quantity) for line in order.lines] == [(SKU_CABERNET, 3), (SKU_CHARDONNAY, 2)]
    for result in results[2:4]:
        assert result.reason == (
            f"{SKU_CABERNET}: quantity must be 1 to {MAX_LINE_QUANTITY:,}; "
            f"{SKU_CHARDONNAY}: quantity must be 1 to {MAX_LINE_QUANTITY:,}; OLD-MAGNUM is no longer sold"
        )
    assert results[4].reason.startswith("the order has no items")


def test_a_call_settled_by_another_process_meanwhile_writes_nothing_of_the_chunk(
    services, fake_factory, gateway, clock
):
    """Step 3 settles its calls guarded (still pending, still this process's). If another process
    (a reconciliation that took this one for dead) settled one meanwhile, voiding its hold and
    giving its stock back, writing the chunk's orders anyway would place an unpaid order on stock
    that was already given back: the whole step is refused instead."""
    ann, bob = _customer(services, "Ann"), _customer(services, "Bob")
    ctx = ServiceContext(fake_factory, gateway, clock, "alice")
    requests = [_request(ann, (SKU_CABERNET, 1)), _request(bob, (SKU_CABERNET, 1))]
    with ctx.write() as uow:
        pending = take_stock_and_record(uow, ctx, requests)
        uow.commit()
    ask_gateway(ctx, pending)
    with ctx.write() as uow:  # the other process
        _, call = pending.waiting[1]
        taken = copy.deepcopy(call)
        taken.status, taken.owner = CallStatus.VOIDED, "reconcile@elsewhere"
        assert uow.gateway_calls.settle(taken, CallStatus.PENDING, call.owner)
        uow.commit()
    orders_before = dict(fake_factory.store.orders)

    with pytest.raises(StaleEdit, match="settled by another process"), ctx.write() as uow:
        write_approved(uow, ctx, pending)
        uow.commit()

    assert fake_factory.store.orders == orders_before
    assert fake_factory.store.gateway_calls[pending.waiting[0][1].id].status is CallStatus.PENDING
