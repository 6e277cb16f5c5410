"""Prices per customer type, overrides, tax per line, shipping rates and order totals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms_core.domain.customers import Address, CustomerType
from oms_core.domain.money import ZERO
from oms_core.domain.orders import Order, OrderLine
from oms_core.domain.pricing import override_needs_supervisor, unit_price
from oms_core.domain.products import Product
from oms_core.domain.repricing import apply_tax_and_shipping
from oms_core.domain.shipping import RateKind, ShippingMethod
from oms_core.domain.tax import TaxRate, TaxTable


def _product(price: str = "35.00", sku: str = "WINE-1", taxable: bool = True) -> Product:
    return Product(1, sku, "Wine", Decimal(price), taxable=taxable)


# --- pricing ------------------------------------------------------------------------------------


def test_without_a_customer_type_the_list_price_applies() -> None:
    assert unit_price(_product("35.00"), None) == Decimal("35.00")


def test_a_percent_discount_comes_off_the_list_price() -> None:
    wholesale = CustomerType(1, "WHOLESALE", "Wholesale", discount_percent=Decimal("15"))
    assert unit_price(_product("35.00"), wholesale) == Decimal("29.75")


def test_a_discounted_price_is_rounded_half_up_to_the_cent() -> None:
    ten_off = CustomerType(1, "CLUB", "Club", discount_percent=Decimal("10"))
    # 9.95 * 0.9 = 8.955 -> 8.96
    assert unit_price(_product("9.95"), ten_off) == Decimal("8.96")


def test_a_price_list_price_beats_the_discount() -> None:
    customer_type = CustomerType(
        1, "VIP", "VIP", discount_percent=Decimal("50"), price_list={"WINE-1": Decimal("30.00")}
    )
    assert unit_price(_product("35.00", sku="WINE-1"), customer_type) == Decimal("30.00")
    assert unit_price(_product("35.00", sku="WINE-2"), customer_type) == Decimal("17.50")


@pytest.mark.parametrize(
    ("normal", "new", "needs"),
    [
        ("100.00", "95.00", False),
        ("100.00", "90.00", False),  # exactly at the limit is allowed
        ("100.00", "89.99", True),
        ("100.00", "0.00", True),
        ("100.00", "150.00", False),  # raising a price never needs a supervisor
        ("0.00", "0.00", False),
    ],
)
def test_only_a_cut_deeper_than_the_limit_needs_a_supervisor(normal: str, new: str, needs: bool) -> None:
    assert override_needs_supervisor(Decimal(normal), Decimal(new), Decimal("10")) is needs


# --- tax ----------------------------------------------------------------------------------------

TAXES = TaxTable(
    [
        TaxRate("CA", Decimal("0.0725")),
        TaxRate("NY", Decimal("0.08875"), taxes_shipping=True),
    ]
)


def test_tax_is_computed_per_line_and_rounded_half_up() -> None:
    # 10.00 * 0.0725 = 0.725 -> 0.73
    assert TAXES.line_tax(Decimal("10.00"), True, "CA", exempt=False) == Decimal("0.73")


def test_the_state_code_is_matched_whatever_its_case() -> None:
    assert TAXES.line_tax(Decimal("10.00"), True, " ca ", exempt=False) == Decimal("0.73")


def test_untaxed_products_and_exempt_customers_pay_no_tax() -> None:
    assert TAXES.line_tax(Decimal("10.00"), False, "CA", exempt=False) == ZERO
    assert TAXES.line_tax(Decimal("10.00"), True, "CA", exempt=True) == ZERO


def test_a_region_without_a_rate_is_not_taxed() -> None:
    assert TAXES.line_tax(Decimal("10.00"), True, "TX", exempt=False) == ZERO
    assert TAXES.shipping_tax(Decimal("10.00"), "TX", exempt=False) == ZERO


def test_the_default_region_applies_where_no_state_rate_exists() -> None:
    table = TaxTable([TaxRate("CA", Decimal("0.0725")), TaxRate("*", Decimal("0.05"))])
    assert table.line_tax(Decimal("10.00"), True, "TX", exempt=False) == Decimal("0.50")
    assert table.line_tax(Decimal("10.00"), True, "CA", exempt=False) == Decimal("0.73")


def test_shipping_is_taxed_only_where_the_region_says_so() -> None:
    assert TAXES.shipping_tax(Decimal("10.00"), "CA", exempt=False) == ZERO
    assert TAXES.shipping_tax(Decimal("10.00"), "NY", exempt=False) == Decimal("0.89")
    assert TAXES.shipping_tax(Decimal("10.00"), "NY", exempt=True) == ZERO


# --- shipping -----------------------------------------------------------------------------------


def test_a_flat_rate_charges_the_same_whatever_the_order() -> None:
    flat = ShippingMethod(1, "GROUND", "Ground", RateKind.FLAT, amount=Decimal("9.95"))
    assert flat.charge(Decimal("10"), 1, Decimal("1")) == Decimal("9.95")
    assert flat.charge(Decimal("500"), 40, Decimal("90")) == Decimal("9.95")


def test_a_flat_rate_is_free_at_or_over_the_threshold() -> None:
    flat = ShippingMethod(
        1, "GROUND", "Ground", RateKind.FLAT, amount=Decimal("9.95"), free_over=Decimal("100.00")
    )
    assert flat.charge(Decimal("99.99"), 1, Decimal("1")) == Decimal("9.95")
    assert flat.charge(Decimal("100.00"), 1, Decimal("1")) == ZERO


def test_a_per_item_rate_adds_a_charge_per_unit_to_the_base() -> None:
    per_item = ShippingMethod(
        1, "2DAY", "2-Day", RateKind.PER_ITEM, amount=Decimal("12.00"), per_item=Decimal("2.00")
    )
    assert per_item.charge(Decimal("50"), 3, Decimal("9")) == Decimal("18.00")


def test_a_weight_rate_charges_the_first_tier_that_holds_the_weight() -> None:
    weight = ShippingMethod(
        1,
        "FREIGHT",
        "Freight",
        RateKind.WEIGHT,
        tiers=((Decimal("10"), Decimal("15.00")), (Decimal("50"), Decimal("45.00"))),
    )
    assert weight.charge(Decimal("1"), 1, Decimal("10")) == Decimal("15.00")
    assert weight.charge(Decimal("1"), 1, Decimal("10.5")) == Decimal("45.00")
    assert weight.charge(Decimal("1"), 1, Decimal("900")) == Decimal("45.00")


def test_pickup_and_empty_orders_ship_free() -> None:
    pickup = ShippingMethod(1, "WILLCALL", "Will call", RateKind.PICKUP, amount=Decimal("5"))
    flat = ShippingMethod(2, "GROUND", "Ground", RateKind.FLAT, amount=Decimal("9.95"))
    assert pickup.is_pickup
    assert pickup.charge(Decimal("50"), 3, Decimal("9")) == ZERO
    assert flat.charge(ZERO, 0, ZERO) == ZERO


# --- order totals -------------------------------------------------------------------------------


def _order(state: str = "NY") -> Order:
    order = Order(id=1, ship_to=Address(name="Ann", address1="1 Main", city="X", state=state, zip="10001"))
    order.lines = [
        OrderLine(1, 1, "WINE-1", "Wine", 3, Decimal("10.99"), weight_lb=Decimal("3")),
        OrderLine(2, 2, "BOX", "Box", 1, Decimal("5.00"), taxable=False, weight_lb=Decimal("1")),
    ]
    return order


def test_order_totals_add_lines_shipping_and_tax_per_line() -> None:
    order = _order("NY")
    ground = ShippingMethod(1, "GROUND", "Ground", RateKind.FLAT, amount=Decimal("9.95"))
    apply_tax_and_shipping(order, tax_exempt=False, taxes=TAXES, shipping=ground)

    quote = order.quote()
    assert quote.subtotal == Decimal("37.97")  # 32.97 + 5.00
    assert order.lines[0].line_tax == Decimal("2.93")  # 32.97 * 0.08875 = 2.926...
    assert order.lines[1].line_tax == ZERO
    assert quote.shipping == Decimal("9.95")
    assert quote.tax == Decimal("3.81")  # 2.93 + 9.95 * 0.08875 = 0.883... -> 0.88
    assert quote.total == Decimal("51.73")
    assert quote.units == 4
    assert quote.weight_lb == Decimal("10")


def test_an_override_price_replaces_the_unit_price_in_the_totals() -> None:
    order = _order("CA")
    order.lines[0].price_override = Decimal("9.00")
    apply_tax_and_shipping(order, tax_exempt=False, taxes=TAXES, shipping=None)
    assert order.lines[0].line_total == Decimal("27.00")
    assert order.subtotal == Decimal("32.00")
    assert order.shipping_charge == ZERO
    assert order.tax == Decimal("1.96")  # 27.00 * 0.0725 = 1.9575 -> 1.96


def test_the_bill_to_state_sets_the_tax_when_there_is_no_ship_to() -> None:
    order = _order()
    order.ship_to = None
    order.bill_to = Address(state="CA")
    assert order.tax_region() == "CA"


def test_a_product_that_is_not_discountable_keeps_its_list_price_for_every_type() -> None:
    gift_card = Product(
        1, "GIFT-CARD-100", "Gift Card $100", Decimal("100.00"), taxable=False, discountable=False
    )
    club = CustomerType(1, "CLUB", "Cellar Club", discount_percent=Decimal("10"))
    listed = CustomerType(2, "TRADE", "Trade", price_list={"GIFT-CARD-100": Decimal("80.00")})
    assert [unit_price(gift_card, t) for t in (None, club, listed)] == [Decimal("100.00")] * 3
    assert unit_price(_product("100.00"), club) == Decimal("90.00")  # other products keep the discount
