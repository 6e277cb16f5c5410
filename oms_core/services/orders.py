"""Placed orders: lists, detail, cancelling (restocks) and reordering. Shipping is
:mod:`oms_core.services.fulfilment`.
"""

from __future__ import annotations

from dataclasses import replace

from oms_core.domain.audit import AuditEvent
from oms_core.domain.errors import NotFound, ValidationError
from oms_core.domain.mail import MailKind
from oms_core.domain.numbers import LARGEST_ID
from oms_core.domain.operators import Role
from oms_core.domain.orders import (
    Order,
    OrderLine,
    OrderStatus,
    check_transition,
    follow_up_draft,
)
from oms_core.domain.payments import PaymentMethod, PaymentStatus
from oms_core.domain.returns import CreditEntry
from oms_core.domain.text import clean_field
from oms_core.ports import UnitOfWork
from oms_core.read_models import CartView, OrderFilter, OrderPosition, OrderSummary, OrderView
from oms_core.services.context import ServiceContext, current_operator, require_role
from oms_core.services.drafts import describe, quote
from oms_core.services.mail import queue_order_mail
from oms_core.services.payments import release_payments
from oms_core.services.retry import retry_on_conflict
from oms_core.services.views import stored_order_view

MAX_PAGE = 200


AFTER_CANCEL = {  # a payment's status once its order is cancelled (the demo's history uses it too)
    PaymentStatus.AUTHORIZED: PaymentStatus.VOIDED,
    PaymentStatus.CAPTURED: PaymentStatus.REFUNDED,
    PaymentStatus.RECORDED: PaymentStatus.VOIDED,
}


class OrderService:
    """Finding and managing placed orders."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def list(
        self, order_filter: OrderFilter | None = None, limit: int = 50, after: OrderPosition | None = None
    ) -> list[OrderSummary]:
        """Orders matching the filter, newest first, one page at a time: the next page is the one
        ``after`` the last row of this one (``OrderPosition.after(row)``).
        """
        with self._ctx.read() as uow:
            return uow.orders.list(order_filter or OrderFilter(), min(max(limit, 1), MAX_PAGE), after)

    def get(self, order_id: int) -> OrderView:
        """An order with its lines, payments (masked) and audit trail. Raises ``NotFound``."""
        with self._ctx.read() as uow:
            return self._view(uow, uow.orders.get(order_id))

    def get_by_number(self, number: int | str) -> OrderView:
        """An order by its number. Raises ``NotFound`` (or ``ValidationError`` for non-numbers)."""
        text = str(number).strip().lstrip("#")
        if not (text.isascii() and text.isdigit()):
            raise ValidationError(f"{str(number).strip()!r} is not an order number", field="number")
        if len(text) > len(str(LARGEST_ID)) or int(text) > LARGEST_ID:
            raise NotFound(f"no order {text}")  # beyond what the database holds: not an order either
        with self._ctx.read() as uow:
            order = uow.orders.get_by_number(int(text))
            if order is None:
                raise NotFound(f"no order {text}")
            return self._view(uow, order)

    @retry_on_conflict
    def cancel(self, order_id: int, reason: str) -> OrderView:
        """Cancel a placed order: restock its lines, void its authorisation or refund its captured
        payment, record why.

        Raises:
            PermissionDenied: cancelling needs a supervisor.
            InvalidState: shipped or already cancelled orders cannot be cancelled.
            ValidationError: no reason given.
        """
        reason = clean_field(reason)
        if not reason:
            raise ValidationError("give a reason for cancelling", field="reason")
        with self._ctx.write() as uow:
            operator = current_operator(uow, self._ctx.operator_username)
            require_role(operator, Role.SUPERVISOR, "cancelling an order")
            order = uow.orders.get(order_id)
            if order.is_draft:
                raise ValidationError("a draft is discarded, not cancelled", field="order")
            check_transition(order.status, OrderStatus.CANCELLED)
            now = self._ctx.clock.now()
            for payment in order.payments:  # store credit spent on it goes back (before the products)
                if payment.method is PaymentMethod.STORE_CREDIT and payment.status is PaymentStatus.RECORDED:
                    what = f"order {order.number} cancelled"
                    entry = CreditEntry(
                        order.customer_id or 0, payment.amount, what, now, operator.username, order.id
                    )
                    uow.store_credit.give(entry)
            for line in sorted(order.lines, key=lambda line: line.product_id):  # the lock order
                uow.products.restock(line.product_id, line.quantity)
            to_release = list(order.payments)
            order.payments = [replace(p, status=AFTER_CANCEL.get(p.status, p.status)) for p in to_release]
            order.status = OrderStatus.CANCELLED
            order.hold = None  # a cancelled order is not waiting on anything
            order.updated_at = now
            uow.orders.save(order)
            uow.audit.add(
                AuditEvent(order.id, operator.username, "cancelled", reason, now, order.customer_id)
            )
            queue_order_mail(self._ctx, uow, MailKind.CANCELLATION, order, {"reason": reason})
            view = self._view(uow, order)
            uow.commit()
        # The gateway is asked after the commit (no transaction open): an uncaptured authorisation
        # is voided, a captured payment refunded; each call is in the order's payment history.
        release_payments(self._ctx, order_id, view.customer.id if view.customer else None, to_release)
        return self.get(order_id)

    @retry_on_conflict
    def reorder(self, order_id: int) -> CartView:
        """A new draft for the same customer with the past order's lines at today's prices.

        Products no longer sold are left out and named in the cart's warnings.
        """
        now = self._ctx.clock.now()
        with self._ctx.write() as uow:
            past = uow.orders.get(order_id)
            if past.customer_id is None:
                raise ValidationError("that order has no customer", field="order")
            on_file = uow.customers.get(past.customer_id, with_addresses=False)  # its cards, not its book
            products = uow.products.get_many([line.product_id for line in past.lines])
            skipped = [
                line.sku
                for line in past.lines
                if line.product_id not in products or not products[line.product_id].active
            ]
            # A card still on file may be charged again; a one-off card is asked anew.
            again = past.payment_choice
            if not (
                again is not None
                and again.method is PaymentMethod.CARD_ON_FILE
                and again.card_id is not None
                and on_file.card(again.card_id) is not None
            ):
                again = None
            draft = follow_up_draft(past, self._ctx.operator_username, now, [], again)
            for line in past.lines:
                if line.sku not in skipped:
                    draft.lines.append(
                        OrderLine(None, line.product_id, line.sku, line.name, line.quantity, line.unit_price)
                    )
            customer, current = quote(uow, draft)
            uow.orders.add(draft)
            uow.audit.add(
                AuditEvent(
                    draft.id,
                    self._ctx.operator_username,
                    "reorder",
                    f"from order {past.number}",
                    now,
                    past.customer_id,
                )
            )
            view = describe(draft, customer, current)
            uow.commit()
        if skipped:
            view = _with_warning(view, f"not reordered, no longer sold: {', '.join(skipped)}")
        return view

    def _view(self, uow: UnitOfWork, order: Order) -> OrderView:
        return stored_order_view(uow, order)


def _with_warning(view: CartView, warning: str) -> CartView:
    return replace(view, warnings=(*view.warnings, warning))
