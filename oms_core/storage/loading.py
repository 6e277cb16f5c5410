"""Loading many rows at once: the one fast insert path, and what a big load needs besides.

Batch jobs, imports and the demo seeder insert thousands of rows at a time. SQLAlchemy's per-row
parameter processing then costs more than SQLite's own insert, so :func:`insert_tuples` sends ready
tuples straight to the driver's ``executemany``, applying only the column types' bind processors
(booleans, UTC timestamps, exact decimals): the values stored are exactly what the repositories
store. Ids are reserved first (:func:`reserve_ids`) so nothing is read back, numbers come in blocks
(:func:`reserve_numbers`), and a large load runs inside :func:`big_load` (a bigger SQLite page cache;
secondary indexes dropped and rebuilt once). The demo seeder's reads of what a database already
holds are at the end.

Nothing is defaulted or derived here: callers give every column (search keys included). These are
not the operators' paths for single records, which go through the repositories.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Connection, Dialect, Engine, Table, func, literal, select, union_all, update
from sqlalchemy.schema import AddConstraint, DropConstraint

from oms_core.domain.customers import Customer
from oms_core.domain.products import Product
from oms_core.ports import Clock
from oms_core.storage._common import chunks, driver_errors
from oms_core.storage.customers import SqlCustomerRepository
from oms_core.storage.database import connect
from oms_core.storage.products import SqlProductRepository
from oms_core.storage.tables import counters, customers, products, use_dialect

CHUNK_ROWS = 20_000
"""Rows per ``executemany``: a generator of a million rows never sits in memory at once."""


def insert_tuples(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    prepared: Collection[str] = (),
    ids_reserved: bool = False,
) -> int:
    """Insert rows given as tuples in ``columns`` order, through the driver's ``executemany``.

    Nothing is defaulted or derived: every non-null column without a server default must be given,
    search keys included. Rows are sent in chunks of :data:`CHUNK_ROWS` on the
    connection's current transaction, so a generator of a million rows never sits in memory;
    on PostgreSQL each row is sent on as soon as it is made (pass a generator, and the server
    inserts the first rows while the later ones are made).

    Args:
        conn: an open connection inside the caller's (write) transaction.
        table: one of :mod:`oms_core.storage.tables`.
        columns: the column names the tuples hold, in order.
        rows: the tuples.
        prepared: columns whose values already went through :func:`converter` (a caller that
            draws from a pool of values converts the pool once instead of every row).
        ids_reserved: the rows' ids came from :func:`reserve_ids`, so the PostgreSQL id sequence
            is already past them and must not be moved.

    Returns:
        How many rows were inserted.
    """
    dialect = conn.dialect
    statement, converters = _insert_plan(table, tuple(columns), dialect, frozenset(prepared))
    processors = [(index, process, {}) for index, process in converters]  # memos live for one call
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    count = 0
    try:
        if dialect.name == "postgresql":
            # COPY: one statement for the lot. An executemany is one INSERT per row on the server
            # (pipelined, but each parsed, planned and run), several times slower. Each row goes
            # to the driver as soon as it is made (from a generator, as soon as the caller makes
            # it): the driver sends every 32 KiB and the server inserts them as they come, on its
            # own core, while this process makes the next rows. Made in full first, the server
            # waited for the client's rows, then the client for the server's inserts.
            copying = cursor.copy(_copy_statement(table, tuple(columns), dialect))
            with driver_errors(dialect, statement), copying as copy:
                for row in rows:
                    # Processed rows are lists; the driver takes any sequence.
                    copy.write_row(_processed(row, processors) if processors else row)
                    count += 1
        else:
            for batch in chunks(rows, CHUNK_ROWS):
                if processors:
                    batch = [_processed(row, processors) for row in batch]
                with driver_errors(dialect, statement):
                    cursor.executemany(statement, batch)
                count += len(batch)
    finally:
        cursor.close()
    if count and "id" in columns and dialect.name == "postgresql" and not ids_reserved:
        # Explicit ids leave the id sequence behind: move it past them, or the next row an operator
        # adds would be given an id that is already taken.
        largest = select(func.max(table.c.id)).scalar_subquery()
        conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), largest)))
    return count


def update_tuples(
    conn: Connection,
    table: Table,
    key: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    guards: dict[str, Any] | None = None,
) -> int:
    """Update many rows, each given as a tuple ``(key value, *values in columns order)``, at once.

    Only rows that also match every ``guards`` column (the same value for all) are changed, so a
    guarded update (a status still pending, an owner still this process) stays one statement.
    SQLite: the driver's ``executemany`` (in-process, no round trips). PostgreSQL: one
    ``UPDATE ... FROM unnest(...)`` with a column of values per array, instead of a statement per row.

    Args:
        conn: an open connection inside the caller's write transaction.
        table: one of :mod:`oms_core.storage.tables`.
        key: the column each row is matched on (unique within the guards).
        columns: the columns set, in the tuples' order after the key.
        rows: the tuples.
        guards: columns every updated row must hold already, with their values.

    Returns:
        How many rows were updated.
    """
    if not rows:
        return 0
    dialect = conn.dialect
    guards = guards or {}
    names = (key, *columns)
    processes = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    guard_values = [
        _bind(table.c[name].type._cached_bind_processor(dialect), value) for name, value in guards.items()
    ]
    params: list[Any] = []
    same = (False,) * len(names)
    if dialect.name == "postgresql":
        values = [[_bind(process, row[i]) for row in rows] for i, process in enumerate(processes)]
        # A column that gets one value in every row (a chunk's members all "placed" at one time)
        # goes as that value, not as an array of it: the driver turns an array into its wire form
        # element by element in Python, which cost more than the update. The SQL takes them in
        # its text's order: the single values (SET), the arrays (unnest), the guards.
        same = tuple(i > 0 and _one_value(column) for i, column in enumerate(values))
        params = [column[0] for column, one in zip(values, same, strict=True) if one]
        params += [column for column, one in zip(values, same, strict=True) if not one]
    statement = _update_plan(table, key, tuple(columns), tuple(guards), dialect, same)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with driver_errors(dialect, statement):
            if dialect.name == "postgresql":
                cursor.execute(statement, [*params, *guard_values])
            else:
                cursor.executemany(
                    statement,
                    [
                        [*(_bind(p, v) for p, v in zip(processes[1:], row[1:], strict=True)),
                         _bind(processes[0], row[0]), *guard_values]
                        for row in rows
                    ],
                )  # fmt: skip
            return int(cursor.rowcount)
    finally:
        cursor.close()


def plain_rows(
    dialect: Dialect, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> list[Sequence[Any]]:
    """``rows`` as the driver is sent them (the columns' own bind conversions applied), holding only
    plain values (text, integers, floats, booleans, ``None``), so another process can make them,
    :mod:`marshal` hand them over several times faster than pickle, and :func:`insert_tuples`
    send them with ``prepared=columns``.

    SQLite's driver values are plain already. PostgreSQL's timestamps and decimals become their
    text, which COPY's text format sends as it would have sent the values themselves (the server
    parses each by its column's type), so :func:`insert_tuples` stores exactly the same.
    """
    _, converters = _insert_plan(table, tuple(columns), dialect, frozenset())
    if dialect.name == "postgresql":
        converters = tuple((index, _as_text(process)) for index, process in converters)
    if not converters:
        return list(rows)
    processors = [(index, process, {}) for index, process in converters]
    return [_processed(row, processors) for row in rows]


def _as_text(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def as_text(value: Any) -> Any:
        converted = process(value)
        if isinstance(converted, datetime):
            return converted.isoformat()
        return str(converted) if isinstance(converted, Decimal) else converted

    return as_text


def _one_value(column: Sequence[Any]) -> bool:
    """Every value of ``column`` is the same one."""
    first = column[0]
    return all(value == first and type(value) is type(first) for value in column)


def _bind(process: Callable[[Any], Any] | None, value: Any) -> Any:
    return value if process is None else process(value)


@functools.lru_cache(maxsize=64)
def _update_plan(
    table: Table,
    key: str,
    columns: tuple[str, ...],
    guards: tuple[str, ...],
    dialect: Dialect,
    same: tuple[bool, ...],
) -> str:
    """The UPDATE's SQL for :func:`update_tuples` (identifiers from the table's own metadata); on
    PostgreSQL each of the key and ``columns`` is an array of values, or one value where ``same``.
    """
    preparer = dialect.identifier_preparer
    name = preparer.format_table(table)
    quoted = {column: preparer.quote(table.c[column].name) for column in (key, *columns, *guards)}
    if dialect.name == "postgresql":
        names = (key, *columns)
        types = dict(
            zip(names, (table.c[column].type.compile(dialect=dialect) for column in names), strict=True)
        )
        varying = [column for column, one in zip(names, same, strict=True) if not one]
        alias = {column: f"v{i}" for i, column in enumerate(varying)}  # the key is v0
        arrays = ", ".join(f"%s::{types[column]}[]" for column in varying)
        sets = ", ".join(
            f"{quoted[column]} = v.{alias[column]}"
            if column in alias
            else f"{quoted[column]} = %s::{types[column]}"
            for column in columns
        )
        where = " AND ".join([f"{name}.{quoted[key]} = v.v0", *(f"{name}.{quoted[g]} = %s" for g in guards)])
        return (
            f"UPDATE {name} SET {sets} FROM unnest({arrays}) AS v({', '.join(alias.values())}) WHERE {where}"  # noqa: S608
        )
    marker = _MARKERS[dialect.paramstyle]
    sets = ", ".join(f"{quoted[column]} = {marker}" for column in columns)
    where = " AND ".join(f"{quoted[column]} = {marker}" for column in (key, *guards))
    return f"UPDATE {name} SET {sets} WHERE {where}"  # noqa: S608


@functools.lru_cache(maxsize=128)
def _copy_statement(table: Table, columns: tuple[str, ...], dialect: Dialect) -> str:
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.quote(table.c[name].name) for name in columns)
    return f"COPY {preparer.format_table(table)} ({names}) FROM STDIN"


@functools.lru_cache(maxsize=128)
def _insert_plan(
    table: Table, columns: tuple[str, ...], dialect: Dialect, prepared: frozenset[str]
) -> tuple[str, tuple[tuple[int, Callable[[Any], Any]], ...]]:
    """The INSERT's SQL, with positional markers in ``columns`` order, and the value converters.

    Made once per table and columns (a batch job inserts a chunk at a time). The SQL names the
    columns in the order the tuples hold them, so rows go to the driver as they are: SQLAlchemy's
    compiled INSERT lists them in the table's order and would make every row be rebuilt.
    """
    marker = _MARKERS.get(dialect.paramstyle)
    if marker is None:
        raise ValueError(f"no positional marker for the {dialect.paramstyle!r} parameter style")
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.quote(table.c[name].name) for name in columns)
    markers = ", ".join([marker] * len(columns))
    # Identifiers come from the table's own metadata; every value is a bound parameter.
    statement = f"INSERT INTO {preparer.format_table(table)} ({names}) VALUES ({markers})"  # noqa: S608
    converters = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        if name in prepared or (dialect.name == "sqlite" and isinstance(column_type, Boolean)):
            continue  # sqlite3 itself stores a bool as the integer 1 or 0, as the processor would
        process = column_type._cached_bind_processor(dialect)
        if process is not None:
            converters.append((index, process))
    return statement, tuple(converters)


_MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def reserve_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """Ids for ``count`` new rows of ``table``, to insert them with :func:`insert_tuples`.

    Knowing the ids first spares reading them back after an ``executemany`` (SQLite's ``RETURNING``
    costs a statement per row). On PostgreSQL they are drawn from the table's id sequence, as the
    column default would draw them, so concurrent writers never collide. On SQLite they follow the
    largest id, which is what SQLite itself would give (the tables have no ``AUTOINCREMENT``); a
    write unit of work holds the database's write lock (``BEGIN IMMEDIATE``), so nobody else can
    take them before the commit.

    Args:
        conn: an open connection inside the caller's write transaction.
        table: a table with an integer ``id`` primary key.
        count: how many ids.

    Returns:
        ``count`` unused ids, increasing.
    """
    return reserve_id_blocks(conn, [(table, count)])[0]


def reserve_id_blocks(conn: Connection, wanted: Sequence[tuple[Table, int]]) -> list[list[int]]:
    """:func:`reserve_ids` for several tables at once (orders and their lines), in one statement
    on PostgreSQL: a round trip fewer per table for a batch chunk.

    Returns:
        For each (table, count) asked, ``count`` unused ids of that table, increasing.
    """
    blocks: list[list[int]] = [[] for _ in wanted]
    asked = [(index, table, count) for index, (table, count) in enumerate(wanted) if count > 0]
    if not asked:
        return blocks
    if conn.dialect.name == "postgresql":
        # A row per table holding its ids as one array: a chunk's few thousand ids as rows cost
        # more to fetch one by one than drawing them did. The sequence is looked up once per
        # table, in a CTE kept apart (MATERIALIZED; inlined, the look-up ran again for every id):
        # pg_get_serial_sequence and the name's cast to a sequence are catalog look-ups, and
        # once per id they took ~2 us each, 5x the cost of drawing it (4.4 ms for 2,000 ids,
        # 0.8 ms looked up once).
        drawn = union_all(
            *(
                select(literal(index).label("block"), func.array_agg(func.nextval(sequence.c.seq)))
                .select_from(sequence)
                .select_from(func.generate_series(1, count))
                for index, table, count in asked
                for sequence in [_sequence_once(table, index)]
            )
        )
        for index, values in conn.execute(drawn):
            blocks[index] = sorted(values)
        return blocks
    for index, table, count in asked:
        largest = conn.scalar(select(func.max(table.c.id))) or 0
        blocks[index] = list(range(largest + 1, largest + 1 + count))
    return blocks


def _sequence(table: Table) -> Any:
    return func.pg_get_serial_sequence(table.name, "id")


def _sequence_once(table: Table, index: int) -> Any:
    """``table``'s id sequence as a one-row CTE (column ``seq``, a ``regclass``), evaluated once."""
    return (
        select(func.to_regclass(_sequence(table)).label("seq"))
        .cte(f"sequence_{index}")
        .prefix_with("MATERIALIZED")
    )


