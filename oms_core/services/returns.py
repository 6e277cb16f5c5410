"""Returns (RMAs), refunds, store credit and exchanges.

Recording a return is one short transaction holding the order's row lock (lock order: the order,
then the customer's store credit, then the products restocked, then the new rows): the return and
its lines, the restock of the units that go back on the shelf, and, when the office refunds at once,
the refund. A check or store-credit refund is complete in that transaction (its notice queued with
it). A card refund is recorded pending with its gateway call, sent after the commit with no
transaction open, and settled in a third transaction (:mod:`oms_core.services.refund_steps`), so a
process killed half-way leaves a call that ``oms payments reconcile`` finishes. A refund larger than
``[orders] refund_limit`` needs a supervisor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from oms_core.domain.audit import AuditEvent
from oms_core.domain.errors import ValidationError
from oms_core.domain.gateway_calls import CallAction, CallPurpose, GatewayCall, captured_amount
from oms_core.domain.money import ZERO
from oms_core.domain.operators import Operator, Role
from oms_core.domain.orders import Order, OrderLine, follow_up_draft
from oms_core.domain.payments import Payment, PaymentChoice, PaymentMethod, PaymentStatus
from oms_core.domain.returns import (
    CreditEntry,
    Disposition,
    Refund,
    RefundMethod,
    RefundRequest,
    RefundStatus,
    Return,
    ReturnItem,
    ReturnReason,
    check_note,
    needs_supervisor,
    plan_return,
    refund_amount,
    returnable,
)
from oms_core.ports import UnitOfWork
from oms_core.read_models import CartView, ReturnChoices, ReturnView, TimePosition
from oms_core.services.context import ServiceContext, current_operator, require_role
from oms_core.services.drafts import describe, requote
from oms_core.services.gateway_steps import open_call, send, settle
from oms_core.services.refund_steps import finish_card_refund, refund_notice
from oms_core.services.retry import retry_on_conflict, write_retrying
from oms_core.services.views import return_view

MAX_LIST = 500


@dataclass(frozen=True, slots=True)
class StoreCreditView:
    """A customer's store credit: the balance and the latest movements (amount, what, when, who)."""

    customer_id: int
    balance: Decimal
    entries: tuple[tuple[Decimal, str, datetime, str], ...]


def parse_reason(text: str) -> ReturnReason:
    """A reason code from what was typed: its value or label, or the first letters of one.

    Raises:
        ValidationError: on field ``reason``, listing the codes.
    """
    wanted = text.strip().lower().replace(" ", "_")
    matches = [reason for reason in ReturnReason if reason.value.startswith(wanted)] if wanted else []
    if len(matches) != 1:
        codes = ", ".join(reason.value for reason in ReturnReason)
        raise ValidationError(f"give a reason: one of {codes}", field="reason")
    return matches[0]


