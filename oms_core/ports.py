"""Ports: what the services need from the outside world, as abstract classes.

``oms_core.storage`` and ``oms_core.payments`` implement them; tests use in-memory fakes.
Standard library only.
"""

from __future__ import annotations

import abc
import contextlib
import enum
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Self

# Named in signatures only (annotations are not evaluated): the services and the storage that
# implement a port import the domain they work with, and a start-up that opens the database loads
# only that part of it.
if TYPE_CHECKING:
    from oms_core.domain.audit import AuditEvent
    from oms_core.domain.batches import Batch, BatchKind, MemberCounts, MemberResult, MemberRow, MemberTarget
    from oms_core.domain.customer_search import CustomerQuery, SearchPosition
    from oms_core.domain.customers import (
        Address,
        AddressBookEntry,
        CardOnFile,
        Customer,
        CustomerType,
        OrderingProfile,
    )
    from oms_core.domain.fulfilment import Shipment
    from oms_core.domain.gateway_calls import CallStatus, GatewayCall
    from oms_core.domain.imports import ImportFileRecord
    from oms_core.domain.mail import MailKind, MailMessage, MailStatus, OutboxEntry
    from oms_core.domain.notes import CallNote
    from oms_core.domain.operators import Operator
    from oms_core.domain.orders import DraftStage, Order
    from oms_core.domain.payments import CardEntry, CardToken
    from oms_core.domain.products import Product
    from oms_core.domain.returns import CreditEntry, Refund, RefundStatus, Return
    from oms_core.domain.shipping import ShippingMethod
    from oms_core.domain.tax import TaxRate
    from oms_core.read_models import (
        CustomerPage,
        CustomerSummary,
        OrderFilter,
        OrderPosition,
        OrderSummary,
        StoryEvent,
        StoryPosition,
        TimePosition,
    )


class CustomerRepository(abc.ABC):
    """Customers, their address books and cards on file."""

    @abc.abstractmethod
    def get(self, customer_id: int, with_addresses: bool = True) -> Customer:
        """Load a whole customer (without its address book when ``with_addresses`` is false: its
        ``addresses`` are then empty). Raises ``NotFound``.
        """

    @abc.abstractmethod
    def get_by_number(self, number: str) -> Customer | None:
        """Load a customer by number (case-insensitive), or ``None``."""

    @abc.abstractmethod
    def get_many(self, customer_ids: Sequence[int]) -> dict[int, Customer]:
        """Load many whole customers at once, keyed by id; missing ids are absent (batch jobs load
        :meth:`ordering_profiles` instead).
        """

    @abc.abstractmethod
    def card_ids(self, customer_id: int) -> frozenset[int]:
        """The ids of the customer's cards on file (checkout refuses a card that was removed)."""

    @abc.abstractmethod
    def get_for_order(self, customer_id: int) -> Customer:
        """The customer with only what a new order takes from the book: ``addresses`` holds the
        default ship-to, the default bill-to and the first address (in id order), ``cards`` the
        first card. So ``default_shipping()``, ``default_billing()`` and ``cards[0]`` answer as
        for the whole customer, and a book of 500 costs what a book of one does. Raises ``NotFound``.
        """

    @abc.abstractmethod
    def address(self, customer_id: int, address_id: int) -> AddressBookEntry | None:
        """One entry of the customer's book by id (``None`` when it is not the customer's)."""

    @abc.abstractmethod
    def first_addresses(self, customer_id: int, limit: int) -> tuple[list[AddressBookEntry], int]:
        """The first ``limit`` entries of the customer's book in id order, and how many it holds."""

    @abc.abstractmethod
    def ordering_profiles(self, customer_ids: Sequence[int]) -> dict[int, OrderingProfile]:
        """What placing an order needs of many customers (batch jobs), keyed by id; missing ids are
        absent. Each equals ``OrderingProfile.of`` the whole customer.
        """

    @abc.abstractmethod
    def add(self, customer: Customer) -> int:
        """Insert a customer with its addresses and cards; return its id and set the ids."""

    @abc.abstractmethod
    def update(self, customer: Customer) -> None:
        """Save the customer's own fields if ``customer.version`` is still current.

        Increments ``customer.version``. Raises ``StaleEdit`` when another edit came first.
        Addresses and cards are saved with their own methods.
        """

    @abc.abstractmethod
    def save_address(self, customer_id: int, entry: AddressBookEntry) -> int:
        """Insert (``entry.id is None``) or update an address; keep at most one default of each
        kind for the customer. Return the address id.
        """

    @abc.abstractmethod
    def delete_address(self, customer_id: int, address_id: int) -> None:
        """Remove an address from the customer's book."""

    @abc.abstractmethod
    def add_card(self, customer_id: int, card: CardOnFile) -> int:
        """Keep a tokenised card on file; return its id."""

    @abc.abstractmethod
    def delete_card(self, customer_id: int, card_id: int) -> None:
        """Remove a card on file."""

    @abc.abstractmethod
    def search_page(
        self, query: CustomerQuery, limit: int, after: SearchPosition | None = None
    ) -> CustomerPage:
        """A page of the customers matching any part of ``query``, ranked by the domain's search
        policy (exact number or email first, then by last name, first name, number): the first
        ``limit``, or the ``limit`` after ``after`` (keyset paging: exact, however names tie).
        """

    def search(self, query: CustomerQuery, limit: int) -> list[CustomerSummary]:
        """The first ``limit`` customers matching any part of ``query``, ranked."""
        return list(self.search_page(query, limit).customers)

    @abc.abstractmethod
    def summaries(self, customer_ids: Sequence[int]) -> dict[int, CustomerSummary]:
        """Summaries of the given customers, keyed by id."""

    @abc.abstractmethod
    def find_duplicates(self, email: str, phone: str, exclude_id: int | None) -> list[CustomerSummary]:
        """Customers with the same email (case-insensitive) or the same E.164 phone."""

    @abc.abstractmethod
    def ids_by_type(self, type_code: str, statuses: Iterable[str]) -> list[int]:
        """Ids of the customers of a type with one of the statuses, by number."""

    @abc.abstractmethod
    def next_number(self) -> str:
        """Allocate the next customer number (``C000124``) inside the transaction."""


