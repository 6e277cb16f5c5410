"""The office configuration: one TOML file, read with the standard library.

The file is ``/etc/oms/oms.toml``, or the one ``OMS_CONFIG`` names. Environment variables override it,
and ``--db`` overrides them. Every section is a frozen dataclass below and every key one field of it,
declared with :func:`setting` (its help text, the environment variable that overrides it, how to check
and show it). To add a section, write its dataclass and add one field to :class:`OfficeConfig`: the
parser, the error messages and ``oms config show`` follow from the declarations.

Secrets never go into this file; it names files that hold them (``secret_key_file``,
``password_file``), which :func:`read_secret` reads and refuses when group or others can open them.

Only the standard library is imported here: ``oms --version`` and every command load this first.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from oms_core.domain.errors import OmsError
from oms_core.domain.limits import DEFAULT_PRICE_CUT_LIMIT_PERCENT, DEFAULT_REFUND_LIMIT

CONFIG_ENV = "OMS_CONFIG"
DEFAULT_CONFIG_PATH = Path("/etc/oms/oms.toml")
DATABASE_URL_ENV = "OMS_DATABASE_URL"
IMPORT_FOLDER_ENV = "OMS_IMPORT_DIR"
LOG_FILE_ENV = "OMS_LOG_FILE"

DEFAULT = "default"
FILE = "file"
ENV = "env"
FLAG = "flag"


class ConfigError(OmsError):
    """The configuration file (or an override) cannot be used; the message names the key and file."""


def setting(
    default: Any,
    help: str,
    *,
    key: str | None = None,
    env: str | None = None,
    check: Callable[[Any], str | None] | None = None,
    mask: Callable[[str], str] | None = None,
    secret_file: bool = False,
) -> Any:
    """Declare one key of a section.

    Args:
        default: the value when neither the file nor the environment gives one.
        help: one line for ``oms config show`` and the README's example.
        key: the key in the file when it cannot be the field's name (``from`` is a Python keyword).
        env: the environment variable that overrides the file, if any.
        check: returns what is wrong with a parsed value, or ``None`` when it is fine.
        mask: turns the value into what may be shown (hides a password in a URL).
        secret_file: the value names a file holding a secret (see :func:`read_secret`).
    """
    metadata = {
        "help": help,
        "key": key,
        "env": env,
        "check": check,
        "mask": mask,
        "secret_file": secret_file,
    }
    return field(default=default, metadata=metadata)


def _at_least(low: int) -> Callable[[Any], str | None]:
    return lambda value: None if value >= low else f"must be {low} or more"


def _amount(value: Decimal) -> str | None:
    return None if Decimal(0) <= value <= Decimal(1_000_000) else "must be an amount from 0 to 1000000"


def _percent(value: Decimal) -> str | None:
    return None if Decimal(0) <= value <= Decimal(100) else "must be a percentage from 0 to 100"


def _port(value: int) -> str | None:
    return None if 1 <= value <= 65535 else "must be a port number from 1 to 65535"


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    return lambda value: None if value in choices else f"must be one of: {', '.join(choices)}"


def _currency(value: str) -> str | None:
    return None if len(value) == 3 and value.isalpha() else "must be a three-letter currency code (usd)"


def _email(value: str) -> str | None:
    # ``Cedar Wines <office@example.com>`` or a bare address. The full check (deliverability rules)
    # belongs to whatever sends mail; this catches typos.
    from email.utils import parseaddr  # here, not at the top: every `oms --version` imports this module

    address = parseaddr(value)[1]
    return None if not value or ("@" in address and " " not in address) else "is not an email address"


def mask_url_password(url: str) -> str:
    """``postgresql://oms:secret@host/db`` as ``postgresql://oms:***@host/db``; other URLs unchanged."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user, colon, _password = credentials.partition(":")
    return f"{scheme}://{user}:***@{host}" if colon else url


@dataclass(frozen=True, slots=True)
class DatabaseSection:
    """``[database]``: where the shared data lives."""

    url: str = setting(
        "",
        "SQLAlchemy URL: sqlite:////srv/oms/oms.db or postgresql://oms@127.0.0.1/oms "
        "(empty: oms.db in the user's data folder)",
        env=DATABASE_URL_ENV,
        mask=mask_url_password,
    )


