"""The composition root: builds the engine, units of work and services from configuration.

Nothing here runs at import time; ``build`` does the work when the program asks for it.
"""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

# The services, the storage and their libraries are imported where they are used, not here: the
# `oms` command imports this module before it draws anything, and the TUI opens the database (and
# so imports them) in a background thread behind its first screen.
if TYPE_CHECKING:
    from collections.abc import Callable

    from oms_core.demo.plan import SeedPlan, SeedReport
    from oms_core.documents.office import OfficeDetails
    from oms_core.domain.operators import Operator
    from oms_core.ports import Clock, PaymentGateway, UnitOfWorkFactory
    from oms_core.services.context import Settings
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
        default_factory=lambda: Path(os.environ.get(IMPORT_FOLDER_ENV) or Path.home())
    )
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


def build(config: Config, gateway: PaymentGateway | None = None, clock: Clock | None = None) -> Application:
    """Connect to the database and wire every service for ``config.operator``."""
    from oms_core.clock import SystemClock
    from oms_core.payments.test_gateway import TestGateway
    from oms_core.services.context import ServiceContext
    from oms_core.services.registry import Services
    from oms_core.storage.database import make_engine
    from oms_core.storage.unit_of_work import SqlUnitOfWorkFactory

    engine = make_engine(config.database_url)
    factory = SqlUnitOfWorkFactory(engine)
    gateway = gateway or TestGateway()
    clock = clock or SystemClock()
    with factory(write=False) as uow:
        settings = _settings(uow.reference.setting)
    context = ServiceContext(
        uow_factory=factory,
        gateway=gateway,
        clock=clock,
        operator_username=config.operator,
        settings=settings,
    )
    return Application(
        config=config,
        services=Services.build(context),
        uow_factory=factory,
        gateway=gateway,
        clock=clock,
        _dispose=engine,
    )


def _settings(lookup: object) -> Settings:
    """Office settings stored in the database, with defaults for what is not set."""
    from oms_core.services.context import Settings

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


# -- administration: what the `oms` subcommands do besides running the TUI ----------------------------
# Each opens its own engine from the URL and disposes of it, so the TUI layer never touches storage.


def demo_database_url() -> str:
    """The demo's own SQLite file beside the default one (``.../oms/demo.db``), so that ``oms demo``
    never fills an office database with made-up customers unless ``--db`` points it there.
    """
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('oms', appauthor=False)) / 'demo.db'}"


def describe_database(database_url: str) -> str:
    """The URL as it may be shown: the password hidden."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9]*)(\+[A-Za-z0-9_]+)?://")


def check_database_scheme(database_url: str) -> None:
    """The quick part of :func:`check_database_url`: a URL of a supported kind, by its scheme.

    Needs no database library, so the TUI can refuse an obvious mistake before it starts and leave
    the full check to the thread that opens the database.

    Raises:
        OmsError: saying what is wrong with it.
    """
    from oms_core.domain.errors import OmsError

    scheme = _URL_SCHEME.match(database_url)
    if scheme is None:
        raise OmsError(_not_a_url(database_url))
    backend = scheme.group(1)  # case kept, as SQLAlchemy keeps it: "SQLite://" is no dialect
    if backend not in ("sqlite", "postgresql", "postgres"):
        raise OmsError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")


def check_database_url(database_url: str) -> None:
    """Refuse a URL that is not a SQLite or PostgreSQL database URL before anything connects.

    Raises:
        OmsError: saying what is wrong with it.
    """
    from sqlalchemy.exc import ArgumentError

    from oms_core.domain.errors import OmsError
    from oms_core.storage.database import normalize_url

    check_database_scheme(database_url)  # the kind of database; the parse below checks the rest
    try:
        normalize_url(database_url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise OmsError(_not_a_url(database_url)) from None


def _not_a_url(database_url: str) -> str:
    return (
        f"{database_url!r} is not a database URL (expected sqlite:///path/oms.db or "
        "postgresql://user@host/dbname)"
    )


def database_error_message(exc: BaseException) -> str | None:
    """One line for an operator about a database or migration failure, or ``None`` when ``exc`` is
    not one (so the caller can treat it as the bug it is).
    """
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

    if isinstance(exc, CommandError):
        return f"cannot migrate the database: {exc}"
    if isinstance(exc, ArgumentError | NoSuchModuleError):
        return f"the database URL is not usable: {exc}"
    if isinstance(exc, DBAPIError):
        detail = str(exc.orig or exc).strip().splitlines()
        text = detail[0] if detail else type(exc).__name__
        if "no such table" in text or ("relation" in text and "does not exist" in text):
            return f"{text}: the database has no oms schema yet; run `oms db upgrade` first"
        return f"database error: {text}"
    if isinstance(exc, SQLAlchemyError):
        return f"database error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    return None


def _engine(database_url: str) -> Any:
    from oms_core.storage.database import make_engine

    check_database_url(database_url)
    return make_engine(database_url)


def seed_database(
    database_url: str,
    plan: SeedPlan,
    clock: Clock | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Upgrade the schema, then add ``plan``'s synthetic data (see :mod:`oms_core.demo.seeder`)."""
    from oms_core.demo.seeder import seed

    plan.check()
    upgrade_database(database_url)
    engine = _engine(database_url)
    try:
        return seed(engine, plan, clock=clock, progress=progress)
    finally:
        engine.dispose()