class ProductRepository(abc.ABC):
    """The catalogue and its stock."""

    @abc.abstractmethod
    def get(self, product_id: int) -> Product:
        """Load a product. Raises ``NotFound``."""

    @abc.abstractmethod
    def get_by_sku(self, sku: str) -> Product | None:
        """Load a product by SKU, whatever its case."""

    @abc.abstractmethod
    def get_many(self, product_ids: Iterable[int]) -> dict[int, Product]:
        """Products by id."""

    @abc.abstractmethod
    def get_many_by_sku(self, skus: Iterable[str]) -> dict[str, Product]:
        """Products keyed by upper-case SKU; unknown SKUs are absent."""

    @abc.abstractmethod
    def search(self, text: str, limit: int) -> list[Product]:
        """Active and inactive products whose SKU starts with ``text`` or whose name contains it."""

    @abc.abstractmethod
    def add(self, product: Product) -> int:
        """Insert a product; return its id."""

    @abc.abstractmethod
    def update(self, product: Product) -> None:
        """Save a product's fields (not its stock, which only moves through take/restock)."""

    @abc.abstractmethod
    def take_stock(self, product_id: int, quantity: int, allow_backorder: bool) -> bool:
        """Decrement stock with a guarded update; ``False`` when it would go below zero and the
        product may not be backordered.
        """

    def take_stock_many(self, wanted: Sequence[tuple[int, int, bool]]) -> list[int]:
        """:meth:`take_stock` for each (product id, quantity, backorder allowed), in the order
        given (callers give product id order, the lock order); the ids whose stock could not be
        taken (the caller rolls back).
        """
        return [
            product_id
            for product_id, quantity, backorder in wanted
            if not self.take_stock(product_id, quantity, backorder)
        ]

    @abc.abstractmethod
    def restock(self, product_id: int, quantity: int) -> None:
        """Put units back (cancelled order)."""

    def lock_stock(self, skus: Iterable[str]) -> None:
        """Lock these products' stock until the commit, in product id order (the canonical lock
        order), for a transaction that will take their stock in several steps. Not abstract: an
        in-memory fake has nothing to lock.
        """


