"""The catalogue: rows <-> ``Product``, and stock moved only by guarded updates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, insert, select, update

from oms_core.domain.errors import NotFound
from oms_core.domain.money import from_cents, to_cents
from oms_core.domain.products import Product, normalize_sku
from oms_core.ports import ProductRepository
from oms_core.storage._common import Repository, chunks, execute_each, unique
from oms_core.storage.keys import next_prefix, text_key
from oms_core.storage.tables import products

p = products.c

_TAKE_STOCK = (
    "UPDATE products SET stock_on_hand = stock_on_hand - %s WHERE id = %s AND (%s OR stock_on_hand >= %s)"
)
"""The guarded update that takes stock (the one home of "never below zero unless backordered"), as
the driver takes it (for :func:`execute_each`): quantity, product id, backorder allowed, quantity."""


def product_values(product: Product) -> dict[str, Any]:
    """Column values of a product, stock excluded."""
    return {
        "sku": normalize_sku(product.sku),
        "name": product.name,
        "name_key": text_key(product.name),
        "list_price_cents": to_cents(product.list_price),
        "taxable": product.taxable,
        "weight_lb": product.weight_lb,
        "allow_backorder": product.allow_backorder,
        "active": product.active,
        "discountable": product.discountable,
    }


def _product(row: Row[Any]) -> Product:
    return Product(
        id=row.id,
        sku=row.sku,
        name=row.name,
        list_price=from_cents(row.list_price_cents),
        taxable=row.taxable,
        weight_lb=row.weight_lb,
        stock_on_hand=row.stock_on_hand,
        allow_backorder=row.allow_backorder,
        active=row.active,
        discountable=row.discountable,
    )


class SqlProductRepository(Repository, ProductRepository):
    """Products on SQLAlchemy Core."""

    def get(self, product_id: int) -> Product:
        """Load a product. Raises ``NotFound``."""
        row = self._conn.execute(select(products).where(p.id == product_id)).first()
        if row is None:
            raise NotFound(f"product {product_id} does not exist")
        return _product(row)

    def get_by_sku(self, sku: str) -> Product | None:
        """Load a product by SKU, whatever its case."""
        row = self._conn.execute(select(products).where(p.sku == normalize_sku(sku))).first()
        return None if row is None else _product(row)

    def get_many(self, product_ids: Iterable[int]) -> dict[int, Product]:
        """Products by id; unknown ids are absent."""
        result: dict[int, Product] = {}
        for batch in chunks(unique(list(product_ids))):
            result.update(
                (row.id, _product(row)) for row in self._conn.execute(select(products).where(p.id.in_(batch)))
            )
        return result

    def get_many_by_sku(self, skus: Iterable[str]) -> dict[str, Product]:
        """Products keyed by upper-case SKU; unknown SKUs are absent."""
        result: dict[str, Product] = {}
        for batch in chunks(unique([normalize_sku(s) for s in skus])):
            result.update(
                (row.sku, _product(row))
                for row in self._conn.execute(select(products).where(p.sku.in_(batch)))
            )
        return result

    def search(self, text: str, limit: int) -> list[Product]:
        """Products whose SKU starts with ``text`` or whose name contains it (any case), by SKU."""
        sku = normalize_sku(text)
        if not sku or limit <= 0:
            return []
        upper = next_prefix(sku)
        sku_match = p.sku >= sku if upper is None else (p.sku >= sku) & (p.sku < upper)
        by_sku = list(self._conn.execute(select(products).where(sku_match).order_by(p.sku).limit(limit)))
        pattern = "%" + _escape_like(text_key(text)) + "%"
        by_name = self._conn.execute(
            select(products).where(p.name_key.like(pattern, escape="\\")).order_by(p.sku).limit(limit)
        )
        merged = {row.id: row for row in [*by_sku, *by_name]}
        rows = sorted(merged.values(), key=lambda row: row.sku)
        return [_product(row) for row in rows[:limit]]

    def add(self, product: Product) -> int:
        """Insert a product with its stock; set and return its id."""
        values = product_values(product) | {"stock_on_hand": product.stock_on_hand}
        product.id = self._conn.execute(insert(products).values(values).returning(p.id)).scalar_one()
        product.sku = values["sku"]
        return product.id

    def update(self, product: Product) -> None:
        """Save a product's fields (not its stock). Raises ``NotFound``."""
        if product.id is None:
            raise NotFound("the product has not been saved yet")
        result = self._conn.execute(
            update(products).where(p.id == product.id).values(product_values(product))
        )
        if result.rowcount != 1:
            raise NotFound(f"product {product.sku} does not exist")

    def take_stock(self, product_id: int, quantity: int, allow_backorder: bool) -> bool:
        """Decrement stock with a guarded update; ``False`` when it would go below zero and
        ``allow_backorder`` is false (or the product does not exist).
        """
        return not self.take_stock_many([(product_id, quantity, allow_backorder)])

    def take_stock_many(self, wanted: Sequence[tuple[int, int, bool]]) -> list[int]:
        """:meth:`take_stock` for each (product id, quantity, backorder allowed), in the order given
        (the lock order); the ids whose stock could not be taken. On PostgreSQL the updates go in
        one round trip (pipeline mode), still one after the other, so the rows are locked in
        that order.
        """
        taken = execute_each(
            self._conn,
            _TAKE_STOCK,
            [(quantity, product_id, backorder, quantity) for product_id, quantity, backorder in wanted],
        )
        return [product_id for (product_id, _, _), ok in zip(wanted, taken, strict=True) if not ok]

    def lock_stock(self, skus: Iterable[str]) -> None:
        """Lock the products' rows in id order (``FOR UPDATE``; SQLite's write lock already covers
        them), so stock taken later in the transaction never waits behind a lock taken after it.
        """
        wanted = sorted({normalize_sku(sku) for sku in skus})  # one statement: a file names few SKUs
        if wanted:
            self._conn.execute(select(p.id).where(p.sku.in_(wanted)).order_by(p.id).with_for_update()).all()

    def restock(self, product_id: int, quantity: int) -> None:
        """Put units back (a cancelled order). Raises ``NotFound``."""
        result = self._conn.execute(
            update(products).where(p.id == product_id).values(stock_on_hand=p.stock_on_hand + quantity)
        )
        if result.rowcount != 1:
            raise NotFound(f"product {product_id} does not exist")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
