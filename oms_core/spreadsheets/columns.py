"""Which header means which field: the template's headers and the many ways people write them.

Headers are compared after :func:`header_key` folds them: lower case, letters and digits only, so
``Recipient First Name*``, ``first_name`` and ``FIRST NAME`` are the same. A leading ``recipient``
or ``ship to`` is ignored when the rest is known (``Ship-To ZIP`` is ``ZIP``).
"""

from __future__ import annotations

import re

from oms_core.domain.imports import FIELDS, REQUIRED_FIELDS

PAIR_COUNT_IN_TEMPLATE = 3
"""SKU / Qty pairs the template starts with; a file may have any number."""

SYNONYMS: dict[str, tuple[str, ...]] = {
    "first_name": ("firstname", "first", "fname", "givenname", "forename"),
    "last_name": ("lastname", "last", "lname", "surname", "familyname"),
    "full_name": ("name", "fullname", "recipient", "recipientname", "shiptoname", "contactname"),
    "company": ("company", "companyname", "organization", "organisation", "business", "firm"),
    "address1": (
        "address1",
        "address",
        "addressline1",
        "address1street",
        "street",
        "streetaddress",
        "street1",
        "addr1",
        "line1",
    ),
    "address2": ("address2", "addressline2", "street2", "addr2", "line2", "apt", "suite", "aptsuite", "unit"),
    "city": ("city", "town", "citytown"),
    "state": ("state", "st", "province", "stateprovince", "region", "stateregion"),
    "zip": (
        "zip",
        "zipcode",
        "zip4",
        "postalcode",
        "postcode",
        "postal",
        "zippostal",
        "zippostalcode",
        "zipcodepostalcode",
    ),
    "country": ("country", "countrycode", "nation"),
    "phone": ("phone", "phonenumber", "telephone", "tel", "mobile", "cell", "phoneno"),
    "email": ("email", "emailaddress", "mail"),
    "ship_method": (
        "shipmethod",
        "shippingmethod",
        "shipvia",
        "method",
        "shipping",
        "carrier",
        "shipservice",
    ),
    "ship_date": ("shipdate", "shippingdate", "shipon", "shipondate", "senddate", "dispatchdate", "date"),
    "gift_message": (
        "giftmessage",
        "giftmsg",
        "msg",
        "message",
        "giftnote",
        "cardmessage",
        "giftcardmessage",
        "giftcard",
    ),
}

_FIELD_BY_KEY: dict[str, str] = {key: name for name, keys in SYNONYMS.items() for key in keys}
_PREFIXES = ("recipient", "shipto", "recipients")
_SKU = re.compile(
    r"^(?:sku|itemsku|productsku|item|itemcode|itemnumber|itemno|product|productcode|productid)(\d*)$"
)
_QTY = re.compile(r"^(?:qty|quantity|qnty|quan|units)(\d*)$")
_FOLD = re.compile(r"[^0-9a-z]+")


def header_key(text: str) -> str:
    """Fold a header for comparison: ``Zip/Postal`` -> ``zippostal``, ``Qty #2`` -> ``qty2``."""
    return _FOLD.sub("", text.lower())


def match_header(text: str) -> tuple[str, int] | None:
    """What a header means.

    Returns:
        ``(field, 0)`` for a recipient column, ``("sku", n)`` or ``("qty", n)`` for pair ``n``
        (a header without a number is pair 1), or ``None`` when the header is not known.
    """
    for candidate in _candidates(text, _PREFIXES):
        name = _FIELD_BY_KEY.get(candidate)
        if name is not None:
            return name, 0
        for kind, pattern in (("sku", _SKU), ("qty", _QTY)):
            found = pattern.match(candidate)
            if found:
                return kind, int(found.group(1) or 1)
    return None


def _candidates(text: str, prefixes: tuple[str, ...]) -> list[str]:
    """The folded header, then the same without each known prefix it starts with."""
    key = header_key(text)
    if not key:
        return []
    candidates = [key]
    for prefix in prefixes:
        if key.startswith(prefix) and len(key) > len(prefix):
            candidates.append(key[len(prefix) :])
    return candidates


SHIP_SYNONYMS: dict[str, tuple[str, ...]] = {
    "order_number": (
        "order",
        "ordernumber",
        "orderno",
        "ordernum",
        "orderid",
        "ordref",
        "orderref",
        "omsorder",
        "salesorder",
        "so",
        "sonumber",
    ),
    "sku": (
        "sku",
        "itemsku",
        "item",
        "itemcode",
        "itemnumber",
        "itemno",
        "product",
        "productcode",
        "productsku",
    ),
    "quantity": (
        "qty",
        "quantity",
        "units",
        "qtyshipped",
        "quantityshipped",
        "shippedqty",
        "shippedquantity",
        "unitsshipped",
    ),
    "carrier": ("carrier", "shipper", "courier", "shipvia", "shippingcarrier", "carriername"),
    "service": (
        "service",
        "servicelevel",
        "shipservice",
        "shippingservice",
        "carrierservice",
        "method",
        "shipmethod",
        "shippingmethod",
        "mailclass",
        "class",
    ),
    "tracking_number": (
        "tracking",
        "trackingnumber",
        "trackingno",
        "trackingnum",
        "trackingid",
        "trackno",
        "trackingcode",
        "waybill",
        "awb",
        "pronumber",
    ),
    "ship_date": (
        "shipdate",
        "shippeddate",
        "dateshipped",
        "shipped",
        "shippedon",
        "date",
        "dispatchdate",
        "dispatched",
        "shippingdate",
        "shipdt",
    ),
}
"""The headers of a warehouse's shipping confirmation, folded as :func:`header_key` folds them."""

_SHIP_FIELD_BY_KEY: dict[str, str] = {key: name for name, keys in SHIP_SYNONYMS.items() for key in keys}
_SHIP_PREFIXES = ("ship", "shipment", "package")


def match_ship_header(text: str) -> str | None:
    """The shipping-confirmation field a header means (``Tracking #`` -> ``tracking_number``), or ``None``."""
    for candidate in _candidates(text, _SHIP_PREFIXES):
        name = _SHIP_FIELD_BY_KEY.get(candidate)
        if name is not None:
            return name
    return None


def template_headers(pairs: int = PAIR_COUNT_IN_TEMPLATE) -> list[str]:
    """The template's header row: required columns marked ``*``, then ``SKU n`` / ``Qty n`` pairs."""
    headers = [f"{header}*" if name in REQUIRED_FIELDS else header for name, header in FIELDS]
    for pair in range(1, pairs + 1):
        headers += [f"SKU {pair}", f"Qty {pair}"]
    return headers


EXAMPLE_ROW: dict[str, str] = {
    "first_name": "Jane",
    "last_name": "Example",
    "company": "Example Co",
    "address1": "123 Example Street",
    "address2": "Suite 4",
    "city": "Springfield",
    "state": "IL",
    "zip": "62701",
    "country": "US",
    "phone": "217-555-0100",
    "email": "jane@example.com",
    "ship_method": "",
    "ship_date": "",
    "gift_message": "Happy holidays from all of us!",
}
"""The template's example row. A row still reading Jane Example, 123 Example Street is skipped."""

EXAMPLE_ITEMS: tuple[tuple[str, int], ...] = (("EXAMPLE-SKU", 2),)


def is_example(first_name: str, last_name: str, address1: str) -> bool:
    """True for the template's example row left in the file."""
    return (
        first_name.lower() == EXAMPLE_ROW["first_name"].lower()
        and last_name.lower() == EXAMPLE_ROW["last_name"].lower()
        and address1.lower() == EXAMPLE_ROW["address1"].lower()
    )
