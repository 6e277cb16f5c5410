"""Every table of the oms database, as SQLAlchemy Core ``Table`` objects on one ``MetaData``.

Money is integer cents (``*_cents`` columns); timestamps are :class:`~oms_core.storage.types.UtcDateTime`.
The ``*_key`` columns on customers and products are lower-cased search keys kept by the repositories
(bulk loads compute them with the repositories' functions); on PostgreSQL they sort byte-wise
(``COLLATE "C"``) so that prefix ranges use their b-tree indexes exactly as on SQLite.

This module is the live model. The migrations under ``migrations/versions`` are frozen copies: change a
table here and add a revision there.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    or_,
    true,
)

from oms_core.storage.types import ID, ExactDecimal, UtcDateTime, key_string

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ORDER_COUNTER = "order"
CUSTOMER_COUNTER = "customer"
FIRST_ORDER_NUMBER = 1001
"""The order counter starts at ``FIRST_ORDER_NUMBER - 1``; customer numbers start at ``C000001``."""

customer_types = Table(
    "customer_types",
    metadata,
    Column("id", ID, primary_key=True),
    Column("code", String(20), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("discount_percent", ExactDecimal(5, 2), nullable=False),
    Column("payment_methods", Text, nullable=False),  # comma-joined PaymentMethod values
    Column("is_club", Boolean, nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("id", ID, primary_key=True),
    Column("sku", key_string(64), nullable=False, unique=True),  # upper-case
    Column("name", String(200), nullable=False),
    Column("name_key", String(200), nullable=False),  # lower-case, for "name contains"
    Column("list_price_cents", BigInteger, nullable=False),
    Column("taxable", Boolean, nullable=False),
    Column("weight_lb", ExactDecimal(10, 3), nullable=False),
    Column("stock_on_hand", Integer, nullable=False),
    Column("allow_backorder", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    # False: the list price for every customer type (gift cards, deposits).
    Column("discountable", Boolean, nullable=False, server_default=true()),
)

price_list_items = Table(
    "price_list_items",
    metadata,
    Column("type_id", ID, ForeignKey("customer_types.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ID, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    Column("price_cents", BigInteger, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("id", ID, primary_key=True),
    Column("number", key_string(20), nullable=False, unique=True),  # upper-case, C000123
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("company", String(200), nullable=False),
    Column("email", String(254), nullable=False),
    Column("phone", String(20), nullable=False),  # E.164
    Column("alt_phone", String(20), nullable=False),  # E.164
    Column("type_code", String(20), nullable=False),
    Column("tax_exempt", Boolean, nullable=False),
    Column("notes", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("preferred_pickup", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("last_key", key_string(100), nullable=False),
    Column("first_key", key_string(100), nullable=False),
    Column("company_key", key_string(200), nullable=False),
    Column("email_key", key_string(254), nullable=False),
    Column("phone_key", key_string(20), nullable=False),  # national digits: 5035551234
    Column("alt_phone_key", key_string(20), nullable=False),
    Column("phone_tail", key_string(4), nullable=False, server_default=""),  # last 4 digits: 1234
    # The home address's (default ship-to, else first) ZIP and city+state: 02134, "boston ma".
    Column("postal_key", key_string(20), nullable=False, server_default=""),
    Column("place_key", key_string(160), nullable=False, server_default=""),
    Index("ix_customers_name", "last_key", "first_key", "number"),
    Index("ix_customers_first_key", "first_key", "last_key", "number"),
    Index("ix_customers_company_key", "company_key"),
    Index("ix_customers_email_key", "email_key"),
    Index("ix_customers_phone_key", "phone_key"),
    Index("ix_customers_alt_phone_key", "alt_phone_key"),
    Index("ix_customers_phone_tail", "phone_tail", "id"),
    Index("ix_customers_postal_name", "postal_key", "last_key", "first_key", "number"),
    Index("ix_customers_place_name", "place_key", "last_key", "first_key", "number"),
    Index("ix_customers_type_status", "type_code", "status", "number"),
)

addresses = Table(
    "addresses",
    metadata,
    Column("id", ID, primary_key=True),
    Column("customer_id", ID, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(100), nullable=False),
    Column("name", String(200), nullable=False),
    Column("company", String(200), nullable=False),
    Column("address1", String(200), nullable=False),
    Column("address2", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("state", String(50), nullable=False),
    Column("zip", String(20), nullable=False),
    Column("country", String(2), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("is_default_billing", Boolean, nullable=False),
    Column("is_default_shipping", Boolean, nullable=False),
    # A customer's book in id order: its first address is one index probe (migration 0021).
    Index("ix_addresses_customer_first", "customer_id", "id"),
)
# Only the entries that are a default (one or two per customer): a customer with 500 addresses
# finds its defaults as quickly as a customer with one (migration 0021). A query reads it when its
# WHERE implies this one's, e.g. ``is_default_shipping OR is_default_billing`` or either alone.
IS_A_DEFAULT_ADDRESS = or_(addresses.c.is_default_shipping, addresses.c.is_default_billing)
ADDRESS_DEFAULTS_INDEX = Index("ix_addresses_defaults", addresses.c.customer_id)
"""Partial on both backends (migration 0021); its condition is attached for the backend in use by
:func:`use_dialect`: naming both backends' options here would load PostgreSQL's dialect module
into every SQLite start-up (tens of milliseconds) just to check the option's name."""

