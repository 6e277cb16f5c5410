"""The composition root: builds the engine, units of work and services from configuration.

Nothing here runs at import time; ``build`` does the work when the program asks for it.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from oms_core.clock import SystemClock
from oms_core.payments.test_gateway import TestGateway
from oms_core.ports import Clock, PaymentGateway, UnitOfWorkFactory
from oms_core.services.context import ServiceContext, Settings
from oms_core.services.registry import Services

DATABASE_URL_ENV = "OMS_DATABASE_URL"
OPERATOR_ENV = "OMS_OPERATOR"
IMPORT_FOLDER_ENV = "OMS_IMPORT_DIR"


def default_database_url() -> str:
    """A SQLite file in the user's data folder (platformdirs), e.g. ``~/.local/share/oms/oms.db``."""
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('oms', appauthor=False)) / 'oms.db'}"


def resolve_database_url(cli_value: str | None = None) -> str:
    """``--db`` wins, then ``OMS_DATABASE_URL``, then the default SQLite file."""
    return cli_value or os.environ.get(DATABASE_URL_ENV) or default_database_url()


def current_username() -> str:
    """Who is at the keyboard: ``OMS_OPERATOR``, else the OS user (over SSH, who logged in)."""
    explicit = os.environ.get(OPERATOR_ENV)
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


@dataclass(frozen=True, slots=True)
class Config:
    """How to build the application.

    Attributes:
        database_url: SQLAlchemy URL of the shared database.
        operator: user name recorded on orders and checked for permissions.
        import_folder: where the Import screen's file picker starts.
        max_import_rows: spreadsheets with more data rows are refused.
    """

    database_url: str
    operator: str = field(default_factory=current_username)
    import_folder: Path = field(
        default_factory=lambda: Path(os.environ.get(IMPORT_FOLDER_ENV) or Path.home()))
    max_import_rows: int = 20_000


@dataclass(frozen=True, slots=True)
class Application:
    """What a running process holds: its services and the means to close them."""

    config: Config
    services: Services
    uow_factory: UnitOfWorkFactory
    gateway: PaymentGateway
    clock: Clock
    _dispose: object = None

    def close(self) -> None:
        """Release the database connections."""
        dispose = getattr(self._dispose, "dispose", None)
        if callable(dispose):
            dispose()


def upgrade_database(database_url: str) -> None:
    """Create or upgrade the schema to the newest migration."""
    from oms_core.storage.schema import upgrade_schema

    upgrade_schema(database_url)


def build(config: Config, gateway: PaymentGateway | None = None,
          clock: Clock | None = None) -> Application:
    """Connect to the database and wire every service for ``config.operator``."""
    from oms_core.storage.database import make_engine
    from oms_core.storage.unit_of_work import SqlUnitOfWorkFactory

    engine = make_engine(config.database_url)
    factory = SqlUnitOfWorkFactory(engine)
    gateway = gateway or TestGateway()
    clock = clock or SystemClock()
    with factory(write=False) as uow:
        settings = _settings(uow.reference.setting)
    context = ServiceContext(uow_factory=factory, gateway=gateway, clock=clock,
                             operator_username=config.operator, settings=settings)
    return Application(config=config, services=Services.build(context), uow_factory=factory,
                       gateway=gateway, clock=clock, _dispose=engine)


def _settings(lookup: object) -> Settings:
    """Office settings stored in the database, with defaults for what is not set."""
    assert callable(lookup)
    defaults = Settings()
    limit = lookup("override_limit_percent")
    try:
        override_limit = Decimal(limit) if limit else defaults.override_limit_percent
    except InvalidOperation:
        override_limit = defaults.override_limit_percent
    return Settings(
        phone_region=lookup("phone_region") or defaults.phone_region,
        override_limit_percent=override_limit,
        default_shipping_method=lookup("default_shipping_method") or defaults.default_shipping_method,
    )