class OrderRepository(abc.ABC):
    """Orders, drafts included, with their lines and payments."""

    @abc.abstractmethod
    def get(self, order_id: int, lock: bool = True) -> Order:
        """Load a whole order, locking its row in a write unit of work unless ``lock`` is false
        (a read that decides nothing: a change draft's edit reading the order it changes).
        Raises ``NotFound``.
        """

    @abc.abstractmethod
    def get_by_number(self, number: int) -> Order | None:
        """Load a placed order by its number."""

    @abc.abstractmethod
    def add(self, order: Order) -> int:
        """Insert an order with lines and payments; set its id and its lines' ids."""

    @abc.abstractmethod
    def add_many(self, orders: Sequence[Order]) -> None:
        """Insert many orders with their lines and payments in bulk (batch jobs); set the ids."""

    @abc.abstractmethod
    def save(self, order: Order) -> None:
        """Save an order and its lines if ``order.version`` is current; increments it.

        Raises ``StaleEdit`` when another edit came first. New lines get their ids.
        """

    @abc.abstractmethod
    def delete_draft(self, order_id: int, version: int) -> None:
        """Discard a draft. Raises ``StaleEdit`` if it changed."""

    @abc.abstractmethod
    def change_draft_of(self, order_id: int) -> int | None:
        """The open change draft of the placed order ``order_id`` (``domain/changes.py``), if any."""

    @abc.abstractmethod
    def set_stage(self, order_id: int, stage: DraftStage) -> bool:
        """Record where a draft was left (cart or checkout), without changing its version: it is
        not an edit of the order, so it never makes another window's edit stale.

        Returns:
            False when there is no such draft (placed or discarded meanwhile).
        """

    @abc.abstractmethod
    def next_number(self) -> int:
        """Allocate the next order number inside the placing transaction (gap-free)."""

    def next_numbers(self, count: int) -> list[int]:
        """Allocate ``count`` consecutive order numbers at once (batch jobs).

        The default asks ``next_number`` repeatedly; SQL repositories do it in one update.
        """
        return [self.next_number() for _ in range(count)]

    @abc.abstractmethod
    def list(
        self, order_filter: OrderFilter, limit: int, after: OrderPosition | None = None
    ) -> list[OrderSummary]:
        """Orders matching the filter, newest first (unplaced ones first, newest id first), the
        page that starts after ``after``.
        """

    @abc.abstractmethod
    def drafts(
        self,
        operator: str | None = None,
        customer_id: int | None = None,
        limit: int = 50,
        after: TimePosition | None = None,
    ) -> list[OrderSummary]:
        """Open drafts, most recently edited first (then id); those after ``after`` when given
        (keyset paging, never an OFFSET).
        """

    @abc.abstractmethod
    def placed_since(self, customer_id: int, since: datetime) -> list[Order]:
        """The customer's non-cancelled, non-draft orders placed at or after ``since``."""

    @abc.abstractmethod
    def by_batch_keys(self, keys: Iterable[str]) -> dict[str, int]:
        """Order ids of non-draft orders carrying these batch keys (idempotent batch jobs)."""


class ReferenceRepository(abc.ABC):
    """Reference data: customer types, shipping methods, tax rates, operators, settings."""

    @abc.abstractmethod
    def customer_types(self) -> list[CustomerType]:
        """All customer types, with price lists."""

    @abc.abstractmethod
    def customer_type(self, code: str) -> CustomerType | None:
        """One customer type by code."""

    @abc.abstractmethod
    def save_customer_type(self, customer_type: CustomerType) -> int:
        """Insert or update a customer type (by code) and its price list."""

    @abc.abstractmethod
    def shipping_methods(self) -> list[ShippingMethod]:
        """All shipping methods, active first."""

    @abc.abstractmethod
    def save_shipping_method(self, method: ShippingMethod) -> int:
        """Insert or update a shipping method (by code)."""

    @abc.abstractmethod
    def tax_rates(self) -> list[TaxRate]:
        """Every tax rate."""

    @abc.abstractmethod
    def save_tax_rate(self, rate: TaxRate) -> None:
        """Insert or update the rate of a region."""

    @abc.abstractmethod
    def operator(self, username: str) -> Operator | None:
        """An operator by user name."""

    def operators(self) -> list[Operator]:
        """Every operator, by user name; not abstract, so in-memory fakes may leave it out."""
        raise NotImplementedError

    @abc.abstractmethod
    def save_operator(self, operator: Operator) -> None:
        """Insert or update an operator."""

    @abc.abstractmethod
    def setting(self, key: str) -> str | None:
        """A stored office setting, or ``None``."""

    @abc.abstractmethod
    def save_setting(self, key: str, value: str) -> None:
        """Store an office setting."""


