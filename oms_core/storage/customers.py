"""Customers, their address books and cards on file: rows <-> domain objects, and customer search."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    Table,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    union_all,
    update,
)

from oms_core.domain.customer_search import (
    SORT_KEYS,
    CustomerQuery,
    Match,
    SearchKey,
    SearchPart,
    SearchPosition,
    home_address,
    part_ranks,
    phone_tail,
    place_key,
    positions_after,
    postal_key,
    search_parts,
)
from oms_core.domain.customers import (
    Address,
    AddressBookEntry,
    CardOnFile,
    Customer,
    CustomerStatus,
    OrderingProfile,
    format_customer_number,
)
from oms_core.domain.errors import NotFound, StaleEdit
from oms_core.ports import CustomerRepository
from oms_core.read_models import CustomerPage, CustomerSummary
from oms_core.storage._common import Repository, chunks, unique
from oms_core.storage.keys import next_prefix, phone_key, text_key
from oms_core.storage.tables import (
    CUSTOMER_COUNTER,
    IS_A_DEFAULT_ADDRESS,
    addresses,
    cards,
    counters,
    customers,
)

c = customers.c

_SUMMARY_COLUMNS = (
    c.id,
    c.number,
    c.first_name,
    c.last_name,
    c.company,
    c.email,
    c.phone,
    c.type_code,
    c.status,
    c.last_key,
    c.first_key,
    c.email_key,
    c.company_key,
    c.phone_key,
    c.alt_phone_key,
)
_NAME_ORDER = (c.last_key, c.first_key, c.number)


def home_keys(city: str, state: str, postal_code: str) -> dict[str, str]:
    """The home-address search-key columns (ZIP, city and state) for the customer living there."""
    return {"postal_key": postal_key(postal_code), "place_key": place_key(city, state)}


_NO_HOME = {"postal_key": "", "place_key": ""}


def customer_key_values(values: dict[str, Any], home: tuple[str, str, str] | None = None) -> dict[str, str]:
    """Every search-key column, in the table's order, for a customer loaded as rows.

    Args:
        values: the customer's names, email and phones by column name.
        home: (city, state, ZIP) of the home address (the default ship-to, else the first), if any.
    """
    return _own_key_values(values) | (home_keys(*home) if home is not None else _NO_HOME)


def _own_key_values(values: dict[str, Any]) -> dict[str, str]:
    """The search-key columns of a customer's own fields (names, email, phones): what saving the
    customer writes; the home address's keys follow the address book (``_keep_home_keys``).
    """
    return {
        "last_key": text_key(values.get("last_name", "")),
        "first_key": text_key(values.get("first_name", "")),
        "company_key": text_key(values.get("company", "")),
        "email_key": text_key(values.get("email", "")),
        "phone_key": phone_key(values.get("phone", "")),
        "alt_phone_key": phone_key(values.get("alt_phone", "")),
        "phone_tail": phone_tail(phone_key(values.get("phone", ""))),
    }


def search_keys(customer: Customer) -> dict[SearchKey, str]:
    """The customer's search keys as storage stores them (the test fakes rank by these too)."""
    values = _customer_values(customer)
    home = home_address(
        (entry.is_default_shipping, entry.id or 0, entry.address) for entry in customer.addresses
    )
    values.update(home_keys(home.city, home.state, home.zip) if home is not None else _NO_HOME)
    return {key: values[key.value] for key in SearchKey if key is not SearchKey.ID}


def _customer_values(customer: Customer) -> dict[str, Any]:
    values: dict[str, Any] = {
        "number": customer.number.strip().upper(),
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company": customer.company,
        "email": customer.email,
        "phone": customer.phone,
        "alt_phone": customer.alt_phone,
        "type_code": customer.type_code,
        "tax_exempt": customer.tax_exempt,
        "notes": customer.notes,
        "status": str(customer.status),
        "preferred_pickup": customer.preferred_pickup,
    }
    values.update(_own_key_values(values))
    return values


