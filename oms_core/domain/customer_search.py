"""How a customer search finds and ranks customers: the one policy, which storage runs as index
range reads and the in-memory fakes run over their customers.

A query (:class:`CustomerQuery`, made from what the operator typed by
``services.search.parse_customer_query``) becomes a list of :class:`SearchPart`: each part is a set
of conditions on a customer's search keys (prefix or whole), a tier, and the order its customers
come in within that tier (the columns of the index storage reads it from). A customer's rank is
the best (tier, sort keys) over the parts it meets; ties go to the lower customer id. Lower tiers
are what the operator most likely means: the exact customer number (0), the exact email (1), last
names (2), "first last" and "last first" (3), a ZIP code or a city and state (4), companies (5),
email prefixes (6), phones and a phone's last four digits (7, 8), number prefixes (9). A name
typed with a ZIP or a city and state (``smith 02134``, ``smith boston ma``) is looked for only
there, in the name tiers: "what's your zip?" is how operators tell two Smiths apart.

To search by something new, add a key to :class:`SearchKey` (and to the keys storage keeps and
:func:`customer_keys` makes), then a part in :func:`search_parts`. Standard library only.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

SORT_KEYS = 4
"""How many of a part's order keys rank customers within its tier (then the customer id): every key
of the longest order (a place, then last name, first name and number), so a part's rank follows its
index's order exactly and a page can start after any customer of it."""


class SearchKey(enum.StrEnum):
    """A customer's search keys, named as storage's columns: lower-cased text, national digits."""

    NUMBER = "number"  # upper-case, C000123
    LAST = "last_key"
    FIRST = "first_key"
    COMPANY = "company_key"
    EMAIL = "email_key"
    PHONE = "phone_key"
    ALT_PHONE = "alt_phone_key"
    PHONE_TAIL = "phone_tail"  # the phone's last four digits
    POSTAL = "postal_key"  # the home address's ZIP: 02134
    PLACE = "place_key"  # the home address's city and state: "boston ma"
    ID = "id"  # orders by id; ranks nothing


