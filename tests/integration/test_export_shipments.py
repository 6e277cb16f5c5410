"""The orders export carries each order's shipments, and every field it had before keeps its name
and place (tools downstream read them by name and by column)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from oms_core import bootstrap
from oms_core.demo.plan import SeedPlan
from oms_core.domain.fulfilment import ShipRequest
from oms_core.read_models import OrderFilter
from oms_core.services.reports import ORDER_FIELDS, ORDER_FLAT_FIELDS
from oms_tui.cli import main
from tests.fakes import FixedClock

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)

FIELDS_BEFORE_SHIPMENTS = [
    "number", "status", "source", "customer_number", "operator", "placed_at", "bill_to", "ship_to", "lines",
    "subtotal", "shipping", "tax", "total", "payment", "gift_message",
]  # fmt: skip
ADDRESS = ["name", "company", "address1", "address2", "city", "state", "zip", "country", "phone"]
FLAT_FIELDS_BEFORE_SHIPMENTS = [
    "number", "status", "source", "customer_number", "operator", "placed_at",
    *(f"bill_to_{name}" for name in ADDRESS),
    *(f"ship_to_{name}" for name in ADDRESS),
    "line_sku", "line_name", "line_quantity", "line_unit_price", "line_tax", "line_total",
    "subtotal", "shipping", "tax", "total", "payment_method", "payment_last4", "gift_message",
]  # fmt: skip


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_the_existing_field_names_stay_as_they_were_and_in_their_places():
    assert list(ORDER_FIELDS[: len(FIELDS_BEFORE_SHIPMENTS)]) == FIELDS_BEFORE_SHIPMENTS
    assert list(ORDER_FIELDS[len(FIELDS_BEFORE_SHIPMENTS) :]) == ["shipments"]
    assert list(ORDER_FLAT_FIELDS[: len(FLAT_FIELDS_BEFORE_SHIPMENTS)]) == FLAT_FIELDS_BEFORE_SHIPMENTS
    assert list(ORDER_FLAT_FIELDS[len(FLAT_FIELDS_BEFORE_SHIPMENTS) :]) == [
        "line_shipped_quantity", "line_carrier", "line_service", "line_tracking_number", "line_shipped_at",
        "line_shipment_quantity",
    ]  # fmt: skip


def _ship_one_order_twice(url: str) -> tuple[int, str, str]:
    """Release and ship the placed order with the most units: one unit of its first line, then the rest."""
    application = bootstrap.build(bootstrap.Config(url, operator="agarcia"))
    try:
        services = application.services
        placed = services.orders.list(OrderFilter(status="placed"), limit=50)
        # A year of seeded orders: the newest are still placed, a few of them held (not released).
        views = [view for view in (services.orders.get(summary.id) for summary in placed) if not view.hold]
        order = max(views, key=lambda view: (view.lines[0].quantity, len(view.lines)))
        first_sku = order.lines[0].sku
        services.fulfilment.release(order.id)
        services.fulfilment.ship(
            order.id, ShipRequest("UPS", "Ground", "1Z999AA10123456784", ((first_sku, 1),)), NOW
        )
        services.fulfilment.ship(order.id, ShipRequest("FedEx", "", "7489 2010 1111"), NOW)
    finally:
        application.close()
    return order.number or 0, first_sku, order.lines[0].quantity


def test_shipments_are_in_the_orders_export_on_both_backends(database_url):
    bootstrap.seed_database(
        database_url, SeedPlan(customers=60, products=10, orders=400, seed=4), clock=FixedClock(NOW)
    )
    number, first_sku, first_quantity = _ship_one_order_twice(database_url)

    status, out, err = oms("--db", database_url, "export", "orders", "--format", "json")
    assert status == 0, err
    data = {order["number"]: order for order in json.loads(out)}
    shipped = data[number]
    assert list(shipped) == list(ORDER_FIELDS)
    first, second = shipped["shipments"]
    assert {k: first[k] for k in ("carrier", "service", "tracking_number", "shipped_at")} == {
        "carrier": "UPS",
        "service": "Ground",
        "tracking_number": "1Z999AA10123456784",
        "shipped_at": "2026-11-26T15:00:00Z",
    }
    assert first["lines"] == [{"line": 1, "sku": first_sku, "quantity": 1}]
    assert second["carrier"] == "FedEx" and second["service"] == ""
    expected = [
        {"line": n, "sku": line["sku"], "quantity": line["quantity"] - (1 if n == 1 else 0)}
        for n, line in enumerate(shipped["lines"], start=1)
        if line["quantity"] - (1 if n == 1 else 0) > 0
    ]
    assert second["lines"] == expected
    assert all(order["shipments"] == [] for n, order in data.items() if n != number)

    status, out, err = oms("--db", database_url, "export", "orders", "--format", "csv")
    assert status == 0, err
    rows = [row for row in csv.DictReader(io.StringIO(out)) if row["number"] == str(number)]
    assert list(rows[0]) == list(ORDER_FLAT_FIELDS)
    top = rows[0]
    assert top["line_sku"] == first_sku and top["line_shipped_quantity"] == str(first_quantity)
    if first_quantity > 1:
        assert top["line_carrier"] == "UPS; FedEx"
        assert top["line_tracking_number"] == "1Z999AA10123456784; 7489 2010 1111"
        assert top["line_shipment_quantity"] == f"1; {first_quantity - 1}"
    else:
        assert top["line_carrier"] == "UPS" and top["line_shipment_quantity"] == "1"
    assert top["line_shipped_at"].startswith("2026-11-26T15:00:00Z")
    for row in rows[1:]:
        assert row["line_carrier"] == "FedEx" and row["line_shipped_quantity"] == row["line_quantity"]
    others = [row for row in csv.DictReader(io.StringIO(out)) if row["number"] != str(number)]
    assert {row["line_shipped_quantity"] for row in others} == {"0"}
    assert {row["line_carrier"] for row in others} == {""}
