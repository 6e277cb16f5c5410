"""Money after placing: capture (re-authorising an old authorisation), refund on cancel, history,
and reconciling an unanswered authorisation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from oms_core.clock import StoppedClock
from oms_core.domain.gateway_calls import CallAction, CallPurpose, CallStatus, GatewayCall
from oms_core.payments.test_gateway import TestGateway
from oms_core.read_models import CustomerDetail
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, FakeUnitOfWorkFactory, FixedClock
from tests.unit.conftest import FIXED_NOW
from tests.unit.test_services_orders import _customer, _place, _services


@pytest.fixture
def gateway() -> TestGateway:
    return TestGateway(StoppedClock(FIXED_NOW))


@pytest.fixture
def services(fake_factory: FakeUnitOfWorkFactory, gateway: TestGateway, clock: FixedClock) -> Services:
    return _services(fake_factory, gateway, clock, "alice")


@pytest.fixture
def supervisor(fake_factory: FakeUnitOfWorkFactory, gateway: TestGateway, clock: FixedClock) -> Services:
    return _services(fake_factory, gateway, clock, "sam")


@pytest.fixture
def ann(services: Services) -> CustomerDetail:
    return _customer(services)


def test_capture_takes_the_authorised_money_and_is_in_the_history(
    services: Services, ann: CustomerDetail, gateway: TestGateway
) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    reference = order.payments[0].reference

    captured = services.payments.capture(order.id)

    assert captured.payments[0].status == "captured"
    assert gateway.captured == [(reference, order.total)]
    actions = [(c.action, c.status) for c in services.payments.history(order.id)]
    assert actions == [(CallAction.AUTHORIZE, CallStatus.APPROVED), (CallAction.CAPTURE, CallStatus.APPROVED)]
    assert captured.audit[-1].action == "payment capture"


def test_an_authorisation_older_than_the_gateway_holds_is_renewed_before_capture(
    services: Services, ann: CustomerDetail, gateway: TestGateway, clock: FixedClock
) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    old = order.payments[0].reference
    clock.advance(gateway.authorization_lifetime + timedelta(hours=1))

    captured = services.payments.capture(order.id, Decimal("10.00"))

    [(reference, amount)] = gateway.captured
    assert reference != old and amount == Decimal("10.00")
    assert gateway.voided == [old]
    assert captured.payments[0].reference == reference


def test_cancelling_a_captured_order_refunds_it(
    services: Services, supervisor: Services, ann: CustomerDetail, gateway: TestGateway
) -> None:
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    services.payments.capture(order.id)

    cancelled = supervisor.orders.cancel(order.id, "wrong wine")

    assert cancelled.payments[0].status == "refunded"
    assert gateway.refunded == [(order.payments[0].reference, order.total)]
    assert gateway.voided == []


def test_reconcile_voids_an_unanswered_authorisation_the_gateway_did_make(
    services: Services, fake_factory: FakeUnitOfWorkFactory, gateway: TestGateway, ann: CustomerDetail
) -> None:
    with fake_factory() as uow:
        token = uow.customers.get(ann.id).cards[0].token
    approved = gateway.authorize(token, Decimal("20.00"), "draft-9-v1")  # it got through; the answer was lost
    with fake_factory(write=True) as uow:
        uow.gateway_calls.add(
            GatewayCall(
                None,
                "draft-9-v1",
                CallAction.AUTHORIZE,
                "draft-9-v1",
                CallStatus.UNKNOWN,
                Decimal("20.00"),
                CallPurpose.CHECKOUT,
                order_id=9,
                token=token,
                owner="elsewhere:1",
            )
        )
        uow.commit()

    report = services.payments.reconcile()

    assert (report.voided, report.waiting) == (1, 0)
    assert gateway.voided == [approved.reference]
    with fake_factory() as uow:
        assert uow.gateway_calls.unsettled() == []


def test_reconcile_of_a_capture_whose_answer_was_lost_closes_the_payment(
    services: Services, fake_factory: FakeUnitOfWorkFactory, gateway: TestGateway, ann: CustomerDetail
) -> None:
    """A capture that got through but whose process died before recording it: once reconciliation
    has the gateway's answer, the order's payment is captured (so a cancel refunds it, and a second
    capture is refused), not left authorised for money already taken."""
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    reference = order.payments[0].reference
    key = f"order-{order.id}-capture-{reference}"
    gateway.capture(reference, order.total, key)  # it got through; the answer was lost
    with fake_factory(write=True) as uow:
        uow.gateway_calls.add(
            GatewayCall(
                None,
                key,
                CallAction.CAPTURE,
                key,
                CallStatus.UNKNOWN,
                order.total,
                CallPurpose.PAYMENT,
                order_id=order.id,
                reference=reference,
                owner="elsewhere:1",
            )
        )
        uow.commit()

    report = services.payments.reconcile()

    assert (report.completed, report.waiting) == (1, 0)
    payment = services.orders.get(order.id).payments[0]
    assert (payment.status, payment.amount) == ("captured", order.total)
    assert gateway.captured == [(reference, order.total)]  # once, never twice


def test_a_capture_and_its_payment_are_recorded_in_one_transaction(
    services: Services, fake_factory: FakeUnitOfWorkFactory, ann: CustomerDetail
) -> None:
    """Killed between settling the capture and closing the payment, the old code left the call
    approved (so reconciliation never looked at it again) and the payment authorised."""
    order = _place(services, ann.id, (SKU_CABERNET, 1))
    commits = fake_factory.commits

    services.payments.capture(order.id)

    assert fake_factory.commits - commits == 2  # the pending call; then its answer with the payment
