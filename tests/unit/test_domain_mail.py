"""Mail rules: templates, header safety and the retry back-off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oms_core.domain.errors import ValidationError
from oms_core.domain.mail import MAX_ATTEMPTS, MailKind, header_text, render, retry_at
from oms_core.mail.templates_folder import TemplateFolder

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_a_line_break_in_customer_text_cannot_start_a_header():
    assert header_text("Order 1501\r\nBcc: evil@example.com") == "Order 1501 Bcc: evil@example.com"
    assert header_text("a\x00b\tc\x1b[31m") == "a b c [31m"


def test_a_template_gives_the_subject_and_the_body_with_values_inserted_literally():
    template = "Subject: Order $order_number for ${customer_name}\n\nDear $customer_name,\n$unknown stays\n"
    values = {"order_number": "1501", "customer_name": "[bold]Ann[/bold]\r\nBcc: x@y"}
    message = render(template, values, MailKind.ORDER_CONFIRMATION, "ann@example.com")
    assert message.subject == "Order 1501 for [bold]Ann[/bold] Bcc: x@y"
    assert message.body == "Dear [bold]Ann[/bold]\r\nBcc: x@y,\n$unknown stays\n"
    assert message.to == "ann@example.com"


def test_a_template_without_a_subject_line_is_refused_by_name():
    with pytest.raises(
        ValidationError, match="order confirmation template must start with a 'Subject:' line"
    ):
        render("Hello\n\nbody", {}, MailKind.ORDER_CONFIRMATION, "a@b.example")


def test_no_recipient_is_refused():
    with pytest.raises(ValidationError, match="no email address"):
        render("Subject: x\n\ny", {}, MailKind.REFUND, "  ")


def test_retries_back_off_from_a_minute_to_two_hours_then_give_up():
    waits = [retry_at(NOW, attempts) for attempts in range(1, MAX_ATTEMPTS + 1)]
    assert waits[0] == NOW + timedelta(minutes=1)
    assert waits[1] == NOW + timedelta(minutes=2)
    assert all(w is not None and w - NOW <= timedelta(hours=2) for w in waits[:-1])
    assert waits[-1] is None


def test_every_shipped_template_renders_with_a_subject(tmp_path):
    folder = TemplateFolder()
    for kind in MailKind:
        message = render(folder.template(kind), {}, kind, "a@b.example")
        assert message.subject and message.body


def test_an_office_template_replaces_the_shipped_one_of_the_same_name(tmp_path):
    (tmp_path / "refund.txt").write_text("Subject: Money back for $order_number\n\nHi\n", encoding="utf-8")
    folder = TemplateFolder(tmp_path)
    assert folder.template(MailKind.REFUND).startswith("Subject: Money back")
    assert folder.template(MailKind.CANCELLATION) == TemplateFolder().template(MailKind.CANCELLATION)