def _address_values(customer_id: int, entry: AddressBookEntry) -> dict[str, Any]:
    a = entry.address
    return {
        "customer_id": customer_id,
        "label": entry.label,
        "name": a.name,
        "company": a.company,
        "address1": a.address1,
        "address2": a.address2,
        "city": a.city,
        "state": a.state,
        "zip": a.zip,
        "country": a.country,
        "phone": a.phone,
        "is_default_billing": entry.is_default_billing,
        "is_default_shipping": entry.is_default_shipping,
    }


def _card_values(customer_id: int, card: CardOnFile) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "token": card.token,
        "brand": card.brand,
        "last4": card.last4,
        "exp_month": card.exp_month,
        "exp_year": card.exp_year,
    }


def _address(row: Row[Any]) -> Address:
    return Address(
        name=row.name,
        company=row.company,
        address1=row.address1,
        address2=row.address2,
        city=row.city,
        state=row.state,
        zip=row.zip,
        country=row.country,
        phone=row.phone,
    )


def _address_entry(row: Row[Any]) -> AddressBookEntry:
    return AddressBookEntry(
        id=row.id,
        address=_address(row),
        label=row.label,
        is_default_billing=row.is_default_billing,
        is_default_shipping=row.is_default_shipping,
    )


def _card(row: Row[Any]) -> CardOnFile:
    return CardOnFile(
        id=row.id,
        token=row.token,
        brand=row.brand,
        last4=row.last4,
        exp_month=row.exp_month,
        exp_year=row.exp_year,
    )


def _customer(row: Row[Any]) -> Customer:
    return Customer(
        id=row.id,
        number=row.number,
        first_name=row.first_name,
        last_name=row.last_name,
        company=row.company,
        email=row.email,
        phone=row.phone,
        alt_phone=row.alt_phone,
        type_code=row.type_code,
        tax_exempt=row.tax_exempt,
        notes=row.notes,
        status=CustomerStatus(row.status),
        preferred_pickup=row.preferred_pickup,
        version=row.version,
    )


def _homes(rows: Iterable[Row[Any]]) -> dict[int, Row[Any]]:
    """Each customer's home address (the domain's :func:`home_address`) among address ``rows``."""
    by_customer: dict[int, list[Row[Any]]] = {}
    for row in rows:
        by_customer.setdefault(row.customer_id, []).append(row)
    homes = {
        customer_id: home_address((row.is_default_shipping, row.id, row) for row in found)
        for customer_id, found in by_customer.items()
    }
    return {customer_id: row for customer_id, row in homes.items() if row is not None}


Among = Callable[[ColumnElement[Any]], ColumnElement[bool]]
"""Given a ``customer_id`` column, the condition that picks the customers asked for."""


def _first_ids(table: Table, customer_ids: Sequence[int], among: Among) -> Select[Any]:
    """The first (lowest) id of each of ``customer_ids``' rows in ``table`` (addresses or cards);
    ``among`` picks those customers.
    """
    if len(customer_ids) == 1:
        # One customer (a cart, a checkout): the least id is one probe of the (customer, id) index,
        # where a GROUP BY reads every entry of the customer's.
        return select(func.min(table.c.id)).where(table.c.customer_id == customer_ids[0])
    return select(func.min(table.c.id)).where(among(table.c.customer_id)).group_by(table.c.customer_id)


def _defaults_and_firsts(columns: Sequence[Any], customer_ids: Sequence[int], among: Among) -> Select[Any]:
    """Only the addresses a profile, a summary or a new order can use: each customer's defaults
    (``ix_addresses_defaults``, which holds no other entry) and first address (one probe of
    ``ix_addresses_customer_first``), so a customer with 500 addresses costs what one with one does.

    Two arms, because one condition ORing them would read every entry of the customer's. An entry
    that is both a default and the first comes twice: :func:`_once_by_id` keeps one.
    """
    defaults = select(*columns).where(among(addresses.c.customer_id), IS_A_DEFAULT_ADDRESS)
    firsts = select(*columns).where(addresses.c.id.in_(_first_ids(addresses, customer_ids, among)))
    return union_all(defaults, firsts)


def _once_by_id(rows: Iterable[Row[Any]]) -> list[Row[Any]]:
    """``rows`` (whose first column is the address id) in id order, each address once."""
    by_id = {row[0]: row for row in rows}
    return [by_id[key] for key in sorted(by_id)]