@dataclass(frozen=True, slots=True)
class Located:
    """A ZIP code or a city and state typed into the search, and the name typed before it, if any.

    Attributes:
        key: :attr:`SearchKey.POSTAL` (``value`` a whole ZIP, ``02134``) or :attr:`SearchKey.PLACE`
            (``value`` a whole place key, ``boston ma``).
        value: the key's whole value, as :func:`postal_key` or :func:`place_key` make it (or, not
            ``whole``, its first characters).
        name: the name typed with it (``smith`` in ``smith 02134``): then only the customers of
            that name living there; ``None`` for everyone living there.
        whole: ``value`` is the whole key; else a prefix (``smith 021``: a ZIP being typed).
    """

    key: SearchKey
    value: str
    name: CustomerQuery | None = None
    whole: bool = True


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    """A parsed search string. Every non-empty field is a case-insensitive prefix to match.

    Attributes:
        text: lower-cased text matched against last name, company, email and ``first last``.
        first: with ``last``: the first-name prefix when the query had two words.
        last: with ``first``: the last-name prefix when the query had two words.
        digits: the query's digits when it looks like a phone number (at least 3 digits).
        number: an upper-cased customer-number prefix (``C0001``) when it looks like one.
        either_order: the two words may also be last then first (``smith charles``): typed
            without a comma, the operator may have read the name off a list.
        phone_tail: four digits that may be the last four of the phone ("the last four of your
            phone?").
        places: ZIP codes or cities and states the text may name (:class:`Located`), with or
            without a name.
    """

    text: str = ""
    first: str = ""
    last: str = ""
    digits: str = ""
    number: str = ""
    either_order: bool = False
    phone_tail: str = ""
    places: tuple[Located, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """One condition on a search key: the key starts with ``value`` (or, ``whole``, equals it)."""

    key: SearchKey
    value: str
    whole: bool = False

    def holds(self, keys: Mapping[SearchKey, str]) -> bool:
        """Whether a customer with these keys meets the condition."""
        found = keys.get(self.key, "")
        return found == self.value if self.whole else found.startswith(self.value)


@dataclass(frozen=True, slots=True)
class SearchPart:
    """Customers meeting every one of ``matches``, in ``order`` within ``tier``.

    Attributes:
        tier: the rank of the part's customers (lower comes first).
        matches: the conditions, all of which must hold.
        order: the keys its customers are sorted by within the tier (the first
            :data:`SORT_KEYS` rank them; :attr:`SearchKey.ID` stands for the customer id).
        better: ``(tier, match)``: customers that also meet ``match`` get that better tier (the
            exact email among the email prefixes).
    """

    tier: int
    matches: tuple[Match, ...]
    order: tuple[SearchKey, ...]
    better: tuple[int, Match] | None = None

    def rank(self, keys: Mapping[SearchKey, str]) -> Rank | None:
        """The rank this part gives a customer with ``keys``, or ``None`` when it does not match."""
        if not all(match.holds(keys) for match in self.matches):
            return None
        tier = self.tier
        if self.better is not None and self.better[1].holds(keys):
            tier = self.better[0]
        sort = [keys.get(key, "") if key is not SearchKey.ID else "" for key in self.order[:SORT_KEYS]]
        sort += [""] * (SORT_KEYS - len(sort))
        return (tier, sort[0], sort[1], sort[2], sort[3])


def phone_tail(phone_digits: str) -> str:
    """The last four digits of a phone's national digits (empty when it has fewer)."""
    return phone_digits[-4:] if len(phone_digits) >= 4 else ""


def postal_key(postal_code: str) -> str:
    """The search key of a postal code: trimmed, lower-cased, spaces dropped, and a US ZIP+4 cut to
    its five digits (``02134-1234`` -> ``02134``).

    Migration 0017 fills the column with the same rule in SQL; keep the two alike.
    """
    code = postal_code.strip().replace(" ", "").lower()
    if len(code) == 10 and code[5] == "-":
        return code[:5]
    return code


def _place_word(value: str) -> str:
    return value.strip().replace(".", "").replace(",", "").lower()


def place_key(city: str, state: str) -> str:
    """The search key of a city and state: each trimmed, lower-cased, periods and commas dropped,
    one space between (``St. Louis``, ``MO`` -> ``st louis mo``); empty without a city.

    Migration 0017 fills the column with the same rule in SQL; keep the two alike.
    """
    city = _place_word(city)
    return f"{city} {_place_word(state)}" if city else ""


Entry = TypeVar("Entry")


def home_address(entries: Iterable[tuple[bool, int, Entry]]) -> Entry | None:
    """The address a customer is known by, in the customer list and in a search by ZIP or place:
    the default ship-to, else the first address saved (the lowest id).

    Args:
        entries: (is the default ship-to, address id, the address) for each of the customer's
            addresses.
    """
    best: tuple[bool, int] | None = None
    found: Entry | None = None
    for is_default_shipping, address_id, entry in entries:
        candidate = (bool(is_default_shipping), -address_id)
        if best is None or candidate > best:
            best, found = candidate, entry
    return found


def text_key(value: str) -> str:
    """The search key of a name, company or email: trimmed and lower-cased."""
    return value.strip().lower()


def digit_prefixes(digits: str) -> list[str]:
    """The digits as typed, and without a North American ``1`` country code when they carry one."""
    digits = "".join(ch for ch in digits if ch.isdigit())
    if not digits:
        return []
    prefixes = [digits]
    if len(digits) == 11 and digits.startswith("1"):
        prefixes.append(digits[1:])
    return prefixes


_BY_LAST = (SearchKey.LAST, SearchKey.FIRST, SearchKey.NUMBER)
_BY_FIRST = (SearchKey.FIRST, SearchKey.LAST, SearchKey.NUMBER)
_NAME_KEYS = frozenset({SearchKey.LAST, SearchKey.FIRST})
NAME_TIERS = (2, 3)
"""The tiers of last names and of "first last": a name typed with a place keeps its tier there."""
PLACE_TIER = 4


def _located_parts(located: Located) -> list[SearchPart]:
    """Everyone living at ``located``, or only its name's customers there, in name order.

    The name's own parts (last name, "first last", "last first") are each narrowed to the place;
    its company and email parts are not looked for there.
    """
    there = Match(located.key, located.value, whole=located.whole)
    order = (located.key, *_BY_LAST)  # the place's index: one place, then by name
    if located.name is None:
        return [SearchPart(PLACE_TIER, (there,), order)]
    return [
        SearchPart(part.tier, (there, *part.matches), order)
        for part in search_parts(located.name)
        if part.tier in NAME_TIERS and all(match.key in _NAME_KEYS for match in part.matches)
    ]


def search_parts(query: CustomerQuery) -> list[SearchPart]:
    """The parts a customer search runs for ``query`` (empty when it asks for nothing)."""
    K = SearchKey  # noqa: N806 - short alias for the table below
    parts: list[SearchPart] = []
    text = text_key(query.text)
    if text:
        parts.append(SearchPart(2, (Match(K.LAST, text),), _BY_LAST))
        head, space, tail = text.partition(" ")
        if not space:
            parts.append(SearchPart(3, (Match(K.FIRST, head),), _BY_FIRST))
        elif tail:
            parts.append(SearchPart(3, (Match(K.FIRST, head, whole=True), Match(K.LAST, tail)), _BY_FIRST))
        else:
            parts.append(SearchPart(3, (Match(K.FIRST, head, whole=True),), _BY_FIRST))
        parts.append(SearchPart(5, (Match(K.COMPANY, text),), (K.COMPANY, K.ID)))
        parts.append(
            SearchPart(6, (Match(K.EMAIL, text),), (K.EMAIL, K.ID), better=(1, Match(K.EMAIL, text, True)))
        )
    first, last = text_key(query.first), text_key(query.last)
    if first and last:
        parts.append(SearchPart(2, (Match(K.LAST, last), Match(K.FIRST, first)), _BY_LAST))
        if query.either_order:  # "smith charles": last name, then first
            parts.append(SearchPart(3, (Match(K.LAST, first), Match(K.FIRST, last)), _BY_LAST))
    for located in query.places:
        parts.extend(_located_parts(located))
    if query.phone_tail:
        parts.append(
            SearchPart(7, (Match(K.PHONE_TAIL, query.phone_tail, whole=True),), (K.PHONE_TAIL, K.ID))
        )
    for digits in digit_prefixes(query.digits):
        parts.append(SearchPart(7, (Match(K.PHONE, digits),), (K.PHONE, K.ID)))
        parts.append(SearchPart(8, (Match(K.ALT_PHONE, digits),), (K.ALT_PHONE, K.ID)))
    number = query.number.strip().upper()
    if number:
        parts.append(
            SearchPart(9, (Match(K.NUMBER, number),), (K.NUMBER,), better=(0, Match(K.NUMBER, number, True)))
        )
    return parts


Rank = tuple[int, str, str, str, str]
"""(tier, sort key 1, 2, 3, 4): what orders customers, lowest first."""


@dataclass(frozen=True, slots=True, order=True)
class SearchPosition:
    """A customer's place in a search's results: their best rank, then their id (the order of
    the results). The page after a position holds the customers whose position is greater
    (keyset paging: exact, however many customers share a name, and never an OFFSET).
    """

    rank: Rank
    id: int


def best_ranks(ranks: Iterable[tuple[int, Rank]]) -> dict[int, Rank]:
    """Each customer's best rank (a customer may come with several, one per part it meets)."""
    best: dict[int, Rank] = {}
    for customer_id, rank in ranks:
        if customer_id not in best or rank < best[customer_id]:
            best[customer_id] = rank
    return best


def positions_after(
    ranks: Iterable[tuple[int, Rank]], after: SearchPosition | None = None
) -> list[SearchPosition]:
    """Customers' positions by their best rank, then id; only those after ``after`` when given."""
    found = (SearchPosition(rank, customer_id) for customer_id, rank in best_ranks(ranks).items())
    return sorted(position for position in found if after is None or position > after)


def part_ranks(
    candidates: Iterable[tuple[int, Mapping[SearchKey, str]]], parts: list[SearchPart]
) -> Iterable[tuple[int, Rank]]:
    """(customer id, rank) for every part each candidate meets."""
    return (
        (customer_id, rank)
        for customer_id, keys in candidates
        for part in parts
        if (rank := part.rank(keys)) is not None
    )
