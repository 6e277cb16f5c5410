"""Storage helpers for the demo seeder: the fastest insert path, blocks of numbers, and what is there.

:mod:`oms_core.storage.bulk` takes dicts and fills defaults and search keys for every row, which is the
right trade for data loads. The seeder already knows every value (search keys included), and at a
million customers the per-row dict work and SQLAlchemy's per-row parameter processing cost more than
SQLite's own insert, so :func:`insert_tuples` sends ready tuples straight to the driver's
``executemany``, applying only the column types' bind processors (booleans, UTC timestamps, exact
decimals) so the values stored are exactly what the repositories would store.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Boolean, Connection, Table, func, insert, select, update

from oms_core.clock import SystemClock
from oms_core.domain.customers import Customer
from oms_core.domain.products import Product
from oms_core.storage._common import chunks
from oms_core.storage.bulk import CHUNK_ROWS
from oms_core.storage.customers import SqlCustomerRepository
from oms_core.storage.products import SqlProductRepository
from oms_core.storage.tables import counters, customers, products

LOAD_CACHE_KIB = -524_288
"""``PRAGMA cache_size`` during a load: negative means KiB, so 512 MiB at most (used only as needed)."""


def insert_tuples(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    prepared: Collection[str] = (),
) -> int:
    """Insert rows given as tuples in ``columns`` order, through the driver's ``executemany``.

    Nothing is defaulted or derived: every non-null column without a server default must be given,
    search keys included. Rows are sent in chunks of :data:`~oms_core.storage.bulk.CHUNK_ROWS` on the
    connection's current transaction, so a generator of a million rows never sits in memory.

    Args:
        conn: an open connection inside the caller's (write) transaction.
        table: one of :mod:`oms_core.storage.tables`.
        columns: the column names the tuples hold, in order.
        rows: the tuples.
        prepared: columns whose values already went through :func:`converter` (a caller that
            draws from a pool of values converts the pool once instead of every row).

    Returns:
        How many rows were inserted.
    """
    dialect = conn.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    processors = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        if name in prepared or (dialect.name == "sqlite" and isinstance(column_type, Boolean)):
            continue  # sqlite3 itself stores a bool as the integer 1 or 0, as the processor would
        process = column_type._cached_bind_processor(dialect)
        if process is not None:
            processors.append((index, process, {}))
    order = list(range(len(columns)))
    if compiled.positional:
        order = [columns.index(name) for name in compiled.positiontup or ()]
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    count = 0
    try:
        for batch in chunks(rows, CHUNK_ROWS):
            if processors:
                # Processed rows are lists; the driver takes any sequence.
                batch = [_processed(row, processors) for row in batch]
            if not compiled.positional:
                params: list[Any] = [dict(zip(columns, row, strict=True)) for row in batch]
            elif order == sorted(order):
                params = batch
            else:
                params = [tuple(row[i] for i in order) for row in batch]
            cursor.executemany(compiled.string, params)
            count += len(batch)
    finally:
        cursor.close()
    if count and "id" in columns and dialect.name == "postgresql":
        # Explicit ids leave the id sequence behind: move it past them, or the next row an operator
        # adds would be given an id that is already taken.
        largest = select(func.max(table.c.id)).scalar_subquery()
        conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), largest)))
    return count


def converter(conn: Connection, table: Table, column: str) -> Callable[[Any], Any]:
    """The function that turns a value into what the driver is sent for ``table.column``."""
    process = table.c[column].type._cached_bind_processor(conn.dialect)
    return process if process is not None else _same


def _same(value: Any) -> Any:
    return value


_MEMO_LIMIT = 100_000


def _processed(row: Sequence[Any], processors: list[tuple[int, Any, dict[Any, Any]]]) -> list[Any]:
    # Bind processors are pure functions of the value, and seeded columns repeat their values
    # (booleans, a pool of timestamps), so each distinct value is converted once.
    values = list(row)
    for index, process, memo in processors:
        value = values[index]
        try:
            values[index] = memo[value]
        except KeyError:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            values[index] = memo[value] = process(value)
        except TypeError:  # an unhashable value: convert it every time
            values[index] = process(value)
    return values


@contextmanager
def loading(conn: Connection, tables: Sequence[Table], rebuild_indexes: bool) -> Iterator[None]:
    """Make a large load into ``tables`` fast, inside the caller's transaction.

    On SQLite the connection's page cache is raised for the load (and put back after), since
    index pages no longer fit the default 2 MiB and every insert would go back to the file. With
    ``rebuild_indexes`` the tables' secondary indexes are dropped first and built again at the end:
    sorting once is several times cheaper than a million random B-tree inserts per index. The
    drop and rebuild are part of the transaction, so a failed load leaves every index in place.

    Args:
        conn: an open connection inside the caller's write transaction.
        tables: the tables about to be loaded.
        rebuild_indexes: drop and rebuild the secondary indexes (worth it when the load is at
            least as large as what the tables hold).
    """
    sqlite = conn.dialect.name == "sqlite"
    old_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar() if sqlite else None
    if sqlite:
        conn.exec_driver_sql(f"PRAGMA cache_size = {LOAD_CACHE_KIB:d}")
    indexes = sorted((ix for table in tables for ix in table.indexes), key=lambda ix: str(ix.name))
    try:
        if rebuild_indexes:
            for index in indexes:
                index.drop(conn, checkfirst=True)
        yield
        if rebuild_indexes:
            for index in indexes:
                index.create(conn, checkfirst=True)
    finally:
        if sqlite:
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(old_cache or -2000):d}")


def reserve_numbers(conn: Connection, counter: str, count: int) -> int:
    """Take ``count`` consecutive numbers from a counter (``"customer"`` or ``"order"``) in one update.

    Returns:
        The first number of the block; the block is ``first .. first + count - 1``.
    """
    last = conn.execute(
        update(counters)
        .where(counters.c.name == counter)
        .values(value=counters.c.value + count)
        .returning(counters.c.value)
    ).scalar_one()
    return int(last) - count + 1


def max_id(conn: Connection, table: Table) -> int:
    """The largest id in ``table`` (0 when empty): explicit ids for new rows continue after it."""
    return int(conn.scalar(select(func.max(table.c.id))) or 0)


def existing_skus(conn: Connection) -> set[str]:
    """Every SKU in the catalogue (upper-case), so a new catalogue never collides with it."""
    return set(conn.scalars(select(products.c.sku)))


def customer_count(conn: Connection) -> int:
    """How many customers there are."""
    return int(conn.scalar(select(func.count()).select_from(customers)) or 0)


def sellable_products(conn: Connection, limit: int) -> list[Product]:
    """Up to ``limit`` active products, by id: what seeded orders may sell from an existing catalogue."""
    ids = list(
        conn.scalars(
            select(products.c.id).where(products.c.active.is_(True)).order_by(products.c.id).limit(limit)
        )
    )
    found = SqlProductRepository(conn, SystemClock()).get_many(ids)
    return [found[i] for i in ids if i in found]


def active_customers(conn: Connection, limit: int) -> list[Customer]:
    """Up to ``limit`` active customers with an address, newest first, as whole customers."""
    ids = list(
        conn.scalars(
            select(customers.c.id)
            .where(customers.c.status == "active")
            .order_by(customers.c.id.desc())
            .limit(limit)
        )
    )
    found = SqlCustomerRepository(conn, SystemClock()).get_many(ids)
    return [found[i] for i in ids if i in found and found[i].addresses]
