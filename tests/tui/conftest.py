"""A small, deterministic office for driving the TUI with Pilot: SQLite file, fixed clock."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oms_core.bootstrap import Application, Config, build, upgrade_database
from oms_core.clock import StoppedClock
from oms_core.domain.customers import Address
from oms_core.domain.payments import CardEntry
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.customers import CustomerInput
from oms_tui.app import OmsApp
from tests.fakes import FixedClock, seed_reference

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@dataclass
class Office:
    """The seeded office: the application plus the ids tests refer to."""

    application: Application
    clock: FixedClock
    gateway: TestGateway
    customers: dict[str, int]

    def app(self, operator: str | None = None) -> OmsApp:
        """A fresh OmsApp on this office's database (as ``operator`` if given)."""
        services = self.application.services
        if operator is not None:
            services = build(
                Config(self.application.config.database_url, operator=operator),
                gateway=self.gateway,
                clock=self.clock,
            ).services
        return OmsApp(services, operator or self.application.config.operator)


def _customers() -> dict[str, tuple[CustomerInput, str | None]]:
    return {
        "ann": (
            CustomerInput(
                first_name="Ann",
                last_name="Smith",
                email="ann.smith@example.com",
                phone="(503) 274-1234",
                address=Address(
                    name="Ann Smith", address1="12 Oak St", city="Portland", state="OR", zip="97205"
                ),
            ),
            "4111111111111111",
        ),
        "bob": (
            CustomerInput(
                first_name="Bob",
                last_name="Jones",
                company="Acme Wines",
                email="bob@acme.example",
                phone="212-555-0199",
                type_code="WHOLESALE",
                address=Address(
                    company="Acme Wines", address1="1 Broadway", city="New York", state="NY", zip="10004"
                ),
            ),
            None,
        ),
        "dee": (
            CustomerInput(
                first_name="Dee",
                last_name="Clined",
                email="dee@example.com",
                phone="415-555-2671",
                address=Address(
                    name="Dee Clined", address1="9 Market St", city="San Francisco", state="CA", zip="94103"
                ),
            ),
            "4000000000000002",
        ),
        "markup": (
            CustomerInput(
                first_name="[bold red]x[/]",
                last_name="Markup\x1b[31m",
                email="markup@example.com",
                phone="202-456-1111",
                address=Address(
                    name="[b]Esc[/b]", address1="1 Main St", city="Boston", state="MA", zip="2134"
                ),
            ),
            None,
        ),
    }


_TEMPLATE: dict[str, tuple[Path, dict[str, int]]] = {}
"""The seeded office's database file and customer ids, made once per test process."""


def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    if "office" not in _TEMPLATE:
        path = tmp_path_factory.mktemp("office_template") / "oms.db"
        url = f"sqlite:///{path}"
        upgrade_database(url)
        clock = FixedClock(NOW)
        application = build(Config(url, operator="root"), gateway=TestGateway(clock), clock=clock)
        try:
            with application.uow_factory(write=True) as uow:
                seed_reference(uow)
                uow.commit()
            services = application.services
            ids: dict[str, int] = {}
            for key, (data, card) in _customers().items():
                created = services.customers.create(data, allow_duplicate=True).customer
                assert created is not None
                ids[key] = created.id
                if card:
                    services.customers.add_card(created.id, CardEntry(card, 12, 2030, "123"))
        finally:
            application.close()  # the last connection closed folds the WAL into the file copied
        _TEMPLATE["office"] = (path, ids)
    return _TEMPLATE["office"]


@pytest.fixture
def office(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Office:
    """A fresh SQLite office: reference data, five products, four customers (two with cards).

    Each test gets its own copy of one office migrated and seeded once per test process: the
    migrations and the seeding, the same for every test, were a third of a second of each.
    """
    template, ids = _seeded_template(tmp_path_factory)
    path = tmp_path / "oms.db"
    shutil.copyfile(template, path)
    clock = FixedClock(NOW)
    gateway = TestGateway(StoppedClock(NOW))
    application = build(Config(f"sqlite:///{path}", operator="root"), gateway=gateway, clock=clock)
    return Office(application, clock, gateway, dict(ids))


@pytest.fixture
def make_app(office: Office) -> Callable[..., OmsApp]:
    """Build an OmsApp for the seeded office: ``make_app()`` or ``make_app(operator="alice")``."""
    return office.app
