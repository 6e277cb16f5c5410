"""What every service needs: units of work, the gateway, the clock and who is at the keyboard."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from oms_core.domain.errors import PermissionDenied
from oms_core.domain.operators import Operator, Role
from oms_core.domain.pricing import DEFAULT_PRICE_CUT_LIMIT_PERCENT
from oms_core.ports import Clock, MailSender, MailTemplates, PaymentGateway, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Settings:
    """Office settings that shape the rules.

    Attributes:
        phone_region: region for phone numbers typed without a country code.
        override_limit_percent: a price cut deeper than this needs a supervisor (the office
            configuration's ``[orders] price_cut_limit``).
        default_shipping_method: preselected on a new order.
        duplicate_window_hours: how far back a same-items order counts as a likely duplicate.
    """

    phone_region: str = "US"
    override_limit_percent: Decimal = DEFAULT_PRICE_CUT_LIMIT_PERCENT
    default_shipping_method: str = "GROUND"
    duplicate_window_hours: int = 24


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
    """The dependencies shared by all services of one process (one operator)."""

    uow_factory: UnitOfWorkFactory
    gateway: PaymentGateway
    clock: Clock
    operator_username: str
    settings: Settings = Settings()
    mailing: Mailing | None = None
    """``None``: mail is not configured, and nothing is queued."""

    def read(self) -> UnitOfWork:
        """A unit of work for reading."""
        return self.uow_factory(write=False)

    def write(self) -> UnitOfWork:
        """A unit of work that will write (takes the write lock up front on SQLite)."""
        return self.uow_factory(write=True)


def current_operator(uow: UnitOfWork, username: str) -> Operator:
    """The operator record for ``username``; an unknown user is a plain operator."""
    return uow.reference.operator(username) or Operator(username=username, role=Role.OPERATOR)


def require_role(operator: Operator, role: Role, action: str) -> None:
    """Refuse ``action`` unless the operator has ``role`` or higher.

    Raises:
        PermissionDenied: naming the action and the role needed.
    """
    if not operator.at_least(role):
        raise PermissionDenied(f"{action} needs a {role.value}; {operator.username} is {operator.role.value}")
