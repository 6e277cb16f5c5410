"""Finding, creating and editing customers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from oms_core.domain.addresses import address_problems, clean_address
from oms_core.domain.audit import AuditEvent
from oms_core.domain.customer_search import SearchPosition
from oms_core.domain.customers import (
    NEW_CUSTOMER_TYPE,
    Address,
    AddressBookEntry,
    CardOnFile,
    Customer,
    CustomerStatus,
    OrderingProfile,
    opening_terms,
    terms_changes,
    typed_customer_number,
)
from oms_core.domain.errors import NotFound, PaymentDeclined, PaymentUnavailable, ValidationError
from oms_core.domain.money import ZERO
from oms_core.domain.operators import Role
from oms_core.domain.payments import CardEntry
from oms_core.domain.text import clean_field, clean_multiline
from oms_core.ports import UnitOfWork
from oms_core.read_models import (
    AddressView,
    CardView,
    CustomerDetail,
    CustomerPage,
    CustomerSummary,
    OrderFilter,
    OrderSummary,
)
from oms_core.services.contact import normalize_email, normalize_phone
from oms_core.services.context import ServiceContext, current_operator, require_role
from oms_core.services.retry import retry_on_conflict
from oms_core.services.search import parse_customer_query
from oms_core.services.views import address_view, card_view, customer_detail

MAX_NAME = 100
MAX_PAGE = 200

log = logging.getLogger("oms.services")


@dataclass(frozen=True, slots=True)
class CustomerInput:
    """A customer as typed into the form. Every field is raw text; the service validates it."""

    first_name: str = ""
    last_name: str = ""
    company: str = ""
    email: str = ""
    phone: str = ""
    alt_phone: str = ""
    type_code: str = NEW_CUSTOMER_TYPE
    tax_exempt: bool = False
    notes: str = ""
    status: str = "active"
    preferred_pickup: bool = False
    address: Address | None = field(default=None)


@dataclass(frozen=True, slots=True)
class CreateResult:
    """A new customer, or (when not forced) the possible duplicates that stopped its creation.

    Attributes:
        customer: the created customer, or ``None`` when duplicates were found.
        duplicates: customers with the same email or phone.
    """

    customer: CustomerDetail | None
    duplicates: tuple[CustomerSummary, ...] = ()


class CustomerService:
    """Customer search, records and address books."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def search(self, text: str, limit: int = 50) -> list[CustomerSummary]:
        """The first ``limit`` customers matching one search string: last name, first+last,
        company, email, phone digits or customer number; prefix, case-insensitive; exact number
        and email first.
        """
        return list(self.search_page(text, limit).customers)

    def search_page(self, text: str, limit: int = 50, after: SearchPosition | None = None) -> CustomerPage:
        """A page of a customer search (as :meth:`search` ranks it): the first ``limit``, or the
        ``limit`` after ``after`` (the ``next`` of the page before: keyset paging, so no customer
        comes twice or is skipped, however many share a name).
        """
        query = parse_customer_query(text)
        if query is None:
            return CustomerPage((), None)
        with self._ctx.read() as uow:
            return uow.customers.search_page(query, min(max(limit, 1), MAX_PAGE), after)

    def get(self, customer_id: int, book_limit: int | None = None) -> CustomerDetail:
        """The whole record with recent orders and open drafts; with ``book_limit``, only the first
        ``book_limit`` entries of the address book (``address_count`` says how many it holds): what
        a screen that shows a few costs whatever the size of the book. Raises ``NotFound``.
        """
        with self._ctx.read() as uow:
            if book_limit is None:
                return self._detail(uow, uow.customers.get(customer_id))
            return self._detail(uow, uow.customers.get(customer_id, with_addresses=False), book_limit)

    def get_for_checkout(self, customer_id: int) -> CustomerDetail:
        """The record without its address book (``addresses`` is empty): what the checkout shows
        of the customer (type, payment methods, cards, store credit), so a book of 500 costs it
        what a book of one does. :meth:`address_book` reads the book when it is wanted.
        Raises ``NotFound``.
        """
        with self._ctx.read() as uow:
            return self._detail(uow, uow.customers.get(customer_id, with_addresses=False))

    def address_book(self, customer_id: int) -> tuple[AddressView, ...]:
        """The customer's address book, in the order it was written. Raises ``NotFound``."""
        with self._ctx.read() as uow:
            return tuple(address_view(entry) for entry in uow.customers.get(customer_id).addresses)

    def get_by_number(self, number: str) -> CustomerDetail:
        """A record by customer number (``C000123``, ``c123`` or ``123``). Raises ``NotFound``."""
        wanted = typed_customer_number(number)
        with self._ctx.read() as uow:
            customer = uow.customers.get_by_number(wanted)
            if customer is None:
                raise NotFound(f"no customer {number.strip()!r}")
            return self._detail(uow, customer)

    def validate(self, data: CustomerInput) -> list[tuple[str, str]]:
        """Every problem with the input as (field, message); empty when it may be saved."""
        return self._clean(data)[1]

    def possible_duplicates(
        self, email: str, phone: str, exclude_id: int | None = None
    ) -> list[CustomerSummary]:
        """Customers already on file with this email or phone (bad values are ignored)."""
        try:
            email_n = normalize_email(email)
        except ValueError:
            email_n = ""
        try:
            phone_n = normalize_phone(phone, self._ctx.settings.phone_region)
        except ValueError:
            phone_n = ""
        if not (email_n or phone_n):
            return []
        with self._ctx.read() as uow:
            return uow.customers.find_duplicates(email_n, phone_n, exclude_id)

    @retry_on_conflict
    def create(self, data: CustomerInput, allow_duplicate: bool = False) -> CreateResult:
        """Create a customer (and its first address, when given).

        With ``allow_duplicate`` False, a customer with the same email or phone stops the
        creation and is returned instead, so the operator can use the existing record. Opening a
        customer on other terms than a plain new one's (another type, tax exempt, not active)
        needs a supervisor, as changing a customer to them does, and is recorded.

        Raises:
            ValidationError: naming every bad field.
            PermissionDenied: other terms asked for by a plain operator.
        """
        customer, problems = self._clean(data)
        if problems:
            raise ValidationError.from_problems(problems)
        terms = opening_terms(customer)
        with self._ctx.write() as uow:
            if uow.reference.customer_type(customer.type_code) is None:
                raise ValidationError(f"unknown customer type {customer.type_code!r}", field="type_code")
            if terms:
                require_role(
                    current_operator(uow, self._ctx.operator_username),
                    Role.SUPERVISOR,
                    "opening a customer on other terms than retail, taxed and active",
                )
            if not allow_duplicate:
                duplicates = uow.customers.find_duplicates(customer.email, customer.phone, None)
                if duplicates:
                    return CreateResult(customer=None, duplicates=tuple(duplicates))
            customer.number = uow.customers.next_number()
            uow.customers.add(customer)
            now = self._ctx.clock.now()
            operator = self._ctx.operator_username
            uow.audit.add(AuditEvent(None, operator, "customer created", customer.number, now, customer.id))
            self._record_terms(uow, customer, terms, now, "opened")
            detail = self._detail(uow, customer)
            uow.commit()
        return CreateResult(customer=detail)

    def _record_terms(
        self, uow: UnitOfWork, customer: Customer, terms: list[str], now: datetime, verb: str
    ) -> None:
        """Audit (``customer terms changed``) and log the terms a supervisor opened or changed a
        customer on, each as ``field old -> new``; nothing when ``terms`` is empty.
        """
        if not terms:
            return
        detail = f"{customer.number}: {'; '.join(terms)}"
        uow.audit.add(
            AuditEvent(None, self._ctx.operator_username, "customer terms changed", detail, now, customer.id)
        )
        log.info("%s %s customer %s", self._ctx.audit_name, verb, detail)

    @retry_on_conflict
    def update(
        self, customer_id: int, version: int, data: CustomerInput, book_limit: int | None = None
    ) -> CustomerDetail:
        """Save edits to a customer's own fields (not the address book); return the record, with
        only the book's first ``book_limit`` entries when that is given (as :meth:`get`), so a
        book of 500 costs the save what a book of one does.

        Changing the type (prices and payment terms), the tax exemption or the status needs a
        supervisor, and is recorded with the old and new values.

        Raises:
            ValidationError: naming every bad field.
            StaleEdit: when someone saved the record since ``version`` was read.
            PermissionDenied: a change of type, tax exemption or status by a plain operator.
        """
        cleaned, problems = self._clean(replace(data, address=None))
        if problems:
            raise ValidationError.from_problems(problems)
        with self._ctx.write() as uow:
            if uow.reference.customer_type(cleaned.type_code) is None:
                raise ValidationError(f"unknown customer type {cleaned.type_code!r}", field="type_code")
            # The own fields are saved; the book is read only when the whole record is asked for.
            customer = uow.customers.get(customer_id, with_addresses=book_limit is None)
            before = replace(customer)
            for name in (
                "first_name",
                "last_name",
                "company",
                "email",
                "phone",
                "alt_phone",
                "type_code",
                "tax_exempt",
                "notes",
                "status",
                "preferred_pickup",
            ):
                setattr(customer, name, getattr(cleaned, name))
            terms = terms_changes(before, customer)
            if terms:
                require_role(
                    current_operator(uow, self._ctx.operator_username),
                    Role.SUPERVISOR,
                    "changing a customer's type, tax exemption or status",
                )
            customer.version = version
            uow.customers.update(customer)
            now = self._ctx.clock.now()
            uow.audit.add(
                AuditEvent(
                    None, self._ctx.operator_username, "customer updated", customer.number, now, customer.id
                )
            )
            self._record_terms(uow, customer, terms, now, "changed")
            detail = self._detail(uow, customer, book_limit)
            uow.commit()
        return detail

    @retry_on_conflict
    def save_address(
        self,
        customer_id: int,
        address: Address,
        address_id: int | None = None,
        label: str = "",
        default_billing: bool = False,
        default_shipping: bool = False,
    ) -> AddressView:
        """Add (``address_id`` None) or edit an address-book entry.

        Returns the one entry as saved, not the whole record: a book of 500 addresses costs a save
        what a book of one does. A default the entry takes is no longer any other entry's; the
        first address of an empty book becomes both defaults.

        Raises:
            ValidationError: naming every bad field.
            NotFound: the customer, or the edited address, is not there.
        """
        cleaned = clean_address(address)
        problems = address_problems(cleaned)
        if problems:
            raise ValidationError.from_problems(problems)
        with self._ctx.write() as uow:
            # The narrow profile says whether the book is empty without reading the book.
            first = self._profile(uow, customer_id).ship_to is None
            entry = AddressBookEntry(
                address_id, cleaned, clean_field(label), default_billing or first, default_shipping or first
            )
            try:
                saved_id = uow.customers.save_address(customer_id, entry)
            except NotFound:
                raise NotFound("that address is not in this customer's address book") from None
            uow.commit()
        return address_view(replace(entry, id=saved_id))

    @retry_on_conflict
    def delete_address(self, customer_id: int, address_id: int) -> None:
        """Remove an address from the book (past orders keep their copies)."""
        with self._ctx.write() as uow:
            uow.customers.delete_address(customer_id, address_id)
            uow.commit()

    @retry_on_conflict
    def add_card(self, customer_id: int, card: CardEntry) -> CardView:
        """Tokenise a card through the gateway and keep the token on file.

        Returns the one card as kept (brand, last four, expiry), not the whole record.

        Raises:
            ValidationError: for a bad number or expiry.
            PaymentDeclined: the gateway would not keep the card (with its reason).
            PaymentUnavailable: when the gateway cannot be reached.
            NotFound: the customer is not there.
        """
        gateway = self._ctx.gateway
        typed = gateway.tokenize(card)
        # The gateway keeps the card as a customer payment profile (no transaction is open meanwhile);
        # what goes on file is the profile's token, which only that gateway can charge.
        saved = gateway.save_card(typed, f"oms customer {customer_id}", f"card-{customer_id}-{typed.token}")
        if saved.unavailable:
            raise PaymentUnavailable(saved.reason)
        if not saved.approved:
            raise PaymentDeclined(
                f"{typed.brand} ending {typed.last4} cannot be kept on file: {saved.reason}"
            )
        token = replace(typed, token=saved.reference)
        kept = CardOnFile(None, token.token, token.brand, token.last4, token.exp_month, token.exp_year)
        with self._ctx.write() as uow:
            self._profile(uow, customer_id)
            kept = replace(kept, id=uow.customers.add_card(customer_id, kept))
            uow.audit.add(
                AuditEvent(
                    None,
                    self._ctx.operator_username,
                    "card added",
                    f"{token.brand} ending {token.last4}",
                    self._ctx.clock.now(),
                    customer_id,
                )
            )
            uow.commit()
        return card_view(kept)

    @retry_on_conflict
    def delete_card(self, customer_id: int, card_id: int) -> None:
        """Remove a card on file."""
        with self._ctx.write() as uow:
            uow.customers.delete_card(customer_id, card_id)
            uow.commit()

    @staticmethod
    def _profile(uow: UnitOfWork, customer_id: int) -> OrderingProfile:
        """The customer's narrow ordering profile (never the address book or the cards).

        Raises:
            NotFound: no such customer.
        """
        profile = uow.customers.ordering_profiles([customer_id]).get(customer_id)
        if profile is None:
            raise NotFound(f"customer {customer_id} does not exist")
        return profile

    def customer_types(self) -> list[tuple[str, str]]:
        """(code, name) of every customer type, for pickers."""
        with self._ctx.read() as uow:
            return [(t.code, t.name) for t in uow.reference.customer_types()]

    def _detail(self, uow: UnitOfWork, customer: Customer, book_limit: int | None = None) -> CustomerDetail:
        """The record of ``customer``: with ``book_limit``, its book's first entries are read here
        (the customer was loaded without its book).
        """
        recent: list[OrderSummary] = []
        drafts: list[OrderSummary] = []
        credit = ZERO
        count = None
        if customer.id is not None and book_limit is not None:
            customer.addresses, count = uow.customers.first_addresses(customer.id, book_limit)
        if customer.id is not None:
            recent = uow.orders.list(OrderFilter(customer_id=customer.id), limit=10)
            drafts = uow.orders.drafts(customer_id=customer.id)
            credit = uow.store_credit.balance(customer.id)
        customer_type = uow.reference.customer_type(customer.type_code)
        return customer_detail(customer, customer_type, recent, drafts, credit, count)

    def _clean(self, data: CustomerInput) -> tuple[Customer, list[tuple[str, str]]]:
        problems: list[tuple[str, str]] = []
        first = clean_field(data.first_name)
        last = clean_field(data.last_name)
        company = clean_field(data.company)
        if not last and not company:
            problems.append(("last_name", "last name (or a company) is required"))
        for name, value in (("first_name", first), ("last_name", last), ("company", company)):
            if len(value) > MAX_NAME:
                problems.append((name, f"{name.replace('_', ' ')} is longer than {MAX_NAME} characters"))
        email = ""
        try:
            email = normalize_email(clean_field(data.email))
        except ValueError as exc:
            problems.append(("email", str(exc)))
        phones: dict[str, str] = {}
        for name in ("phone", "alt_phone"):
            try:
                phones[name] = normalize_phone(
                    clean_field(getattr(data, name)), self._ctx.settings.phone_region
                )
            except ValueError as exc:
                phones[name] = ""
                problems.append((name, str(exc)))
        try:
            status = CustomerStatus(data.status)
        except ValueError:
            status = CustomerStatus.ACTIVE
            problems.append(("status", f"unknown status {data.status!r}"))
        addresses: list[AddressBookEntry] = []
        if data.address is not None and not data.address.is_blank():
            address = clean_address(data.address)
            if not address.name and not address.company:
                address = replace(address, name=f"{first} {last}".strip(), company=company)
            problems.extend(address_problems(address))
            addresses.append(AddressBookEntry(None, address, "", True, True))
        customer = Customer(
            id=None,
            number="",
            first_name=first,
            last_name=last,
            company=company,
            email=email,
            phone=phones["phone"],
            alt_phone=phones["alt_phone"],
            type_code=clean_field(data.type_code).upper() or NEW_CUSTOMER_TYPE,
            tax_exempt=data.tax_exempt,
            notes=clean_multiline(data.notes),
            status=status,
            preferred_pickup=data.preferred_pickup,
            addresses=addresses,
        )
        return customer, problems
