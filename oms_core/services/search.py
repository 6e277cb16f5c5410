"""Turning what an operator types into the one search box into a customer query."""

from __future__ import annotations

import re

from oms_core.domain.addresses import US_STATES
from oms_core.domain.customer_search import CustomerQuery, Located, SearchKey, place_key
from oms_core.domain.customers import format_customer_number

_NUMBER = re.compile(r"^[cC]\d+$")
_PHONEISH = re.compile(r"^[\d\s()+.\-/]+$")
_ZIP = re.compile(r"^(\d{5})(?:-\d{4})?$")
_ZIP_DIGITS = 5
_ZIP_PREFIX_DIGITS = 3
"""Fewer digits of a ZIP after a name are not searched yet: ``smith 6`` would read every ZIP
starting with 6 (a tenth of the customers) to find the Smiths there."""
_NAME_WORDS_WITH_A_PLACE = 2
"""At most this many words of a name before a city and state (``ann smith boston ma``)."""


def _with_zip(text: str) -> CustomerQuery | None:
    """``smith 02134``: a name and a ZIP (the name's customers there), or ``None``.

    A ZIP being typed after a name keeps the list steady: one or two digits are not read yet (the
    name alone), three or four are the ZIP's first digits.
    """
    rest, _, last_word = text.rpartition(" ")
    zip_code = _ZIP.match(last_word)
    typing = last_word.isascii() and last_word.isdigit() and len(last_word) < _ZIP_DIGITS
    if not rest or (zip_code is None and not typing):
        return None
    name = parse_customer_query(rest)
    if name is None or name.digits or name.number or name.places or not name.text:
        return None
    if zip_code is not None:
        return CustomerQuery(places=(Located(SearchKey.POSTAL, zip_code.group(1), name),))
    if len(last_word) < _ZIP_PREFIX_DIGITS:
        return name
    return CustomerQuery(places=(Located(SearchKey.POSTAL, last_word, name, whole=False),))


def _places(text: str) -> tuple[Located, ...]:
    """The city-and-state readings of ``boston ma``, ``boston, ma`` or ``smith boston ma``.

    The last word must be a US state code and a city must come before it; the words before the
    city may be a name of one or two words, so each split is a reading (one that is wrong finds
    nobody).
    """
    words = text.replace(",", " ").split()
    if len(words) < 2 or words[-1].upper() not in US_STATES:
        return ()
    readings = []
    for split in range(min(_NAME_WORDS_WITH_A_PLACE, len(words) - 2) + 1):
        place = place_key(" ".join(words[split:-1]), words[-1])
        name = parse_customer_query(" ".join(words[:split])) if split else None
        if name is None or not (name.digits or name.number):
            readings.append(Located(SearchKey.PLACE, place, name))
    return tuple(readings)


def parse_customer_query(text: str, country_code: str = "1") -> CustomerQuery | None:
    """Read a search string as name, company, email, phone digits or customer number.

    ``C0001`` is a customer-number prefix; ``123`` is customer C000123 and also a phone prefix;
    ``(503) 555`` is phone digits; ``ann smi`` is first ``ann`` and last ``smi`` (or last ``ann``
    and first ``smi``: ``smith charles``) as well as a company prefix; ``Smith, Ann`` is last
    ``smith`` and first ``ann``. ``02134`` is also a ZIP code and ``boston ma`` (or ``boston,
    ma``) also a city and state; ``smith 02134`` and ``smith boston ma`` are the Smiths there.
    Returns ``None`` for blank.
    """
    text = " ".join(text.split())
    if not text:
        return None
    lowered = text.lower()
    if _NUMBER.match(text):
        digits = text[1:]
        # "C0001" is a prefix being typed; "c123" is shorthand for C000123.
        if digits.startswith("0") or len(digits) >= 6:
            return CustomerQuery(number=text.upper())
        return CustomerQuery(number=format_customer_number(int(digits)))
    if _PHONEISH.match(text):
        digits = re.sub(r"\D", "", text)
        if (
            text.lstrip().startswith("+")
            and digits.startswith(country_code)
            or len(digits) == 11
            and digits.startswith(country_code)
        ):
            digits = digits[len(country_code) :]
        number = format_customer_number(int(digits)) if 0 < len(digits) <= 6 else ""
        if len(digits) < 3:
            return CustomerQuery(number=number) if number else None
        tail = digits if len(digits) == 4 else ""  # "the last four of your phone?"
        zip_code = _ZIP.match(text)  # "what's your zip?"
        places = (Located(SearchKey.POSTAL, zip_code.group(1)),) if zip_code else ()
        return CustomerQuery(digits=digits, number=number, phone_tail=tail, places=places)
    with_zip = _with_zip(text)
    if with_zip is not None:
        return with_zip
    places = _places(lowered)
    first = last = ""
    if "," in text:
        before, _, after = text.partition(",")
        last, first = before.strip().lower(), after.strip().lower()
        if not first:  # "Smith," on the way to "Smith, Ann": still the last-name prefix
            return CustomerQuery(text=last) if last else None
    else:
        words = lowered.split(" ")
        if len(words) == 2:
            first, last = words
            return CustomerQuery(text=lowered, first=first, last=last, either_order=True, places=places)
    return CustomerQuery(text=lowered, first=first, last=last, places=places)
