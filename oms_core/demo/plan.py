"""What a seeding run is asked to add, and what it reports: plain values, no database."""

from __future__ import annotations

from dataclasses import dataclass

from oms_core.domain.errors import ValidationError


@dataclass(frozen=True, slots=True)
class SeedPlan:
    """How much to add.

    Attributes:
        customers: new customers (each with at least one address; many with a card on file).
        products: new products.
        orders: placed orders to add (from this run's customers and products, else existing ones).
        seed: the random seed: the same plan and seed make the same data.
    """

    customers: int = 0
    products: int = 0
    orders: int = 0
    seed: int = 1

    def check(self) -> None:
        """Refuse counts below zero or above :data:`SEED_LIMITS`.

        Raises:
            ValidationError: naming the count.
        """
        for name, limit in SEED_LIMITS.items():
            value = getattr(self, name)
            if value < 0:
                raise ValidationError(f"--{name} cannot be negative", field=name)
            if value > limit:
                raise ValidationError(f"--{name} {value:,} is too large (at most {limit:,})", field=name)


SEED_LIMITS = {"customers": 10_000_000, "products": 1_000_000, "orders": 10_000_000}
"""The most one seeding run adds of each (an office's scale, with room to spare): a typo such as
``--customers 1000000000000`` is refused instead of running for days."""


DEMO_PLAN = SeedPlan(customers=2_000, products=300, orders=500, seed=1)


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What a seeding added, and how long it took (``receipts``: supplier deliveries received so that
    no order took stock that was not there).
    """

    customers: int
    addresses: int
    cards: int
    products: int
    orders: int
    seconds: float
    receipts: int = 0

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"added {self.customers:,} customers ({self.addresses:,} addresses, {self.cards:,} cards), "
            f"{self.products:,} products and {self.orders:,} orders"
            + (f" ({self.receipts:,} stock deliveries received)" if self.receipts else "")
            + f" in {self.seconds:.1f} s"
        )
