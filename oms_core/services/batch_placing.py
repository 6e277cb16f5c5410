"""Preparing and writing many orders at once (bulk orders, club shipments, spreadsheet imports).

The placing rules are checkout's (``oms_core.domain.placing``), applied in bulk: customers and
products are loaded once, every request is built into a priced order with what stops it, and stock
is allocated in request order (:func:`prepare_requests`); approved orders are numbered in a block
and inserted with ``executemany`` (:func:`write_orders`). The steps around the gateway (stock taken,
calls recorded, cards asked with no transaction open) are :mod:`oms_core.services.batch_steps`.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from oms_core.domain.audit import AuditEvent
from oms_core.domain.customers import Address, CustomerType
from oms_core.domain.orders import MAX_LINE_QUANTITY, Order, OrderLine, OrderSource
from oms_core.domain.payments import Payment, PaymentChoice
from oms_core.domain.placing import default_payment, placing_problems
from oms_core.domain.products import Product, normalize_sku
from oms_core.domain.repricing import reprice
from oms_core.domain.shipping import ShippingMethod
from oms_core.ports import UnitOfWork
from oms_core.services.drafts import PricingContext
from oms_core.services.placing import mark_placed

PLACED = "placed"
FAILED = "failed"
ALREADY = "already"


@dataclass(frozen=True, slots=True)
class BatchOrderRequest:
    """One order a batch job wants placed.

    Attributes:
        key: unique idempotency key of this order, stored on it as ``batch_key``.
        customer_id: whose order it is (for an import, the purchaser).
        lines: (SKU, quantity) pairs; repeated SKUs are merged.
        source: bulk, club or import.
        shipping_method: a shipping method code; a pickup method needs no ship-to.
        ship_to: where it goes; ``None`` for the customer's default shipping address.
        bill_to: ``None`` for the customer's default billing address.
        payment: ``None`` for the customer's first card on file (else on account, if allowed).
        gift_message: printed with the shipment.
        notes: internal notes.
        payment_key: the gateway's idempotency key; ``batch:<key>`` when empty. A job retrying a
            declined order passes a new one (a repeated key gets the first answer again).
    """

    key: str
    customer_id: int
    lines: tuple[tuple[str, int], ...]
    source: OrderSource
    shipping_method: str
    ship_to: Address | None = None
    bill_to: Address | None = None
    payment: PaymentChoice | None = None
    gift_message: str = ""
    notes: str = ""
    payment_key: str = ""


@dataclass(frozen=True, slots=True)
class BatchOrderResult:
    """What happened to one request: ``placed``, ``failed`` (with the reason) or ``already``."""

    key: str
    customer_id: int
    status: str
    order_id: int | None = None
    number: int | None = None
    total: Decimal | None = None
    reason: str = ""
    reference: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One request priced for a preview; nothing is written."""

    key: str
    customer_id: int
    ship_to: Address | None
    payment_label: str
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    problems: tuple[str, ...]


@dataclass(slots=True)
class _Prepared:
    request: BatchOrderRequest
    order: Order
    problems: list[str]


_LINE_KEY = operator.attrgetter("product_id", "quantity", "price_override")