class AuditRepository(abc.ABC):
    """The append-only audit trail."""

    @abc.abstractmethod
    def add(self, event: AuditEvent) -> None:
        """Record one event."""

    @abc.abstractmethod
    def add_many(self, events: Sequence[AuditEvent]) -> None:
        """Record many events in one go (batch jobs)."""

    @abc.abstractmethod
    def for_order(self, order_id: int) -> list[AuditEvent]:
        """An order's events, oldest first."""


class ImportFileRepository(abc.ABC):
    """Spreadsheets whose orders were imported, remembered by the sha256 of their bytes."""

    @abc.abstractmethod
    def find(self, content_hash: str) -> list[ImportFileRecord]:
        """Earlier imports of the file with this content hash, oldest first."""

    @abc.abstractmethod
    def add(self, record: ImportFileRecord) -> None:
        """Remember an import (inside the transaction that placed its orders)."""


class BatchRepository(abc.ABC):
    """Batch jobs (bulk orders, club shipments) and their members' statuses."""

    @abc.abstractmethod
    def add(self, batch: Batch) -> int:
        """Insert a batch; set and return its id."""

    @abc.abstractmethod
    def get(self, batch_id: int) -> Batch:
        """Load a batch. In a write unit of work the row is locked until the commit, so two
        runs of one batch take turns. Raises ``NotFound``.
        """

    @abc.abstractmethod
    def update(self, batch: Batch) -> None:
        """Save a batch's name, lines, shipping, ship date and status. Raises ``NotFound``."""

    @abc.abstractmethod
    def list(self, kind: BatchKind, limit: int, after: TimePosition | None = None) -> list[Batch]:
        """Batches of a kind, newest first (created time, then id): the first ``limit``, or those
        after ``after`` (keyset paging, never an OFFSET).
        """

    @abc.abstractmethod
    def counts(self, batch_ids: Sequence[int]) -> dict[int, MemberCounts]:
        """Members per status of each batch (every id is present)."""

    @abc.abstractmethod
    def add_members(self, batch_id: int, customer_ids: Sequence[int], now: datetime) -> int:
        """Add customers as pending members, ignoring those already in; return how many were new."""

    @abc.abstractmethod
    def remove_members(self, batch_id: int, customer_ids: Sequence[int]) -> int:
        """Take members out unless their order was placed; return how many went."""

    @abc.abstractmethod
    def targets(self, batch_id: int, statuses: Iterable[str]) -> list[MemberTarget]:
        """Members in these statuses with their customer's status, pickup wish and type, in the
        order they were added.
        """

    @abc.abstractmethod
    def record(self, batch_id: int, results: Sequence[MemberResult], now: datetime) -> None:
        """Store the members' new statuses, orders and reasons."""

    @abc.abstractmethod
    def members(
        self,
        batch_id: int,
        statuses: Iterable[str] | None = None,
        limit: int = 100,
        after_customer: int | None = None,
    ) -> list[MemberRow]:
        """A page of members with their customer and order, in the order they were added: the page
        after the member ``after_customer`` (the last row's ``customer_id``; keyset paging).
        """

    def refresh_statistics(self, added: int) -> None:
        """Tell the database's planner how many members, orders and gateway calls there now are,
        where its statistics are stale: ``added`` is how many members a run went through since it
        last asked (a run asks as its tables grow, and once more at its end). Where the database
        keeps no statistics to refresh, nothing.
        """

    @abc.abstractmethod
    def find_customers(self, numbers: Iterable[str], emails: Iterable[str]) -> dict[str, int]:
        """Customer ids by exact number (key upper-case) and by email (key lower-case)."""

    def running(self, batch_ids: Iterable[int]) -> set[int]:
        """Of these batches, those a live process is running (it holds
        :meth:`UnitOfWorkFactory.batch_run`). Not abstract: a fake cannot tell, so all of them.
        """
        return set(batch_ids)


class OutboxRepository(abc.ABC):
    """Mail waiting to be sent, written in the same transaction as the event it tells of."""

    @abc.abstractmethod
    def add(self, message: MailMessage, now: datetime) -> int:
        """Queue ``message`` to be sent at once; returns its outbox id."""

    @abc.abstractmethod
    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxEntry]:
        """Mark up to ``limit`` due messages as being sent until ``lease_until`` and return them.

        Due: pending with ``next_attempt_at <= now``, or claimed by a sender whose lease ran out.
        Two senders never claim the same message (row locks skip what another holds). Each claim
        counts as an attempt.
        """

    @abc.abstractmethod
    def mark_sent(self, entry_id: int, now: datetime) -> None:
        """The mail server accepted the message."""

    @abc.abstractmethod
    def mark_failed(self, entry_id: int, error: str, retry_at: datetime | None) -> None:
        """A delivery failed: try again at ``retry_at``, or give up (``None``: status failed)."""

    @abc.abstractmethod
    def for_order(self, order_id: int) -> list[OutboxEntry]:
        """Every message about an order, oldest first."""

    @abc.abstractmethod
    def for_customer(self, customer_id: int, limit: int) -> list[OutboxEntry]:
        """The customer's latest messages, newest first."""

    @abc.abstractmethod
    def counts(self) -> dict[MailStatus, int]:
        """How many messages are in each status."""


