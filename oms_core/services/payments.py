"""Money after placing: reconciling interrupted payments, capture, and the payment history.

Every gateway request goes through :mod:`oms_core.services.gateway_steps` (recorded pending,
sent with no transaction open, settled), so each is in the order's payment history and the audit
trail, and none is lost to a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from oms_core.domain.errors import (
    InvalidState,
    OmsError,
    PaymentDeclined,
    PaymentUnavailable,
    StaleEdit,
    ValidationError,
)
from oms_core.domain.gateway_calls import (
    PART_CAPTURE_UNAVAILABLE,
    CallAction,
    CallPurpose,
    CallStatus,
    GatewayCall,
    captured_amount,
)
from oms_core.domain.payments import CardToken, Payment, PaymentStatus
from oms_core.ports import GatewayAnswer, UnitOfWork
from oms_core.read_models import OrderView
from oms_core.services.context import ServiceContext
from oms_core.services.gateway_steps import open_call, reclaimable, send, settle
from oms_core.services.placing import DraftMoved, abandon, complete_checkout
from oms_core.services.refund_steps import finish_card_refund
from oms_core.services.retry import write_retrying
from oms_core.services.views import stored_order_view

log = logging.getLogger("oms.services")


class PartCaptureUnavailable(PaymentDeclined):
    """The gateway cannot capture part of this authorisation; capture it whole later."""


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """What reconciliation did with the interrupted payments it found.

    Attributes:
        completed: drafts placed with the authorisation the gateway confirmed.
        voided: authorisations released because no order came of them (stock given back).
        declined: authorisations the gateway had declined (stock given back).
        waiting: calls left for later (the gateway still does not answer, or a live process owns them).
    """

    completed: int = 0
    voided: int = 0
    declined: int = 0
    waiting: int = 0

    def summary(self) -> str:
        """``2 completed, 1 voided, 0 declined, 0 left for later``."""
        return (
            f"{self.completed} completed, {self.voided} voided, {self.declined} declined, "
            f"{self.waiting} left for later"
        )


class PaymentsService:
    """Reconciliation, capture and payment history."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def history(self, order_id: int) -> list[GatewayCall]:
        """Every gateway call made for the order, oldest first."""
        with self._ctx.read() as uow:
            return uow.gateway_calls.for_order(order_id)

    def reconcile(self) -> ReconcileReport:
        """Finish every payment a dead process left half-way.

        Each is repeated with its own idempotency key, so the gateway answers what it did the first
        time: a checkout whose card was approved is completed (its stock is still held); anything
        else approved is voided and its stock given back; a decline gives the stock back. A call
        whose process still lives is left alone, and so is one the gateway still does not answer.
        Never a charge without an order, never a second charge, never stock held by a dead attempt.
        """
        counts = {"completed": 0, "voided": 0, "declined": 0, "waiting": 0}
        with self._ctx.read() as uow:
            calls = uow.gateway_calls.unsettled()
        for call in calls:
            if not reclaimable(call, self._ctx):
                counts["waiting"] += 1
                continue
            try:
                counts[self._reconcile_one(call)] += 1
            except StaleEdit:
                counts["waiting"] += 1  # another process took it meanwhile
        return ReconcileReport(**counts)

    def _reconcile_one(self, call: GatewayCall) -> str:
        was = call.status
        if not self._claim(call):
            return "waiting"
        answer = send(self._ctx.gateway, call)  # the same key: the gateway's first answer
        if answer.unavailable:
            self._unclaim(call, was, answer)
            return "waiting"
        if not answer.approved:
            write_retrying(self._ctx, lambda uow: _settled(uow, self._ctx, call, answer, release_stock=True))
            return "declined"
        if call.action is not CallAction.AUTHORIZE:
            write_retrying(self._ctx, lambda uow: _settled(uow, self._ctx, call, answer, release_stock=False))
            return "completed"
        if was is CallStatus.PENDING and call.purpose is CallPurpose.CHECKOUT:

            def complete(uow: UnitOfWork) -> None:
                settle(uow, self._ctx, call, answer, release_stock=False)
                complete_checkout(uow, self._ctx, call)
                uow.commit()

            try:
                write_retrying(self._ctx, complete)
                return "completed"
            except DraftMoved:
                pass
        call.reference = answer.reference or call.reference
        abandon(self._ctx, call)
        return "voided"

    def _claim(self, call: GatewayCall) -> bool:
        """Take the call for this process (guarded: one reconciler wins)."""
        previous_status, previous_owner = call.status, call.owner
        claimed = replace(call, status=CallStatus.PENDING, owner=self._ctx.process)

        def claim(uow: UnitOfWork) -> bool:
            if not uow.gateway_calls.settle(claimed, previous_status, previous_owner):
                return False
            uow.commit()
            return True

        if not write_retrying(self._ctx, claim):
            return False
        call.status, call.owner = CallStatus.PENDING, self._ctx.process
        return True

    def _unclaim(self, call: GatewayCall, was: CallStatus, answer: GatewayAnswer) -> None:
        """Leave the call for later, as it was (still no answer)."""
        call.status, call.reason = was, answer.reason

        def unclaim(uow: UnitOfWork) -> None:
            uow.gateway_calls.settle(call, CallStatus.PENDING, self._ctx.process)
            uow.commit()

        write_retrying(self._ctx, unclaim)

    def _renew(self, order_id: int, customer_id: int | None, index: int, payment: Payment) -> Payment:
        """Re-authorise an old authorisation: the new one goes on the order at once (so a failed
        capture, a cancel or a later capture act on the live hold), then the old one is voided.

        Raises:
            PaymentDeclined, PaymentUnavailable: the card was not authorised again (nothing changes).
        """

        def record(uow: UnitOfWork, reference: str) -> None:
            # In the transaction that settles the new authorisation: no moment when it is approved
            # and not on the order (a process killed before that transaction leaves the call
            # pending, and reconciliation voids it).
            order = uow.orders.get(order_id)
            payments = list(order.payments)
            payments[index] = replace(payment, reference=reference)
            order.payments = payments
            order.updated_at = self._ctx.clock.now()
            uow.orders.save(order)

        reference = call_gateway(
            self._ctx, order_id, customer_id, CallAction.AUTHORIZE, payment, "reauth", "", on_approval=record
        )
        renewed = replace(payment, reference=reference)
        try:
            call_gateway(
                self._ctx, order_id, customer_id, CallAction.VOID, payment, "void-old", payment.reference
            )
        except OmsError as error:
            # The capture goes ahead; the refused void is in the payment history and the audit trail.
            log.warning("order %s: the old authorisation was not voided: %s", order_id, error)
        return renewed

    def capture(
        self, order_id: int, amount: Decimal | None = None, *, final: bool = True, key: str = "capture"
    ) -> OrderView:
        """Take money of the order's card authorisation: what is left of it, or ``amount``.

        A ``final`` capture closes the authorisation (the payment becomes captured, for what was
        captured in all). One that is not final (a part shipment's share) keeps the rest authorised
        for the next shipment; a share that reaches what is left is taken as the final capture.
        Each capture is its own gateway call, so the payment history lists them one by one. An
        authorisation older than the gateway holds one is first re-authorised for what is left (and
        the old one voided), unless part of it was captured already: then the capture is tried as it
        is, and a refusal is the office's to follow up.

        Args:
            order_id: the order.
            amount: how much; ``None`` for everything left.
            final: close the authorisation with this capture.
            key: what makes this capture's idempotency key unique on the order (``capture-s12`` for
                shipment 12), so repeating it never captures twice.

        Raises:
            InvalidState: the order has no authorised card payment, or nothing is left of it.
            ValidationError: ``amount`` is not between 0.01 and what is left.
            PartCaptureUnavailable: the gateway cannot capture part of this card's authorisation.
            PaymentDeclined, PaymentUnavailable: the gateway's answer (nothing changes).
        """
        with self._ctx.read() as uow:
            order = uow.orders.get(order_id)
            calls = uow.gateway_calls.for_order(order_id)
        index, payment = _authorised(order.payments)
        taken = captured_amount(calls, payment.reference)
        left = payment.amount - taken
        if left <= 0:
            raise InvalidState("nothing is left to capture on the card authorisation")
        if amount is not None and (amount <= 0 or amount > left):
            raise ValidationError(f"capture between 0.01 and {left}", field="amount")
        if not final and (amount is None or amount == left):
            final = True
        now = self._ctx.clock.now()
        authorised_at = _authorised_at(calls, order.payments)
        age = now - (authorised_at or order.placed_at or now)
        if age >= self._ctx.gateway.authorization_lifetime and taken == 0:
            payment = self._renew(order_id, order.customer_id, index, payment)
        reference = payment.reference
        if amount is None and taken > 0:
            amount = left  # the rest, named: the gateway has been asked for parts before
        action = CallAction.CAPTURE if final else CallAction.PART_CAPTURE
        # A final capture closes the payment in the transaction that settles the call: a process
        # killed between the two would leave money taken on a payment still shown authorised.
        call_gateway(
            self._ctx,
            order_id,
            order.customer_id,
            action,
            payment,
            key,
            reference,
            amount,
            on_approval=(lambda uow, captured: close_captured(uow, self._ctx, order_id, captured))
            if final
            else None,
        )
        with self._ctx.read() as uow:
            return stored_order_view(uow, uow.orders.get(order_id, lock=False))