# A request's items as order-line values (product id, SKU, name, quantity, price) and problems.
_Resolved = tuple[tuple[tuple[int, str, str, int, Decimal], ...], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class _Priced:
    """What repricing set on an order: per line (SKU, name, unit price, taxable, weight, tax)."""

    lines: tuple[tuple[str, str, Decimal, bool, Decimal, Decimal], ...]
    shipping_charge: Decimal
    shipping_tax: Decimal


class _Batch:
    """The data loaded once for a batch: customers, products, reference data (``pricing``, when
    the caller already holds it).
    """

    def __init__(
        self, uow: UnitOfWork, requests: Sequence[BatchOrderRequest], pricing: PricingContext | None = None
    ) -> None:
        self.pricing = pricing or PricingContext(uow)
        self.customers = uow.customers.ordering_profiles(sorted({r.customer_id for r in requests}))
        skus = {normalize_sku(sku) for r in requests for sku, _ in r.lines}
        self.by_sku = uow.products.get_many_by_sku(skus)
        self.by_id = {p.id or 0: p for p in self.by_sku.values()}
        self.stock = {p.id or 0: p.stock_on_hand for p in self.by_sku.values()}
        self._priced: dict[tuple[object, ...], _Priced] = {}
        self._resolved: dict[tuple[tuple[str, int], ...], _Resolved] = {}

    def prepare(self, request: BatchOrderRequest, operator: str, now: datetime) -> _Prepared:
        """Build and price the order for ``request`` and list what stops it: what is wrong with
        the request's items, then the placing rules checkout applies (``placing_problems``).
        """
        order = Order(
            id=None,
            source=request.source,
            customer_id=request.customer_id,
            operator=operator,
            shipping_method=request.shipping_method,
            gift_message=request.gift_message,
            notes=request.notes,
            batch_key=request.key,
            created_at=now,
            updated_at=now,
        )
        customer = self.customers.get(request.customer_id)
        if customer is None:
            return _Prepared(request, order, ["customer not found"])
        problems = self._add_lines(order, request)
        method = self.pricing.shipping(request.shipping_method)
        order.ship_to = request.ship_to or customer.ship_to
        order.bill_to = request.bill_to or customer.bill_to or order.ship_to
        customer_type = self.pricing.types.get(customer.type_code)
        order.payment_choice = request.payment or default_payment(customer.card, customer_type)
        # The card comes from the customer's record (the profile's first card) or, for an import,
        # from the purchaser's record checked by the import service: no card_ids to check against.
        found = placing_problems(
            order, customer.status, customer_type, self.by_id, method, has_card=customer.card is not None
        )
        problems.extend(message for _field, message in found)
        self._price(order, customer_type, customer.tax_exempt, method)
        return _Prepared(request, order, problems)

    def _price(
        self,
        order: Order,
        customer_type: CustomerType | None,
        tax_exempt: bool,
        method: ShippingMethod | None,
    ) -> None:
        """Reprice ``order``. Repricing reads only the lines, the customer type, the tax exemption,
        the tax region and the shipping method, so the orders of a batch that agree on those (a club
        shipment's members in one state) are priced once and the result copied.
        """
        key = (
            tuple(map(_LINE_KEY, order.lines)),
            customer_type.code if customer_type is not None else None,
            tax_exempt,
            order.tax_region(),
            method.code if method is not None else None,
        )
        priced = self._priced.get(key)
        if priced is None:
            reprice(order, self.by_id, customer_type, tax_exempt, self.pricing.taxes, method)
            self._priced[key] = _Priced(
                tuple(
                    (line.sku, line.name, line.unit_price, line.taxable, line.weight_lb, line.line_tax)
                    for line in order.lines
                ),
                order.shipping_charge,
                order.shipping_tax,
            )
            return
        for line, (sku, name, price, taxable, weight, tax) in zip(order.lines, priced.lines, strict=True):
            line.sku, line.name, line.unit_price, line.taxable = sku, name, price, taxable
            line.weight_lb, line.line_tax = weight, tax
        order.shipping_charge = priced.shipping_charge
        order.shipping_tax = priced.shipping_tax

    def _add_lines(self, order: Order, request: BatchOrderRequest) -> list[str]:
        """Add the request's items to ``order``; return what is wrong with them."""
        # Every member of a club shipment or bulk order asks for the same items: read them once.
        resolved = self._resolved.get(request.lines)
        if resolved is None:
            resolved = self._resolved[request.lines] = self._resolve(request.lines)
        lines, found = resolved
        order.lines.extend(OrderLine(None, *values) for values in lines)
        return list(found)

    def _resolve(self, items: tuple[tuple[str, int], ...]) -> _Resolved:
        """The order lines (product id, SKU, name, quantity, price) for ``items`` and what is wrong
        with them: unknown SKUs, quantities out of range; repeated SKUs are merged. Products no
        longer sold stay on the order, for the placing rules to name.
        """
        problems: list[str] = []
        lines: dict[int, list[Any]] = {}
        for sku, quantity in items:
            product = self.by_sku.get(normalize_sku(sku))
            if product is None:
                problems.append(f"unknown SKU {sku.strip()!r}")
                continue
            product_id = product.id or 0
            line = lines.get(product_id)
            total = quantity + (line[3] if line is not None else 0)
            if not 1 <= total <= MAX_LINE_QUANTITY:
                problems.append(f"{product.sku}: quantity must be 1 to {MAX_LINE_QUANTITY:,}")
                continue
            if line is not None:
                line[3] = total
            else:
                lines[product_id] = [product_id, product.sku, product.name, total, product.list_price]
        return tuple(tuple(line) for line in lines.values()), tuple(problems)

    def allocate(self, prepared: _Prepared) -> None:
        """Reserve stock for the order in memory, or add a short-stock problem."""
        short = []
        for line in prepared.order.lines:
            product = self.by_id[line.product_id]
            if not product.allow_backorder and self.stock[line.product_id] < line.quantity:
                short.append(f"{line.sku} short ({max(self.stock[line.product_id], 0)} left)")
        if short:
            prepared.problems.append("; ".join(short))
            return
        for line in prepared.order.lines:
            self.stock[line.product_id] -= line.quantity

    def release(self, order: Order) -> None:
        """Give back the stock reserved for an order that will not be placed."""
        for line in order.lines:
            self.stock[line.product_id] += line.quantity


def _prepare_all(
    uow: UnitOfWork,
    requests: Sequence[BatchOrderRequest],
    operator: str,
    now: datetime,
    allocate: bool = True,
    pricing: PricingContext | None = None,
) -> tuple[_Batch, list[_Prepared]]:
    """Prepare every request; with ``allocate``, also reserve stock in request order."""
    batch = _Batch(uow, requests, pricing)
    prepared = []
    for request in requests:
        item = batch.prepare(request, operator, now)
        if allocate and not item.problems:
            batch.allocate(item)
        prepared.append(item)
    return batch, prepared


Prepared = _Prepared
"""A request built into a priced order, with what stops it (for :mod:`batch_steps`)."""


def prepare_requests(
    uow: UnitOfWork,
    requests: Sequence[BatchOrderRequest],
    operator: str,
    now: datetime,
    pricing: PricingContext | None = None,
) -> tuple[dict[int, Product], list[_Prepared]]:
    """Build and price every request, allocating stock in request order (nothing written), with
    ``pricing``'s reference data when given, else the reference data read now.
    """
    batch, prepared = _prepare_all(uow, requests, operator, now, pricing=pricing)
    return batch.by_id, prepared


def preview_orders(
    uow: UnitOfWork, requests: Sequence[BatchOrderRequest], pricing: PricingContext | None = None
) -> list[PreviewRow]:
    """Price every request as it would be placed now (stock allocated in order); write nothing."""
    _, prepared = _prepare_all(uow, requests, "", datetime.min, pricing=pricing)
    rows = []
    for item in prepared:
        order = item.order
        choice = order.payment_choice
        rows.append(
            PreviewRow(
                item.request.key,
                item.request.customer_id,
                order.ship_to,
                choice.label() if choice else "",
                order.subtotal,
                order.shipping_charge,
                order.tax,
                order.total,
                tuple(item.problems),
            )
        )
    return rows


def write_orders(
    uow: UnitOfWork,
    placed: list[_Prepared],
    payments: dict[str, Payment],
    operator: str,
    now: datetime,
    events: list[AuditEvent] | None = None,
) -> None:
    """Number and insert the orders (their stock already taken), with their audit events.

    Args:
        uow: the caller's write unit of work.
        placed: the orders to write, prepared and priced.
        payments: each order's payment, by request key.
        operator: who places them (the audit name).
        now: when.
        events: when given, the "placed" events are added to it instead of written, for a caller
            that writes them with its own in one insert (a round trip fewer per chunk).
    """
    numbers = uow.orders.next_numbers(len(placed))
    orders = []
    for item, number in zip(placed, numbers, strict=True):
        mark_placed(item.order, number, payments[item.request.key], operator, now)
        orders.append(item.order)
    uow.orders.add_many(orders)
    # The payment's amount is the order's total, already computed once: reuse it.
    placed_events = [
        AuditEvent(
            item.order.id,
            operator,
            "placed",
            f"order {item.order.number} ({item.order.source.value}), "
            f"total {payments[item.request.key].amount}",
            now,
            item.order.customer_id,
        )
        for item in placed
    ]
    if events is None:
        uow.audit.add_many(placed_events)
    else:
        events.extend(placed_events)
