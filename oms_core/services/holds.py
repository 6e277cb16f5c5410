"""Order holds: place a hold on an order with a reason, release it when the reason allows.

Each call is one short transaction holding only the order's row (the first and only row it locks,
as the lock order requires); the order's version guards against a concurrent change. Who may
release a hold is decided here, from the hold's reason (:attr:`HoldReason.releaser`).
"""

from __future__ import annotations

from datetime import datetime

from oms_core.domain.audit import AuditEvent
from oms_core.domain.errors import InvalidState
from oms_core.domain.fulfilment import check_can_hold
from oms_core.domain.holds import Hold, check_note, parse_reason
from oms_core.domain.operators import Role
from oms_core.domain.orders import Order
from oms_core.ports import UnitOfWork
from oms_core.read_models import OrderView
from oms_core.services.context import ServiceContext, current_operator, require_role
from oms_core.services.retry import retry_on_conflict
from oms_core.services.views import stored_order_view


class HoldService:
    """Place and release order holds."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    @retry_on_conflict
    def place(self, order_id: int, reason: str, note: str = "") -> OrderView:
        """Hold a placed or released order: it is neither released to the warehouse nor shipped.

        Args:
            order_id: the order.
            reason: a hold reason code (its value or the first letters of it).
            note: an optional one-line note.

        Raises:
            ValidationError: an unknown reason or a note that does not fit (naming the field).
            InvalidState: the order is already held, or is not placed or released.
            NotFound: no such order.
        """
        code = parse_reason(reason)
        note = check_note(note)
        with self._ctx.write() as uow:
            require_role(
                current_operator(uow, self._ctx.operator_username), Role.OPERATOR, "holding an order"
            )
            order = uow.orders.get(order_id)
            check_can_hold(order)
            now = self._ctx.clock.now()
            order.hold = Hold(code, note, self._ctx.operator_username, now)
            order.updated_at = now
            uow.orders.save(order)
            detail = f"{code.value}: {note}" if note else code.value
            self._audit(uow, order, "held", detail, now)
            view = stored_order_view(uow, order)
            uow.commit()
        return view

    @retry_on_conflict
    def release(self, order_id: int) -> OrderView:
        """Release the order's hold; a payment review needs a supervisor, other reasons any operator.

        Raises:
            InvalidState: the order is not held.
            PermissionDenied: the hold's reason needs a higher role.
            NotFound: no such order.
        """
        with self._ctx.write() as uow:
            order = uow.orders.get(order_id)
            hold = order.hold
            if hold is None:
                raise InvalidState(f"order {order.number} is not on hold")
            operator = current_operator(uow, self._ctx.operator_username)
            require_role(operator, hold.reason.releaser, f"releasing a {hold.reason.value} hold")
            now = self._ctx.clock.now()
            order.hold = None
            order.updated_at = now
            uow.orders.save(order)
            self._audit(uow, order, "hold released", hold.reason.value, now)
            view = stored_order_view(uow, order)
            uow.commit()
        return view

    def _audit(self, uow: UnitOfWork, order: Order, action: str, detail: str, now: datetime) -> None:
        uow.audit.add(
            AuditEvent(order.id, self._ctx.operator_username, action, detail, now, order.customer_id)
        )
