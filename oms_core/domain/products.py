"""Products in the catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(slots=True)
class Product:
    """A product sold by SKU. SKUs are unique whatever their case and kept upper-case.

    ``discountable`` is false for what must cost its face value whoever buys it (gift cards,
    deposits): no customer type's price list or discount applies to it.
    """

    id: int | None
    sku: str
    name: str
    list_price: Decimal
    taxable: bool = True
    weight_lb: Decimal = Decimal("0")
    stock_on_hand: int = 0
    allow_backorder: bool = False
    active: bool = True
    discountable: bool = True

    def short_by(self, quantity: int) -> int:
        """How many units are missing to ship ``quantity`` now (0 when there are enough)."""
        return max(0, quantity - max(self.stock_on_hand, 0))


def normalize_sku(sku: str) -> str:
    """SKUs compare case-insensitively: store and look them up upper-case, trimmed."""
    return sku.strip().upper()
