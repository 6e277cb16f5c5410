"""Turning domain objects into read models."""

from __future__ import annotations

from decimal import Decimal

from oms_core.domain.audit import AuditEvent
from oms_core.domain.customers import AddressBookEntry, CardOnFile, Customer, CustomerType
from oms_core.domain.fulfilment import Shipment, can_hold
from oms_core.domain.gateway_calls import CallStatus, GatewayCall
from oms_core.domain.orders import Order, OrderLine
from oms_core.domain.payments import Payment, PaymentMethod
from oms_core.domain.products import Product
from oms_core.domain.returns import Refund, Return, returnable
from oms_core.ports import UnitOfWork
from oms_core.read_models import (
    AddressView,
    AuditView,
    CardView,
    CartView,
    CustomerDetail,
    CustomerSummary,
    GatewayCallView,
    LineView,
    OrderSummary,
    OrderView,
    PaymentView,
    ProductSummary,
    RefundView,
    ReturnView,
    ShipmentView,
)


def customer_summary(customer: Customer) -> CustomerSummary:
    """The search-row view of a whole customer."""
    ship = customer.default_shipping()
    return CustomerSummary(
        id=customer.id or 0,
        number=customer.number,
        first_name=customer.first_name,
        last_name=customer.last_name,
        company=customer.company,
        email=customer.email,
        phone=customer.phone,
        city=ship.address.city if ship else "",
        state=ship.address.state if ship else "",
        type_code=customer.type_code,
        status=customer.status.value,
    )


def customer_detail(
    customer: Customer,
    customer_type: CustomerType | None,
    recent: list[OrderSummary],
    drafts: list[OrderSummary],
    store_credit: Decimal = Decimal("0.00"),
    address_count: int | None = None,
) -> CustomerDetail:
    """The Customer screen's view; ``address_count`` when ``customer.addresses`` is only the first
    entries of its book.
    """
    methods = sorted(m.value for m in customer_type.payment_methods) if customer_type else []
    return CustomerDetail(
        id=customer.id or 0,
        number=customer.number,
        first_name=customer.first_name,
        last_name=customer.last_name,
        company=customer.company,
        email=customer.email,
        phone=customer.phone,
        alt_phone=customer.alt_phone,
        type_code=customer.type_code,
        type_name=customer_type.name if customer_type else customer.type_code,
        is_club=bool(customer_type and customer_type.is_club),
        tax_exempt=customer.tax_exempt,
        notes=customer.notes,
        status=customer.status.value,
        preferred_pickup=customer.preferred_pickup,
        version=customer.version,
        payment_methods=tuple(methods),
        addresses=tuple(address_view(entry) for entry in customer.addresses),
        cards=tuple(card_view(card) for card in customer.cards),
        recent_orders=tuple(recent),
        open_drafts=tuple(drafts),
        store_credit=store_credit,
        address_count=len(customer.addresses) if address_count is None else address_count,
    )


def address_view(entry: AddressBookEntry) -> AddressView:
    """An address-book entry as screens show it."""
    return AddressView(
        entry.id or 0, entry.label, entry.address, entry.is_default_billing, entry.is_default_shipping
    )


def card_view(card: CardOnFile) -> CardView:
    """A card on file as it may be shown (never its token)."""
    return CardView(card.id or 0, card.brand, card.last4, card.exp_month, card.exp_year)


def product_summary(product: Product, price: Decimal) -> ProductSummary:
    """A catalogue row priced for the customer at hand."""
    return ProductSummary(
        id=product.id or 0,
        sku=product.sku,
        name=product.name,
        price=price,
        list_price=product.list_price,
        stock_on_hand=product.stock_on_hand,
        allow_backorder=product.allow_backorder,
        active=product.active,
        taxable=product.taxable,
    )


def line_view(line: OrderLine, product: Product | None = None) -> LineView:
    """One line, with live stock when the product is given (carts), without (placed orders)."""
    return LineView(
        id=line.id or 0,
        sku=line.sku,
        name=line.name,
        quantity=line.quantity,
        unit_price=line.unit_price,
        price_override=line.price_override,
        override_reason=line.override_reason,
        effective_price=line.effective_price,
        line_total=line.line_total,
        line_tax=line.line_tax,
        stock_on_hand=product.stock_on_hand if product else None,
        allow_backorder=product.allow_backorder if product else False,
    )


def payment_view(payment: Payment) -> PaymentView:
    """A payment, masked: brand and last four only."""
    if payment.method in (PaymentMethod.CARD, PaymentMethod.CARD_ON_FILE):
        label = f"{payment.brand} ending {payment.last4}"
    elif payment.method is PaymentMethod.CHECK:
        label = f"Check #{payment.check_number}" if payment.check_number else "Check"
    else:
        label = payment.method.label
    return PaymentView(payment.method.value, label, payment.amount, payment.status.value, payment.reference)


