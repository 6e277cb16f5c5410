"""Batch placing in checkout's three steps, with a bounded number of cards at the gateway at once.

1. :func:`take_stock_and_record` (in the caller's transaction): prepare and price every request,
   allocate stock in request order, take it with guarded updates, write the orders that need no
   gateway (check, on account...) at once, and record a pending gateway call for each card order,
   holding its stock. The caller commits.
2. :func:`ask_gateway`: every pending call goes to the gateway from a pool of at most
   ``in_flight`` threads, with no transaction open.
3. :func:`write_approved` (in a new transaction): approved orders are numbered and written,
   declined and unanswered ones give their stock back. If that transaction cannot commit, the
   caller calls :func:`abandon_approved` (the holds are voided, the stock given back).

An all-or-nothing batch (an import, :mod:`oms_core.services.import_steps`) stops sending after the
first refusal and, instead of step 3, settles the refusals with :func:`refuse_all` and voids the
approved holds. A batch paid by one authorisation for its grand total uses :func:`record_shared`
and :func:`write_shared` around the same step 2.

A process killed between the steps leaves pending calls that reconciliation voids (their stock goes
back); the members stay to do, and the batch's next run asks again with a new key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from oms_core.domain.audit import AuditEvent
from oms_core.domain.errors import OutOfStock, StaleEdit
from oms_core.domain.gateway_calls import CallAction, CallPurpose, CallStatus, GatewayCall
from oms_core.domain.money import ZERO, money
from oms_core.domain.placing import declined, payment_for
from oms_core.domain.products import Product
from oms_core.ports import GatewayAnswer, UnitOfWork
from oms_core.services.batch_placing import (
    ALREADY,
    FAILED,
    PLACED,
    BatchOrderRequest,
    BatchOrderResult,
    Prepared,
    prepare_requests,
    write_orders,
)
from oms_core.services.context import ServiceContext
from oms_core.services.drafts import PricingContext
from oms_core.services.gateway_steps import open_call, reclaimable, send
from oms_core.services.placing import abandon_all


@dataclass
class PendingBatch:
    """What step 1 left for steps 2 and 3.

    Attributes:
        results: requests already settled in step 1 (placed without the gateway, failed, already).
        waiting: card orders and their pending calls.
        answers: filled by step 2, by call id.
        declined: filled by step 3: the card orders the gateway declined (not the unanswered
            ones), with the gateway's reason, for the caller to tell the customer.
        products: the requests' products, by id.
        sent: ids of the calls step 2 sent (an all-or-nothing step 2 stops sending after a refusal).
        shared: every order of a batch paid by one authorisation (:func:`record_shared`), whose one
            call is ``waiting``'s only entry.
        locked_at: when (``time.monotonic``) the last step took its first row lock (stock, the
            order counter): where writers lock rows, others wait on the step from then, not from
            its first statement.
    """

    results: list[BatchOrderResult] = field(default_factory=list)
    waiting: list[tuple[Prepared, GatewayCall]] = field(default_factory=list)
    answers: dict[int, GatewayAnswer] = field(default_factory=dict)
    declined: list[tuple[Prepared, str]] = field(default_factory=list)
    products: dict[int, Product] = field(default_factory=dict)
    sent: set[int] = field(default_factory=set)
    shared: list[Prepared] = field(default_factory=list)
    locked_at: float | None = None


def take_stock_and_record(
    uow: UnitOfWork,
    ctx: ServiceContext,
    requests: Sequence[BatchOrderRequest],
    pricing: PricingContext | None = None,
) -> PendingBatch:
    """Step 1 in ``uow`` (the caller commits); ``pricing`` is the run's reference data (read now
    when not given).

    Raises:
        OutOfStock: stock moved under a concurrent writer; roll back and run the chunk again.
    """
    now = ctx.clock.now()
    pending, prepared = _prepare_new(uow, ctx, requests, pricing)
    by_id = pending.products
    cards = [item for item in prepared if not item.problems and _uses_gateway(item)]
    earlier = uow.gateway_calls.with_bases([_base(item) for item in cards])
    ready: list[Prepared] = []
    for item in prepared:
        if item.problems:
            pending.results.append(_failed(item))
        elif any(
            c.status is CallStatus.PENDING and not reclaimable(c, ctx) for c in earlier.get(_base(item), ())
        ):
            continue  # another live run is asking for this very order: the member stays to do
        else:
            ready.append(item)
    pending.locked_at = time.monotonic()
    _take(uow, by_id, ready)
    direct = [item for item in ready if not _uses_gateway(item)]
    if direct:
        payments = {i.request.key: payment_for(i.order.payment_choice, i.order.total) for i in direct}  # type: ignore[arg-type]
        write_orders(uow, direct, payments, ctx.audit_name, now)
        pending.results += [_placed(item, payments[item.request.key].reference) for item in direct]
    fresh: list[GatewayCall] = []
    for item in ready:
        if not _uses_gateway(item):
            continue
        choice = item.order.payment_choice
        assert choice is not None and choice.card is not None
        holds = tuple((line.product_id, line.quantity) for line in item.order.lines)
        if earlier.get(_base(item)):
            # Asked before (a decline, a void, no answer): open_call picks the key.
            call = open_call(
                uow,
                ctx,
                base_key=_base(item),
                action=CallAction.AUTHORIZE,
                amount=item.order.total,
                purpose=CallPurpose.BATCH,
                order_id=None,
                card=choice.card,
                holds=holds,
                batch_key=item.request.key,
            )
        else:
            call = GatewayCall(
                id=None,
                base_key=_base(item),
                action=CallAction.AUTHORIZE,
                key=_base(item),
                status=CallStatus.PENDING,
                amount=item.order.total,
                purpose=CallPurpose.BATCH,
                batch_key=item.request.key,
                token=choice.card.token,
                brand=choice.card.brand,
                last4=choice.card.last4,
                holds=holds,
                owner=ctx.process,
                operator=ctx.operator_username,
                created_at=now,
                updated_at=now,
            )
            fresh.append(call)
        pending.waiting.append((item, call))
    uow.gateway_calls.add_many(fresh)
    return pending


def _prepare_new(
    uow: UnitOfWork,
    ctx: ServiceContext,
    requests: Sequence[BatchOrderRequest],
    pricing: PricingContext | None = None,
) -> tuple[PendingBatch, list[Prepared]]:
    """The requests placed before come back ``already``; the others prepared and priced."""
    pending = PendingBatch()
    already = uow.orders.by_batch_keys([r.key for r in requests])
    pending.results += [
        BatchOrderResult(r.key, r.customer_id, ALREADY, order_id=already[r.key])
        for r in requests
        if r.key in already
    ]
    pending.products, prepared = prepare_requests(
        uow, [r for r in requests if r.key not in already], ctx.audit_name, ctx.clock.now(), pricing
    )
    return pending, prepared


def ask_gateway(
    ctx: ServiceContext,
    pending: PendingBatch,
    in_flight: int | None = None,
    *,
    all_or_nothing: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Step 2: every pending call to the gateway, at most ``in_flight`` at once (no transaction open).

    Each answer lands in ``pending.answers`` as it comes, so the answers already given are known
    even if another request raises. With ``all_or_nothing``, once one card is refused (or its
    request fails) the calls not yet sent are not sent: nobody's card is held for an order that will
    not be placed. ``progress(answered, total)`` is called from the gateway threads, one at a time.
    """
    calls = [call for _, call in pending.waiting]
    if not calls:
        return
    limit = max(1, in_flight or ctx.settings.gateway_in_flight)
    refused = threading.Event()
    answered = 0
    tally = threading.Lock()

    def ask(call: GatewayCall) -> None:
        nonlocal answered
        if refused.is_set():
            return
        pending.sent.add(call.id or 0)
        try:
            answer = send(ctx.gateway, call)
        except BaseException:
            if all_or_nothing:
                refused.set()
            raise
        pending.answers[call.id or 0] = answer
        if all_or_nothing and not answer.approved:
            refused.set()
        if progress is not None:
            with tally:
                answered += 1
                progress(answered, len(calls))

    if limit == 1 or len(calls) == 1:
        for call in calls:
            ask(call)
        return
    # Each thread takes the next call as soon as its last one is answered (not a future per
    # call: against a fast gateway, handing out 10,000 futures cost more than the calls).
    turns = iter(calls)
    take = threading.Lock()

    def work() -> None:
        while True:
            with take:
                call = next(turns, None)
            if call is None:
                return
            ask(call)

    with ThreadPoolExecutor(max_workers=min(limit, len(calls)), thread_name_prefix="oms-gateway") as pool:
        for worker in [pool.submit(work) for _ in range(min(limit, len(calls)))]:
            worker.result()  # a thread's error is raised here, after every thread stopped


