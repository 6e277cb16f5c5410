"""Orders with their lines and payments: rows <-> ``Order``, order lists and batch look-ups."""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    String,
    bindparam,
    delete,
    func,
    insert,
    select,
    tuple_,
    union_all,
    update,
)

from oms_core.domain.customers import Address
from oms_core.domain.errors import InvalidState, NotFound, StaleEdit
from oms_core.domain.holds import Hold, HoldReason
from oms_core.domain.money import from_cents, to_cents
from oms_core.domain.orders import DraftStage, Order, OrderLine, OrderSource, OrderStatus
from oms_core.domain.payments import CardToken, Payment, PaymentChoice, PaymentMethod, PaymentStatus
from oms_core.ports import OrderRepository
from oms_core.read_models import OrderFilter, OrderPosition, OrderSummary, TimePosition
from oms_core.storage._common import Repository, chunks, unique
from oms_core.storage.loading import insert_tuples, reserve_id_blocks
from oms_core.storage.tables import (
    ADDRESS_FIELDS,
    ORDER_COUNTER,
    counters,
    customers,
    order_lines,
    orders,
    payments,
)

o = orders.c
ln = order_lines.c
pay = payments.c

_LINE_COLUMNS = (
    "position",
    "product_id",
    "sku",
    "name",
    "quantity",
    "unit_price_cents",
    "price_override_cents",
    "override_reason",
    "taxable",
    "weight_lb",
    "line_tax_cents",
)
_PAYMENT_COLUMNS = (
    "method",
    "amount_cents",
    "status",
    "reference",
    "token",
    "brand",
    "last4",
    "exp_month",
    "exp_year",
    "check_number",
)


# -- domain -> row ---------------------------------------------------------------------------------


def _address_row(address: Address | None) -> tuple[Any, ...]:
    if address is None:
        return _NO_ADDRESS
    return _ADDRESS_VALUES(address)


_NO_ADDRESS: tuple[Any, ...] = (None,) * len(ADDRESS_FIELDS)
_ADDRESS_VALUES = operator.attrgetter(*ADDRESS_FIELDS)  # one C call for the whole tuple


def _choice_row(choice: PaymentChoice | None) -> tuple[Any, ...]:
    if choice is None:
        return (None,) * 8
    card = choice.card
    if card is None:
        return (str(choice.method), choice.card_id, None, None, None, None, None, choice.check_number)
    return (
        str(choice.method),
        choice.card_id,
        card.token,
        card.brand,
        card.last4,
        card.exp_month,
        card.exp_year,
        choice.check_number,
    )


# Every column of the order row except ``id``, ``version`` and the timestamps, in _order_row's order.
_ORDER_COLUMNS = (
    "number",
    "status",
    "source",
    "customer_id",
    "operator",
    *(f"bill_{name}" for name in ADDRESS_FIELDS),
    *(f"ship_{name}" for name in ADDRESS_FIELDS),
    "ship_to_address_id",
    "shipping_method",
    "shipping_cents",
    "shipping_tax_cents",
    "subtotal_cents",
    "tax_cents",
    "total_cents",
    "payment_method",
    "payment_card_id",
    "payment_token",
    "payment_brand",
    "payment_last4",
    "payment_exp_month",
    "payment_exp_year",
    "payment_check_number",
    "gift_message",
    "notes",
    "batch_key",
    "placed_at",
    "held",
    "hold_reason",
    "hold_note",
    "hold_by",
    "hold_at",
    "changes_order_id",
    "send_confirmation",
    "draft_stage",
)
_ORDER_INSERT_COLUMNS = ("id", *_ORDER_COLUMNS, "version", "created_at", "updated_at")
_LINE_INSERT_COLUMNS = ("id", "order_id", *_LINE_COLUMNS)
_PAYMENT_INSERT_COLUMNS = ("order_id", *_PAYMENT_COLUMNS, "created_at")


def _order_row(order: Order) -> tuple[Any, ...]:
    """The values of :data:`_ORDER_COLUMNS` for ``order`` (tuples: batch jobs insert thousands)."""
    subtotal, tax, total = order.totals()
    return (
        order.number,
        str(order.status),
        str(order.source),
        order.customer_id,
        order.operator,
        *_address_row(order.bill_to),
        *_address_row(order.ship_to),
        order.ship_to_address_id,
        order.shipping_method,
        to_cents(order.shipping_charge),
        to_cents(order.shipping_tax),
        to_cents(subtotal),
        to_cents(tax),
        to_cents(total),
        *_choice_row(order.payment_choice),
        order.gift_message,
        order.notes,
        order.batch_key,
        order.placed_at,
        *_hold_row(order.hold),
        order.changes_order_id,
        order.send_confirmation,
        str(order.stage),
    )


