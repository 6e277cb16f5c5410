"""The club member's "your card was declined" notice and the refund notice: queued in the event's
transaction, delivered after it to a real SMTP server on 127.0.0.1 (aiosmtpd); SQLite and PostgreSQL."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from oms_core import bootstrap
from oms_core.clock import SystemClock
from oms_core.demo.plan import SeedPlan
from oms_core.demo.reference import CELLAR_CLUB
from oms_core.mail.smtp import SmtpSender, SmtpSettings
from oms_core.mail.templates_folder import TemplateFolder
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.context import Mailing, ServiceContext
from oms_core.services.mail import queue_refund_mail
from oms_core.services.registry import Services
from oms_core.storage import SqlUnitOfWorkFactory, make_engine
from oms_core.storage.exports import SqlExportSource
from tests.unit.batch_helpers import DECLINED_CARD, add_customer, replace_card


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.original_content or b"")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield box, controller.port
    finally:
        controller.stop()


@pytest.fixture
def services(database_url: str, inbox: tuple[Inbox, int]) -> Iterator[Services]:
    bootstrap.seed_database(database_url, SeedPlan(customers=5, products=10, orders=0, seed=2))
    engine = make_engine(database_url)
    sender = SmtpSender(
        SmtpSettings("127.0.0.1", inbox[1], from_address="orders@hillside.example", starttls=False)
    )
    mailing = Mailing(TemplateFolder(), sender, office_name="Hillside Cellars", office_phone="(707) 555-0100")
    clock = SystemClock()
    context = ServiceContext(
        SqlUnitOfWorkFactory(engine, clock), TestGateway(), clock, "root", mailing=mailing
    )
    try:
        yield Services.build(context)
    finally:
        engine.dispose()


def _sku(url: str) -> str:
    engine = make_engine(url)
    try:
        with SqlExportSource(engine) as source:
            return next(p.sku for p in source.products("", 20) if p.stock_on_hand > 10 and p.active)
    finally:
        engine.dispose()


def test_a_declined_club_member_is_told_once_after_the_run_commits(services, inbox, database_url):
    box, _ = inbox
    good = add_customer(services, "Good", type_code=CELLAR_CLUB, email="good@example.com")
    declined = add_customer(
        services, "Dee", type_code=CELLAR_CLUB, email="dee@example.com", card=DECLINED_CARD
    )
    shipment = services.clubs.create_shipment(
        "Cellar Club [b]December[/b]", CELLAR_CLUB, [(_sku(database_url), 1)], date(2026, 12, 1), "GROUND"
    )
    report = services.clubs.process(shipment.id)
    assert report.failed == 1 and report.placed >= 1  # the seeded office has club members too
    queued = services.mail.for_customer(declined)
    assert [(m.kind, m.status) for m in queued] == [("card declined", "pending")]
    assert all(m.kind != "card declined" for m in services.mail.for_customer(good))

    services.clubs.process(shipment.id)  # declined again: no second notice
    assert len(services.mail.for_customer(declined)) == 1

    report = services.mail.send_due()
    assert report.sent >= 1 and report.failed == 0
    declined_mail = [m for to, m in box.messages if to == ["dee@example.com"]]
    assert len(declined_mail) == 1
    message = declined_mail[0]
    assert message["Subject"] == "We could not charge your card for Cellar Club [b]December[/b]"
    assert message["To"] == "dee@example.com" and message["Bcc"] is None
    body = message.get_payload(decode=True).decode()
    assert "Visa ending 0002" in body and "(Card declined (do not honor))" in body
    assert "call us at (707) 555-0100" in body and body.rstrip().endswith("Hillside Cellars")

    replace_card(services, declined)  # a good card: the next run places the order, no new notice
    assert services.clubs.process(shipment.id).placed >= 1
    assert {m.customer_id: m.status for m in services.clubs.members(shipment.id)}[declined] == "placed"
    assert len(services.mail.for_customer(declined)) == 1


def test_the_refund_notice_the_returns_work_queues_arrives_with_amount_and_reason(
    services, inbox, database_url
):
    box, _ = inbox
    customer = add_customer(services, "Refunded", email="ref@example.com")
    cart = services.cart.start(customer)
    cart = services.cart.add_lines(cart.id, [(_sku(database_url), 1)])
    order = services.checkout.place(cart.id, confirm_duplicate=True)
    with services.context.uow_factory(write=True) as uow:
        stored = uow.orders.get(order.id)
        queued = queue_refund_mail(
            services.context, uow, stored, Decimal("12.50"), "Visa ending 1111", "arrived broken\r\nBcc: x@y"
        )
        uow.commit()
    assert queued is not None
    services.mail.send_due()
    refunds = [m for to, m in box.messages if m["Subject"] == f"Refund for order {order.number}"]
    assert len(refunds) == 1 and refunds[0]["To"] == "ref@example.com" and refunds[0]["Bcc"] is None
    body = refunds[0].get_payload(decode=True).decode()
    assert "We have refunded 12.50 for order" in body and "to Visa ending 1111" in body
    assert "arrived broken" in body
