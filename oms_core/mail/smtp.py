"""Send mail through the office's SMTP server (standard library ``smtplib``)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from oms_core.domain.mail import MailMessage, MailRejected, MailUnavailable, header_text
from oms_core.ports import MailSender


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """How to reach the mail server.

    Attributes:
        host: the server's name or address.
        port: 587 for submission with STARTTLS, 25 for a relay on the office network.
        from_address: the sender, e.g. ``Hillside Cellars <orders@hillside.example>``.
        starttls: upgrade the connection to TLS before logging in (required when a user is set,
            unless the server is on this machine).
        user: the login name, or ``""`` for a server that takes mail without one.
        password: read from the password file named in the configuration; never printed.
        timeout: seconds to wait for the server at each step.
    """

    host: str
    port: int = 587
    from_address: str = ""
    starttls: bool = True
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 20.0


class SmtpSender(MailSender):
    """One SMTP connection per message: simple, and a cron run sends a few hundred at most."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, message: MailMessage) -> None:
        """Deliver ``message``; see :class:`~oms_core.ports.MailSender` for the errors."""
        envelope = build_message(message, self.settings.from_address)
        try:
            with smtplib.SMTP(
                self.settings.host, self.settings.port, timeout=self.settings.timeout
            ) as server:
                if self.settings.starttls:
                    server.starttls(context=ssl.create_default_context())
                if self.settings.user:
                    server.login(self.settings.user, self.settings.password)
                server.send_message(envelope)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            reason = f"the mail server refused {message.to} ({', '.join(map(str, codes))})"
            if all(400 <= code < 500 for code in codes):
                raise MailUnavailable(reason) from None
            raise MailRejected(reason) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise MailUnavailable(f"the mail server refused the login ({exc.smtp_code})") from None
        except smtplib.SMTPResponseException as exc:
            reason = f"the mail server answered {exc.smtp_code}: {_text(exc.smtp_error)}"
            if 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPSenderRefused):
                raise MailRejected(reason) from None
            raise MailUnavailable(reason) from None
        except smtplib.SMTPNotSupportedError:
            raise MailUnavailable("the mail server does not offer STARTTLS (see [mail] starttls)") from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            where = f"{self.settings.host}:{self.settings.port}"
            raise MailUnavailable(
                f"cannot reach the mail server at {where}: {exc or type(exc).__name__}"
            ) from None


def build_message(message: MailMessage, from_address: str) -> EmailMessage:
    """The MIME message for ``message``: plain UTF-8 text, headers on one line each."""
    envelope = EmailMessage()
    envelope["From"] = header_text(from_address)
    envelope["To"] = header_text(message.to)
    envelope["Subject"] = header_text(message.subject)
    envelope["Date"] = formatdate(localtime=False)
    envelope["Message-ID"] = make_msgid(domain=_domain(from_address))
    envelope.set_content(message.body)
    return envelope


def _domain(address: str) -> str | None:
    tail = address.rsplit("@", 1)[-1].strip(" >")
    return tail or None if "@" in address else None


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return header_text(text)[:200]