def converter(conn: Connection, table: Table, column: str, plain: bool = False) -> Callable[[Any], Any]:
    """The function that turns a value into what the driver is sent for ``table.column``; with
    ``plain``, into a plain value as :func:`plain_rows` gives (for rows made in another process).
    """
    process = table.c[column].type._cached_bind_processor(conn.dialect)
    if process is None:
        return _same
    return _as_text(process) if plain and conn.dialect.name == "postgresql" else process


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


LOAD_CACHE_KIB = -32_768
"""``PRAGMA cache_size`` during a load: negative means KiB, so 32 MiB at most (used only as
needed). Rows go in at the end of their tables with the secondary indexes dropped, so a bigger
cache buys little; SQLite's sorter building each index also holds up to this much before it
spills to a temporary file. At 64 MiB a seed of a million customers and a million orders held
493 MB in all its processes (PSS); at 32 MiB 404 MB, in the same time (126 s and 132 s)."""


@contextmanager
def big_load(conn: Connection, tables: Sequence[Table], rebuild_indexes: bool) -> Iterator[None]:
    """Make a large load into ``tables`` fast, inside the caller's transaction.

    On SQLite the connection's page cache is raised for the load (and put back after), since
    index pages no longer fit the default 2 MiB and every insert would go back to the file. With
    ``rebuild_indexes`` the tables' secondary indexes are dropped first and built again at the end:
    sorting once is several times cheaper than a million random B-tree inserts per index; on
    PostgreSQL their foreign keys likewise (checked once, for every row, when they are added
    back). The drop and rebuild are part of the transaction, so a failed load leaves every index
    and key in place, and a row that breaks a key fails the whole load.

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
    use_dialect(conn.dialect.name)  # rebuilt partial indexes stay partial, however the engine was made
    indexes = sorted((ix for table in tables for ix in table.indexes), key=lambda ix: str(ix.name))
    # PostgreSQL checks a foreign key with a trigger per row (a lookup and a row lock on the
    # parent); added back after the load, it checks every row at once with one join. SQLite's
    # checks are a lookup in the same process, and its foreign keys cannot be switched off
    # inside a transaction, so they stay.
    foreign_keys = (
        sorted((fk for table in tables for fk in table.foreign_key_constraints), key=lambda fk: str(fk.name))
        if rebuild_indexes and not sqlite
        else []
    )
    try:
        if rebuild_indexes:
            for foreign_key in foreign_keys:
                conn.execute(DropConstraint(foreign_key))
            for index in indexes:
                index.drop(conn, checkfirst=True)
        yield
        if rebuild_indexes:
            for index in indexes:
                index.create(conn, checkfirst=True)
            for foreign_key in foreign_keys:
                conn.execute(AddConstraint(foreign_key))
    finally:
        if sqlite:
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(old_cache or -2000):d}")


ANALYSIS_ROWS = 2_000
"""SQLite's ``PRAGMA analysis_limit`` for :func:`refresh_statistics`: rows sampled per index, so
statistics of a million-row table take a moment, not a scan of every index."""


def refresh_statistics(conn: Connection, tables: Sequence[Table]) -> None:
    """Refresh the planner's statistics of ``tables`` after a large load (the caller commits).

    Without them a planner guesses: PostgreSQL takes a freshly loaded table for a small one, and
    SQLite picks an index by its shape alone. Both sample a bounded number of rows, so this costs
    about the same on a table of any size.
    """
    preparer = conn.dialect.identifier_preparer
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA analysis_limit = {ANALYSIS_ROWS:d}")
    for table in tables:
        conn.exec_driver_sql(f"ANALYZE {preparer.format_table(table)}")  # our own table names


def settle_after_load(engine: Engine, tables: Sequence[Table]) -> None:
    """Make freshly loaded ``tables`` as fast to read as settled ones, after the load committed.

    SQLite: :func:`refresh_statistics`. PostgreSQL: ``VACUUM (ANALYZE)`` of each table, outside any
    transaction (VACUUM refuses to run in one). Statistics alone leave a just-loaded table slow to
    read: every row still waits for its first reader to mark it committed (a write per page on the
    first query), and the visibility map is empty, so an index-only scan visits every heap row
    anyway. VACUUM does both once, at load time, instead of the first operator's queries doing it;
    autovacuum would get there only minutes later.
    """
    if engine.dialect.name != "postgresql":
        with connect(engine, write=True) as conn:
            refresh_statistics(conn, tables)
            conn.commit()
        return
    preparer = engine.dialect.identifier_preparer
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {preparer.format_table(table)}")  # our own tables


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


# -- what a database already holds (a seed adds to it) -----------------------------------------


def existing_skus(conn: Connection) -> set[str]:
    """Every SKU in the catalogue (upper-case), so a new catalogue never collides with it."""
    return set(conn.scalars(select(products.c.sku)))


def customer_count(conn: Connection) -> int:
    """How many customers there are."""
    return row_count(conn, customers)


def row_count(conn: Connection, table: Table) -> int:
    """How many rows ``table`` holds (whether a load is big enough to rebuild its indexes)."""
    return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def sellable_products(conn: Connection, limit: int, clock: Clock) -> list[Product]:
    """Up to ``limit`` active products, by id: what seeded orders may sell from an existing catalogue."""
    ids = list(
        conn.scalars(
            select(products.c.id).where(products.c.active.is_(True)).order_by(products.c.id).limit(limit)
        )
    )
    found = SqlProductRepository(conn, clock).get_many(ids)
    return [found[i] for i in ids if i in found]


def active_customers(conn: Connection, limit: int, clock: Clock) -> list[Customer]:
    """Up to ``limit`` active customers with an address, newest first, as whole customers."""
    ids = list(
        conn.scalars(
            select(customers.c.id)
            .where(customers.c.status == "active")
            .order_by(customers.c.id.desc())
            .limit(limit)
        )
    )
    found = SqlCustomerRepository(conn, clock).get_many(ids)
    return [found[i] for i in ids if i in found and found[i].addresses]
