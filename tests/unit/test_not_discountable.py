"""A gift card costs a club member its face value, at the counter and in a club shipment."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from oms_core.demo.catalogue import build_catalogue
from oms_core.domain.products import Product
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.context import ServiceContext
from oms_core.services.registry import Services
from tests.unit.batch_helpers import add_customer

GIFT_CARD = "GIFT-CARD-100"


@pytest.fixture
def services(fake_factory, clock):
    with fake_factory(write=True) as uow:
        uow.products.add(
            Product(None, GIFT_CARD, "Gift Card $100", Decimal("100.00"), taxable=False, stock_on_hand=50,
                    discountable=False)
        )  # fmt: skip
        uow.commit()
    return Services.build(ServiceContext(fake_factory, TestGateway(clock), clock, "alice"))


def test_a_club_member_pays_the_face_value_of_a_gift_card_in_the_cart(services):
    member = add_customer(services, "Member", type_code="WINECLUB")
    cart = services.cart.start(member)
    cart = services.cart.add_lines(cart.id, [(GIFT_CARD, 1)])
    assert cart.lines[0].unit_price == Decimal("100.00")
    assert [p.price for p in services.cart.find_products("GIFT-CARD", member)] == [Decimal("100.00")]


def test_a_club_shipment_charges_the_face_value_of_a_gift_card(services):
    member = add_customer(services, "Member", type_code="WINECLUB")
    shipment = services.clubs.create_shipment(
        "Gift", "WINECLUB", [(GIFT_CARD, 1)], date(2026, 12, 1), "GROUND"
    )
    services.clubs.process(shipment.id)
    [row] = services.clubs.members(shipment.id)
    assert row.status == "placed"
    assert services.orders.get(row.order_id).subtotal == Decimal("100.00")
    assert member == row.customer_id


def test_the_demo_catalogue_makes_its_gift_cards_not_discountable():
    products = build_catalogue(random.Random(1), 300, set())
    gift_cards = [p for p in products if p.sku.startswith("GIFT-CARD")]
    assert gift_cards and not any(p.discountable for p in gift_cards)
    assert all(p.discountable for p in products if not p.sku.startswith("GIFT-CARD"))
