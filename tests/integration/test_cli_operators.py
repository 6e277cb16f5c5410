"""Who the operator is (the OS account, never an environment variable) and who may change roles."""

from __future__ import annotations

import io
import os
import pwd
import sqlite3
from pathlib import Path

import pytest

from oms_core import bootstrap
from oms_core.domain.errors import PermissionDenied
from oms_core.services.customers import CustomerInput
from oms_tui.cli import main
from tests.fakes import seed_reference


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch):
    """Run the commands as the OS account named (what the password database would say)."""

    def login(name: str) -> None:
        monkeypatch.setattr(bootstrap, "os_account", lambda: name)

    return login


@pytest.fixture
def office(tmp_path: Path, account) -> tuple[str, Path]:
    """A new office database created by ann (so its first admin), with sam a supervisor."""
    db = tmp_path / "oms.db"
    url = f"sqlite:///{db}"
    account("ann")
    status, _, err = oms("--db", url, "db", "upgrade")
    assert status == 0
    assert "ann created this database and is its first admin" in err
    assert oms("--db", url, "operator", "add", "sam", "--role", "supervisor")[0] == 0
    assert oms("--db", url, "operator", "add", "olga", "--role", "operator")[0] == 0
    return url, db


def test_an_operator_cannot_make_themselves_admin_by_naming_themselves(tmp_path):
    """The reported case, as the office would type it (whatever account runs the tests)."""
    url = f"sqlite:///{tmp_path / 'oms.db'}"
    oms("--db", url, "db", "upgrade")
    os.environ["OMS_OPERATOR"] = "olga"
    try:
        status, _, err = oms("--db", url, "operator", "add", "olga", "--role", "admin")
    finally:
        del os.environ["OMS_OPERATOR"]
    assert status == 1
    assert err.count("\n") == 1 and "needs an admin" in err
    assert rows(tmp_path / "oms.db", "SELECT role FROM operators WHERE username = 'olga'") == []


def test_an_operator_cannot_change_roles(office, account):
    url, db = office
    account("olga")
    status, _, err = oms("--db", url, "operator", "add", "olga", "--role", "admin")
    assert status == 1
    assert err == "oms: error: changing operators and roles needs an admin; olga is operator\n"
    account("sam")
    status, _, err = oms("--db", url, "operator", "add", "sam", "--role", "admin")
    assert status == 1 and "changing operators and roles needs an admin; sam is supervisor" in err
    assert rows(db, "SELECT username, role FROM operators ORDER BY username") == [
        ("ann", "admin"),
        ("olga", "operator"),
        ("sam", "supervisor"),
    ]


def test_the_first_admin_and_root_change_roles(office, account):
    url, db = office
    account("ann")
    assert oms("--db", url, "operator", "add", "olga", "--role", "supervisor")[0] == 0
    account("root")  # root on the server is an admin without being listed
    assert oms("--db", url, "operator", "add", "olga", "--role", "admin")[0] == 0
    assert rows(db, "SELECT role FROM operators WHERE username = 'olga'") == [("admin",)]
    changes = rows(db, "SELECT operator, detail FROM audit_events WHERE action = 'operator role changed'")
    assert ("ann", "olga: operator -> supervisor") in changes
    assert ("root", "olga: supervisor -> admin") in changes


def test_oms_operator_acts_as_someone_else_only_for_an_admin(office, account, monkeypatch):
    url, db = office
    account("olga")
    monkeypatch.setenv(bootstrap.OPERATOR_ENV, "sam")
    status, _, err = oms("--db", url, "bulk", "list")
    assert status == 1
    assert err == "oms: error: acting as another operator (sam) needs an admin; olga is operator\n"
    with pytest.raises(PermissionDenied):
        bootstrap.build(bootstrap.Config(url))

    account("ann")
    application = bootstrap.build(bootstrap.Config(url))
    try:
        assert application.services.context.operator_username == "sam"
        assert application.services.context.audit_name == "ann as sam"
    finally:
        application.close()
    assert rows(db, "SELECT operator, detail FROM audit_events WHERE action = 'admin as operator'") == [
        ("ann as sam", "ann acts as sam")
    ]


def test_the_operator_is_the_accounts_passwd_name_whatever_the_environment_says(monkeypatch):
    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("LOGNAME", "mallory")
    monkeypatch.setenv("USERNAME", "mallory")
    monkeypatch.setenv(bootstrap.OPERATOR_ENV, "mallory")
    assert bootstrap.os_account() == pwd.getpwuid(os.geteuid()).pw_name
    assert bootstrap.session_admin() == bootstrap.os_account()  # mallory is only asked for


def test_the_demo_makes_no_one_admin_of_an_office_database(office, account, monkeypatch):
    url, db = office
    application = bootstrap.build(bootstrap.Config(url))  # ann, the admin, adds a real customer
    try:
        with application.uow_factory(write=True) as uow:
            seed_reference(uow)
            uow.commit()
        application.services.customers.create(CustomerInput(first_name="Real", last_name="Customer"))
    finally:
        application.close()
    account("olga")
    monkeypatch.setattr("oms_tui.app.run_connecting", lambda config, connect: 0)
    status, _, err = oms("--db", url, "demo")
    assert status == 1 and "not made by `oms demo`" in err
    assert rows(db, "SELECT role FROM operators WHERE username = 'olga'") == [("operator",)]


@pytest.mark.parametrize("name", ["Olga Petrova", "olga:x", "../olga", "olga/ops", "olga,p", "1042"])
def test_a_name_no_os_account_can_have_is_refused_in_one_line(office, account, name):
    url, db = office
    account("ann")
    status, _, err = oms("--db", url, "operator", "add", name, "--role", "operator")
    assert status == 1
    assert err.count("\n") == 1
    assert f"{name!r} is not an OS account name" in err
    assert rows(db, "SELECT count(*) FROM operators") == [(3,)]


@pytest.mark.parametrize("name", ["olga.petrova", "o_petrova", "olga-p", "olga@corp.example", "FAX01$"])
def test_account_names_of_every_usual_shape_are_taken(office, account, name):
    url, db = office
    account("ann")
    assert oms("--db", url, "operator", "add", name, "--role", "operator")[0] == 0
    assert rows(db, f"SELECT role FROM operators WHERE username = '{name}'") == [("operator",)]  # noqa: S608
