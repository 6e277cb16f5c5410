"""Fixtures for unit tests: a seeded in-memory database and a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fakes import FakeUnitOfWorkFactory, FixedClock, seed_reference

FIXED_NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.fixture
def fake_factory() -> FakeUnitOfWorkFactory:
    """A fake unit-of-work factory holding the committed reference data and products."""
    factory = FakeUnitOfWorkFactory()
    with factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    return factory


@pytest.fixture
def clock() -> FixedClock:
    """A clock stopped at 2026-11-26 15:00 UTC."""
    return FixedClock(FIXED_NOW)