def write_approved(uow: UnitOfWork, ctx: ServiceContext, pending: PendingBatch) -> list[BatchOrderResult]:
    """Step 3 in ``uow`` (the caller commits): write the approved orders, give back the others' stock."""
    now = ctx.clock.now()
    pending.locked_at = time.monotonic()  # stock given back, then the order counter
    approved: list[tuple[Prepared, GatewayCall]] = []
    results = list(pending.results)
    give_back: dict[int, int] = {}
    for item, call in pending.waiting:
        answer = pending.answers[call.id or 0]
        if answer.approved:
            call.status, call.reference = CallStatus.APPROVED, answer.reference
            approved.append((item, call))
            continue
        results.append(_refused(item, call, answer, give_back))
        if not answer.unavailable:
            pending.declined.append((item, answer.reason))
    for product_id, quantity in sorted(give_back.items()):
        uow.products.restock(product_id, quantity)
    placed: list[AuditEvent] = []
    if approved:
        payments = {
            item.request.key: payment_for(item.order.payment_choice, call.amount, call.reference)  # type: ignore[arg-type]
            for item, call in approved
        }
        write_orders(uow, [item for item, _ in approved], payments, ctx.audit_name, now, placed)
        for item, call in approved:
            call.order_id = item.order.id
            results.append(_placed(item, call.reference))
    _settle_and_audit(uow, ctx, pending.waiting, placed)
    return results


