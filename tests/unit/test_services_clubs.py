"""Club shipments: one order per active member, at club prices, on the card on file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from oms_core.domain.customers import Address
from oms_core.domain.errors import ValidationError
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.context import ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, SKU_GIFT_BOX, FakeReferenceRepository
from tests.unit.batch_helpers import DECLINED_CARD, add_customer, replace_card

CLUB = "WINECLUB"
SHIP = date(2026, 10, 1)


@pytest.fixture
def gateway(clock):
    return TestGateway(clock)


@pytest.fixture
def services(fake_factory, clock, gateway):
    return Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))


def _member(services, name, **kwargs):
    return add_customer(services, name, type_code=CLUB, **kwargs)


def _shipment(services, lines=((SKU_CABERNET, 2),), method="GROUND"):
    return services.clubs.create_shipment("Fall 2026 release", CLUB, list(lines), SHIP, method)


def _statuses(services, shipment_id):
    return {m.customer_id: m for m in services.clubs.members(shipment_id)}


def test_clubs_are_listed_with_their_membership(services):
    _member(services, "A")
    _member(services, "B", status="on_hold")
    add_customer(services, "Retail")
    clubs = services.clubs.clubs()
    assert [(c.code, c.active, c.on_hold) for c in clubs] == [(CLUB, 1, 1)]


def test_a_shipment_takes_in_active_and_on_hold_members_only(services):
    active = _member(services, "Active")
    held = _member(services, "Held", status="on_hold")
    _member(services, "Closed", status="closed")
    add_customer(services, "NotInClub")
    shipment = _shipment(services)
    assert set(_statuses(services, shipment.id)) == {active, held}
    assert shipment.ship_date == SHIP
    assert shipment.club_type_code == CLUB


def test_processing_places_club_priced_orders_and_lists_every_problem(services):
    good = _member(services, "Good")
    held = _member(services, "Held", status="on_hold")
    nowhere = _member(services, "Nowhere", address=None)
    declined = _member(services, "Declined", card=DECLINED_CARD)
    no_card = _member(services, "NoCard", card=None)
    report = services.clubs.process(_shipment(services).id)
    assert (report.placed, report.failed, report.skipped) == (1, 3, 1)

    rows = _statuses(services, report.batch_id)
    assert rows[good].status == "placed"
    order = services.orders.get(rows[good].order_id)
    assert order.source == "club"
    assert order.subtotal == Decimal("63.00")  # 10 % club discount on 2 x 35.00
    assert order.payments[0].label.startswith("Visa ending 1111")
    assert "Fall 2026 release" in order.notes and "2026-10-01" in order.notes
    assert (rows[held].status, rows[held].reason) == ("skipped", "member is on hold")
    assert rows[nowhere].reason == "no ship-to address"
    assert "declined" in rows[declined].reason
    assert rows[no_card].reason == "no card on file: choose a payment method"


def test_members_who_collect_get_the_pickup_method_and_need_no_address(services):
    collector = _member(services, "Collector", address=None, pickup=True)
    report = services.clubs.process(_shipment(services).id)
    order = services.orders.get(_statuses(services, report.batch_id)[collector].order_id)
    assert order.shipping_method == "WILLCALL"
    assert order.shipping == Decimal("0.00")


def test_short_stock_fails_the_members_after_it_runs_out(services):
    members = [_member(services, f"M{i}") for i in range(3)]  # 5 gift boxes in stock
    report = services.clubs.process(_shipment(services, lines=((SKU_GIFT_BOX, 2),)).id)
    rows = _statuses(services, report.batch_id)
    assert [rows[m].status for m in members] == ["placed", "placed", "failed"]
    assert "GIFT-BOX short (1 left)" in rows[members[2]].reason


def test_a_retry_after_the_fixes_places_only_what_was_missing(services, fake_factory, clock):
    good = _member(services, "Good")
    held = _member(services, "Held", status="on_hold")
    nowhere = _member(services, "Nowhere", address=None)
    declined = _member(services, "Declined", card=DECLINED_CARD)
    after_declined = _member(services, "AfterDeclined")
    shipment = _shipment(services, lines=((SKU_GIFT_BOX, 2),))  # 5 in stock: 2 members' worth
    first = services.clubs.process(shipment.id)
    assert (first.placed, first.failed, first.skipped) == (2, 2, 1)
    rows = _statuses(services, shipment.id)
    assert rows[after_declined].status == "placed"  # the declined member's boxes went to the next member
    good_order = rows[good].order_id

    _set_status(services, held, "active")
    _fix_address(services, nowhere)
    replace_card(services, declined)
    with fake_factory(write=True) as uow:
        uow.products.restock(uow.products.get_by_sku(SKU_GIFT_BOX).id, 10)
        uow.commit()
    clock.advance(timedelta(hours=1))
    retry = services.clubs.process(shipment.id)
    assert (retry.tried, retry.placed, retry.failed, retry.skipped) == (3, 3, 0, 0)
    rows = _statuses(services, shipment.id)
    assert {r.status for r in rows.values()} == {"placed"}
    assert len({r.order_id for r in rows.values()}) == 5
    assert services.clubs.process(shipment.id).tried == 0
    assert len([o for o in services.orders.list() if o.source == "club"]) == 5
    assert rows[good].order_id == good_order


def test_the_first_run_takes_in_members_who_joined_since_and_later_runs_do_not(services, clock):
    early = _member(services, "Early")
    shipment = _shipment(services)
    joined_before_run = _member(services, "Before")
    services.clubs.process(shipment.id)
    _member(services, "After")
    clock.advance(timedelta(minutes=1))
    services.clubs.process(shipment.id)
    assert set(_statuses(services, shipment.id)) == {early, joined_before_run}


def test_a_member_who_left_the_club_is_skipped(services):
    leaver = _member(services, "Leaver")
    shipment = _shipment(services)
    detail = services.customers.get(leaver)
    _supervisor(services).customers.update(  # a type change needs a supervisor
        leaver,
        detail.version,
        CustomerInput(first_name=detail.first_name, last_name=detail.last_name, type_code="RETAIL"),
    )
    services.clubs.process(shipment.id)
    assert _statuses(services, shipment.id)[leaver].reason == "no longer a member of the club"


@pytest.mark.parametrize(
    ("club", "ship_date", "field"),
    [("RETAIL", SHIP, "club"), ("NOPE", SHIP, "club"), (CLUB, None, "ship_date")],
)
def test_a_shipment_needs_a_club_and_a_ship_date(services, club, ship_date, field):
    with pytest.raises(ValidationError) as refused:
        services.clubs.create_shipment("Fall", club, [(SKU_CABERNET, 1)], ship_date, "GROUND")
    assert refused.value.field == field


def test_shipments_are_listed_newest_first(services):
    first = _shipment(services)
    second = _shipment(services)
    assert [s.id for s in services.clubs.list()] == [second.id, first.id]
    assert services.bulk.list() == []


def _fix_address(services, customer_id):
    services.customers.save_address(
        customer_id,
        Address(name="Fixed", address1="2 Elm St", city="Portland", state="OR", zip="97205"),
        default_shipping=True,
        default_billing=True,
    )


def _supervisor(services):
    return Services.build(replace(services.context, operator_username="sam"))


def _set_status(services, customer_id, status):
    d = services.customers.get(customer_id)
    _supervisor(services).customers.update(  # a status change needs a supervisor
        customer_id,
        d.version,
        CustomerInput(
            first_name=d.first_name,
            last_name=d.last_name,
            company=d.company,
            email=d.email,
            phone=d.phone,
            type_code=d.type_code,
            status=status,
            preferred_pickup=d.preferred_pickup,
        ),
    )


def _set_stock(fake_factory, sku, on_hand):
    with fake_factory(write=True) as uow:
        product = uow.products.get_by_sku(sku)
        uow.products.restock(product.id, on_hand - product.stock_on_hand)
        uow.commit()


def test_declined_members_give_their_stock_to_the_members_after_them(services, fake_factory, clock):
    declined = [_member(services, f"Declined{i}", card=DECLINED_CARD) for i in range(3)]
    good = [_member(services, f"Good{i}") for i in range(6)]
    _set_stock(fake_factory, SKU_GIFT_BOX, 6)
    shipment = _shipment(services, lines=((SKU_GIFT_BOX, 1),))

    first = services.clubs.process(shipment.id)
    assert (first.placed, first.failed) == (6, 3)
    rows = _statuses(services, shipment.id)
    assert all(rows[m].status == "placed" for m in good)
    assert all("declined" in rows[m].reason for m in declined)

    clock.advance(timedelta(hours=1))
    retry = services.clubs.process(shipment.id)  # the cards still decline; nothing is short
    assert (retry.tried, retry.placed, retry.failed) == (3, 0, 3)
    assert all("declined" in rows[m].reason for m in declined)
    with fake_factory() as uow:
        assert uow.products.get_by_sku(SKU_GIFT_BOX).stock_on_hand == 0


def test_a_run_reads_the_reference_data_once_and_prices_every_chunk_with_it(services, monkeypatch):
    members = [_member(services, f"M{i}") for i in range(3)]
    shipment = _shipment(services)
    reads = {"tax_rates": 0, "customer_types": 0, "shipping_methods": 0}
    for name in reads:
        real = getattr(FakeReferenceRepository, name)

        def counted(self, _real=real, _name=name):
            reads[_name] += 1
            return _real(self)

        monkeypatch.setattr(FakeReferenceRepository, name, counted)
    report = services.clubs.process(shipment.id, chunk_size=1)  # three chunks
    assert report.placed == 3
    assert reads == {"tax_rates": 1, "customer_types": 1, "shipping_methods": 1}
    rows = _statuses(services, shipment.id)
    totals = {services.orders.get(rows[m].order_id).total for m in members}
    assert len(totals) == 1  # same items, same address: priced alike in every chunk
