"""The steps every payment goes through, with no transaction open while the gateway thinks.

1. In the caller's transaction, :func:`open_call` records the call *pending* (with the stock it
   holds and who waits on it) and the caller commits.
2. :func:`send` asks the gateway, with no transaction open.
3. In a new transaction the caller settles the call (:func:`settle`), completing what it was for.

A repeated request reuses its idempotency key, so the gateway answers what it did the first time.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from oms_core.domain.audit import AuditEvent
from oms_core.domain.errors import StaleEdit, ValidationError
from oms_core.domain.gateway_calls import CallAction, CallPurpose, CallStatus, GatewayCall, retry_key
from oms_core.domain.payments import CardToken
from oms_core.ports import GatewayAnswer, PaymentGateway, UnitOfWork
from oms_core.services.context import ServiceContext
from oms_core.services.processes import process_alive


def open_call(
    uow: UnitOfWork,
    ctx: ServiceContext,
    *,
    base_key: str,
    action: CallAction,
    amount: Decimal,
    purpose: CallPurpose,
    order_id: int | None,
    card: CardToken | None = None,
    reference: str = "",
    holds: tuple[tuple[int, int], ...] = (),
    draft_version: int | None = None,
    batch_key: str = "",
) -> GatewayCall:
    """Record a pending call in ``uow`` (the caller commits before sending it).

    An earlier call of the same payment that got no answer, for the same amount, is taken over and
    repeated with its own key (so a hold it made is found, not doubled); after a settled one the
    key is new (a gateway repeats its first answer to a repeated key).

    Raises:
        ValidationError: the same payment is under way in another live process.
    """
    earlier = uow.gateway_calls.with_base(base_key)
    now = ctx.clock.now()
    for call in earlier:
        if call.status is CallStatus.PENDING and _in_use(call, ctx, now):
            raise ValidationError("this payment is already under way in another window", field="payment")
    call = GatewayCall(
        id=None,
        base_key=base_key,
        action=action,
        key=retry_key(base_key, len(earlier)),
        status=CallStatus.PENDING,
        amount=amount,
        purpose=purpose,
        order_id=order_id,
        batch_key=batch_key,
        token=card.token if card else "",
        brand=card.brand if card else "",
        last4=card.last4 if card else "",
        reference=reference,
        holds=holds,
        draft_version=draft_version,
        owner=ctx.process,
        operator=ctx.operator_username,
        created_at=now,
        updated_at=now,
    )
    unanswered = [c for c in earlier if c.status is CallStatus.UNKNOWN and c.amount == amount]
    if unanswered:
        repeat = unanswered[-1]
        previous_owner = repeat.owner
        repeat.status, repeat.owner, repeat.holds = CallStatus.PENDING, ctx.process, holds
        repeat.draft_version, repeat.operator = draft_version, ctx.operator_username
        if not uow.gateway_calls.settle(repeat, CallStatus.UNKNOWN, previous_owner):
            raise StaleEdit("this payment was just taken up elsewhere; try again")
        return repeat
    uow.gateway_calls.add(call)
    return call


def send(gateway: PaymentGateway, call: GatewayCall) -> GatewayAnswer:
    """Ask the gateway (no transaction may be open): the call's action with its key."""
    if call.action is CallAction.AUTHORIZE:
        return gateway.authorize(call.token, call.amount, call.key)
    if call.action is CallAction.CAPTURE:
        return gateway.capture(call.reference, call.amount, call.key)
    if call.action is CallAction.PART_CAPTURE:
        return gateway.capture(call.reference, call.amount, call.key, final=False)
    if call.action is CallAction.VOID:
        return gateway.void(call.reference, call.key)
    return gateway.refund(call.reference, call.amount, call.key)


def settle(
    uow: UnitOfWork,
    ctx: ServiceContext,
    call: GatewayCall,
    answer: GatewayAnswer,
    *,
    release_stock: bool,
    customer_id: int | None = None,
) -> None:
    """Record the answer on the pending call (and give back its stock when asked); audit it.

    Approved → approved (with the gateway's reference); declined → declined; no answer →
    unknown (reconciliation repeats it).

    Raises:
        StaleEdit: another process settled the call first (nothing was written).
    """
    owner = call.owner
    if answer.approved:
        call.status, call.reference = CallStatus.APPROVED, answer.reference or call.reference
    else:
        call.status = CallStatus.UNKNOWN if answer.unavailable else CallStatus.DECLINED
        call.reason, call.code = answer.reason, answer.code
    if release_stock:
        give_back(uow, call)
    if not uow.gateway_calls.settle(call, CallStatus.PENDING, owner):
        raise StaleEdit("this payment was settled by another process; reload the order")
    audit_call(uow, ctx, call, customer_id)


def give_back(uow: UnitOfWork, call: GatewayCall) -> None:
    """Put back the stock the call held (once: the holds are cleared)."""
    for product_id, quantity in call.holds:
        uow.products.restock(product_id, quantity)
    call.holds = ()


def audit_call(uow: UnitOfWork, ctx: ServiceContext, call: GatewayCall, customer_id: int | None) -> None:
    """One audit line for a gateway call and its outcome (brand and last four only)."""
    uow.audit.add(
        AuditEvent(
            call.order_id,
            ctx.operator_username,
            f"payment {call.action.label}",
            call.describe(),
            ctx.clock.now(),
            customer_id,
        )
    )


def _in_use(call: GatewayCall, ctx: ServiceContext, now: object) -> bool:
    """Whether a pending call may still have a live process waiting on it."""
    stale = call.is_stale(now, timedelta(seconds=ctx.settings.payment_stale_seconds))  # type: ignore[arg-type]
    return process_alive(call.owner) and not stale


def reclaimable(call: GatewayCall, ctx: ServiceContext) -> bool:
    """Whether reconciliation may take the call: unanswered, or pending with nobody waiting."""
    if call.status is CallStatus.UNKNOWN:
        return True
    return call.status is CallStatus.PENDING and not _in_use(call, ctx, ctx.clock.now())
