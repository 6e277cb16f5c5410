"""Recomputing a draft's prices, tax and shipping from the catalogue and the customer."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from oms_core.domain.customers import CustomerType
from oms_core.domain.money import ZERO, money
from oms_core.domain.orders import Order
from oms_core.domain.pricing import unit_price
from oms_core.domain.products import Product
from oms_core.domain.shipping import ShippingMethod
from oms_core.domain.tax import TaxTable


def reprice(
    order: Order,
    products: Mapping[int, Product],
    customer_type: CustomerType | None,
    tax_exempt: bool,
    taxes: TaxTable,
    shipping: ShippingMethod | None,
    kept: Mapping[int, Decimal] | None = None,
) -> None:
    """Refresh every line from the catalogue, then the line taxes, shipping and shipping tax.

    Overrides are kept: an operator's agreed price survives a catalogue change. Lines whose
    product is missing from ``products`` keep their copied values. ``kept`` (a change to a placed
    order: ``domain/changes.kept_prices``) holds the unit price the customer was quoted for each
    product already on the order, which a change keeps; other lines take today's price.
    """
    for line in order.lines:
        product = products.get(line.product_id)
        if product is not None:
            line.sku = product.sku
            line.name = product.name
            price = kept.get(line.product_id) if kept else None
            line.unit_price = price if price is not None else unit_price(product, customer_type)
            line.taxable = product.taxable
            line.weight_lb = product.weight_lb
    apply_tax_and_shipping(order, tax_exempt, taxes, shipping)


def apply_tax_and_shipping(
    order: Order, tax_exempt: bool, taxes: TaxTable, shipping: ShippingMethod | None
) -> None:
    """Compute line taxes, the shipping charge and its tax from the lines as they are."""
    region = order.tax_region()
    subtotal = ZERO  # summed here, as Order.subtotal would, to go over the lines once
    for line in order.lines:
        line_total = line.line_total
        subtotal += line_total
        line.line_tax = taxes.line_tax(line_total, line.taxable, region, tax_exempt)
    if shipping is None:
        order.shipping_charge = ZERO
    else:
        order.shipping_charge = shipping.charge(money(subtotal), order.units, order.weight_lb)
    order.shipping_tax = taxes.shipping_tax(order.shipping_charge, region, tax_exempt)
