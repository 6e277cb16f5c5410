"""Checkout: placing a draft as one transaction, with the payment authorised before the commit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from oms_core.domain.audit import AuditEvent
from oms_core.domain.errors import OmsError, PaymentDeclined, ValidationError
from oms_core.domain.operators import Role
from oms_core.domain.orders import Order
from oms_core.ports import UnitOfWork
from oms_core.read_models import OrderView
from oms_core.services.context import ServiceContext, current_operator
from oms_core.services.drafts import PricingContext, load_draft, requote
from oms_core.services.placing import charge, mark_placed, readiness_problems, take_stock
from oms_core.services.views import customer_summary, order_view


class DuplicateOrderWarning(OmsError):
    """The customer already has a recent order with the same items; placing needs a confirmation."""


class CheckoutService:
    """Checks a draft and places it."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context
        self._voided_keys: set[str] = set()

    def problems(self, draft_id: int) -> list[tuple[str, str]]:
        """What still stops the draft being placed (empty when it is ready)."""
        with self._ctx.read() as uow:
            order = load_draft(uow, draft_id, None)
            pricing = PricingContext(uow)
            customer, products = requote(uow, order, pricing)
            return readiness_problems(
                order, customer, products, pricing, price_cut_limit=self._cut_limit(uow)
            )

    def duplicate_warning(self, draft_id: int) -> str | None:
        """A sentence about a recent placed order with the same items, or ``None``."""
        with self._ctx.read() as uow:
            return self._duplicate(uow, load_draft(uow, draft_id, None))

    def place(self, draft_id: int, version: int | None = None, confirm_duplicate: bool = False) -> OrderView:
        """Place the draft: re-price, take stock, number it, authorise payment, record, commit.

        All or nothing: on any failure the draft is left exactly as it was.

        Raises:
            ValidationError: the draft is not ready (every problem listed).
            DuplicateOrderWarning: a same-items order was placed recently (unless confirmed).
            OutOfStock: a line's product ran short.
            PaymentDeclined: with the gateway's reason.
            PaymentUnavailable: the gateway did not answer.
            StaleEdit: the draft changed since ``version``.
        """
        authorised = authorised_key = ""
        try:
            with self._ctx.write() as uow:
                order = load_draft(uow, draft_id, version)
                pricing = PricingContext(uow)
                customer, products = requote(uow, order, pricing)
                problems = readiness_problems(
                    order,
                    customer,
                    products,
                    pricing,
                    include_stock=False,
                    price_cut_limit=self._cut_limit(uow),
                )
                if problems:
                    raise ValidationError.from_problems(problems)
                if not confirm_duplicate:
                    warning = self._duplicate(uow, order)
                    if warning:
                        raise DuplicateOrderWarning(warning)
                take_stock(uow, order, products)
                number = uow.orders.next_number()
                # The key changes with every edit of the draft, so a retry of the same draft
                # is never charged twice, while a corrected draft is a new authorisation.
                key = f"draft-{order.id}-v{order.version}"
                if key in self._voided_keys:
                    # That authorisation was released after a failed commit: ask afresh.
                    key = f"{key}-retry{len(self._voided_keys)}"
                payment = charge(self._ctx.gateway, order, key)
                authorised, authorised_key = payment.reference, key
                now = self._ctx.clock.now()
                uow.audit.add(mark_placed(order, number, payment, self._ctx.operator_username, now))
                uow.orders.save(order)
                view = order_view(
                    order,
                    customer_summary(customer) if customer else None,
                    uow.audit.for_order(order.id or 0),
                )
                uow.commit()
                authorised = ""
        except PaymentDeclined as declined:
            self._record_decline(draft_id, str(declined))
            raise
        finally:
            if authorised:
                self._ctx.gateway.void(authorised)
                self._voided_keys.add(authorised_key)
        return view

    def _cut_limit(self, uow: UnitOfWork) -> Decimal | None:
        """The price-cut limit the operator placing the order is held to (``None``: a supervisor)."""
        if current_operator(uow, self._ctx.operator_username).at_least(Role.SUPERVISOR):
            return None
        return self._ctx.settings.override_limit_percent

    def _duplicate(self, uow: UnitOfWork, order: Order) -> str | None:
        if order.customer_id is None or not order.lines:
            return None
        window = timedelta(hours=self._ctx.settings.duplicate_window_hours)
        now = self._ctx.clock.now()
        for placed in uow.orders.placed_since(order.customer_id, now - window):
            if placed.same_items_as(order):
                hours = max(0, int((now - (placed.placed_at or now)).total_seconds() // 3600))
                when = "less than an hour ago" if hours == 0 else f"{hours} h ago"
                return f"order {placed.number} with the same items was placed for this customer {when}"
        return None

    def _record_decline(self, draft_id: int, reason: str) -> None:
        # The placing transaction rolled back; the decline is still worth a line in the trail.
        with self._ctx.write() as uow:
            order = uow.orders.get(draft_id)
            uow.audit.add(
                AuditEvent(
                    draft_id,
                    self._ctx.operator_username,
                    "payment declined",
                    reason,
                    self._ctx.clock.now(),
                    order.customer_id,
                )
            )
            uow.commit()
