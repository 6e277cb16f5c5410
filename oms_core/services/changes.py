"""Changing a placed order before it goes to the warehouse: ship-to, shipping, lines, quantities.

:meth:`ChangeService.start` copies the order into a *change draft* (``domain/changes.py``), which
the cart and checkout edit like any draft (every edit re-priced by the same rules; lines already on
the order keep their quoted price). :meth:`ChangeService.apply` copies it back, in checkout's three
steps when the card must follow a new total (``services/gateway_steps.py``):

1. one transaction locks the order (then the draft: id order), re-prices and checks the draft,
   takes the stock the change adds (product id order) and records the new authorisation pending,
   holding that stock; commit;
2. the gateway authorises the new total, no transaction open;
3. one transaction settles the call, puts back the stock the change frees, copies the draft onto
   the order, marks the old authorisation voided, records its void pending, audits old -> new,
   deletes the draft; commit. Then the old authorisation is voided, no transaction open.

A decline gives the stock back and leaves the order exactly as it was (the draft stays, to try
again or throw away). A process killed after step 1 leaves a pending ``change`` call: reconciliation
voids it and gives its stock back (the order is unchanged); killed after step 3, a pending void,
which reconciliation sends. A change that needs no gateway (same total, or a check, cash or
on-account order) is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from oms_core.domain.audit import AuditEvent
from oms_core.domain.changes import (
    apply_change,
    change_draft,
    describe_changes,
    require_changeable,
    stock_moves,
)
from oms_core.domain.errors import (
    InvalidState,
    OutOfStock,
    PaymentDeclined,
    PaymentUnavailable,
    StaleEdit,
    ValidationError,
)
from oms_core.domain.gateway_calls import CallAction, CallPurpose, GatewayCall
from oms_core.domain.orders import Order
from oms_core.domain.payments import CardToken, Payment, PaymentStatus
from oms_core.domain.products import Product
from oms_core.ports import GatewayAnswer, UnitOfWork
from oms_core.read_models import CartView, ChangeResult
from oms_core.services.context import ServiceContext
from oms_core.services.drafts import PricingContext, checkout_quote, describe, load_draft, quote
from oms_core.services.gateway_steps import open_call, send, settle
from oms_core.services.placing import (
    DraftMoved,
    abandon,
    move_store_credit,
    price_cut_limit,
    readiness_problems,
)
from oms_core.services.retry import retry_on_conflict, write_retrying
from oms_core.services.views import stored_order_view


@dataclass(slots=True)
class _Plan:
    """What step 1 left for steps 2 and 3: the pending authorisation (or the finished change)."""

    call: GatewayCall | None = None
    result: ChangeResult | None = None
    draft_id: int = 0


class ChangeService:
    """Changes to placed orders that have not been released to the warehouse."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    @retry_on_conflict
    def start(self, order_id: int) -> CartView:
        """The order's change draft, to edit in the cart and checkout (an open one is reused, so
        one order has one change under way, whoever started it).

        Raises:
            InvalidState: the order was released, shipped or cancelled (one line).
        """
        with self._ctx.write() as uow:
            order = uow.orders.get(order_id)  # locked: two operators starting at once share one draft
            require_changeable(order)
            existing = uow.orders.change_draft_of(order_id)
            if existing is not None:
                draft = load_draft(uow, existing, None)
            else:
                draft = change_draft(order, self._ctx.operator_username, self._ctx.clock.now())
            customer, products = quote(uow, draft, order)
            if existing is None:
                uow.orders.add(draft)
            view = describe(draft, customer, products, order)
            uow.commit()
        return view

    def under_way(self, order_id: int) -> int | None:
        """The id of the order's open change draft, if a change is under way."""
        with self._ctx.read() as uow:
            return uow.orders.change_draft_of(order_id)

    def apply(self, draft_id: int, version: int | None = None) -> ChangeResult:
        """Apply the change draft to its order; the card follows a new total.

        Raises:
            ValidationError: the draft is not a valid order (every problem listed), nothing changed,
                or its payment is under way in another window.
            InvalidState: the order was released, shipped or cancelled meanwhile, or its payment
                was captured and the total would change.
            OutOfStock: what the change adds is not in stock.
            PaymentDeclined, PaymentUnavailable: the order is exactly as it was.
            StaleEdit: the draft changed since ``version``.
        """
        plan = self._prepare(draft_id, version)
        if plan.call is None:
            assert plan.result is not None
            return plan.result
        call = plan.call
        answer = send(self._ctx.gateway, call)  # step 2: no transaction is open
        if not answer.approved:
            write_retrying(self._ctx, lambda uow: _settled(uow, self._ctx, call, answer))
            number = self._number(call.order_id or 0)
            what = f"{call.brand} ending {call.last4}" if call.last4 else "the card"
            text = f"{what} refused the new total {call.amount}: {answer.reason}; order {number} is unchanged"
            raise PaymentUnavailable(text) if answer.unavailable else PaymentDeclined(text)
        try:
            void, result = write_retrying(
                self._ctx, lambda uow: self._apply_approved(uow, call, answer, plan.draft_id)
            )
        except StaleEdit:
            raise  # another process settled this call: it owns the outcome now
        except BaseException:
            abandon(self._ctx, call)  # the new authorisation is voided, the stock given back
            raise
        return self._void_old(void, result) if void is not None else result

    # -- step 1 ----------------------------------------------------------------------------------

    @retry_on_conflict
    def _prepare(self, draft_id: int, version: int | None) -> _Plan:
        with self._ctx.write() as uow:
            peek = uow.orders.get(draft_id, lock=False)  # which order: locked first, by id order
            if peek.changes_order_id is None:
                raise InvalidState("this draft is a new order: place it at checkout")
            order = uow.orders.get(peek.changes_order_id)
            require_changeable(order)
            draft = load_draft(uow, draft_id, version)
            products = self._checked(uow, order, draft)
            index, payment = _followed_payment(order)
            new_total = draft.total
            moves = stock_moves(order, draft)
            if new_total == order.total or payment is None or not _authorised_card(payment):
                if (
                    payment is not None
                    and new_total != order.total
                    and payment.status is not PaymentStatus.RECORDED
                ):
                    status = payment.status.value
                    raise InvalidState(
                        f"order {order.number}'s payment is {status}; its total cannot change here"
                    )
                if payment is not None:  # store credit moves by the difference (before the stock)
                    move_store_credit(uow, self._ctx, order, payment, new_total)
                _move_stock(uow, moves, products, take=True, give=True)
                payments = list(order.payments)
                if payment is not None and new_total != order.total:
                    payments[index] = replace(payment, amount=new_total)
                _, result = self._commit_change(uow, order, draft, payments, None)
                return _Plan(result=result)
            _move_stock(uow, moves, products, take=True, give=False)
            # The stem changes with every edit of the draft: a corrected change is a new payment,
            # while a repeat of the same one is the same (never authorised twice).
            call = open_call(
                uow,
                self._ctx,
                base_key=f"change-{draft.id}-v{draft.version}",
                action=CallAction.AUTHORIZE,
                amount=new_total,
                purpose=CallPurpose.CHANGE,
                order_id=order.id,
                card=CardToken(
                    payment.token, payment.brand, payment.last4, payment.exp_month or 0, payment.exp_year or 0
                ),
                holds=tuple((pid, delta) for pid, delta in moves.items() if delta > 0),
                draft_version=draft.version,
            )
            uow.commit()
        return _Plan(call=call, draft_id=draft_id)

    def _checked(self, uow: UnitOfWork, order: Order, draft: Order) -> dict[int, Product]:
        """Re-price the draft and check it as checkout would; its products.

        Raises:
            ValidationError: every problem, or nothing changed.
        """
        pricing = PricingContext(uow)
        customer, card_ids, products = checkout_quote(uow, draft, pricing, base=order)
        problems = readiness_problems(
            draft,
            customer,
            card_ids,
            products,
            pricing,
            include_stock=False,
            price_cut_limit=price_cut_limit(self._ctx, uow),
        )
        if problems:
            raise ValidationError.from_problems(problems)
        if not describe_changes(order, draft):
            raise ValidationError(f"nothing has changed on order {order.number}", field="general")
        return products

    # -- step 3 ----------------------------------------------------------------------------------

    def _apply_approved(
        self, uow: UnitOfWork, call: GatewayCall, answer: GatewayAnswer, draft_id: int
    ) -> tuple[GatewayCall | None, ChangeResult]:
        settle(uow, self._ctx, call, answer, release_stock=False)
        order = uow.orders.get(call.order_id or 0)
        require_changeable(order)
        draft = uow.orders.get(draft_id)
        if not draft.is_draft or draft.version != call.draft_version:
            raise DraftMoved(
                "the change was edited while the card was being authorised; the hold was released"
            )
        products = self._checked(uow, order, draft)
        if draft.total != call.amount:
            raise DraftMoved(
                "prices changed while the card was being authorised; check the change and confirm again"
            )
        _move_stock(uow, stock_moves(order, draft), products, take=False, give=True)
        index, payment = _followed_payment(order)
        assert payment is not None
        payments = list(order.payments)
        payments[index] = replace(payment, status=PaymentStatus.VOIDED)
        payments.append(replace(payment, amount=call.amount, reference=call.reference))
        return self._commit_change(uow, order, draft, payments, payment)

    def _commit_change(
        self,
        uow: UnitOfWork,
        order: Order,
        draft: Order,
        payments: list[Payment],
        replaced: Payment | None,
    ) -> tuple[GatewayCall | None, ChangeResult]:
        """Copy the draft onto the order, audit it, delete the draft, record the old
        authorisation's void pending (``replaced``); commit.
        """
        now = self._ctx.clock.now()
        changes = describe_changes(order, draft)
        apply_change(order, draft)
        order.payments = payments
        order.updated_at = now
        uow.orders.save(order)
        uow.orders.delete_draft(draft.id or 0, draft.version)
        uow.audit.add(
            AuditEvent(
                order.id, self._ctx.operator_username, "changed", "; ".join(changes), now, order.customer_id
            )
        )
        void = None
        if replaced is not None:
            void = open_call(
                uow,
                self._ctx,
                base_key=f"order-{order.id}-void-changed-{replaced.reference}",
                action=CallAction.VOID,
                amount=replaced.amount,
                purpose=CallPurpose.PAYMENT,
                order_id=order.id,
                reference=replaced.reference,
            )
            void.token, void.brand, void.last4 = replaced.token, replaced.brand, replaced.last4
        result = ChangeResult(stored_order_view(uow, order), tuple(changes))
        uow.commit()
        return void, result

    def _void_old(self, call: GatewayCall, result: ChangeResult) -> ChangeResult:
        """Release the card's old authorisation (recorded pending in step 3), no transaction open."""
        answer = send(self._ctx.gateway, call)
        write_retrying(self._ctx, lambda uow: _settled(uow, self._ctx, call, answer, stock=False))
        if answer.approved:
            return result
        warning = (
            f"the card's old hold of {call.amount} was not released ({answer.reason}); "
            f"see oms payments history {result.order.number}"
        )
        return replace(result, warning=warning)

    def _number(self, order_id: int) -> int | None:
        with self._ctx.read() as uow:
            return uow.orders.get(order_id).number


