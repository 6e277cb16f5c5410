"""The Quick Order Pad: many lines typed or pasted at once, previewed, then added in one edit.

``preview`` reads the pad (:mod:`oms_core.domain.quick_pad`) and checks every item against the
catalogue for one customer: name, their price, stock, line total, and what is wrong (unknown SKU
with the closest matches, no longer sold, bad quantity). Short stock is a warning: the line can be
added, as in the cart. ``add_to_cart`` adds every good item to a draft with one
:meth:`CartService.add_lines` call (one transaction, however many lines) and hands back the pad's
text with only the lines still to fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from oms_core.domain.customers import CustomerType
from oms_core.domain.errors import ValidationError
from oms_core.domain.money import ZERO, money
from oms_core.domain.pricing import unit_price
from oms_core.domain.products import Product
from oms_core.domain.quick_pad import ParsedPad, keep_lines, parse_pad
from oms_core.ports import UnitOfWork
from oms_core.read_models import CartView
from oms_core.services.cart import CartService
from oms_core.services.context import ServiceContext
from oms_core.services.drafts import PricingContext

SUGGESTIONS = 3
SUGGEST_FOR_AT_MOST = 25
"""Unknown SKUs that get suggestions in one preview (the rest just say "unknown")."""
_CANDIDATES = 200


@dataclass(frozen=True, slots=True)
class PadRow:
    """One row of the preview: an item (every line naming one SKU) or a line that cannot be read.

    Attributes:
        lines: the pad lines the row stands for.
        problem: why the row cannot be added ("" when it can).
        warning: something to tell the customer that does not stop the row (short stock).
        suggestions: for an unknown SKU, the closest SKUs in the catalogue.
    """

    lines: tuple[int, ...]
    sku: str
    quantity: int | None
    name: str = ""
    price: Decimal | None = None
    stock_on_hand: int | None = None
    line_total: Decimal | None = None
    problem: str = ""
    warning: str = ""
    suggestions: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the row will be added."""
        return not self.problem


@dataclass(frozen=True, slots=True)
class PadPreview:
    """The whole pad checked.

    Attributes:
        rows: in pad order (by each row's first line).
        items: the (SKU, quantity) pairs that can be added.
        bad_lines: line numbers that cannot be added, to leave in the pad.
        subtotal: the good rows' line totals.
    """

    rows: tuple[PadRow, ...]
    items: tuple[tuple[str, int], ...]
    bad_lines: frozenset[int]
    subtotal: Decimal

    @property
    def problems(self) -> int:
        """Rows that cannot be added."""
        return sum(1 for row in self.rows if not row.ok)


@dataclass(frozen=True, slots=True)
class PadAdded:
    """What ``add_to_cart`` did.

    Attributes:
        view: the cart after the edit.
        added: the items added.
        remaining: the pad's text with only the lines still to fix ("" when all were added).
        preview: the check the items were added after.
    """

    view: CartView
    added: tuple[tuple[str, int], ...]
    remaining: str
    preview: PadPreview


