"""The rules of returns: what may come back, the refund's default and ceiling, the items as typed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from oms_core.domain.errors import InvalidState, ValidationError
from oms_core.domain.fulfilment import Shipment, ShipmentLine
from oms_core.domain.orders import Order, OrderLine, OrderStatus
from oms_core.domain.returns import (
    Disposition,
    Refund,
    RefundMethod,
    RefundRequest,
    RefundStatus,
    Return,
    ReturnItem,
    ReturnReason,
    parse_items,
    plan_return,
    refund_amount,
    returnable,
)

AT = datetime(2026, 11, 26, tzinfo=UTC)


def _order(status: OrderStatus) -> Order:
    order = Order(id=1, status=status, number=1001, customer_id=7, shipping_charge=Decimal("10.00"))
    order.lines = [
        OrderLine(11, 101, "CAB", "Cabernet", 3, Decimal("20.00"), line_tax=Decimal("6.00")),
        OrderLine(12, 102, "MER", "Merlot", 1, Decimal("15.00"), line_tax=Decimal("1.50")),
    ]
    return order


def test_a_shipped_order_without_shipment_rows_shipped_everything():
    # Orders shipped before oms recorded shipments (and the demo's) have no shipment rows.
    assert returnable(_order(OrderStatus.SHIPPED), [], []) == {11: 3, 12: 1}
    assert returnable(_order(OrderStatus.PART_SHIPPED), [], []) == {}


def test_a_part_shipped_order_returns_only_what_shipped_less_what_came_back():
    order = _order(OrderStatus.PART_SHIPPED)
    shipment = Shipment(1, 1, "UPS", "", "", AT, (ShipmentLine(11, "CAB", 2),))
    (line,) = plan_return(order, [shipment], [], [ReturnItem("cab", 1)])
    assert (line.sku, line.quantity, line.disposition) == ("CAB", 1, Disposition.RESTOCK)
    earlier = Return(1, 1, 7, ReturnReason.DAMAGED, "", (line,), AT, "ann")
    assert returnable(order, [shipment], [earlier]) == {11: 1}
    with pytest.raises(ValidationError, match="only 1 of CAB can come back"):
        plan_return(order, [shipment], [earlier], [ReturnItem("CAB", 2)])
    with pytest.raises(ValidationError, match="MER"):
        plan_return(order, [shipment], [earlier], [ReturnItem("MER", 1)])


def test_nothing_comes_back_from_an_order_that_has_not_shipped():
    with pytest.raises(InvalidState, match="only shipped goods"):
        plan_return(_order(OrderStatus.RELEASED), [], [], [ReturnItem("CAB", 1)])


def test_the_refund_defaults_to_price_and_tax_and_may_only_be_lowered():
    order = _order(OrderStatus.SHIPPED)
    lines = plan_return(order, [], [], [ReturnItem("CAB", 1)])
    card = RefundRequest(RefundMethod.CARD)
    assert refund_amount(order, lines, card, []) == Decimal("22.00")  # 20.00 + a third of 6.00
    shipping = RefundRequest(RefundMethod.CARD, include_shipping=True)
    assert refund_amount(order, lines, shipping, []) == Decimal("32.00")
    assert refund_amount(order, lines, RefundRequest(RefundMethod.CARD, Decimal("5")), []) == Decimal("5.00")
    with pytest.raises(ValidationError, match="at most 22.00"):
        refund_amount(order, lines, RefundRequest(RefundMethod.CARD, Decimal("22.01")), [])
    with pytest.raises(ValidationError, match="more than 0.00"):
        refund_amount(order, lines, RefundRequest(RefundMethod.CARD, Decimal("0")), [])
    paid = Refund(1, 1, 1, 7, RefundMethod.CHECK, Decimal("20.00"), RefundStatus.REFUNDED)
    failed = Refund(2, 1, 1, 7, RefundMethod.CARD, Decimal("22.00"), RefundStatus.FAILED)
    # What is left on this return: 2.00 (a failed refund gave nothing back).
    assert refund_amount(order, lines, card, [paid, failed], [paid, failed]) == Decimal("2.00")


def test_items_are_read_as_sku_quantity_and_r_or_w():
    assert parse_items("CAB 2, MER 1 w; GIFT") == [
        ReturnItem("CAB", 2, Disposition.RESTOCK),
        ReturnItem("MER", 1, Disposition.WRITE_OFF),
        ReturnItem("GIFT", 1, Disposition.RESTOCK),
    ]
    for text, problem in (
        ("CAB two", "not a quantity"),
        ("CAB 1 x", r"r \(restock\) or w"),
        (" , ", "at least one"),
    ):
        with pytest.raises(ValidationError, match=problem):
            parse_items(text)
