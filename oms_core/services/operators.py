"""Operators and roles: who may change them, and an admin acting as another operator."""

from __future__ import annotations

import logging

from oms_core.domain.audit import AuditEvent
from oms_core.domain.errors import ValidationError
from oms_core.domain.operators import Operator, Role, check_full_name, check_new_username, check_username
from oms_core.domain.text import clean_field
from oms_core.services.context import ServiceContext, current_operator, require_role
from oms_core.services.retry import retry_on_conflict

log = logging.getLogger("oms.services")


class OperatorService:
    """Listing operators, changing roles (admins only) and opening a session."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def list(self) -> list[Operator]:
        """Every operator, by user name."""
        with self._ctx.read() as uow:
            return uow.reference.operators()

    @retry_on_conflict
    def save(self, username: str, role: str, name: str = "") -> Operator:
        """Add an operator or change one's role (and name, when given). Needs an admin.

        Raises:
            PermissionDenied: the operator at the keyboard is not an admin.
            ValidationError: a user name no OS account can have, or an unknown role.
        """
        username = check_username(clean_field(username))
        name = check_full_name(clean_field(name))
        try:
            parsed_role = Role(role)
        except ValueError:
            roles = ", ".join(r.value for r in Role)
            raise ValidationError(f"unknown role {role!r}: choose {roles}", field="role") from None
        with self._ctx.write() as uow:
            me = current_operator(uow, self._ctx.operator_username)
            require_role(me, Role.ADMIN, "changing operators and roles")
            existing = uow.reference.operator(username)
            if existing is None:
                check_new_username(username)
            operator = Operator(username, parsed_role, name or (existing.name if existing else ""))
            uow.reference.save_operator(operator)
            before = existing.role.value if existing is not None else "not an operator"
            uow.audit.add(
                AuditEvent(
                    None,
                    self._ctx.audit_name,
                    "operator role changed",
                    f"{username}: {before} -> {parsed_role.value}",
                    self._ctx.clock.now(),
                )
            )
            uow.commit()
        log.info("%s made %s %s (was %s)", self._ctx.audit_name, username, parsed_role.value, before)
        return operator

    def require(self, role: Role, action: str) -> None:
        """Refuse ``action`` unless the operator at the keyboard has ``role`` (for work done outside
        the services, such as seeding synthetic data).

        Raises:
            PermissionDenied: naming the action and the role needed.
        """
        with self._ctx.read() as uow:
            require_role(current_operator(uow, self._ctx.operator_username), role, action)

    @retry_on_conflict
    def open_session(self) -> None:
        """Check that this session may act as its operator, and record it when an admin acts as
        another operator (the demo, which builds its context without an acting admin, records nothing).

        Raises:
            PermissionDenied: someone who is not an admin asked to act as another operator.
        """
        admin_name = self._ctx.acting_admin
        if not admin_name:
            return
        with self._ctx.write() as uow:
            admin = current_operator(uow, admin_name)
            require_role(admin, Role.ADMIN, f"acting as another operator ({self._ctx.operator_username})")
            uow.audit.add(
                AuditEvent(
                    None,
                    self._ctx.audit_name,
                    "admin as operator",
                    f"{admin_name} acts as {self._ctx.operator_username}",
                    self._ctx.clock.now(),
                )
            )
            uow.commit()
        log.info("admin as operator: %s acts as %s", admin_name, self._ctx.operator_username)
