"""An import's orders placed in checkout's three steps, all or nothing.

1. :func:`record` (in the caller's transaction): every order prepared, its stock taken and a
   pending gateway call recorded (one per order, or one for the grand total when the purchaser pays
   once); orders that need no gateway are written at once. If any order cannot be placed, nothing
   is: the caller rolls back.
2. :func:`authorise`: the cards go to the gateway with no transaction open, a bounded number at
   once (``[gateway] in_flight_limit``). Once one is refused no more are sent, and if any was
   refused nothing is placed: the refusals and the stock are settled in one transaction and every
   authorisation taken is voided.
3. :func:`write` (in a new transaction): the orders are written with their authorisations. If that
   transaction cannot commit, the caller calls :func:`~oms_core.services.batch_steps.abandon_approved`.

A process killed between the steps leaves pending calls that reconciliation voids (stock back), so
no order of the file exists, no card stays held and no stock is lost; importing the file again asks
the gateway with new keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from oms_core.domain.errors import OmsError, PaymentDeclined, PaymentUnavailable
from oms_core.ports import UnitOfWork
from oms_core.services.batch_placing import ALREADY, FAILED, PLACED, BatchOrderRequest, BatchOrderResult
from oms_core.services.batch_steps import (
    PendingBatch,
    abandon_approved,
    ask_gateway,
    record_shared,
    refuse_all,
    take_stock_and_record,
    write_approved,
    write_shared,
)
from oms_core.services.context import ServiceContext
from oms_core.services.retry import write_retrying


class BatchRejected(OmsError):
    """An all-or-nothing batch had failures; nothing was placed.

    Attributes:
        results: the failed requests, each with its reason.
    """

    def __init__(self, message: str, results: Sequence[BatchOrderResult]) -> None:
        super().__init__(message)
        self.results = list(results)


def record(
    uow: UnitOfWork, ctx: ServiceContext, requests: Sequence[BatchOrderRequest], one_payment: bool
) -> PendingBatch:
    """Step 1 in ``uow`` (the caller commits; it must roll back on an exception).

    Raises:
        BatchRejected: some order cannot be placed (each named with its reason).
        OutOfStock: stock moved under another writer; run it again.
        ValidationError: the same payment is under way in another window.
    """
    choice = requests[0].payment if requests else None
    by_card = choice is not None and choice.method.uses_gateway and choice.card is not None
    if one_payment and by_card:
        pending = record_shared(uow, ctx, requests)
    else:
        pending = take_stock_and_record(uow, ctx, requests)
    failed = [_failure(r) for r in pending.results if r.status != PLACED]
    taken = {r.key for r in pending.results} | {i.request.key for i, _ in pending.waiting}
    taken |= {i.request.key for i in pending.shared}
    failed += [
        BatchOrderResult(r.key, r.customer_id, FAILED, reason="being placed in another window right now")
        for r in requests
        if r.key not in taken
    ]
    if failed:
        raise BatchRejected(_rejection(failed), failed)
    return pending


def authorise(
    ctx: ServiceContext, pending: PendingBatch, progress: Callable[[int, int], None] | None = None
) -> None:
    """Step 2, and the refusal: every card at the gateway (no transaction open) until one is refused.

    Raises:
        BatchRejected: a card was declined or not answered; nothing is placed, the stock is back and
            every authorisation taken was voided.
        PaymentDeclined, PaymentUnavailable: the one payment for the whole batch was refused or not
            answered (the stock is back).
        Exception: whatever a request raised, after the same clean-up (a request that raised is
            left *unknown*, for reconciliation to repeat with its key and void what it finds).
    """
    try:
        ask_gateway(ctx, pending, all_or_nothing=True, progress=progress)
    except BaseException:
        _refuse(ctx, pending)
        raise
    answers = [pending.answers.get(call.id or 0) for _, call in pending.waiting]
    if all(answer is not None and answer.approved for answer in answers):
        return
    refused = _refuse(ctx, pending)
    if pending.shared:  # the one payment for the whole file: not any row's fault
        [result] = refused
        answer = answers[0]
        raise (
            PaymentUnavailable(result.reason)
            if answer is None or answer.unavailable
            else PaymentDeclined(result.reason)
        )
    raise BatchRejected(_rejection(refused), refused)


def write(uow: UnitOfWork, ctx: ServiceContext, pending: PendingBatch) -> list[BatchOrderResult]:
    """Step 3 in ``uow`` (the caller commits, or calls ``abandon_approved`` if it cannot)."""
    if pending.shared:
        return write_shared(uow, ctx, pending)
    return write_approved(uow, ctx, pending)


def _refuse(ctx: ServiceContext, pending: PendingBatch) -> list[BatchOrderResult]:
    """Settle what was not approved (stock back) in one transaction, then void what was."""

    def settle(uow: UnitOfWork) -> list[BatchOrderResult]:
        refused = refuse_all(uow, ctx, pending)
        uow.commit()
        return refused

    refused = write_retrying(ctx, settle)
    abandon_approved(ctx, pending)
    return refused


def _failure(result: BatchOrderResult) -> BatchOrderResult:
    if result.status == ALREADY:
        return BatchOrderResult(
            result.key, result.customer_id, FAILED, reason="placed already, by an earlier run"
        )
    return result


def _rejection(failed: Sequence[BatchOrderResult]) -> str:
    first = failed[0]
    more = f" and {len(failed) - 1} more" if len(failed) > 1 else ""
    return f"{first.key}: {first.reason}{more}; nothing was placed"
