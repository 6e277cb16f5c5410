"""Exports: the contract's field names and values, shaped from an :class:`~oms_core.ports.ExportSource`.

Fulfilment and accounting tools read these files, so the field names and formats below are a
contract; change them only with those tools. Money is a string with two decimals (``"1234.50"``, no
thousands separator, never a float); ``placed_at`` is ISO 8601 in UTC (``2026-11-26T15:04:05Z``).

Rows are produced lazily, one page of the source at a time, so an export of a million customers holds
one page in memory whatever the writer does with the rows.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from oms_core.domain.customers import Address
from oms_core.domain.errors import ValidationError
from oms_core.domain.money import money
from oms_core.ports import CustomerRecord, ExportSource, OrderRecord, ProductRecord, ShipmentRecord
from oms_core.services.fulfilment import PickLine

PAGE_SIZE = 2_000

CUSTOMER_FIELDS = (
    "number", "first_name", "last_name", "company", "email", "phone", "type", "status",
    "city", "state", "zip",
)  # fmt: skip
PRODUCT_FIELDS = ("sku", "name", "price", "stock_on_hand", "active", "backorder")
ADDRESS_FIELDS = ("name", "company", "address1", "address2", "city", "state", "zip", "country", "phone")
LINE_FIELDS = ("sku", "name", "quantity", "unit_price", "tax", "total")
PAYMENT_FIELDS = ("method", "last4")
SHIPMENT_FIELDS = ("carrier", "service", "tracking_number", "shipped_at", "lines")
ORDER_FIELDS = (
    "number", "status", "source", "customer_number", "operator", "placed_at", "bill_to", "ship_to", "lines",
    "subtotal", "shipping", "tax", "total", "payment", "gift_message", "shipments",
)  # fmt: skip
"""Keys of an order object in JSON; ``bill_to``/``ship_to`` are address objects (or ``null``),
``lines`` a list of line objects, ``payment`` an object with ``method`` and, for cards, ``last4``,
``shipments`` a list (oldest first) of objects keyed by :data:`SHIPMENT_FIELDS`, whose ``lines``
are ``{"line", "sku", "quantity"}`` objects (``line``: 1 for the order's first line...).
``shipments`` came last, after the fields tools already read."""

SHIPPED_FLAT_FIELDS = (
    "line_shipped_quantity",
    "line_carrier",
    "line_service",
    "line_tracking_number",
    "line_shipped_at",
    "line_shipment_quantity",
)
"""The shipment columns of the flat orders export, per line: the units shipped so far, then for each
shipment that carried some of the line its carrier, service, tracking number, time and units, joined
with ``"; "`` in the same order when the line went out in more than one."""

ORDER_FLAT_FIELDS = (
    *ORDER_FIELDS[:6],
    *(f"bill_to_{name}" for name in ADDRESS_FIELDS),
    *(f"ship_to_{name}" for name in ADDRESS_FIELDS),
    *(f"line_{name}" for name in LINE_FIELDS),
    "subtotal", "shipping", "tax", "total",
    *(f"payment_{name}" for name in PAYMENT_FIELDS),
    "gift_message",
    *SHIPPED_FLAT_FIELDS,
)  # fmt: skip
"""Columns of the orders export in CSV and xlsx: one row per order line, the order's own fields
repeated on each; nested objects flattened as ``<object>_<field>``; the shipment columns last."""

MONEY_FIELDS = frozenset(
    {
        "price",
        "unit_price",
        "line_unit_price",
        "tax",
        "line_tax",
        "total",
        "line_total",
        "subtotal",
        "shipping",
    }
)
"""Every field, nested or flat, that holds money (a spreadsheet may want them as numbers)."""

_CARD_METHODS = frozenset({"card", "card_on_file"})


class ExportKind(enum.StrEnum):
    """What can be exported."""

    CUSTOMERS = "customers"
    PRODUCTS = "products"
    ORDERS = "orders"


def parse_kind(text: str) -> ExportKind:
    """The export kind named by ``text``.

    Raises:
        ValidationError: naming the kinds there are.
    """
    try:
        return ExportKind(text.strip().lower())
    except ValueError:
        names = ", ".join(kind.value for kind in ExportKind)
        raise ValidationError(f"cannot export {text!r}: choose {names}", field="kind") from None


def money_text(amount: Decimal) -> str:
    """Money as the exports write it: ``1234.50``."""
    return f"{money(amount):.2f}"


def timestamp_text(moment: datetime | None) -> str:
    """A timestamp as the exports write it: ISO 8601 in UTC to the second, ``""`` when missing."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def customer_row(record: CustomerRecord) -> dict[str, Any]:
    """One customer, keyed by :data:`CUSTOMER_FIELDS`."""
    return {
        "number": record.number,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "company": record.company,
        "email": record.email,
        "phone": record.phone,
        "type": record.type_code,
        "status": record.status,
        "city": record.city,
        "state": record.state,
        "zip": record.zip,
    }


def product_row(record: ProductRecord) -> dict[str, Any]:
    """One product, keyed by :data:`PRODUCT_FIELDS`; ``active`` and ``backorder`` are booleans."""
    return {
        "sku": record.sku,
        "name": record.name,
        "price": money_text(record.list_price),
        "stock_on_hand": record.stock_on_hand,
        "active": record.active,
        "backorder": record.allow_backorder,
    }


def _address(address: Address | None) -> dict[str, str] | None:
    if address is None:
        return None
    return {name: getattr(address, name) for name in ADDRESS_FIELDS}


def order_row(record: OrderRecord) -> dict[str, Any]:
    """One order with nested addresses, lines and payment, keyed by :data:`ORDER_FIELDS`."""
    payment: dict[str, str] = {"method": record.payment_method}
    if record.payment_method in _CARD_METHODS:
        payment["last4"] = record.payment_last4
    return {
        "number": record.number,
        "status": record.status,
        "source": record.source,
        "customer_number": record.customer_number,
        "operator": record.operator,
        "placed_at": timestamp_text(record.placed_at),
        "bill_to": _address(record.bill_to),
        "ship_to": _address(record.ship_to),
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": money_text(line.unit_price),
                "tax": money_text(line.tax),
                "total": money_text(line.total),
            }
            for line in record.lines
        ],
        "subtotal": money_text(record.subtotal),
        "shipping": money_text(record.shipping),
        "tax": money_text(record.tax),
        "total": money_text(record.total),
        "payment": payment,
        "gift_message": record.gift_message,
        "shipments": [_shipment(shipment) for shipment in record.shipments],
    }


