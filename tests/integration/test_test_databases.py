"""The tests' own PostgreSQL database: each test starts from what the last one left, emptied."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from oms_core.clock import SystemClock
from oms_core.storage import SqlUnitOfWorkFactory, make_engine
from oms_core.storage.tables import CUSTOMER_COUNTER, FIRST_ORDER_NUMBER, ORDER_COUNTER, counters, metadata
from tests.conftest import _empty_postgres
from tests.integration.storage_builders import add_customer, draft, line, product


@pytest.mark.postgres
def test_emptying_leaves_no_row_and_restarts_every_id_and_counter(_postgres_database: str) -> None:
    url = _postgres_database
    _empty_postgres(url)
    engine = make_engine(url)
    factory = SqlUnitOfWorkFactory(engine, SystemClock())
    try:
        with factory(write=True) as uow:
            ann = add_customer(uow, "Ann", "Smith", city="Portland")
            cab = product("CAB-750")
            uow.products.add(cab)
            uow.orders.add(draft(ann.id, line(cab, 2)))
            uow.commit()
        with factory(write=True) as uow:  # rolled back: its ids are spent all the same
            add_customer(uow, "Bob", "Jones")
        with engine.begin() as conn:
            conn.execute(update(counters).values(value=counters.c.value + 50))

        _empty_postgres(url)

        with engine.connect() as conn:
            left = {
                table.name: n
                for table in metadata.sorted_tables
                if (n := conn.execute(select(func.count()).select_from(table)).scalar_one())
            }
            fresh = {name: value for name, value in conn.execute(select(counters.c.name, counters.c.value))}
        assert left == {"counters": 2}
        assert fresh == {ORDER_COUNTER: FIRST_ORDER_NUMBER - 1, CUSTOMER_COUNTER: 0}
        with factory(write=True) as uow:
            again = add_customer(uow, "Cy", "Young")
            wine = product("MER-750")
            uow.products.add(wine)
            uow.commit()
        assert (again.id, wine.id) == (1, 1)
    finally:
        engine.dispose()
