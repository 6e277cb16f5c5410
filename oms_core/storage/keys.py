"""Search keys kept beside the values they index, and prefix ranges over them."""

from __future__ import annotations

import sys

from oms_core.domain.customer_search import text_key

__all__ = ["next_prefix", "phone_key", "text_key"]


def phone_key(phone: str) -> str:
    """The national digits of a phone number: ``+15035551234`` -> ``5035551234``.

    North American numbers take the fast path; other E.164 numbers go through ``phonenumbers``;
    anything unparsable keeps its digits.
    """
    if len(phone) == 12 and phone.startswith("+1") and phone[2:].isdigit():
        return phone[2:]
    phone = phone.strip()
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.startswith("+1") and len(digits) == 11:
        return digits[1:]
    if phone.startswith("+"):
        try:
            import phonenumbers  # only needed for numbers outside North America

            parsed = phonenumbers.parse(phone, None)
        except Exception:  # any parse failure falls back to the digits
            return digits
        leading = "0" * (parsed.number_of_leading_zeros or 0) if parsed.italian_leading_zero else ""
        return f"{leading}{parsed.national_number}"
    return digits


def next_prefix(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix``.

    ``"smi"`` -> ``"smj"``. ``None`` when there is no such string (empty prefix or the last character
    is the highest code point), in which case only the lower bound applies.
    """
    if not prefix:
        return None
    last = ord(prefix[-1])
    if last >= sys.maxunicode:
        return None
    following = last + 1
    if 0xD800 <= following <= 0xDFFF:  # skip surrogates, which cannot be encoded
        following = 0xE000
    return prefix[:-1] + chr(following)
