"""Many rows updated in one statement (``update_tuples``), on both backends: the batch runs record
their members and settle their gateway calls this way."""

from __future__ import annotations

from sqlalchemy import select

from oms_core.storage import SqlUnitOfWorkFactory
from oms_core.storage.loading import update_tuples
from oms_core.storage.tables import products
from tests.integration.storage_builders import product


def test_columns_alike_in_every_row_and_columns_that_differ_are_updated_alike(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory(write=True) as uow:
        made = [product(sku) for sku in ("A-1", "B-2", "C-3", "D-4")]
        made[3].taxable = False  # the guard leaves it alone
        ids = [uow.products.add(item) for item in made]
        uow.commit()
    rows = [(ids[0], "First", 100, False), (ids[1], "Second", 100, False), (ids[3], "Fourth", 100, False)]
    with uow_factory.engine.begin() as conn:
        # name differs from row to row; the price and active are one value for every row
        assert (
            update_tuples(
                conn, products, "id", ("name", "list_price_cents", "active"), rows, {"taxable": True}
            )
            == 2
        )
        assert update_tuples(conn, products, "id", ("name",), [(ids[2], "Third")]) == 1  # one row: all alike
    with uow_factory.engine.connect() as conn:
        found = {
            row.id: (row.name, row.list_price_cents, row.active)
            for row in conn.execute(
                select(products.c.id, products.c.name, products.c.list_price_cents, products.c.active)
            )
        }
    assert found == {
        ids[0]: ("First", 100, False),
        ids[1]: ("Second", 100, False),
        ids[2]: ("Third", 2400, True),
        ids[3]: ("Wine D-4", 2400, True),
    }