class ReturnService:
    """Returns, refunds, store credit and exchanges."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # -- reading -----------------------------------------------------------------------------------

    def form(self, order_id: int) -> ReturnChoices:
        """What may still come back on the order, for the return form."""
        with self._ctx.read() as uow:
            order = uow.orders.get(order_id)
            left = returnable(order, uow.shipments.for_order(order_id), uow.returns.for_order(order_id))
            refunds = uow.returns.refunds_for_orders([order_id])
            card, _ = _captured_card(order, uow.gateway_calls.for_order(order_id))
        by_id = {line.id: line for line in order.lines}
        shipping_done = any(r.includes_shipping and r.counts for r in refunds)
        return ReturnChoices(
            order_id=order_id,
            order_number=order.number,
            returnable=tuple((by_id[i].sku, by_id[i].name, units) for i, units in left.items()),
            shipping=ZERO if shipping_done else order.shipping_charge + order.shipping_tax,
            card=f"{card.brand} ending {card.last4}" if card else "",
        )

    def for_order(self, order_id: int) -> list[ReturnView]:
        """The order's returns with their refunds, oldest first."""
        with self._ctx.read() as uow:
            order = uow.orders.get(order_id)
            return self._views(uow, uow.returns.for_order(order_id), {order_id: order.number})

    def for_customer(self, customer_id: int, limit: int = 20) -> list[ReturnView]:
        """The customer's returns with their refunds, newest first (the customer's story)."""
        with self._ctx.read() as uow:
            items = uow.returns.for_customer(customer_id, max(1, min(limit, MAX_LIST)))
            return self._views(uow, items)

    def recent(
        self, since: datetime | None = None, limit: int = 100, before: TimePosition | None = None
    ) -> list[ReturnView]:
        """Every return recorded since ``since`` (all when ``None``), newest first: a page of
        ``limit``, before ``before`` (``TimePosition.after`` of the last one shown) for the next.
        """
        with self._ctx.read() as uow:
            return self._views(uow, uow.returns.recent(since, max(1, min(limit, MAX_LIST)), before))

    def get(self, return_id: int) -> ReturnView:
        """One return with its refunds. Raises ``NotFound``."""
        with self._ctx.read() as uow:
            return self._views(uow, [uow.returns.get(return_id)])[0]

    def store_credit(self, customer_id: int, limit: int = 20) -> StoreCreditView:
        """The customer's store-credit balance and latest movements."""
        with self._ctx.read() as uow:
            balance = uow.store_credit.balance(customer_id)
            entries = uow.store_credit.entries(customer_id, max(1, min(limit, MAX_LIST)))
        return StoreCreditView(customer_id, balance, tuple((e.amount, e.what, e.at, e.by) for e in entries))

    # -- writing -----------------------------------------------------------------------------------

    def record(
        self,
        order_id: int,
        items: Sequence[ReturnItem],
        reason: ReturnReason | str,
        note: str = "",
        refund: RefundRequest | None = None,
    ) -> ReturnView:
        """Record a return of some shipped units (restocked or written off), and refund it at once
        when ``refund`` says how.

        Raises:
            ValidationError: a SKU, quantity, reason, amount or check number that does not fit
                (nothing is written).
            InvalidState: nothing shipped on the order is left to come back.
            PermissionDenied: the refund is above the office's limit and the operator is no supervisor.
        """
        reason = reason if isinstance(reason, ReturnReason) else parse_reason(reason)
        note = check_note(note)
        return_id, call = write_retrying(
            self._ctx, lambda uow: self._record(uow, order_id, items, reason, note, refund)
        )
        if call is not None:
            self._send_card_refund(call)
        return self.get(return_id)

    def refund(self, return_id: int, request: RefundRequest) -> ReturnView:
        """Refund (more of) a return later: after a card refund failed, or when the office decided.

        Raises:
            ValidationError, PermissionDenied: as :meth:`record`.
        """

        def work(uow: UnitOfWork) -> GatewayCall | None:
            item = uow.returns.get(return_id)
            operator = current_operator(uow, self._ctx.operator_username)
            order = uow.orders.get(item.order_id)  # the order's row lock first
            call = self._refund_in(uow, operator, order, item, request)
            uow.commit()
            return call

        call = write_retrying(self._ctx, work)
        if call is not None:
            self._send_card_refund(call)
        return self.get(return_id)

    @retry_on_conflict
    def exchange(
        self, order_id: int, items: Sequence[ReturnItem], reason: ReturnReason | str, note: str = ""
    ) -> tuple[ReturnView, CartView]:
        """A return whose value (with the order's shipping, when not refunded before) goes on the
        customer's store credit, and a new draft for the customer with the returned items (same
        SKUs and quantities, today's prices), set to be paid by that store credit. The operator
        changes the draft (another size, another colour) and places it; what it costs less than the
        credit stays on the account. When it costs more, checkout says by how much and the operator
        chooses another payment for the whole order (the credit stays on the account: one order has
        one payment). One transaction: the return, the credit and the draft, or nothing.

        Raises:
            ValidationError: as :meth:`record`, or the order has no customer.
        """
        reason = reason if isinstance(reason, ReturnReason) else parse_reason(reason)
        note = check_note(note)
        with self._ctx.write() as uow:
            order = uow.orders.get(order_id)
            if order.customer_id is None:
                raise ValidationError("an exchange needs a customer on the order", field="order")
            # The replacement ships again: the credit gives back the order's shipping too, unless
            # an earlier refund did, so the same goods the same way cost the customer nothing.
            shipping_back = not any(
                r.includes_shipping and r.counts for r in uow.returns.refunds_for_orders([order_id])
            )
            credit = RefundRequest(RefundMethod.STORE_CREDIT, include_shipping=shipping_back)
            return_id, _ = self._record(uow, order_id, items, reason, note, credit, commit=False)
            item = uow.returns.get(return_id)
            draft = self._replacement(order, item)
            customer, products = requote(uow, draft)
            uow.orders.add(draft)
            uow.returns.set_exchange(return_id, draft.id or 0)
            now = self._ctx.clock.now()
            uow.audit.add(
                AuditEvent(
                    order.id,
                    self._ctx.operator_username,
                    "exchange",
                    f"{item.rma}: replacement draft",
                    now,
                    order.customer_id,
                )
            )
            uow.audit.add(
                AuditEvent(
                    draft.id,
                    self._ctx.operator_username,
                    "exchange",
                    f"for {item.rma} of order {order.number}",
                    now,
                    order.customer_id,
                )
            )
            cart = describe(draft, customer, products)
            uow.commit()
        return self.get(return_id), cart

    # -- steps -------------------------------------------------------------------------------------

    def _record(
        self,
        uow: UnitOfWork,
        order_id: int,
        items: Sequence[ReturnItem],
        reason: ReturnReason,
        note: str,
        refund: RefundRequest | None,
        commit: bool = True,
    ) -> tuple[int, GatewayCall | None]:
        operator = current_operator(uow, self._ctx.operator_username)
        order = uow.orders.get(order_id)  # locks the order row: two returns of one order take turns
        lines = plan_return(order, uow.shipments.for_order(order_id), uow.returns.for_order(order_id), items)
        now = self._ctx.clock.now()
        item = Return(
            None, order_id, order.customer_id, reason, note, lines, now, self._ctx.operator_username
        )
        item = replace(item, id=uow.returns.add(item))
        detail = ", ".join(f"{line.quantity} x {line.sku} ({line.disposition.label})" for line in lines)
        uow.audit.add(
            AuditEvent(
                order.id,
                self._ctx.operator_username,
                "return",
                f"{item.rma} {reason.label}: {detail}",
                now,
                order.customer_id,
            )
        )
        # The refund (store credit is the customer level of the lock order) before the restock
        # (products), as the lock order requires.
        call = self._refund_in(uow, operator, order, item, refund) if refund is not None else None
        for line in sorted(lines, key=lambda line: line.product_id):
            if line.disposition is Disposition.RESTOCK:
                uow.products.restock(line.product_id, line.quantity)
        if commit:
            uow.commit()
        return item.id or 0, call

    def _refund_in(
        self, uow: UnitOfWork, operator: Operator, order: Order, item: Return, request: RefundRequest
    ) -> GatewayCall | None:
        """Record a refund of ``item`` in ``uow``; returns a card refund's pending call (sent after
        the commit), else ``None``.
        """
        earlier = uow.returns.refunds_for_orders([order.id or 0])
        for_this = [r for r in earlier if r.return_id == item.id]
        amount = refund_amount(order, item.lines, request, earlier, for_this)
        limit = self._ctx.settings.refund_limit
        if needs_supervisor(amount, limit):
            require_role(operator, Role.SUPERVISOR, f"a refund above {limit}")
        now = self._ctx.clock.now()
        refund = Refund(
            id=None,
            return_id=item.id or 0,
            order_id=order.id or 0,
            customer_id=order.customer_id,
            method=request.method,
            amount=amount,
            status=RefundStatus.REFUNDED,
            includes_shipping=request.include_shipping,
            created_at=now,
            created_by=self._ctx.operator_username,
        )
        call = None
        if request.method is RefundMethod.CHECK:
            refund = replace(refund, check_number=request.check_number.strip())
        elif request.method is RefundMethod.STORE_CREDIT:
            uow.store_credit.give(
                CreditEntry(
                    order.customer_id or 0,
                    amount,
                    f"refund for {item.rma} of order {order.number}",
                    now,
                    self._ctx.operator_username,
                    order.id,
                    item.id,
                )
            )
        else:
            call, refund = self._card_call(uow, order, item, amount, refund, earlier, len(for_this))
        refund = replace(refund, id=uow.returns.add_refund(refund))
        uow.audit.add(
            AuditEvent(
                order.id,
                self._ctx.operator_username,
                "refund",
                f"{item.rma}: {refund.describe()}",
                now,
                order.customer_id,
            )
        )
        if call is None:
            refund_notice(self._ctx, uow, order, item, refund)
        return call

    def _card_call(
        self,
        uow: UnitOfWork,
        order: Order,
        item: Return,
        amount: Decimal,
        refund: Refund,
        earlier: list[Refund],
        attempt: int,
    ) -> tuple[GatewayCall, Refund]:
        payment, captured = _captured_card(order, uow.gateway_calls.for_order(order.id or 0))
        if payment is None:
            raise ValidationError(
                f"order {order.number} has no captured card payment to refund; "
                "refund by check or store credit",
                field="method",
            )
        on_card = sum((r.amount for r in earlier if r.method is RefundMethod.CARD and r.counts), ZERO)
        if amount > captured - on_card:
            raise ValidationError(f"only {captured - on_card} can still go back to the card", field="amount")
        call = open_call(
            uow,
            self._ctx,
            base_key=f"order-{order.id}-refund-{item.rma}-{attempt}",
            action=CallAction.REFUND,
            amount=amount,
            purpose=CallPurpose.PAYMENT,
            order_id=order.id,
            reference=payment.reference,
        )
        call.token, call.brand, call.last4 = payment.token, payment.brand, payment.last4
        label = f"{payment.brand} ending {payment.last4}"
        return call, replace(refund, status=RefundStatus.PENDING, card_label=label, call_key=call.base_key)

    def _send_card_refund(self, call: GatewayCall) -> None:
        """Ask the gateway with no transaction open, then settle the call and finish the refund."""
        answer = send(self._ctx.gateway, call)

        def finish(uow: UnitOfWork) -> None:
            settle(uow, self._ctx, call, answer, release_stock=False)
            finish_card_refund(uow, self._ctx, call)
            uow.commit()

        write_retrying(self._ctx, finish)

    def _replacement(self, order: Order, item: Return) -> Order:
        """The exchange's new draft: the returned SKUs and quantities, paid by store credit."""
        now = self._ctx.clock.now()
        by_id = {line.id: line for line in order.lines}
        lines: dict[int, OrderLine] = {}
        for returned in item.lines:
            source = by_id[returned.order_line_id]
            if source.product_id in lines:
                lines[source.product_id].quantity += returned.quantity
                continue
            lines[source.product_id] = OrderLine(
                None, source.product_id, source.sku, source.name, returned.quantity, source.unit_price
            )
        return follow_up_draft(
            order,
            self._ctx.operator_username,
            now,
            list(lines.values()),
            PaymentChoice(PaymentMethod.STORE_CREDIT),
            notes=f"exchange for {item.rma} of order {order.number}",
        )

    def _views(
        self, uow: UnitOfWork, items: list[Return], numbers: dict[int, int | None] | None = None
    ) -> list[ReturnView]:
        order_ids = sorted({item.order_id for item in items})
        refunds = uow.returns.refunds_for_orders(order_ids)
        if numbers is None:
            numbers = {order_id: uow.orders.get(order_id).number for order_id in order_ids}
        return [return_view(item, numbers.get(item.order_id), refunds) for item in items]


def _captured_card(order: Order, calls: list[GatewayCall]) -> tuple[Payment | None, Decimal]:
    """The order's card payment money was taken from, and how much was taken: all of a captured
    payment, or the part captures of one still authorised for what has not shipped.
    """
    for payment in order.payments:
        if not payment.method.uses_gateway or not payment.reference:
            continue
        if payment.status is PaymentStatus.CAPTURED:
            return payment, payment.amount
        if payment.status is PaymentStatus.AUTHORIZED:
            taken = captured_amount(calls, payment.reference)
            if taken > ZERO:
                return payment, taken
    return None, ZERO