class ShipmentRepository(abc.ABC):
    """Releases to the warehouse and the shipments of placed orders."""

    @abc.abstractmethod
    def release(self, order_id: int, at: datetime, by: str) -> None:
        """Record that the order went to the warehouse."""

    @abc.abstractmethod
    def released(
        self, since: datetime | None, until: datetime | None, after: tuple[datetime, int] | None, limit: int
    ) -> list[tuple[datetime, int]]:
        """(released at, order id) of releases in ``[since, until)``, oldest first, a page at a time:
        ``after`` is the last pair of the previous page (keyset paging).
        """

    @abc.abstractmethod
    def add(self, shipment: Shipment) -> int:
        """Store a shipment with its lines; returns its id."""

    @abc.abstractmethod
    def for_order(self, order_id: int) -> list[Shipment]:
        """The order's shipments, oldest first."""

    @abc.abstractmethod
    def set_capture(self, shipment_id: int, capture: str) -> None:
        """Record what happened to the payment for a shipment."""

    @abc.abstractmethod
    def mark_delivered(self, order_id: int, at: datetime) -> int:
        """Stamp the order's undelivered shipments delivered; returns how many."""


class NoteRepository(abc.ABC):
    """Call notes on customers and orders."""

    @abc.abstractmethod
    def add(self, note: CallNote) -> int:
        """Store the note; returns its id."""

    @abc.abstractmethod
    def for_customer(self, customer_id: int, limit: int) -> list[CallNote]:
        """The customer's notes (their orders' included), newest first."""

    @abc.abstractmethod
    def for_order(self, order_id: int, limit: int) -> list[CallNote]:
        """The order's notes, newest first."""


class StoryRepository(abc.ABC):
    """A customer's story: orders, shipments, returns, notes and mail, newest first."""

    @abc.abstractmethod
    def page(self, customer_id: int, limit: int, after: StoryPosition | None = None) -> list[StoryEvent]:
        """The ``limit`` newest events older than ``after`` (keyset paging), newest first."""


class ReturnRepository(abc.ABC):
    """Returns (RMAs) and their refunds; the caller holds the order's row lock while it writes them."""

    @abc.abstractmethod
    def add(self, item: Return) -> int:
        """Store a return with its lines; returns its id."""

    @abc.abstractmethod
    def get(self, return_id: int) -> Return:
        """One return. Raises ``NotFound``."""

    @abc.abstractmethod
    def for_order(self, order_id: int) -> list[Return]:
        """The order's returns, oldest first."""

    @abc.abstractmethod
    def for_customer(self, customer_id: int, limit: int) -> list[Return]:
        """The customer's returns, newest first."""

    @abc.abstractmethod
    def recent(self, since: datetime | None, limit: int, before: TimePosition | None = None) -> list[Return]:
        """Returns recorded at or after ``since`` (all when ``None``), newest first (created time,
        then id); only those before ``before`` when given (keyset paging, never an OFFSET).
        """

    @abc.abstractmethod
    def set_exchange(self, return_id: int, order_id: int) -> None:
        """Tie the exchange's replacement order to the return."""

    @abc.abstractmethod
    def add_refund(self, refund: Refund) -> int:
        """Store a refund; returns its id."""

    @abc.abstractmethod
    def refunds_for_orders(self, order_ids: Sequence[int]) -> list[Refund]:
        """The refunds of these orders, oldest first."""

    @abc.abstractmethod
    def refund_for_call(self, call_key: str) -> Refund | None:
        """The card refund made through the gateway call with this base key, if any."""

    @abc.abstractmethod
    def settle_refund(self, refund_id: int, status: RefundStatus, reference: str, failure: str) -> bool:
        """Record a pending refund's outcome; ``False`` (nothing written) when it is no longer pending."""


