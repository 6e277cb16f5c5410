"""The Quick Order Pad service: a checked preview, then every good line added in one edit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms_core.domain.errors import ValidationError
from oms_core.domain.products import Product
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.context import ServiceContext
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_CORKSCREW, SKU_GIFT_BOX, SKU_OLD_MAGNUM
from tests.unit.batch_helpers import add_customer


@pytest.fixture
def services(fake_factory, clock):
    return Services.build(ServiceContext(fake_factory, TestGateway(), clock, "alice"))


def _rows(preview):
    return {row.sku: row for row in preview.rows}


def test_the_preview_prices_each_item_for_the_customer(services):
    trade = add_customer(services, "Trade", type_code="WHOLESALE")
    preview = services.quick_pad.preview(f"{SKU_CABERNET} 2\n{SKU_CHARDONNAY} x 4", customer_id=trade)
    cab = _rows(preview)[SKU_CABERNET]
    assert (cab.name, cab.price, cab.stock_on_hand, cab.line_total) == (
        "Cabernet 2019",
        Decimal("29.75"),
        100,
        Decimal("59.50"),
    )
    assert preview.items == ((SKU_CABERNET, 2), (SKU_CHARDONNAY, 4))
    assert preview.subtotal == Decimal("136.02")  # 2 x 29.75 + 4 x 19.13
    assert preview.problems == 0


def test_without_a_customer_the_preview_uses_list_prices_or_a_types_prices(services):
    assert _rows(services.quick_pad.preview(SKU_CABERNET))[SKU_CABERNET].price == Decimal("35.00")
    club = services.quick_pad.preview(SKU_CABERNET, type_code="WINECLUB")
    assert _rows(club)[SKU_CABERNET].price == Decimal("31.50")


def test_each_problem_is_shown_on_its_own_row(services):
    text = "\n".join(
        [
            f"{SKU_CABERNET} 1",
            "WINE-CAB-2091 2",  # a typo
            f"{SKU_OLD_MAGNUM} 1",
            f"{SKU_GIFT_BOX} 9",
            f"{SKU_CORKSCREW} 3",
            f"{SKU_CHARDONNAY} lots",
        ]
    )
    preview = services.quick_pad.preview(text)
    rows = {row.lines[0]: row for row in preview.rows}
    assert rows[1].ok
    assert rows[2].problem.startswith("unknown SKU; did you mean WINE-CAB-2019")
    assert rows[2].suggestions[0] == SKU_CABERNET
    assert rows[3].problem == "no longer sold"
    assert rows[4].ok and rows[4].warning == "4 short, 5 on hand"
    assert rows[5].ok and rows[5].warning == "3 backordered, 0 on hand"
    assert rows[6].problem == "'lots' is not a quantity"
    assert preview.bad_lines == {2, 3, 6}
    assert [row.lines[0] for row in preview.rows] == [1, 2, 3, 4, 5, 6]


def test_a_name_typed_as_a_sku_suggests_the_products_that_bear_it(services):
    row = services.quick_pad.preview("chardonnay 2").rows[0]
    assert row.suggestions == (SKU_CHARDONNAY,)


def test_short_stock_counts_what_is_already_in_the_cart(services):
    ann = add_customer(services, "Ann")
    draft = services.cart.start(ann)
    services.cart.add_line(draft.id, SKU_GIFT_BOX, 4)
    row = services.quick_pad.preview(f"{SKU_GIFT_BOX} 2", draft_id=draft.id).rows[0]
    assert row.warning == "1 short, 5 on hand"


def test_adding_puts_every_good_line_in_the_cart_and_leaves_the_bad_ones(services):
    ann = add_customer(services, "Ann")
    draft = services.cart.start(ann)
    text = f"SKU,Qty\n{SKU_CABERNET},2\nNOPE,1\n{SKU_CABERNET},1\n{SKU_GIFT_BOX},0\n{SKU_CHARDONNAY}"
    added = services.quick_pad.add_to_cart(draft.id, text, version=draft.version)
    assert [(ln.sku, ln.quantity) for ln in added.view.lines] == [(SKU_CABERNET, 3), (SKU_CHARDONNAY, 1)]
    assert added.remaining == f"SKU,Qty\nNOPE,1\n{SKU_GIFT_BOX},0"
    assert added.added == ((SKU_CABERNET, 3), (SKU_CHARDONNAY, 1))


def test_a_hundred_lines_are_added_in_one_transaction(services, fake_factory):
    with fake_factory(write=True) as uow:
        for i in range(100):
            uow.products.add(Product(None, f"BULK-{i:03d}", f"Item {i}", Decimal("1.00"), stock_on_hand=10))
        uow.commit()
    draft = services.cart.start(add_customer(services, "Ann"))
    commits = fake_factory.commits
    text = "\n".join(f"BULK-{i:03d} {i % 5 + 1}" for i in range(100))
    added = services.quick_pad.add_to_cart(draft.id, text)
    assert len(added.view.lines) == 100
    assert added.remaining == ""
    assert fake_factory.commits == commits + 1


def test_a_pad_with_nothing_good_adds_nothing(services):
    draft = services.cart.start(add_customer(services, "Ann"))
    with pytest.raises(ValidationError) as refused:
        services.quick_pad.add_to_cart(draft.id, "NOPE 1\nALSO-NOPE")
    assert refused.value.field == "pad"
    assert services.cart.get(draft.id).lines == ()
