"""``oms db upgrade`` run by several processes at once on an empty database: one migrates, the
others wait for it and find the schema current."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from oms_core.storage.schema import HEAD_REVISION, current_revision
from tests.integration.migration_worker import upgrade
from tests.integration.test_concurrency import _postgres_database

PROCESSES = 4


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.db'}"
    else:
        yield from _postgres_database()


@pytest.mark.slow
def test_four_upgrades_at_once_on_an_empty_database_all_succeed(empty_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    start = manager.Event()
    with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        futures = [pool.submit(upgrade, empty_url, start) for _ in range(PROCESSES)]
        start.set()
        outcomes = [future.result(timeout=120) for future in futures]
    manager.shutdown()
    assert [status for status, _ in outcomes] == [0] * PROCESSES, outcomes
    said = sorted(err for _, err in outcomes)
    assert said[:-1] == [""] * (PROCESSES - 1), outcomes  # no error anywhere
    assert "admin" in said[-1], outcomes  # the one that created the schema says who its admin is
    assert current_revision(empty_url) == HEAD_REVISION