def refuse_all(uow: UnitOfWork, ctx: ServiceContext, pending: PendingBatch) -> list[BatchOrderResult]:
    """Step 3 of an all-or-nothing batch that had a card refused, in ``uow`` (the caller commits).

    Nothing is placed. Every call that was not approved is settled (declined; unknown when it got no
    answer, for reconciliation to repeat; ``not_sent`` when step 2 stopped before sending it) and
    its stock given back. The approved ones stay pending for :func:`abandon_approved` (run after the
    commit) to void. Returns a failed result for each request the gateway refused or did not answer.
    """
    refused: list[BatchOrderResult] = []
    settled: list[tuple[Prepared, GatewayCall]] = []
    give_back: dict[int, int] = {}
    for item, call in pending.waiting:
        answer = pending.answers.get(call.id or 0)
        if answer is not None and answer.approved:
            continue
        settled.append((item, call))
        if answer is None and (call.id or 0) not in pending.sent:
            call.status, call.reason = CallStatus.NOT_SENT, "another order of the batch was refused first"
            _hand_back(call, give_back)
            continue
        answer = answer or GatewayAnswer.no_answer("the request to the gateway failed")
        refused.append(_refused(item, call, answer, give_back))
    for product_id, quantity in sorted(give_back.items()):
        uow.products.restock(product_id, quantity)
    _settle_and_audit(uow, ctx, settled)
    return refused


def _refused(
    item: Prepared, call: GatewayCall, answer: GatewayAnswer, give_back: dict[int, int]
) -> BatchOrderResult:
    """Settle ``call`` in memory as declined or unanswered, its stock added to ``give_back``."""
    call.status = CallStatus.UNKNOWN if answer.unavailable else CallStatus.DECLINED
    call.reason, call.code = answer.reason, answer.code
    _hand_back(call, give_back)
    choice = item.order.payment_choice
    assert choice is not None and choice.card is not None
    reason = answer.reason if answer.unavailable else declined(choice.card, answer.reason)
    return BatchOrderResult(item.request.key, item.request.customer_id, FAILED, reason=reason)


def _hand_back(call: GatewayCall, give_back: dict[int, int]) -> None:
    for product_id, quantity in call.holds:
        give_back[product_id] = give_back.get(product_id, 0) + quantity
    call.holds = ()


def _settle_and_audit(
    uow: UnitOfWork,
    ctx: ServiceContext,
    settled: Sequence[tuple[Prepared, GatewayCall]],
    events: Sequence[AuditEvent] = (),
) -> None:
    """Write the calls' outcomes (guarded: still pending and ours) and audit each one that was sent,
    after ``events`` (the orders' own "placed" events, written in the same insert).

    Raises:
        StaleEdit: another process (a reconciliation that took this one for dead) settled one of
            them first, voiding its hold and giving its stock back; the caller's transaction must
            not commit, or an order would be written on a voided hold and stock given back twice.
    """
    calls = [call for _, call in settled]
    if uow.gateway_calls.settle_many(calls, CallStatus.PENDING, ctx.process) != len(calls):
        raise StaleEdit(
            "a payment of this batch was settled by another process; nothing of this chunk was written"
        )
    now = ctx.clock.now()
    uow.audit.add_many(
        [
            *events,
            *(
                AuditEvent(
                    call.order_id,
                    ctx.audit_name,
                    f"payment {call.action.value}",
                    call.describe(),
                    now,
                    item.request.customer_id,
                )
                for item, call in settled
                if call.status is not CallStatus.NOT_SENT
            ),
        ]
    )


