"""Prices for a customer: the type's price list, else its discount off list price; products that
are not discountable (gift cards, deposits) always at their list price.
"""

from __future__ import annotations

from decimal import Decimal

from oms_core.domain.customers import CustomerType
from oms_core.domain.money import money
from oms_core.domain.products import Product


def unit_price(product: Product, customer_type: CustomerType | None) -> Decimal:
    """The unit price of ``product`` for a customer of ``customer_type``.

    The list price without a type, and always for a product that is not discountable (a gift card
    costs its face value to every customer); else the type's price-list price, else its discount
    off the list price.
    """
    if customer_type is None or not product.discountable:
        return money(product.list_price)
    listed = customer_type.price_list.get(product.sku)
    if listed is not None:
        return money(listed)
    if customer_type.discount_percent:
        factor = (Decimal(100) - customer_type.discount_percent) / Decimal(100)
        return money(product.list_price * factor)
    return money(product.list_price)


def override_needs_supervisor(normal_price: Decimal, new_price: Decimal, limit_percent: Decimal) -> bool:
    """An override that cuts the price by more than ``limit_percent`` needs a supervisor.

    Raising a price never does.
    """
    if normal_price <= 0 or new_price >= normal_price:
        return False
    cut = (normal_price - new_price) / normal_price * 100
    return cut > limit_percent