def close_captured(uow: UnitOfWork, ctx: ServiceContext, order_id: int, reference: str) -> None:
    """After a final capture of the authorisation ``reference`` (in the transaction that settles
    it): the order's payment is captured, for everything taken of that authorisation.

    The one home of this rule for a capture asked now and one that reconciliation finishes for a
    process that died waiting on the gateway.
    """
    order = uow.orders.get(order_id)
    taken = captured_amount(uow.gateway_calls.for_order(order_id), reference)
    payments = list(order.payments)
    for index, payment in enumerate(payments):
        if payment.status is PaymentStatus.AUTHORIZED and payment.reference == reference:
            payments[index] = replace(payment, status=PaymentStatus.CAPTURED, amount=taken)
            order.payments = payments
            order.updated_at = ctx.clock.now()
            uow.orders.save(order)
            return


def call_gateway(
    ctx: ServiceContext,
    order_id: int,
    customer_id: int | None,
    action: CallAction,
    payment: Payment,
    stem: str,
    reference: str,
    amount: Decimal | None = None,
    on_approval: Callable[[UnitOfWork, str], None] | None = None,
) -> str:
    """Record, send and settle one gateway request for a placed order; its reference.

    ``on_approval(uow, reference)`` runs in the transaction that settles an approved call.
    """

    def record(uow: UnitOfWork) -> GatewayCall:
        call = open_call(
            uow,
            ctx,
            base_key=f"order-{order_id}-{stem}-{payment.reference}",
            action=action,
            amount=amount if amount is not None else payment.amount,
            purpose=CallPurpose.PAYMENT,
            order_id=order_id,
            reference=reference,
            # Stored with the call (a re-authorisation repeated by reconciliation needs the token).
            card=CardToken(
                payment.token, payment.brand, payment.last4, payment.exp_month or 0, payment.exp_year or 0
            )
            if payment.token or payment.last4
            else None,
        )
        uow.commit()
        return call

    call = write_retrying(ctx, record)
    answer = send(ctx.gateway, call)

    def settled(uow: UnitOfWork) -> None:
        settle(uow, ctx, call, answer, release_stock=False, customer_id=customer_id)
        if answer.approved and on_approval is not None:
            on_approval(uow, answer.reference or reference)
        uow.commit()

    write_retrying(ctx, settled)
    raise_unless_approved(call, answer)
    return answer.reference or reference