# Address and CardOnFile fields in their declaration order (their columns have the same names), to
# build them positionally from a row's tail.
_ADDRESS_PARTS = tuple(part.name for part in dataclasses.fields(Address))
_CARD_PARTS = tuple(part.name for part in dataclasses.fields(CardOnFile))


class SqlCustomerRepository(Repository, CustomerRepository):
    """Customers on SQLAlchemy Core. Search runs one indexed query per part of the query."""

    # -- loading -------------------------------------------------------------------------------

    def get(self, customer_id: int, with_addresses: bool = True) -> Customer:
        """Load a whole customer (without its address book when ``with_addresses`` is false: its
        ``addresses`` are then empty). Raises ``NotFound``.
        """
        found = self._load([customer_id], with_addresses)
        if customer_id not in found:
            raise NotFound(f"customer {customer_id} does not exist")
        return found[customer_id]

    def get_by_number(self, number: str) -> Customer | None:
        """Load a customer by number (case-insensitive), or ``None``."""
        customer_id = self._conn.scalar(select(c.id).where(c.number == number.strip().upper()))
        return None if customer_id is None else self.get(customer_id)

    def get_many(self, customer_ids: Sequence[int]) -> dict[int, Customer]:
        """Load many whole customers, keyed by id; missing ids are absent."""
        return self._load(customer_ids, with_addresses=True)

    def _load(self, customer_ids: Sequence[int], with_addresses: bool) -> dict[int, Customer]:
        result: dict[int, Customer] = {}
        for batch in chunks(unique(list(customer_ids))):
            for row in self._conn.execute(select(customers).where(c.id.in_(batch))):
                result[row.id] = _customer(row)
            if not result:
                continue
            if with_addresses:
                rows = self._conn.execute(
                    select(addresses).where(addresses.c.customer_id.in_(batch)).order_by(addresses.c.id)
                )
                for row in rows:
                    result[row.customer_id].addresses.append(_address_entry(row))
            rows = self._conn.execute(
                select(cards).where(cards.c.customer_id.in_(batch)).order_by(cards.c.id)
            )
            for row in rows:
                result[row.customer_id].cards.append(_card(row))
        return result

    def card_ids(self, customer_id: int) -> frozenset[int]:
        """The ids of the customer's cards on file: one read of the cards' customer index."""
        return frozenset(self._conn.scalars(select(cards.c.id).where(cards.c.customer_id == customer_id)))

    def get_for_order(self, customer_id: int) -> Customer:
        """The customer with only what a new order takes from the book: its default ship-to and
        bill-to and its first address (``addresses``, in id order) and its first card (``cards``).

        Three index reads whatever the size of the book. Raises ``NotFound``.
        """
        row = self._conn.execute(select(customers).where(c.id == customer_id)).first()
        if row is None:
            raise NotFound(f"customer {customer_id} does not exist")
        customer = _customer(row)

        def among(column: ColumnElement[Any]) -> ColumnElement[bool]:
            return column == customer_id

        found = self._conn.execute(_defaults_and_firsts(tuple(addresses.c), [customer_id], among))
        customer.addresses = [_address_entry(entry) for entry in _once_by_id(found)]
        first_card = self._conn.execute(
            select(cards).where(cards.c.id.in_(_first_ids(cards, [customer_id], among)))
        ).first()
        customer.cards = [_card(first_card)] if first_card is not None else []
        return customer

    def address(self, customer_id: int, address_id: int) -> AddressBookEntry | None:
        """One entry of the customer's book by id (``None`` when it is not the customer's)."""
        row = self._conn.execute(
            select(addresses).where(addresses.c.id == address_id, addresses.c.customer_id == customer_id)
        ).first()
        return _address_entry(row) if row is not None else None

    def first_addresses(self, customer_id: int, limit: int) -> tuple[list[AddressBookEntry], int]:
        """The first ``limit`` entries of the customer's book in id order, and how many it holds:
        a range of ``ix_addresses_customer_first`` and a count of its entries (no rows read).
        """
        rows = self._conn.execute(
            select(addresses)
            .where(addresses.c.customer_id == customer_id)
            .order_by(addresses.c.id)
            .limit(limit)
        ).all()
        if len(rows) < limit:
            return [_address_entry(row) for row in rows], len(rows)
        count = self._conn.scalar(
            select(func.count()).select_from(addresses).where(addresses.c.customer_id == customer_id)
        )
        return [_address_entry(row) for row in rows], int(count or 0)

    def ordering_profiles(self, customer_ids: Sequence[int]) -> dict[int, OrderingProfile]:
        """What placing an order needs of many customers, keyed by id; missing ids are absent.

        Three narrow reads per chunk of ids, and domain objects only for the addresses and card
        that are used: a club shipment loads ten thousand of these.
        """
        result: dict[int, OrderingProfile] = {}
        for batch in chunks(unique(list(customer_ids))):

            def among(column: ColumnElement[Any], batch: list[int] = batch) -> ColumnElement[bool]:
                return self._among(column, batch)

            own = self._conn.execute(
                select(c.id, c.type_code, c.status, c.tax_exempt).where(among(c.id))
            ).all()
            if not own:
                continue
            # Plain tuples, read by position: ten thousand rows of attribute look-ups add up.
            ship: dict[int, tuple[Any, ...]] = {}
            bill: dict[int, tuple[Any, ...]] = {}
            columns = (
                addresses.c.id,
                addresses.c.customer_id,
                addresses.c.is_default_shipping,
                addresses.c.is_default_billing,
                *(addresses.c[name] for name in _ADDRESS_PARTS),
            )
            # All at once: iterated, the rows were fetched one by one, which on PostgreSQL's
            # driver costs a call into Python per row (~20,000 rows in a 10,000-member run).
            rows = _once_by_id(self._conn.execute(_defaults_and_firsts(columns, batch, among)).all())
            for row in rows:
                customer_id = row[1]
                # The first address stands in until a default shows up (Customer.default_shipping).
                current = ship.get(customer_id)
                if current is None or (row[2] and not current[2]):
                    ship[customer_id] = row
                if row[3] and customer_id not in bill:
                    bill[customer_id] = row
            first_card: dict[int, CardOnFile] = {}
            card_rows = self._conn.execute(
                select(cards.c.customer_id, *(cards.c[name] for name in _CARD_PARTS))
                .where(cards.c.id.in_(_first_ids(cards, batch, among)))
                .order_by(cards.c.id)
            ).all()
            for customer_id, *card in card_rows:
                if customer_id not in first_card:
                    first_card[customer_id] = CardOnFile(*card)
            for customer_id, type_code, status, tax_exempt in own:
                shipping = ship.get(customer_id)
                ship_to = Address(*shipping[4:]) if shipping is not None else None
                billing = bill.get(customer_id)
                # Most customers have one address for both: build it once.
                bill_to = ship_to if billing is None or billing is shipping else Address(*billing[4:])
                result[customer_id] = OrderingProfile(
                    customer_id,
                    type_code,
                    CustomerStatus(status),
                    tax_exempt,
                    ship_to,
                    bill_to,
                    first_card.get(customer_id),
                )
        return result

    # -- writing -------------------------------------------------------------------------------

    def add(self, customer: Customer) -> int:
        """Insert a customer with its addresses and cards; set and return the ids.

        A customer without a number gets the next one.
        """
        if not customer.number.strip():
            customer.number = self.next_number()
        now = self._clock.now()
        values = _customer_values(customer) | {
            "version": customer.version,
            "created_at": now,
            "updated_at": now,
        }
        customer_id = self._conn.execute(insert(customers).values(values).returning(c.id)).scalar_one()
        customer.id = customer_id
        customer.number = values["number"]
        for entry in customer.addresses:
            entry.id = self._insert_address(customer_id, entry)
        customer.cards = [
            dataclasses.replace(card, id=self.add_card(customer_id, card)) for card in customer.cards
        ]
        if customer.addresses:
            self._keep_home_keys(customer_id)
        return customer_id

    def update(self, customer: Customer) -> None:
        """Save the customer's own fields if ``customer.version`` is current; increment it.

        Raises:
            StaleEdit: another edit came first.
            NotFound: the customer is gone.
        """
        if customer.id is None:
            raise NotFound("the customer has not been saved yet")
        values = _customer_values(customer) | {
            "version": customer.version + 1,
            "updated_at": self._clock.now(),
        }
        result = self._conn.execute(
            update(customers).where(c.id == customer.id, c.version == customer.version).values(values)
        )
        if result.rowcount != 1:
            if self._conn.scalar(select(c.id).where(c.id == customer.id)) is None:
                raise NotFound(f"customer {customer.number} no longer exists")
            raise StaleEdit(
                f"customer {customer.number} was changed by someone else; reopen it and try again"
            )
        customer.version += 1
        customer.number = values["number"]

    def _insert_address(self, customer_id: int, entry: AddressBookEntry) -> int:
        self._clear_other_defaults(customer_id, entry, None)
        return self._conn.execute(
            insert(addresses).values(_address_values(customer_id, entry)).returning(addresses.c.id)
        ).scalar_one()

    def _clear_other_defaults(
        self, customer_id: int, entry: AddressBookEntry, address_id: int | None
    ) -> None:
        others = addresses.c.customer_id == customer_id
        if address_id is not None:
            others = and_(others, addresses.c.id != address_id)
        if entry.is_default_billing:
            self._conn.execute(
                update(addresses)
                .where(others, addresses.c.is_default_billing)
                .values(is_default_billing=False)
            )
        if entry.is_default_shipping:
            self._conn.execute(
                update(addresses)
                .where(others, addresses.c.is_default_shipping)
                .values(is_default_shipping=False)
            )

    def save_address(self, customer_id: int, entry: AddressBookEntry) -> int:
        """Insert (``entry.id is None``) or update an address, keeping one default of each kind.

        Raises:
            NotFound: the address is not this customer's (any more).
        """
        if entry.id is None:
            if self._conn.scalar(select(c.id).where(c.id == customer_id)) is None:
                raise NotFound(f"customer {customer_id} does not exist")
            entry.id = self._insert_address(customer_id, entry)
            self._keep_home_keys(customer_id)
            return entry.id
        self._clear_other_defaults(customer_id, entry, entry.id)
        result = self._conn.execute(
            update(addresses)
            .where(addresses.c.id == entry.id, addresses.c.customer_id == customer_id)
            .values(_address_values(customer_id, entry))
        )
        if result.rowcount != 1:
            raise NotFound("that address is no longer in the customer's address book")
        self._keep_home_keys(customer_id)
        return entry.id

    def delete_address(self, customer_id: int, address_id: int) -> None:
        """Remove an address from the customer's book. Raises ``NotFound`` when it is not in it."""
        result = self._conn.execute(
            delete(addresses).where(addresses.c.id == address_id, addresses.c.customer_id == customer_id)
        )
        if result.rowcount != 1:
            raise NotFound("that address is no longer in the customer's address book")
        self._keep_home_keys(customer_id)

    def _keep_home_keys(self, customer_id: int) -> None:
        """Set the customer's ZIP and city+state search keys from its home address as it now is.

        Called after every address write, once the address rows are written: the address rows,
        then the customer row, in every such transaction.
        """
        home = self._homes([customer_id]).get(customer_id)
        keys = home_keys(home.city, home.state, home.zip) if home is not None else _NO_HOME
        self._conn.execute(update(customers).where(c.id == customer_id).values(keys))

    def add_card(self, customer_id: int, card: CardOnFile) -> int:
        """Keep a tokenised card on file; return its id."""
        return self._conn.execute(
            insert(cards).values(_card_values(customer_id, card)).returning(cards.c.id)
        ).scalar_one()

    def delete_card(self, customer_id: int, card_id: int) -> None:
        """Remove a card on file. Raises ``NotFound`` when it is not on file for the customer."""
        result = self._conn.execute(
            delete(cards).where(cards.c.id == card_id, cards.c.customer_id == customer_id)
        )
        if result.rowcount != 1:
            raise NotFound("that card is no longer on file for the customer")

    def next_number(self) -> str:
        """Allocate the next customer number inside the transaction (unique, gap-free)."""
        value = self._conn.execute(
            update(counters)
            .where(counters.c.name == CUSTOMER_COUNTER)
            .values(value=counters.c.value + 1)
            .returning(counters.c.value)
        ).scalar_one()
        return format_customer_number(value)

    # -- search --------------------------------------------------------------------------------

    def search_page(
        self, query: CustomerQuery, limit: int, after: SearchPosition | None = None
    ) -> CustomerPage:
        """Customers matching any part of ``query``, ranked by the domain's search policy
        (:mod:`oms_core.domain.customer_search`): exact number, exact email, last names, "first
        last", companies, then the looser rest; by name within each tier. The first ``limit``, or
        the ``limit`` after ``after`` (keyset paging: no customer twice, none left out).

        Every part is an index range read of at most ``limit + 1`` rows in its rank's order, all
        in one ``UNION ALL`` round trip; the parts are merged and ranked here. Looser parts
        (company, email, phones, number) take their first rows in their own index's order, so a
        prefix as loose as an area code never reads more than a page of rows.
        """
        if limit <= 0:
            return CustomerPage((), None)
        parts = search_parts(query)
        want = limit + 1  # one more than the page says whether another follows
        if after is None:
            search = _UnionSearch(want)
            for part in parts:
                search.part(part)
            # Each part read its index in the order that ranks within its tier and every part
            # starts at its first row, so the best ``want`` come with their best rank.
            positions = positions_after((row.id, _rank(row)) for row in search.run(self._conn))
        else:
            positions = self._positions_after(parts, after, want)
        page = positions[:limit]
        ids = [position.id for position in page]
        rows = {row.id: row for row in self._conn.execute(select(*_SUMMARY_COLUMNS).where(c.id.in_(ids)))}
        found = self._summaries([rows[customer_id] for customer_id in ids if customer_id in rows])
        return CustomerPage(tuple(found), page[-1] if len(positions) > limit else None)

    def _positions_after(
        self, parts: list[SearchPart], after: SearchPosition, want: int
    ) -> list[SearchPosition]:
        """At least the first ``want`` positions after ``after`` (fewer when there are no more).

        Each part is read from ``after`` on; a customer shown on an earlier page may come again
        from a looser part (a Smith whose company is Smith Cellars), so each customer found is
        ranked over every part from its keys and kept only if its best position is after
        ``after``. A part whose read ended before the page's last position (its rows were taken
        by customers already shown) is read on from where it stopped, until the page is exact.
        """
        resume = dict.fromkeys(range(len(parts)), after)
        keys: dict[int, dict[SearchKey, str]] = {}
        positions: list[SearchPosition] = []
        while resume:
            search = _UnionSearch(want, with_keys=True)
            asked = [arm for arm, start in resume.items() if search.part(parts[arm], start, arm)]
            rows = search.run(self._conn) if asked else []
            resume = {}
            for arm in asked:
                read = [row for row in rows if row.arm == arm]
                if len(read) == want:  # the part may hold more after its last row read
                    resume[arm] = SearchPosition(_rank(read[-1]), read[-1].id)
            keys.update((row[0], dict(zip(_KEYS, row[_KEYS_AT:], strict=True))) for row in rows)
            positions = positions_after(part_ranks(keys.items(), parts), after)
            if len(positions) >= want:
                end = positions[want - 1]
                resume = {arm: start for arm, start in resume.items() if start < end}
        return positions

    def summaries(self, customer_ids: Sequence[int]) -> dict[int, CustomerSummary]:
        """Summaries of the given customers, keyed by id."""
        result: dict[int, CustomerSummary] = {}
        for batch in chunks(unique(list(customer_ids))):
            page = list(self._conn.execute(select(*_SUMMARY_COLUMNS).where(c.id.in_(batch))))
            result.update((s.id, s) for s in self._summaries(page))
        return result

    def _summaries(self, rows: list[Row[Any]]) -> list[CustomerSummary]:
        if not rows:
            return []
        ids = [row.id for row in rows]
        homes = self._homes(ids)
        places = {customer_id: (row.city, row.state) for customer_id, row in homes.items()}
        return [
            CustomerSummary(
                id=row.id,
                number=row.number,
                first_name=row.first_name,
                last_name=row.last_name,
                company=row.company,
                email=row.email,
                phone=row.phone,
                city=places.get(row.id, ("", ""))[0],
                state=places.get(row.id, ("", ""))[1],
                type_code=row.type_code,
                status=row.status,
            )
            for row in rows
        ]

    def _homes(self, customer_ids: Sequence[int]) -> dict[int, Row[Any]]:
        """Each customer's home address (id, customer_id, city, state, zip, is_default_shipping),
        reading only the addresses that can be it.
        """
        columns = (
            addresses.c.id,
            addresses.c.customer_id,
            addresses.c.city,
            addresses.c.state,
            addresses.c.zip,
            addresses.c.is_default_shipping,
        )
        found = _defaults_and_firsts(columns, customer_ids, lambda column: column.in_(customer_ids))
        return _homes(_once_by_id(self._conn.execute(found)))

    def find_duplicates(self, email: str, phone: str, exclude_id: int | None) -> list[CustomerSummary]:
        """Customers with the same email (case-insensitive) or the same E.164 phone, by number."""
        conditions: list[ColumnElement[bool]] = []
        email_key = text_key(email)
        if email_key:
            conditions.append(c.email_key == email_key)
        key = phone_key(phone)
        if key:
            conditions.append(c.phone_key == key)
            conditions.append(c.alt_phone_key == key)
        if not conditions:
            return []
        statement = select(*_SUMMARY_COLUMNS, c.alt_phone).where(or_(*conditions)).order_by(c.number)
        if exclude_id is not None:
            statement = statement.where(c.id != exclude_id)
        phone = phone.strip()
        matches = [
            row
            for row in self._conn.execute(statement.limit(50))
            if (email_key and row.email_key == email_key) or (phone and phone in (row.phone, row.alt_phone))
        ]
        return self._summaries(matches)

    def ids_by_type(self, type_code: str, statuses: Iterable[str]) -> list[int]:
        """Ids of the customers of a type with one of the statuses, by number."""
        wanted = [str(s) for s in statuses]
        if not wanted:
            return []
        statement = select(c.id).where(c.type_code == type_code, c.status.in_(wanted)).order_by(c.number)
        return list(self._conn.scalars(statement))


