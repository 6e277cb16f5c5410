"""oms's own log: one rotating file per user (or the file the configuration names).

What goes in: who (the OS account, and the operator acted as), what (each command and its result,
each TUI session, orders placed), and every error with its traceback. Tracebacks are the standard
library's, which never show local variables (a local may hold a card number being typed).

What never goes in: card numbers, security codes and secrets. Nothing oms logs carries them in the
first place (cards are tokens by the time anything is logged; URLs are logged with the password
hidden); :class:`RedactingFilter` is the defence in depth, masking anything that looks like a card
number (13 to 19 digits, spaced or not) or a security code before a record is written.

Standard library and platformdirs only; nothing is configured at import time.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import traceback
from pathlib import Path

LOGGER_NAME = "oms"
"""Every oms logger is ``oms`` or below it (``oms.cli``, ``oms.tui``, ``oms.services``)."""

_PAN = re.compile(r"(?<![\d.])\d(?:[ -]?\d){12,18}(?![\d.])")
"""13 to 19 digits, with single spaces or dashes between them: anything that may be a card number."""

_SECURITY_CODE = re.compile(
    r"(?i)\b(cvv2?|cvc2?|csc|security[ _-]?code)(\W{0,4})(\d{3,4})\b",
)
"""A security code named as such: ``cvv=123``, ``"cvc": "1234"``, ``security code 123``."""

_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(who)s %(name)s: %(message)s"


def redact(text: str) -> str:
    """``text`` with card-number-like digit runs and named security codes masked.

    A card number keeps its last four digits (``************1111``), as a receipt does.
    """
    text = _PAN.sub(_mask_pan, text)
    return _SECURITY_CODE.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def _mask_pan(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "*" * (len(digits) - 4) + digits[-4:]


class RedactingFilter(logging.Filter):
    """Masks card numbers and security codes in a record's message, its traceback and its stack,
    and stamps the record with who is running oms (``who``).
    """

    def __init__(self, who: str) -> None:
        super().__init__()
        self.who = who

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops one."""
        record.who = self.who
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: log what there is
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def default_log_file() -> Path:
    """``oms.log`` in the user's log folder (platformdirs), e.g. ``~/.local/state/oms/log/oms.log``."""
    from platformdirs import user_log_dir

    return Path(user_log_dir("oms", appauthor=False)) / "oms.log"


def setup_logging(
    who: str, file: Path | None = None, max_bytes: int = 5_000_000, backups: int = 5
) -> Path | None:
    """Send the ``oms`` loggers to a rotating file (once per process; later calls change nothing).

    Args:
        who: the OS account, and the operator when an admin acts as another (``ann as sam``).
        file: the log file; ``None`` for :func:`default_log_file`, whose folder is created (it is
            the user's own). A configured file's folder must exist.
        max_bytes: size at which the file is rotated.
        backups: how many rotated files are kept.

    Returns:
        The file logged to, or ``None`` when it cannot be opened (oms works on without a log
        rather than refuse an operator their screen).
    """
    logger = logging.getLogger(LOGGER_NAME)
    for handler in logger.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    path = file or default_log_file()
    try:
        if file is None:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=False
        )
    except OSError:
        return None
    _private(path)
    handler.addFilter(RedactingFilter(who))
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path


def _private(path: Path) -> None:
    """A new log in the user's own folder is theirs alone (umask permitting more)."""
    try:
        if path.stat().st_size == 0 and path.parent == default_log_file().parent:
            os.chmod(path, 0o600)
    except OSError:
        pass


def stop_logging() -> None:
    """Close and remove the file handler (tests, and a process that is about to exit)."""
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            logger.removeHandler(handler)
            handler.close()
