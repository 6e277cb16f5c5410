"""Initial schema: every table and index, and the order and customer counters.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oms_core.storage.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", oms_core.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_customer_id"), "audit_events", ["customer_id"], unique=False)
    op.create_index(op.f("ix_audit_events_order_id"), "audit_events", ["order_id"], unique=False)

    op.create_table(
        "batches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("club_type_code", sa.String(length=20), nullable=True),
        sa.Column("ship_date", sa.Date(), nullable=True),
        sa.Column("shipping_method", sa.String(length=20), nullable=False),
        sa.Column("payment_policy", sa.String(length=30), nullable=False),
        sa.Column("lines_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", oms_core.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", oms_core.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    counters = sa.table("counters", sa.column("name", sa.String()), sa.column("value", sa.BigInteger()))
    op.bulk_insert(counters, [{"name": "order", "value": 1000}, {"name": "customer", "value": 0}])
    op.create_table(
        "customer_types",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "discount_percent", oms_core.storage.types.ExactDecimal(precision=5, scale=2), nullable=False
        ),
        sa.Column("payment_methods", sa.Text(), nullable=False),
        sa.Column("is_club", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_types")),
        sa.UniqueConstraint("code", name=op.f("uq_customer_types_code")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "number",
            sa.String(length=20).with_variant(sa.String(length=20, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("alt_phone", sa.String(length=20), nullable=False),
        sa.Column("type_code", sa.String(length=20), nullable=False),
        sa.Column("tax_exempt", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("preferred_pickup", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", oms_core.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", oms_core.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "last_key",
            sa.String(length=100).with_variant(sa.String(length=100, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "first_key",
            sa.String(length=100).with_variant(sa.String(length=100, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "company_key",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "email_key",
            sa.String(length=254).with_variant(sa.String(length=254, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "phone_key",
            sa.String(length=20).with_variant(sa.String(length=20, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "alt_phone_key",
            sa.String(length=20).with_variant(sa.String(length=20, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("number", name=op.f("uq_customers_number")),
    )
    op.create_index("ix_customers_alt_phone_key", "customers", ["alt_phone_key"], unique=False)
    op.create_index("ix_customers_company_key", "customers", ["company_key"], unique=False)
    op.create_index("ix_customers_email_key", "customers", ["email_key"], unique=False)
    op.create_index("ix_customers_first_key", "customers", ["first_key"], unique=False)
    op.create_index("ix_customers_name", "customers", ["last_key", "first_key", "number"], unique=False)
    op.create_index("ix_customers_phone_key", "customers", ["phone_key"], unique=False)
    op.create_index("ix_customers_type_status", "customers", ["type_code", "status", "number"], unique=False)

    op.create_table(
        "import_files",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("purchaser_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("order_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", oms_core.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_files")),
    )
    op.create_index(op.f("ix_import_files_content_hash"), "import_files", ["content_hash"], unique=False)

    op.create_table(
        "operators",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_operators")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "sku",
            sa.String(length=64).with_variant(sa.String(length=64, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("list_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("taxable", sa.Boolean(), nullable=False),
        sa.Column("weight_lb", oms_core.storage.types.ExactDecimal(precision=10, scale=3), nullable=False),
        sa.Column("stock_on_hand", sa.Integer(), nullable=False),
        sa.Column("allow_backorder", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_products_sku")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "shipping_methods",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("per_item_cents", sa.BigInteger(), nullable=False),
        sa.Column("tiers_json", sa.Text(), nullable=False),
        sa.Column("free_over_cents", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_methods")),
        sa.UniqueConstraint("code", name=op.f("uq_shipping_methods_code")),
    )
    op.create_table(
        "tax_rates",
        sa.Column("region", sa.String(length=10), nullable=False),
        sa.Column("rate", oms_core.storage.types.ExactDecimal(precision=7, scale=5), nullable=False),
        sa.Column("taxes_shipping", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("region", name=op.f("pk_tax_rates")),
    )
    op.create_table(
        "addresses",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("address1", sa.String(length=200), nullable=False),
        sa.Column("address2", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=50), nullable=False),
        sa.Column("zip", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("is_default_billing", sa.Boolean(), nullable=False),
        sa.Column("is_default_shipping", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_addresses_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
    )
    op.create_index(op.f("ix_addresses_customer_id"), "addresses", ["customer_id"], unique=False)

    op.create_table(
        "batch_members",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("batch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("updated_at", oms_core.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_batch_members_batch_id_batches"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_batch_members_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_members")),
        sa.UniqueConstraint("batch_id", "customer_id", name="uq_batch_members_batch_customer"),
    )
    op.create_index(op.f("ix_batch_members_customer_id"), "batch_members", ["customer_id"], unique=False)

    op.create_table(
        "cards",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("brand", sa.String(length=30), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("exp_month", sa.Integer(), nullable=False),
        sa.Column("exp_year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_cards_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards")),
    )
    op.create_index(op.f("ix_cards_customer_id"), "cards", ["customer_id"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("bill_name", sa.String(length=200), nullable=True),
        sa.Column("bill_company", sa.String(length=200), nullable=True),
        sa.Column("bill_address1", sa.String(length=200), nullable=True),
        sa.Column("bill_address2", sa.String(length=200), nullable=True),
        sa.Column("bill_city", sa.String(length=200), nullable=True),
        sa.Column("bill_state", sa.String(length=200), nullable=True),
        sa.Column("bill_zip", sa.String(length=200), nullable=True),
        sa.Column("bill_country", sa.String(length=200), nullable=True),
        sa.Column("bill_phone", sa.String(length=200), nullable=True),
        sa.Column("ship_name", sa.String(length=200), nullable=True),
        sa.Column("ship_company", sa.String(length=200), nullable=True),
        sa.Column("ship_address1", sa.String(length=200), nullable=True),
        sa.Column("ship_address2", sa.String(length=200), nullable=True),
        sa.Column("ship_city", sa.String(length=200), nullable=True),
        sa.Column("ship_state", sa.String(length=200), nullable=True),
        sa.Column("ship_zip", sa.String(length=200), nullable=True),
        sa.Column("ship_country", sa.String(length=200), nullable=True),
        sa.Column("ship_phone", sa.String(length=200), nullable=True),
        sa.Column("ship_to_address_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("shipping_method", sa.String(length=20), nullable=False),
        sa.Column("shipping_cents", sa.BigInteger(), nullable=False),
        sa.Column("shipping_tax_cents", sa.BigInteger(), nullable=False),
        sa.Column("subtotal_cents", sa.BigInteger(), nullable=False),
        sa.Column("tax_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("payment_method", sa.String(length=20), nullable=True),
        sa.Column("payment_card_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("payment_token", sa.String(length=200), nullable=True),
        sa.Column("payment_brand", sa.String(length=30), nullable=True),
        sa.Column("payment_last4", sa.String(length=4), nullable=True),
        sa.Column("payment_exp_month", sa.Integer(), nullable=True),
        sa.Column("payment_exp_year", sa.Integer(), nullable=True),
        sa.Column("payment_check_number", sa.String(length=30), nullable=True),
        sa.Column("gift_message", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("batch_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", oms_core.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", oms_core.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("placed_at", oms_core.storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_orders_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
    )
    op.create_index(op.f("ix_orders_batch_key"), "orders", ["batch_key"], unique=False)
    op.create_index(op.f("ix_orders_customer_id"), "orders", ["customer_id"], unique=False)
    op.create_index(op.f("ix_orders_placed_at"), "orders", ["placed_at"], unique=False)
    op.create_index("ix_orders_status_updated_at", "orders", ["status", "updated_at"], unique=False)

    op.create_table(
        "price_list_items",
        sa.Column("type_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_price_list_items_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["customer_types.id"],
            name=op.f("fk_price_list_items_type_id_customer_types"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("type_id", "product_id", name=op.f("pk_price_list_items")),
    )
    op.create_table(
        "order_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("price_override_cents", sa.BigInteger(), nullable=True),
        sa.Column("override_reason", sa.String(length=200), nullable=False),
        sa.Column("taxable", sa.Boolean(), nullable=False),
        sa.Column("weight_lb", oms_core.storage.types.ExactDecimal(precision=10, scale=3), nullable=False),
        sa.Column("line_tax_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_order_lines_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
    )
    op.create_index(op.f("ix_order_lines_order_id"), "order_lines", ["order_id"], unique=False)
    op.create_index(op.f("ix_order_lines_product_id"), "order_lines", ["product_id"], unique=False)

    op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("brand", sa.String(length=30), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("exp_month", sa.Integer(), nullable=True),
        sa.Column("exp_year", sa.Integer(), nullable=True),
        sa.Column("check_number", sa.String(length=30), nullable=False),
        sa.Column("created_at", oms_core.storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_payments_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    op.create_index(op.f("ix_payments_order_id"), "payments", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_payments_order_id"), table_name="payments")

    op.drop_table("payments")
    op.drop_index(op.f("ix_order_lines_product_id"), table_name="order_lines")
    op.drop_index(op.f("ix_order_lines_order_id"), table_name="order_lines")

    op.drop_table("order_lines")
    op.drop_table("price_list_items")
    op.drop_index("ix_orders_status_updated_at", table_name="orders")
    op.drop_index(op.f("ix_orders_placed_at"), table_name="orders")
    op.drop_index(op.f("ix_orders_customer_id"), table_name="orders")
    op.drop_index(op.f("ix_orders_batch_key"), table_name="orders")

    op.drop_table("orders")
    op.drop_index(op.f("ix_cards_customer_id"), table_name="cards")

    op.drop_table("cards")
    op.drop_index(op.f("ix_batch_members_customer_id"), table_name="batch_members")

    op.drop_table("batch_members")
    op.drop_index(op.f("ix_addresses_customer_id"), table_name="addresses")

    op.drop_table("addresses")
    op.drop_table("tax_rates")
    op.drop_table("shipping_methods")
    op.drop_table("settings")
    op.drop_table("products")
    op.drop_table("operators")
    op.drop_index(op.f("ix_import_files_content_hash"), table_name="import_files")

    op.drop_table("import_files")
    op.drop_index("ix_customers_type_status", table_name="customers")
    op.drop_index("ix_customers_phone_key", table_name="customers")
    op.drop_index("ix_customers_name", table_name="customers")
    op.drop_index("ix_customers_first_key", table_name="customers")
    op.drop_index("ix_customers_email_key", table_name="customers")
    op.drop_index("ix_customers_company_key", table_name="customers")
    op.drop_index("ix_customers_alt_phone_key", table_name="customers")

    op.drop_table("customers")
    op.drop_table("customer_types")
    op.drop_table("counters")
    op.drop_table("batches")
    op.drop_index(op.f("ix_audit_events_order_id"), table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_customer_id"), table_name="audit_events")

    op.drop_table("audit_events")