def cart_view(
    order: Order,
    customer: CustomerSummary | None,
    products: dict[int, Product],
    warnings: tuple[str, ...] = (),
    changes: Order | None = None,
) -> CartView:
    """A draft with its live quote and stock per line (``changes``: the placed order a change
    draft changes, whose number and total the view carries).
    """
    choice = order.payment_choice
    unavailable = confirmation_unavailable(customer)
    return CartView(
        id=order.id or 0,
        version=order.version,
        source=order.source.value,
        customer=customer,
        lines=tuple(line_view(line, products.get(line.product_id)) for line in order.lines),
        subtotal=order.subtotal,
        shipping=order.shipping_charge,
        tax=order.tax,
        total=order.total,
        units=order.units,
        bill_to=order.bill_to,
        ship_to=order.ship_to,
        ship_to_address_id=order.ship_to_address_id,
        shipping_method=order.shipping_method,
        payment_method=choice.method.value if choice else None,
        payment_label=choice.label() if choice else "",
        card_id=choice.card_id if choice else None,
        gift_message=order.gift_message,
        notes=order.notes,
        operator=order.operator,
        updated_at=order.updated_at,
        warnings=warnings,
        changes_number=changes.number if changes is not None else None,
        was_total=changes.total if changes is not None else None,
        stage=order.stage.value,
        send_confirmation=order.send_confirmation and not unavailable,
        confirmation_unavailable=unavailable,
    )


def confirmation_unavailable(customer: CustomerSummary | None) -> str:
    """Why an order confirmation cannot be mailed to ``customer`` (``""`` when it can)."""
    if customer is None:
        return "no customer yet"
    if not customer.email:
        return "no email address on file"
    return ""


def order_view(
    order: Order,
    customer: CustomerSummary | None,
    audit: list[AuditEvent],
    shipments: list[Shipment] | None = None,
    returns: list[Return] | None = None,
    refunds: list[Refund] | None = None,
    history: list[GatewayCall] | None = None,
) -> OrderView:
    """A placed order as the Order screen shows it."""
    shipments, returns = shipments or [], returns or []
    return OrderView(
        id=order.id or 0,
        number=order.number,
        status=order.status.value,
        source=order.source.value,
        customer=customer,
        operator=order.operator,
        placed_at=order.placed_at,
        bill_to=order.bill_to,
        ship_to=order.ship_to,
        shipping_method=order.shipping_method,
        lines=tuple(line_view(line) for line in order.lines),
        subtotal=order.subtotal,
        shipping=order.shipping_charge,
        tax=order.tax,
        total=order.total,
        payments=tuple(payment_view(p) for p in order.payments),
        gift_message=order.gift_message,
        notes=order.notes,
        audit=tuple(AuditView(e.at, e.operator, e.action, e.detail) for e in audit),
        shipments=tuple(shipment_view(shipment) for shipment in shipments),
        payment_history=tuple(gateway_call_view(call) for call in history or ()),
        hold=order.hold.describe() if order.hold else "",
        can_hold=can_hold(order),
        returns=tuple(return_view(item, order.number, refunds or []) for item in returns),
        can_return=bool(returnable(order, shipments, returns)),
    )


def stored_order_view(uow: UnitOfWork, order: Order) -> OrderView:
    """The Order screen's view of ``order``: its customer, audit trail, shipments and payment history
    read from ``uow``.
    """
    customer = (
        uow.customers.summaries([order.customer_id]).get(order.customer_id) if order.customer_id else None
    )
    return order_view(
        order,
        customer,
        uow.audit.for_order(order.id or 0),
        uow.shipments.for_order(order.id or 0),
        uow.returns.for_order(order.id or 0),
        uow.returns.refunds_for_orders([order.id or 0]),
        uow.gateway_calls.for_order(order.id or 0),
    )


def return_view(item: Return, order_number: int | None, refunds: list[Refund]) -> ReturnView:
    """A return with its refunds (picked from ``refunds`` by return id)."""
    return ReturnView(
        id=item.id or 0,
        rma=item.rma,
        order_id=item.order_id,
        order_number=order_number,
        customer_id=item.customer_id,
        created_at=item.created_at,
        created_by=item.created_by,
        reason=item.reason.label,
        note=item.note,
        lines=tuple((line.sku, line.quantity, line.disposition.label) for line in item.lines),
        refunds=tuple(refund_view(refund) for refund in refunds if refund.return_id == item.id),
        exchange_order_id=item.exchange_order_id,
    )


def refund_view(refund: Refund) -> RefundView:
    """A refund in one line."""
    return RefundView(
        id=refund.id or 0,
        return_id=refund.return_id,
        order_id=refund.order_id,
        method=refund.method.label,
        amount=refund.amount,
        status=refund.status.value,
        detail=refund.describe(),
        created_at=refund.created_at,
        created_by=refund.created_by,
    )


_OUTCOMES = {CallStatus.UNKNOWN: "no answer", CallStatus.NOT_SENT: "not sent"}


def gateway_call_view(call: GatewayCall) -> GatewayCallView:
    """A gateway call for the payment history: the card as brand and last four only."""
    reason = call.reason if call.status in (CallStatus.DECLINED, CallStatus.UNKNOWN) else ""
    if reason and call.code:
        reason = f"{reason} [{call.code}]"
    return GatewayCallView(
        at=call.created_at,
        action=call.action.value,
        amount=call.amount,
        outcome=_OUTCOMES.get(call.status, call.status.value),
        reason=reason,
        card=f"{call.brand} ending {call.last4}".strip() if call.last4 else "",
        operator=call.operator,
    )


def shipment_view(shipment: Shipment) -> ShipmentView:
    """A shipment with its lines as (SKU, quantity)."""
    return ShipmentView(
        id=shipment.id or 0,
        carrier=shipment.carrier,
        service=shipment.service,
        tracking_number=shipment.tracking_number,
        shipped_at=shipment.shipped_at,
        delivered_at=shipment.delivered_at,
        lines=tuple((line.sku, line.quantity) for line in shipment.lines),
        capture=shipment.capture,
        recorded_by=shipment.recorded_by,
    )
