"""Customers, their types, addresses and cards on file."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from decimal import Decimal

from oms_core.domain.payments import PaymentMethod

NEW_CUSTOMER_TYPE = "RETAIL"
"""The type a new customer has unless a supervisor opens it on another (:func:`opening_terms`)."""


class CustomerStatus(enum.StrEnum):
    """Whether a customer may order: on hold and closed customers are refused at checkout."""

    ACTIVE = "active"
    ON_HOLD = "on_hold"
    CLOSED = "closed"

    @property
    def may_order(self) -> bool:
        """Only active customers may order; on hold and closed ones are refused."""
        return self is CustomerStatus.ACTIVE

    @property
    def label(self) -> str:
        """``active``, ``on hold``, ``closed``: the status in words."""
        return self.value.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address as typed; copied onto an order when it is placed."""

    name: str = ""
    company: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = "US"
    phone: str = ""

    def one_line(self) -> str:
        """The address on one line, for tables and previews."""
        parts = [
            self.name,
            self.company,
            self.address1,
            self.address2,
            f"{self.city}, {self.state} {self.zip}".strip(" ,"),
        ]
        if self.country and self.country != "US":
            parts.append(self.country)
        return ", ".join(p for p in parts if p)

    def is_blank(self) -> bool:
        """True when no street, city or ZIP has been entered."""
        return not (self.address1 or self.city or self.zip)


@dataclass(slots=True)
class AddressBookEntry:
    """An address kept on a customer's record, with its defaults."""

    id: int | None
    address: Address
    label: str = ""
    is_default_billing: bool = False
    is_default_shipping: bool = False


@dataclass(frozen=True, slots=True)
class CardOnFile:
    """A card kept for a customer: only what may be stored (never the number or the code)."""

    id: int | None
    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    def label(self) -> str:
        """``Visa ending 4242, exp 04/28``."""
        return f"{self.brand} ending {self.last4}, exp {self.exp_month:02d}/{self.exp_year % 100:02d}"


@dataclass(frozen=True, slots=True)
class CustomerType:
    """A kind of customer with its price level, payment methods and club flag.

    Attributes:
        code: short unique code (``RETAIL``, ``WHOLESALE``, ``WINECLUB``).
        discount_percent: percentage off list price when no price-list price applies.
        price_list: SKU (upper-case) to price for this type; wins over the discount.
        payment_methods: the methods this type may use.
        is_club: members of this type receive club shipments.
    """

    id: int | None
    code: str
    name: str
    discount_percent: Decimal = Decimal("0")
    price_list: dict[str, Decimal] = field(default_factory=dict, hash=False, compare=False)
    payment_methods: frozenset[PaymentMethod] = frozenset(
        {PaymentMethod.CARD, PaymentMethod.CARD_ON_FILE, PaymentMethod.CHECK, PaymentMethod.CASH}
    )
    is_club: bool = False

    def allows(self, method: PaymentMethod) -> bool:
        """True when customers of this type may pay with ``method``."""
        return method in self.payment_methods


@dataclass(slots=True)
class Customer:
    """A customer record. ``version`` guards against two operators overwriting each other."""

    id: int | None
    number: str
    first_name: str
    last_name: str
    company: str = ""
    email: str = ""
    phone: str = ""
    alt_phone: str = ""
    type_code: str = NEW_CUSTOMER_TYPE
    tax_exempt: bool = False
    notes: str = ""
    status: CustomerStatus = CustomerStatus.ACTIVE
    addresses: list[AddressBookEntry] = field(default_factory=list)
    cards: list[CardOnFile] = field(default_factory=list)
    preferred_pickup: bool = False
    version: int = 1

    @property
    def display_name(self) -> str:
        """``First Last`` or the company when the person has no name."""
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.company

    def default_shipping(self) -> AddressBookEntry | None:
        """The default ship-to, else the first address, else ``None``."""
        for entry in self.addresses:
            if entry.is_default_shipping:
                return entry
        return self.addresses[0] if self.addresses else None

    def default_billing(self) -> AddressBookEntry | None:
        """The default bill-to, else the default ship-to."""
        for entry in self.addresses:
            if entry.is_default_billing:
                return entry
        return self.default_shipping()

    def address(self, address_id: int) -> AddressBookEntry | None:
        """The address-book entry with ``address_id``, if it is this customer's."""
        return next((a for a in self.addresses if a.id == address_id), None)

    def card(self, card_id: int) -> CardOnFile | None:
        """The card on file with ``card_id``, if it is this customer's."""
        return next((c for c in self.cards if c.id == card_id), None)


