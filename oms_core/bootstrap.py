"""The composition root: builds the engine, units of work and services from configuration.

Nothing here runs at import time; ``build`` does the work when the program asks for it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from oms_core.config import DATABASE_URL_ENV as DATABASE_URL_ENV  # re-exported: the CLI's help names it
from oms_core.config import OfficeConfig
from oms_core.domain.errors import OmsError

# The services, the storage and their libraries are imported where they are used, not here: the
# `oms` command imports this module before it draws anything, and the TUI opens the database (and
# so imports them) in a background thread behind its first screen.
if TYPE_CHECKING:
    from collections.abc import Callable

    from oms_core.demo.plan import SeedPlan, SeedReport
    from oms_core.documents.office import OfficeDetails
    from oms_core.ports import Clock, GatewayCheck, PaymentGateway, UnitOfWorkFactory
    from oms_core.services.context import Mailing, Settings
    from oms_core.services.registry import Services

OPERATOR_ENV = "OMS_OPERATOR"


def os_account() -> str:
    """The OS account running oms (over SSH: who logged in): the effective user id's name in the
    password database.

    Environment variables such as ``USER``, ``LOGNAME`` or ``OMS_OPERATOR``, which anyone can set to
    anything, are never read here: this is who the operator is.
    """
    import pwd

    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # an account without a passwd entry (some containers): still one person
        return f"uid{uid}"


def requested_operator() -> str:
    """``OMS_OPERATOR``: the operator an admin asks to act as (``""`` when not set)."""
    return os.environ.get(OPERATOR_ENV, "").strip()


def session_operator() -> str:
    """Who this session acts as: ``OMS_OPERATOR`` when set (an admin's request, checked when the
    services are built), else the OS account.
    """
    return requested_operator() or os_account()


def session_admin() -> str:
    """The OS account when ``OMS_OPERATOR`` names someone else (that account must be an admin), else
    ``""``.
    """
    requested = requested_operator()
    account = os_account()
    return account if requested and requested != account else ""


def session_label() -> str:
    """Who runs this process, as the log names them: the OS account, or ``ann as sam`` when an
    account asks to act as another operator (whether it may is checked when services are built).
    """
    from oms_core.domain.operators import acting_name

    admin = session_admin()
    return acting_name(admin, session_operator()) if admin else os_account()


@dataclass(frozen=True, slots=True)
class Config:
    """How to build the application: a database, who is at the keyboard, and the office's settings.

    Attributes:
        database_url: SQLAlchemy URL of the shared database (``oms demo`` passes its own).
        operator: who the session acts as: the name recorded on orders and checked for
            permissions (the OS account, or the operator an admin asked for with ``OMS_OPERATOR``).
        acting_admin: the admin's own account when acting as another operator, else ``""``;
            :func:`build` refuses it unless that account is an admin.
        office: the office configuration (:func:`oms_core.config.load_config`); its defaults when
            a test or a benchmark builds the application without a file.
        test_gateway: use the deterministic test gateway whatever the office configured (the demo).
    """

    database_url: str
    operator: str = field(default_factory=session_operator)
    office: OfficeConfig = field(default_factory=OfficeConfig)
    test_gateway: bool = False
    acting_admin: str = field(default_factory=session_admin)

    @property
    def import_folder(self) -> Path:
        """Where the Import screen's file picker starts."""
        return self.office.import_folder

    @property
    def documents_folder(self) -> Path:
        """Where the Order screen writes invoices and packing slips."""
        return self.office.office.documents_folder or Path.home()

    @property
    def office_details(self) -> OfficeDetails:
        """The sender block of documents."""
        return office_details(self.office)

    @property
    def max_import_rows(self) -> int:
        """Spreadsheets with more data rows are refused."""
        return self.office.imports.max_rows

    @property
    def price_cut_limit(self) -> Decimal:
        """Percent: a price cut deeper than this needs a supervisor."""
        return self.office.orders.price_cut_limit


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


def upgrade_database(database_url: str, adopt: bool = False, first_admin: str = "") -> bool:
    """Create or upgrade the schema to the newest migration.

    Args:
        database_url: the database.
        adopt: add oms's tables to a database that holds other tables and no oms schema.
        first_admin: the account creating the database: when the schema is created here, it is
            registered as the first admin (whoever creates the database runs it).

    Returns:
        Whether ``first_admin`` was registered (the caller says so, once, when it happens).

    Raises:
        ForeignDatabase: such a database, without ``adopt``.
    """
    from oms_core.storage.schema import upgrade_schema

    return upgrade_schema(database_url, adopt=adopt, first_admin=first_admin)


