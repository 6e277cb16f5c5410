"""Products on both backends: SKUs in any case, search, updates, and stock moved by guarded updates."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from oms_core.clock import SystemClock
from oms_core.domain.errors import NotFound
from oms_core.storage import SqlUnitOfWorkFactory, make_engine, upgrade_schema
from tests.integration.storage_builders import product


def test_a_product_comes_back_as_saved_with_its_sku_upper_case(uow_factory: SqlUnitOfWorkFactory) -> None:
    made = product("cab-750", "24.99", stock=7, name="Cabernet 750ml", weight_lb=Decimal("2.75"))
    made.taxable = False
    made.allow_backorder = True
    with uow_factory(write=True) as uow:
        product_id = uow.products.add(made)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.products.get(product_id)
    assert loaded == made
    assert loaded.sku == "CAB-750"
    assert loaded.list_price == Decimal("24.99") and loaded.weight_lb == Decimal("2.750")


def test_products_are_found_by_sku_in_any_case(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory(write=True) as uow:
        cab = product("CAB-750")
        gift = product("GIFT-BOX")
        uow.products.add(cab)
        uow.products.add(gift)
        uow.commit()
    with uow_factory() as uow:
        assert uow.products.get_by_sku(" cab-750 ") == cab
        assert uow.products.get_by_sku("nope") is None
        assert set(uow.products.get_many_by_sku(["cab-750", "Gift-Box", "nope"])) == {"CAB-750", "GIFT-BOX"}
        assert set(uow.products.get_many([cab.id, gift.id, 999])) == {cab.id, gift.id}  # type: ignore[list-item]
        with pytest.raises(NotFound):
            uow.products.get(999)


def test_product_search_matches_a_sku_prefix_or_a_name_fragment_by_sku(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory(write=True) as uow:
        for sku, name in [
            ("CAB-750", "Cabernet"),
            ("CAB-1500", "Cabernet magnum"),
            ("PN-750", "Pinot 100% noir"),
        ]:
            item = product(sku, name=name)
            uow.products.add(item)
        retired = product("ZIN-750", name="Old vine cabernet blend", active=False)
        uow.products.add(retired)
        uow.commit()
    with uow_factory() as uow:
        assert [p.sku for p in uow.products.search("cab", 10)] == ["CAB-1500", "CAB-750", "ZIN-750"]
        assert [p.sku for p in uow.products.search("MAGNUM", 10)] == ["CAB-1500"]
        assert [p.sku for p in uow.products.search("100%", 10)] == ["PN-750"]
        assert [p.sku for p in uow.products.search("cab", 2)] == ["CAB-1500", "CAB-750"]
        assert uow.products.search("", 10) == []


def test_an_update_changes_the_fields_but_not_the_stock(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory(write=True) as uow:
        made = product("CAB-750", stock=5)
        uow.products.add(made)
        uow.commit()
    with uow_factory(write=True) as uow:
        made.name = "Cabernet Reserve"
        made.list_price = Decimal("30.00")
        made.stock_on_hand = 1000
        uow.products.update(made)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.products.get(made.id)  # type: ignore[arg-type]
    assert (loaded.name, loaded.list_price, loaded.stock_on_hand) == ("Cabernet Reserve", Decimal("30.00"), 5)


def test_taking_stock_stops_at_zero_unless_backorders_are_allowed(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory(write=True) as uow:
        made = product("CAB-750", stock=3)
        uow.products.add(made)
        assert made.id is not None
        assert uow.products.take_stock(made.id, 2, allow_backorder=False)
        assert not uow.products.take_stock(made.id, 2, allow_backorder=False)
        assert uow.products.take_stock(made.id, 1, allow_backorder=False)
        assert uow.products.take_stock(made.id, 4, allow_backorder=True)
        assert not uow.products.take_stock(9999, 1, allow_backorder=True)
        uow.commit()
    with uow_factory() as uow:
        assert uow.products.get(made.id).stock_on_hand == -4


def test_taking_several_products_stock_at_once_names_each_that_fell_short(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory(write=True) as uow:
        plenty, scarce, backordered = (
            product("CAB-750", stock=5),
            product("PN-750", stock=1),
            product("ZIN-750", stock=0),
        )
        for made in (plenty, scarce, backordered):
            uow.products.add(made)
        uow.commit()
    ids = [plenty.id, scarce.id, backordered.id]
    with uow_factory(write=True) as uow:
        short = uow.products.take_stock_many([(ids[0], 2, False), (ids[1], 2, False), (ids[2], 3, True)])
        assert short == [ids[1]]
        assert uow.products.take_stock_many([(ids[0], 3, False), (9999, 1, True)]) == [9999]
        assert uow.products.take_stock_many([]) == []
        uow.commit()
    with uow_factory() as uow:
        stock = {i: uow.products.get(i).stock_on_hand for i in ids}  # type: ignore[arg-type]
    assert stock == {ids[0]: 0, ids[1]: 1, ids[2]: -3}


def test_restocking_puts_units_back(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory(write=True) as uow:
        made = product("CAB-750", stock=0)
        uow.products.add(made)
        uow.products.restock(made.id, 6)  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            uow.products.restock(9999, 1)
        uow.commit()
    with uow_factory() as uow:
        assert uow.products.get(made.id).stock_on_hand == 6  # type: ignore[arg-type]


def test_a_product_that_is_not_discountable_stays_so(uow_factory: SqlUnitOfWorkFactory) -> None:
    gift_card = product("GIFT-CARD-100", "100.00", discountable=False)
    wine = product("CAB-750")
    with uow_factory(write=True) as uow:
        uow.products.add(gift_card)
        uow.products.add(wine)
        uow.commit()
    with uow_factory() as uow:
        found = uow.products.get_many_by_sku(["GIFT-CARD-100", "CAB-750"])
    assert (found["GIFT-CARD-100"].discountable, found["CAB-750"].discountable) == (False, True)


def test_upgrading_marks_the_gift_cards_already_in_the_catalogue_not_discountable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'older.db'}"
    upgrade_schema(url, revision="0008")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for sku in ("GIFT-CARD-100", "CAB-750"):
                conn.execute(
                    text(
                        "INSERT INTO products (sku, name, name_key, list_price_cents, taxable, "
                        "weight_lb, stock_on_hand, allow_backorder, active) "
                        "VALUES (:sku, :sku, :key, 10000, 0, 0, 5, 0, 1)"
                    ),
                    {"sku": sku, "key": sku.lower()},
                )
        upgrade_schema(url)
        with SqlUnitOfWorkFactory(engine, SystemClock())() as uow:
            found = uow.products.get_many_by_sku(["GIFT-CARD-100", "CAB-750"])
    finally:
        engine.dispose()
    assert (found["GIFT-CARD-100"].discountable, found["CAB-750"].discountable) == (False, True)
