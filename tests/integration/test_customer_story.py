"""A customer's story on SQLite and PostgreSQL: orders (status now), shipments with tracking, notes
and mail in one list newest first, paged by keyset without losing or repeating a line."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from oms_core import bootstrap
from oms_core.domain.fulfilment import ShipRequest
from oms_core.domain.mail import MailKind, MailMessage
from oms_core.domain.returns import RefundMethod, RefundRequest, ReturnItem, ReturnReason
from oms_core.read_models import StoryKind
from oms_core.services.customers import CustomerInput
from tests.fakes import SKU_CABERNET, FixedClock, seed_reference
from tests.tui.conftest import NOW
from tests.unit.test_services_orders import CA_HOME


def _office(url: str):
    clock = FixedClock(NOW)
    application = bootstrap.build(bootstrap.Config(url, operator="root"), clock=clock)
    with application.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    return application, clock


def test_the_story_interleaves_orders_shipments_notes_and_mail_newest_first(database_url):
    application, clock = _office(database_url)
    services = application.services
    try:
        ann = services.customers.create(
            CustomerInput(first_name="Ann", last_name="Smith", address=CA_HOME, email="ann@example.com"),
            allow_duplicate=True,
        ).customer
        orders = []
        for n in range(7):
            clock.advance(timedelta(minutes=10))
            draft = services.cart.start(ann.id)
            services.cart.add_line(draft.id, SKU_CABERNET, 1 + n)
            services.cart.set_payment(draft.id, "check", check_number=str(100 + n))
            orders.append(services.checkout.place(draft.id, confirm_duplicate=True))
        clock.advance(timedelta(minutes=1))
        services.fulfilment.ship(
            orders[2].id, ShipRequest(carrier="UPS", tracking_number="1Z999AA10123456784")
        )
        clock.advance(timedelta(minutes=1))
        services.notes.add_to_order(orders[2].id, "asked where it is <b>[bold]")

        clock.advance(timedelta(minutes=1))
        with application.uow_factory(write=True) as uow:  # as the mail sender leaves them
            subject = "Your order has shipped\r\nBcc: x@example.com"
            mail_id = uow.outbox.add(
                MailMessage(
                    MailKind.SHIPPING_CONFIRMATION, "ann@example.com", subject, "", orders[2].id, ann.id
                ),
                clock.now(),
            )
            uow.outbox.mark_failed(mail_id, "550 mailbox unavailable", None)
            uow.commit()

        first = services.story.page(ann.id, limit=4)
        mail = first.events[0]
        assert (mail.kind, mail.order_number) == (StoryKind.MAIL, orders[2].number)
        assert mail.summary == f"{subject} (to ann@example.com)"  # literal: the screen escapes it
        assert mail.state == "failed: 550 mailbox unavailable"
        assert [e.kind for e in first.events[1:3]] == [StoryKind.NOTE, StoryKind.SHIPMENT]
        assert first.events[1].summary == "root: asked where it is <b>[bold]"
        shipped = first.events[2]
        assert shipped.order_number == orders[2].number
        assert (shipped.summary, shipped.state) == ("UPS 1Z999AA10123456784", "in transit")

        seen = list(first.events)
        page = first
        while page.next is not None:
            page = services.story.page(ann.id, after=page.next, limit=4)
            seen.extend(page.events)
        keys = [(e.kind, e.id) for e in seen]
        assert len(keys) == len(set(keys))  # nothing twice
        placed = [e for e in seen if e.kind is StoryKind.ORDER]
        assert [e.order_number for e in placed] == [o.number for o in reversed(orders)]
        assert next(e for e in placed if e.order_number == orders[2].number).state == "shipped"
        times = [(e.at, -e.kind.rank) for e in seen]
        assert times == sorted(times, reverse=True)
    finally:
        application.close()


def test_the_story_shows_returns_with_their_refunds(database_url):
    application, clock = _office(database_url)
    services = application.services
    try:
        ann = services.customers.create(
            CustomerInput(first_name="Ann", last_name="Smith", address=CA_HOME), allow_duplicate=True
        ).customer
        draft = services.cart.start(ann.id)
        services.cart.add_line(draft.id, SKU_CABERNET, 3)
        services.cart.set_payment(draft.id, "check", check_number="100")
        order = services.checkout.place(draft.id, confirm_duplicate=True)
        clock.advance(timedelta(minutes=1))
        services.fulfilment.ship(order.id, ShipRequest(carrier="UPS", tracking_number="1Z1"))
        clock.advance(timedelta(minutes=1))
        services.returns.record(
            order.id,
            [ReturnItem(SKU_CABERNET, 2)],
            ReturnReason.DAMAGED,
            refund=RefundRequest(RefundMethod.CHECK, Decimal("20.00"), check_number="1042"),
        )
        clock.advance(timedelta(minutes=1))
        services.returns.record(order.id, [ReturnItem(SKU_CABERNET, 1)], ReturnReason.CHANGED_MIND)

        events = services.story.page(ann.id, limit=10).events
        assert [e.kind for e in events[:3]] == [StoryKind.RETURN, StoryKind.RETURN, StoryKind.SHIPMENT]
        later, first = events[0], events[1]
        assert (later.summary, later.state) == (f"RMA-{later.id} changed mind, 1 unit", "no refund")
        assert (first.summary, first.state) == (f"RMA-{first.id} damaged, 2 units", "refunded 20.00")
        assert first.order_number == order.number
    finally:
        application.close()