class QuickPadService:
    """Checks pads and adds them to drafts."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context
        self._cart = CartService(context)

    def preview(
        self,
        text: str,
        customer_id: int | None = None,
        draft_id: int | None = None,
        type_code: str | None = None,
    ) -> PadPreview:
        """Check the pad for a customer (their prices), a draft (its customer; stock counts what is
        already on it) or a customer type (a club's prices); list prices with none of them.

        Raises:
            ValidationError: the pad is too long.
        """
        parsed = parse_pad(text)
        with self._ctx.read() as uow:
            customer_type, on_draft = _context(uow, customer_id, draft_id, type_code)
            products = uow.products.get_many_by_sku(item.sku for item in parsed.items) if parsed.items else {}
            unknown = [item.sku for item in parsed.items if item.sku not in products]
            suggestions = _suggest(uow, unknown[:SUGGEST_FOR_AT_MOST])
        return _check(parsed, products, customer_type, on_draft, suggestions)

    def add_to_cart(self, draft_id: int, text: str, version: int | None = None) -> PadAdded:
        """Add every good item of the pad to the draft in one edit.

        Raises:
            ValidationError: nothing in the pad can be added (field ``pad``), or a product changed
                between the check and the edit (nothing is added then).
            StaleEdit: the draft changed since ``version``.
        """
        checked = self.preview(text, draft_id=draft_id)
        if not checked.items:
            message = "nothing to add: fix the lines marked" if checked.rows else "the pad is empty"
            raise ValidationError(message, field="pad")
        view = self._cart.add_lines(draft_id, list(checked.items), version)
        remaining = keep_lines(text, checked.bad_lines)
        return PadAdded(view, checked.items, remaining, checked)


def _context(
    uow: UnitOfWork, customer_id: int | None, draft_id: int | None, type_code: str | None
) -> tuple[CustomerType | None, dict[str, int]]:
    """The customer type whose prices apply, and the quantities already on the draft by SKU."""
    on_draft: dict[str, int] = {}
    if draft_id is not None:
        order = uow.orders.get(draft_id)
        customer_id = customer_id or order.customer_id
        for line in order.lines:
            on_draft[line.sku] = on_draft.get(line.sku, 0) + line.quantity
    pricing = PricingContext(uow)
    if customer_id is not None:
        return pricing.customer_type(uow.customers.get(customer_id, with_addresses=False)), on_draft
    if type_code is not None:
        return pricing.types.get(type_code), on_draft
    return None, on_draft


def _check(
    parsed: ParsedPad,
    products: dict[str, Product],
    customer_type: CustomerType | None,
    on_draft: dict[str, int],
    suggestions: dict[str, tuple[str, ...]],
) -> PadPreview:
    rows: list[PadRow] = [
        PadRow((line.number,), line.sku, line.quantity, problem=line.problem) for line in parsed.bad_lines
    ]
    items: list[tuple[str, int]] = []
    subtotal = ZERO
    for item in parsed.items:
        product = products.get(item.sku)
        if product is None:
            close = suggestions.get(item.sku, ())
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            rows.append(
                PadRow(item.lines, item.sku, item.quantity, problem=f"unknown SKU{hint}", suggestions=close)
            )
            continue
        price = unit_price(product, customer_type)
        total = money(price * item.quantity)
        row = PadRow(
            item.lines, product.sku, item.quantity, product.name, price, product.stock_on_hand, total
        )
        if not product.active:
            row = replace(row, problem="no longer sold")
        elif item.problem:
            row = replace(row, problem=item.problem)
        else:
            wanted = item.quantity + on_draft.get(product.sku, 0)
            short = product.short_by(wanted)
            if short:
                kind = "backordered" if product.allow_backorder else "short"
                row = replace(row, warning=f"{short} {kind}, {max(product.stock_on_hand, 0)} on hand")
            items.append((product.sku, item.quantity))
            subtotal += total
        rows.append(row)
    rows.sort(key=lambda r: r.lines[0])
    bad = frozenset(n for row in rows if not row.ok for n in row.lines)
    return PadPreview(tuple(rows), tuple(items), bad, money(subtotal))


def _suggest(uow: UnitOfWork, unknown: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The closest active SKUs to each unknown SKU.

    Candidates come from the product search by ever shorter prefixes of the typed SKU (cached for
    the call, so fifty typos of one range cost a few queries) and from product names containing it.
    """
    cache: dict[str, list[Product]] = {}

    def search(text: str) -> list[Product]:
        if text not in cache:
            cache[text] = [p for p in uow.products.search(text, _CANDIDATES) if p.active]
        return cache[text]

    found: dict[str, tuple[str, ...]] = {}
    for sku in unknown:
        pool: dict[str, Product] = {}
        for length in (4, 2, 1):
            if len(sku) >= length:
                pool.update((p.sku, p) for p in search(sku[:length]))
            if len(pool) >= SUGGESTIONS * 10:
                break
        close = difflib.get_close_matches(sku, list(pool), n=SUGGESTIONS, cutoff=0.6)
        if len(close) < SUGGESTIONS:
            for product in search(sku):
                if product.sku not in close:
                    close.append(product.sku)
                if len(close) == SUGGESTIONS:
                    break
        found[sku] = tuple(close)
    return found
