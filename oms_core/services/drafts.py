"""Shared steps of every draft edit: load, check, re-price, save, describe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from oms_core.domain.changes import held_units, kept_prices
from oms_core.domain.customers import Customer, CustomerStatus, CustomerType
from oms_core.domain.errors import StaleEdit, ValidationError
from oms_core.domain.gateway_calls import CallStatus
from oms_core.domain.orders import Order
from oms_core.domain.products import Product
from oms_core.domain.repricing import reprice
from oms_core.domain.shipping import ShippingMethod
from oms_core.domain.tax import TaxTable
from oms_core.ports import UnitOfWork
from oms_core.read_models import CartView, CustomerSummary
from oms_core.services.views import cart_view, customer_summary


class PricingContext:
    """The reference data a quote needs, loaded once per unit of work (or batch)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.taxes = TaxTable(uow.reference.tax_rates())
        self.types = {t.code: t for t in uow.reference.customer_types()}
        self.methods = {m.code: m for m in uow.reference.shipping_methods()}

    def customer_type(self, customer: Customer | QuotedCustomer | None) -> CustomerType | None:
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
    calls = uow.gateway_calls.for_order(draft_id)
    if order.changes_order_id is not None:
        calls += uow.gateway_calls.for_order(order.changes_order_id)  # a change's card is asked there
    if any(call.status is CallStatus.PENDING for call in calls):
        # Its stock is taken and its card is with the gateway: an edit now would place another order.
        raise ValidationError("this order is being placed (its card is with the gateway); try again shortly")
    if version is not None and order.version != version:
        raise StaleEdit("this order was changed in another window; it has been reloaded")
    return order


@dataclass(frozen=True, slots=True)
class QuotedCustomer:
    """What quoting and showing a cart needs of its customer, without the address book and cards
    (a customer with 500 addresses costs a cart edit what a customer with one does).
    """

    summary: CustomerSummary
    type_code: str
    status: CustomerStatus
    tax_exempt: bool

    @classmethod
    def of(cls, customer: Customer) -> QuotedCustomer:
        """From a customer already loaded, whole or as ``get_for_order`` reads it."""
        return cls(customer_summary(customer), customer.type_code, customer.status, customer.tax_exempt)


def change_base(uow: UnitOfWork, order: Order) -> Order | None:
    """The placed order a change draft changes, read without a lock (``None`` for a new order).

    Without a lock: a cart edit holds the draft's row, and the draft's id is above the order's, so
    locking the order now would take two order rows out of id order.
    """
    if order.changes_order_id is None:
        return None
    return uow.orders.get(order.changes_order_id, lock=False)


def requote(
    uow: UnitOfWork, order: Order, pricing: PricingContext | None = None, base: Order | None = None
) -> tuple[Customer | None, dict[int, Product]]:
    """Re-price the draft from the catalogue and the whole customer; return what was loaded.

    For what needs the customer's addresses or cards (checkout's readiness); a cart edit calls
    :func:`quote` instead.
    """
    customer = uow.customers.get(order.customer_id) if order.customer_id else None
    products = reprice_draft(uow, order, customer, pricing, base)
    return customer, products


def quote(
    uow: UnitOfWork, order: Order, base: Order | None = None, pricing: PricingContext | None = None
) -> tuple[QuotedCustomer | None, dict[int, Product]]:
    """Re-price the draft reading only the customer's own fields and the addresses its summary
    names (never the whole address book or cards); return what was loaded.
    """
    quoted = None
    if order.customer_id is not None:
        quoted = QuotedCustomer.of(uow.customers.get_for_order(order.customer_id))
    return quoted, reprice_draft(uow, order, quoted, pricing, base=base)


def checkout_quote(
    uow: UnitOfWork, order: Order, pricing: PricingContext | None = None, base: Order | None = None
) -> tuple[QuotedCustomer | None, frozenset[int], dict[int, Product]]:
    """:func:`quote`, and the ids of the customer's cards on file: all that checking a draft for
    placing needs of its customer. The address book is never read, so a customer with 500
    addresses and 30 cards costs a checkout what a customer with one of each does.
    """
    customer, products = quote(uow, order, base, pricing)
    card_ids = uow.customers.card_ids(customer.summary.id) if customer is not None else frozenset()
    return customer, card_ids, products


def reprice_draft(
    uow: UnitOfWork,
    order: Order,
    customer: Customer | QuotedCustomer | None,
    pricing: PricingContext | None = None,
    base: Order | None = None,
) -> dict[int, Product]:
    """Re-price the draft for ``customer`` (already loaded) from the catalogue; return its products.

    A change draft keeps the prices its placed order was quoted (``base``, read here when not given).
    """
    pricing = pricing or PricingContext(uow)
    if order.is_change and base is None:
        base = change_base(uow, order)
    products = uow.products.get_many([line.product_id for line in order.lines])
    reprice(
        order,
        products,
        pricing.types.get(customer.type_code) if customer else None,
        bool(customer and customer.tax_exempt),
        pricing.taxes,
        pricing.shipping(order.shipping_method),
        kept_prices(base) if base is not None else None,
    )
    return products


def describe(
    order: Order,
    customer: Customer | QuotedCustomer | None,
    products: dict[int, Product],
    base: Order | None = None,
) -> CartView:
    """The cart view with its warnings (short stock, inactive products, missing choices).

    For a change draft, ``base`` is the placed order it changes: its units are already taken, so
    only what the change adds can be short, and the view carries the order's number and total.
    """
    warnings: list[str] = []
    held = held_units(order, base)
    for line in order.lines:
        product = products.get(line.product_id)
        if product is None:
            continue
        if not product.active and line.product_id not in held:
            warnings.append(f"{line.sku} is no longer sold; remove it")
        short = product.short_by(line.quantity - held.get(line.product_id, 0))
        if short:
            kind = "backordered" if product.allow_backorder else "short"
            warnings.append(f"{line.sku}: {short} {kind} (on hand {max(product.stock_on_hand, 0)})")
    if customer is not None and not customer.status.may_order:
        warnings.append(f"customer is {customer.status.label}")
    summary = None
    if isinstance(customer, QuotedCustomer):
        summary = customer.summary
    elif customer is not None:
        summary = customer_summary(customer)
    return cart_view(order, summary, products, tuple(warnings), base)


def edit_draft(
    uow: UnitOfWork,
    draft_id: int,
    version: int | None,
    change: Callable[[Order], None],
    now: datetime,
    pricing: PricingContext | None = None,
) -> CartView:
    """Load a draft, apply ``change``, re-price, save and commit; return the new view.

    Every edit is committed at once so a dropped connection loses nothing. ``pricing``: the
    reference data, when the change read it already (read here otherwise).
    """
    order = load_draft(uow, draft_id, version)
    change(order)
    order.updated_at = now
    base = change_base(uow, order)
    customer, products = quote(uow, order, base, pricing)
    uow.orders.save(order)
    view = describe(order, customer, products, base)
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
