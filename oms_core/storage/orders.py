"""Orders with their lines and payments: rows <-> ``Order``, order lists and batch look-ups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, Table, bindparam, delete, func, insert, select, update

from oms_core.domain.customers import Address
from oms_core.domain.errors import InvalidState, NotFound, StaleEdit
from oms_core.domain.money import from_cents, to_cents
from oms_core.domain.orders import Order, OrderLine, OrderSource, OrderStatus
from oms_core.domain.payments import CardToken, Payment, PaymentChoice, PaymentMethod, PaymentStatus
from oms_core.ports import OrderRepository
from oms_core.read_models import OrderFilter, OrderSummary
from oms_core.storage._common import Repository, chunks, unique
from oms_core.storage.fast_insert import insert_tuples
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


def _address_values(prefix: str, address: Address | None) -> dict[str, Any]:
    if address is None:
        return {f"{prefix}_{name}": None for name in ADDRESS_FIELDS}
    return {f"{prefix}_{name}": getattr(address, name) for name in ADDRESS_FIELDS}


def _choice_values(choice: PaymentChoice | None) -> dict[str, Any]:
    card = choice.card if choice is not None else None
    return {
        "payment_method": str(choice.method) if choice is not None else None,
        "payment_card_id": choice.card_id if choice is not None else None,
        "payment_token": card.token if card else None,
        "payment_brand": card.brand if card else None,
        "payment_last4": card.last4 if card else None,
        "payment_exp_month": card.exp_month if card else None,
        "payment_exp_year": card.exp_year if card else None,
        "payment_check_number": choice.check_number if choice is not None else None,
    }


def _insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert dicts that all have the same keys, through the driver's executemany."""
    if rows:
        columns = list(rows[0])
        insert_tuples(conn, table, columns, [tuple(row[name] for name in columns) for row in rows])


def _order_values(order: Order) -> dict[str, Any]:
    """Every column of the order row except ``id``, ``version`` and the timestamps."""
    subtotal, tax, total = order.totals()
    return {
        "number": order.number,
        "status": str(order.status),
        "source": str(order.source),
        "customer_id": order.customer_id,
        "operator": order.operator,
        **_address_values("bill", order.bill_to),
        **_address_values("ship", order.ship_to),
        "ship_to_address_id": order.ship_to_address_id,
        "shipping_method": order.shipping_method,
        "shipping_cents": to_cents(order.shipping_charge),
        "shipping_tax_cents": to_cents(order.shipping_tax),
        "subtotal_cents": to_cents(subtotal),
        "tax_cents": to_cents(tax),
        "total_cents": to_cents(total),
        **_choice_values(order.payment_choice),
        "gift_message": order.gift_message,
        "notes": order.notes,
        "batch_key": order.batch_key,
        "placed_at": order.placed_at,
    }


def _line_values(order_id: int, position: int, line: OrderLine) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "position": position,
        "product_id": line.product_id,
        "sku": line.sku,
        "name": line.name,
        "quantity": line.quantity,
        "unit_price_cents": to_cents(line.unit_price),
        "price_override_cents": None if line.price_override is None else to_cents(line.price_override),
        "override_reason": line.override_reason,
        "taxable": line.taxable,
        "weight_lb": line.weight_lb,
        "line_tax_cents": to_cents(line.line_tax),
    }


