"""Storage: the SQLAlchemy 2 implementation of the ports in :mod:`oms_core.ports`.

Design: SQLAlchemy **Core** tables (:mod:`~oms_core.storage.tables`) and hand-written data mappers (one
repository module per port), not the ORM.

* The domain stays plain dataclasses: nothing is instrumented, nothing is attached to a session, so no
  object handed to a service or the UI can lazy-load or expire after its unit of work closes.
* Every statement is visible in the repository that runs it: prefix searches are explicit index range
  scans, stock moves are guarded ``UPDATE``s, versions are checked in the ``WHERE`` clause.
* Bulk paths (batch jobs, imports, the demo seeder) send plain tuples to the driver's
  ``executemany`` through the one loader, :mod:`~oms_core.storage.loading`, with ids reserved first
  (:func:`~oms_core.storage.loading.reserve_ids`) so nothing is read back and no object is tracked.

Money is stored as integer cents, timestamps as UTC (returned timezone-aware). Nothing here creates an
engine at import time: :func:`make_engine` builds one from a URL, :class:`SqlUnitOfWorkFactory` makes
units of work on it, and :func:`upgrade_schema` runs the packaged Alembic migrations.
"""

from typing import Any

from oms_core.storage.database import make_engine
from oms_core.storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

_SCHEMA = ("current_revision", "head_revision", "upgrade_schema")


def __getattr__(name: str) -> Any:
    # The migration functions import Alembic, which every start-up would otherwise pay for.
    if name in _SCHEMA:
        from oms_core.storage import schema

        return getattr(schema, name)
    raise AttributeError(name)


__all__ = [
    "SqlUnitOfWork",
    "SqlUnitOfWorkFactory",
    "current_revision",
    "head_revision",
    "make_engine",
    "upgrade_schema",
]