def _settled(
    uow: UnitOfWork, ctx: ServiceContext, call: GatewayCall, answer: GatewayAnswer, **how: object
) -> None:
    settle(uow, ctx, call, answer, **how)  # type: ignore[arg-type]
    finish_card_refund(uow, ctx, call)  # a return's card refund: refunded or failed with its call
    if answer.approved and call.action is CallAction.CAPTURE and call.order_id is not None:
        close_captured(uow, ctx, call.order_id, call.reference)
    uow.commit()


def raise_unless_approved(call: GatewayCall, answer: GatewayAnswer) -> None:
    """Turn a decline or no answer into the error the operator reads."""
    if answer.unavailable:
        raise PaymentUnavailable(f"{call.action.label}: {answer.reason}")
    if answer.code == PART_CAPTURE_UNAVAILABLE:
        raise PartCaptureUnavailable(answer.reason)
    if not answer.approved:
        raise PaymentDeclined(f"{call.action.label} refused: {answer.reason}")


def _authorised_at(calls: list[GatewayCall], payments: list[Payment]) -> datetime | None:
    """When the order's live authorisation was asked for (its approved call), if the history says."""
    live = {p.reference for p in payments if p.status is PaymentStatus.AUTHORIZED and p.reference}
    times = [
        c.created_at
        for c in calls
        if c.action is CallAction.AUTHORIZE and c.status is CallStatus.APPROVED and c.reference in live
    ]
    return max((t for t in times if t is not None), default=None)


def _authorised(payments: list[Payment]) -> tuple[int, Payment]:
    for index, payment in enumerate(payments):
        if payment.status is PaymentStatus.AUTHORIZED and payment.reference:
            return index, payment
    raise InvalidState("the order has no card authorisation to capture")


def release_payments(
    ctx: ServiceContext, order_id: int, customer_id: int | None, payments: list[Payment]
) -> None:
    """After a cancel: void each uncaptured authorisation and refund each captured payment.

    Raises:
        OmsError: one line naming what the gateway refused (the order stays cancelled; the call is
            in the payment history for a supervisor to follow up).
    """
    failures: list[str] = []
    for payment in payments:
        action = {PaymentStatus.AUTHORIZED: CallAction.VOID, PaymentStatus.CAPTURED: CallAction.REFUND}.get(
            payment.status
        )
        if action is None or not payment.reference:
            continue
        try:
            call_gateway(ctx, order_id, customer_id, action, payment, action.value, payment.reference)
        except OmsError as error:
            failures.append(str(error))
    if failures:
        raise OmsError("the order is cancelled, but " + "; ".join(failures))
