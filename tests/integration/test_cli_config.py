"""The office configuration through the ``oms`` command: ``oms config show``, the file's settings
reaching the application, ``oms --version`` naming the database's schema revision."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from oms_core.bootstrap import Config, build
from oms_core.config import OfficeConfig, OrdersSection
from oms_core.domain.errors import PermissionDenied
from oms_core.storage.schema import HEAD_REVISION, upgrade_schema
from oms_tui.cli import main
from tests.fakes import SKU_CABERNET, seed_reference

ROOT = Path(__file__).resolve().parents[2]


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def office_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "oms.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "office.db"}"\n'
        '[office]\nname = "Cedar Wines"\n[orders]\nprice_cut_limit = 5\n'
        '[mail]\nhost = "smtp.example.net"\n'
    )
    monkeypatch.setenv("OMS_CONFIG", str(path))
    return path


def settings(out: str) -> dict[str, tuple[str, str]]:
    lines = [line for line in out.splitlines() if not line.startswith("#")]
    parsed = {}
    for line in lines:
        key, _, rest = line.partition(" = ")
        value, _, source = rest.rpartition("  # ")
        parsed[key.strip()] = (value.strip(), source)
    return parsed


def test_config_show_prints_each_setting_and_where_it_came_from(office_file, tmp_path, monkeypatch):
    monkeypatch.setenv("OMS_IMPORT_DIR", str(tmp_path))
    status, out, err = oms("config", "show")
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == f"# configuration file: {office_file}"
    shown = settings(out)
    assert shown["office.name"] == ('"Cedar Wines"', f"file {office_file}")
    assert shown["orders.price_cut_limit"] == ("5", f"file {office_file}")
    assert shown["import.folder"] == (f'"{tmp_path}"', "env OMS_IMPORT_DIR")
    assert shown["mail.port"] == ("587", "default")
    assert {"gateway.kind", "gateway.secret_key_file", "mail.password_file", "mail.from"} <= set(shown)

    status, out, _ = oms("--db", "postgresql://oms:s3cret@127.0.0.1/oms", "config", "show")
    assert settings(out)["database.url"] == ('"postgresql://oms:***@127.0.0.1/oms"', "flag --db")
    assert "s3cret" not in out


@pytest.mark.parametrize("argv", [("config", "show"), ("db", "upgrade"), ("--version",), ()])
def test_a_broken_file_stops_every_command_with_one_line_naming_the_key(tmp_path, monkeypatch, argv):
    path = tmp_path / "oms.toml"
    path.write_text('[mail]\nport = "submission"\n')
    monkeypatch.setenv("OMS_CONFIG", str(path))
    status, out, err = oms(*argv)
    assert status == 1
    assert err == f"oms: error: [mail] port: expected a whole number, got 'submission' ({path})\n"
    if argv == ("--version",):  # the version still, whatever is wrong with the configuration
        assert out.startswith("oms ") and len(out.splitlines()) == 1
    else:
        assert out == ""
    assert "Traceback" not in err


def test_the_files_database_is_the_one_commands_use(office_file, tmp_path):
    status, out, _ = oms("db", "upgrade")
    assert status == 0
    assert str(tmp_path / "office.db") in out
    assert (tmp_path / "office.db").exists()


def test_the_price_cut_limit_comes_from_the_office_configuration(database_url):
    """Not from the database's old ``override_limit_percent`` setting, which is no longer read."""
    strict = OfficeConfig(orders=OrdersSection(price_cut_limit=Decimal("3")))
    application = build(Config(database_url, operator="alice", office=strict))
    try:
        with application.uow_factory(write=True) as uow:
            seed_reference(uow)
            uow.reference.save_setting("override_limit_percent", "50")
            uow.commit()
        cart = application.services.cart
        draft = cart.add_line(cart.start().id, SKU_CABERNET)
        five_percent_off = draft.lines[0].unit_price * Decimal("0.95")
        with pytest.raises(PermissionDenied, match="over 3%"):
            cart.override_price(draft.id, draft.lines[0].id, five_percent_off, "loyal customer")
    finally:
        application.close()
    relaxed = OfficeConfig(orders=OrdersSection(price_cut_limit=Decimal("6")))
    application = build(Config(database_url, operator="alice", office=relaxed))
    try:
        done = application.services.cart.override_price(
            draft.id, draft.lines[0].id, five_percent_off, "loyal customer"
        )
        assert done.lines[0].price_override == five_percent_off.quantize(Decimal("0.01"))
    finally:
        application.close()


