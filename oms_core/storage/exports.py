"""The SQL read side of exports: keyset pages from one snapshot, never a whole table in memory.

Each page is one indexed range query (``WHERE key > :after ORDER BY key LIMIT :n``) plus one query for
the page's addresses or lines, so a page costs the same at the millionth customer as at the first
(``OFFSET`` would rescan everything before it). The whole export reads one snapshot: a deferred
transaction on SQLite (WAL keeps the snapshot while writers go on), ``REPEATABLE READ`` on PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, Engine, Row, select

from oms_core.domain.customers import Address
from oms_core.domain.money import from_cents, money
from oms_core.domain.orders import OrderStatus
from oms_core.ports import (
    CustomerRecord,
    ExportSource,
    OrderLineRecord,
    OrderRecord,
    ProductRecord,
    ShipmentLineRecord,
    ShipmentRecord,
)
from oms_core.storage.tables import (
    ADDRESS_FIELDS,
    addresses,
    customers,
    order_lines,
    orders,
    products,
    shipment_lines,
    shipments,
)

c = customers.c
a = addresses.c
o = orders.c
ln = order_lines.c
p = products.c
s = shipments.c
sl = shipment_lines.c


class SqlExportSource(ExportSource):
    """Pages of customers, products and orders from one read snapshot of the database.

    Args:
        engine: from :func:`oms_core.storage.database.make_engine`; the connection is opened at the
            first page and closed by :meth:`close`.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None

    def _connection(self) -> Connection:
        if self._conn is None:
            conn = self._engine.connect()
            if conn.dialect.name == "postgresql":
                # READ COMMITTED would let each page see a different moment; the export must not.
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            self._conn = conn
        return self._conn

    def close(self) -> None:
        """End the snapshot and return the connection."""
        if self._conn is not None:
            self._conn.rollback()
            self._conn.close()
            self._conn = None

    def customers(self, after_id: int, limit: int) -> list[CustomerRecord]:
        """Customers with ids above ``after_id``, by id, with city/state/ZIP of their bill-to."""
        conn = self._connection()
        rows = list(
            conn.execute(
                select(
                    c.id,
                    c.number,
                    c.first_name,
                    c.last_name,
                    c.company,
                    c.email,
                    c.phone,
                    c.type_code,
                    c.status,
                )
                .where(c.id > after_id)
                .order_by(c.id)
                .limit(limit)
            )
        )
        if not rows:
            return []
        places = self._places(conn, rows[0].id, rows[-1].id)
        return [
            CustomerRecord(
                r.id,
                r.number,
                r.first_name,
                r.last_name,
                r.company,
                r.email,
                r.phone,
                r.type_code,
                r.status,
                *places.get(r.id, ("", "", "")),
            )
            for r in rows
        ]

    @staticmethod
    def _places(conn: Connection, first_id: int, last_id: int) -> dict[int, tuple[str, str, str]]:
        """City, state and ZIP per customer in an id range: the default bill-to, else the default
        ship-to, else the first address. A page's ids are a range, so one indexed range scan serves.
        """
        best: dict[int, tuple[int, tuple[str, str, str]]] = {}
        statement = (
            select(a.customer_id, a.is_default_billing, a.is_default_shipping, a.city, a.state, a.zip)
            .where(a.customer_id.between(first_id, last_id))
            .order_by(a.customer_id, a.id)
        )
        for r in conn.execute(statement):
            rank = 0 if r.is_default_billing else 1 if r.is_default_shipping else 2
            current = best.get(r.customer_id)
            if current is None or rank < current[0]:
                best[r.customer_id] = (rank, (r.city, r.state, r.zip))
        return {customer_id: place for customer_id, (_, place) in best.items()}

    def products(self, after_sku: str, limit: int) -> list[ProductRecord]:
        """Products with SKUs after ``after_sku``, by SKU."""
        rows = self._connection().execute(
            select(p.sku, p.name, p.list_price_cents, p.stock_on_hand, p.active, p.allow_backorder)
            .where(p.sku > after_sku)
            .order_by(p.sku)
            .limit(limit)
        )
        return [
            ProductRecord(
                r.sku, r.name, from_cents(r.list_price_cents), r.stock_on_hand, r.active, r.allow_backorder
            )
            for r in rows
        ]

    def orders(self, after_number: int, limit: int) -> list[OrderRecord]:
        """Orders numbered above ``after_number``, by number, with their lines; drafts never."""
        conn = self._connection()
        rows = list(
            conn.execute(
                select(orders, c.number.label("customer_number"))
                .select_from(orders.outerjoin(customers, c.id == o.customer_id))
                .where(o.number.is_not(None), o.number > after_number, o.status != OrderStatus.DRAFT.value)
                .order_by(o.number)
                .limit(limit)
            )
        )
        if not rows:
            return []
        ids = [r.id for r in rows]
        lines: dict[int, list[OrderLineRecord]] = defaultdict(list)
        positions: dict[int, int] = {}  # order line id -> its index in the order's lines
        statement = (
            select(
                ln.id,
                ln.order_id,
                ln.sku,
                ln.name,
                ln.quantity,
                ln.unit_price_cents,
                ln.price_override_cents,
                ln.line_tax_cents,
            )
            .where(ln.order_id.in_(ids))
            .order_by(ln.order_id, ln.position, ln.id)
        )
        for r in conn.execute(statement):
            positions[r.id] = len(lines[r.order_id])
            cents = r.unit_price_cents if r.price_override_cents is None else r.price_override_cents
            price = from_cents(cents)
            lines[r.order_id].append(
                OrderLineRecord(
                    r.sku, r.name, r.quantity, price, from_cents(r.line_tax_cents), money(price * r.quantity)
                )
            )
        sent = self._shipments(conn, ids, positions)
        return [_order(r, tuple(lines.get(r.id, ())), tuple(sent.get(r.id, ()))) for r in rows]

    @staticmethod
    def _shipments(
        conn: Connection, order_ids: list[int], positions: dict[int, int]
    ) -> dict[int, list[ShipmentRecord]]:
        """The shipments of a page's orders, oldest first, each with its lines (two queries a page)."""
        heads = list(
            conn.execute(
                select(s.id, s.order_id, s.carrier, s.service, s.tracking_number, s.shipped_at)
                .where(s.order_id.in_(order_ids))
                .order_by(s.order_id, s.id)
            )
        )
        if not heads:
            return {}
        parts: dict[int, list[ShipmentLineRecord]] = defaultdict(list)
        for r in conn.execute(
            select(sl.shipment_id, sl.order_line_id, sl.sku, sl.quantity)
            .where(sl.shipment_id.in_([h.id for h in heads]))
            .order_by(sl.shipment_id, sl.id)
        ):
            part = ShipmentLineRecord(positions.get(r.order_line_id, -1), r.sku, r.quantity)
            parts[r.shipment_id].append(part)
        found: dict[int, list[ShipmentRecord]] = defaultdict(list)
        for h in heads:
            found[h.order_id].append(
                ShipmentRecord(h.carrier, h.service, h.tracking_number, h.shipped_at, tuple(parts[h.id]))
            )
        return found


def _address(row: Row[Any], prefix: str) -> Address | None:
    values = {name: getattr(row, f"{prefix}_{name}") for name in ADDRESS_FIELDS}
    if all(value is None for value in values.values()):
        return None
    return Address(**{name: value or "" for name, value in values.items()})


def _order(
    row: Row[Any], lines: tuple[OrderLineRecord, ...], sent: tuple[ShipmentRecord, ...]
) -> OrderRecord:
    return OrderRecord(
        number=row.number,
        status=row.status,
        source=row.source,
        customer_number=row.customer_number or "",
        operator=row.operator,
        placed_at=row.placed_at,
        bill_to=_address(row, "bill"),
        ship_to=_address(row, "ship"),
        lines=lines,
        subtotal=from_cents(row.subtotal_cents),
        shipping=from_cents(row.shipping_cents),
        tax=from_cents(row.tax_cents),
        total=from_cents(row.total_cents),
        payment_method=row.payment_method or "",
        payment_last4=row.payment_last4 or "",
        gift_message=row.gift_message,
        shipments=sent,
    )
