"""Call notes: who, when and what, on a customer and on an order, listed newest first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oms_core.domain.errors import NotFound, ValidationError
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.context import ServiceContext
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, FakeUnitOfWorkFactory, FixedClock
from tests.unit.conftest import FIXED_NOW
from tests.unit.test_services_holds import _customer


@pytest.fixture
def services(fake_factory: FakeUnitOfWorkFactory, clock: FixedClock) -> Services:
    return Services.build(ServiceContext(fake_factory, TestGateway(clock), clock, "alice"))


def test_notes_on_a_customer_and_their_order_are_listed_newest_first(services, clock):
    ann = _customer(services)
    cart = services.cart.start(ann.id)
    services.cart.add_lines(cart.id, [(SKU_CABERNET, 1)])
    order = services.checkout.place(cart.id, confirm_duplicate=True)
    services.notes.add_to_customer(ann.id, "  asked about [b]gift boxes[/b]  ")
    clock.advance(timedelta(minutes=5))
    on_order = services.notes.add_to_order(order.id, "where is my order?")
    assert [(n.author, n.text, n.at) for n in on_order] == [
        ("alice", "where is my order?", FIXED_NOW + timedelta(minutes=5))
    ]
    assert [n.text for n in services.notes.for_customer(ann.id)] == [
        "where is my order?",
        "asked about [b]gift boxes[/b]",
    ]
    assert [n.text for n in services.notes.for_order(order.id)] == ["where is my order?"]


def test_an_empty_or_long_note_or_an_unknown_record_is_refused(services):
    ann = _customer(services)
    with pytest.raises(ValidationError, match="write the note") as error:
        services.notes.add_to_customer(ann.id, "   ")
    assert error.value.field == "note"
    with pytest.raises(ValidationError, match="at most 1000"):
        services.notes.add_to_customer(ann.id, "x" * 1001)
    with pytest.raises(NotFound):
        services.notes.add_to_order(999999, "hello")
    assert services.notes.for_customer(ann.id) == ()