def _settled(
    uow: UnitOfWork, ctx: ServiceContext, call: GatewayCall, answer: GatewayAnswer, stock: bool = True
) -> None:
    """Settle the call (a refused authorisation gives its stock back); commit."""
    customer_id = uow.orders.get(call.order_id or 0, lock=False).customer_id
    settle(uow, ctx, call, answer, release_stock=stock, customer_id=customer_id)
    uow.commit()


def _followed_payment(order: Order) -> tuple[int, Payment | None]:
    """The payment a change's total follows: the order's live (not voided or refunded) one."""
    for index, payment in enumerate(order.payments):
        if payment.status in (PaymentStatus.AUTHORIZED, PaymentStatus.RECORDED, PaymentStatus.CAPTURED):
            return index, payment
    return -1, None


def _authorised_card(payment: Payment) -> bool:
    return (
        payment.method.uses_gateway and payment.status is PaymentStatus.AUTHORIZED and bool(payment.reference)
    )


def _move_stock(
    uow: UnitOfWork, moves: dict[int, int], products: dict[int, Product], *, take: bool, give: bool
) -> None:
    """Take what the change adds (guarded) and/or put back what it frees, in product id order
    (the lock order; ``stock_moves`` sorts them).

    Raises:
        OutOfStock: naming the SKU; the caller rolls back.
    """
    for product_id, delta in moves.items():
        if delta > 0 and take:
            product = products[product_id]
            if not uow.products.take_stock(product_id, delta, product.allow_backorder):
                on_hand = uow.products.get(product_id).stock_on_hand
                raise OutOfStock(f"{product.sku}: only {max(on_hand, 0)} on hand, {delta} more ordered")
        elif delta < 0 and give:
            uow.products.restock(product_id, -delta)
