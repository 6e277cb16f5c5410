"""Address rules: required fields, US states and ZIP codes."""

from __future__ import annotations

import re

from oms_core.domain.customers import Address

US_STATES = frozenset(
    (
        "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
        "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP AA AE AP"
    ).split()
)
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
MAX_FIELD = 200


def normalize_zip(text: str) -> str:
    """Give back leading zeros lost to spreadsheets and join ZIP+4: ``2134`` -> ``02134``,
    ``021341234`` -> ``02134-1234``. Anything else is returned trimmed, to fail validation.
    """
    cleaned = text.strip()
    if cleaned.endswith(".0") and cleaned[:-2].isdigit():
        cleaned = cleaned[:-2]  # a number that went through a float
    if cleaned.isdigit():
        if len(cleaned) <= 5:
            return cleaned.zfill(5)
        if 7 <= len(cleaned) <= 9:  # ZIP+4 that lost up to two zeros; no ZIP starts 000
            cleaned = cleaned.zfill(9)
            return f"{cleaned[:5]}-{cleaned[5:]}"
    match = re.fullmatch(r"(\d{3,5})\s*-\s*(\d{4})", cleaned)
    if match:
        return f"{match.group(1).zfill(5)}-{match.group(2)}"
    return cleaned


def zip_problem(zip_code: str, country: str = "US") -> str | None:
    """Why a ZIP is not acceptable, or ``None``."""
    if not zip_code:
        return "ZIP is required"
    if country.upper() in ("US", "USA") and not _ZIP.match(zip_code):
        return f"ZIP {zip_code!r} is not a US ZIP (12345 or 12345-6789)"
    return None


def state_problem(state: str, country: str = "US") -> str | None:
    """Why a state is not acceptable, or ``None``."""
    if not state:
        return "state is required"
    if country.upper() in ("US", "USA") and state.upper() not in US_STATES:
        return f"state {state!r} is not a US state code (e.g. CA)"
    return None


def address_problems(address: Address, prefix: str = "") -> list[tuple[str, str]]:
    """Every problem with an address as (field, message) pairs; empty when it is fine.

    Args:
        address: the address to check.
        prefix: put before each field name (``ship_`` for a ship-to form).
    """
    problems: list[tuple[str, str]] = []
    if not (address.name or address.company):
        problems.append((f"{prefix}name", "name or company is required"))
    if not address.address1:
        problems.append((f"{prefix}address1", "address line 1 is required"))
    if not address.city:
        problems.append((f"{prefix}city", "city is required"))
    state = state_problem(address.state, address.country or "US")
    if state:
        problems.append((f"{prefix}state", state))
    zip_error = zip_problem(address.zip, address.country or "US")
    if zip_error:
        problems.append((f"{prefix}zip", zip_error))
    for field_name in ("name", "company", "address1", "address2", "city"):
        if len(getattr(address, field_name)) > MAX_FIELD:
            problems.append((f"{prefix}{field_name}", f"{field_name} is longer than {MAX_FIELD} characters"))
    return problems


def clean_address(address: Address) -> Address:
    """Trim every field, upper-case state and country, restore ZIP leading zeros."""
    country = (address.country or "US").strip().upper()
    if country == "USA":
        country = "US"
    return Address(
        name=address.name.strip(),
        company=address.company.strip(),
        address1=address.address1.strip(),
        address2=address.address2.strip(),
        city=address.city.strip(),
        state=address.state.strip().upper(),
        zip=normalize_zip(address.zip),
        country=country,
        phone=address.phone.strip(),
    )