def _shipment(shipment: ShipmentRecord) -> dict[str, Any]:
    return {
        "carrier": shipment.carrier,
        "service": shipment.service,
        "tracking_number": shipment.tracking_number,
        "shipped_at": timestamp_text(shipment.shipped_at),
        "lines": [
            {"line": line.line_index + 1, "sku": line.sku, "quantity": line.quantity}
            for line in shipment.lines
        ],
    }


def flatten_order(row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """An order row (as :func:`order_row` makes it) as flat rows, one per line, keyed by
    :data:`ORDER_FLAT_FIELDS`. An order without lines still gives one row, with empty line fields.
    """
    head = {name: row[name] for name in ORDER_FIELDS[:6]}
    for prefix in ("bill_to", "ship_to"):
        address = row[prefix] or {}
        head.update({f"{prefix}_{name}": address.get(name, "") for name in ADDRESS_FIELDS})
    tail = {name: row[name] for name in ("subtotal", "shipping", "tax", "total")}
    tail.update({f"payment_{name}": row["payment"].get(name, "") for name in PAYMENT_FIELDS})
    tail["gift_message"] = row["gift_message"]
    if not row["lines"]:
        empty = {f"line_{name}": "" for name in LINE_FIELDS}
        yield head | empty | tail | dict.fromkeys(SHIPPED_FLAT_FIELDS, "")
        return
    for number, line in enumerate(row["lines"], start=1):
        shipped = _shipped_columns(row["shipments"], number)
        yield head | {f"line_{name}": line[name] for name in LINE_FIELDS} | tail | shipped


def _shipped_columns(shipments: list[dict[str, Any]], line_number: int) -> dict[str, Any]:
    """The :data:`SHIPPED_FLAT_FIELDS` of the order's ``line_number``-th line."""
    carried = [
        (shipment, part["quantity"])
        for shipment in shipments
        for part in shipment["lines"]
        if part["line"] == line_number
    ]

    def joined(name: str) -> str:
        return "; ".join(str(shipment[name]) for shipment, _ in carried)

    return {
        "line_shipped_quantity": sum(quantity for _, quantity in carried),
        "line_carrier": joined("carrier"),
        "line_service": joined("service"),
        "line_tracking_number": joined("tracking_number"),
        "line_shipped_at": joined("shipped_at"),
        "line_shipment_quantity": "; ".join(str(quantity) for _, quantity in carried),
    }


def customer_rows(source: ExportSource, page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
    """Every customer, by id, one page at a time."""
    after = 0
    while page := source.customers(after, page_size):
        yield from (customer_row(record) for record in page)
        after = page[-1].id


def product_rows(source: ExportSource, page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
    """Every product, by SKU, one page at a time."""
    after = ""
    while page := source.products(after, page_size):
        yield from (product_row(record) for record in page)
        after = page[-1].sku


def order_rows(source: ExportSource, page_size: int = PAGE_SIZE // 4) -> Iterator[dict[str, Any]]:
    """Every order that is not a draft, by number, with nested lines; one page at a time."""
    after = 0
    while page := source.orders(after, page_size):
        yield from (order_row(record) for record in page)
        after = page[-1].number


def export_rows(
    kind: ExportKind, source: ExportSource, flat: bool
) -> tuple[tuple[str, ...], Iterator[dict[str, Any]]]:
    """The field names and the rows of an export.

    Args:
        kind: what to export.
        source: where to read it.
        flat: one flat row per order line (CSV, xlsx) instead of nested orders (JSON).
    """
    if kind is ExportKind.CUSTOMERS:
        return CUSTOMER_FIELDS, customer_rows(source)
    if kind is ExportKind.PRODUCTS:
        return PRODUCT_FIELDS, product_rows(source)
    if flat:
        return ORDER_FLAT_FIELDS, (flat_row for row in order_rows(source) for flat_row in flatten_order(row))
    return ORDER_FIELDS, order_rows(source)


PICKLIST_FIELDS = (
    "order_number", "released_at", "ship_to_name", "ship_to", "shipping_method", "sku", "name", "quantity",
    "gift_message",
)  # fmt: skip
"""Columns of the warehouse's picklist: one row per order line to pick."""


def picklist_row(line: PickLine) -> dict[str, Any]:
    """One picklist line as an export row."""
    return {
        "order_number": line.order_number,
        "released_at": timestamp_text(line.released_at),
        "ship_to_name": line.ship_to_name,
        "ship_to": line.ship_to,
        "shipping_method": line.shipping_method,
        "sku": line.sku,
        "name": line.name,
        "quantity": line.quantity,
        "gift_message": line.gift_message,
    }
