"""Sales tax by ship-to state or region, computed per line."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from oms_core.domain.money import ZERO, money


@dataclass(frozen=True, slots=True)
class TaxRate:
    """The rate for one region (a US state code, or ``*`` for the office's default).

    Attributes:
        region: state or region code, upper-case.
        rate: a fraction: ``0.0725`` for 7.25 %.
        taxes_shipping: whether the shipping charge is taxed too.
    """

    region: str
    rate: Decimal
    taxes_shipping: bool = False


class TaxTable:
    """Looks up the rate for a ship-to; regions without a rate are not taxed."""

    def __init__(self, rates: list[TaxRate]) -> None:
        self._rates = {r.region.upper(): r for r in rates}

    def rate_for(self, region: str) -> TaxRate | None:
        """The rate for ``region``, else the default ``*`` rate, else ``None``."""
        return self._rates.get(region.strip().upper()) or self._rates.get("*")

    def line_tax(self, amount: Decimal, taxable: bool, region: str, exempt: bool) -> Decimal:
        """Tax on one line: zero for an exempt customer or an untaxed product."""
        rate = self.rate_for(region)
        if exempt or not taxable or rate is None:
            return ZERO
        return money(amount * rate.rate)

    def shipping_tax(self, charge: Decimal, region: str, exempt: bool) -> Decimal:
        """Tax on the shipping charge, where the region taxes shipping."""
        rate = self.rate_for(region)
        if exempt or rate is None or not rate.taxes_shipping:
            return ZERO
        return money(charge * rate.rate)
