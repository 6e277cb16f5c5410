"""Mail to customers: queue it with the event, send it after the commit, show what was sent.

Other services call :func:`queue_order_mail` inside their own unit of work, so the message is
committed with the event or not at all. :meth:`MailService.send_due` (the TUI's background sender
and ``oms mail send`` from cron) claims due messages in one short transaction, talks to the mail
server with no transaction open, and records the outcomes in another. A server that is down only
delays mail: messages wait with a growing back-off and are marked failed after
:data:`~oms_core.domain.mail.MAX_ATTEMPTS` tries, for the office to see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from oms_core.domain.audit import AuditEvent
from oms_core.domain.customers import Address, Customer
from oms_core.domain.errors import NotFound, OmsError, ValidationError
from oms_core.domain.mail import (
    SENDING_LEASE,
    MailKind,
    MailRejected,
    MailStatus,
    MailUnavailable,
    OutboxEntry,
    render,
    retry_at,
)
from oms_core.domain.money import format_money
from oms_core.domain.orders import Order
from oms_core.ports import UnitOfWork
from oms_core.services.context import Mailing, ServiceContext
from oms_core.services.retry import retry_on_conflict
from oms_core.services.views import payment_view

CLAIM_BATCH = 20
"""Messages claimed per transaction: few enough that a slow server never strands many in a lease."""


@dataclass(frozen=True, slots=True)
class SendReport:
    """What one sending run did.

    Attributes:
        sent: accepted by the mail server.
        retrying: failed for now; queued again with a back-off.
        failed: given up on (refused for good, or out of attempts).
        problem: the server's last complaint, ``""`` when there was none.
    """

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    problem: str = ""


@dataclass(frozen=True, slots=True)
class MailView:
    """A message as the order and customer screens list it."""

    id: int
    kind: str
    to: str
    subject: str
    status: str
    attempts: int
    last_error: str
    at: str


def queue_order_mail(
    ctx: ServiceContext,
    uow: UnitOfWork,
    kind: MailKind,
    order: Order,
    extra: Mapping[str, str] | None = None,
) -> int | None:
    """Queue ``kind`` about ``order`` to its customer, in the caller's transaction.

    Nothing is queued when mail is not configured or the customer has no email address: a missing
    address never fails the order.

    Returns:
        The outbox id, or ``None`` when nothing was queued.
    """
    if ctx.mailing is None or order.customer_id is None:
        return None
    customer = uow.customers.get(order.customer_id, with_addresses=False)  # placing: never the book
    values = {**order_values(order, customer, ctx.mailing), **(extra or {})}
    return _queue(ctx, uow, kind, customer, values, order.id)


def queue_refund_mail(
    ctx: ServiceContext, uow: UnitOfWork, order: Order, amount: Decimal, paid_to: str, reason: str
) -> int | None:
    """Queue the refund notice (template ``refund.txt``) about ``order``, in the caller's transaction.

    For the returns work to call in the transaction that records the refund, so the notice is
    committed with it or not at all, and sent after the commit.

    Args:
        ctx: the caller's service context.
        uow: the caller's write unit of work.
        order: the refunded order.
        amount: the money given back.
        paid_to: where it went, as the customer reads it (``Visa ending 4242``, ``store credit``,
            ``a check``).
        reason: why, in the office's words (the return's reason).

    Returns:
        The outbox id, or ``None`` when nothing was queued (no mail configured, no email address).
    """
    extra = {"amount": format_money(amount), "payment": paid_to, "reason": reason}
    return queue_order_mail(ctx, uow, MailKind.REFUND, order, extra)


def queue_card_declined(
    ctx: ServiceContext, uow: UnitOfWork, customer_id: int, shipment_name: str, card: str, reason: str
) -> int | None:
    """Queue a club member's "your card was declined" notice (``card_declined.txt``), in the caller's
    transaction (the club run's, which records the decline).

    One notice per member and shipment: a later run that is declined again does not mail again
    (the office calls, or the member does).

    Args:
        ctx: the caller's service context.
        uow: the club run's write unit of work.
        customer_id: the member.
        shipment_name: the club shipment's name (``Wine Club - December``).
        card: the card as the member reads it (``Visa ending 0002``).
        reason: the gateway's reason (``Insufficient funds``).

    Returns:
        The outbox id, or ``None`` when nothing was queued.
    """
    if ctx.mailing is None:
        return None
    customer = uow.customers.get(customer_id, with_addresses=False)
    if not customer.email:
        return None
    values = {
        "customer_name": customer.display_name or "customer",
        "customer_number": customer.number,
        "shipment_name": shipment_name,
        "card": card,
        "reason": reason,
        "office_name": ctx.mailing.office_name,
        "office_phone": ctx.mailing.office_phone,
    }
    kind = MailKind.CARD_DECLINED
    message = render(ctx.mailing.templates.template(kind), values, kind, customer.email)
    recent = uow.outbox.for_customer(customer_id, 50)
    if any(e.message.kind is kind and e.message.subject == message.subject for e in recent):
        return None
    return _queue(ctx, uow, kind, customer, values, None)


def _queue(
    ctx: ServiceContext,
    uow: UnitOfWork,
    kind: MailKind,
    customer: Customer,
    values: Mapping[str, str],
    order_id: int | None,
) -> int | None:
    """Render ``kind`` for ``customer`` and add it to the outbox; nothing without an email address."""
    if ctx.mailing is None or not customer.email:
        return None
    message = render(ctx.mailing.templates.template(kind), values, kind, customer.email)
    message = replace(message, order_id=order_id, customer_id=customer.id)
    return uow.outbox.add(message, ctx.clock.now())


def order_values(order: Order, customer: Customer, mailing: Mailing) -> dict[str, str]:
    """The placeholders every order template may use."""
    payments = [payment_view(payment).label for payment in order.payments]
    return {
        "order_number": str(order.number or ""),
        "customer_name": customer.display_name or "customer",
        "customer_number": customer.number,
        "lines": "\n".join(
            f"  {line.quantity} x {line.name} ({line.sku})  {format_money(line.line_total)}"
            for line in order.lines
        ),
        "subtotal": format_money(order.subtotal),
        "shipping": format_money(order.shipping_charge),
        "tax": format_money(order.tax),
        "total": format_money(order.total),
        "ship_to": _address_block(order.ship_to),
        "shipping_method": order.shipping_method,
        "payment": ", ".join(payments) or "(no payment)",
        "office_name": mailing.office_name,
        "office_phone": mailing.office_phone,
    }


class MailService:
    """Sending queued mail, and what was sent to whom."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    @property
    def configured(self) -> bool:
        """Whether this process can send (a ``[mail]`` section with a server)."""
        return self._ctx.mailing is not None and self._ctx.mailing.sender is not None

    def send_due(self, limit: int = 500) -> SendReport:
        """Send up to ``limit`` due messages; stop early when the server is unreachable.

        Raises:
            OmsError: mail is not configured in this process.
        """
        mailing = self._ctx.mailing
        if mailing is None or mailing.sender is None:
            raise OmsError(
                "mail is not configured: add a [mail] section with the server to the office configuration"
            )
        sent = retrying = failed = 0
        problem = ""
        while sent + retrying + failed < limit:
            entries = self._claim(min(CLAIM_BATCH, limit - sent - retrying - failed))
            if not entries:
                break
            outcomes: list[tuple[OutboxEntry, str | None, bool]] = []  # (entry, error, for good)
            server_down = False
            for entry in entries:
                if server_down:
                    outcomes.append((entry, problem, False))
                    continue
                try:
                    mailing.sender.send(entry.message)
                    outcomes.append((entry, None, False))
                except MailRejected as exc:
                    problem = str(exc)
                    outcomes.append((entry, problem, True))
                except MailUnavailable as exc:
                    problem, server_down = str(exc), True
                    outcomes.append((entry, problem, False))
            counted = self._record(outcomes)
            sent, retrying, failed = sent + counted[0], retrying + counted[1], failed + counted[2]
            if server_down:
                break
        return SendReport(sent, retrying, failed, problem)

    def for_order(self, order_id: int) -> list[MailView]:
        """Every message about an order, oldest first."""
        with self._ctx.read() as uow:
            return [_view(entry) for entry in uow.outbox.for_order(order_id)]

    def for_customer(self, customer_id: int, limit: int = 20) -> list[MailView]:
        """A customer's latest messages, newest first."""
        with self._ctx.read() as uow:
            return [_view(entry) for entry in uow.outbox.for_customer(customer_id, max(1, min(limit, 200)))]

    def counts(self) -> dict[str, int]:
        """How many messages wait, are being sent, went out, or failed."""
        with self._ctx.read() as uow:
            return {status.value: count for status, count in uow.outbox.counts().items()}

    @retry_on_conflict
    def resend(self, order_id: int, kind: MailKind | str) -> MailView:
        """Queue ``kind`` about the order again (the customer lost it), as it reads today.

        Raises:
            ValidationError: mail is not configured, the order is a draft, or the customer has no email.
            NotFound: no such order.
        """
        kind = MailKind(kind)
        if self._ctx.mailing is None:
            raise ValidationError("mail is not configured for this office", field="mail")
        with self._ctx.write() as uow:
            order = uow.orders.get(order_id)
            if order.is_draft:
                raise ValidationError("a draft has nothing to confirm yet", field="order")
            entry_id = queue_order_mail(self._ctx, uow, kind, order)
            if entry_id is None:
                raise ValidationError("the customer has no email address on file", field="email")
            now = self._ctx.clock.now()
            uow.audit.add(
                AuditEvent(
                    order.id, self._ctx.operator_username, "mail queued", f"{kind.title} (resent)", now
                )
            )
            uow.commit()
            queued = next((e for e in uow.outbox.for_order(order_id) if e.id == entry_id), None)
        if queued is None:  # pragma: no cover - the row was written in this very transaction
            raise NotFound("the queued message vanished")
        return _view(queued)

    # -- sending steps, each its own short transaction ------------------------------------------

    @retry_on_conflict
    def _claim(self, count: int) -> list[OutboxEntry]:
        now = self._ctx.clock.now()
        with self._ctx.write() as uow:
            entries = uow.outbox.claim_due(now, now + SENDING_LEASE, count)
            uow.commit()
        return entries

    @retry_on_conflict
    def _record(self, outcomes: list[tuple[OutboxEntry, str | None, bool]]) -> tuple[int, int, int]:
        sent = retrying = failed = 0
        now = self._ctx.clock.now()
        with self._ctx.write() as uow:
            for entry, error, for_good in outcomes:
                if error is None:
                    uow.outbox.mark_sent(entry.id, now)
                    sent += 1
                    continue
                again = None if for_good else retry_at(now, entry.attempts)
                uow.outbox.mark_failed(entry.id, error, again)
                if again is None:
                    failed += 1
                else:
                    retrying += 1
            uow.commit()
        return sent, retrying, failed


def _address_block(address: Address | None) -> str:
    if address is None:
        return "(no address)"
    city = f"{address.city}, {address.state} {address.zip}".strip(" ,")
    lines = [address.name, address.company, address.address1, address.address2, city]
    return "\n".join(f"  {line}" for line in lines if line)


def _view(entry: OutboxEntry) -> MailView:
    when = entry.sent_at or entry.created_at
    status = entry.status.value
    if entry.status is MailStatus.PENDING and entry.attempts:
        status = f"retrying ({entry.attempts} tries)"
    return MailView(
        id=entry.id,
        kind=entry.message.kind.title,
        to=entry.message.to,
        subject=entry.message.subject,
        status=status,
        attempts=entry.attempts,
        last_error=entry.last_error,
        at=f"{when:%Y-%m-%d %H:%M}",
    )
