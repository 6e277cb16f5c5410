"""oms's log: who and what, tracebacks without local variables, rotation, and nothing card-like."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from oms_core.logs import redact, setup_logging, stop_logging

PAN = "4111111111111111"


@pytest.fixture
def log_file(tmp_path: Path):
    stop_logging()
    path = tmp_path / "oms.log"
    assert setup_logging("ann as sam", path, max_bytes=10_000, backups=2) == path
    yield path
    stop_logging()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"card {PAN} declined", "card ************1111 declined"),
        ("card 4111 1111 1111 1111 declined", "card ************1111 declined"),
        ("card 4111-1111-1111-1111", "card ************1111"),
        ("amex 3782 822463 10005", "amex ***********0005"),
        ('{"cvv": "123", "cvc":"1234"}', '{"cvv": "***", "cvc":"***"}'),
        ("security code 987 typed", "security code *** typed"),
        ("order 1501 total 160.42 phone (785) 544-0798", "order 1501 total 160.42 phone (785) 544-0798"),
        ("2026-11-30 00:51:54,128", "2026-11-30 00:51:54,128"),
    ],
)
def test_card_numbers_and_security_codes_are_masked(text, shown):
    assert redact(text) == shown


def test_a_record_names_who_and_an_error_keeps_its_traceback_without_locals_or_card_data(log_file):
    log = logging.getLogger("oms.services")
    log.info("order %s placed", 1501)

    def charge(number: str) -> None:
        secret_local = number  # a traceback with locals would show this
        raise ValueError(f"gateway refused {secret_local} cvv=123")

    try:
        charge(PAN)
    except ValueError:
        log.exception("charging failed")
    text = log_file.read_text()
    assert "ann as sam oms.services: order 1501 placed" in text
    assert "Traceback (most recent call last)" in text and "in charge" in text
    assert "ValueError: gateway refused ************1111 cvv=***" in text
    assert PAN not in text and "cvv=123" not in text and "secret_local =" not in text.split("Traceback")[0]


def test_the_log_rotates(log_file):
    log = logging.getLogger("oms.cli")
    for n in range(400):
        log.info("line %d of a long session", n)
    rotated = sorted(p.name for p in log_file.parent.iterdir())
    assert rotated == ["oms.log", "oms.log.1", "oms.log.2"]
    assert all(p.stat().st_size <= 10_000 for p in log_file.parent.iterdir())


def test_an_unusable_log_file_leaves_oms_working(tmp_path):
    stop_logging()
    assert setup_logging("ann", tmp_path / "missing" / "oms.log") is None
    logging.getLogger("oms.cli").error("still fine")  # no handler, no crash
