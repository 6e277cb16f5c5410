"""Returns against the in-memory fakes: the refund notice is queued with the refund (check and store
credit at once, a card once the gateway approved), and never for a refund the gateway refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms_core.domain.customers import Address
from oms_core.domain.fulfilment import ShipRequest
from oms_core.domain.payments import CardEntry
from oms_core.domain.returns import RefundMethod, RefundRequest, ReturnItem
from oms_core.mail.templates_folder import TemplateFolder
from oms_core.payments.test_gateway import TestGateway
from oms_core.ports import GatewayAnswer
from oms_core.read_models import OrderView
from oms_core.services.context import Mailing, ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, FakeUnitOfWorkFactory, FixedClock

HOME = Address(name="Ann Smith", address1="1 Main St", city="Fresno", state="CA", zip="93650")


@pytest.fixture
def services(fake_factory: FakeUnitOfWorkFactory, clock: FixedClock) -> Services:
    mailing = Mailing(TemplateFolder(), None, office_name="Hillside Cellars", office_phone="(707) 555-0100")
    return Services.build(ServiceContext(fake_factory, TestGateway(clock), clock, "alice", mailing=mailing))


def _shipped(services: Services) -> OrderView:
    data = CustomerInput(first_name="Ann", last_name="Smith", email="ann@example.com", address=HOME)
    customer = services.customers.create(data, allow_duplicate=True).customer
    assert customer is not None
    services.customers.add_card(customer.id, CardEntry("4111111111111111", 4, 2030))
    cart = services.cart.add_lines(services.cart.start(customer.id).id, [(SKU_CABERNET, 2)])
    order = services.checkout.place(cart.id, confirm_duplicate=True)
    services.fulfilment.ship(order.id, ShipRequest("UPS"))
    return order


def _refund_mail(fake_factory: FakeUnitOfWorkFactory) -> list[str]:
    return [e.message.body for e in fake_factory.store.outbox.values() if e.message.kind.value == "refund"]


@pytest.mark.parametrize(
    ("request_", "says"),
    [
        (RefundRequest(RefundMethod.CHECK, Decimal("5.00"), check_number="1042"), "a check (number 1042)"),
        (RefundRequest(RefundMethod.STORE_CREDIT, Decimal("5.00")), "store credit on your account"),
        (RefundRequest(RefundMethod.CARD, Decimal("5.00")), "your Visa ending 1111"),
    ],
)
def test_the_refund_notice_is_queued_with_the_refund(services, fake_factory, request_, says):
    order = _shipped(services)
    item = services.returns.record(order.id, [ReturnItem(SKU_CABERNET, 1)], "damaged", refund=request_)
    (body,) = _refund_mail(fake_factory)
    assert f"We have refunded 5.00 for order {order.number} to {says}." in body
    assert f"Reason: {item.rma}, damaged" in body


def test_no_notice_for_a_card_refund_the_gateway_refused(services, fake_factory):
    order = _shipped(services)
    refused = GatewayAnswer.decline("nothing was captured to refund", "charge_not_captured")
    services.context.gateway.refund = lambda *args: refused  # type: ignore[method-assign]
    item = services.returns.record(
        order.id, [ReturnItem(SKU_CABERNET, 1)], "damaged", refund=RefundRequest(RefundMethod.CARD)
    )
    assert item.refunds[0].status == "failed"
    assert _refund_mail(fake_factory) == []
