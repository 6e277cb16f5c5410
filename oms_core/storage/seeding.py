"""Storage helpers for the demo seeder: the fastest insert path, blocks of numbers, and what is there.

:mod:`oms_core.storage.bulk` takes dicts and fills defaults and search keys for every row, which is the
right trade for data loads. The seeder already knows every value (search keys included), and at a
million customers the per-row dict work and SQLAlchemy's per-row parameter processing cost more than
SQLite's own insert, so :func:`insert_tuples` sends ready tuples straight to the driver's
``executemany``, applying only the column types' bind processors (booleans, UTC timestamps, exact
decimals) so the values stored are exactly what the repositories would store.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Table, func, select, update

from oms_core.clock import SystemClock
from oms_core.domain.customers import Customer
from oms_core.domain.products import Product
from oms_core.storage.customers import SqlCustomerRepository
from oms_core.storage.products import SqlProductRepository
from oms_core.storage.tables import counters, customers, products

LOAD_CACHE_KIB = -524_288
"""``PRAGMA cache_size`` during a load: negative means KiB, so 512 MiB at most (used only as needed)."""


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
