"""Synthetic customers as ready-to-insert rows: names, companies, addresses, phones, emails, cards.

Speed matters here (a million customers in well under a minute), so rows are plain tuples in the
column orders below, every value (search keys included) is computed once, and everything is drawn
with one ``random.Random`` from prebuilt tuples.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from oms_core.demo.names import (
    COMPANY_KINDS,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
)
from oms_core.demo.phones import PhonePool
from oms_core.demo.places import PLACES, STREET_NAMES, STREET_SUFFIXES, UNIT_PREFIXES
from oms_core.demo.reference import CELLAR_CLUB, RESERVE_CLUB, RETAIL, WHOLESALE
from oms_core.domain.customer_search import place_key, postal_key
from oms_core.domain.customers import (
    Address,
    AddressBookEntry,
    CardOnFile,
    Customer,
    CustomerStatus,
)

CUSTOMER_COLUMNS = (
    "id",
    "number",
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
    "version",
    "created_at",
    "updated_at",
    "last_key",
    "first_key",
    "company_key",
    "email_key",
    "phone_key",
    "alt_phone_key",
    "phone_tail",
    "postal_key",
    "place_key",
)
ADDRESS_COLUMNS = (
    "id",
    "customer_id",
    "label",
    "name",
    "company",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "country",
    "phone",
    "is_default_billing",
    "is_default_shipping",
)
CARD_COLUMNS = ("id", "customer_id", "token", "brand", "last4", "exp_month", "exp_year")

# Test-gateway cards (see oms_core.payments.test_gateway): brand and last four of approving numbers.
APPROVING_CARDS: tuple[tuple[str, str], ...] = (
    ("Visa", "4242"),
    ("Visa", "4242"),
    ("Visa", "1111"),
    ("Mastercard", "4444"),
    ("Mastercard", "4444"),
    ("Amex", "0005"),
    ("Discover", "1117"),
)
DECLINING_CARD = ("Visa", "0002")
DECLINE_SHARE = 0.03

CUSTOMER_NOTES: tuple[str, ...] = (
    "Prefers a call before shipping",
    "Gate code 4417 for deliveries",
    "Allergic to sulfites: no gift baskets",
    "Leave with the front desk",
    "Birthday in March: offer the gift box",
    "Collects older vintages",
    "Only ships to the office address",
    "Ask about magnums",
)
SECOND_ADDRESS_LABELS = ("Office", "Vacation home", "Gift recipient", "Parents")

_FIRST = tuple((name, name.lower()) for name in FIRST_NAMES)
_LAST = tuple((name, name.lower()) for name in LAST_NAMES)
_STREETS = STREET_NAMES
_UNIT_LETTERS = ("", "", "A", "B", "C")
_CLUBS = (CELLAR_CLUB, RESERVE_CLUB)
_ACTIVE = CustomerStatus.ACTIVE.value
_ON_HOLD = CustomerStatus.ON_HOLD.value
_CLOSED = CustomerStatus.CLOSED.value

_HISTORY = timedelta(days=5 * 365)
_TIMESTAMP_POOL = 4096


@dataclass(slots=True)
class CustomerBatch:
    """One chunk of generated rows (tuples in the ``*_COLUMNS`` orders)."""

    customers: list[tuple[Any, ...]] = field(default_factory=list)
    addresses: list[tuple[Any, ...]] = field(default_factory=list)
    cards: list[tuple[Any, ...]] = field(default_factory=list)


class CustomerFactory:
    """Makes customers with consecutive ids and numbers, and keeps some as domain objects.

    Args:
        rng: the source of every random choice (deterministic for a seed).
        phones: the validated exchanges to draw phone numbers from.
        now: the time the seeding runs; accounts were opened over the five years before it.
        first_number: the first customer number's sequence (``C000001`` is 1).
        first_ids: the first ids of the customers, addresses and cards tables.
        keep: indices (0-based, in generation order) of customers to keep as domain objects, for
            seeded orders.
        stamp: converts a timestamp to what the database driver is sent (applied once to the pool
            of opening dates); rows then carry converted timestamps, and kept customers do not
            need them. Identity by default.
    """

    def __init__(
        self,
        rng: random.Random,
        phones: PhonePool,
        now: datetime,
        first_number: int,
        first_ids: tuple[int, int, int],
        keep: set[int] | None = None,
        stamp: Callable[[datetime], Any] | None = None,
    ) -> None:
        self._rng = rng
        self._phones = phones
        self._now = now
        self._next_number = first_number
        self._next_customer_id, self._next_address_id, self._next_card_id = first_ids
        self._index = 0
        self._keep = keep or set()
        self.kept: list[Customer] = []
        # (city, state, ZIPs, six-digit phone prefixes: area code + exchange) for each usable place.
        self._towns = tuple(
            (p.city, p.state, p.zips, tuple(f"{code}{ex}" for code in codes for ex in phones.exchanges[code]))
            for p in PLACES
            if (codes := phones.usable(p.area_codes))
        )
        start = now - _HISTORY
        # Opening dates come from a pool: storing a timestamp is the costliest value per row, and a
        # pool lets the insert path convert each distinct one only once.
        convert = stamp or (lambda when: when)
        self._opened = tuple(
            convert((start + timedelta(seconds=rng.randrange(int(_HISTORY.total_seconds())))).astimezone(UTC))
            for _ in range(_TIMESTAMP_POOL)
        )

    def batch(self, count: int) -> CustomerBatch:
        """The next ``count`` customers with their addresses and cards."""
        # This loop runs a million times for a large seed: it draws with ``random()`` and indexes
        # tuples itself (``Random.choice`` costs several times more) and keeps counters in locals.
        out = CustomerBatch()
        customer_rows, address_rows, card_rows = out.customers, out.addresses, out.cards
        rng = self._rng
        r = rng.random
        towns, opened, keep = self._towns, self._opened, self._keep
        year = self._now.year
        customer_id, address_id, card_id = self._next_customer_id, self._next_address_id, self._next_card_id
        seq, index = self._next_number, self._index
        n_first, n_last, n_towns = len(_FIRST), len(_LAST), len(towns)
        for _ in range(count):
            roll = r()
            type_code = (
                RETAIL
                if roll < 0.78
                else WHOLESALE
                if roll < 0.88
                else CELLAR_CLUB
                if roll < 0.96
                else RESERVE_CLUB
            )
            is_club = roll >= 0.88
            first, first_key = _FIRST[int(r() * n_first)]
            last, last_key = _LAST[int(r() * n_last)]
            company = company_key = ""
            if type_code == WHOLESALE or r() < 0.04:
                company = (
                    f"{COMPANY_WORDS[int(r() * len(COMPANY_WORDS))]} "
                    f"{COMPANY_KINDS[int(r() * len(COMPANY_KINDS))]}"
                    f"{COMPANY_SUFFIXES[int(r() * len(COMPANY_SUFFIXES))]}"
                )
                company_key = company.lower()
            style = r()
            domain = EMAIL_DOMAINS[int(r() * len(EMAIL_DOMAINS))]
            if style < 0.08:
                email = ""
            elif style < 0.5:
                email = f"{first_key}.{last_key}{seq}@{domain}"
            elif style < 0.8:
                email = f"{first_key[0]}{last_key}{seq}@{domain}"
            else:
                email = f"{last_key}.{first_key}{seq}@{domain}"

            city, state, zips, prefixes = towns[int(r() * n_towns)]
            phone_key = f"{prefixes[int(r() * len(prefixes))]}{int(r() * 10_000):04d}"
            phone = "+1" + phone_key
            alt_phone = alt_key = ""
            if r() < 0.1:
                alt_key = f"{prefixes[int(r() * len(prefixes))]}{int(r() * 10_000):04d}"
                alt_phone = "+1" + alt_key

            tax_exempt = type_code == WHOLESALE and r() < 0.35
            notes = "Resale certificate on file" if tax_exempt else ""
            if r() < 0.03:
                notes = CUSTOMER_NOTES[int(r() * len(CUSTOMER_NOTES))]
            status_roll = r()
            if status_roll < (0.07 if is_club else 0.015):
                status = _ON_HOLD
            elif not is_club and status_roll > 0.99:
                status = _CLOSED
            else:
                status = _ACTIVE
            pickup = r() < (0.15 if is_club else 0.04)
            when = opened[int(r() * len(opened))]
            customer_rows.append(
                (
                    customer_id,
                    f"C{seq:06d}",
                    first,
                    last,
                    company,
                    email,
                    phone,
                    alt_phone,
                    type_code,
                    tax_exempt,
                    notes,
                    status,
                    pickup,
                    1,
                    when,
                    when,
                    last_key,
                    first_key,
                    company_key,
                    email,
                    phone_key,
                    alt_key,
                    phone_key[-4:],
                )
            )

            name = f"{first} {last}"
            address2 = ""
            if r() < 0.2:
                address2 = (
                    f"{UNIT_PREFIXES[int(r() * len(UNIT_PREFIXES))]} {1 + int(r() * 48)}"
                    f"{_UNIT_LETTERS[int(r() * len(_UNIT_LETTERS))]}"
                )
            address1 = (
                f"{1 + int(r() * 9899)} {STREET_NAMES[int(r() * len(STREET_NAMES))]} "
                f"{STREET_SUFFIXES[int(r() * len(STREET_SUFFIXES))]}"
            )
            home = [
                address_id,
                customer_id,
                "Business" if type_code == WHOLESALE else "Home",
                name,
                company,
                address1,
                address2,
                city,
                state,
                zips[int(r() * len(zips))],
                "US",
                phone,
                True,
                True,
            ]
            address_id += 1
            added = 1
            if r() < 0.15:
                # A second address; the default ship-to moves to it now and then (an office, a
                # relative), which is what makes the ship-to choice worth having.
                label = SECOND_ADDRESS_LABELS[int(r() * len(SECOND_ADDRESS_LABELS))]
                other = towns[int(r() * n_towns)] if r() < 0.5 else (city, state, zips, prefixes)
                other_name, other_phone = name, ""
                if label in ("Gift recipient", "Parents"):
                    other_last = last if label == "Parents" else _LAST[int(r() * n_last)][0]
                    other_name = f"{_FIRST[int(r() * n_first)][0]} {other_last}"
                    other_phone = f"+1{other[3][int(r() * len(other[3]))]}{int(r() * 10_000):04d}"
                line1 = (
                    f"{1 + int(r() * 9899)} {STREET_NAMES[int(r() * len(STREET_NAMES))]} "
                    f"{STREET_SUFFIXES[int(r() * len(STREET_SUFFIXES))]}"
                )
                ships_here = r() < 0.3
                home[13] = not ships_here
                address_rows.append(tuple(home))
                address_rows.append(
                    (
                        address_id,
                        customer_id,
                        label,
                        other_name,
                        "",
                        line1,
                        "",
                        other[0],
                        other[1],
                        other[2][int(r() * len(other[2]))],
                        "US",
                        other_phone,
                        False,
                        ships_here,
                    )
                )
                address_id += 1
                added = 2
            else:
                address_rows.append(tuple(home))
            # The search keys of the home address (the default ship-to): 9 is the ZIP, 7 and 8 the
            # city and state, 13 the default ship-to flag (ADDRESS_COLUMNS).
            ships_to = address_rows[-1] if added == 2 and address_rows[-1][13] else address_rows[-added]
            customer_rows[-1] += (postal_key(ships_to[9]), place_key(ships_to[7], ships_to[8]))

            card_row = None
            if r() < (1.0 if is_club else 0.35 if type_code == WHOLESALE else 0.55):
                if r() < DECLINE_SHARE:
                    (brand, last4), marker = DECLINING_CARD, "decline"
                else:
                    (brand, last4), marker = APPROVING_CARDS[int(r() * len(APPROVING_CARDS))], "test"
                card_row = (
                    card_id,
                    customer_id,
                    f"tok_{marker}_{last4}_{rng.getrandbits(64):016x}",
                    brand,
                    last4,
                    1 + int(r() * 12),
                    year + 1 + int(r() * 5),
                )
                card_rows.append(card_row)
                card_id += 1

            if index in keep:
                self.kept.append(_domain_customer(customer_rows[-1], address_rows[-added:], card_row))
            index += 1
            seq += 1
            customer_id += 1
        self._next_customer_id, self._next_address_id, self._next_card_id = customer_id, address_id, card_id
        self._next_number, self._index = seq, index
        return out


def _domain_customer(
    row: tuple[Any, ...], address_rows: list[tuple[Any, ...]], card_row: tuple[Any, ...] | None
) -> Customer:
    """The domain customer a generated row describes (for seeded orders)."""
    values = dict(zip(CUSTOMER_COLUMNS, row, strict=True))
    entries = []
    for address_row in address_rows:
        a = dict(zip(ADDRESS_COLUMNS, address_row, strict=True))
        entries.append(
            AddressBookEntry(
                a["id"],
                Address(
                    a["name"],
                    a["company"],
                    a["address1"],
                    a["address2"],
                    a["city"],
                    a["state"],
                    a["zip"],
                    a["country"],
                    a["phone"],
                ),
                a["label"],
                a["is_default_billing"],
                a["is_default_shipping"],
            )
        )
    cards = []
    if card_row is not None:
        c = dict(zip(CARD_COLUMNS, card_row, strict=True))
        cards.append(CardOnFile(c["id"], c["token"], c["brand"], c["last4"], c["exp_month"], c["exp_year"]))
    return Customer(
        id=values["id"],
        number=values["number"],
        first_name=values["first_name"],
        last_name=values["last_name"],
        company=values["company"],
        email=values["email"],
        phone=values["phone"],
        alt_phone=values["alt_phone"],
        type_code=values["type_code"],
        tax_exempt=values["tax_exempt"],
        notes=values["notes"],
        status=CustomerStatus(values["status"]),
        addresses=entries,
        cards=cards,
        preferred_pickup=values["preferred_pickup"],
    )