def record_shared(
    uow: UnitOfWork, ctx: ServiceContext, requests: Sequence[BatchOrderRequest]
) -> PendingBatch:
    """Step 1 of a batch paid by one card authorisation for its grand total (in ``uow``; the caller
    commits): every order prepared and its stock taken, and one pending call for the grand total
    that holds all of that stock. Nothing is taken if any request fails: ``results`` says why.
    """
    pending, prepared = _prepare_new(uow, ctx, requests)
    by_id = pending.products
    pending.results += [_failed(item) for item in prepared if item.problems]
    if pending.results or not prepared:
        return pending
    _take(uow, by_id, prepared)
    first = prepared[0]
    choice = first.order.payment_choice
    assert choice is not None and choice.card is not None
    holds: dict[int, int] = {}
    for item in prepared:
        for line in item.order.lines:
            holds[line.product_id] = holds.get(line.product_id, 0) + line.quantity
    grand_total = money(sum((item.order.total for item in prepared), ZERO))
    call = open_call(
        uow,
        ctx,
        base_key=f"batch-shared:{first.request.key}:{len(prepared)}:{grand_total}",
        action=CallAction.AUTHORIZE,
        amount=grand_total,
        purpose=CallPurpose.BATCH,
        order_id=None,
        card=choice.card,
        holds=tuple(sorted(holds.items())),
        batch_key=first.request.key,
    )
    pending.waiting = [(first, call)]
    pending.shared = prepared
    return pending


def write_shared(uow: UnitOfWork, ctx: ServiceContext, pending: PendingBatch) -> list[BatchOrderResult]:
    """Step 3 of :func:`record_shared` once its authorisation was approved (in ``uow``; the caller
    commits): every order written, each paying its share of the one authorisation; the call is
    settled on the first order (the one it is listed under in the payment history).
    """
    [(first, call)] = pending.waiting
    call.status, call.reference = CallStatus.APPROVED, pending.answers[call.id or 0].reference
    choice = first.order.payment_choice
    assert choice is not None
    payments = {
        item.request.key: payment_for(choice, item.order.total, call.reference) for item in pending.shared
    }
    placed: list[AuditEvent] = []
    write_orders(uow, pending.shared, payments, ctx.audit_name, ctx.clock.now(), placed)
    call.order_id = first.order.id
    _settle_and_audit(uow, ctx, pending.waiting, placed)
    return pending.results + [_placed(item, call.reference) for item in pending.shared]


def abandon_approved(ctx: ServiceContext, pending: PendingBatch) -> None:
    """Void every approved hold no order came of and give its stock back (the voids a bounded number
    at once, their outcomes in one transaction): after step 3 failed to commit, or a refusal.
    """
    approved = []
    for _, call in pending.waiting:
        answer = pending.answers.get(call.id or 0)
        if answer is not None and answer.approved:
            call.reference = answer.reference
            approved.append(call)
    if approved:
        abandon_all(ctx, approved, ctx.settings.gateway_in_flight)


def _base(item: Prepared) -> str:
    return item.request.payment_key or f"batch:{item.request.key}"


def _uses_gateway(item: Prepared) -> bool:
    choice = item.order.payment_choice
    return choice is not None and choice.method.uses_gateway and choice.card is not None


def _take(uow: UnitOfWork, products: dict[int, Product], ready: list[Prepared]) -> None:
    taken: dict[int, int] = {}
    for item in ready:
        for line in item.order.lines:
            taken[line.product_id] = taken.get(line.product_id, 0) + line.quantity
    wanted = [
        (product_id, quantity, products[product_id].allow_backorder)
        for product_id, quantity in sorted(taken.items())
    ]
    short = uow.products.take_stock_many(wanted)
    if short:
        raise OutOfStock(f"{products[short[0]].sku}: stock changed while the batch ran; run it again")


def _failed(item: Prepared) -> BatchOrderResult:
    return BatchOrderResult(
        item.request.key, item.request.customer_id, FAILED, reason="; ".join(item.problems)
    )


def _placed(item: Prepared, reference: str) -> BatchOrderResult:
    order = item.order
    return BatchOrderResult(
        item.request.key,
        item.request.customer_id,
        PLACED,
        order.id,
        order.number,
        order.total,
        reference=reference,
    )