class StoreCreditRepository(abc.ABC):
    """Customers' store credit: a balance that never goes below zero, and its movements."""

    @abc.abstractmethod
    def balance(self, customer_id: int) -> Decimal:
        """What the customer may spend (``0.00`` when they never had any)."""

    @abc.abstractmethod
    def give(self, entry: CreditEntry) -> None:
        """Add ``entry.amount`` (positive) to the balance and record the entry."""

    @abc.abstractmethod
    def take(self, customer_id: int, amount: Decimal, at: datetime) -> bool:
        """Spend ``amount`` with a guarded update; ``False`` (nothing written) when the balance does
        not cover it. The caller records the movement (:meth:`record`) once it can name it.
        """

    @abc.abstractmethod
    def record(self, entry: CreditEntry) -> None:
        """Record a movement whose balance change was made by :meth:`take`."""

    @abc.abstractmethod
    def entries(self, customer_id: int, limit: int) -> list[CreditEntry]:
        """The customer's latest movements, newest first."""


class GatewayCallRepository(abc.ABC):
    """Every request to the payment gateway, recorded before it is sent (see ``domain.gateway_calls``)."""

    @abc.abstractmethod
    def add(self, call: GatewayCall) -> int:
        """Record a call; set and return its id. Raises ``StaleEdit`` if its key is taken."""

    @abc.abstractmethod
    def get(self, call_id: int) -> GatewayCall:
        """One call. Raises ``NotFound``."""

    @abc.abstractmethod
    def with_base(self, base_key: str) -> list[GatewayCall]:
        """The calls made for one payment (one base key), oldest first."""

    @abc.abstractmethod
    def settle(self, call: GatewayCall, expected: CallStatus, expected_owner: str) -> bool:
        """Save the call's status, reference, reason, code, owner, holds and ``updated_at`` if it is
        still ``expected`` and owned by ``expected_owner``; ``False`` when another process got there
        first (nothing is written then).
        """

    def with_bases(self, base_keys: Sequence[str]) -> dict[str, list[GatewayCall]]:
        """The calls of many payments at once (batch jobs), keyed by base key; absent when none."""
        found = {base: self.with_base(base) for base in base_keys}
        return {base: calls for base, calls in found.items() if calls}

    def add_many(self, calls: Sequence[GatewayCall]) -> None:
        """Record many new calls at once (batch jobs); set their ids."""
        for call in calls:
            self.add(call)

    def settle_many(self, calls: Sequence[GatewayCall], expected: CallStatus, expected_owner: str) -> int:
        """:meth:`settle` for many calls at once; how many were still as expected (and saved)."""
        return sum(self.settle(call, expected, expected_owner) for call in calls)

    @abc.abstractmethod
    def unsettled(self) -> list[GatewayCall]:
        """Calls pending or unanswered (unknown), oldest first."""

    @abc.abstractmethod
    def for_order(self, order_id: int) -> list[GatewayCall]:
        """An order's payment history: every call made for it, oldest first."""


class UnitOfWork(abc.ABC):
    """One transaction. Leaving the ``with`` block without ``commit()`` rolls back."""

    customers: CustomerRepository
    products: ProductRepository
    orders: OrderRepository
    reference: ReferenceRepository
    audit: AuditRepository
    batches: BatchRepository
    imports: ImportFileRepository
    gateway_calls: GatewayCallRepository
    outbox: OutboxRepository
    shipments: ShipmentRepository
    notes: NoteRepository
    story: StoryRepository
    returns: ReturnRepository
    store_credit: StoreCreditRepository

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self.close()

    @abc.abstractmethod
    def commit(self) -> None:
        """Make the work permanent."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Undo everything not committed (harmless after a commit)."""

    def close(self) -> None:
        """Release the connection (nothing to do for in-memory fakes)."""


class UnitOfWorkFactory(abc.ABC):
    """Makes units of work. ``write=True`` takes the write lock up front where the backend needs
    it (SQLite ``BEGIN IMMEDIATE``), so a read-then-write never fails half-way.
    """

    row_locks: bool = False
    """Writers lock only the rows they change (PostgreSQL), so a write transaction keeps others
    waiting from its first row lock to its commit; false where one write transaction at a time
    holds the whole database from its first statement (SQLite)."""

    @abc.abstractmethod
    def __call__(self, write: bool = False) -> UnitOfWork:
        """A fresh unit of work."""

    def make_way(self, most_seconds: float) -> float:
        """Between a batch run's transactions (none open): where one write transaction at a time
        locks the whole database (SQLite), pause while other writers wait for it, at most
        ``most_seconds``, so that operators' writes get their turn; return the seconds paused.
        Not abstract: where writers do not queue for one lock there is nothing to wait for.
        """
        return 0.0

    def batch_run(self, batch_id: int) -> AbstractContextManager[None]:
        """A lock held while this process runs the batch, dropped when the process dies however it
        dies, so a batch left marked running by a killed process shows as interrupted
        (:meth:`BatchRepository.running`). Not abstract: nothing to hold in memory.
        """
        return contextlib.nullcontext()


