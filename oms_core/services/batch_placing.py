"""Placing many orders at once (bulk orders, club shipments, spreadsheet imports).

The placing rules are checkout's (``oms_core.domain.placing``), applied in bulk: customers and
products are loaded once, stock is allocated in request order and taken with one guarded update
per product, order numbers come in a block, and orders, lines, payments and audit events are
inserted with ``executemany``. Everything
happens in the caller's write unit of work; the caller commits (a chunk at a time for long jobs, or
once for an all-or-nothing import).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from oms_core.domain.audit import AuditEvent
from oms_core.domain.customers import Address, CustomerType
from oms_core.domain.errors import OmsError, OutOfStock, PaymentDeclined, PaymentUnavailable
from oms_core.domain.money import ZERO, money
from oms_core.domain.orders import MAX_LINE_QUANTITY, Order, OrderLine, OrderSource
from oms_core.domain.payments import Payment, PaymentChoice
from oms_core.domain.placing import declined, default_payment, payment_for, placing_problems
from oms_core.domain.products import Product, normalize_sku
from oms_core.domain.repricing import reprice
from oms_core.domain.shipping import ShippingMethod
from oms_core.ports import PaymentGateway, UnitOfWork
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


class BatchRejected(OmsError):
    """An all-or-nothing batch had failures; nothing was written.

    Attributes:
        results: one result per request, the failed ones with their reasons.
    """

    def __init__(self, message: str, results: list[BatchOrderResult]) -> None:
        super().__init__(message)
        self.results = results


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
    """The data loaded once for a batch: customers, products, reference data."""

    def __init__(self, uow: UnitOfWork, requests: Sequence[BatchOrderRequest]) -> None:
        self.pricing = PricingContext(uow)
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
) -> tuple[_Batch, list[_Prepared]]:
    """Prepare every request; with ``allocate``, also reserve stock in request order."""
    batch = _Batch(uow, requests)
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
    uow: UnitOfWork, requests: Sequence[BatchOrderRequest], operator: str, now: datetime
) -> tuple[dict[int, Product], list[_Prepared]]:
    """Build and price every request, allocating stock in request order (nothing written)."""
    batch, prepared = _prepare_all(uow, requests, operator, now)
    return batch.by_id, prepared


def preview_orders(uow: UnitOfWork, requests: Sequence[BatchOrderRequest]) -> list[PreviewRow]:
    """Price every request as it would be placed now (stock allocated in order); write nothing."""
    _, prepared = _prepare_all(uow, requests, "", datetime.min)
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


def place_orders(
    uow: UnitOfWork,
    requests: Sequence[BatchOrderRequest],
    gateway: PaymentGateway,
    operator: str,
    now: datetime,
    *,
    all_or_nothing: bool = False,
    shared_payment: PaymentChoice | None = None,
) -> list[BatchOrderResult]:
    """Place one order per request inside ``uow`` (not committed). See the module docstring.

    Requests whose key was placed before come back as ``already``. With ``all_or_nothing``, any
    failure raises ``BatchRejected`` and nothing is written (authorisations are voided). With
    ``shared_payment``, one authorisation for the grand total pays every order.

    Stock goes only to orders that are placed. When each order pays for itself (neither option),
    an order reserves its stock just before its card is asked and gives it back when the card is
    declined, so the requests after it can have those units. Otherwise every order reserves its
    stock first: one failure fails them all anyway.

    If the caller's commit fails, it must call ``void_placed(gateway, results)``.

    Raises:
        BatchRejected: all-or-nothing and something failed.
        OutOfStock: stock moved under a concurrent writer; roll back and retry the chunk.
    """
    already = uow.orders.by_batch_keys([r.key for r in requests])
    pending = [r for r in requests if r.key not in already]
    if shared_payment is not None:
        pending = [_with_payment(r, shared_payment) for r in pending]
    one_by_one = not all_or_nothing and shared_payment is None
    batch, prepared = _prepare_all(uow, pending, operator, now, allocate=not one_by_one)
    results: dict[str, BatchOrderResult] = {
        key: BatchOrderResult(key, r.customer_id, ALREADY, order_id=already[key])
        for r in requests
        if (key := r.key) in already
    }
    failed = [p for p in prepared if p.problems]
    if all_or_nothing and failed:
        raise BatchRejected(_rejection(failed), _fail_all(prepared, results, requests))
    ready = [p for p in prepared if not p.problems]
    authorised: list[str] = []
    try:
        if shared_payment is not None:
            payments = _authorise_shared(gateway, ready, shared_payment, authorised)
        else:
            payments = _authorise(gateway, batch, ready, all_or_nothing, authorised, allocate=one_by_one)
        placed = [p for p in ready if not p.problems]
        if all_or_nothing and len(placed) != len(ready):
            raise BatchRejected(
                _rejection([p for p in ready if p.problems]), _fail_all(prepared, results, requests)
            )
        _write(uow, batch, placed, payments, operator, now)
    except BaseException:
        for reference in authorised:
            gateway.void(reference)
        raise
    for item in prepared:
        order = item.order
        if item.problems:
            results[item.request.key] = BatchOrderResult(
                item.request.key, item.request.customer_id, FAILED, reason="; ".join(item.problems)
            )
        else:
            payment = payments[item.request.key]
            results[item.request.key] = BatchOrderResult(
                item.request.key,
                item.request.customer_id,
                PLACED,
                order.id,
                order.number,
                payment.amount,
                reference=payment.reference,
            )
    return [results[r.key] for r in requests]


def void_placed(gateway: PaymentGateway, results: Sequence[BatchOrderResult]) -> None:
    """Release the authorisations of results whose transaction could not be committed."""
    for reference in sorted({r.reference for r in results if r.status == PLACED and r.reference}):
        gateway.void(reference)


def _with_payment(request: BatchOrderRequest, payment: PaymentChoice) -> BatchOrderRequest:
    return replace(request, payment=payment)


def _authorise(
    gateway: PaymentGateway,
    batch: _Batch,
    ready: list[_Prepared],
    all_or_nothing: bool,
    authorised: list[str],
    *,
    allocate: bool,
) -> dict[str, Payment]:
    """Pay for each ready order in turn; a failed payment gives its order's stock back.

    With ``allocate``, each order first reserves its stock (or is short, and its card is not asked).
    """
    payments: dict[str, Payment] = {}
    for item in ready:
        if allocate:
            batch.allocate(item)
            if item.problems:
                continue
        order = item.order
        choice = order.payment_choice
        total = order.totals()[2]  # one pass over the lines
        assert choice is not None  # prepare() reported it otherwise
        if not choice.method.uses_gateway or choice.card is None:
            payments[item.request.key] = payment_for(choice, total)
            continue
        key = item.request.payment_key or f"batch:{item.request.key}"
        answer = gateway.authorize(choice.card.token, total, key)
        if answer.unavailable:
            item.problems.append(answer.reason)
        else:
            if answer.approved:
                authorised.append(answer.reference)
                payments[item.request.key] = payment_for(choice, total, answer.reference)
                continue
            item.problems.append(declined(choice.card, answer.reason))
        batch.release(order)
        if all_or_nothing:
            break
    return payments


def _authorise_shared(
    gateway: PaymentGateway, ready: list[_Prepared], shared: PaymentChoice, authorised: list[str]
) -> dict[str, Payment]:
    grand_total = money(sum((p.order.total for p in ready), ZERO))
    reference = ""
    card = shared.card
    if shared.method.uses_gateway and card is not None and ready:
        key = f"batch-shared:{ready[0].request.key}:{len(ready)}:{grand_total}"
        answer = gateway.authorize(card.token, grand_total, key)
        if answer.unavailable:
            raise PaymentUnavailable(answer.reason)
        if not answer.approved:
            raise PaymentDeclined(declined(card, answer.reason))
        reference = answer.reference
        authorised.append(reference)
    return {p.request.key: payment_for(shared, p.order.total, reference) for p in ready}


def _write(
    uow: UnitOfWork,
    batch: _Batch,
    placed: list[_Prepared],
    payments: dict[str, Payment],
    operator: str,
    now: datetime,
) -> None:
    if not placed:
        return
    taken: dict[int, int] = {}
    for item in placed:
        for line in item.order.lines:
            taken[line.product_id] = taken.get(line.product_id, 0) + line.quantity
    for product_id, quantity in sorted(taken.items()):
        product: Product = batch.by_id[product_id]
        if not uow.products.take_stock(product_id, quantity, product.allow_backorder):
            raise OutOfStock(f"{product.sku}: stock changed while the batch ran; run it again")
    write_orders(uow, placed, payments, operator, now)


def write_orders(
    uow: UnitOfWork, placed: list[_Prepared], payments: dict[str, Payment], operator: str, now: datetime
) -> None:
    """Number and insert the orders (their stock already taken), with their audit events."""
    numbers = uow.orders.next_numbers(len(placed))
    orders = []
    for item, number in zip(placed, numbers, strict=True):
        mark_placed(item.order, number, payments[item.request.key], operator, now)
        orders.append(item.order)
    uow.orders.add_many(orders)
    # The payment's amount is the order's total, already computed once: reuse it.
    uow.audit.add_many(
        [
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
    )


def _rejection(failed: list[_Prepared]) -> str:
    first = failed[0]
    more = f" and {len(failed) - 1} more" if len(failed) > 1 else ""
    return f"{first.request.key}: {'; '.join(first.problems)}{more}; nothing was placed"


def _fail_all(
    prepared: list[_Prepared], results: dict[str, BatchOrderResult], requests: Sequence[BatchOrderRequest]
) -> list[BatchOrderResult]:
    out = dict(results)
    for item in prepared:
        reason = "; ".join(item.problems) or "not placed: another order in the batch failed"
        out[item.request.key] = BatchOrderResult(
            item.request.key, item.request.customer_id, FAILED, reason=reason
        )
    return [out[r.key] for r in requests]