class _UnionSearch:
    """One round trip for every part of a customer search: a ``UNION ALL`` of index range reads.

    The parts and their ranking are the domain's (:mod:`oms_core.domain.customer_search`). Each
    part reads only what its own index holds (the customer id, its tier and its sort keys), in that
    index's order, stopping after a page: no table row is touched and nothing is sorted until the
    parts are merged.

    Building SQLAlchemy constructs per keystroke cost more than the queries themselves, so the
    statement is plain parameterised SQL over a fixed set of column names (never user text).
    """

    def __init__(self, want: int, with_keys: bool = False) -> None:
        self.arms: list[str] = []
        self.params: dict[str, Any] = {"want": want}
        # A later page ranks each customer over every part, so it reads their keys (table rows).
        self._extra = "".join(f", {key.value}" for key in _KEYS) if with_keys else ""

    def _where(self, conditions: tuple[tuple[str, ...], ...]) -> str:
        clauses = []
        for condition in conditions:
            column, value = condition[0], condition[1]
            name = f"p{len(self.params)}"
            self.params[name] = value
            if len(condition) > 2:  # an equality
                clauses.append(f"{column} = :{name}")
                continue
            clauses.append(f"{column} >= :{name}")
            upper = next_prefix(value)
            if upper is not None:
                self.params[f"{name}_hi"] = upper
                clauses.append(f"{column} < :{name}_hi")
        return " AND ".join(clauses)

    def part(self, part: SearchPart, after: SearchPosition | None = None, arm: int = 0) -> bool:
        """Add a part: the rows meeting its matches, read in its order (an index's columns), all
        of them or those whose rank in the part comes after ``after``. Returns ``False`` (and
        adds nothing) when no row of the part can come after ``after``.
        """
        where = self._where(tuple(_condition(match) for match in part.matches))
        if after is not None:
            resume = self._resume(part, after)
            if resume is None:
                return False
            where = f"{where} AND ({resume})" if resume else where
        tier_sql = str(part.tier)
        if part.better is not None:
            better_tier, better = part.better
            tier_sql = (
                f"CASE WHEN {self._where((_condition(better),))} THEN {better_tier} ELSE {part.tier} END"
            )
        keys = [key.value if key is not SearchKey.ID else "''" for key in part.order[:SORT_KEYS]]
        keys += ["''"] * (SORT_KEYS - len(keys))
        order = ", ".join(key.value for key in part.order)
        ranked = ", ".join(f"{key} AS k{index}" for index, key in enumerate(keys, 1))
        self.arms.append(
            f"SELECT id, {tier_sql} AS tier, {ranked}, {arm} AS arm{self._extra} "  # noqa: S608
            f"FROM customers WHERE {where} ORDER BY {order} LIMIT :want"
        )
        return True

    def _resume(self, part: SearchPart, after: SearchPosition) -> str | None:
        """SQL for the part's rows ranked after ``after``: ``""`` for all of them, ``None`` for none.

        A part ranks its rows at its tier, or at its better tier when they meet its better match
        (the exact email among the email prefixes); within a tier, by its order keys, then id.
        """
        tier = after.rank[0]

        def at(part_tier: int) -> bool | str:
            if part_tier != tier:
                return part_tier > tier
            return self._keys_after(part, after)

        base = at(part.tier)
        if part.better is None:
            return None if base is False else ("" if base is True else base)
        better_tier, match = part.better
        better = at(better_tier)
        if better is True and base is True:
            return ""
        meets = self._where((_condition(match),))
        arms = []
        if better is not False:
            arms.append(f"({meets})" if better is True else f"({meets} AND {better})")
        if base is not False:
            arms.append(f"NOT ({meets})" if base is True else f"(NOT ({meets}) AND {base})")
        return " OR ".join(arms) or None

    def _keys_after(self, part: SearchPart, after: SearchPosition) -> str | bool:
        """SQL for the part's rows whose (order keys, id) come after ``after``'s at its tier.

        Compared as one row value, which both databases read as an index range; an id key of the
        order ranks as ``''``, so it is equal to the position's ``''`` and left out, or (the
        position came from another part) smaller, and only a greater key before it comes after.
        """
        columns: list[str] = []
        values: list[Any] = []
        order = [key.value if key is not SearchKey.ID else None for key in part.order[:SORT_KEYS]]
        order += [None] * (SORT_KEYS - len(order))
        for column, value in zip(order, after.rank[1:], strict=True):
            if column is None:
                if value == "":
                    continue
                return self._row_after(columns, values) if columns else False
            columns.append(column)
            values.append(value)
        return self._row_after([*columns, "id"], [*values, after.id])

    def _row_after(self, columns: list[str], values: list[Any]) -> str:
        names = []
        for value in values:
            names.append(f":p{len(self.params)}")
            self.params[names[-1][1:]] = value
        if len(columns) == 1:
            return f"{columns[0]} > {names[0]}"
        # The leading column's bound as well: a plain range any planner takes to the index.
        return f"{columns[0]} >= {names[0]} AND ({', '.join(columns)}) > ({', '.join(names)})"

    def run(self, conn: Connection) -> list[Row[Any]]:
        """(id, tier, k1, k2, k3, k4, arm[, keys]) from every part; a customer may come more than once."""
        if not self.arms:
            return []
        # Only fixed column names are formatted in; every value is a bound parameter.
        union = " UNION ALL ".join(
            f"SELECT * FROM ({arm}) AS u{i}"  # noqa: S608
            for i, arm in enumerate(self.arms)
        )
        return list(conn.execute(text(union), self.params))


_KEYS = tuple(key for key in SearchKey if key is not SearchKey.ID)
"""The search keys stored on a customer row, which rank them in every part."""
_KEYS_AT = 7
"""Where a search row's keys start: after id, tier, k1 to k4 and arm."""


def _rank(row: Row[Any]) -> tuple[int, str, str, str, str]:
    """A search row's rank in its part."""
    return (row.tier, row.k1, row.k2, row.k3, row.k4)


def _condition(match: Match) -> tuple[str, ...]:
    """A match as ``_UnionSearch`` conditions take it: (column, value) or (column, value, "=")."""
    return (match.key.value, match.value, "=") if match.whole else (match.key.value, match.value)
