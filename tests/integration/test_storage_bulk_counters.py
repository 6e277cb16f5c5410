"""Counters after a bulk load follow the largest number, not the last in text order."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from oms_core.storage.bulk import sync_counters
from oms_core.storage.database import connect, make_engine
from oms_core.storage.tables import CUSTOMER_COUNTER, counters, customers

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def test_a_seven_digit_customer_number_moves_the_counter_past_six_digit_ones(database_url) -> None:
    engine = make_engine(database_url)
    with connect(engine, write=True) as conn, conn.begin():
        base = {
            "first_name": "A",
            "last_name": "B",
            "company": "",
            "email": "",
            "phone": "",
            "alt_phone": "",
            "type_code": "RETAIL",
            "tax_exempt": False,
            "notes": "",
            "status": "active",
            "preferred_pickup": False,
            "version": 1,
            "last_key": "b",
            "first_key": "a",
            "company_key": "",
            "email_key": "",
            "phone_key": "",
            "alt_phone_key": "",
            "created_at": NOW,
            "updated_at": NOW,
        }
        conn.execute(customers.insert(), [base | {"number": "C999999"}, base | {"number": "C1000000"}])
        sync_counters(conn)
        value = conn.scalar(select(counters.c.value).where(counters.c.name == CUSTOMER_COUNTER))
    engine.dispose()
    assert value == 1_000_000