def first_admin_line(username: str) -> str:
    """What oms says when the account that created a database became its first admin."""
    return (
        f"oms: {username} created this database and is its first admin "
        "(`oms operator add USER --role ...` adds others)"
    )


def schema_status(database_url: str) -> str:
    """One line on the database's schema: its revision and whether this oms is up to date with it.

    Reads the ``alembic_version`` table only; a SQLite file that does not exist is not created.

    Raises:
        OmsError: the URL is not usable (the database cannot be read raises SQLAlchemy's errors,
            which :func:`database_error_message` turns into a line).
    """
    from oms_core.storage.schema import HEAD_REVISION, stored_revision

    check_database_url(database_url)
    where = describe_database(database_url)
    try:
        require_database(database_url)
    except OmsError:
        return f"database {where}: does not exist yet (`oms db upgrade` creates it)"
    revision = stored_revision(database_url)
    if revision is None:
        return f"database {where}: no oms schema yet (run `oms db upgrade`)"
    if revision == HEAD_REVISION:
        return f"database {where}: schema {revision} (up to date)"
    # Revision ids are zero-padded sequence numbers (0001, 0002, ...), so they sort as they were made.
    if revision < HEAD_REVISION:
        return f"database {where}: schema {revision}, this oms has {HEAD_REVISION} (run `oms db upgrade`)"
    return (
        f"database {where}: schema {revision}, newer than this oms ({HEAD_REVISION}): install the newer oms"
    )


def build(config: Config, gateway: PaymentGateway | None = None, clock: Clock | None = None) -> Application:
    """Connect to the database and wire every service for ``config.operator``.

    Raises:
        PermissionDenied: ``config.acting_admin`` asks to act as another operator and is no admin.
    """
    from oms_core.clock import SystemClock
    from oms_core.payments.test_gateway import TestGateway
    from oms_core.services.context import ServiceContext
    from oms_core.services.registry import Services
    from oms_core.storage.database import make_engine
    from oms_core.storage.unit_of_work import SqlUnitOfWorkFactory

    engine = make_engine(config.database_url)
    clock = clock or SystemClock()
    # The one clock: services and storage stamp every record with it.
    factory = SqlUnitOfWorkFactory(engine, clock)
    # The gateway judges a card's expiry by the same clock as the services.
    gateway = gateway or (
        TestGateway(clock) if config.test_gateway else configured_gateway(config.office, clock)
    )
    with factory(write=False) as uow:
        settings = _settings(uow.reference.setting, config.price_cut_limit)
    settings = replace(
        settings,
        gateway_in_flight=config.office.gateway.in_flight_limit,
        refund_limit=config.office.orders.refund_limit,
    )
    context = ServiceContext(
        uow_factory=factory,
        gateway=gateway,
        clock=clock,
        operator_username=config.operator,
        settings=settings,
        mailing=mailing(config.office),
        acting_admin=config.acting_admin,
    )
    services = Services.build(context)
    try:
        services.operators.open_session()  # refuses acting as another operator unless an admin
    except BaseException:
        engine.dispose()
        raise
    return Application(
        config=config,
        services=services,
        uow_factory=factory,
        gateway=gateway,
        clock=clock,
        _dispose=engine,
    )


def mailing(office: OfficeConfig) -> Mailing | None:
    """How this office mails customers, from the file's ``[mail]`` and ``[office]``; ``None`` (no
    mail queued or sent) while ``[mail] host`` is empty.

    Raises:
        ConfigError: the password file is missing or readable by others.
    """
    mail = office.mail
    if not mail.host:
        return None  # before the imports: an office without mail never loads smtplib and ssl
    from oms_core.config import read_secret
    from oms_core.mail.smtp import SmtpSender, SmtpSettings
    from oms_core.mail.templates_folder import TemplateFolder
    from oms_core.services.context import Mailing

    password = read_secret(mail.password_file, "[mail] password_file") if mail.password_file else ""
    smtp = SmtpSettings(
        host=mail.host,
        port=mail.port,
        from_address=mail.sender or office.office.email,
        starttls=mail.starttls,
        user=mail.user,
        password=password,
    )
    return Mailing(
        templates=TemplateFolder(mail.templates),
        sender=SmtpSender(smtp),
        office_name=office.office.name,
        office_phone=office.office.phone,
    )


def configured_gateway(office: OfficeConfig, clock: Clock | None = None) -> PaymentGateway:
    """The office's gateway (``[gateway] kind``, or ``OMS_GATEWAY``; the test gateway by default,
    judging card expiry by ``clock``).

    Raises:
        ConfigError: the configuration names a gateway that cannot be built (one line).
    """
    from oms_core.payments.factory import make_gateway

    return make_gateway(office.gateway, clock)


