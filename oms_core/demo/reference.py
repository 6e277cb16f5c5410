"""Reference data for a demo office: customer types and clubs, shipping methods, tax rates, settings.

Tax rates are the 2024 state-level sales-tax rates (no local add-ons), with the shipping flag set for
the states that tax delivery charges on taxable goods; good enough to make every tax path visible in a
demo, not tax advice.
"""

from __future__ import annotations

from decimal import Decimal

from oms_core.domain.customers import CustomerType
from oms_core.domain.operators import Operator, Role
from oms_core.domain.payments import PaymentMethod
from oms_core.domain.shipping import RateKind, ShippingMethod
from oms_core.domain.tax import TaxRate

RETAIL = "RETAIL"
WHOLESALE = "WHOLESALE"
CELLAR_CLUB = "CELLAR"
RESERVE_CLUB = "RESERVE"
CLUB_CODES = (CELLAR_CLUB, RESERVE_CLUB)

_EVERYDAY = frozenset(
    {PaymentMethod.CARD, PaymentMethod.CARD_ON_FILE, PaymentMethod.CHECK, PaymentMethod.CASH}
)

CUSTOMER_TYPES: tuple[CustomerType, ...] = (
    CustomerType(None, RETAIL, "Retail", payment_methods=_EVERYDAY),
    CustomerType(
        None,
        WHOLESALE,
        "Wholesale",
        discount_percent=Decimal("15"),
        payment_methods=_EVERYDAY | {PaymentMethod.ON_ACCOUNT},
    ),
    # Clubs charge the card on file for every shipment: members never pay any other way.
    CustomerType(
        None,
        CELLAR_CLUB,
        "Cellar Club",
        discount_percent=Decimal("10"),
        payment_methods=frozenset({PaymentMethod.CARD_ON_FILE}),
        is_club=True,
    ),
    CustomerType(
        None,
        RESERVE_CLUB,
        "Reserve Club",
        discount_percent=Decimal("20"),
        payment_methods=frozenset({PaymentMethod.CARD_ON_FILE}),
        is_club=True,
    ),
)

SHIPPING_METHODS: tuple[ShippingMethod, ...] = (
    ShippingMethod(
        None,
        "GROUND",
        "Ground (free over $150)",
        RateKind.FLAT,
        amount=Decimal("12.95"),
        free_over=Decimal("150.00"),
    ),
    ShippingMethod(
        None, "2DAY", "2-Day Air", RateKind.PER_ITEM, amount=Decimal("14.00"), per_item=Decimal("4.50")
    ),
    ShippingMethod(
        None,
        "FREIGHT",
        "Freight (by weight)",
        RateKind.WEIGHT,
        tiers=(
            (Decimal("50"), Decimal("65.00")),
            (Decimal("150"), Decimal("125.00")),
            (Decimal("500"), Decimal("240.00")),
            (Decimal("2000"), Decimal("450.00")),
        ),
    ),
    ShippingMethod(None, "WILLCALL", "Will Call (pickup)", RateKind.PICKUP),
)

# state: (rate in percent, taxes shipping)
_STATE_RATES: dict[str, tuple[str, bool]] = {
    "AL": ("4", False),
    "AK": ("0", False),
    "AZ": ("5.6", False),
    "AR": ("6.5", True),
    "CA": ("7.25", False),
    "CO": ("2.9", False),
    "CT": ("6.35", True),
    "DE": ("0", False),
    "DC": ("6", False),
    "FL": ("6", False),
    "GA": ("4", True),
    "HI": ("4", True),
    "ID": ("6", False),
    "IL": ("6.25", False),
    "IN": ("7", True),
    "IA": ("6", False),
    "KS": ("6.5", True),
    "KY": ("6", True),
    "LA": ("4.45", False),
    "ME": ("5.5", False),
    "MD": ("6", False),
    "MA": ("6.25", False),
    "MI": ("6", True),
    "MN": ("6.875", True),
    "MS": ("7", True),
    "MO": ("4.225", False),
    "MT": ("0", False),
    "NE": ("5.5", True),
    "NV": ("6.85", False),
    "NH": ("0", False),
    "NJ": ("6.625", True),
    "NM": ("4.875", True),
    "NY": ("4", True),
    "NC": ("4.75", True),
    "ND": ("5", True),
    "OH": ("5.75", True),
    "OK": ("4.5", False),
    "OR": ("0", False),
    "PA": ("6", True),
    "RI": ("7", True),
    "SC": ("6", True),
    "SD": ("4.2", True),
    "TN": ("7", True),
    "TX": ("6.25", True),
    "UT": ("6.1", False),
    "VT": ("6", True),
    "VA": ("5.3", False),
    "WA": ("6.5", True),
    "WV": ("6", True),
    "WI": ("5", True),
    "WY": ("4", False),
}

TAX_RATES: tuple[TaxRate, ...] = tuple(
    TaxRate(state, Decimal(rate) / 100, taxes_shipping)
    for state, (rate, taxes_shipping) in _STATE_RATES.items()
)

SETTINGS: dict[str, str] = {
    "phone_region": "US",
    "default_shipping_method": "GROUND",
}

# The demo office's staff; seeded orders are placed by them.
OPERATORS: tuple[Operator, ...] = (
    Operator("agarcia", Role.OPERATOR, "Ana Garcia"),
    Operator("bchen", Role.OPERATOR, "Ben Chen"),
    Operator("dpatel", Role.OPERATOR, "Divya Patel"),
    Operator("mrossi", Role.SUPERVISOR, "Marco Rossi"),
)
