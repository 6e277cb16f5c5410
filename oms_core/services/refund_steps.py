"""The last step of a card refund, shared by the refund itself and by reconciliation.

A card refund is recorded *pending* with its gateway call in the return's transaction, sent with no
transaction open, and finished here, in the transaction that settles the call: approved ->
refunded (audit line, refund notice queued); declined -> failed (audit line, the office may refund
another way); no answer -> still pending, and reconciliation repeats the call with its own key and
finishes it here. A process killed between the steps therefore never refunds twice and never loses
the refund.
"""

from __future__ import annotations

from dataclasses import replace

from oms_core.domain.audit import AuditEvent
from oms_core.domain.gateway_calls import CallAction, CallStatus, GatewayCall
from oms_core.domain.orders import Order
from oms_core.domain.returns import Refund, RefundMethod, RefundStatus, Return
from oms_core.ports import UnitOfWork
from oms_core.services.context import ServiceContext
from oms_core.services.mail import queue_refund_mail


def finish_card_refund(uow: UnitOfWork, ctx: ServiceContext, call: GatewayCall) -> None:
    """Record a settled refund call's outcome on its refund (nothing when it is no return's refund,
    e.g. a cancel's, or when it was finished already). Runs in the caller's transaction.
    """
    if call.action is not CallAction.REFUND or call.status not in (CallStatus.APPROVED, CallStatus.DECLINED):
        return
    refund = uow.returns.refund_for_call(call.base_key)
    if refund is None or refund.status is not RefundStatus.PENDING or refund.id is None:
        return
    approved = call.status is CallStatus.APPROVED
    status = RefundStatus.REFUNDED if approved else RefundStatus.FAILED
    failure = "" if approved else call.reason or "declined"
    if not uow.returns.settle_refund(refund.id, status, call.reference if approved else "", failure):
        return
    order = uow.orders.get(refund.order_id)
    item = uow.returns.get(refund.return_id)
    settled = replace(refund, status=status, reference=call.reference if approved else "", failure=failure)
    now = ctx.clock.now()
    action = "refunded" if approved else "refund failed"
    uow.audit.add(
        AuditEvent(
            order.id,
            ctx.operator_username,
            action,
            f"{item.rma}: {settled.describe()}",
            now,
            order.customer_id,
        )
    )
    if approved:
        refund_notice(ctx, uow, order, item, settled)


def refund_notice(ctx: ServiceContext, uow: UnitOfWork, order: Order, item: Return, refund: Refund) -> None:
    """Queue the customer's refund notice in the caller's transaction (through
    :func:`~oms_core.services.mail.queue_refund_mail`), saying where the money went.
    """
    how = {
        RefundMethod.CARD: f"your {refund.card_label}".strip(),
        RefundMethod.CHECK: f"a check (number {refund.check_number})",
        RefundMethod.STORE_CREDIT: "store credit on your account",
    }[refund.method]
    queue_refund_mail(ctx, uow, order, refund.amount, how, f"{item.rma}, {item.reason.label}")