def customer_count(database_url: str) -> int:
    """How many customers the (migrated) database holds."""
    from oms_core.storage.seeding import customer_count as count

    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            return count(conn)
    finally:
        engine.dispose()


def prepare_demo(
    database_url: str, username: str, progress: Callable[[str], None] | None = None
) -> SeedReport | None:
    """Make ``database_url`` a demo database: upgrade it, seed :data:`~oms_core.demo.plan.DEMO_PLAN`
    if it has no customers yet, and make ``username`` an admin so the demo can do everything.

    Returns:
        What was seeded, or ``None`` when the database already had customers.
    """
    from oms_core.demo.plan import DEMO_PLAN
    from oms_core.domain.operators import Role

    upgrade_database(database_url)
    report = None
    if not customer_count(database_url):
        report = seed_database(database_url, DEMO_PLAN, progress=progress)
    save_operator(database_url, username, Role.ADMIN.value, "")
    return report


def save_operator(database_url: str, username: str, role: str, name: str = "") -> Operator:
    """Add an operator or change one's role (and name, when given).

    Raises:
        ValidationError: an empty user name or an unknown role.
    """
    from oms_core.domain.errors import ValidationError
    from oms_core.domain.operators import Operator, Role
    from oms_core.domain.text import clean_field
    from oms_core.storage.unit_of_work import SqlUnitOfWorkFactory

    username = clean_field(username)
    if not username:
        raise ValidationError("the user name is empty", field="username")
    try:
        parsed_role = Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise ValidationError(f"unknown role {role!r}: choose {roles}", field="role") from None
    engine = _engine(database_url)
    try:
        with SqlUnitOfWorkFactory(engine)(write=True) as uow:
            existing = uow.reference.operator(username)
            keep_name = existing.name if existing is not None else ""
            operator = Operator(username, parsed_role, clean_field(name) or keep_name)
            uow.reference.save_operator(operator)
            uow.commit()
        return operator
    finally:
        engine.dispose()


def list_operators(database_url: str) -> list[Operator]:
    """Every operator, by user name."""
    from oms_core.storage.unit_of_work import SqlUnitOfWorkFactory

    engine = _engine(database_url)
    try:
        with SqlUnitOfWorkFactory(engine)(write=False) as uow:
            return uow.reference.operators()
    finally:
        engine.dispose()


def export_data(database_url: str, kind: str, fmt: str, out: Path | None, stdout: TextIO) -> int:
    """Export customers, products or orders as CSV, JSON or xlsx (see :mod:`oms_core.services.reports`
    for the fields) to ``out``, or to ``stdout`` when ``out`` is ``None``.

    Returns:
        How many rows (JSON: objects) were written.
    """
    from oms_core.exports.run import parse_format, run_export
    from oms_core.services.reports import parse_kind
    from oms_core.storage.exports import SqlExportSource

    export_kind, export_format = parse_kind(kind), parse_format(fmt)
    engine = _engine(database_url)
    try:
        with SqlExportSource(engine) as source:
            return run_export(source, export_kind, export_format, out, stdout)
    finally:
        engine.dispose()


def require_database(database_url: str) -> None:
    """Refuse to read a SQLite file that does not exist (connecting would create an empty one).

    Raises:
        OmsError: naming the missing file and what to run.
    """
    from oms_core.domain.errors import OmsError
    from oms_core.storage.database import normalize_url

    url = normalize_url(database_url)
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return
    if not Path(database).expanduser().exists():
        raise OmsError(f"there is no database at {database}: run `oms db upgrade` (or `oms demo`) first")


def print_documents(database_url: str, kind: str, numbers: list[int], folder: Path) -> list[Path]:
    """Write the invoice or packing slip (``kind``) of each order number into ``folder``.

    Every order is looked up before anything is written, so a missing number or a draft writes
    nothing. The sender block comes from the office configuration.

    Returns:
        The PDF files written, in the order of ``numbers``.
    """
    from oms_core.documents.files import document_name, write_documents
    from oms_core.documents.pdf import DocumentKind
    from oms_core.output_files import check_output_path

    document = DocumentKind(kind)
    for number in numbers:  # every target, before the database is opened
        check_output_path(folder / document_name(document, number))
    application = build(Config(database_url))
    try:
        orders = [application.services.orders.get_by_number(number) for number in numbers]
    finally:
        application.close()
    return write_documents(document, orders, office_details(), folder)


def office_details() -> OfficeDetails:
    """The office's name, address and phone for documents and mail."""
    from oms_core.documents.office import OfficeDetails

    return OfficeDetails()
