"""In-memory implementations of every port, for fast unit tests of the services.

One ``FakeStore`` plays the database. Each ``FakeUnitOfWork`` works on a deep copy of it taken when
the unit of work is made; ``commit()`` swaps that copy into the store, so a unit of work that ends
without committing leaves no trace. Every object handed out is a copy, as an ORM-detached object
would be: mutating it changes nothing until it is saved and committed.

The semantics follow the docstrings in ``oms_core.ports``; where those are silent, the choice made
here is noted on the method.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from oms_core.domain.audit import AuditEvent
from oms_core.domain.batches import Batch, BatchMember
from oms_core.domain.customer_search import (
    CustomerQuery,
    SearchPosition,
    part_ranks,
    positions_after,
    search_parts,
)
from oms_core.domain.customers import (
    NEW_CUSTOMER_TYPE,
    AddressBookEntry,
    CardOnFile,
    Customer,
    CustomerStatus,
    CustomerType,
    OrderingProfile,
    format_customer_number,
)
from oms_core.domain.errors import InvalidState, NotFound, StaleEdit
from oms_core.domain.fulfilment import Shipment
from oms_core.domain.gateway_calls import GatewayCall
from oms_core.domain.imports import ImportFileRecord
from oms_core.domain.mail import OutboxEntry
from oms_core.domain.notes import CallNote
from oms_core.domain.operators import SUPERUSER, Operator, Role
from oms_core.domain.orders import DraftStage, Order, OrderStatus
from oms_core.domain.payments import PaymentMethod
from oms_core.domain.products import Product, normalize_sku
from oms_core.domain.returns import CreditEntry, Refund, Return
from oms_core.domain.shipping import RateKind, ShippingMethod
from oms_core.domain.tax import TaxRate
from oms_core.ports import (
    AuditRepository,
    Clock,
    CustomerRepository,
    ImportFileRepository,
    OrderRepository,
    ProductRepository,
    ReferenceRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)
from oms_core.read_models import (
    CustomerPage,
    CustomerSummary,
    OrderFilter,
    OrderPosition,
    OrderSummary,
    TimePosition,
)
from oms_core.services.customers import CustomerInput
from oms_core.services.registry import Services
from oms_core.storage.customers import search_keys
from tests.fake_batches import FakeBatchRepository
from tests.fake_gateway_calls import FakeGatewayCallRepository
from tests.fake_notes import FakeNoteRepository
from tests.fake_outbox import FakeOutboxRepository
from tests.fake_returns import FakeReturnRepository, FakeStoreCreditRepository
from tests.fake_shipments import FakeShipmentRepository

FIRST_CUSTOMER_NUMBER = 1
FIRST_ORDER_NUMBER = 1001

# --- reference fixture data (reused by other tests) --------------------------------------------

SKU_CABERNET = "WINE-CAB-2019"
SKU_CHARDONNAY = "WINE-CHARD-2021"
SKU_GIFT_BOX = "GIFT-BOX"
SKU_CORKSCREW = "CORK-SCREW"
SKU_OLD_MAGNUM = "OLD-MAGNUM"

_RETAIL_METHODS = frozenset(
    {PaymentMethod.CARD, PaymentMethod.CARD_ON_FILE, PaymentMethod.CHECK, PaymentMethod.CASH}
)

CUSTOMER_TYPES: tuple[CustomerType, ...] = (
    CustomerType(None, "RETAIL", "Retail", payment_methods=_RETAIL_METHODS),
    CustomerType(
        None,
        "WHOLESALE",
        "Wholesale",
        discount_percent=Decimal("15"),
        payment_methods=_RETAIL_METHODS | {PaymentMethod.ON_ACCOUNT},
    ),
    CustomerType(
        None,
        "WINECLUB",
        "Wine club",
        discount_percent=Decimal("10"),
        payment_methods=frozenset({PaymentMethod.CARD_ON_FILE}),
        is_club=True,
    ),
)

SHIPPING_METHODS: tuple[ShippingMethod, ...] = (
    ShippingMethod(
        None, "GROUND", "Ground", RateKind.FLAT, amount=Decimal("9.95"), free_over=Decimal("100.00")
    ),
    ShippingMethod(
        None, "2DAY", "2-Day", RateKind.PER_ITEM, amount=Decimal("12.00"), per_item=Decimal("2.00")
    ),
    ShippingMethod(
        None,
        "FREIGHT",
        "Freight",
        RateKind.WEIGHT,
        tiers=(
            (Decimal("10"), Decimal("15.00")),
            (Decimal("50"), Decimal("45.00")),
            (Decimal("10000"), Decimal("120.00")),
        ),
    ),
    ShippingMethod(None, "WILLCALL", "Will call", RateKind.PICKUP),
)

TAX_RATES: tuple[TaxRate, ...] = (
    TaxRate("CA", Decimal("0.0725"), taxes_shipping=False),
    TaxRate("NY", Decimal("0.08875"), taxes_shipping=True),
    TaxRate("OR", Decimal("0"), taxes_shipping=False),
)

OPERATORS: tuple[Operator, ...] = (
    Operator("alice", Role.OPERATOR, "Alice Operator"),
    Operator("sam", Role.SUPERVISOR, "Sam Supervisor"),
    Operator("root", Role.ADMIN, "Root Admin"),
)

PRODUCTS: tuple[Product, ...] = (
    Product(
        None,
        SKU_CABERNET,
        "Cabernet 2019",
        Decimal("35.00"),
        taxable=True,
        weight_lb=Decimal("3"),
        stock_on_hand=100,
    ),
    Product(
        None,
        SKU_CHARDONNAY,
        "Chardonnay 2021",
        Decimal("22.50"),
        taxable=True,
        weight_lb=Decimal("3"),
        stock_on_hand=50,
    ),
    Product(
        None,
        SKU_GIFT_BOX,
        "Gift box",
        Decimal("12.00"),
        taxable=True,
        weight_lb=Decimal("1"),
        stock_on_hand=5,
        allow_backorder=False,
    ),
    Product(
        None,
        SKU_CORKSCREW,
        "Corkscrew",
        Decimal("9.99"),
        taxable=True,
        weight_lb=Decimal("0.5"),
        stock_on_hand=0,
        allow_backorder=True,
    ),
    Product(
        None,
        SKU_OLD_MAGNUM,
        "Old magnum",
        Decimal("80.00"),
        taxable=True,
        weight_lb=Decimal("6"),
        stock_on_hand=2,
        active=False,
    ),
)


# --- helpers ------------------------------------------------------------------------------------


def customer_summary(customer: Customer) -> CustomerSummary:
    """The search-row view of a customer; city and state from the default ship-to."""
    assert customer.id is not None
    ship = customer.default_shipping()
    return CustomerSummary(
        id=customer.id,
        number=customer.number,
        first_name=customer.first_name,
        last_name=customer.last_name,
        company=customer.company,
        email=customer.email,
        phone=customer.phone,
        city=ship.address.city if ship else "",
        state=ship.address.state if ship else "",
        type_code=customer.type_code,
        status=str(customer.status),
    )


# --- the store ----------------------------------------------------------------------------------


@dataclass
class FakeStore:
    """The in-memory database: one dict per table plus the counters."""

    customers: dict[int, Customer] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    customer_types: dict[str, CustomerType] = field(default_factory=dict)
    shipping_methods: dict[str, ShippingMethod] = field(default_factory=dict)
    tax_rates: dict[str, TaxRate] = field(default_factory=dict)
    operators: dict[str, Operator] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)
    import_files: list[ImportFileRecord] = field(default_factory=list)
    batches: dict[int, Batch] = field(default_factory=dict)
    batch_members: dict[int, dict[int, BatchMember]] = field(default_factory=dict)
    outbox: dict[int, OutboxEntry] = field(default_factory=dict)
    releases: dict[int, tuple[datetime, str]] = field(default_factory=dict)
    shipments: dict[int, Shipment] = field(default_factory=dict)
    gateway_calls: dict[int, GatewayCall] = field(default_factory=dict)
    call_notes: list[CallNote] = field(default_factory=list)
    returns: dict[int, Return] = field(default_factory=dict)
    refunds: dict[int, Refund] = field(default_factory=dict)
    store_credit: dict[int, Decimal] = field(default_factory=dict)
    credit_entries: list[CreditEntry] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        """The next primary key of ``table`` (from 1)."""
        self.counters[table] = self.counters.get(table, 0) + 1
        return self.counters[table]


class _Repo:
    """Base: every repository reads the unit of work's current working copy."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _db(self) -> FakeStore:
        return self._uow.data


