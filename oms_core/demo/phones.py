"""Valid US phone numbers for synthetic customers, fast.

``phonenumbers.is_valid_number`` costs tens of microseconds, too much to call a million times. A US
number's validity is decided by its area code and exchange (the first six digits), so a small pool of
exchanges is checked once per area code and the last four digits are then drawn freely.
"""

from __future__ import annotations

import random

import phonenumbers

from oms_core.demo.places import PLACES

EXCHANGES_PER_AREA_CODE = 12
# The 555 exchange is the one fiction uses; N11 codes are service codes, never subscriber exchanges.
_AVOID = {"555"} | {f"{n}11" for n in range(2, 10)}
_CANDIDATES = tuple(str(n) for n in range(200, 1000) if str(n) not in _AVOID)
_PROBE_LINES = ("0000", "9999")


def is_valid_us(e164: str) -> bool:
    """True when ``phonenumbers`` accepts ``e164`` as a valid number."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return False


class PhonePool:
    """Per area code, exchanges known to give valid numbers whatever the last four digits."""

    def __init__(self, rng: random.Random, area_codes: set[str] | None = None) -> None:
        codes = sorted(area_codes if area_codes is not None else {a for p in PLACES for a in p.area_codes})
        self.exchanges: dict[str, tuple[str, ...]] = {}
        for code in codes:
            picked: list[str] = []
            for exchange in rng.sample(_CANDIDATES, 4 * EXCHANGES_PER_AREA_CODE):
                if all(is_valid_us(f"+1{code}{exchange}{line}") for line in _PROBE_LINES):
                    picked.append(exchange)
                    if len(picked) == EXCHANGES_PER_AREA_CODE:
                        break
            if picked:
                self.exchanges[code] = tuple(picked)

    def usable(self, area_codes: tuple[str, ...]) -> tuple[str, ...]:
        """The area codes among ``area_codes`` that have valid exchanges in the pool."""
        return tuple(code for code in area_codes if code in self.exchanges)
