"""How a customer search finds and ranks customers: the one policy, which storage runs as index
range reads and the in-memory fakes run over their customers.

A query (:class:`CustomerQuery`, made from what the operator typed by
``services.search.parse_customer_query``) becomes a list of :class:`SearchPart`: each part is a set
of conditions on a customer's search keys (prefix or whole), a tier, and the order its customers
come in within that tier (the columns of the index storage reads it from). A customer's rank is
the best (tier, sort keys) over the parts it meets; ties go to the lower customer id. Lower tiers
are what the operator most likely means: the exact customer number (0), the exact email (1), last
names (2), "first last" and "last first" (3), companies (4), email prefixes (5), phones and a
phone's last four digits (6, 7), number prefixes (8).

To search by something new, add a key to :class:`SearchKey` (and to the keys storage keeps and
:func:`customer_keys` makes), then a part in :func:`search_parts`. Standard library only.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SORT_KEYS = 3
"""How many of a part's order keys rank customers within its tier (then the customer id)."""


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
    ID = "id"  # orders by id; ranks nothing


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
    """

    text: str = ""
    first: str = ""
    last: str = ""
    digits: str = ""
    number: str = ""
    either_order: bool = False
    phone_tail: str = ""


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
        return (tier, sort[0], sort[1], sort[2])


def phone_tail(phone_digits: str) -> str:
    """The last four digits of a phone's national digits (empty when it has fewer)."""
    return phone_digits[-4:] if len(phone_digits) >= 4 else ""


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
        parts.append(SearchPart(4, (Match(K.COMPANY, text),), (K.COMPANY, K.ID)))
        parts.append(
            SearchPart(5, (Match(K.EMAIL, text),), (K.EMAIL, K.ID), better=(1, Match(K.EMAIL, text, True)))
        )
    first, last = text_key(query.first), text_key(query.last)
    if first and last:
        parts.append(SearchPart(2, (Match(K.LAST, last), Match(K.FIRST, first)), _BY_LAST))
        if query.either_order:  # "smith charles": last name, then first
            parts.append(SearchPart(3, (Match(K.LAST, first), Match(K.FIRST, last)), _BY_LAST))
    if query.phone_tail:
        parts.append(
            SearchPart(6, (Match(K.PHONE_TAIL, query.phone_tail, whole=True),), (K.PHONE_TAIL, K.ID))
        )
    for digits in digit_prefixes(query.digits):
        parts.append(SearchPart(6, (Match(K.PHONE, digits),), (K.PHONE, K.ID)))
        parts.append(SearchPart(7, (Match(K.ALT_PHONE, digits),), (K.ALT_PHONE, K.ID)))
    number = query.number.strip().upper()
    if number:
        parts.append(
            SearchPart(8, (Match(K.NUMBER, number),), (K.NUMBER,), better=(0, Match(K.NUMBER, number, True)))
        )
    return parts


Rank = tuple[int, str, str, str]
"""(tier, sort key 1, 2, 3): what orders customers, lowest first."""


def in_search_order(ranks: Iterable[tuple[int, Rank]]) -> list[int]:
    """Customer ids by their best rank (a customer may come with several), then by id."""
    best: dict[int, Rank] = {}
    for customer_id, rank in ranks:
        if customer_id not in best or rank < best[customer_id]:
            best[customer_id] = rank
    return sorted(best, key=lambda customer_id: (best[customer_id], customer_id))


def ranked(candidates: Iterable[tuple[int, Mapping[SearchKey, str]]], parts: list[SearchPart]) -> list[int]:
    """Customer ids in search order, ranked by ``parts`` (from :func:`search_parts`).

    Args:
        candidates: (customer id, that customer's search keys); customers meeting no part are
            left out.
        parts: the query's parts.
    """
    return in_search_order(
        (customer_id, rank)
        for customer_id, keys in candidates
        for part in parts
        if (rank := part.rank(keys)) is not None
    )