# --- repositories -------------------------------------------------------------------------------


class FakeCustomerRepository(_Repo, CustomerRepository):
    """Customers in memory."""

    def _stored(self, customer_id: int) -> Customer:
        try:
            return self._db.customers[customer_id]
        except KeyError:
            raise NotFound(f"customer {customer_id} does not exist") from None

    def get(self, customer_id: int, with_addresses: bool = True) -> Customer:
        """A copy of the customer (its book left out unless ``with_addresses``). Raises ``NotFound``."""
        customer = copy.deepcopy(self._stored(customer_id))
        if not with_addresses:
            customer.addresses = []
        return customer

    def get_by_number(self, number: str) -> Customer | None:
        """A copy of the customer with this number (any case), or ``None``."""
        wanted = number.strip().upper()
        for customer in self._db.customers.values():
            if customer.number.upper() == wanted:
                return copy.deepcopy(customer)
        return None

    def get_many(self, customer_ids: Sequence[int]) -> dict[int, Customer]:
        """Copies keyed by id; missing ids are absent."""
        return {i: copy.deepcopy(self._db.customers[i]) for i in customer_ids if i in self._db.customers}

    def card_ids(self, customer_id: int) -> frozenset[int]:
        """The ids of the stored customer's cards."""
        customer = self._db.customers.get(customer_id)
        return (
            frozenset(card.id for card in customer.cards if card.id is not None) if customer else frozenset()
        )

    def get_for_order(self, customer_id: int) -> Customer:
        """A copy with only the defaults and the first address, and the first card."""
        customer = copy.deepcopy(self._stored(customer_id))
        keep = {id(entry) for entry in (customer.default_shipping(), customer.default_billing()) if entry}
        if customer.addresses:
            keep.add(id(customer.addresses[0]))
        customer.addresses = [entry for entry in customer.addresses if id(entry) in keep]
        customer.cards = customer.cards[:1]
        return customer

    def address(self, customer_id: int, address_id: int) -> AddressBookEntry | None:
        """A copy of the stored entry, if it is the customer's."""
        customer = self._db.customers.get(customer_id)
        entry = customer.address(address_id) if customer else None
        return copy.deepcopy(entry)

    def first_addresses(self, customer_id: int, limit: int) -> tuple[list[AddressBookEntry], int]:
        """Copies of the first ``limit`` entries (the book is kept in id order) and the count."""
        book = self._stored(customer_id).addresses
        return copy.deepcopy(book[:limit]), len(book)

    def ordering_profiles(self, customer_ids: Sequence[int]) -> dict[int, OrderingProfile]:
        """Profiles of the stored customers, by the domain's definition."""
        return {i: OrderingProfile.of(customer) for i, customer in self.get_many(customer_ids).items()}

    def add(self, customer: Customer) -> int:
        """Insert; sets the ids of the customer, its addresses and its cards. A customer without a
        number gets the next one.
        """
        if not customer.number.strip():
            customer.number = self.next_number()
        customer.number = customer.number.strip().upper()
        customer.id = self._db.next_id("customers")
        for entry in customer.addresses:
            entry.id = self._db.next_id("addresses")
        customer.cards = [dataclasses.replace(card, id=self._db.next_id("cards")) for card in customer.cards]
        self._db.customers[customer.id] = copy.deepcopy(customer)
        return customer.id

    def update(self, customer: Customer) -> None:
        """Save the own fields if the version is current; keeps the stored addresses and cards."""
        if customer.id is None:
            raise NotFound("the customer has not been saved yet")
        stored = self._stored(customer.id)
        if stored.version != customer.version:
            raise StaleEdit(f"customer {stored.number} was changed by someone else; reload and try again")
        customer.version += 1
        saved = copy.deepcopy(customer)
        saved.addresses = stored.addresses
        saved.cards = stored.cards
        self._db.customers[customer.id] = saved

    def save_address(self, customer_id: int, entry: AddressBookEntry) -> int:
        """Insert or update an address; clears the customer's other defaults of the same kind."""
        stored = self._stored(customer_id)
        if entry.id is None:
            entry.id = self._db.next_id("addresses")
            stored.addresses.append(copy.deepcopy(entry))
        else:
            index = next((i for i, a in enumerate(stored.addresses) if a.id == entry.id), None)
            if index is None:
                raise NotFound(f"address {entry.id} is not in this customer's book")
            stored.addresses[index] = copy.deepcopy(entry)
        for other in stored.addresses:
            if other.id != entry.id:
                if entry.is_default_billing:
                    other.is_default_billing = False
                if entry.is_default_shipping:
                    other.is_default_shipping = False
        return entry.id

    def delete_address(self, customer_id: int, address_id: int) -> None:
        """Remove an address. Raises ``NotFound`` when it is not the customer's."""
        stored = self._stored(customer_id)
        if stored.address(address_id) is None:
            raise NotFound(f"address {address_id} is not in this customer's book")
        stored.addresses = [a for a in stored.addresses if a.id != address_id]

    def add_card(self, customer_id: int, card: CardOnFile) -> int:
        """Keep a card; returns its id (``CardOnFile`` is frozen, so the argument keeps ``None``)."""
        stored = self._stored(customer_id)
        saved = dataclasses.replace(card, id=self._db.next_id("cards"))
        stored.cards.append(saved)
        assert saved.id is not None
        return saved.id

    def delete_card(self, customer_id: int, card_id: int) -> None:
        """Remove a card. Raises ``NotFound`` when it is not the customer's."""
        stored = self._stored(customer_id)
        if stored.card(card_id) is None:
            raise NotFound(f"card {card_id} is not on file for this customer")
        stored.cards = [c for c in stored.cards if c.id != card_id]

    def search_page(
        self, query: CustomerQuery, limit: int, after: SearchPosition | None = None
    ) -> CustomerPage:
        """Customers matching any part of the query, ranked by the domain's search policy (as
        storage ranks them), after ``after``; an empty query matches nobody.
        """
        candidates = ((customer_id, search_keys(c)) for customer_id, c in self._db.customers.items())
        found = positions_after(part_ranks(candidates, search_parts(query)), after)
        page = found[: max(limit, 0)]
        customers = tuple(customer_summary(self._db.customers[position.id]) for position in page)
        return CustomerPage(customers, page[-1] if page and len(found) > len(page) else None)

    def summaries(self, customer_ids: Sequence[int]) -> dict[int, CustomerSummary]:
        """Summaries keyed by id; missing ids are absent."""
        return {i: customer_summary(self._db.customers[i]) for i in customer_ids if i in self._db.customers}

    def find_duplicates(self, email: str, phone: str, exclude_id: int | None) -> list[CustomerSummary]:
        """Same email (any case) or same E.164 phone on ``phone`` or ``alt_phone``, by number."""
        email_key = email.strip().lower()
        phone_key = phone.strip()
        found = []
        for customer in self._db.customers.values():
            if customer.id == exclude_id:
                continue
            same_email = bool(email_key) and customer.email.strip().lower() == email_key
            same_phone = bool(phone_key) and phone_key in (customer.phone, customer.alt_phone)
            if same_email or same_phone:
                found.append(customer)
        found.sort(key=lambda c: c.number)
        return [customer_summary(c) for c in found]

    def ids_by_type(self, type_code: str, statuses: Iterable[str]) -> list[int]:
        """Ids of the type's customers with one of the statuses, by number."""
        wanted = {str(s) for s in statuses}
        found = [
            c for c in self._db.customers.values() if c.type_code == type_code and str(c.status) in wanted
        ]
        found.sort(key=lambda c: c.number)
        return [c.id for c in found if c.id is not None]

    def next_number(self) -> str:
        """``C000001``, ``C000002``... gap-free within committed work."""
        sequence = self._db.counters.get("customer_number", FIRST_CUSTOMER_NUMBER - 1) + 1
        self._db.counters["customer_number"] = sequence
        return format_customer_number(sequence)


