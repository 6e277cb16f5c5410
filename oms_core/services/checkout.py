"""Checkout: placing a draft in three short steps, the card authorised with no transaction open."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from oms_core.domain.errors import InvalidState, OmsError, ValidationError
from oms_core.domain.gateway_calls import CallAction, CallPurpose, GatewayCall
from oms_core.domain.orders import Order
from oms_core.domain.payments import PaymentMethod
from oms_core.domain.placing import payment_for
from oms_core.ports import UnitOfWork
from oms_core.read_models import OrderView
from oms_core.services.context import ServiceContext
from oms_core.services.drafts import PricingContext, checkout_quote, load_draft
from oms_core.services.gateway_steps import open_call, send
from oms_core.services.placing import (
    finish_checkout,
    place_draft,
    price_cut_limit,
    readiness_problems,
    spend_store_credit,
    store_credit_problem,
    take_stock,
)
from oms_core.services.retry import retry_on_conflict


class DuplicateOrderWarning(OmsError):
    """The customer already has a recent order with the same items; placing needs a confirmation."""


class CheckoutService:
    """Checks a draft and places it."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def problems(self, draft_id: int) -> list[tuple[str, str]]:
        """What still stops the draft being placed (empty when it is ready)."""
        with self._ctx.read() as uow:
            order = load_draft(uow, draft_id, None)
            pricing = PricingContext(uow)
            customer, card_ids, products = checkout_quote(uow, order, pricing)
            problems = readiness_problems(
                order, customer, card_ids, products, pricing, price_cut_limit=self._cut_limit(uow)
            )
            credit = store_credit_problem(uow, order)
            return [*problems, credit] if credit else problems

    def duplicate_warning(self, draft_id: int) -> str | None:
        """A sentence about a recent placed order with the same items, or ``None``."""
        with self._ctx.read() as uow:
            return self._duplicate(uow, load_draft(uow, draft_id, None))

    def place(self, draft_id: int, version: int | None = None, confirm_duplicate: bool = False) -> OrderView:
        """Place the draft; a card is authorised with no transaction open.

        Three short steps: (1) one transaction checks and re-prices the draft, takes the stock and
        records the authorisation as pending (an order paid by check, cash or on account is placed
        right there); (2) the gateway is asked, with no transaction open, so other operators' work
        goes on meanwhile; (3) one transaction numbers the order and marks it placed with the
        authorisation. A decline or a gateway that does not answer gives the stock back and leaves
        the draft exactly as it was. A process killed between the steps leaves a pending call that
        :meth:`PaymentsService.reconcile` finishes.

        Raises:
            ValidationError: the draft is not ready (every problem listed), or it is being placed.
            DuplicateOrderWarning: a same-items order was placed recently (unless confirmed).
            OutOfStock: a line's product ran short.
            PaymentDeclined: with the gateway's reason.
            PaymentUnavailable: the gateway did not answer.
            StaleEdit: the draft changed since ``version``.
        """
        call, view = self._take_stock_and_ask(draft_id, version, confirm_duplicate)
        if view is not None:
            return view
        assert call is not None
        answer = send(self._ctx.gateway, call)  # step 2: no transaction is open
        return finish_checkout(self._ctx, call, answer)

    @retry_on_conflict
    def _take_stock_and_ask(
        self, draft_id: int, version: int | None, confirm_duplicate: bool
    ) -> tuple[GatewayCall | None, OrderView | None]:
        with self._ctx.write() as uow:
            order = load_draft(uow, draft_id, version)
            if order.is_change:
                # Placing it would make a second order: a change is applied by ChangeService.apply.
                raise InvalidState("this draft changes a placed order: confirm the change instead")
            pricing = PricingContext(uow)
            customer, card_ids, products = checkout_quote(uow, order, pricing)
            problems = readiness_problems(
                order,
                customer,
                card_ids,
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
            choice = order.payment_choice
            assert choice is not None  # readiness_problems says so otherwise
            if choice.method is PaymentMethod.STORE_CREDIT:
                spend_store_credit(uow, self._ctx, order)  # the customer's level: before the products
            take_stock(uow, order, products)
            if not choice.method.uses_gateway:
                view = place_draft(uow, self._ctx, order, customer, payment_for(choice, order.total))
                uow.commit()
                return None, view
            # The key's stem changes with every edit of the draft: a corrected draft is a new
            # payment, while a repeat of the same draft is the same one (never charged twice).
            call = open_call(
                uow,
                self._ctx,
                base_key=f"draft-{order.id}-v{order.version}",
                action=CallAction.AUTHORIZE,
                amount=order.total,
                purpose=CallPurpose.CHECKOUT,
                order_id=order.id,
                card=choice.card,
                holds=tuple((line.product_id, line.quantity) for line in order.lines),
                draft_version=order.version,
            )
            uow.commit()
        return call, None

    def _cut_limit(self, uow: UnitOfWork) -> Decimal | None:
        return price_cut_limit(self._ctx, uow)

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