def check_gateway(office: OfficeConfig) -> tuple[str, GatewayCheck]:
    """Build the configured gateway and make its one harmless call: (gateway name, result)."""
    gateway = configured_gateway(office)
    return gateway.name, gateway.check()


def _settings(lookup: object, price_cut_limit: Decimal) -> Settings:
    """The rules' settings: the price-cut limit from the office configuration, the rest stored in
    the database, with defaults for what is not set.
    """
    from oms_core.services.context import Settings

    assert callable(lookup)
    defaults = Settings()
    return Settings(
        phone_region=lookup("phone_region") or defaults.phone_region,
        override_limit_percent=price_cut_limit,
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

    from oms_core.storage.database import normalize_url

    check_database_scheme(database_url)  # the kind of database; the parse below checks the rest
    try:
        parsed = normalize_url(database_url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise OmsError(_not_a_url(database_url)) from None
    if parsed.get_backend_name() == "sqlite" and parsed.host:
        # sqlite://tmp/oms.db reads as host "tmp", file "oms.db" in the current folder: the
        # host would be dropped without a word and the wrong file opened (or created).
        raise OmsError(
            f"{database_url!r} has two slashes where SQLite needs three or four: "
            "sqlite:///relative/path/oms.db or sqlite:////absolute/path/oms.db"
        )


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
    adopt: bool = False,
) -> SeedReport:
    """Upgrade the schema, then add ``plan``'s synthetic data (see :mod:`oms_core.demo.seeder`).

    ``adopt`` lets the schema go into a database that holds other tables (see :func:`upgrade_database`).
    """
    from oms_core.demo.seeder import seed

    plan.check()
    upgrade_database(database_url, adopt=adopt)
    engine = _engine(database_url)
    try:
        return seed(engine, plan, clock=clock, progress=progress)
    finally:
        engine.dispose()


def customer_count(database_url: str) -> int:
    """How many customers the (migrated) database holds."""
    from oms_core.storage.loading import customer_count as count

    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            return count(conn)
    finally:
        engine.dispose()


DEMO_SETTING = "demo_database"
"""Set in the settings of a database ``oms demo`` seeded: only there does the demo make anyone an admin."""


def prepare_demo(
    database_url: str, username: str, progress: Callable[[str], None] | None = None
) -> SeedReport | None:
    """Make ``database_url`` a demo database: upgrade it, seed :data:`~oms_core.demo.plan.DEMO_PLAN`
    if it has no customers yet, and make ``username`` an admin so the demo can do everything.

    Returns:
        What was seeded, or ``None`` when the database already had customers.

    Raises:
        PermissionDenied: the database holds customers and was not made by the demo (an office
            database given with ``--db``): nobody becomes an admin of it this way.
    """
    from oms_core.demo.plan import DEMO_PLAN

    upgrade_database(database_url)
    report = None
    if not customer_count(database_url):
        report = seed_database(database_url, DEMO_PLAN, progress=progress)
    _register_demo_admin(database_url, username, seeded=report is not None)
    return report


def _register_demo_admin(database_url: str, username: str, seeded: bool) -> None:
    """Make ``username`` an admin of the demo database, whoever runs it: the demo is the one place
    where anyone may do everything, because it is made-up data. Real databases change roles only
    through the operator service, as an admin.
    """
    from oms_core.clock import SystemClock
    from oms_core.domain.errors import PermissionDenied
    from oms_core.domain.operators import Operator, Role
    from oms_core.storage.unit_of_work import SqlUnitOfWorkFactory

    engine = _engine(database_url)
    try:
        with SqlUnitOfWorkFactory(engine, SystemClock())(write=True) as uow:
            if seeded:
                uow.reference.save_setting(DEMO_SETTING, "yes")
            elif uow.reference.setting(DEMO_SETTING) is None and database_url != demo_database_url():
                raise PermissionDenied(
                    "this database was not made by `oms demo`: the demo makes you an admin only of "
                    "its own database"
                )
            existing = uow.reference.operator(username)
            uow.reference.save_operator(Operator(username, Role.ADMIN, existing.name if existing else ""))
            uow.commit()
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


def export_picklist(
    config: Config,
    fmt: str,
    out: Path | None,
    stdout: TextIO,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """Write the warehouse's picklist: every line of the orders released in ``[since, until)``, or,
    with neither, of those released since the last run. Only a picklist written to a file counts as
    a run (remembered once the file is written): one shown on the terminal is a preview.

    Returns:
        How many rows were written.

    Raises:
        ValidationError: ``since`` is after ``until``.
    """
    from oms_core.domain.errors import ValidationError
    from oms_core.exports.run import parse_format, write_rows
    from oms_core.output_files import is_stdout
    from oms_core.services.reports import PICKLIST_FIELDS, picklist_row

    if since is not None and until is not None and since >= until:
        raise ValidationError(
            "the date range runs backwards: --since must come before --until", field="since"
        )
    export_format = parse_format(fmt)
    application = build(config)
    try:
        service = application.services.fulfilment
        since_last_run = since is None and until is None
        after = service.picklist_mark() if since_last_run else None
        a_run = since_last_run and out is not None and not is_stdout(out)
        last: list[tuple[datetime, int]] = []

        def rows() -> Iterator[dict[str, Any]]:
            for line in service.picklist(since, until, after):
                last[:] = [(line.released_at, line.order_id)]
                yield picklist_row(line)

        count = write_rows(PICKLIST_FIELDS, rows(), export_format, out, stdout, "picklist")
        if a_run and last:
            service.save_picklist_mark(last[0])
        return count
    finally:
        application.close()


def backup_database(database_url: str, target: Path, replace: bool = False) -> str:
    """Copy the SQLite database at ``database_url`` to ``target`` while operators keep working.

    The copy is made under a temporary name beside ``target``, checked (``PRAGMA integrity_check``)
    and only then renamed into place; it gets the database file's permissions.

    Args:
        database_url: the database to copy (SQLite; PostgreSQL is refused with the pg_dump command).
        target: the file to write; a regular file in an existing folder.
        replace: whether an existing ``target`` may be replaced.

    Returns:
        One line saying what was copied where.

    Raises:
        OmsError: one line naming what is wrong (a PostgreSQL URL, no database, an unusable target).
    """
    import stat

    from oms_core.output_files import check_output_path, write_atomically
    from oms_core.storage.backup import backup_sqlite
    from oms_core.storage.database import normalize_url

    check_database_url(database_url)
    url = normalize_url(database_url)
    if url.get_backend_name() != "sqlite":
        from sqlalchemy.engine import URL

        # Without the password: pg_dump reads it from ~/.pgpass or PGPASSWORD, not the command line.
        plain = URL.create(
            "postgresql", url.username, None, url.host, url.port, url.database, url.query
        ).render_as_string(hide_password=False)
        raise OmsError(
            f"oms db backup copies SQLite databases; back up PostgreSQL with pg_dump: "
            f"pg_dump --format=custom --file {target} '{plain}'"
        )
    require_database(database_url)
    source = Path(url.database or "").expanduser()
    if source.name in ("", ":memory:") or str(source).startswith("file:"):
        raise OmsError(f"{describe_database(database_url)} is not a database file that can be copied")
    if not replace and target.is_file() and not target.is_symlink():
        raise OmsError(f"{target} exists: add --force to replace it")
    check_output_path(target, replace=replace)
    if target.resolve() in {source.resolve().with_name(source.name + s) for s in ("", "-wal", "-shm")}:
        raise OmsError(f"{target} is the database itself: give another file name")

    def copy(temporary: Path) -> Any:
        temporary.chmod(stat.S_IMODE(source.stat().st_mode) | stat.S_IRUSR | stat.S_IWUSR)
        return backup_sqlite(source, temporary)

    report = write_atomically(target, copy)
    megabytes = report.size_bytes / 1_000_000
    return (
        f"backed up {describe_database(database_url)} to {target} "
        f"({report.pages:,} pages, {megabytes:,.1f} MB, integrity check ok)"
    )


def require_database(database_url: str) -> None:
    """Refuse to read a SQLite file that does not exist (connecting would create an empty one).

    Raises:
        OmsError: naming the missing file and what to run.
    """
    from oms_core.storage.database import normalize_url

    url = normalize_url(database_url)
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return
    if not Path(database).expanduser().exists():
        raise OmsError(f"there is no database at {database}: run `oms db upgrade` (or `oms demo`) first")


def print_documents(
    database_url: str, kind: str, numbers: list[int], folder: Path, office: OfficeConfig | None = None
) -> list[Path]:
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
    office = office or OfficeConfig()
    application = build(Config(database_url, office=office))
    try:
        orders = [application.services.orders.get_by_number(number) for number in numbers]
    finally:
        application.close()
    return write_documents(document, orders, office_details(office), folder)


def office_details(office: OfficeConfig) -> OfficeDetails:
    """The office's name, address and phone for documents and mail (the file's ``[office]``)."""
    from oms_core.documents.office import OfficeDetails

    section = office.office
    lines = tuple(line.strip() for line in section.address.splitlines() if line.strip())
    details = OfficeDetails(address_lines=lines, phone=section.phone, email=section.email)
    return replace(details, name=section.name) if section.name else details