def _hold_row(hold: Hold | None) -> tuple[Any, ...]:
    """The values of the hold columns: ``held``, reason, note, by, at."""
    if hold is None:
        return (False, None, "", None, None)
    return (True, hold.reason.value, hold.note, hold.placed_by, hold.placed_at)


def _hold(row: Row[Any]) -> Hold | None:
    if not row.held:
        return None
    return Hold(HoldReason(row.hold_reason), row.hold_note, row.hold_by or "", row.hold_at)


def _order_values(order: Order) -> dict[str, Any]:
    """Every column of the order row except ``id``, ``version`` and the timestamps."""
    return dict(zip(_ORDER_COLUMNS, _order_row(order), strict=True))


def _line_row(order_id: int, position: int, line: OrderLine) -> tuple[Any, ...]:
    """The values of ``order_id`` and :data:`_LINE_COLUMNS` for one line."""
    return (
        order_id,
        position,
        line.product_id,
        line.sku,
        line.name,
        line.quantity,
        to_cents(line.unit_price),
        None if line.price_override is None else to_cents(line.price_override),
        line.override_reason,
        line.taxable,
        line.weight_lb,
        to_cents(line.line_tax),
    )


def _line_values(order_id: int, position: int, line: OrderLine) -> dict[str, Any]:
    return dict(zip(("order_id", *_LINE_COLUMNS), _line_row(order_id, position, line), strict=True))


def _payment_row(order_id: int, payment: Payment, now: datetime) -> tuple[Any, ...]:
    """The values of :data:`_PAYMENT_INSERT_COLUMNS` for one payment."""
    return (
        order_id,
        str(payment.method),
        to_cents(payment.amount),
        str(payment.status),
        payment.reference,
        payment.token,
        payment.brand,
        payment.last4,
        payment.exp_month,
        payment.exp_year,
        payment.check_number,
        now,
    )


def _payment_values(order_id: int, payment: Payment, now: datetime) -> dict[str, Any]:
    return dict(zip(_PAYMENT_INSERT_COLUMNS, _payment_row(order_id, payment, now), strict=True))


def _order_insert_row(order: Order, order_id: int, now: datetime) -> tuple[Any, ...]:
    """The values of :data:`_ORDER_INSERT_COLUMNS`; timestamps not yet set become ``now``."""
    order.created_at = order.created_at or now
    order.updated_at = order.updated_at or order.created_at
    return (order_id, *_order_row(order), order.version, order.created_at, order.updated_at)


LOAD_COLUMNS = (_ORDER_INSERT_COLUMNS, _LINE_INSERT_COLUMNS[1:], _PAYMENT_INSERT_COLUMNS)
"""The columns of :func:`load_rows`' three lists: orders, lines (no id), payments."""