@dataclass(frozen=True, slots=True)
class OfficeSection:
    """``[office]``: who the office is, for documents and mail."""

    name: str = setting("", "the office's name as documents and mail show it")
    address: str = setting("", "postal address (several lines allowed)")
    phone: str = setting("", "phone number customers call")
    email: str = setting("", "email address customers write to", check=_email)
    documents_folder: Path | None = setting(
        None, "where the Order screen writes invoices and packing slips (empty: the operator's home folder)"
    )


@dataclass(frozen=True, slots=True)
class OrdersSection:
    """``[orders]``: rules the office sets for orders."""

    price_cut_limit: Decimal = setting(
        DEFAULT_PRICE_CUT_LIMIT_PERCENT,
        "percent: a price cut deeper than this needs a supervisor",
        check=_percent,
    )
    refund_limit: Decimal = setting(
        DEFAULT_REFUND_LIMIT,
        "amount: a refund (card, check or store credit) larger than this needs a supervisor",
        check=_amount,
    )


@dataclass(frozen=True, slots=True)
class ImportSection:
    """``[import]``: spreadsheets of orders from clients."""

    folder: Path | None = setting(
        None, "where the Import screen's file picker starts (empty: home folder)", env=IMPORT_FOLDER_ENV
    )
    max_rows: int = setting(20_000, "spreadsheets with more data rows are refused", check=_at_least(1))


@dataclass(frozen=True, slots=True)
class GatewaySection:
    """``[gateway]``: the card payment gateway."""

    kind: str = setting(
        "test",
        "which gateway: test (the bundled deterministic one, no money moves) or stripe",
        env="OMS_GATEWAY",
        check=_one_of("test", "stripe"),
    )
    secret_key_file: Path | None = setting(
        None, "file holding the gateway's secret key (mode 600, owned by the oms account)", secret_file=True
    )
    currency: str = setting("usd", "ISO code of the currency card amounts are in", check=_currency)
    api_base: str = setting(
        "", "another address for the gateway's API (a local test server); empty: the gateway's own"
    )
    in_flight_limit: int = setting(8, "most card requests waiting on the gateway at once", check=_at_least(1))


@dataclass(frozen=True, slots=True)
class MailSection:
    """``[mail]``: the server that sends the office's mail."""

    host: str = setting("", "SMTP server (empty: no mail is sent)")
    port: int = setting(587, "SMTP port", check=_port)
    starttls: bool = setting(True, "upgrade the connection with STARTTLS")
    user: str = setting("", "SMTP user name (empty: no login)")
    password_file: Path | None = setting(None, "file holding the SMTP password (mode 600)", secret_file=True)
    sender: str = setting("", "the From address of the office's mail", key="from", check=_email)
    templates: Path | None = setting(
        None, "folder of the office's own mail templates, <kind>.txt (empty: the ones oms ships)"
    )


@dataclass(frozen=True, slots=True)
class LogSection:
    """``[log]``: oms's own log (who did what, and every error with its traceback)."""

    file: Path | None = setting(
        None,
        "the log file (empty: oms.log in each user's log folder, e.g. ~/.local/state/oms/log/oms.log)",
        env=LOG_FILE_ENV,
    )
    max_bytes: int = setting(
        5_000_000, "start a new log file when the current one reaches this size", check=_at_least(10_000)
    )
    backups: int = setting(
        5, "how many older log files to keep (oms.log.1 ... oms.log.N)", check=_at_least(1)
    )


@dataclass(frozen=True, slots=True)
class OfficeConfig:
    """Every setting in force, and where each came from.

    Attributes:
        path: the file that was read, or ``None`` when there was none.
        sources: ``"section.key"`` -> ``"default"``, ``"file"``, ``"env NAME"`` or ``"flag --db"``.
    """

    database: DatabaseSection = field(default_factory=DatabaseSection)
    office: OfficeSection = field(default_factory=OfficeSection)
    orders: OrdersSection = field(default_factory=OrdersSection)
    imports: ImportSection = field(default_factory=ImportSection, metadata={"key": "import"})
    gateway: GatewaySection = field(default_factory=GatewaySection)
    mail: MailSection = field(default_factory=MailSection)
    log: LogSection = field(default_factory=LogSection)
    path: Path | None = field(default=None, metadata={"internal": True})
    sources: Mapping[str, str] = field(default_factory=dict, metadata={"internal": True})

    @property
    def database_url(self) -> str:
        """The database in force: the configured URL, else a SQLite file in the user's data folder."""
        return self.database.url or default_database_url()

    @property
    def database_configured(self) -> bool:
        """Whether a flag, the environment or the file named a database (not the default file)."""
        return bool(self.database.url)

    @property
    def import_folder(self) -> Path:
        """Where the Import screen's file picker starts."""
        return self.imports.folder or Path.home()

    def source(self, dotted_key: str) -> str:
        """Where ``"section.key"`` came from (``"default"`` when nothing set it)."""
        return self.sources.get(dotted_key, DEFAULT)


