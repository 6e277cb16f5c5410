"""What every service needs: units of work, the gateway, the clock and who is at the keyboard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from oms_core.domain.audit import AuditEvent
from oms_core.domain.errors import PermissionDenied
from oms_core.domain.limits import DEFAULT_PRICE_CUT_LIMIT_PERCENT, DEFAULT_REFUND_LIMIT
from oms_core.domain.operators import SUPERUSER, Operator, Role, acting_name
from oms_core.ports import (
    AuditRepository,
    Clock,
    MailSender,
    MailTemplates,
    PaymentGateway,
    UnitOfWork,
    UnitOfWorkFactory,
)
from oms_core.services.processes import this_process


@dataclass(frozen=True, slots=True)
class Settings:
    """Office settings that shape the rules.

    Attributes:
        phone_region: region for phone numbers typed without a country code.
        override_limit_percent: a price cut deeper than this needs a supervisor (the office
            configuration's ``[orders] price_cut_limit``).
        default_shipping_method: preselected on a new order.
        duplicate_window_hours: how far back a same-items order counts as a likely duplicate.
        gateway_in_flight: most authorisations a batch has waiting on the gateway at once.
        payment_stale_seconds: a pending gateway call untouched this long, whose process cannot
            be seen alive, is reconciled (longer than the gateway's timeout).
        refund_limit: a refund larger than this needs a supervisor (``[orders] refund_limit``).
    """

    phone_region: str = "US"
    override_limit_percent: Decimal = DEFAULT_PRICE_CUT_LIMIT_PERCENT
    default_shipping_method: str = "GROUND"
    duplicate_window_hours: int = 24
    gateway_in_flight: int = 8
    payment_stale_seconds: int = 120
    refund_limit: Decimal = DEFAULT_REFUND_LIMIT


@dataclass(frozen=True, slots=True)
class Mailing:
    """How this office mails its customers.

    Attributes:
        templates: the message texts.
        sender: the mail server, or ``None`` when this process only queues (the TUI always has one
            when mail is configured; ``oms mail send`` needs one).
        office_name: signs every message.
        office_phone: where customers call back.
    """

    templates: MailTemplates
    sender: MailSender | None = None
    office_name: str = ""
    office_phone: str = ""


@dataclass(frozen=True, slots=True)
class ServiceContext:
    """The dependencies shared by all services of one process (one operator).

    Attributes:
        operator_username: who this session acts as: the name on orders and drafts, and whose role
            every permission check asks about.
        acting_admin: the admin's own account when an admin acts as another operator (``""``
            otherwise). :meth:`~oms_core.services.operators.OperatorService.open_session` checks the
            admin's role, and every audit event of the session names both (``root as olga``).
    """

    uow_factory: UnitOfWorkFactory
    gateway: PaymentGateway
    clock: Clock
    operator_username: str
    settings: Settings = Settings()
    mailing: Mailing | None = None
    """``None``: mail is not configured, and nothing is queued."""
    acting_admin: str = ""
    process: str = field(default_factory=this_process)
    """``host:pid``: recorded on the gateway calls this process waits on."""

    @property
    def audit_name(self) -> str:
        """Who the audit trail says acted: the operator, or ``admin as operator``."""
        if self.acting_admin:
            return acting_name(self.acting_admin, self.operator_username)
        return self.operator_username

    def read(self) -> UnitOfWork:
        """A unit of work for reading."""
        return self._audited(self.uow_factory(write=False))

    def write(self) -> UnitOfWork:
        """A unit of work that will write (takes the write lock up front on SQLite)."""
        return self._audited(self.uow_factory(write=True))

    def _audited(self, uow: UnitOfWork) -> UnitOfWork:
        if self.acting_admin:
            uow.audit = _AdminAsOperatorAudit(uow.audit, self.audit_name)
        return uow


class _AdminAsOperatorAudit(AuditRepository):
    """The audit trail of a session in which an admin acts as another operator: every event it
    records names both (``root as olga``), whichever service writes it.
    """

    def __init__(self, inner: AuditRepository, name: str) -> None:
        self._inner = inner
        self._name = name

    def add(self, event: AuditEvent) -> None:
        """Record ``event`` under the admin-as-operator name."""
        self._inner.add(replace(event, operator=self._name))

    def add_many(self, events: Sequence[AuditEvent]) -> None:
        """Record ``events`` under the admin-as-operator name."""
        self._inner.add_many([replace(event, operator=self._name) for event in events])

    def for_order(self, order_id: int) -> list[AuditEvent]:
        """An order's events, oldest first."""
        return self._inner.for_order(order_id)


def current_operator(uow: UnitOfWork, username: str) -> Operator:
    """The operator record for ``username``; an unknown user is a plain operator, and the server's
    root account is always an admin.
    """
    operator = uow.reference.operator(username) or Operator(username=username, role=Role.OPERATOR)
    if username == SUPERUSER and operator.role is not Role.ADMIN:
        return Operator(username, Role.ADMIN, operator.name)
    return operator


def require_role(operator: Operator, role: Role, action: str) -> None:
    """Refuse ``action`` unless the operator has ``role`` or higher.

    Raises:
        PermissionDenied: naming the action and the role needed.
    """
    if not operator.at_least(role):
        article = "an" if role.value[0] in "aeiou" else "a"
        raise PermissionDenied(
            f"{action} needs {article} {role.value}; {operator.username} is {operator.role.value}"
        )
