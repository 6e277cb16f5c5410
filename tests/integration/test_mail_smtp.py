"""The SMTP sender against a real SMTP server on 127.0.0.1 (aiosmtpd): what arrives, and how the
server's refusals map to "retry later" and "failed for good"."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from oms_core.domain.mail import MailKind, MailMessage, MailRejected, MailUnavailable
from oms_core.mail.smtp import SmtpSender, SmtpSettings


class Mailbox:
    """Keeps what the server accepted; refuses recipients on the ``refuse`` list with ``code``."""

    def __init__(self) -> None:
        self.received: list[tuple[Envelope, Message]] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.received.append((envelope, message_from_bytes(envelope.original_content or b"")))
        return "250 Message accepted"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield box, controller.port
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _sender(port: int) -> SmtpSender:
    return SmtpSender(
        SmtpSettings(
            "127.0.0.1", port, from_address="Hillside Cellars <orders@hillside.example>", starttls=False
        )
    )


def _message(
    to: str = "ann@example.com", subject: str = "Order 1501 has shipped", body: str = "Hi"
) -> MailMessage:
    return MailMessage(MailKind.SHIPPING_CONFIRMATION, to, subject, body, order_id=1, customer_id=2)


def test_the_message_arrives_with_the_right_headers(mailbox):
    box, port = mailbox
    _sender(port).send(_message(body="Your order is on its way.\nTracking 1Z999\n"))
    envelope, message = box.received[0]
    assert envelope.mail_from == "orders@hillside.example"
    assert envelope.rcpt_tos == ["ann@example.com"]
    assert message["From"] == "Hillside Cellars <orders@hillside.example>"
    assert message["To"] == "ann@example.com"
    assert message["Subject"] == "Order 1501 has shipped"
    assert message["Message-ID"].endswith("@hillside.example>")
    assert message["Date"]
    assert message.get_content_type() == "text/plain"
    assert message.get_payload(decode=True).decode().splitlines() == [
        "Your order is on its way.",
        "Tracking 1Z999",
    ]


def test_header_injection_and_markup_in_customer_text_are_sent_literally(mailbox):
    box, port = mailbox
    _sender(port).send(
        _message(
            subject="Order for Ann\r\nBcc: evil@example.com", body="[bold]Ann[/bold]\r\nBcc: evil@example.com"
        )
    )
    envelope, message = box.received[0]
    assert envelope.rcpt_tos == ["ann@example.com"]
    assert message["Bcc"] is None
    assert message["Subject"] == "Order for Ann Bcc: evil@example.com"
    assert "[bold]Ann[/bold]" in message.get_payload(decode=True).decode()


def test_a_recipient_refused_for_good_is_rejected(mailbox):
    box, port = mailbox
    box.refuse["gone@example.com"] = "550 No such user"
    with pytest.raises(MailRejected, match="refused gone@example.com"):
        _sender(port).send(_message(to="gone@example.com"))


def test_a_recipient_refused_for_now_is_retried(mailbox):
    box, port = mailbox
    box.refuse["busy@example.com"] = "451 Try again later"
    with pytest.raises(MailUnavailable):
        _sender(port).send(_message(to="busy@example.com"))


def test_a_server_that_is_not_there_is_unavailable_in_one_line():
    with pytest.raises(MailUnavailable, match=r"cannot reach the mail server at 127\.0\.0\.1:"):
        _sender(_free_port()).send(_message())


def test_starttls_on_a_server_without_it_is_unavailable_with_the_reason(mailbox):
    _, port = mailbox
    sender = SmtpSender(SmtpSettings("127.0.0.1", port, from_address="o@h.example", starttls=True))
    with pytest.raises(MailUnavailable, match="STARTTLS"):
        sender.send(_message())
