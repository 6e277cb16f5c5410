"""The TUI sends the office's queued mail in the background, and a mail server that is down changes
nothing the operator sees."""

from __future__ import annotations

from datetime import UTC, datetime

from oms_core.domain.mail import MailKind, MailMessage, MailUnavailable
from oms_core.mail.templates_folder import TemplateFolder
from oms_core.ports import MailSender
from oms_core.services.context import Mailing
from tests.tui.pilot_helpers import settle

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


class Recorder(MailSender):
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[MailMessage] = []
        self.fail = fail

    def send(self, message: MailMessage) -> None:
        if self.fail:
            raise MailUnavailable("cannot reach the mail server at mail:587: refused")
        self.sent.append(message)


def _app_with_mail(office, sender: Recorder):
    from dataclasses import replace

    from oms_core.services.registry import Services
    from oms_tui.app import OmsApp

    context = replace(office.application.services.context, mailing=Mailing(TemplateFolder(), sender))
    return OmsApp(Services.build(context), "agarcia")


def _queue(office, count: int) -> None:
    with office.application.uow_factory(write=True) as uow:
        for n in range(count):
            uow.outbox.add(MailMessage(MailKind.REFUND, f"c{n}@example.com", f"Refund {n}", "body"), NOW)
        uow.commit()


async def test_the_app_sends_queued_mail_in_the_background(office, monkeypatch):
    monkeypatch.setattr("oms_tui.app.MAIL_INTERVAL_SECONDS", 0.05)
    _queue(office, 3)
    sender = Recorder()
    app = _app_with_mail(office, sender)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(40):
            await pilot.pause(0.05)
            if len(sender.sent) == 3:
                break
        await settle(pilot)
        assert sorted(m.subject for m in sender.sent) == ["Refund 0", "Refund 1", "Refund 2"]
        assert app.screen.__class__.__name__ == "CustomersScreen"


async def test_a_mail_server_that_is_down_shows_nothing_and_keeps_the_mail(office, monkeypatch):
    monkeypatch.setattr("oms_tui.app.MAIL_INTERVAL_SECONDS", 0.05)
    _queue(office, 1)
    app = _app_with_mail(office, Recorder(fail=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.5)
        await settle(pilot)
        assert not app._notifications  # the operator is not interrupted
        assert app.screen.__class__.__name__ == "CustomersScreen"
    assert office.application.services.mail.counts()["pending"] == 1
