"""``oms mail send|status`` against a local SMTP server, configured through the office file."""

from __future__ import annotations

import io
import socket
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller

from oms_core import bootstrap
from oms_core.clock import SystemClock
from oms_core.demo.plan import SeedPlan
from oms_core.domain.mail import MailKind, MailMessage
from oms_core.storage import SqlUnitOfWorkFactory, make_engine
from oms_tui.cli import main
from tests.fakes import FixedClock

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook
        self.messages.append(envelope.original_content or b"")
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def office(tmp_path, monkeypatch):
    """A seeded SQLite office whose configuration sends mail to ``port`` on 127.0.0.1."""
    port = _free_port()
    url = f"sqlite:///{tmp_path / 'oms.db'}"
    config = tmp_path / "oms.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n[office]\nname = "Hillside Cellars"\nphone = "(707) 555-0100"\n'
        f'[mail]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\nfrom = "orders@hillside.example"\n'
    )
    monkeypatch.setenv("OMS_CONFIG", str(config))
    monkeypatch.delenv("OMS_DATABASE_URL", raising=False)
    bootstrap.seed_database(url, SeedPlan(customers=5, products=10, orders=0, seed=2), clock=FixedClock(NOW))
    return url, port


def _queue(url: str, *recipients: str) -> None:
    engine = make_engine(url)
    try:
        with SqlUnitOfWorkFactory(engine, SystemClock())(write=True) as uow:
            for n, to in enumerate(recipients, start=1):
                uow.outbox.add(
                    MailMessage(MailKind.ORDER_CONFIRMATION, to, f"Your order {1000 + n}", "Thanks!"), NOW
                )
            uow.commit()
    finally:
        engine.dispose()


def test_mail_send_delivers_what_is_queued_and_status_counts_it(office):
    url, port = office
    _queue(url, "ann@example.com", "bob@example.com")
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        status, _, err = oms("mail", "send")
    finally:
        controller.stop()
    assert status == 0, err
    assert err == "sent 2, to retry 0, failed 0\n"
    assert len(inbox.messages) == 2 and b"Subject: Your order 1001" in inbox.messages[0]
    status, out, _ = oms("mail", "status")
    assert status == 0
    assert "sent            2" in out and "pending         0" in out


def test_a_mail_server_that_is_down_is_one_line_and_exit_1_with_the_mail_kept(office):
    url, _ = office
    _queue(url, "ann@example.com")
    status, _, err = oms("mail", "send")
    assert status == 1
    assert err.splitlines()[0] == "sent 0, to retry 1, failed 0"
    assert err.splitlines()[1].startswith("oms: error: cannot reach the mail server at 127.0.0.1:")
    assert len(err.splitlines()) == 2


def test_without_a_mail_section_send_says_how_to_configure_it(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'oms.db'}"
    monkeypatch.delenv("OMS_CONFIG", raising=False)
    bootstrap.upgrade_database(url)
    status, _, err = oms("--db", url, "mail", "send")
    assert status == 1
    assert err.startswith("oms: error: mail is not configured: add a [mail] section")
    assert err.count("\n") == 1


def test_a_password_file_others_can_read_is_refused_in_one_line(office, tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text("hunter2\n")
    secret.chmod(0o644)
    config = tmp_path / "oms.toml"
    config.write_text(config.read_text() + f'user = "oms"\npassword_file = "{secret}"\n')
    status, out, err = oms("mail", "status")
    assert status == 1
    assert "password_file" in err and "hunter2" not in err + out
    assert err.count("\n") == 1
