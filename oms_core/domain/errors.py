"""Errors the domain and services raise. Every message is fit to show an operator as it is."""

from __future__ import annotations


class OmsError(Exception):
    """Base of every error oms raises on purpose; ``str(error)`` is the operator's message."""


class ValidationError(OmsError):
    """Input that breaks a rule. ``field`` names the offending field (or row) when there is one.

    Attributes:
        field: the field name the message is about, or ``None`` for the whole record.
        problems: every (field, message) pair found, so a form can mark them all at once.
    """

    def __init__(
        self, message: str, field: str | None = None, problems: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.problems = problems if problems is not None else [(field or "", message)]

    @classmethod
    def from_problems(cls, problems: list[tuple[str, str]]) -> ValidationError:
        """Build one error that carries several field problems; the first is the message."""
        field, message = problems[0]
        text = message if len(problems) == 1 else f"{message} (and {len(problems) - 1} more)"
        return cls(text, field=field, problems=problems)


class NotFound(OmsError):
    """A record asked for by id, number or SKU does not exist."""


class StaleEdit(OmsError):
    """The record changed since it was read (another operator or window edited it)."""


class PermissionDenied(OmsError):
    """The operator's role does not allow the action."""


class InvalidState(OmsError):
    """The action does not fit the record's state (e.g. editing a placed order)."""


class OutOfStock(OmsError):
    """Stock is short for a product that may not be backordered."""


class PaymentDeclined(OmsError):
    """The gateway declined the payment; the message carries its reason."""


class PaymentUnavailable(OmsError):
    """The gateway could not be reached; nothing was charged."""


class DatabaseError(OmsError):
    """The database refused or failed the work; the message says why in words. Nothing was saved."""


class DatabaseUnavailable(DatabaseError):
    """The database could not be reached or read (server down, connection lost, file unreadable)."""


class TransactionConflict(DatabaseError):
    """The database gave up the transaction because of other work going on at the same moment: a
    deadlock, a serialisation failure, or a wait for a lock that ran past its timeout.

    Running the whole transaction again from the start almost always succeeds, so services retry it
    (:func:`oms_core.services.retry.retry_on_conflict`); an operator sees :class:`DatabaseBusy`
    only when the retries run out.
    """


class DatabaseBusy(DatabaseError):
    """A transaction kept meeting other work and was given up after several attempts."""