class FakeProductRepository(_Repo, ProductRepository):
    """The catalogue in memory."""

    def _stored(self, product_id: int) -> Product:
        try:
            return self._db.products[product_id]
        except KeyError:
            raise NotFound(f"product {product_id} does not exist") from None

    def get(self, product_id: int) -> Product:
        """A copy of the product. Raises ``NotFound``."""
        return copy.deepcopy(self._stored(product_id))

    def get_by_sku(self, sku: str) -> Product | None:
        """A copy of the product with this SKU (any case), or ``None``."""
        wanted = normalize_sku(sku)
        for product in self._db.products.values():
            if normalize_sku(product.sku) == wanted:
                return copy.deepcopy(product)
        return None

    def get_many(self, product_ids: Iterable[int]) -> dict[int, Product]:
        """Copies keyed by id; missing ids are absent."""
        return {i: copy.deepcopy(self._db.products[i]) for i in product_ids if i in self._db.products}

    def get_many_by_sku(self, skus: Iterable[str]) -> dict[str, Product]:
        """Copies keyed by upper-case SKU; unknown SKUs are absent."""
        wanted = {normalize_sku(s) for s in skus}
        return {
            normalize_sku(p.sku): copy.deepcopy(p)
            for p in self._db.products.values()
            if normalize_sku(p.sku) in wanted
        }

    def search(self, text: str, limit: int) -> list[Product]:
        """SKU prefix or name substring, any case, active or not, by SKU."""
        needle = text.strip().lower()
        found = [
            p
            for p in self._db.products.values()
            if p.sku.lower().startswith(needle) or needle in p.name.lower()
        ]
        found.sort(key=lambda p: normalize_sku(p.sku))
        return [copy.deepcopy(p) for p in found[:limit]]

    def add(self, product: Product) -> int:
        """Insert; sets ``product.id``."""
        product.id = self._db.next_id("products")
        self._db.products[product.id] = copy.deepcopy(product)
        return product.id

    def update(self, product: Product) -> None:
        """Save the fields but keep the stored stock. Raises ``NotFound``."""
        if product.id is None:
            raise NotFound("the product has not been saved yet")
        stored = self._stored(product.id)
        saved = copy.deepcopy(product)
        saved.stock_on_hand = stored.stock_on_hand
        self._db.products[product.id] = saved

    def take_stock(self, product_id: int, quantity: int, allow_backorder: bool) -> bool:
        """Guarded decrement; ``False`` (and nothing taken) when it would go negative.

        An unknown product also answers ``False``, as an UPDATE matching no row would.
        """
        product = self._db.products.get(product_id)
        if product is None:
            return False
        if not allow_backorder and product.stock_on_hand < quantity:
            return False
        product.stock_on_hand -= quantity
        return True

    def restock(self, product_id: int, quantity: int) -> None:
        """Put units back. Raises ``NotFound``."""
        self._stored(product_id).stock_on_hand += quantity


