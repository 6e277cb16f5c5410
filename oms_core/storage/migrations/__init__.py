"""Alembic migrations of the oms schema, run programmatically by :mod:`oms_core.storage.schema`."""