def _payment_values(order_id: int, payment: Payment, now: datetime) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "method": str(payment.method),
        "amount_cents": to_cents(payment.amount),
        "status": str(payment.status),
        "reference": payment.reference,
        "token": payment.token,
        "brand": payment.brand,
        "last4": payment.last4,
        "exp_month": payment.exp_month,
        "exp_year": payment.exp_year,
        "check_number": payment.check_number,
        "created_at": now,
    }


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

    def get(self, order_id: int) -> Order:
        """Load a whole order. Raises ``NotFound``."""
        statement = select(orders).where(o.id == order_id)
        if self._write:
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
        """Insert many orders with their lines and payments in a few statements; set the ids."""
        if not orders_:
            return
        now = self._clock.now()
        rows = []
        for order in orders_:
            order.created_at = order.created_at or now
            order.updated_at = order.updated_at or order.created_at
            rows.append(
                _order_values(order)
                | {"version": order.version, "created_at": order.created_at, "updated_at": order.updated_at}
            )
        numbers = [order.number for order in orders_]
        if all(number is not None for number in numbers):
            ids = self._insert_numbered(rows, numbers)  # type: ignore[arg-type]
        else:
            ids = (
                self._conn.execute(insert(orders).returning(o.id, sort_by_parameter_order=True), rows)
                .scalars()
                .all()
            )
        lines: list[tuple[OrderLine, dict[str, Any]]] = []
        payment_rows: list[dict[str, Any]] = []
        for order, order_id in zip(orders_, ids, strict=True):
            order.id = order_id
            lines.extend((line, _line_values(order_id, i, line)) for i, line in enumerate(order.lines))
            payment_rows.extend(_payment_values(order_id, payment, now) for payment in order.payments)
        if all(number is not None for number in numbers):
            self._insert_lines_in_bulk(lines, ids)
        else:
            self._insert_lines(lines)
        if payment_rows:
            _insert_rows(self._conn, payments, payment_rows)

    def _insert_numbered(self, rows: list[dict[str, Any]], numbers: list[int]) -> list[int]:
        # INSERT ... RETURNING with sort_by_parameter_order makes SQLite send one statement per
        # row; placed orders carry unique numbers, so a plain executemany and one look-up by
        # number is several times faster for batch jobs.
        _insert_rows(self._conn, orders, rows)
        found: dict[int, int] = {}
        for batch in chunks(numbers):
            found.update(
                (number, order_id)
                for number, order_id in self._conn.execute(select(o.number, o.id).where(o.number.in_(batch)))
            )
        return [found[number] for number in numbers]

    def _insert_lines_in_bulk(
        self, lines: list[tuple[OrderLine, dict[str, Any]]], order_ids: list[int]
    ) -> None:
        if not lines:
            return
        _insert_rows(self._conn, order_lines, [values for _, values in lines])
        ids: dict[tuple[int, int], int] = {}
        for batch in chunks(order_ids):
            query = select(ln.order_id, ln.position, ln.id).where(ln.order_id.in_(batch))
            ids.update(
                ((order_id, position), line_id) for order_id, position, line_id in self._conn.execute(query)
            )
        for line, values in lines:
            line.id = ids[(values["order_id"], values["position"])]

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

    def list(self, order_filter: OrderFilter, limit: int, offset: int = 0) -> list[OrderSummary]:
        """Orders matching the filter, newest first (drafts, when included, before placed orders).

        ``placed_from`` is inclusive, ``placed_to`` exclusive. Without a status, drafts are left out
        unless ``include_drafts``.
        """
        statement = self._summary_select()
        f = order_filter
        if f.status is not None:
            statement = statement.where(o.status == str(f.status))
        elif not f.include_drafts:
            statement = statement.where(o.status != OrderStatus.DRAFT.value)
        if f.customer_id is not None:
            statement = statement.where(o.customer_id == f.customer_id)
        if f.number is not None:
            statement = statement.where(o.number == f.number)
        if f.placed_from is not None:
            statement = statement.where(o.placed_at >= f.placed_from)
        if f.placed_to is not None:
            statement = statement.where(o.placed_at < f.placed_to)
        if f.source is not None:
            statement = statement.where(o.source == str(f.source))
        statement = statement.order_by(o.placed_at.desc().nulls_first(), o.id.desc())
        return self._summaries(statement.limit(limit).offset(max(offset, 0)))

    def drafts(
        self, operator: str | None = None, customer_id: int | None = None, limit: int = 50
    ) -> list[OrderSummary]:
        """Open drafts, most recently edited first."""
        statement = self._summary_select().where(o.status == OrderStatus.DRAFT.value)
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
        """Order ids of non-draft orders carrying these batch keys."""
        result: dict[str, int] = {}
        for batch in chunks(unique(list(keys))):
            rows = self._conn.execute(
                select(o.batch_key, o.id)
                .where(o.batch_key.in_(batch), o.status != OrderStatus.DRAFT.value)
                .order_by(o.id)
            )
            for row in rows:
                result.setdefault(row.batch_key, row.id)
        return result

    @staticmethod
    def _summary_select() -> Select[Any]:
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

    def _summaries(self, statement: Select[Any]) -> list[OrderSummary]:
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
            for row in self._conn.execute(statement)
        ]