class FakeOrderRepository(_Repo, OrderRepository):
    """Orders and drafts in memory."""

    def _stored(self, order_id: int) -> Order:
        try:
            return self._db.orders[order_id]
        except KeyError:
            raise NotFound(f"order {order_id} does not exist") from None

    def _summary(self, order: Order) -> OrderSummary:
        assert order.id is not None
        customer = self._db.customers.get(order.customer_id) if order.customer_id else None
        return OrderSummary(
            id=order.id,
            number=order.number,
            status=str(order.status),
            source=str(order.source),
            customer_id=order.customer_id,
            customer_number=customer.number if customer else "",
            customer_name=customer.display_name if customer else "",
            total=order.total,
            placed_at=order.placed_at,
            updated_at=order.updated_at,
            operator=order.operator,
            line_count=len(order.lines),
        )

    def _assign_line_ids(self, order: Order) -> None:
        for line in order.lines:
            if line.id is None:
                line.id = self._db.next_id("order_lines")

    def get(self, order_id: int, lock: bool = True) -> Order:
        """A copy of the order (``lock`` means nothing here). Raises ``NotFound``."""
        return copy.deepcopy(self._stored(order_id))

    def get_by_number(self, number: int) -> Order | None:
        """A copy of the order with this number, or ``None``."""
        for order in self._db.orders.values():
            if order.number is not None and order.number == number:
                return copy.deepcopy(order)
        return None

    def add(self, order: Order) -> int:
        """Insert; sets the ids of the order and its lines."""
        order.id = self._db.next_id("orders")
        self._assign_line_ids(order)
        self._db.orders[order.id] = copy.deepcopy(order)
        return order.id

    def add_many(self, orders: Sequence[Order]) -> None:
        """Insert each order as ``add`` does."""
        for order in orders:
            self.add(order)

    def save(self, order: Order) -> None:
        """Save if the version is current, increment it, give new lines their ids."""
        if order.id is None:
            raise NotFound("the order has not been saved yet")
        stored = self._stored(order.id)
        if stored.version != order.version:
            raise StaleEdit("the order was changed by someone else; reload and try again")
        order.version += 1
        self._assign_line_ids(order)
        self._db.orders[order.id] = copy.deepcopy(order)

    def set_stage(self, order_id: int, stage: DraftStage) -> bool:
        """Record where the draft was left, version unchanged."""
        stored = self._db.orders.get(order_id)
        if stored is None or not stored.is_draft:
            return False
        stored.stage = stage
        return True

    def delete_draft(self, order_id: int, version: int) -> None:
        """Discard a draft; ``StaleEdit`` on a version mismatch, ``InvalidState`` if placed."""
        stored = self._stored(order_id)
        if stored.version != version:
            raise StaleEdit("the draft was changed by someone else; reload and try again")
        if not stored.is_draft:
            raise InvalidState(f"order {stored.number} is {stored.status.value}, not a draft")
        del self._db.orders[order_id]

    def change_draft_of(self, order_id: int) -> int | None:
        """The open change draft of ``order_id``, if any."""
        return next(
            (o.id for o in self._db.orders.values() if o.is_draft and o.changes_order_id == order_id), None
        )

    def next_number(self) -> int:
        """1001, 1002... gap-free within committed work."""
        number = self._db.counters.get("order_number", FIRST_ORDER_NUMBER - 1) + 1
        self._db.counters["order_number"] = number
        return number

    def list(
        self, order_filter: OrderFilter, limit: int, after: OrderPosition | None = None
    ) -> list[OrderSummary]:
        """Matching orders, newest placed first, then highest id; drafts (unplaced) come first.

        ``placed_from`` is inclusive and ``placed_to`` exclusive. Drafts are left out unless
        ``include_drafts`` is set or the status filter asks for drafts. The page starts after
        ``after`` (keyset paging).
        """
        f = order_filter
        found = []
        for order in self._db.orders.values():
            if (
                order.is_draft
                and not f.include_drafts
                and (f.status is None or f.status != OrderStatus.DRAFT)
            ):
                continue
            if f.status is not None and str(order.status) != str(f.status):
                continue
            if f.customer_id is not None and order.customer_id != f.customer_id:
                continue
            if f.number is not None and order.number != f.number:
                continue
            if f.source is not None and str(order.source) != str(f.source):
                continue
            if f.operator is not None and order.operator != f.operator:
                continue
            if f.on_hold and order.hold is None:
                continue
            if f.placed_from is not None and (order.placed_at is None or order.placed_at < f.placed_from):
                continue
            if f.placed_to is not None and (order.placed_at is None or order.placed_at >= f.placed_to):
                continue
            found.append(order)
        found.sort(key=_newest_first_key, reverse=True)
        if after is not None:
            position = (after.placed_at is None, after.placed_at or _EPOCH, after.id)
            found = [o for o in found if _newest_first_key(o) < position]
        return [self._summary(o) for o in found[:limit]]

    def drafts(
        self,
        operator: str | None = None,
        customer_id: int | None = None,
        limit: int = 50,
        after: TimePosition | None = None,
    ) -> list[OrderSummary]:
        """Open drafts, most recently updated first (then highest id); after ``after`` when given."""
        found = [
            o
            for o in self._db.orders.values()
            if o.is_draft
            and (operator is None or o.operator == operator)
            and (customer_id is None or o.customer_id == customer_id)
        ]
        found.sort(key=lambda o: (o.updated_at or _EPOCH, o.id or 0), reverse=True)
        rows = [self._summary(o) for o in found]
        if after is not None:
            rows = [row for row in rows if TimePosition.after_edit(row) < after]
        return rows[:limit]

    def placed_since(self, customer_id: int, since: datetime) -> list[Order]:
        """Copies of the customer's live orders placed at or after ``since``, oldest first."""
        found = [
            o
            for o in self._db.orders.values()
            if o.customer_id == customer_id
            and o.status not in (OrderStatus.DRAFT, OrderStatus.CANCELLED)
            and o.placed_at is not None
            and o.placed_at >= since
        ]
        found.sort(key=lambda o: (o.placed_at or _EPOCH, o.id or 0))
        return [copy.deepcopy(o) for o in found]

    def by_batch_keys(self, keys: Iterable[str]) -> dict[str, int]:
        """``{batch_key: order id}`` of non-draft orders (cancelled ones included)."""
        wanted = set(keys)
        return {
            o.batch_key: o.id
            for o in self._db.orders.values()
            if o.batch_key in wanted and not o.is_draft and o.id is not None
        }


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _newest_first_key(order: Order) -> tuple[bool, datetime, int]:
    """Sort key (used reversed): unplaced orders first, then by placed time, then by id."""
    return (order.placed_at is None, order.placed_at or _EPOCH, order.id or 0)


