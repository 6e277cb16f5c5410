"""Reference data: customer types with price lists, shipping methods, tax rates, operators, settings."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from oms_core.domain.customers import CustomerType
from oms_core.domain.errors import NotFound
from oms_core.domain.money import from_cents, to_cents
from oms_core.domain.operators import Operator, Role
from oms_core.domain.payments import PaymentMethod
from oms_core.domain.products import normalize_sku
from oms_core.domain.shipping import RateKind, ShippingMethod
from oms_core.domain.tax import TaxRate
from oms_core.ports import ReferenceRepository
from oms_core.storage._common import Repository
from oms_core.storage.tables import (
    customer_types,
    operators,
    price_list_items,
    products,
    settings,
    shipping_methods,
    tax_rates,
)

ct = customer_types.c
sm = shipping_methods.c


def join_methods(methods: frozenset[PaymentMethod] | set[PaymentMethod]) -> str:
    """Payment methods as stored: their values, sorted, comma-joined."""
    return ",".join(sorted(str(m) for m in methods))


def split_methods(text: str) -> frozenset[PaymentMethod]:
    """The stored comma-joined payment methods back as a set (unknown values are dropped)."""
    known = {m.value for m in PaymentMethod}
    return frozenset(PaymentMethod(v) for v in (part.strip() for part in text.split(",")) if v in known)


def tiers_to_json(tiers: tuple[tuple[Decimal, Decimal], ...]) -> str:
    """Weight tiers as stored: ``[["5.000", 795], ...]`` (max weight in lb, charge in cents)."""
    return json.dumps([[str(weight), to_cents(charge)] for weight, charge in tiers])


def tiers_from_json(text: str) -> tuple[tuple[Decimal, Decimal], ...]:
    """Stored weight tiers back as ``(max_weight_lb, charge)`` pairs."""
    return tuple((Decimal(weight), from_cents(cents)) for weight, cents in json.loads(text or "[]"))


def _shipping_method(row: Row[Any]) -> ShippingMethod:
    return ShippingMethod(
        id=row.id,
        code=row.code,
        name=row.name,
        kind=RateKind(row.kind),
        amount=from_cents(row.amount_cents),
        per_item=from_cents(row.per_item_cents),
        tiers=tiers_from_json(row.tiers_json),
        free_over=None if row.free_over_cents is None else from_cents(row.free_over_cents),
        active=row.active,
    )


class SqlReferenceRepository(Repository, ReferenceRepository):
    """Reference data on SQLAlchemy Core. Saves are upserts by natural key."""

    # -- customer types ------------------------------------------------------------------------

    def customer_types(self) -> list[CustomerType]:
        """All customer types, by code, with their price lists."""
        prices: dict[int, dict[str, Decimal]] = {}
        rows = self._conn.execute(
            select(price_list_items.c.type_id, products.c.sku, price_list_items.c.price_cents).join(
                products, products.c.id == price_list_items.c.product_id
            )
        )
        for row in rows:
            prices.setdefault(row.type_id, {})[row.sku] = from_cents(row.price_cents)
        return [
            CustomerType(
                id=row.id,
                code=row.code,
                name=row.name,
                discount_percent=row.discount_percent,
                price_list=prices.get(row.id, {}),
                payment_methods=split_methods(row.payment_methods),
                is_club=row.is_club,
            )
            for row in self._conn.execute(select(customer_types).order_by(ct.code))
        ]

    def customer_type(self, code: str) -> CustomerType | None:
        """One customer type by code (any case), or ``None``."""
        wanted = code.strip().upper()
        return next((t for t in self.customer_types() if t.code == wanted), None)

    def save_customer_type(self, customer_type: CustomerType) -> int:
        """Insert or update a customer type (by code, stored upper-case) and replace its price list.

        Raises:
            NotFound: a price-list SKU is not in the catalogue.
        """
        skus = {normalize_sku(sku): price for sku, price in customer_type.price_list.items()}
        product_ids: dict[str, int] = {}
        if skus:
            rows = self._conn.execute(
                select(products.c.sku, products.c.id).where(products.c.sku.in_(list(skus)))
            )
            product_ids = {row.sku: row.id for row in rows}
            missing = sorted(set(skus) - set(product_ids))
            if missing:
                raise NotFound(
                    f"price list of {customer_type.code}: no product with SKU {', '.join(missing)}"
                )
        code = customer_type.code.strip().upper()
        values = {
            "code": code,
            "name": customer_type.name,
            "discount_percent": customer_type.discount_percent,
            "payment_methods": join_methods(customer_type.payment_methods),
            "is_club": customer_type.is_club,
        }
        type_id = self._conn.scalar(select(ct.id).where(ct.code == code))
        if type_id is None:
            type_id = self._conn.execute(insert(customer_types).values(values).returning(ct.id)).scalar_one()
        else:
            self._conn.execute(update(customer_types).where(ct.id == type_id).values(values))
            self._conn.execute(delete(price_list_items).where(price_list_items.c.type_id == type_id))
        if skus:
            self._conn.execute(
                insert(price_list_items),
                [
                    {"type_id": type_id, "product_id": product_ids[sku], "price_cents": to_cents(price)}
                    for sku, price in skus.items()
                ],
            )
        return int(type_id)

    # -- shipping ------------------------------------------------------------------------------

    def shipping_methods(self) -> list[ShippingMethod]:
        """All shipping methods, active first, then in the order they were added."""
        statement = select(shipping_methods).order_by(sm.active.desc(), sm.id)
        return [_shipping_method(row) for row in self._conn.execute(statement)]

    def save_shipping_method(self, method: ShippingMethod) -> int:
        """Insert or update a shipping method (by code, stored upper-case); return its id."""
        code = method.code.strip().upper()
        values = {
            "code": code,
            "name": method.name,
            "kind": str(method.kind),
            "amount_cents": to_cents(method.amount),
            "per_item_cents": to_cents(method.per_item),
            "tiers_json": tiers_to_json(method.tiers),
            "free_over_cents": None if method.free_over is None else to_cents(method.free_over),
            "active": method.active,
        }
        method_id = self._conn.scalar(select(sm.id).where(sm.code == code))
        if method_id is None:
            return int(
                self._conn.execute(insert(shipping_methods).values(values).returning(sm.id)).scalar_one()
            )
        self._conn.execute(update(shipping_methods).where(sm.id == method_id).values(values))
        return int(method_id)

    # -- tax -----------------------------------------------------------------------------------

    def tax_rates(self) -> list[TaxRate]:
        """Every tax rate, by region."""
        rows = self._conn.execute(select(tax_rates).order_by(tax_rates.c.region))
        return [TaxRate(row.region, row.rate, row.taxes_shipping) for row in rows]

    def save_tax_rate(self, rate: TaxRate) -> None:
        """Insert or update the rate of a region (stored upper-case)."""
        region = rate.region.strip().upper()
        values = {"rate": rate.rate, "taxes_shipping": rate.taxes_shipping}
        result = self._conn.execute(update(tax_rates).where(tax_rates.c.region == region).values(values))
        if result.rowcount == 0:
            self._conn.execute(insert(tax_rates).values(values | {"region": region}))

    # -- operators and settings ----------------------------------------------------------------

    def operator(self, username: str) -> Operator | None:
        """An operator by user name."""
        row = self._conn.execute(select(operators).where(operators.c.username == username)).first()
        return None if row is None else Operator(username=row.username, role=Role(row.role), name=row.name)

    def operators(self) -> list[Operator]:
        """Every operator, by user name."""
        rows = self._conn.execute(select(operators).order_by(operators.c.username))
        return [Operator(username=row.username, role=Role(row.role), name=row.name) for row in rows]

    def save_operator(self, operator: Operator) -> None:
        """Insert or update an operator."""
        values = {"name": operator.name, "role": str(operator.role)}
        result = self._conn.execute(
            update(operators).where(operators.c.username == operator.username).values(values)
        )
        if result.rowcount == 0:
            self._conn.execute(insert(operators).values(values | {"username": operator.username}))

    def setting(self, key: str) -> str | None:
        """A stored office setting, or ``None``."""
        return self._conn.scalar(select(settings.c.value).where(settings.c.key == key))

    def save_setting(self, key: str, value: str) -> None:
        """Store an office setting."""
        result = self._conn.execute(update(settings).where(settings.c.key == key).values(value=value))
        if result.rowcount == 0:
            self._conn.execute(insert(settings).values(key=key, value=value))