def load_rows(
    orders_: Sequence[Order], order_ids: Sequence[int], now: datetime
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Rows of new orders for :func:`~oms_core.storage.loading.insert_tuples` (a bulk load).

    The orders' ids are given (reserved by the caller); their lines go without ids, for the
    database to number, since a load reads nothing back. The same values as :meth:`add_many`
    writes; the domain objects are not changed except for timestamps not yet set.

    Returns:
        Order rows, line rows and payment rows, in the columns of :data:`LOAD_COLUMNS`.
    """
    order_rows: list[tuple[Any, ...]] = []
    line_rows: list[tuple[Any, ...]] = []
    payment_rows: list[tuple[Any, ...]] = []
    for order, order_id in zip(orders_, order_ids, strict=True):
        order_rows.append(_order_insert_row(order, order_id, now))
        line_rows.extend(_line_row(order_id, position, line) for position, line in enumerate(order.lines))
        payment_rows.extend(_payment_row(order_id, payment, now) for payment in order.payments)
    return order_rows, line_rows, payment_rows


# -- row -> domain ---------------------------------------------------------------------------------


def _address(row: Row[Any], prefix: str) -> Address | None:
    values = {name: getattr(row, f"{prefix}_{name}") for name in ADDRESS_FIELDS}
    if all(value is None for value in values.values()):
        return None
    return Address(**{name: value or "" for name, value in values.items()})


def _choice(row: Row[Any]) -> PaymentChoice | None:
    if row.payment_method is None:
        return None
    card = None
    if row.payment_token is not None:
        card = CardToken(
            token=row.payment_token,
            brand=row.payment_brand or "",
            last4=row.payment_last4 or "",
            exp_month=row.payment_exp_month or 0,
            exp_year=row.payment_exp_year or 0,
        )
    return PaymentChoice(
        method=PaymentMethod(row.payment_method),
        card=card,
        card_id=row.payment_card_id,
        check_number=row.payment_check_number or "",
    )


def _order(row: Row[Any]) -> Order:
    return Order(
        id=row.id,
        status=OrderStatus(row.status),
        source=OrderSource(row.source),
        number=row.number,
        customer_id=row.customer_id,
        operator=row.operator,
        bill_to=_address(row, "bill"),
        ship_to=_address(row, "ship"),
        ship_to_address_id=row.ship_to_address_id,
        shipping_method=row.shipping_method,
        shipping_charge=from_cents(row.shipping_cents),
        shipping_tax=from_cents(row.shipping_tax_cents),
        payment_choice=_choice(row),
        gift_message=row.gift_message,
        notes=row.notes,
        batch_key=row.batch_key,
        created_at=row.created_at,
        updated_at=row.updated_at,
        placed_at=row.placed_at,
        hold=_hold(row),
        changes_order_id=row.changes_order_id,
        send_confirmation=row.send_confirmation,
        stage=DraftStage(row.draft_stage),
        version=row.version,
    )


def _line(row: Row[Any]) -> OrderLine:
    return OrderLine(
        id=row.id,
        product_id=row.product_id,
        sku=row.sku,
        name=row.name,
        quantity=row.quantity,
        unit_price=from_cents(row.unit_price_cents),
        taxable=row.taxable,
        weight_lb=row.weight_lb,
        price_override=None if row.price_override_cents is None else from_cents(row.price_override_cents),
        override_reason=row.override_reason,
        line_tax=from_cents(row.line_tax_cents),
    )


def _payment(row: Row[Any]) -> Payment:
    return Payment(
        method=PaymentMethod(row.method),
        amount=from_cents(row.amount_cents),
        status=PaymentStatus(row.status),
        reference=row.reference,
        token=row.token,
        brand=row.brand,
        last4=row.last4,
        exp_month=row.exp_month,
        exp_year=row.exp_year,
        check_number=row.check_number,
    )


def _stale(order: Order) -> StaleEdit:
    what = f"order {order.number}" if order.number is not None else "this draft"
    return StaleEdit(f"{what} was changed by someone else; reopen it and try again")


_LINE_UPDATE = (
    update(order_lines)
    .where(ln.id == bindparam("line_id"))
    .values({name: bindparam(f"new_{name}") for name in _LINE_COLUMNS})
)
_PAYMENT_UPDATE = (
    update(payments)
    .where(pay.id == bindparam("payment_id"))
    .values({name: bindparam(f"new_{name}") for name in _PAYMENT_COLUMNS})
)


class SqlOrderRepository(Repository, OrderRepository):
    """Orders on SQLAlchemy Core.

    In a write unit of work ``get`` locks the order row (``SELECT ... FOR UPDATE`` on PostgreSQL;
    SQLite's ``BEGIN IMMEDIATE`` already holds the write lock), since what is read decides the write.
    """

    # -- loading -------------------------------------------------------------------------------

    def get(self, order_id: int, lock: bool = True) -> Order:
        """Load a whole order (in a write unit of work its row is locked unless ``lock`` is
        false). Raises ``NotFound``.
        """
        statement = select(orders).where(o.id == order_id)
        if self._write and lock:
            statement = statement.with_for_update()
        found = self._load(statement)
        if not found:
            raise NotFound(f"order {order_id} does not exist")
        return found[0]

    def get_by_number(self, number: int) -> Order | None:
        """Load a placed order by its number."""
        found = self._load(select(orders).where(o.number == number))
        return found[0] if found else None

    def _load(self, statement: Select[Any]) -> list[Order]:
        """The orders ``statement`` selects, in its order, with their lines and payments."""
        loaded = [_order(row) for row in self._conn.execute(statement)]
        by_id = {order.id: order for order in loaded}
        for batch in chunks(list(by_id)):
            rows = self._conn.execute(
                select(order_lines).where(ln.order_id.in_(batch)).order_by(ln.order_id, ln.position, ln.id)
            )
            for row in rows:
                by_id[row.order_id].lines.append(_line(row))
            rows = self._conn.execute(
                select(payments).where(pay.order_id.in_(batch)).order_by(pay.order_id, pay.id)
            )
            for row in rows:
                by_id[row.order_id].payments.append(_payment(row))
        return loaded

    # -- writing -------------------------------------------------------------------------------

    def add(self, order: Order) -> int:
        """Insert an order with its lines and payments; set the order's and lines' ids."""
        self.add_many([order])
        assert order.id is not None
        return order.id

    def add_many(self, orders_: Sequence[Order]) -> None:
        """Insert many orders with their lines and payments in three statements; set the ids.

        Ids are reserved first (:func:`reserve_id_blocks`, one statement for both tables), so rows
        go in as plain tuples through the driver's ``executemany`` (``COPY`` on PostgreSQL) with
        nothing to read back: a club shipment inserts thousands.
        """
        if not orders_:
            return
        now = self._clock.now()
        order_ids, line_ids = reserve_id_blocks(
            self._conn, [(orders, len(orders_)), (order_lines, sum(len(order.lines) for order in orders_))]
        )
        placed = list(zip(orders_, order_ids, strict=True))
        # Rows made as they are sent (generators): on PostgreSQL the server inserts the first
        # ones while the next are made (insert_tuples).
        order_rows = (_order_insert_row(order, order_id, now) for order, order_id in placed)
        positions = (
            (order_id, position, line)
            for order, order_id in placed
            for position, line in enumerate(order.lines)
        )
        line_rows = (
            (line_id, *_line_row(order_id, position, line))
            for line_id, (order_id, position, line) in zip(line_ids, positions, strict=True)
        )
        payment_rows = (
            _payment_row(order_id, payment, now) for order, order_id in placed for payment in order.payments
        )
        insert_tuples(self._conn, orders, _ORDER_INSERT_COLUMNS, order_rows, ids_reserved=True)
        if line_ids:
            insert_tuples(self._conn, order_lines, _LINE_INSERT_COLUMNS, line_rows, ids_reserved=True)
        if any(order.payments for order in orders_):
            insert_tuples(self._conn, payments, _PAYMENT_INSERT_COLUMNS, payment_rows)
        # The ids go onto the orders only once their rows are in.
        next_line = iter(line_ids)
        for order, order_id in zip(orders_, order_ids, strict=True):
            order.id = order_id
            for line in order.lines:
                line.id = next(next_line)

    def _insert_lines(self, lines: list[tuple[OrderLine, dict[str, Any]]]) -> None:
        if not lines:
            return
        line_ids = (
            self._conn.execute(
                insert(order_lines).returning(ln.id, sort_by_parameter_order=True),
                [values for _, values in lines],
            )
            .scalars()
            .all()
        )
        for (line, _), line_id in zip(lines, line_ids, strict=True):
            line.id = line_id

    def save(self, order: Order) -> None:
        """Save the order, its lines and its payments if ``order.version`` is current; increment it.

        Lines are matched by id: kept lines are updated, new ones inserted (and get their ids),
        missing ones deleted. Payments are matched by position: stored ones are updated (a void),
        new ones appended; a stored payment is never deleted.

        Raises:
            StaleEdit: another edit came first.
            NotFound: the order is gone.
        """
        if order.id is None:
            raise NotFound("the order has not been saved yet")
        now = self._clock.now()
        updated_at = order.updated_at or now
        result = self._conn.execute(
            update(orders)
            .where(o.id == order.id, o.version == order.version)
            .values(_order_values(order) | {"version": order.version + 1, "updated_at": updated_at})
        )
        if result.rowcount != 1:
            if self._conn.scalar(select(o.id).where(o.id == order.id)) is None:
                raise NotFound("the order no longer exists (the draft may have been discarded)")
            raise _stale(order)
        self._save_lines(order)
        self._save_payments(order, now)
        order.version += 1
        order.updated_at = updated_at

    def _save_lines(self, order: Order) -> None:
        assert order.id is not None
        stored = set(self._conn.scalars(select(ln.id).where(ln.order_id == order.id)))
        kept: list[dict[str, Any]] = []
        new: list[tuple[OrderLine, dict[str, Any]]] = []
        for position, line in enumerate(order.lines):
            values = _line_values(order.id, position, line)
            if line.id is not None and line.id in stored:
                kept.append({"line_id": line.id} | {f"new_{k}": values[k] for k in _LINE_COLUMNS})
            else:
                new.append((line, values))
        gone = stored - {row["line_id"] for row in kept}
        for batch in chunks(sorted(gone)):
            self._conn.execute(delete(order_lines).where(ln.id.in_(batch)))
        if kept:
            self._conn.execute(_LINE_UPDATE, kept)
        self._insert_lines(new)

    def _save_payments(self, order: Order, now: datetime) -> None:
        assert order.id is not None
        stored = list(self._conn.scalars(select(pay.id).where(pay.order_id == order.id).order_by(pay.id)))
        existing = []
        for payment_id, payment in zip(stored, order.payments, strict=False):
            values = _payment_values(order.id, payment, now)
            existing.append({"payment_id": payment_id} | {f"new_{k}": values[k] for k in _PAYMENT_COLUMNS})
        if existing:
            self._conn.execute(_PAYMENT_UPDATE, existing)
        appended = [_payment_values(order.id, p, now) for p in order.payments[len(stored) :]]
        if appended:
            self._conn.execute(insert(payments), appended)

    def set_stage(self, order_id: int, stage: DraftStage) -> bool:
        """Record where the draft was left; its version and ``updated_at`` stay as they are."""
        result = self._conn.execute(
            update(orders)
            .where(o.id == order_id, o.status == OrderStatus.DRAFT.value)
            .values(draft_stage=str(stage))
        )
        return result.rowcount == 1

    def delete_draft(self, order_id: int, version: int) -> None:
        """Discard a draft with its lines.

        Raises:
            StaleEdit: it changed since ``version``.
            InvalidState: it is no longer a draft.
            NotFound: it is already gone.
        """
        row = self._conn.execute(select(o.status, o.version, o.number).where(o.id == order_id)).first()
        if row is None:
            raise NotFound("the draft no longer exists")
        if row.version != version:
            raise StaleEdit("this draft was changed by someone else; reopen it and try again")
        if row.status != OrderStatus.DRAFT:
            raise InvalidState(f"order {row.number} is {row.status}; only a draft can be discarded")
        self._conn.execute(delete(order_lines).where(ln.order_id == order_id))
        self._conn.execute(delete(payments).where(pay.order_id == order_id))
        result = self._conn.execute(
            delete(orders).where(o.id == order_id, o.version == version, o.status == OrderStatus.DRAFT.value)
        )
        if result.rowcount != 1:
            raise StaleEdit("this draft was changed by someone else; reopen it and try again")

    def change_draft_of(self, order_id: int) -> int | None:
        """The open change draft of the placed order ``order_id``, if there is one."""
        return self._conn.scalar(
            select(o.id).where(o.changes_order_id == order_id, o.status == OrderStatus.DRAFT.value).limit(1)
        )

    def next_number(self) -> int:
        """Allocate the next order number inside the placing transaction (unique, gap-free)."""
        return int(
            self._conn.execute(
                update(counters)
                .where(counters.c.name == ORDER_COUNTER)
                .values(value=counters.c.value + 1)
                .returning(counters.c.value)
            ).scalar_one()
        )

    def next_numbers(self, count: int) -> list[int]:
        """Allocate ``count`` consecutive order numbers with one guarded counter update."""
        if count <= 0:
            return []
        last = int(
            self._conn.execute(
                update(counters)
                .where(counters.c.name == ORDER_COUNTER)
                .values(value=counters.c.value + count)
                .returning(counters.c.value)
            ).scalar_one()
        )
        return list(range(last - count + 1, last + 1))

    # -- lists ---------------------------------------------------------------------------------

    def list(
        self, order_filter: OrderFilter, limit: int, after: OrderPosition | None = None
    ) -> list[OrderSummary]:
        """Orders matching the filter, newest first (drafts, when included, before placed orders).

        ``placed_from`` is inclusive, ``placed_to`` exclusive. Without a status, drafts are left out
        unless ``include_drafts``. Keyset paging: the page after ``after``, never an OFFSET.

        One statement: for each status the filter allows, the newest ``limit`` keys are an index
        range read that stops after the page (``ix_orders_*`` lead with the filter's columns and end
        in ``placed_at, id``); the page is the newest of those, and only its rows are joined to
        their customers and have their lines counted. A filter matching a million orders costs a
        page, not a sort of the million.
        """
        f = order_filter
        if f.status is not None:
            statuses: tuple[str, ...] = (str(f.status),)
        else:
            statuses = tuple(s.value for s in OrderStatus if f.include_drafts or s is not OrderStatus.DRAFT)
        params: dict[str, Any] = {}
        for field, _column in _EQUALITY_FILTERS:
            value = getattr(f, field)
            if value is not None:
                params[field] = value if isinstance(value, int) else str(value)
        for field in ("placed_from", "placed_to"):
            if getattr(f, field) is not None:
                params[field] = getattr(f, field)
        if f.on_hold:
            params["held"] = True
        resume = None
        if after is not None:
            resume = "unplaced" if after.placed_at is None else "placed"
            params["after_id"] = after.id
            if after.placed_at is not None:
                params["after_placed_at"] = after.placed_at
        statement = _list_statement(statuses, tuple(params), resume, limit)
        return self._summaries(statement, params)

    def drafts(
        self,
        operator: str | None = None,
        customer_id: int | None = None,
        limit: int = 50,
        after: TimePosition | None = None,
    ) -> list[OrderSummary]:
        """Open drafts, most recently edited first; the page after ``after`` by keyset."""
        statement = self._summary_select().where(o.status == OrderStatus.DRAFT.value)
        if after is not None:
            position = tuple_(bindparam("after_edit", after.at, type_=o.updated_at.type), after.id)
            statement = statement.where(tuple_(o.updated_at, o.id) < position)
        if operator is not None:
            statement = statement.where(o.operator == operator)
        if customer_id is not None:
            statement = statement.where(o.customer_id == customer_id)
        statement = statement.order_by(o.updated_at.desc(), o.id.desc()).limit(limit)
        return self._summaries(statement)

    def placed_since(self, customer_id: int, since: datetime) -> list[Order]:
        """The customer's non-cancelled, non-draft orders placed at or after ``since``, oldest first."""
        statement = (
            select(orders)
            .where(
                o.customer_id == customer_id,
                o.status.not_in([OrderStatus.DRAFT.value, OrderStatus.CANCELLED.value]),
                o.placed_at >= since,
            )
            .order_by(o.placed_at, o.id)
        )
        return self._load(statement)

    def by_batch_keys(self, keys: Iterable[str]) -> dict[str, int]:
        """Order ids of non-draft orders carrying these batch keys.

        A batch key is unique (migration 0003), so each key is one probe of its index. No ORDER BY:
        ordering by id let PostgreSQL walk the whole orders table in id order instead.
        """
        result: dict[str, int] = {}
        for batch in chunks(unique(list(keys))):
            rows = self._conn.execute(
                select(o.batch_key, o.id).where(
                    self._among(o.batch_key, batch), o.status != OrderStatus.DRAFT.value
                )
            )
            for row in rows:
                result[row.batch_key] = row.id
        return result

    @staticmethod
    def _summary_select() -> Select[Any]:
        """Orders with their customers and line counts (for short lists: drafts)."""
        line_count = (
            select(func.count(ln.id))
            .where(ln.order_id == o.id)
            .correlate(orders)
            .scalar_subquery()
            .label("line_count")
        )
        return select(
            o.id,
            o.number,
            o.status,
            o.source,
            o.customer_id,
            o.total_cents,
            o.placed_at,
            o.updated_at,
            o.operator,
            customers.c.number.label("customer_number"),
            customers.c.first_name,
            customers.c.last_name,
            customers.c.company,
            line_count,
        ).select_from(orders.outerjoin(customers, customers.c.id == o.customer_id))

    def _summaries(self, statement: Select[Any], params: dict[str, Any] | None = None) -> list[OrderSummary]:
        return [
            OrderSummary(
                id=row.id,
                number=row.number,
                status=row.status,
                source=row.source,
                customer_id=row.customer_id,
                customer_number=row.customer_number or "",
                customer_name=(f"{row.first_name or ''} {row.last_name or ''}".strip() or row.company or ""),
                total=from_cents(row.total_cents),
                placed_at=row.placed_at,
                updated_at=row.updated_at,
                operator=row.operator,
                line_count=row.line_count,
            )
            for row in self._conn.execute(statement, params or {})
        ]


# A filter field of OrderFilter and the column it must equal, most selective first. A new filter (an
# order hold, say) is one entry here, one field on OrderFilter and one index that leads with
# (status, column) and ends in (placed_at, id).
_EQUALITY_FILTERS = (
    ("number", o.number),
    ("customer_id", o.customer_id),
    ("operator", o.operator),
    ("source", o.source),
)


@functools.lru_cache(maxsize=512)
def _list_statement(
    statuses: tuple[str, ...], given: tuple[str, ...], resume: str | None, limit: int
) -> Select[Any]:
    """The order-list statement of one shape of filter, built once (values are bound parameters).

    Args:
        statuses: one arm per status.
        given: the names of the filters given (and ``after_id``/``after_placed_at``).
        resume: ``None`` for the first page, else the part (``unplaced``/``placed``) it resumes in.
        limit: the page size.
    """
    conditions = _filter_conditions(given)
    arms = []
    for status in statuses:
        for placed in (False, True):
            if resume == "placed" and not placed:
                continue  # the page starts past every unplaced row
            keyset: list[ColumnElement[bool]] = []
            if resume == "unplaced" and not placed:
                keyset.append(o.id < bindparam("after_id"))
            elif resume == "placed":
                after = tuple_(bindparam("after_placed_at", type_=o.placed_at.type), bindparam("after_id"))
                keyset.append(tuple_(o.placed_at, o.id) < after)
            newest = (o.placed_at.desc(), o.id.desc()) if placed else (o.id.desc(),)
            arm = (
                select(o.id, o.placed_at)
                .where(o.status == status, o.placed_at.is_not(None) if placed else o.placed_at.is_(None))
                .where(*conditions, *keyset)
                .order_by(*newest)
                .limit(limit)
                .subquery()
            )
            arms.append(select(arm.c.id, arm.c.placed_at))
    keys = union_all(*arms).subquery("keys")
    page = (
        select(keys.c.id)
        .order_by(keys.c.placed_at.desc().nulls_first(), keys.c.id.desc())
        .limit(limit)
        .subquery("page")
    )
    return (
        SqlOrderRepository._summary_select()
        .join(page, page.c.id == o.id)
        .order_by(o.placed_at.desc().nulls_first(), o.id.desc())
    )


def _filter_conditions(given: tuple[str, ...]) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the filters given, but the status (each status is an arm).

    Only the most selective equality (or an operator with a source, which one index serves
    together) is offered to the planner's index choice; the others are
    compared as ``column + 0`` or ``column || ''``, which no index serves, so a planner (SQLite's
    without statistics, either with them) never walks a whole operator's orders to find one
    customer's.
    """
    conditions: list[ColumnElement[bool]] = []
    # Held orders are few at any time, far fewer than an operator's or a source's: with a hold
    # filter, ix_orders_status_held_placed leads unless an order number or a customer narrows more.
    # Led by the operator's index instead, a status arm with no held order walks every one of
    # that operator's orders in the status (a quarter of a million in a year) to find none.
    leading = "held" not in given or "number" in given or "customer_id" in given
    # ix_orders_status_operator_source_placed serves an operator and a source together.
    together = leading and "operator" in given and "source" in given
    together = together and "number" not in given and "customer_id" not in given
    for field, column in _EQUALITY_FILTERS:
        if field not in given:
            continue
        if leading or (together and field == "source"):
            conditions.append(column == bindparam(field))
            leading = False
        elif isinstance(column.type, String):
            conditions.append(column.concat("") == bindparam(field))
        else:
            conditions.append(column + 0 == bindparam(field))
    if "held" in given:  # ix_orders_status_held_placed: each status arm is a range read of its held rows
        conditions.append(o.held == bindparam("held"))
    if "placed_from" in given:
        conditions.append(o.placed_at >= bindparam("placed_from", type_=o.placed_at.type))
    if "placed_to" in given:
        conditions.append(o.placed_at < bindparam("placed_to", type_=o.placed_at.type))
    return conditions
