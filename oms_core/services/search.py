"""Turning what an operator types into the one search box into a customer query."""

from __future__ import annotations

import re

from oms_core.domain.customers import format_customer_number
from oms_core.ports import CustomerQuery

_NUMBER = re.compile(r"^[cC]\d+$")
_PHONEISH = re.compile(r"^[\d\s()+.\-/]+$")


def parse_customer_query(text: str, country_code: str = "1") -> CustomerQuery | None:
    """Read a search string as name, company, email, phone digits or customer number.

    ``C0001`` is a customer-number prefix; ``123`` is customer C000123 and also a phone prefix;
    ``(503) 555`` is phone digits; ``ann smi`` is first ``ann`` and last ``smi`` (or last ``ann``
    and first ``smi``: ``smith charles``) as well as a company prefix; ``Smith, Ann`` is last
    ``smith`` and first ``ann``. Returns ``None`` for blank.
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
        return CustomerQuery(digits=digits, number=number, phone_tail=tail)
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
            return CustomerQuery(text=lowered, first=first, last=last, either_order=True)
    return CustomerQuery(text=lowered, first=first, last=last)
