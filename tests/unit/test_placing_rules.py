"""One set of placing rules: checkout and a batch refuse the same orders with the same words."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from oms_core.domain.errors import ValidationError
from oms_core.domain.orders import OrderSource
from oms_core.domain.payments import PaymentChoice, PaymentMethod
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.batch_placing import FAILED, BatchOrderRequest
from oms_core.services.context import ServiceContext
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, FakeUnitOfWorkFactory, FixedClock
from tests.unit.batch_helpers import add_customer, place_in_steps


@pytest.fixture
def gateway(clock: FixedClock) -> TestGateway:
    return TestGateway(clock)


@pytest.fixture
def services(fake_factory: FakeUnitOfWorkFactory, clock: FixedClock, gateway: TestGateway) -> Services:
    return Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))


def _retire_shipping_method(fake_factory: FakeUnitOfWorkFactory, code: str) -> None:
    with fake_factory(write=True) as uow:
        method = next(m for m in uow.reference.shipping_methods() if m.code == code)
        uow.reference.save_shipping_method(dataclasses.replace(method, active=False))
        uow.commit()


def _stop_selling(fake_factory: FakeUnitOfWorkFactory, sku: str) -> None:
    with fake_factory(write=True) as uow:
        product = uow.products.get_by_sku(sku)
        assert product is not None
        product.active = False
        uow.products.update(product)
        uow.commit()


def _stop_on_account(fake_factory: FakeUnitOfWorkFactory, type_code: str) -> None:
    with fake_factory(write=True) as uow:
        customer_type = uow.reference.customer_type(type_code)
        assert customer_type is not None
        methods = customer_type.payment_methods - {PaymentMethod.ON_ACCOUNT}
        uow.reference.save_customer_type(dataclasses.replace(customer_type, payment_methods=methods))
        uow.commit()


@dataclasses.dataclass(frozen=True)
class Refusal:
    """A customer and an order that must not be placed, and what changes after the draft is made."""

    customer: dict[str, Any]
    shipping_method: str = "GROUND"
    payment: PaymentMethod | None = None
    afterwards: Callable[[FakeUnitOfWorkFactory], None] = lambda _factory: None


REFUSALS = {
    "retired shipping method": Refusal(
        {}, shipping_method="2DAY", afterwards=lambda f: _retire_shipping_method(f, "2DAY")
    ),
    "product no longer sold": Refusal({}, afterwards=lambda f: _stop_selling(f, SKU_CABERNET)),
    "customer on hold": Refusal({"status": "on_hold"}),
    "payment not allowed for the customer type": Refusal(
        {"type_code": "WHOLESALE", "card": None},
        payment=PaymentMethod.ON_ACCOUNT,
        afterwards=lambda f: _stop_on_account(f, "WHOLESALE"),
    ),
    "no ship-to address": Refusal({"address": None}),
}


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS.keys())
def test_checkout_and_a_batch_refuse_the_same_order_for_the_same_reason(
    refusal: Refusal,
    services: Services,
    fake_factory: FakeUnitOfWorkFactory,
    gateway: TestGateway,
    clock: FixedClock,
) -> None:
    customer_id = add_customer(services, "Refused", **refusal.customer)
    cart = services.cart.start(customer_id)
    services.cart.add_lines(cart.id, [(SKU_CABERNET, 1)])
    services.cart.set_shipping_method(cart.id, refusal.shipping_method)
    if refusal.payment is not None:
        services.cart.set_payment(cart.id, refusal.payment.value)
    refusal.afterwards(fake_factory)

    with pytest.raises(ValidationError) as refused:
        services.checkout.place(cart.id)
    at_checkout = [message for _field, message in refused.value.problems]

    request = BatchOrderRequest(
        "parity:1",
        customer_id,
        ((SKU_CABERNET, 1),),
        OrderSource.BULK,
        refusal.shipping_method,
        payment=PaymentChoice(refusal.payment) if refusal.payment is not None else None,
    )
    [result] = place_in_steps(ServiceContext(fake_factory, gateway, clock, "alice"), [request])

    assert result.status == FAILED
    assert result.reason.split("; ") == at_checkout
    assert at_checkout == [services.checkout.problems(cart.id)[0][1]]