def default_database_url() -> str:
    """A SQLite file in the user's data folder (platformdirs), e.g. ``~/.local/share/oms/oms.db``."""
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('oms', appauthor=False)) / 'oms.db'}"


# -- reading ------------------------------------------------------------------------------------------


def config_path(environ: Mapping[str, str]) -> tuple[Path, bool]:
    """The file to read and whether it was named (``OMS_CONFIG``): a named file must exist."""
    named = environ.get(CONFIG_ENV)
    return (Path(named).expanduser(), True) if named else (DEFAULT_CONFIG_PATH, False)


def load_config(
    cli_database_url: str | None = None, environ: Mapping[str, str] | None = None
) -> OfficeConfig:
    """Read the configuration file, then apply the environment and ``--db``.

    Args:
        cli_database_url: ``--db``, which overrides everything.
        environ: the environment (``os.environ`` by default).

    Raises:
        ConfigError: one line naming the file and the key that is wrong.
    """
    environ = os.environ if environ is None else environ
    path, named = config_path(environ)
    document = _read_document(path, named)
    sources: dict[str, str] = {}
    sections: dict[str, Any] = {}
    where = f" ({path})"
    known_sections = {_key_of(f): f for f in _section_fields()}
    for name in document:
        if name not in known_sections:
            raise ConfigError(f"unknown section [{name}]{where}; known: {', '.join(known_sections)}")
    for section_key, section_field in known_sections.items():
        table = document.get(section_key, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{section_key} must be a table: write [{section_key}] above its keys{where}")
        section_type = _type_of(OfficeConfig, section_field.name)
        values = _parse_section(section_key, section_type, table, path, sources)
        values.update(_environment_overrides(section_key, section_type, environ, sources))
        if section_key == "database" and cli_database_url:
            values["url"] = cli_database_url
            sources["database.url"] = f"{FLAG} --db"
        sections[section_field.name] = section_type(**values)
    return OfficeConfig(**sections, path=path if path.exists() else None, sources=sources)


def _read_document(path: Path, named: bool) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if named:
            raise ConfigError(f"{CONFIG_ENV} names {path}, which does not exist") from None
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration file {path}: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def _parse_section(
    section: str, section_type: type, table: dict[str, Any], path: Path, sources: dict[str, str]
) -> dict[str, Any]:
    where, folder = f" ({path})", path.absolute().parent
    fields_by_key = {_key_of(f): f for f in dataclasses.fields(section_type)}
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in fields_by_key:
            known = ", ".join(fields_by_key)
            raise ConfigError(f"unknown key [{section}] {key}{where}; [{section}] knows: {known}")
        item = fields_by_key[key]
        value = _convert(section, key, item, _type_of(section_type, item.name), raw, where)
        if isinstance(value, Path) and not value.is_absolute():
            value = folder / value  # relative to the file, not to wherever oms happens to start
        values[item.name] = value
        sources[f"{section}.{key}"] = FILE
    return values


def _environment_overrides(
    section: str, section_type: type, environ: Mapping[str, str], sources: dict[str, str]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in dataclasses.fields(section_type):
        variable = item.metadata.get("env")
        if variable and environ.get(variable, "").strip():
            key = _key_of(item)
            where = f" (environment variable {variable})"
            kind = _type_of(section_type, item.name)
            values[item.name] = _convert(section, key, item, kind, environ[variable], where)
            sources[f"{section}.{key}"] = f"{ENV} {variable}"
    return values


def _convert(section: str, key: str, item: dataclasses.Field[Any], kind: Any, raw: Any, where: str) -> Any:
    """``raw`` (from TOML, or a string from the environment) as ``kind``, checked."""
    optional = type(None) in typing.get_args(kind)
    if optional:
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    try:
        value = _CONVERTERS[kind](raw)
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise ConfigError(f"[{section}] {key}: {exc}, got {raw!r}{where}") from None
    check = item.metadata.get("check")
    problem = check(value) if check else None
    if problem:
        raise ConfigError(f"[{section}] {key} {problem}, got {raw!r}{where}")
    if optional and value in ("", Path()):
        return None
    return value


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise TypeError("expected text in quotes")
    return raw.strip()


def _integer(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise TypeError("expected a whole number")
    try:
        return int(raw)
    except ValueError:
        raise ValueError("expected a whole number") from None


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return raw.strip().lower() in ("true", "1", "yes")
    raise TypeError("expected true or false")


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise TypeError("expected a number")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError("expected a number") from None
    if not value.is_finite():
        raise ValueError("expected a number")
    return value


def _path(raw: Any) -> Path:
    return Path(_text(raw)).expanduser() if _text(raw) else Path()


_CONVERTERS: dict[Any, Callable[[Any], Any]] = {
    str: _text,
    int: _integer,
    bool: _boolean,
    Decimal: _decimal,
    Path: _path,
}


def _section_fields() -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(OfficeConfig) if not f.metadata.get("internal")]


def _key_of(item: dataclasses.Field[Any]) -> str:
    return item.metadata.get("key") or item.name


def _type_of(owner: type, name: str) -> Any:
    return typing.get_type_hints(owner)[name]


# -- showing ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShownSetting:
    """One line of ``oms config show``.

    Attributes:
        key: ``section.key`` as the file spells it.
        value: the value as a TOML literal (``"text"``, ``587``, ``true``), secrets masked.
        source: ``default``, ``file PATH``, ``env NAME`` or ``flag --db``.
        help: what the setting is for.
    """

    key: str
    value: str
    source: str
    help: str


def describe(config: OfficeConfig) -> list[ShownSetting]:
    """Every setting in force, secrets masked, in the order of the file's sections."""
    shown: list[ShownSetting] = []
    for section_field in _section_fields():
        section_key = _key_of(section_field)
        section = getattr(config, section_field.name)
        for item in dataclasses.fields(section):
            dotted = f"{section_key}.{_key_of(item)}"
            value: Any = getattr(section, item.name)
            if dotted == "database.url" and not value:
                value = config.database_url
            elif dotted == "import.folder" and value is None:
                value = config.import_folder
            mask = item.metadata.get("mask")
            if mask and value:
                value = mask(value)
            source = config.source(dotted)
            if source == FILE and config.path is not None:
                source = f"{FILE} {config.path}"
            shown.append(ShownSetting(dotted, _literal(value), source, item.metadata.get("help", "")))
    return shown


def _literal(value: Any) -> str:
    """``value`` written as TOML writes it, so ``oms config show`` reads like the file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    text = "" if value is None else str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


# -- secrets ------------------------------------------------------------------------------------------


def secret_file_problem(path: Path) -> str | None:
    """What makes ``path`` unfit to hold a secret (missing, not a regular file, open to group or
    others), without reading it; ``None`` when it is fit.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return f"{path} does not exist"
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return f"{path} is not a regular file"
    if info.st_mode & 0o077:
        mode = stat.S_IMODE(info.st_mode)
        return (
            f"{path} is open to group or others (mode {mode:04o}); "
            f"run `chmod 600 {path}` so only its owner can read it"
        )
    return None


def secret_file_problems(config: OfficeConfig) -> list[str]:
    """For ``oms config show``: every secret file the configuration names that cannot be used."""
    problems = []
    for section_field in _section_fields():
        section = getattr(config, section_field.name)
        for item in dataclasses.fields(section):
            path = getattr(section, item.name)
            if item.metadata.get("secret_file") and path is not None:
                problem = secret_file_problem(path)
                if problem:
                    problems.append(f"[{_key_of(section_field)}] {_key_of(item)}: {problem}")
    return problems


def read_secret(path: Path, what: str) -> str:
    """The secret in ``path`` (its first line, stripped), for ``what`` (e.g. ``"[mail] password_file"``).

    The file must be a regular file that only its owner can read or write: a secret that every
    account on the server can read is no secret.

    Raises:
        ConfigError: one line naming the file, ``what`` it is for and how to fix it.
    """
    problem = secret_file_problem(path)
    if problem:
        raise ConfigError(f"{what}: {problem}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{what}: cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    secret = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not secret:
        raise ConfigError(f"{what}: {path} is empty")
    return secret
