"""The SQL unit of work: one connection, one transaction, its repositories bound to it.

The canonical lock order
------------------------
Every write transaction takes its row locks in this order, and never goes back to an earlier kind
once it holds a later one. Two transactions that follow one order can wait for each other but never
deadlock (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` lets one writer in at a time, so it cannot
deadlock at all):

1. the **batch** row (a bulk order's or club shipment's chunk: ``BatchRepository.get``);
2. the **order** row being edited, placed, cancelled or copied (``OrderRepository.get`` locks it),
   one per transaction, or several in id order;
3. **customer** rows being changed, in id order, and a customer's **store credit** balance row
   (given or spent with one guarded update: ``StoreCreditRepository``);
4. **product** rows whose stock moves (``take_stock``, ``restock``, ``lock_stock``), in product id
   order whatever the order of the cart's lines;
5. the **counters**: the order counter (``next_number(s)``), then the customer counter;
6. new rows (orders, lines, payments, audit events, batch members, queued mail), whose foreign
   keys only take share locks that never block the updates above;
7. queued mail being sent (the outbox claims rows it finds unlocked, ``SKIP LOCKED``, in a
   transaction of its own).

Checkout, step 1: draft (2), products (4), the new gateway call (6); step 3, after the gateway
answered with no transaction open: the call's row (settled only by the process that owns it), draft
(2), order counter (5), inserts (6). A batch chunk: batch (1),
products (4), counter (5), inserts (6), then its members' rows, which only the holder of the batch
row touches. Cancelling: order (2), store credit given back (3), products (4). Changing a placed
order (``services/changes.py``): the order (2), then its change draft (2, a higher id), store credit
spent or given back (3), products (4), the new gateway call (6); a cart edit of a change draft reads
the order without locking it. A return with its refund: order (2), store credit given (3), products
restocked (4), new rows (6); a card refund's gateway call is sent after that commit and settled in
a transaction of its own (call row, refund row, order (2)). Checkout paid by store credit: draft
(2), the credit spent (3), products (4). Releasing, shipping, delivering: order (2). A ship import:
every order of the file (2) in id order, then its shipments, audit lines and mail (6); the captures
come after its commit. A club run's step 3 queues its declined members' notices as new rows (6),
reading their customers without locking them. A
customer edit: customer (3). A new customer: the customer counter (5). An import placing in chunks
locks all its products first (``lock_stock``), so a later chunk never locks a product after the
counter.

Reads take no locks. A transaction the database still gives up (a deadlock with something outside
this order, a serialisation failure, SQLite's busy timeout) raises ``TransactionConflict``, and the
service call runs again from its first read (:mod:`oms_core.services.retry`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from importlib import import_module
from typing import Any

from sqlalchemy import Engine

from oms_core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from oms_core.storage import run_locks
from oms_core.storage.database import connect
from oms_core.storage.write_turns import WriteTurns


class _Repository:
    """One repository of a unit of work, made the first time that unit of work is asked for it.

    Its module (and the mapping code in it) is imported then, not when storage is: opening the
    database behind the TUI's first screen reads the settings, the operator and the payments left
    pending, and need not wait for the storage of imports, batches, returns or stories. Once made,
    the repository stays on the unit of work, bound to its connection, like any attribute.
    """

    def __init__(self, module: str, name: str) -> None:
        self._module = f"oms_core.storage.{module}"
        self._name = name
        self._attribute = ""

    def __set_name__(self, owner: type, attribute: str) -> None:
        self._attribute = attribute

    def __get__(self, uow: SqlUnitOfWork | None, owner: type) -> Any:
        if uow is None:
            return self
        repository = getattr(import_module(self._module), self._name)(uow._conn, uow._clock, uow.write)
        uow.__dict__[self._attribute] = repository  # found there from now on, before this descriptor
        return repository


class SqlUnitOfWork(UnitOfWork):
    """One transaction on one pooled connection.

    The transaction begins with the first statement (so a unit of work that first waits on a payment
    gateway holds no lock meanwhile); on SQLite a write unit of work begins with ``BEGIN IMMEDIATE``.
    Leaving the ``with`` block without ``commit()`` rolls back; ``close()`` returns the connection.
    After ``commit()`` the unit of work may be used again: the next statement begins a new transaction.
    """

    customers = _Repository("customers", "SqlCustomerRepository")
    products = _Repository("products", "SqlProductRepository")
    orders = _Repository("orders", "SqlOrderRepository")
    reference = _Repository("reference", "SqlReferenceRepository")
    audit = _Repository("audit", "SqlAuditRepository")
    imports = _Repository("imports", "SqlImportFileRepository")
    batches = _Repository("batches", "SqlBatchRepository")
    outbox = _Repository("outbox", "SqlOutboxRepository")
    shipments = _Repository("shipments", "SqlShipmentRepository")
    notes = _Repository("notes", "SqlNoteRepository")
    story = _Repository("story", "SqlStoryRepository")
    gateway_calls = _Repository("gateway_calls", "SqlGatewayCallRepository")
    returns = _Repository("returns", "SqlReturnRepository")
    store_credit = _Repository("returns", "SqlStoreCreditRepository")

    def __init__(self, engine: Engine, clock: Clock, write: bool = False) -> None:
        self.write = write
        self._clock = clock
        self._conn = connect(engine, write=write)

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
        sqlite = engine.dialect.name == "sqlite"
        self._turns = WriteTurns(engine.url.database) if sqlite else None
        self.row_locks = not sqlite

    def __call__(self, write: bool = False) -> SqlUnitOfWork:
        """A fresh unit of work; ``write=True`` takes the SQLite write lock at its first statement."""
        return SqlUnitOfWork(self.engine, self.clock, write=write)

    def make_way(self, most_seconds: float) -> float:
        """On SQLite, pause while other writers wait for the lock (:mod:`~oms_core.storage.write_turns`)."""
        return 0.0 if self._turns is None else self._turns.make_way(most_seconds)

    def batch_run(self, batch_id: int) -> AbstractContextManager[None]:
        """The run lock of a batch (:mod:`oms_core.storage.run_locks`)."""
        return run_locks.hold(self.engine, batch_id)
