"""Validating and normalising emails and phone numbers (email-validator, phonenumbers).

Both libraries are imported when first used: together they cost more to import than the rest of
the customer service, and a start-up needs neither before the first screen.
"""

from __future__ import annotations


def normalize_email(text: str) -> str:
    """A valid email, normalised (domain lower-cased); ``""`` stays ``""``.

    Raises:
        ValueError: with a message fit for the form.
    """
    from email_validator import EmailNotValidError, validate_email

    text = text.strip()
    if not text:
        return ""
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"email is not valid: {exc}") from None
    return result.normalized


def normalize_phone(text: str, region: str = "US") -> str:
    """A phone number in E.164 (``+15035551234``); ``""`` stays ``""``.

    Raises:
        ValueError: with a message fit for the form.
    """
    import phonenumbers

    text = text.strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValueError(f"phone {text!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"phone {text!r} is not a valid number for {region}") from None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str, region: str = "US") -> str:
    """``+15035551234`` as ``(503) 555-1234`` at home, international format abroad."""
    import phonenumbers

    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
