"""Shipping methods and how they charge."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

from oms_core.domain.money import ZERO, money


class RateKind(enum.StrEnum):
    """How a shipping method computes its charge."""

    FLAT = "flat"
    PER_ITEM = "per_item"
    WEIGHT = "weight"
    PICKUP = "pickup"


@dataclass(frozen=True, slots=True)
class ShippingMethod:
    """A way to ship, with its rate.

    Attributes:
        code: short unique code (``GROUND``, ``2DAY``, ``WILLCALL``).
        kind: flat, per item, weight tiers, or pickup (always free, no ship-to needed).
        amount: the flat charge, or the base charge for per-item.
        per_item: charge per unit for ``PER_ITEM``.
        tiers: ``(max_weight_lb, charge)`` pairs, ascending, for ``WEIGHT``; weights over the
            last tier pay the last tier's charge.
        free_over: merchandise subtotal at or over which shipping is free.
    """

    id: int | None
    code: str
    name: str
    kind: RateKind
    amount: Decimal = ZERO
    per_item: Decimal = ZERO
    tiers: tuple[tuple[Decimal, Decimal], ...] = field(default=())
    free_over: Decimal | None = None
    active: bool = True

    @property
    def is_pickup(self) -> bool:
        """Will Call: the customer collects, nothing ships."""
        return self.kind is RateKind.PICKUP

    def charge(self, subtotal: Decimal, units: int, weight_lb: Decimal) -> Decimal:
        """The shipping charge for an order with this merchandise subtotal, units and weight."""
        if self.kind is RateKind.PICKUP or units <= 0:
            return ZERO
        if self.free_over is not None and subtotal >= self.free_over:
            return ZERO
        if self.kind is RateKind.FLAT:
            return money(self.amount)
        if self.kind is RateKind.PER_ITEM:
            return money(self.amount + self.per_item * units)
        for max_weight, tier_charge in self.tiers:
            if weight_lb <= max_weight:
                return money(tier_charge)
        return money(self.tiers[-1][1]) if self.tiers else money(self.amount)
