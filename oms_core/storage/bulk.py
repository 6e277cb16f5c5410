"""Fast bulk inserts for the demo-data seeder and data loads: plain dicts in, ``executemany`` out.

Every function takes an open connection (the caller owns the transaction: ``with engine.begin() as
conn``) and an iterable of dicts keyed by column name; rows are sent in chunks of :data:`CHUNK_ROWS`, so
a generator of a million rows never sits in memory at once. Keys a row leaves out take the defaults
listed below; ``id`` may be given (recommended when other rows must refer to it, e.g. addresses to
customers) and, on PostgreSQL, the table's id sequence is moved past the largest id afterwards.
Money is integer cents, timestamps timezone-aware datetimes (naive ones are taken as UTC). Rows are
not validated: they go in as given.

Expected keys (required in **bold**, the rest default as shown):

``insert_customers``
    **number** (``C000001``, upper-case), **first_name**, **last_name**, company="", email="",
    phone="" (E.164), alt_phone="", type_code="RETAIL", tax_exempt=False, notes="", status="active",
    preferred_pickup=False, version=1, created_at=now, updated_at=created_at, id. The search keys
    (``last_key`` ... ``alt_phone_key``) are computed from the names, email and phones.
``insert_addresses``
    **customer_id**, label="", name="", company="", address1="", address2="", city="", state="",
    zip="", country="US", phone="", is_default_billing=False, is_default_shipping=False, id.
``insert_cards``
    **customer_id**, **token**, **brand**, **last4**, **exp_month**, **exp_year**, id. Never a card
    number or security code: there are no columns for them.
``insert_products``
    **sku** (upper-cased here), **name**, **list_price_cents**, taxable=True, weight_lb=Decimal(0),
    stock_on_hand=0, allow_backorder=False, active=True, id. ``name_key`` is computed.
``insert_orders``
    **status**, **customer_id**, **total_cents** and the other ``orders`` columns (see
    :data:`oms_core.storage.tables.orders`); number=None, source="phone", operator="", bill_*/ship_*
    =None, shipping_method="", money columns 0, payment_*=None, gift_message="", notes="",
    batch_key=None, created_at=now, updated_at=created_at, placed_at=None, version=1, id.
``insert_order_lines``
    **order_id**, **product_id**, **sku**, **name**, **quantity**, **unit_price_cents**, position=0,
    price_override_cents=None, override_reason="", taxable=True, weight_lb=Decimal(0),
    line_tax_cents=0, id.
``insert_payments``
    **order_id**, **method**, **amount_cents**, **status**, reference="", token="", brand="",
    last4="", exp_month=None, exp_year=None, check_number="", created_at=now, id.
``insert_audit_events``
    **operator**, **action**, order_id=None, customer_id=None, detail="", at=now, id.

After loading customers or orders with their own numbers, call :func:`sync_counters` so that the next
allocated numbers follow the largest ones loaded.

Loading into an **empty** table drops that table's secondary indexes and rebuilds them when the call
ends (same transaction), which is several times quicker for a big load; it also takes a table lock on
PostgreSQL meanwhile. These functions are for seeding and data loads, not for the operators' paths
(which go through the repositories).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Index, Table, func, insert, literal, select, update

from oms_core.storage._common import chunks
from oms_core.storage.customers import customer_key_values
from oms_core.storage.keys import text_key
from oms_core.storage.tables import (
    ADDRESS_FIELDS,
    CUSTOMER_COUNTER,
    ORDER_COUNTER,
    addresses,
    audit_events,
    cards,
    counters,
    customers,
    order_lines,
    orders,
    payments,
    products,
)

CHUNK_ROWS = 20_000
BULK_CACHE_KIB = 256 * 1024

Row = Mapping[str, Any]
_NOW = object()  # placeholder default: the time the function was called
_SAME_AS_CREATED = object()


_REQUIRED = object()


def _loader(
    table: Table,
    defaults: dict[str, Any],
    derive: Callable[[Row], dict[str, Any]] | None = None,
) -> Callable[[Connection, Iterable[Row]], int]:
    names = [c.name for c in table.columns if c.name != "id"]
    spec = [(name, defaults.get(name, _REQUIRED)) for name in names]
    now_at = [i for i, (_, default) in enumerate(spec) if default is _NOW]
    same_at = [i for i, (_, default) in enumerate(spec) if default is _SAME_AS_CREATED]
    created_at = names.index("created_at") if "created_at" in names else None

    def load(conn: Connection, rows: Iterable[Row]) -> int:
        # Millions of short-lived rows would set off the cyclic garbage collector again and again
        # (each pass walking every row the caller holds): none of them form cycles, so pause it.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return _load(conn, rows)
        finally:
            if collecting:
                gc.enable()

    def _load(conn: Connection, rows: Iterable[Row]) -> int:
        now = datetime.now(UTC)
        writer = _Writer(conn, table, names)
        count = 0
        writer.start()
        for batch in chunks(rows, CHUNK_ROWS):
            with_ids: list[tuple[Any, ...]] = []
            without_ids: list[tuple[Any, ...]] = []
            for given in batch:
                if derive is not None:
                    given = derive(given)
                values = [given.get(name, default) for name, default in spec]
                for i in now_at:
                    if values[i] is _NOW or values[i] is None:
                        values[i] = now
                for i in same_at:
                    if values[i] is _SAME_AS_CREATED or values[i] is None:
                        values[i] = now if created_at is None else values[created_at]
                if _REQUIRED in values:
                    missing = spec[values.index(_REQUIRED)][0]
                    raise KeyError(f"{table.name} rows need {missing!r}")
                row_id = given.get("id")
                if row_id is None:
                    without_ids.append(tuple(values))
                else:
                    values.append(row_id)
                    with_ids.append(tuple(values))
            writer.write(with_ids, without_ids)
            count += len(batch)
        writer.finish()
        return count

    return load


class _Writer:
    """Sends prepared rows to the driver directly, past SQLAlchemy's per-row statement machinery.

    Each value still goes through its column type's bind processor (so timestamps, decimals and
    booleans are stored exactly as the repositories store them). SQLite gets ``executemany`` on the
    raw cursor; PostgreSQL gets ``COPY ... FROM STDIN``. Rows without an ``id`` let the database number
    them; after explicit ids, the PostgreSQL sequence is moved past the largest.
    """

    def __init__(self, conn: Connection, table: Table, names: list[str]) -> None:
        self.conn = conn
        self.table = table
        self.names = names
        self.dialect = conn.dialect
        self.max_id = 0
        self._dropped: list[Index] = []
        self._cache_size: int | None = None
        self._processors = [
            table.c[name].type._cached_bind_processor(self.dialect)  # SQLAlchemy's own cache
            for name in [*names, "id"]
        ]

    def start(self) -> None:
        """Prepare an initial load: an empty table's secondary indexes are dropped until the end
        (building an index once is far quicker than growing it row by row), and SQLite gets a big
        page cache meanwhile.
        """
        if self.conn.scalar(select(literal(1)).select_from(self.table).limit(1)) is None:
            self._dropped = sorted(self.table.indexes, key=lambda index: str(index.name))
            for index in self._dropped:
                index.drop(self.conn)
        if self.dialect.name == "sqlite":
            self._cache_size = int(self.conn.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
            self.conn.exec_driver_sql(f"PRAGMA cache_size = {-BULK_CACHE_KIB:d}")

    def write(self, with_ids: list[tuple[Any, ...]], without_ids: list[tuple[Any, ...]]) -> None:
        """Insert one chunk: rows that carry their id (last value) and rows that do not."""
        if with_ids:
            self.max_id = max(self.max_id, max(int(row[-1]) for row in with_ids))
            self._send([*self.names, "id"], with_ids)
        if without_ids:
            self._send(self.names, without_ids)

    def _send(self, names: list[str], rows: list[tuple[Any, ...]]) -> None:
        columns = list(zip(*rows, strict=True))
        processed = [
            column if processor is None else _process(processor, column)
            for processor, column in zip(self._processors, columns, strict=False)
        ]
        tuples = list(zip(*processed, strict=True))
        cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if self.dialect.name == "postgresql":
                self._copy(cursor, names, tuples)
            else:
                compiled = insert(self.table).compile(dialect=self.dialect, column_keys=names)
                if compiled.positiontup is not None:
                    order = [names.index(key) for key in compiled.positiontup]
                    if order != list(range(len(names))):
                        tuples = [tuple(row[i] for i in order) for row in tuples]
                    cursor.executemany(str(compiled), tuples)
                else:
                    cursor.executemany(str(compiled), [dict(zip(names, row, strict=True)) for row in tuples])
        finally:
            cursor.close()

    def _copy(self, cursor: Any, names: list[str], tuples: list[tuple[Any, ...]]) -> None:
        from psycopg import sql  # only on PostgreSQL

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.table.name), sql.SQL(", ").join(sql.Identifier(n) for n in names)
        )
        with cursor.copy(statement) as copy:
            for values in tuples:
                copy.write_row(values)

    def finish(self) -> None:
        """Rebuild dropped indexes, restore the page cache, move the PostgreSQL id sequence."""
        for index in self._dropped:
            index.create(self.conn)
        if self._cache_size is not None:
            self.conn.exec_driver_sql(f"PRAGMA cache_size = {self._cache_size:d}")
        if self.max_id and self.dialect.name == "postgresql":
            _move_sequence(self.conn, self.table)


def _process(processor: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """Run a bind processor over a column, once per distinct hashable value (timestamps repeat)."""
    cache: dict[Any, Any] = {}
    out = []
    for value in values:
        try:
            out.append(cache[value])
        except KeyError:
            cache[value] = result = processor(value)
            out.append(result)
        except TypeError:  # unhashable
            out.append(processor(value))
    return out


def _move_sequence(conn: Connection, table: Table) -> None:
    """Move a PostgreSQL id sequence past the largest id (after inserts with explicit ids)."""
    largest = select(func.max(table.c.id)).scalar_subquery()
    conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), largest)))


def _customer_keys(given: Row) -> dict[str, Any]:
    row = dict(given)
    row["number"] = (given.get("number") or "").strip().upper()
    row.update(customer_key_values(given))
    return row


def _product_keys(given: Row) -> dict[str, Any]:
    row = dict(given)
    row["sku"] = (given.get("sku") or "").strip().upper()
    row["name_key"] = text_key(given.get("name") or "")
    return row


_insert_customers = _loader(
    customers,
    {
        "company": "",
        "email": "",
        "phone": "",
        "alt_phone": "",
        "type_code": "RETAIL",
        "tax_exempt": False,
        "notes": "",
        "status": "active",
        "preferred_pickup": False,
        "version": 1,
        "created_at": _NOW,
        "updated_at": _SAME_AS_CREATED,
        "last_key": "",
        "first_key": "",
        "company_key": "",
        "email_key": "",
        "phone_key": "",
        "alt_phone_key": "",
    },
    _customer_keys,
)
_insert_addresses = _loader(
    addresses,
    {
        "label": "",
        "name": "",
        "company": "",
        "address1": "",
        "address2": "",
        "city": "",
        "state": "",
        "zip": "",
        "country": "US",
        "phone": "",
        "is_default_billing": False,
        "is_default_shipping": False,
    },
)
_insert_cards = _loader(cards, {})
_insert_products = _loader(
    products,
    {
        "name_key": "",
        "taxable": True,
        "weight_lb": Decimal(0),
        "stock_on_hand": 0,
        "allow_backorder": False,
        "active": True,
    },
    _product_keys,
)
_insert_orders = _loader(
    orders,
    {
        "number": None,
        "source": "phone",
        "operator": "",
        **{f"{prefix}_{name}": None for prefix in ("bill", "ship") for name in ADDRESS_FIELDS},
        "ship_to_address_id": None,
        "shipping_method": "",
        "shipping_cents": 0,
        "shipping_tax_cents": 0,
        "subtotal_cents": 0,
        "tax_cents": 0,
        "payment_method": None,
        "payment_card_id": None,
        "payment_token": None,
        "payment_brand": None,
        "payment_last4": None,
        "payment_exp_month": None,
        "payment_exp_year": None,
        "payment_check_number": None,
        "gift_message": "",
        "notes": "",
        "batch_key": None,
        "created_at": _NOW,
        "updated_at": _SAME_AS_CREATED,
        "placed_at": None,
        "version": 1,
    },
)
_insert_order_lines = _loader(
    order_lines,
    {
        "position": 0,
        "price_override_cents": None,
        "override_reason": "",
        "taxable": True,
        "weight_lb": Decimal(0),
        "line_tax_cents": 0,
    },
)
_insert_payments = _loader(
    payments,
    {
        "reference": "",
        "token": "",
        "brand": "",
        "last4": "",
        "exp_month": None,
        "exp_year": None,
        "check_number": "",
        "created_at": _NOW,
    },
)
_insert_audit_events = _loader(
    audit_events, {"order_id": None, "customer_id": None, "detail": "", "at": _NOW}
)


def insert_customers(conn: Connection, rows: Iterable[Row]) -> int:
    """Insert customers (keys in the module docstring); return how many."""
    return _insert_customers(conn, rows)


def insert_addresses(conn: Connection, rows: Iterable[Row]) -> int:
    """Insert address-book entries; return how many."""
    return _insert_addresses(conn, rows)


def insert_cards(conn: Connection, rows: Iterable[Row]) -> int:
    """Insert cards on file (tokens only); return how many."""
    return _insert_cards(conn, rows)


def insert_products(conn: Connection, rows: Iterable[Row]) -> int:
    """Insert products; return how many."""
    return _insert_products(conn, rows)


def insert_orders(conn: Connection, rows: Iterable[Row]) -> int:
    """Insert order rows (without lines); return how many. Give ``total_cents`` consistent with lines."""
    return _insert_orders(conn, rows)


def insert_order_lines(conn: Connection, rows: Iterable[Row]) -> int:
    """Insert order lines; return how many."""
    return _insert_order_lines(conn, rows)


def insert_payments(conn: Connection, rows: Iterable[Row]) -> int:
    """Insert payments; return how many."""
    return _insert_payments(conn, rows)


def insert_audit_events(conn: Connection, rows: Iterable[Row]) -> int:
    """Insert audit events; return how many."""
    return _insert_audit_events(conn, rows)


def set_counter(conn: Connection, name: str, value: int) -> None:
    """Set a number counter (``"order"`` or ``"customer"``): the next number allocated is ``value + 1``."""
    conn.execute(update(counters).where(counters.c.name == name).values(value=value))


def sync_counters(conn: Connection) -> None:
    """Move both counters up to the largest order number and customer number stored (never down)."""
    max_order = conn.scalar(select(func.max(orders.c.number))) or 0
    max_customer = 0
    # By length first: as text, "C999999" sorts after "C1000000".
    newest = select(customers.c.number).order_by(
        func.length(customers.c.number).desc(), customers.c.number.desc()
    )
    for (number,) in conn.execute(newest.limit(1)):
        digits = "".join(ch for ch in number if ch.isdigit())
        max_customer = int(digits) if digits else 0
    for name, value in ((ORDER_COUNTER, max_order), (CUSTOMER_COUNTER, max_customer)):
        conn.execute(
            update(counters).where(counters.c.name == name, counters.c.value < value).values(value=value)
        )
