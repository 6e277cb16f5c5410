"""The office configuration file: parsed with tomllib, overridden by the environment and --db, every
mistake one line naming the key and the file, secrets read only from files nobody else can read."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from oms_core import config as config_module
from oms_core.config import ConfigError, describe, load_config, read_secret

FULL = '''
[database]
url = "postgresql://oms:s3cret@127.0.0.1/oms"

[office]
name = "Cedar Wines"
address = """1 Vineyard Rd
Napa, CA 94558"""
phone = "(707) 555-0100"
email = "office@cedarwines.example"

[orders]
price_cut_limit = 12.5

[import]
folder = "/srv/oms/imports"
max_rows = 5000

[gateway]
kind = "test"
secret_key_file = "/etc/oms/gateway.key"
in_flight_limit = 8

[mail]
host = "smtp.example.net"
port = 465
starttls = false
user = "office"
password_file = "/etc/oms/mail.password"
from = "Cedar Wines <office@cedarwines.example>"
'''


def write(tmp_path: Path, text: str, name: str = "oms.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, cli_db: str | None = None, **env: str):
    return load_config(cli_db, {"OMS_CONFIG": str(path), **env})


def one_line_error(path: Path, cli_db: str | None = None, **env: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(path, cli_db, **env)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_without_a_file_every_setting_is_its_default(tmp_path, monkeypatch):
    monkeypatch.setattr(config_module, "DEFAULT_CONFIG_PATH", tmp_path / "absent.toml")
    config = load_config(None, {})
    assert config.path is None
    assert not config.database_configured
    assert config.database_url.startswith("sqlite:///") and config.database_url.endswith("oms.db")
    assert config.orders.price_cut_limit == Decimal("10")
    assert config.import_folder == Path.home()
    assert (config.mail.port, config.mail.starttls, config.gateway.kind) == (587, True, "test")
    assert {item.source for item in describe(config)} == {"default"}


def test_every_section_of_a_full_file_is_read_with_its_types(tmp_path):
    path = write(tmp_path, FULL)
    config = load(path)
    assert config.path == path
    assert config.database_url == "postgresql://oms:s3cret@127.0.0.1/oms"
    assert config.office.name == "Cedar Wines"
    assert config.office.address == "1 Vineyard Rd\nNapa, CA 94558"
    assert config.orders.price_cut_limit == Decimal("12.5")
    assert (config.import_folder, config.imports.max_rows) == (Path("/srv/oms/imports"), 5000)
    assert config.gateway.secret_key_file == Path("/etc/oms/gateway.key")
    assert config.gateway.in_flight_limit == 8
    assert (config.mail.host, config.mail.port, config.mail.starttls) == ("smtp.example.net", 465, False)
    assert config.mail.password_file == Path("/etc/oms/mail.password")
    assert config.mail.sender == "Cedar Wines <office@cedarwines.example>"
    assert config.source("office.name") == "file"
    assert config.source("office.phone") == "file"


def test_the_environment_overrides_the_file_and_db_overrides_both(tmp_path):
    path = write(tmp_path, FULL)
    config = load(path, OMS_DATABASE_URL="sqlite:////srv/env.db", OMS_IMPORT_DIR="/srv/drop")
    assert config.database_url == "sqlite:////srv/env.db"
    assert config.source("database.url") == "env OMS_DATABASE_URL"
    assert (config.import_folder, config.source("import.folder")) == (Path("/srv/drop"), "env OMS_IMPORT_DIR")
    config = load(path, "sqlite:////srv/flag.db", OMS_DATABASE_URL="sqlite:////srv/env.db")
    assert config.database_url == "sqlite:////srv/flag.db"
    assert config.source("database.url") == "flag --db"


def test_show_names_every_setting_and_its_source_with_the_password_masked(tmp_path):
    path = write(tmp_path, '[database]\nurl = "postgresql://oms:s3cret@db.local/oms"\n[mail]\nport = 25\n')
    shown = {item.key: item for item in describe(load(path))}
    assert shown["database.url"].value == '"postgresql://oms:***@db.local/oms"'
    assert shown["database.url"].source == f"file {path}"
    assert (shown["mail.port"].value, shown["mail.starttls"].value) == ("25", "true")
    assert shown["mail.starttls"].source == "default"
    assert "s3cret" not in repr(describe(load(path)))
    expected_keys = {"gateway.kind", "gateway.secret_key_file", "gateway.in_flight_limit", "mail.from"}
    assert expected_keys <= set(shown)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[database\nurl = 1", "is not valid TOML"),
        ("[mail]\npasswd = 'x'\n", "unknown key [mail] passwd"),
        ("[post]\nx = 1\n", "unknown section [post]"),
        ("[mail]\nport = 'abc'\n", "[mail] port: expected a whole number, got 'abc'"),
        ("[mail]\nport = true\n", "[mail] port: expected a whole number"),
        ("[mail]\nport = 70000\n", "[mail] port must be a port number"),
        ("[mail]\nstarttls = 'maybe'\n", "[mail] starttls: expected true or false"),
        ("[office]\nname = 12\n", "[office] name: expected text in quotes"),
        ("[orders]\nprice_cut_limit = 'lots'\n", "[orders] price_cut_limit: expected a number"),
        ("[orders]\nprice_cut_limit = -1\n", "[orders] price_cut_limit must be a percentage"),
        ("[orders]\nrefund_limit = -5\n", "[orders] refund_limit must be an amount from 0"),
        ("[gateway]\nkind = 'acme'\n", "[gateway] kind must be one of: test"),
        ("[gateway]\nin_flight_limit = 0\n", "[gateway] in_flight_limit must be 1 or more"),
        ("[office]\nemail = 'not an address'\n", "[office] email is not an email address"),
        ("orders = 5\n", "orders must be a table"),
    ],
)
def test_a_broken_file_is_one_line_naming_the_key_and_the_file(tmp_path, text, expected):
    path = write(tmp_path, text)
    message = one_line_error(path)
    assert expected in message
    assert str(path) in message


def test_an_empty_environment_variable_leaves_the_file_in_force(tmp_path):
    path = write(tmp_path, '[database]\nurl = "sqlite:////srv/oms/oms.db"\n')
    config = load(path, OMS_DATABASE_URL="  ")
    assert (config.database_url, config.source("database.url")) == ("sqlite:////srv/oms/oms.db", "file")


def test_a_file_named_by_oms_config_must_exist(tmp_path):
    missing = tmp_path / "nope.toml"
    assert one_line_error(missing) == f"OMS_CONFIG names {missing}, which does not exist"


def test_a_file_that_is_not_utf8_is_one_line(tmp_path):
    path = tmp_path / "oms.toml"
    path.write_bytes(b"[office]\nname = '\xff'\n")
    assert one_line_error(path) == f"{path} is not UTF-8 text"


# -- secrets --------------------------------------------------------------------------------------


def secret_file(tmp_path: Path, mode: int, text: str = "hunter2\n") -> Path:
    path = tmp_path / "secret"
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_a_secret_readable_only_by_its_owner_is_read_without_its_newline(tmp_path):
    assert read_secret(secret_file(tmp_path, 0o600), "[mail] password_file") == "hunter2"
    assert read_secret(secret_file(tmp_path, 0o400), "[mail] password_file") == "hunter2"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660, 0o606])
def test_a_secret_file_open_to_group_or_others_is_refused_with_the_fix(tmp_path, mode):
    path = secret_file(tmp_path, mode)
    with pytest.raises(ConfigError) as caught:
        read_secret(path, "[mail] password_file")
    message = str(caught.value)
    assert message.startswith("[mail] password_file: ")
    assert f"mode {mode:04o}" in message
    assert f"chmod 600 {path}" in message
    assert "hunter2" not in message


def test_a_secret_that_is_missing_empty_or_not_a_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        read_secret(tmp_path / "absent", "[gateway] secret_key_file")
    with pytest.raises(ConfigError, match="is empty"):
        read_secret(secret_file(tmp_path, 0o600, "\n"), "[gateway] secret_key_file")
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o700)
    with pytest.raises(ConfigError, match="not a regular file"):
        read_secret(folder, "[gateway] secret_key_file")


def test_the_readmes_annotated_example_is_a_valid_configuration(tmp_path):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    text = "\n".join(line.removeprefix("   ") for line in block.splitlines())
    config = load(write(tmp_path, text))
    assert config.database_url == "sqlite:////srv/oms/oms.db"
    assert config.office.name and config.orders.price_cut_limit == Decimal("10")


def test_documents_take_the_sender_block_from_the_office_section(tmp_path):
    from oms_core.bootstrap import office_details

    details = office_details(load(write(tmp_path, FULL)))
    assert details.name == "Cedar Wines"
    assert details.address_lines == ("1 Vineyard Rd", "Napa, CA 94558")
    assert (details.phone, details.email) == ("(707) 555-0100", "office@cedarwines.example")
    assert office_details(load(write(tmp_path, "", "empty.toml"))).name == "oms"


def test_a_relative_path_in_the_file_is_relative_to_the_file(tmp_path):
    path = write(tmp_path, '[import]\nfolder = "imports"\n[mail]\npassword_file = "secrets/mail"\n')
    config = load(path)
    assert config.import_folder == tmp_path / "imports"
    assert config.mail.password_file == tmp_path / "secrets" / "mail"


def test_secret_files_that_cannot_be_used_are_listed_without_being_read(tmp_path):
    key = secret_file(tmp_path, 0o644)
    path = write(tmp_path, f'[gateway]\nsecret_key_file = "{key}"\n[mail]\npassword_file = "absent"\n')
    problems = config_module.secret_file_problems(load(path))
    assert problems == [
        f"[gateway] secret_key_file: {key} is open to group or others (mode 0644); "
        f"run `chmod 600 {key}` so only its owner can read it",
        f"[mail] password_file: {tmp_path / 'absent'} does not exist",
    ]
    os.chmod(key, 0o600)
    (tmp_path / "absent").write_text("pw")
    os.chmod(tmp_path / "absent", 0o600)
    assert config_module.secret_file_problems(load(path)) == []
