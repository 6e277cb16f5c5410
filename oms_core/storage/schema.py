"""Schema migrations, run from code: ``upgrade_schema(url)`` brings any database to the latest revision.

The Alembic scripts live in this package (``oms_core/storage/migrations``), so no ``alembic.ini`` is
needed; ``oms db upgrade`` calls :func:`upgrade_schema`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, func, inspect, select, text

from oms_core.domain.errors import DatabaseBusy, OmsError, TransactionConflict
from oms_core.storage.database import connect, make_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD_REVISION = "0022"
"""The newest migration shipped (a test keeps it equal to Alembic's head). Knowing it here lets
every start-up skip importing Alembic when the database is already current."""


MIGRATION_LOCK_KEY = 0x6F6D_7300_0001
"""PostgreSQL advisory lock key held while migrating ("oms" and 1); no other oms lock uses it."""

MIGRATION_WAIT_SECONDS = 600.0
"""How long an upgrade waits for another process's upgrade (a big migration takes minutes)."""


def alembic_config(url: str = "") -> Config:
    """An Alembic ``Config`` pointing at the packaged migrations (for ``command.*`` calls)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _engine(url_or_engine: str | Engine) -> tuple[Engine, bool]:
    if isinstance(url_or_engine, Engine):
        return url_or_engine, False
    return make_engine(url_or_engine), True


def upgrade_schema(
    url_or_engine: str | Engine, revision: str = "head", adopt: bool = False, first_admin: str = ""
) -> bool:
    """Upgrade the database to ``revision`` (the latest by default); a no-op when it is there already.

    Runs in one write transaction that first takes a database-wide lock: PostgreSQL's transaction
    advisory lock :data:`MIGRATION_LOCK_KEY`, SQLite's write lock (``BEGIN IMMEDIATE``). Several
    processes upgrading at once (``oms db upgrade`` on every server, each operator's oms on start)
    take turns: the first migrates, the others then find the schema current. A wait past SQLite's
    busy timeout is tried again for up to :data:`MIGRATION_WAIT_SECONDS`.

    Args:
        url_or_engine: the database.
        revision: the migration to go to.
        adopt: add oms's tables to a database that holds other tables and no oms schema (refused
            otherwise: such a URL is far more often a mistake than a wish).
        first_admin: when the schema is created by this call, register this account as an admin
            in the same transaction (whoever creates the database is its first admin).

    Returns:
        Whether ``first_admin`` was registered.

    Raises:
        ForeignDatabase: the database has tables and no oms schema, and ``adopt`` is false.
        NewerDatabase: a newer oms made the schema (nothing is changed).
        DatabaseBusy: another process held the lock for longer than that.
    """
    engine, owned = _engine(url_or_engine)
    try:
        stored = _stored_revision(engine)
        if revision == "head" and stored == HEAD_REVISION:
            return False
        # Revision ids are zero-padded sequence numbers, so they sort as they were made.
        if stored is not None and stored > HEAD_REVISION:
            raise NewerDatabase(
                f"the database's schema is {stored}, newer than this oms ({HEAD_REVISION}): "
                "install the newer oms"
            )
        deadline = time.monotonic() + MIGRATION_WAIT_SECONDS
        while True:
            try:
                return _upgrade_locked(engine, revision, adopt, first_admin)
            except TransactionConflict as conflict:
                if time.monotonic() > deadline:
                    raise DatabaseBusy(
                        "another process kept the database locked while upgrading it; try again"
                    ) from conflict
                time.sleep(0.1)
    finally:
        if owned:
            engine.dispose()


def _register_first_admin(connection: Connection, username: str) -> bool:
    from oms_core.storage.tables import operators

    if connection.execute(select(func.count()).select_from(operators)).scalar():
        return False
    connection.execute(operators.insert().values(username=username, name="", role="admin"))
    return True


def _upgrade_locked(engine: Engine, revision: str, adopt: bool, first_admin: str) -> bool:
    from alembic import command

    with connect(engine, write=True) as connection:
        if connection.dialect.name == "postgresql":
            # Held until the commit; DDL of two migrating processes would otherwise collide
            # (a duplicate pg_type row when both create the same table).
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        # Read now that the lock is held: a process that waited finds the first one's schema (and
        # so never registers a second first admin).
        new = _current(connection) is None
        if new and not adopt:
            _refuse_foreign(connection)
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        registered = new and bool(first_admin) and _register_first_admin(connection, first_admin)
        connection.commit()
    return registered


class ForeignDatabase(OmsError):
    """The database holds other tables and no oms schema: probably not the database meant."""


class NewerDatabase(OmsError):
    """A newer oms made the database's schema: this one does not know its migrations."""


def _refuse_foreign(connection: Connection) -> None:
    tables = sorted(inspect(connection).get_table_names())
    if not tables:
        return
    shown = ", ".join(tables[:3]) + (f" and {len(tables) - 3:,} more" if len(tables) > 3 else "")
    raise ForeignDatabase(
        f"the database holds other tables ({shown}) and no oms schema: check the URL, or add oms's "
        "tables to it anyway with `oms db upgrade --force`"
    )


def current_revision(url_or_engine: str | Engine) -> str | None:
    """The database's revision, or ``None`` for a database that was never migrated."""
    engine, owned = _engine(url_or_engine)
    try:
        with engine.connect() as connection:
            return _current(connection)
    finally:
        if owned:
            engine.dispose()


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def stored_revision(url_or_engine: str | Engine) -> str | None:
    """The revision in the database's ``alembic_version`` table (``None``: never migrated), read with
    one query and without importing Alembic.
    """
    engine, owned = _engine(url_or_engine)
    try:
        return _stored_revision(engine)
    finally:
        if owned:
            engine.dispose()


def _stored_revision(engine: Engine) -> str | None:
    """The revision in ``alembic_version``, read with one query (no Alembic import)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def head_revision() -> str | None:
    """The latest revision shipped with this code."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
