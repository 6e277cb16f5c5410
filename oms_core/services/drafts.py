"""Shared steps of every draft edit: load, check, re-price, save, describe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from oms_core.domain.customers import Customer, CustomerType
from oms_core.domain.errors import StaleEdit, ValidationError
from oms_core.domain.orders import Order
from oms_core.domain.products import Product
from oms_core.domain.repricing import reprice
from oms_core.domain.shipping import ShippingMethod
from oms_core.domain.tax import TaxTable
from oms_core.ports import UnitOfWork
from oms_core.read_models import CartView
from oms_core.services.views import cart_view, customer_summary


class PricingContext:
    """The reference data a quote needs, loaded once per unit of work (or batch)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.taxes = TaxTable(uow.reference.tax_rates())
        self.types = {t.code: t for t in uow.reference.customer_types()}
        self.methods = {m.code: m for m in uow.reference.shipping_methods()}

    def customer_type(self, customer: Customer | None) -> CustomerType | None:
        """The customer's type (``None`` before a customer is attached: list prices)."""
        return self.types.get(customer.type_code) if customer else None

    def shipping(self, code: str) -> ShippingMethod | None:
        """The shipping method with ``code``, if it exists."""
        return self.methods.get(code)


def load_draft(uow: UnitOfWork, draft_id: int, version: int | None) -> Order:
    """Load a draft for editing.

    Raises:
        NotFound: no such order.
        InvalidState: it is no longer a draft.
        StaleEdit: ``version`` is given and someone changed the draft since.
    """
    order = uow.orders.get(draft_id)
    order.require_draft()
    if version is not None and order.version != version:
        raise StaleEdit("this order was changed in another window; it has been reloaded")
    return order


def requote(
    uow: UnitOfWork, order: Order, pricing: PricingContext | None = None
) -> tuple[Customer | None, dict[int, Product]]:
    """Re-price the draft from the catalogue and the customer; return what was loaded."""
    pricing = pricing or PricingContext(uow)
    customer = uow.customers.get(order.customer_id) if order.customer_id else None
    products = uow.products.get_many([line.product_id for line in order.lines])
    reprice(
        order,
        products,
        pricing.customer_type(customer),
        bool(customer and customer.tax_exempt),
        pricing.taxes,
        pricing.shipping(order.shipping_method),
    )
    return customer, products


def describe(order: Order, customer: Customer | None, products: dict[int, Product]) -> CartView:
    """The cart view with its warnings (short stock, inactive products, missing choices)."""
    warnings: list[str] = []
    for line in order.lines:
        product = products.get(line.product_id)
        if product is None:
            continue
        if not product.active:
            warnings.append(f"{line.sku} is no longer sold; remove it")
        short = product.short_by(line.quantity)
        if short:
            kind = "backordered" if product.allow_backorder else "short"
            warnings.append(f"{line.sku}: {short} {kind} (on hand {max(product.stock_on_hand, 0)})")
    if customer is not None and not customer.status.may_order:
        warnings.append(f"customer is {customer.status.label}")
    summary = customer_summary(customer) if customer else None
    return cart_view(order, summary, products, tuple(warnings))


def edit_draft(
    uow: UnitOfWork, draft_id: int, version: int | None, change: Callable[[Order], None], now: datetime
) -> CartView:
    """Load a draft, apply ``change``, re-price, save and commit; return the new view.

    Every edit is committed at once so a dropped connection loses nothing.
    """
    order = load_draft(uow, draft_id, version)
    change(order)
    order.updated_at = now
    customer, products = requote(uow, order)
    uow.orders.save(order)
    view = describe(order, customer, products)
    uow.commit()
    return view


def require_customer(order: Order) -> int:
    """The attached customer's id.

    Raises:
        ValidationError: when no customer is attached yet.
    """
    if order.customer_id is None:
        raise ValidationError("attach a customer to the order first", field="customer")
    return order.customer_id