class FakeReferenceRepository(_Repo, ReferenceRepository):
    """Reference data in memory."""

    def customer_types(self) -> list[CustomerType]:
        """All types, by code."""
        return [copy.deepcopy(t) for _, t in sorted(self._db.customer_types.items())]

    def customer_type(self, code: str) -> CustomerType | None:
        """One type by code (any case)."""
        found = self._db.customer_types.get(code.strip().upper())
        return copy.deepcopy(found)

    def save_customer_type(self, customer_type: CustomerType) -> int:
        """Insert or update by code; returns the id."""
        code = customer_type.code.strip().upper()
        existing = self._db.customer_types.get(code)
        type_id = existing.id if existing else self._db.next_id("customer_types")
        assert type_id is not None
        self._db.customer_types[code] = copy.deepcopy(
            dataclasses.replace(customer_type, id=type_id, code=code)
        )
        return type_id

    def shipping_methods(self) -> list[ShippingMethod]:
        """Active first, then in the order they were added (by id)."""
        methods = sorted(self._db.shipping_methods.values(), key=lambda m: (not m.active, m.id or 0))
        return list(methods)

    def save_shipping_method(self, method: ShippingMethod) -> int:
        """Insert or update by code; returns the id."""
        code = method.code.strip().upper()
        existing = self._db.shipping_methods.get(code)
        method_id = existing.id if existing else self._db.next_id("shipping_methods")
        assert method_id is not None
        self._db.shipping_methods[code] = dataclasses.replace(method, id=method_id, code=code)
        return method_id

    def tax_rates(self) -> list[TaxRate]:
        """Every rate, by region."""
        return [r for _, r in sorted(self._db.tax_rates.items())]

    def save_tax_rate(self, rate: TaxRate) -> None:
        """Insert or update the rate of a region (upper-cased)."""
        region = rate.region.strip().upper()
        self._db.tax_rates[region] = dataclasses.replace(rate, region=region)

    def operator(self, username: str) -> Operator | None:
        """An operator by user name."""
        return self._db.operators.get(username)

    def save_operator(self, operator: Operator) -> None:
        """Insert or update an operator."""
        self._db.operators[operator.username] = operator

    def setting(self, key: str) -> str | None:
        """A setting, or ``None``."""
        return self._db.settings.get(key)

    def save_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        self._db.settings[key] = value


