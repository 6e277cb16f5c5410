"""Every timestamp oms writes comes from the one clock ``bootstrap.build`` is given."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from oms_core.bootstrap import Config, build
from oms_core.domain.customers import Address
from oms_core.domain.errors import ValidationError
from oms_core.domain.payments import CardEntry
from oms_core.services.customers import CustomerInput
from oms_core.storage.database import make_engine
from oms_core.storage.tables import customers
from tests.fakes import SKU_CABERNET, FixedClock, seed_reference

THEN = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)


def test_customers_and_orders_are_stamped_by_the_clock_build_is_given(database_url: str) -> None:
    application = build(Config(database_url, operator="root"), clock=FixedClock(THEN))
    try:
        with application.uow_factory(write=True) as uow:
            seed_reference(uow)
            uow.commit()
        services = application.services
        home = Address(name="Ann Smith", address1="1 Main St", city="Portland", state="OR", zip="97205")
        detail = services.customers.create(
            CustomerInput(first_name="Ann", last_name="Smith", address=home), allow_duplicate=True
        ).customer
        assert detail is not None
        services.customers.update(
            detail.id, detail.version, CustomerInput(first_name="Anne", last_name="Smith")
        )
        cart = services.cart.start(detail.id)
        services.cart.add_lines(cart.id, [(SKU_CABERNET, 1)])
        services.cart.set_payment(cart.id, "cash")
        order = services.checkout.place(cart.id)
    finally:
        application.close()
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            stamps = conn.execute(select(customers.c.created_at, customers.c.updated_at)).one()
    finally:
        engine.dispose()
    assert tuple(stamps) == (THEN, THEN)
    assert order.placed_at == THEN


@pytest.mark.parametrize("test_gateway", [False, True], ids=["configured", "demo"])
def test_the_test_gateway_judges_card_expiry_by_the_clock_build_is_given(
    database_url: str, test_gateway: bool
) -> None:
    # On 29 February 2024 a card that runs to June 2025 is good (the real date has passed it)...
    application = build(
        Config(database_url, operator="root", test_gateway=test_gateway), clock=FixedClock(THEN)
    )
    try:
        token = application.gateway.tokenize(CardEntry("4111 1111 1111 1111", 6, 2025, "123"))
    finally:
        application.close()
    assert token.last4 == "1111"
    # ... and in 2041 a card that ran to December 2040 is out of date (the real date has not reached it).
    later = build(
        Config(database_url, operator="root", test_gateway=test_gateway),
        clock=FixedClock(datetime(2041, 1, 2, tzinfo=UTC)),
    )
    try:
        with pytest.raises(ValidationError) as refused:
            later.gateway.tokenize(CardEntry("4111 1111 1111 1111", 12, 2040, "123"))
    finally:
        later.close()
    assert refused.value.field == "card_expiry"
