"""Small builders for the storage tests: a customer, a product, a draft with lines."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from oms_core.domain.customers import Address, AddressBookEntry, Customer
from oms_core.domain.orders import Order, OrderLine
from oms_core.domain.products import Product
from oms_core.ports import UnitOfWork

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def address(city: str = "Portland", state: str = "OR", name: str = "Ann Smith") -> Address:
    return Address(
        name=name,
        company="",
        address1="1 Main St",
        address2="Apt 2",
        city=city,
        state=state,
        zip="97201",
        country="US",
        phone="+15035551234",
    )


def customer(
    first: str = "Ann",
    last: str = "Smith",
    *,
    email: str = "",
    phone: str = "",
    alt_phone: str = "",
    company: str = "",
    number: str = "",
    type_code: str = "RETAIL",
    city: str | None = None,
) -> Customer:
    addresses = []
    if city is not None:
        addresses.append(
            AddressBookEntry(
                None, address(city=city), label="Home", is_default_billing=True, is_default_shipping=True
            )
        )
    return Customer(
        id=None,
        number=number,
        first_name=first,
        last_name=last,
        company=company,
        email=email,
        phone=phone,
        alt_phone=alt_phone,
        type_code=type_code,
        addresses=addresses,
    )


def add_customer(uow: UnitOfWork, *args: object, **kwargs: object) -> Customer:
    made = customer(*args, **kwargs)  # type: ignore[arg-type]
    uow.customers.add(made)
    return made


def product(sku: str = "CAB-750", price: str = "24.00", stock: int = 10, **kwargs: object) -> Product:
    return Product(
        id=None,
        sku=sku,
        name=str(kwargs.pop("name", f"Wine {sku}")),
        list_price=Decimal(price),
        stock_on_hand=stock,
        **kwargs,  # type: ignore[arg-type]
    )


def line(item: Product, quantity: int = 1, price: str | None = None) -> OrderLine:
    assert item.id is not None
    return OrderLine(
        id=None,
        product_id=item.id,
        sku=item.sku,
        name=item.name,
        quantity=quantity,
        unit_price=Decimal(price) if price is not None else item.list_price,
        taxable=item.taxable,
        weight_lb=Decimal("2.750"),
        line_tax=Decimal("1.10"),
    )


def draft(customer_id: int | None, *lines: OrderLine, operator: str = "ann", at: datetime = T0) -> Order:
    return Order(
        id=None,
        customer_id=customer_id,
        operator=operator,
        lines=list(lines),
        created_at=at,
        updated_at=at,
    )
