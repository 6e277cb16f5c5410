"""The SQL unit of work: one connection, one transaction, its repositories bound to it."""

from __future__ import annotations

from sqlalchemy import Engine

from oms_core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from oms_core.storage.audit import SqlAuditRepository
from oms_core.storage.batches import SqlBatchRepository
from oms_core.storage.customers import SqlCustomerRepository
from oms_core.storage.database import connect
from oms_core.storage.gateway_calls import SqlGatewayCallRepository
from oms_core.storage.imports import SqlImportFileRepository
from oms_core.storage.orders import SqlOrderRepository
from oms_core.storage.outbox import SqlOutboxRepository
from oms_core.storage.products import SqlProductRepository
from oms_core.storage.reference import SqlReferenceRepository
from oms_core.storage.shipments import SqlShipmentRepository


class SqlUnitOfWork(UnitOfWork):
    """One transaction on one pooled connection.

    The transaction begins with the first statement (so a unit of work that first waits on a payment
    gateway holds no lock meanwhile); on SQLite a write unit of work begins with ``BEGIN IMMEDIATE``.
    Leaving the ``with`` block without ``commit()`` rolls back; ``close()`` returns the connection.
    After ``commit()`` the unit of work may be used again: the next statement begins a new transaction.
    """

    def __init__(self, engine: Engine, clock: Clock, write: bool = False) -> None:
        self.write = write
        self._conn = connect(engine, write=write)
        self.customers = SqlCustomerRepository(self._conn, clock, write)
        self.products = SqlProductRepository(self._conn, clock, write)
        self.orders = SqlOrderRepository(self._conn, clock, write)
        self.reference = SqlReferenceRepository(self._conn, clock, write)
        self.audit = SqlAuditRepository(self._conn, clock, write)
        self.imports = SqlImportFileRepository(self._conn, clock, write)
        self.batches = SqlBatchRepository(self._conn, clock, write)
        self.outbox = SqlOutboxRepository(self._conn, clock, write)
        self.shipments = SqlShipmentRepository(self._conn, clock, write)
        self.gateway_calls = SqlGatewayCallRepository(self._conn, clock, write)

    def commit(self) -> None:
        """Make the work permanent."""
        self._conn.commit()

    def rollback(self) -> None:
        """Undo everything not committed (harmless after a commit or on a closed unit of work)."""
        if not self._conn.closed:
            self._conn.rollback()

    def close(self) -> None:
        """Roll back anything pending and return the connection to the pool."""
        self._conn.close()


class SqlUnitOfWorkFactory(UnitOfWorkFactory):
    """Makes :class:`SqlUnitOfWork` instances on one engine.

    Args:
        engine: from :func:`oms_core.storage.database.make_engine`.
        clock: the application's one clock: every ``created_at``/``updated_at`` storage writes
            comes from it (there is no default, so no caller can fall back on the system time).
    """

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def __call__(self, write: bool = False) -> SqlUnitOfWork:
        """A fresh unit of work; ``write=True`` takes the SQLite write lock at its first statement."""
        return SqlUnitOfWork(self.engine, self.clock, write=write)
