"""Gateway calls: every request to the payment gateway, recorded before it is sent.

An authorisation is recorded *pending* (with its idempotency key, the stock it holds and who is
waiting on it) in the transaction that takes the stock, sent with no transaction open, and settled
in a third transaction. A process killed in between leaves the call pending; reconciliation repeats
it with the same key (so the gateway answers what it did the first time, never charging twice) and
then completes the order or voids the authorisation and puts the stock back. Captures, voids and
refunds are recorded the same way, so the table is also each order's payment history. Nothing here
ever holds a card number or security code: only the gateway's token, brand and last four digits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal


class CallAction(enum.StrEnum):
    """What was asked of the gateway."""

    AUTHORIZE = "authorize"
    CAPTURE = "capture"
    """Capture all or part of an authorisation and close it (the rest is released)."""
    PART_CAPTURE = "cap-part"
    """Capture part of an authorisation and keep the rest for later captures (a part shipment)."""
    VOID = "void"
    REFUND = "refund"

    @property
    def label(self) -> str:
        """How the payment history and the audit trail name it."""
        return "partial capture" if self is CallAction.PART_CAPTURE else self.value


PART_CAPTURE_UNAVAILABLE = "part_capture_unavailable"
"""The decline code of a partial capture the gateway cannot make for this card (the money is then
captured whole by the shipment that completes the order)."""


class CallStatus(enum.StrEnum):
    """Where a call stands.

    ``pending``: recorded, maybe sent, no answer settled yet (the stock is held for an
    authorisation). ``approved``/``declined``: the gateway's answer, settled. ``unknown``: no answer
    came and the stock was given back: reconciliation repeats it and voids any hold it finds.
    ``voided``: an approved authorisation that was released because no order came of it.
    ``not_sent``: recorded but never sent, because the all-or-nothing job it belonged to had
    already failed (an import whose other row was refused); its stock was given back.
    """

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    UNKNOWN = "unknown"
    VOIDED = "voided"
    NOT_SENT = "not_sent"


class CallPurpose(enum.StrEnum):
    """Who is waiting on an authorisation (decides how reconciliation finishes it)."""

    CHECKOUT = "checkout"  # completes the draft it was for
    BATCH = "batch"  # a bulk, club or import order: the hold is voided, the job places it again
    PAYMENT = "payment"  # capture, void or refund of a placed order
    CHANGE = "change"  # a changed order's new total: voided if the change was never applied


@dataclass(slots=True)
class GatewayCall:
    """One request to the gateway and its outcome.

    Attributes:
        id: set when stored.
        base_key: the key's stem: the same for every retry of one payment (see :func:`retry_key`).
        action: authorise, capture, void or refund.
        key: the idempotency key sent (unique).
        status: see :class:`CallStatus`.
        amount: what it was for.
        purpose: who waits on it.
        order_id: the draft (checkout) or the placed order; ``None`` for a batch order not yet written.
        batch_key: the batch order's key (``BATCH``).
        token: the card's gateway token; brand and last4 for people to read.
        reference: the gateway's reference (the authorisation, capture or refund), once approved.
        reason, code: a decline's reason and the processor's code.
        holds: (product id, quantity) of the stock taken for this authorisation, given back if it fails.
        draft_version: the draft's version when the authorisation was asked for (checkout).
        owner: ``host:pid`` of the process waiting on it; reconciliation leaves a live owner's call alone.
        operator: who asked.
        created_at, updated_at: when recorded and last changed.
    """

    id: int | None
    base_key: str
    action: CallAction
    key: str
    status: CallStatus
    amount: Decimal
    purpose: CallPurpose
    order_id: int | None = None
    batch_key: str = ""
    token: str = ""
    brand: str = ""
    last4: str = ""
    reference: str = ""
    reason: str = ""
    code: str = ""
    holds: tuple[tuple[int, int], ...] = field(default_factory=tuple)
    draft_version: int | None = None
    owner: str = ""
    operator: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def describe(self) -> str:
        """One line for the audit trail and the payment history (never card data beyond last four)."""
        card = f" {self.brand} ending {self.last4}" if self.last4 else ""
        outcome = {
            CallStatus.APPROVED: f"approved {self.reference}".rstrip(),
            CallStatus.DECLINED: f"declined: {self.reason}" + (f" [{self.code}]" if self.code else ""),
            CallStatus.UNKNOWN: f"no answer: {self.reason}",
            CallStatus.VOIDED: f"voided {self.reference}".rstrip(),
            CallStatus.PENDING: "pending",
            CallStatus.NOT_SENT: "not sent",
        }[self.status]
        return f"{self.action.label} {self.amount}{card}: {outcome}"

    def is_stale(self, now: datetime, after: timedelta) -> bool:
        """Whether nobody can still be waiting on it (last touched longer than ``after`` ago)."""
        touched = self.updated_at or self.created_at or now
        return now - touched >= after


def retry_key(base: str, earlier: int) -> str:
    """The idempotency key of a new request after ``earlier`` settled ones with the same base.

    A gateway answers a repeated key with its first answer, so a card asked again after a decline
    or a void needs a new key; an unanswered request is repeated with its own key instead.
    """
    return base if earlier == 0 else f"{base}:r{earlier}"


def captured_amount(calls: list[GatewayCall], reference: str) -> Decimal:
    """What has been captured of the authorisation ``reference`` so far (approved captures)."""
    taken = [
        call.amount
        for call in calls
        if call.action in (CallAction.CAPTURE, CallAction.PART_CAPTURE)
        and call.status is CallStatus.APPROVED
        and call.reference == reference
    ]
    return sum(taken, Decimal("0.00"))