# -- oms --version ----------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_without_a_database_load_no_database_screen_or_application_module(option):
    probe = (
        f"import io, sys; from oms_tui.cli import main; out = io.StringIO(); "
        f"status = main([{option!r}], stdout=out); import json; "
        "print(json.dumps([status, out.getvalue(), sorted(m for m in "
        "('sqlalchemy', 'alembic', 'psycopg', 'textual', 'openpyxl', 'oms_tui.app', 'oms_core.services', "
        "'oms_core.storage', 'oms_core.services.registry') if m in sys.modules)]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60, check=True
    )
    status, out, heavy = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == 0
    if option == "--version":
        assert len(out.splitlines()) == 1 and out.startswith("oms ")
    else:
        assert out.startswith("usage: oms")
    assert heavy == []


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--db",), "oms: error: argument --db: expected one argument (see `oms --help`)"),
        (("--bogus",), "oms: error: unrecognized arguments: --bogus (see `oms --help`)"),
        (("--db", "x", "--bogus"), "oms: error: unrecognized arguments: --bogus (see `oms --help`)"),
    ],
)
def test_a_mistake_in_the_global_options_is_the_whole_parsers_one_line(argv, expected):
    status, out, err = oms(*argv)
    assert (status, out, err.splitlines()) == (2, "", [expected])


def test_help_after_the_global_options_lists_the_commands():
    status, out, _ = oms("--db", "sqlite:///x.db", "--help")
    assert status == 0
    assert out.startswith("usage: oms") and "export" in out and "seed" in out


def test_version_names_the_schema_revision_of_the_database_given(tmp_path):
    db = tmp_path / "oms.db"
    status, out, _ = oms("--db", f"sqlite:///{db}", "--version")
    assert status == 0
    assert out.splitlines()[1] == f"database sqlite:///{db}: does not exist yet (`oms db upgrade` creates it)"
    assert not db.exists()

    sqlite3.connect(db).close()
    assert (
        oms("--db", f"sqlite:///{db}", "--version")[1]
        .splitlines()[1]
        .endswith("no oms schema yet (run `oms db upgrade`)")
    )

    upgrade_schema(f"sqlite:///{db}", "0002")
    assert (
        oms("--db", f"sqlite:///{db}", "--version")[1]
        .splitlines()[1]
        .endswith(f"schema 0002, this oms has {HEAD_REVISION} (run `oms db upgrade`)")
    )

    assert oms("--db", f"sqlite:///{db}", "db", "upgrade")[0] == 0
    status, out, _ = oms("--db", f"sqlite:///{db}", "--version")
    assert out.splitlines()[1] == f"database sqlite:///{db}: schema {HEAD_REVISION} (up to date)"


def test_version_reads_the_database_named_in_the_file(office_file, tmp_path):
    assert oms("db", "upgrade")[0] == 0
    status, out, _ = oms("--version")
    assert status == 0
    assert (
        out.splitlines()[1]
        == f"database sqlite:///{tmp_path / 'office.db'}: schema {HEAD_REVISION} (up to date)"
    )


def test_version_on_an_unreachable_server_is_one_line():
    status, out, err = oms("--db", "postgresql://nobody@127.0.0.1:1/none", "--version")
    assert status == 1
    assert out.startswith("oms ")
    assert err.startswith("oms: error: cannot reach the database") and len(err.strip().splitlines()) == 1


def test_config_show_warns_of_a_secret_file_others_can_read(tmp_path, monkeypatch):
    password = tmp_path / "mail.password"
    password.write_text("hunter2\n")
    password.chmod(0o644)
    path = tmp_path / "oms.toml"
    path.write_text(f'[mail]\nhost = "smtp.example.net"\npassword_file = "{password}"\n')
    monkeypatch.setenv("OMS_CONFIG", str(path))
    status, out, _ = oms("config", "show")
    assert status == 0
    assert out.splitlines()[-1] == (
        f"# warning: [mail] password_file: {password} is open to group or others (mode 0644); "
        f"run `chmod 600 {password}` so only its owner can read it"
    )
    assert "hunter2" not in out


def test_a_broken_configuration_is_one_line_on_stderr_even_before_the_log_is_open(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.toml"
    bad.write_text("[orders]\nprice_cut_limit = 500\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "OMS_CONFIG": str(bad)}
    done = subprocess.run(
        [sys.executable, "-m", "oms_tui.cli", "config", "show"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"oms: error: [orders] price_cut_limit must be a percentage from 0 to 100, got 500 ({bad})"
    ]