@dataclass(frozen=True, slots=True)
class OrderingProfile:
    """What placing an order needs of a customer, without the whole record.

    Batch jobs place thousands of orders at once and load this instead of whole customers.

    Attributes:
        id: the customer's id.
        type_code: the customer type (prices, payment methods).
        status: only active customers are ordered for.
        tax_exempt: no tax is charged.
        ship_to: the default ship-to, else the first address, else ``None``.
        bill_to: the default bill-to, else ``ship_to``.
        card: the first card on file, else ``None``.
    """

    id: int
    type_code: str
    status: CustomerStatus
    tax_exempt: bool
    ship_to: Address | None
    bill_to: Address | None
    card: CardOnFile | None

    @classmethod
    def of(cls, customer: Customer) -> OrderingProfile:
        """The profile of a whole customer (the definition the storage's fast loader must match)."""
        shipping = customer.default_shipping()
        billing = customer.default_billing()
        return cls(
            customer.id or 0,
            customer.type_code,
            customer.status,
            customer.tax_exempt,
            shipping.address if shipping else None,
            billing.address if billing else None,
            customer.cards[0] if customer.cards else None,
        )


def format_customer_number(sequence: int) -> str:
    """Customer numbers are ``C`` and at least six digits: ``C000123``."""
    return f"C{sequence:06d}"


_TYPED_NUMBER_DIGITS = 19
"""Customer numbers have at most this many digits (the column holds 20 characters with the C)."""


def typed_customer_number(typed: str) -> str:
    """A customer number as an operator types it (``C000123``, ``c123``, ``123``) in the form it is
    stored in (``C000123``); anything else trimmed and upper-cased.
    """
    wanted = typed.strip().upper()
    digits = wanted[1:] if wanted.startswith("C") else wanted
    if digits.isascii() and digits.isdigit() and len(digits) <= _TYPED_NUMBER_DIGITS:
        return format_customer_number(int(digits))
    return wanted


def terms_changes(before: Customer, after: Customer) -> list[str]:
    """What changed among the fields that decide what a customer pays: the type (its prices and
    payment terms), the tax exemption and the status. Changing any of them needs a supervisor, and
    the audit trail keeps the old and new values.

    Returns:
        One ``"field old -> new"`` per changed field (``"type RETAIL -> WHOLESALE"``), in form order.
    """
    changes = []
    if before.type_code != after.type_code:
        changes.append(f"type {before.type_code} -> {after.type_code}")
    if before.tax_exempt != after.tax_exempt:
        changes.append(f"tax exempt {_yes_no(before.tax_exempt)} -> {_yes_no(after.tax_exempt)}")
    if before.status != after.status:
        changes.append(
            f"status {CustomerStatus(before.status).label} -> {CustomerStatus(after.status).label}"
        )
    return changes


def opening_terms(customer: Customer) -> list[str]:
    """How the terms a new customer is opened with differ from a plain new customer's (the default
    type, taxed, active): opening a customer on other terms needs a supervisor, as changing an
    existing customer to them does (:func:`terms_changes`).

    Returns:
        One ``"field default -> given"`` per such field (``"type RETAIL -> WHOLESALE"``).
    """
    plain = replace(customer, type_code=NEW_CUSTOMER_TYPE, tax_exempt=False, status=CustomerStatus.ACTIVE)
    return terms_changes(plain, customer)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"
