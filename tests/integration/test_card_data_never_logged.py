"""No card number or security code reaches oms's log, whichever way a card goes through oms: a
checkout with a typed card through the services, a declined one, and the command line (a card
typed at the terminal for an import, and a card number typed where a customer was expected)."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oms_core import bootstrap
from oms_core.clock import StoppedClock
from oms_core.domain.customers import Address
from oms_core.domain.errors import PaymentDeclined
from oms_core.domain.payments import CardEntry
from oms_core.logs import setup_logging, stop_logging
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.customers import CustomerInput
from oms_tui.cli import imports as import_command
from oms_tui.cli import main
from tests.fakes import SKU_CABERNET, FixedClock, seed_reference
from tests.import_files import recipient, write_orders

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
HOME = Address(name="Pat Buyer", address1="1 Corp Way", city="Portland", state="OR", zip="97205")
APPROVED, DECLINED, SECURITY_CODE = "4111111111111111", "4000000000000002", "737"


def card_data_in(text: str, *numbers: str) -> list[str]:
    """Every card number (whole, or spaced in fours) and named security code found in ``text``."""
    found = []
    for number in numbers:
        spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
        found += [form for form in (number, spaced) if form in text]
    found += [
        code for code in (f"cvv={SECURITY_CODE}", f"'{SECURITY_CODE}'", f" {SECURITY_CODE} ") if code in text
    ]
    return found


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    stop_logging()
    path = tmp_path / "oms.log"
    monkeypatch.setenv("OMS_LOG_FILE", str(path))
    yield path
    stop_logging()


@pytest.fixture
def office(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'oms.db'}"
    bootstrap.upgrade_database(url)
    application = bootstrap.build(bootstrap.Config(url, operator="alice", acting_admin=""))
    with application.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    application.close()
    return url


def test_a_checkout_with_a_typed_card_logs_the_order_and_no_card_data(office, log_file):
    setup_logging("alice", log_file)
    gateway = TestGateway(StoppedClock(NOW))
    config = bootstrap.Config(office, operator="alice", acting_admin="")
    application = bootstrap.build(config, gateway=gateway, clock=FixedClock(NOW))
    services = application.services
    try:
        customer = services.customers.create(
            CustomerInput(first_name="Pat", last_name="Buyer", address=HOME), allow_duplicate=True
        ).customer
        assert customer is not None
        declined = services.cart.add_line(services.cart.start(customer.id).id, SKU_CABERNET, 1)
        declined = services.cart.set_payment(
            declined.id, "card", card=CardEntry(DECLINED, 12, 2030, SECURITY_CODE)
        )
        with pytest.raises(PaymentDeclined):
            services.checkout.place(declined.id)
        cart = services.cart.add_line(services.cart.start(customer.id).id, SKU_CABERNET, 2)
        cart = services.cart.set_payment(cart.id, "card", card=CardEntry(APPROVED, 12, 2030, SECURITY_CODE))
        placed = services.checkout.place(cart.id)
    finally:
        application.close()
    text = log_file.read_text()
    assert f"order {placed.number} placed by alice" in text and "card ending 1111" in text
    assert card_data_in(text, APPROVED, DECLINED) == []


def test_the_command_line_logs_who_ran_what_and_no_card_data(
    office, log_file, tmp_path, monkeypatch: pytest.MonkeyPatch
):
    with sqlite3.connect(office.removeprefix("sqlite:///")) as conn:
        conn.execute("DELETE FROM operators")  # whoever runs the tests: a plain operator here
    application = bootstrap.build(bootstrap.Config(office, operator="root", acting_admin=""))
    pat = application.services.customers.create(
        CustomerInput(first_name="Pat", last_name="Buyer", address=HOME), allow_duplicate=True
    ).customer
    application.close()
    assert pat is not None
    monkeypatch.setattr(import_command, "interactive", lambda: True)
    typed = iter([APPROVED, SECURITY_CODE])
    monkeypatch.setattr(import_command.getpass, "getpass", lambda prompt: next(typed))
    monkeypatch.setattr("builtins.input", lambda prompt="": "12/30")
    orders = write_orders(tmp_path / "gifts.xlsx", [recipient(items=((SKU_CABERNET, 1),))])

    def oms(*argv: str) -> int:
        return main(["--db", office, *argv], io.StringIO(), io.StringIO())

    base = ["import", "orders", str(orders), "--payment", "new-card", "--yes"]
    assert oms(*base, "--purchaser", pat.number) == 0
    # The card number typed where the customer belongs: refused, and masked in the logged command.
    wrong = [
        "import",
        "orders",
        str(orders),
        "--payment",
        "cash",
        "--yes",
        "--purchaser",
        "4111 1111 1111 1111",
    ]
    assert oms(*wrong) != 0
    text = log_file.read_text()
    assert f"{bootstrap.os_account()} oms.cli: oms --db {office} import orders" in text
    assert "--purchaser ************1111" in text
    assert "exit 0" in text
    assert card_data_in(text, APPROVED) == []
