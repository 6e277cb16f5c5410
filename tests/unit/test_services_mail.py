"""Mail through the outbox: queued with the event, sent after the commit, retried, never blocking."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from oms_core.clock import StoppedClock
from oms_core.domain.customers import Address
from oms_core.domain.errors import OmsError, ValidationError
from oms_core.domain.mail import MAX_ATTEMPTS, MailMessage, MailRejected, MailUnavailable
from oms_core.domain.payments import CardEntry
from oms_core.mail.templates_folder import TemplateFolder
from oms_core.payments.test_gateway import TestGateway
from oms_core.ports import MailSender
from oms_core.read_models import CustomerDetail, OrderView
from oms_core.services.context import Mailing, ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, FakeUnitOfWorkFactory, FixedClock
from tests.unit.conftest import FIXED_NOW

HOME = Address(name="Ann Smith", address1="1 Main St", city="Fresno", state="CA", zip="93650")


class RecordingSender(MailSender):
    """A mail server in memory: records what it accepts, or fails as told."""

    def __init__(self) -> None:
        self.accepted: list[MailMessage] = []
        self.failure: Exception | None = None

    def send(self, message: MailMessage) -> None:
        if self.failure is not None:
            raise self.failure
        self.accepted.append(message)


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


def _services(
    factory: FakeUnitOfWorkFactory, clock: FixedClock, who: str, mailing: Mailing | None
) -> Services:
    gateway = TestGateway(StoppedClock(FIXED_NOW))
    context = ServiceContext(factory, gateway, clock, who, mailing=mailing)
    return Services.build(context)


@pytest.fixture
def mailing(sender: RecordingSender) -> Mailing:
    return Mailing(TemplateFolder(), sender, office_name="Hillside Cellars", office_phone="(707) 555-0100")


@pytest.fixture
def services(fake_factory: FakeUnitOfWorkFactory, clock: FixedClock, mailing: Mailing) -> Services:
    return _services(fake_factory, clock, "alice", mailing)


@pytest.fixture
def supervisor(fake_factory: FakeUnitOfWorkFactory, clock: FixedClock, mailing: Mailing) -> Services:
    return _services(fake_factory, clock, "sam", mailing)


def _customer(services: Services, **fields: Any) -> CustomerDetail:
    fields = {
        "first_name": "Ann",
        "last_name": "Smith",
        "address": HOME,
        "email": "ann@example.com",
        **fields,
    }
    result = services.customers.create(CustomerInput(**fields), allow_duplicate=True)
    assert result.customer is not None
    services.customers.add_card(result.customer.id, CardEntry("4111111111111111", 4, 2030))
    return services.customers.get(result.customer.id)


def _place(services: Services, customer_id: int) -> OrderView:
    cart = services.cart.start(customer_id)
    cart = services.cart.add_lines(cart.id, [(SKU_CABERNET, 2)])
    return services.checkout.place(cart.id, confirm_duplicate=True)


def test_cancelling_an_order_queues_the_cancellation_mail_with_the_reason(services, supervisor, sender):
    order = _place(services, _customer(services).id)
    supervisor.orders.cancel(order.id, "customer changed their mind")

    queued = services.mail.for_order(order.id)
    assert [(m.kind, m.to, m.status) for m in queued][-1] == ("cancellation", "ann@example.com", "pending")
    assert sender.accepted == []  # nothing is sent inside the cancelling transaction

    report = services.mail.send_due()
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)  # the confirmation, then this
    message = sender.accepted[-1]
    assert message.subject == f"Order {order.number} has been cancelled"
    assert "Reason: customer changed their mind" in message.body
    assert "Hillside Cellars" in message.body
    assert services.mail.for_order(order.id)[-1].status == "sent"


def test_without_mail_configured_nothing_is_queued(fake_factory, clock):
    plain = _services(fake_factory, clock, "alice", None)
    boss = _services(fake_factory, clock, "sam", None)
    order = _place(plain, _customer(plain).id)
    boss.orders.cancel(order.id, "duplicate")
    assert plain.mail.for_order(order.id) == []
    with pytest.raises(OmsError, match="mail is not configured"):
        plain.mail.send_due()


def test_a_customer_without_email_gets_no_mail_and_the_cancel_still_happens(services, supervisor):
    order = _place(services, _customer(services, email="").id)
    assert supervisor.orders.cancel(order.id, "duplicate").status == "cancelled"
    assert services.mail.for_order(order.id) == []


def test_a_server_that_is_down_delays_mail_with_a_back_off_and_stops_the_run(
    services, supervisor, sender, clock
):
    for _ in range(3):
        supervisor.orders.cancel(_place(services, _customer(services).id).id, "test")
    sender.failure = MailUnavailable("cannot reach the mail server at mail:587: refused")

    report = services.mail.send_due()
    assert (report.sent, report.retrying, report.failed) == (0, 6, 0)  # 3 confirmations, 3 cancellations
    assert "cannot reach the mail server" in report.problem
    assert services.mail.send_due().retrying == 0  # nothing is due until the back-off has passed

    sender.failure = None
    clock.advance(timedelta(minutes=5))
    assert services.mail.send_due().sent == 6


def test_a_refused_address_fails_for_good_and_the_rest_still_go(services, supervisor, sender):
    supervisor.orders.cancel(_place(services, _customer(services).id).id, "test")
    sender.failure = MailRejected("the mail server refused ann@example.com (550)")
    report = services.mail.send_due()
    assert (report.sent, report.retrying, report.failed) == (0, 0, 2)  # the confirmation and the cancellation
    assert services.mail.counts()["failed"] == 2


def test_mail_is_given_up_after_the_last_attempt(services, supervisor, sender, clock):
    order = _place(services, _customer(services).id)
    supervisor.orders.cancel(order.id, "test")
    sender.failure = MailUnavailable("down")
    for _ in range(MAX_ATTEMPTS):
        services.mail.send_due()
        clock.advance(timedelta(hours=3))
    view = services.mail.for_order(order.id)[-1]
    assert (view.status, view.attempts, view.last_error) == ("failed", MAX_ATTEMPTS, "down")


def test_a_sender_that_died_mid_send_leaves_the_message_to_be_claimed_again(services, supervisor, clock):
    supervisor.orders.cancel(_place(services, _customer(services).id).id, "test")
    services.mail._claim(10)  # claimed by a sender that then died
    assert services.mail.send_due().sent == 0
    clock.advance(timedelta(minutes=11))
    assert services.mail.send_due().sent == 2


def test_resend_queues_the_mail_again_and_records_who_asked(services, supervisor):
    order = _place(services, _customer(services).id)
    view = services.mail.resend(order.id, "order_confirmation")
    assert (view.kind, view.status) == ("order confirmation", "pending")
    assert services.orders.get(order.id).audit[-1].action == "mail queued"


def test_resend_to_a_customer_without_email_is_one_clear_line(services):
    order = _place(services, _customer(services, email="").id)
    with pytest.raises(ValidationError, match="no email address on file"):
        services.mail.resend(order.id, "order_confirmation")


def test_customer_text_in_a_template_value_never_becomes_a_header(services, supervisor, sender):
    detail = _customer(services, first_name="Ann\r\nBcc: evil@example.com")
    supervisor.orders.cancel(_place(services, detail.id).id, "test")
    services.mail.send_due()
    assert "\n" not in sender.accepted[0].subject
    assert replace(sender.accepted[0], body="").to == "ann@example.com"


def test_placing_an_order_queues_its_confirmation_with_lines_total_and_ship_to(services, sender):
    order = _place(services, _customer(services).id)
    queued = services.mail.for_order(order.id)
    assert [(m.kind, m.status) for m in queued] == [("order confirmation", "pending")]
    services.mail.send_due()
    message = sender.accepted[0]
    assert message.subject == f"Your order {order.number} from Hillside Cellars"
    assert "2 x Cabernet" in message.body and order.total.to_eng_string() in message.body.replace(",", "")
    assert "1 Main St" in message.body and "Visa ending 1111" in message.body


def test_a_declined_card_queues_no_confirmation(services):
    from oms_core.domain.errors import PaymentDeclined

    cart = services.cart.start(_customer(services).id)
    cart = services.cart.add_lines(cart.id, [(SKU_CABERNET, 1)])
    services.cart.set_payment(cart.id, "card", card=CardEntry("4000000000000002", 4, 2030))
    with pytest.raises(PaymentDeclined):
        services.checkout.place(cart.id, confirm_duplicate=True)
    assert services.mail.for_order(cart.id) == []


def test_an_unticked_send_confirmation_places_the_order_without_mailing_it(services):
    cart = services.cart.start(_customer(services).id)
    assert cart.send_confirmation and cart.confirmation_unavailable == ""
    cart = services.cart.add_lines(cart.id, [(SKU_CABERNET, 1)])
    cart = services.cart.set_send_confirmation(cart.id, False, version=cart.version)
    assert not services.cart.get(cart.id).send_confirmation
    order = services.checkout.place(cart.id, confirm_duplicate=True)
    assert services.mail.for_order(order.id) == []


def test_a_customer_without_email_cannot_be_sent_a_confirmation_and_the_view_says_why(services):
    cart = services.cart.start(_customer(services, email="").id)
    assert not cart.send_confirmation
    assert cart.confirmation_unavailable == "no email address on file"
    with pytest.raises(ValidationError) as refused:
        services.cart.set_send_confirmation(cart.id, True)
    assert refused.value.field == "send_confirmation"
