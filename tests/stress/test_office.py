"""The reliability suite: an office under load on SQLite and PostgreSQL (see ``office.py``).

The short form runs in CI (well under a minute a database). The long form runs by hand:
``OMS_STRESS_LONG=1 .venv/bin/pytest -p no:cacheprovider -n 0 tests/stress -k long`` (or
``bench/bench_stress.py``, which prints the figures BENCHMARKS.md quotes).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_concurrency import _postgres_database
from tests.stress.office import OfficeSize, run_office

SHORT = OfficeSize(operators=8, rounds=4, members=80, kills=1, scarce=20)
LONG = OfficeSize(operators=8, rounds=40, members=1_500, kills=3, scarce=150)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def office_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'office.db'}"
    else:
        yield from _postgres_database()


@pytest.mark.slow
def test_short_office_keeps_its_books(office_url: str) -> None:
    report = run_office(office_url, SHORT)
    assert report.problems() == {}
    assert report.placed > 0 and report.club_placed > 0


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("OMS_STRESS_LONG"), reason="the long form runs by hand (OMS_STRESS_LONG=1)"
)
def test_long_office_keeps_its_books(office_url: str) -> None:
    report = run_office(office_url, LONG)
    assert report.problems() == {}
