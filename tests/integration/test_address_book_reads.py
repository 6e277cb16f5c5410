"""A customer with a big address book costs a cart, a checkout, an address save and the Customer
screen's record (and an edit of it) what a customer with one address does: each reads only the
address rows it uses.

Every statement that reads the ``addresses`` table on the way is caught and run again on its own,
so its rows can be counted (both backends); on SQLite its plan is read too: the defaults and the
first address come from their indexes (migration 0021), never from a walk of the customer's entries.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from oms_core.bootstrap import Application, Config, build
from oms_core.domain.customers import Address
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.customers import CustomerInput
from tests.fakes import SKU_CABERNET, seed_reference
from tests.unit.batch_helpers import add_customer

BOOK = 40
RECORD_LINES = 6  # what the Customer screen asks for (BOOK_LINES)


@pytest.fixture
def application(database_url: str) -> Iterator[Application]:
    app = build(Config(database_url, operator="alice"), gateway=TestGateway())
    with app.uow_factory(write=True) as uow:
        seed_reference(uow)
        uow.commit()
    yield app
    app.close()


def _big_customer(app: Application) -> tuple[int, int]:
    """A customer whose defaults are deep in a book of ``BOOK``; returns (customer, an entry's id)."""
    services = app.services
    customer_id = add_customer(services, "Ann", email="ann@example.com")
    entry = 0
    for i in range(BOOK - 1):
        place = Address(name=f"Gift {i}", address1=f"{i} Elm St", city="Portland", state="OR", zip="97205")
        saved = services.customers.save_address(
            customer_id, place, label=f"gift {i}", default_shipping=i == 30, default_billing=i == 20
        )
        entry = saved.id if i == 10 else entry
    return customer_id, entry


def _address_reads(app: Application, work) -> list[tuple[str, object]]:  # noqa: ANN001
    caught: list[tuple[str, object]] = []

    def remember(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if "FROM addresses" in statement and statement.lstrip().upper().startswith("SELECT"):
            caught.append((statement, parameters))

    engine = app.uow_factory.engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return caught


def _rows_and_plan(app: Application, statement: str, parameters: object) -> tuple[int, str]:
    engine = app.uow_factory.engine
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(statement, parameters)
        rows = len(cursor.fetchall())
        plan = ""
        if engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plan = " / ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.close()
        conn.rollback()
    return rows, plan


def test_cart_checkout_saves_and_the_record_read_only_the_address_rows_they_use(application: Application):
    services = application.services
    customer_id, entry_id = _big_customer(application)
    card_id = services.customers.get_for_checkout(customer_id).cards[0].id

    def cart_and_checkout() -> None:
        cart = services.cart.start(customer_id)
        cart = services.cart.add_line(cart.id, SKU_CABERNET, 1)
        cart = services.cart.set_ship_to(cart.id, address_id=entry_id)
        cart = services.cart.set_payment(cart.id, "card_on_file", card_id=card_id)
        cart = services.cart.set_send_confirmation(cart.id, True)
        cart = services.cart.attach_customer(cart.id, customer_id)
        services.cart.get(cart.id)
        services.checkout.problems(cart.id)
        services.checkout.place(cart.id, confirm_duplicate=True)
        place = Address(name="Home", address1="1 Main St", city="Portland", state="OR", zip="97205")
        services.customers.save_address(customer_id, place, address_id=entry_id, label="home")

    def the_record_and_an_edit_of_it() -> None:
        record = services.customers.get(customer_id, RECORD_LINES)
        edit = CustomerInput(first_name="Anna", last_name="Member", email="ann@example.com")
        services.customers.update(customer_id, record.version, edit, book_limit=RECORD_LINES)

    reads = _address_reads(application, cart_and_checkout)
    record_reads = _address_reads(application, the_record_and_an_edit_of_it)
    assert reads and record_reads
    sqlite = application.uow_factory.engine.dialect.name == "sqlite"
    for statement, parameters in reads:
        rows, plan = _rows_and_plan(application, statement, parameters)
        # The defaults, the first address and the one chosen: never the book.
        assert rows <= 3, statement
        if sqlite and "is_default" in statement.split("FROM addresses", 1)[1]:
            assert "ix_addresses_defaults" in plan, plan
    for statement, parameters in record_reads:
        rows, plan = _rows_and_plan(application, statement, parameters)
        assert rows <= RECORD_LINES, statement
        if sqlite:
            assert "SCAN addresses" not in plan, plan
    record = services.customers.get(customer_id, RECORD_LINES)
    assert record.address_count == BOOK and len(record.addresses) == RECORD_LINES