class FakeAuditRepository(_Repo, AuditRepository):
    """The audit trail in memory (events are frozen, so no copies are needed)."""

    def add(self, event: AuditEvent) -> None:
        """Append one event."""
        self._db.audit.append(event)

    def add_many(self, events: Sequence[AuditEvent]) -> None:
        """Append many events."""
        self._db.audit.extend(events)

    def for_order(self, order_id: int) -> list[AuditEvent]:
        """The order's events, oldest first (stable for equal times)."""
        return sorted((e for e in self._db.audit if e.order_id == order_id), key=lambda e: e.at)


class FakeImportFileRepository(_Repo, ImportFileRepository):
    """Imported files in memory (records are frozen, so no copies are needed)."""

    def find(self, content_hash: str) -> list[ImportFileRecord]:
        """Earlier imports with this hash, oldest first."""
        return [r for r in self._db.import_files if r.content_hash == content_hash]

    def add(self, record: ImportFileRecord) -> None:
        """Append the record."""
        self._db.import_files.append(record)


# --- unit of work -------------------------------------------------------------------------------


class FakeUnitOfWork(UnitOfWork):
    """A transaction over a deep copy of the store; ``commit()`` swaps the copy in.

    Attributes:
        committed: how many times ``commit()`` was called.
        rolled_back: how many times ``rollback()`` was called (``__exit__`` always calls it).
        write: whether it was asked for as a write transaction.
    """

    def __init__(self, factory: FakeUnitOfWorkFactory, write: bool = False) -> None:
        self._factory = factory
        self.write = write
        self.committed = 0
        self.rolled_back = 0
        self.closed = False
        self.data = copy.deepcopy(factory.store)
        self.customers = FakeCustomerRepository(self)
        self.products = FakeProductRepository(self)
        self.orders = FakeOrderRepository(self)
        self.reference = FakeReferenceRepository(self)
        self.audit = FakeAuditRepository(self)
        self.imports = FakeImportFileRepository(self)
        self.batches = FakeBatchRepository(self)
        self.outbox = FakeOutboxRepository(self)
        self.shipments = FakeShipmentRepository(self)
        self.notes = FakeNoteRepository(self)
        self.gateway_calls = FakeGatewayCallRepository(self)
        self.returns = FakeReturnRepository(self)
        self.store_credit = FakeStoreCreditRepository(self)

    def commit(self) -> None:
        """Make the working copy the store, then keep working on a fresh copy of it."""
        self._factory.store = self.data
        self.data = copy.deepcopy(self.data)
        self.committed += 1

    def rollback(self) -> None:
        """Throw the working copy away and start again from the store."""
        self.data = copy.deepcopy(self._factory.store)
        self.rolled_back += 1

    def close(self) -> None:
        """Mark the unit of work closed."""
        self.closed = True