class Outcome(enum.StrEnum):
    """How a gateway answered a request that creates or moves money."""

    APPROVED = "approved"
    DECLINED = "declined"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class GatewayAnswer:
    """The gateway's answer to one request (authorise, capture, void, refund, save a card).

    Attributes:
        outcome: approved, declined, or unavailable (no answer came: the outcome is unknown, and
            the same request with the same idempotency key may be repeated to learn it).
        reference: on approval, the gateway's id for what it made (an authorisation, a capture, a
            refund) or, for a saved card, the token to keep on file and charge later.
        reason: for a decline or an unavailable gateway, a sentence for the operator.
        code: the processor's code for a decline (``insufficient_funds``), empty otherwise.
    """

    outcome: Outcome
    reference: str = ""
    reason: str = ""
    code: str = ""

    @property
    def approved(self) -> bool:
        """Whether the gateway did what was asked."""
        return self.outcome is Outcome.APPROVED

    @property
    def unavailable(self) -> bool:
        """Whether no answer came (the outcome is unknown)."""
        return self.outcome is Outcome.UNAVAILABLE

    @classmethod
    def approve(cls, reference: str) -> GatewayAnswer:
        """An approval carrying the gateway's reference."""
        return cls(Outcome.APPROVED, reference=reference)

    @classmethod
    def decline(cls, reason: str, code: str = "") -> GatewayAnswer:
        """A decline with its reason and the processor's code."""
        return cls(Outcome.DECLINED, reason=reason, code=code)

    @classmethod
    def no_answer(cls, reason: str) -> GatewayAnswer:
        """No answer came: the outcome is unknown."""
        return cls(Outcome.UNAVAILABLE, reason=reason)

    def describe(self) -> str:
        """One line for the payment history and the audit trail (no card data is ever in it)."""
        if self.approved:
            return f"approved {self.reference}".rstrip()
        code = f" [{self.code}]" if self.code else ""
        return f"{self.outcome.value}: {self.reason}{code}"


Authorization = GatewayAnswer
"""The answer to an authorisation (the older name, kept for readability at call sites)."""


@dataclass(frozen=True, slots=True)
class GatewayCheck:
    """What ``oms gateway check`` reports.

    Attributes:
        works: whether the harmless call succeeded with the configured key.
        mode: ``test``, ``live``, ``restricted test`` or ``restricted live``, from the key's prefix.
        detail: one line: what was called and what it said (never the key).
    """

    works: bool
    mode: str
    detail: str


class PaymentGateway(abc.ABC):
    """Where card payments go. Card numbers and codes enter here and never leave.

    Every request that creates or moves money carries an idempotency key: the same key sent
    again (after a crash, or after an answer that never came) gets the first answer and never a
    second charge. Every such request answers with a :class:`GatewayAnswer` (approved, declined
    or unavailable); none raises for a decline or a network failure.
    """

    name: str = "gateway"
    authorization_lifetime: timedelta = timedelta(days=7)
    """How long an uncaptured authorisation holds; capture re-authorises an older one."""

    @abc.abstractmethod
    def tokenize(self, card: CardEntry) -> CardToken:
        """Turn a typed card into a token. Raises ``ValidationError`` for a bad number or
        expiry, ``PaymentUnavailable`` when the gateway cannot be reached.
        """

    @abc.abstractmethod
    def authorize(self, token: str, amount: Decimal, idempotency_key: str) -> GatewayAnswer:
        """Hold ``amount`` on a card (a new card's token, or a saved card's token) for a phone
        order. On approval the reference names the authorisation.
        """

    @abc.abstractmethod
    def capture(
        self, reference: str, amount: Decimal | None, idempotency_key: str, final: bool = True
    ) -> GatewayAnswer:
        """Take the money of an authorisation: all of it (``amount`` is ``None``) or part.

        A ``final`` capture closes the authorisation (what is not captured is released). A capture
        that is not final takes ``amount`` and keeps the rest authorised for later captures (one per
        part shipment); a gateway that cannot do that for this card declines it with the code
        :data:`~oms_core.domain.gateway_calls.PART_CAPTURE_UNAVAILABLE`, capturing nothing.
        """

    @abc.abstractmethod
    def void(self, reference: str, idempotency_key: str = "") -> GatewayAnswer:
        """Release an uncaptured authorisation (an order cancelled, or never committed)."""

    @abc.abstractmethod
    def refund(self, reference: str, amount: Decimal | None, idempotency_key: str) -> GatewayAnswer:
        """Give back captured money: all of it (``amount`` is ``None``) or part."""

    @abc.abstractmethod
    def save_card(self, card: CardToken, customer_label: str, idempotency_key: str) -> GatewayAnswer:
        """Keep a tokenised card as a customer payment profile; on approval the reference is the
        token to store on file and to pass to :meth:`charge_saved` (opaque to everyone else).
        """

    @abc.abstractmethod
    def charge_saved(self, saved_token: str, amount: Decimal, idempotency_key: str) -> GatewayAnswer:
        """Authorise ``amount`` on a card kept by :meth:`save_card` (captured later, as any other)."""

    @abc.abstractmethod
    def check(self) -> GatewayCheck:
        """Make one harmless call and say whether the credentials work."""


