"""Mail to customers: what kinds are sent, how a template becomes a message, and when to retry.

Mail goes through an outbox: a service writes the message in the same transaction as the event it
tells of (an order placed, a shipment, a cancellation), and a sender delivers it after the commit.
So a mail server that is down never blocks or fails an order, and an order rolled back never mails.
"""

from __future__ import annotations

import enum
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from oms_core.domain.errors import OmsError, ValidationError

MAX_ATTEMPTS = 8
"""After this many failed deliveries a message is marked failed and shown to the office."""

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=2)
SENDING_LEASE = timedelta(minutes=10)
"""A message claimed by a sender that then died is offered again after this long."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class MailKind(enum.StrEnum):
    """The messages oms sends; each has a template file named after its value."""

    ORDER_CONFIRMATION = "order_confirmation"
    SHIPPING_CONFIRMATION = "shipping_confirmation"
    CANCELLATION = "cancellation"
    REFUND = "refund"
    CARD_DECLINED = "card_declined"

    @property
    def title(self) -> str:
        """How the order screen and the logs name it: ``order confirmation``."""
        return self.value.replace("_", " ")


class MailStatus(enum.StrEnum):
    """Where a message is on its way out."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class MailMessage:
    """A message ready to queue: plain text, one recipient.

    Attributes:
        kind: which template made it.
        to: the recipient's address.
        subject: one line, with no line breaks (see :func:`header_text`).
        body: the plain-text body.
        order_id: the order it tells of, if any.
        customer_id: the customer it goes to, if known.
    """

    kind: MailKind
    to: str
    subject: str
    body: str
    order_id: int | None = None
    customer_id: int | None = None


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A queued message and its delivery state.

    Attributes:
        id: the outbox row.
        message: what is sent.
        status: pending, sending, sent or failed.
        attempts: deliveries tried so far.
        next_attempt_at: not before this time (pending), or when a sending lease runs out.
        last_error: the mail server's last answer when a delivery failed, else ``""``.
        created_at: when it was queued.
        sent_at: when the server accepted it.
    """

    id: int
    message: MailMessage
    status: MailStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None = None


def header_text(value: str) -> str:
    """``value`` fit for a mail header: line breaks and control characters become single spaces.

    Customer text reaches the subject (a name, an order note): a line break followed by ``Bcc: ...``
    inside it must stay text on the one line, never become a header of its own.
    """
    return " ".join(_CONTROL.sub(" ", value).split())


def render(template: str, values: Mapping[str, str], kind: MailKind, to: str) -> MailMessage:
    """Fill a template: its first line is ``Subject: ...``, then a blank line, then the body.

    Placeholders are ``$name`` or ``${name}`` (:class:`string.Template`); an unknown one is left as
    written, so an office's edited template never fails a send. Values are inserted literally.

    Raises:
        ValidationError: the template does not start with a ``Subject:`` line, or no recipient.
    """
    if not to.strip():
        raise ValidationError("the customer has no email address", field="email")
    head, _, body = template.replace("\r\n", "\n").partition("\n")
    if not head.lower().startswith("subject:"):
        raise ValidationError(
            f"the {kind.title} template must start with a 'Subject:' line", field="template"
        )
    subject = string.Template(head.split(":", 1)[1].strip()).safe_substitute(values)
    text = string.Template(body.lstrip("\n")).safe_substitute(values)
    return MailMessage(kind=kind, to=header_text(to), subject=header_text(subject), body=text)


def retry_at(now: datetime, attempts: int) -> datetime | None:
    """When to try again after ``attempts`` failed deliveries, or ``None`` to give up.

    The wait doubles from a minute up to two hours, so a mail server down for the afternoon is
    retried a few times an hour, not hammered.
    """
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)
    return now + delay


class MailUnavailable(OmsError):
    """The mail server could not be reached or asked to try later; the message stays queued."""


class MailRejected(OmsError):
    """The mail server refused the message for good (an address it will not take)."""