class FakeUnitOfWorkFactory(UnitOfWorkFactory):
    """Makes fake units of work over one shared ``FakeStore``.

    Attributes:
        store: the committed state ("the database").
        made: every unit of work made, oldest first, for tests that inspect commits.
    """

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store if store is not None else FakeStore()
        self.made: list[FakeUnitOfWork] = []

    def __call__(self, write: bool = False) -> FakeUnitOfWork:
        """A fresh unit of work on a copy of the store."""
        uow = FakeUnitOfWork(self, write=write)
        self.made.append(uow)
        return uow

    @property
    def commits(self) -> int:
        """Commits made by all units of work so far."""
        return sum(u.committed for u in self.made)


class FixedClock(Clock):
    """A clock that says what the test tells it to."""

    def __init__(self, at: datetime) -> None:
        self._now = _aware_utc(at)

    def now(self) -> datetime:
        """The set time, timezone-aware UTC."""
        return self._now

    def set(self, at: datetime) -> None:
        """Move the clock to ``at`` (must be timezone-aware)."""
        self._now = _aware_utc(at)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock on by ``delta``; returns the new time."""
        self._now += delta
        return self._now


def _aware_utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("FixedClock needs a timezone-aware datetime")
    return at.astimezone(UTC)


# --- seeding ------------------------------------------------------------------------------------


def seed_reference(uow: UnitOfWork) -> dict[str, int]:
    """Load the typical reference data and products into ``uow`` (without committing).

    Returns:
        product ids keyed by SKU.
    """
    for customer_type in CUSTOMER_TYPES:
        uow.reference.save_customer_type(customer_type)
    for method in SHIPPING_METHODS:
        uow.reference.save_shipping_method(method)
    for rate in TAX_RATES:
        uow.reference.save_tax_rate(rate)
    for operator in OPERATORS:
        uow.reference.save_operator(operator)
    ids = {}
    for template in PRODUCTS:
        product = copy.deepcopy(template)
        ids[product.sku] = uow.products.add(product)
    return ids


def opener(services: Services, data: CustomerInput) -> Services:
    """The services to open the customer ``data`` describes with.

    A plain new customer (the default type, taxed, active) is opened by the services' own operator;
    one on other terms needs a supervisor, so it is opened as ``root`` (always an admin, whether or
    not the store lists it), as test set-up, not what a test checks.
    """
    plain = (
        data.type_code.strip().upper() in ("", NEW_CUSTOMER_TYPE)
        and not data.tax_exempt
        and data.status in ("", CustomerStatus.ACTIVE.value)
    )
    return services if plain else Services.build(replace(services.context, operator_username=SUPERUSER))
