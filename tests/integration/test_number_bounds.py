"""Numbers typed by people beyond what the database holds: a clear answer, never an OverflowError."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from oms_core.bootstrap import Config, build, upgrade_database
from oms_core.domain.errors import NotFound
from oms_tui.cli import main


@pytest.fixture
def office(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'oms.db'}"
    upgrade_database(url)
    application = build(Config(url, operator="root"))
    yield url, application.services
    application.close()


@pytest.mark.parametrize("typed", ["99999999999999999999", "9" * 5000])
def test_an_order_number_beyond_the_database_is_not_found(office, typed):
    _, services = office
    with pytest.raises(NotFound, match="no order"):
        services.orders.get_by_number(typed)


def test_a_customer_number_of_thousands_of_digits_is_not_found(office):
    _, services = office
    with pytest.raises(NotFound, match="no customer"):
        services.customers.get_by_number("C" + "9" * 5000)


def test_printing_an_order_number_beyond_the_database_is_one_line(office, tmp_path):
    url, _ = office
    out, err = io.StringIO(), io.StringIO()
    status = main(["--db", url, "print", "invoice", "99999999999999999999", "--out", str(tmp_path)], out, err)
    assert status != 0
    assert err.getvalue().count("\n") == 1
    assert "99999999999999999999 is too large (at most 9,223,372,036,854,775,807)" in err.getvalue()