_PARTIAL_INDEXES = ((ADDRESS_DEFAULTS_INDEX, IS_A_DEFAULT_ADDRESS),)


def use_dialect(name: str) -> None:
    """Attach the partial indexes' conditions for dialect ``name`` (``"sqlite"`` or ``"postgresql"``),
    so that building them from these tables (a big load rebuilds them) makes them partial there too.
    Idempotent; called when an engine is made.
    """
    for index, where in _PARTIAL_INDEXES:
        index.dialect_options[name]["where"] = where


# A card on file keeps the gateway's token and what may be shown: never a number or a security code.
cards = Table(
    "cards",
    metadata,
    Column("id", ID, primary_key=True),
    Column("customer_id", ID, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token", String(200), nullable=False),
    Column("brand", String(30), nullable=False),
    Column("last4", String(4), nullable=False),
    Column("exp_month", Integer, nullable=False),
    Column("exp_year", Integer, nullable=False),
)

shipping_methods = Table(
    "shipping_methods",
    metadata,
    Column("id", ID, primary_key=True),
    Column("code", String(20), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("per_item_cents", BigInteger, nullable=False),
    Column("tiers_json", Text, nullable=False),  # [["5.000", 795], ...]: max weight lb, charge cents
    Column("free_over_cents", BigInteger, nullable=True),
    Column("active", Boolean, nullable=False),
)

tax_rates = Table(
    "tax_rates",
    metadata,
    Column("region", String(10), primary_key=True),
    Column("rate", ExactDecimal(7, 5), nullable=False),
    Column("taxes_shipping", Boolean, nullable=False),
)

operators = Table(
    "operators",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(30), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

ADDRESS_FIELDS = ("name", "company", "address1", "address2", "city", "state", "zip", "country", "phone")


def _address_columns(prefix: str) -> list[Column[str]]:
    return [Column(f"{prefix}_{name}", String(200), nullable=True) for name in ADDRESS_FIELDS]


orders = Table(
    "orders",
    metadata,
    Column("id", ID, primary_key=True),
    Column("number", BigInteger, nullable=True, unique=True),
    Column("status", String(20), nullable=False),
    Column("source", String(20), nullable=False),
    Column("customer_id", ID, ForeignKey("customers.id"), nullable=True),
    Column("operator", String(64), nullable=False),
    *_address_columns("bill"),
    *_address_columns("ship"),
    Column("ship_to_address_id", ID, nullable=True),  # no FK: the address is copied onto the order
    Column("shipping_method", String(20), nullable=False),
    Column("shipping_cents", BigInteger, nullable=False),
    Column("shipping_tax_cents", BigInteger, nullable=False),
    Column("subtotal_cents", BigInteger, nullable=False),
    Column("tax_cents", BigInteger, nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("payment_method", String(20), nullable=True),
    Column("payment_card_id", ID, nullable=True),
    Column("payment_token", String(200), nullable=True),
    Column("payment_brand", String(30), nullable=True),
    Column("payment_last4", String(4), nullable=True),
    Column("payment_exp_month", Integer, nullable=True),
    Column("payment_exp_year", Integer, nullable=True),
    Column("payment_check_number", String(30), nullable=True),
    Column("gift_message", Text, nullable=False),
    Column("notes", Text, nullable=False),
    Column("batch_key", String(200), nullable=True, index=True, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("placed_at", UtcDateTime, nullable=True),
    # The order's hold (migration 0011): held with its reason, note, who and when, or not held.
    Column("held", Boolean, nullable=False, server_default=false()),
    Column("hold_reason", String(30), nullable=True),
    Column("hold_note", String(200), nullable=False, server_default=""),
    Column("hold_by", String(64), nullable=True),
    Column("hold_at", UtcDateTime, nullable=True),
    # On a change draft, the placed order it changes (migration 0013). No foreign key: the draft is
    # deleted when the change is applied, and an ALTER TABLE cannot add one on SQLite.
    Column("changes_order_id", ID, nullable=True),
    # Checkout's "send confirmation" box and where a draft was left, cart or checkout (migration 0014).
    Column("send_confirmation", Boolean, nullable=False, server_default=true()),
    Column("draft_stage", String(20), nullable=False, server_default="cart"),
    Column("version", Integer, nullable=False),
    Index("ix_orders_status_updated_at", "status", "updated_at"),
    # My drafts: one operator's drafts, most recently edited first (migration 0022).
    Index("ix_orders_status_operator_updated", "status", "operator", "updated_at", "id"),
    # The order list, newest first, under each of its filters (migration 0006).
    Index("ix_orders_status_placed", "status", "placed_at", "id"),
    Index("ix_orders_customer_placed", "customer_id", "status", "placed_at", "id"),
    Index("ix_orders_status_operator_placed", "status", "operator", "placed_at", "id"),
    # An operator with a source (migration 0016).
    Index("ix_orders_status_operator_source_placed", "status", "operator", "source", "placed_at", "id"),
    Index("ix_orders_status_source_placed", "status", "source", "placed_at", "id"),
    Index("ix_orders_status_held_placed", "status", "held", "placed_at", "id"),
    Index("ix_orders_changes_order_id", "changes_order_id"),
    # A customer's story pages their orders newest first whatever the status (migration 0014).
    Index("ix_orders_customer_story", "customer_id", "placed_at", "id"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_id", ID, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("product_id", ID, ForeignKey("products.id"), nullable=False, index=True),
    Column("sku", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_cents", BigInteger, nullable=False),
    Column("price_override_cents", BigInteger, nullable=True),
    Column("override_reason", String(200), nullable=False),
    Column("taxable", Boolean, nullable=False),
    Column("weight_lb", ExactDecimal(10, 3), nullable=False),
    Column("line_tax_cents", BigInteger, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_id", ID, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("method", String(20), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("status", String(20), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("token", String(200), nullable=False),
    Column("brand", String(30), nullable=False),
    Column("last4", String(4), nullable=False),
    Column("exp_month", Integer, nullable=True),
    Column("exp_year", Integer, nullable=True),
    Column("check_number", String(30), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Append-only; no foreign keys, so the trail outlives a discarded draft.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_id", ID, nullable=True, index=True),
    Column("customer_id", ID, nullable=True, index=True),
    Column("operator", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("detail", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
)

# Batch jobs (bulk orders, club shipments) and spreadsheet imports: tables only, used by later features.
batches = Table(
    "batches",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(20), nullable=False),  # 'bulk' | 'club'
    Column("name", String(200), nullable=False),
    Column("club_type_code", String(20), nullable=True),
    Column("ship_date", Date, nullable=True),
    Column("shipping_method", String(20), nullable=False),
    Column("payment_policy", String(30), nullable=False),
    Column("lines_json", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # A kind's batches newest first, a page at a time (migration 0020).
    Index("ix_batches_kind_created", "kind", "created_at", "id"),
)

batch_members = Table(
    "batch_members",
    metadata,
    Column("id", ID, primary_key=True),
    Column("batch_id", ID, ForeignKey("batches.id", ondelete="CASCADE"), nullable=False),
    Column("customer_id", ID, ForeignKey("customers.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),  # 'pending' | 'placed' | 'failed' | 'skipped'
    Column("order_id", ID, nullable=True),
    Column("reason", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("batch_id", "customer_id", name="uq_batch_members_batch_customer"),
    # A batch's members a page at a time, all or in one status (migration 0007).
    Index("ix_batch_members_batch_id_id", "batch_id", "id"),
    Index("ix_batch_members_batch_status_id", "batch_id", "status", "id"),
)

import_files = Table(
    "import_files",
    metadata,
    Column("id", ID, primary_key=True),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("filename", String(500), nullable=False),
    Column("purchaser_id", ID, nullable=True),
    Column("operator", String(64), nullable=False),
    Column("order_count", Integer, nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
)

# Mail to customers, queued in the transaction of the event it tells of and sent after the commit.
outbox = Table(
    "outbox",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("to_address", String(320), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("order_id", ID, nullable=True, index=True),
    Column("customer_id", ID, nullable=True, index=True),
    Column("status", String(10), nullable=False),  # 'pending' | 'sending' | 'sent' | 'failed'
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    # The sender's query: what is due, oldest first.
    Index("ix_outbox_due", "status", "next_attempt_at"),
    # A customer's story: the mail sent to them, newest first (migration 0014).
    Index("ix_outbox_customer_story", "customer_id", "created_at", "id"),
)

# After the sale: releases to the warehouse and shipments (whole or part) with their lines.
order_releases = Table(
    "order_releases",
    metadata,
    Column("order_id", ID, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("released_at", UtcDateTime, nullable=False),
    Column("released_by", String(64), nullable=False),
    # The picklist reads "released since the last run" in this order.
    Index("ix_order_releases_released_at", "released_at", "order_id"),
)

call_notes = Table(
    "call_notes",
    metadata,
    Column("id", ID, primary_key=True),
    Column("customer_id", ID, ForeignKey("customers.id", ondelete="CASCADE"), nullable=True),
    Column("order_id", ID, ForeignKey("orders.id", ondelete="CASCADE"), nullable=True),
    Column("author", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("text", Text, nullable=False),
    # The Customer and Order screens list notes newest first (migration 0012).
    Index("ix_call_notes_customer", "customer_id", "at", "id"),
    Index("ix_call_notes_order", "order_id", "at", "id"),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_id", ID, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("carrier", String(40), nullable=False),
    Column("service", String(60), nullable=False),
    Column("tracking_number", String(60), nullable=False),
    Column("shipped_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("capture", Text, nullable=False),
    # The order's customer, copied when the shipment is stored (migration 0018), so a customer's
    # story reads their shipments by its own index instead of through every order they placed.
    Column("customer_id", ID, nullable=True),
    Index("ix_shipments_customer_story", "customer_id", "shipped_at", "id"),
)

shipment_lines = Table(
    "shipment_lines",
    metadata,
    Column("id", ID, primary_key=True),
    Column("shipment_id", ID, ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("order_line_id", ID, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
)

# Every request to the payment gateway, recorded before it is sent (oms_core.domain.gateway_calls):
# a crash between the steps of placing leaves a pending row that reconciliation finishes. No card
# number or security code: the gateway's token, brand and last four only.
gateway_calls = Table(
    "gateway_calls",
    metadata,
    Column("id", ID, primary_key=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("base_key", String(200), nullable=False, index=True),
    Column("action", String(10), nullable=False),  # 'authorize' | 'capture' | 'void' | 'refund'
    Column("status", String(10), nullable=False),  # pending, approved, declined, unknown, voided, not_sent
    Column("purpose", String(10), nullable=False),  # 'checkout' | 'batch' | 'payment' | 'change'
    Column("amount_cents", BigInteger, nullable=False),
    Column("order_id", ID, nullable=True, index=True),
    Column("batch_key", String(200), nullable=False),
    Column("token", String(200), nullable=False),
    Column("brand", String(30), nullable=False),
    Column("last4", String(4), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("code", String(60), nullable=False),
    Column("holds_json", Text, nullable=False),  # [[product_id, quantity], ...]: stock to give back
    Column("draft_version", Integer, nullable=True),
    Column("owner", String(120), nullable=False),  # host:pid of the process waiting on it
    Column("operator", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # Reconciliation's query: what is not settled yet.
    Index("ix_gateway_calls_status", "status"),
)

# Returns (RMAs) of shipped goods, their refunds, and store credit (oms_core.domain.returns).
returns = Table(
    "returns",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_id", ID, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("customer_id", ID, nullable=True),
    Column("reason", String(30), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("exchange_order_id", ID, nullable=True),
    # A customer's returns newest first; every return newest first (`oms returns list`).
    Index("ix_returns_customer", "customer_id", "created_at", "id"),
    Index("ix_returns_created", "created_at", "id"),
)

return_lines = Table(
    "return_lines",
    metadata,
    Column("id", ID, primary_key=True),
    Column("return_id", ID, ForeignKey("returns.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("order_line_id", ID, nullable=False),
    Column("product_id", ID, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("disposition", String(10), nullable=False),  # 'restock' | 'write_off'
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", ID, primary_key=True),
    Column("return_id", ID, ForeignKey("returns.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("order_id", ID, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("customer_id", ID, nullable=True),
    Column("method", String(20), nullable=False),  # 'card' | 'check' | 'store_credit'
    Column("amount_cents", BigInteger, nullable=False),
    Column("status", String(10), nullable=False),  # 'pending' | 'refunded' | 'failed'
    Column("includes_shipping", Boolean, nullable=False),
    Column("check_number", String(30), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("card_label", String(60), nullable=False),
    # The card refund's gateway call (its base key): reconciliation finishes the refund through it.
    Column("call_key", String(200), nullable=False, index=True),
    Column("failure", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
)

# A customer's store credit: one balance row, changed only by guarded updates (never below zero),
# and every movement in the entries beside it.
store_credit = Table(
    "store_credit",
    metadata,
    Column("customer_id", ID, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("balance_cents", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("balance_cents >= 0", name="not_negative"),
)

store_credit_entries = Table(
    "store_credit_entries",
    metadata,
    Column("id", ID, primary_key=True),
    Column("customer_id", ID, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),  # positive: given; negative: spent
    Column("what", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("by", String(64), nullable=False),
    Column("order_id", ID, nullable=True),
    Column("return_id", ID, nullable=True),
    Index("ix_store_credit_entries_customer", "customer_id", "at", "id"),
)