class MailSender(abc.ABC):
    """Where mail leaves oms (an SMTP server). Called with no transaction open."""

    @abc.abstractmethod
    def send(self, message: MailMessage) -> None:
        """Deliver ``message`` to the mail server.

        Raises:
            MailUnavailable: the server could not be reached or answered "try later" (retry).
            MailRejected: the server refused this message for good (bad address...).
        """


class MailTemplates(abc.ABC):
    """The texts mail is made from, which an office may edit."""

    @abc.abstractmethod
    def template(self, kind: MailKind) -> str:
        """The template of ``kind``: ``Subject: ...``, a blank line, then the body."""


class Clock(abc.ABC):
    """The time, so tests can set it."""

    @abc.abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


# -- exports ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A customer as exported; city, state and ZIP come from the default bill-to address."""

    id: int
    number: str
    first_name: str
    last_name: str
    company: str
    email: str
    phone: str
    type_code: str
    status: str
    city: str
    state: str
    zip: str


@dataclass(frozen=True, slots=True)
class ProductRecord:
    """A product as exported."""

    sku: str
    name: str
    list_price: Decimal
    stock_on_hand: int
    active: bool
    allow_backorder: bool


@dataclass(frozen=True, slots=True)
class OrderLineRecord:
    """An order line as exported: the price charged (override included), its tax and its total."""

    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class ShipmentLineRecord:
    """Some units of one order line in an exported shipment.

    Attributes:
        line_index: the line's place in :attr:`OrderRecord.lines` (0-based), so a SKU that is on
            two lines is still told apart.
    """

    line_index: int
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class ShipmentRecord:
    """A shipment of an exported order."""

    carrier: str
    service: str
    tracking_number: str
    shipped_at: datetime
    lines: tuple[ShipmentLineRecord, ...]


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """A placed (or later) order as exported, with its lines and its shipments (oldest first)."""

    number: int
    status: str
    source: str
    customer_number: str
    operator: str
    placed_at: datetime | None
    bill_to: Address | None
    ship_to: Address | None
    lines: tuple[OrderLineRecord, ...]
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    payment_method: str
    payment_last4: str
    gift_message: str
    shipments: tuple[ShipmentRecord, ...] = ()


class ExportSource(abc.ABC):
    """The read side of exports: pages in key order (keyset pagination), all from one snapshot.

    Use it as a context manager; the snapshot lasts until it is closed, so a long export is
    consistent even while operators keep working.
    """

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the snapshot and the connection (nothing to do for in-memory fakes)."""

    @abc.abstractmethod
    def customers(self, after_id: int, limit: int) -> list[CustomerRecord]:
        """Up to ``limit`` customers with ids above ``after_id``, by id."""

    @abc.abstractmethod
    def products(self, after_sku: str, limit: int) -> list[ProductRecord]:
        """Up to ``limit`` products with SKUs after ``after_sku``, by SKU."""

    @abc.abstractmethod
    def orders(self, after_number: int, limit: int) -> list[OrderRecord]:
        """Up to ``limit`` orders numbered above ``after_number``, by number; never drafts."""
