"""The demo data generators: realistic, valid and deterministic, before any database is involved."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

import phonenumbers
import pytest
from email_validator import validate_email

from oms_core.clock import StoppedClock
from oms_core.demo.catalogue import build_catalogue
from oms_core.demo.orders import OrderBook, make_orders, order_history
from oms_core.demo.people import ADDRESS_COLUMNS, CARD_COLUMNS, CUSTOMER_COLUMNS, CustomerFactory
from oms_core.demo.phones import PhonePool
from oms_core.demo.places import PLACES
from oms_core.demo.plan import SeedPlan
from oms_core.demo.reference import CUSTOMER_TYPES, OPERATORS, SHIPPING_METHODS, TAX_RATES
from oms_core.domain.addresses import US_STATES, address_problems
from oms_core.domain.customers import Address
from oms_core.domain.errors import ValidationError
from oms_core.domain.money import ZERO, money
from oms_core.domain.orders import OrderStatus
from oms_core.domain.tax import TaxTable
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.contact import normalize_email

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def phones() -> PhonePool:
    return PhonePool(random.Random("test:phones"))


def _factory(phones: PhonePool, seed: str = "test", keep: set[int] | None = None) -> CustomerFactory:
    return CustomerFactory(random.Random(seed), phones, NOW, first_number=1, first_ids=(1, 1, 1), keep=keep)


def _as_dicts(columns: tuple[str, ...], rows: list[tuple]) -> list[dict]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


def test_every_place_is_a_real_state_with_five_digit_zips_and_area_codes():
    for place in PLACES:
        assert place.state in US_STATES
        assert place.zips and all(len(z) == 5 and z.isdigit() for z in place.zips)
        assert place.area_codes and all(len(a) == 3 and a.isdigit() for a in place.area_codes)


def test_every_seeded_customer_has_a_valid_e164_phone_in_an_area_code_of_their_city(phones):
    batch = _factory(phones).batch(3_000)
    customers = _as_dicts(CUSTOMER_COLUMNS, batch.customers)
    homes = {
        a["customer_id"]: a for a in _as_dicts(ADDRESS_COLUMNS, batch.addresses) if a["is_default_billing"]
    }
    codes = {(p.city, p.state): p.area_codes for p in PLACES}
    for customer in customers:
        for number in filter(None, (customer["phone"], customer["alt_phone"])):
            parsed = phonenumbers.parse(number, None)
            assert phonenumbers.is_valid_number(parsed), number
            assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
        home = homes[customer["id"]]
        assert customer["phone"][2:5] in codes[(home["city"], home["state"])]
        assert customer["phone_key"] == customer["phone"][2:]


def test_every_seeded_customer_has_exactly_one_default_billing_and_one_default_shipping_address(phones):
    batch = _factory(phones).batch(2_000)
    addresses = _as_dicts(ADDRESS_COLUMNS, batch.addresses)
    for customer_id in (row[0] for row in batch.customers):
        own = [a for a in addresses if a["customer_id"] == customer_id]
        assert 1 <= len(own) <= 2
        assert sum(a["is_default_billing"] for a in own) == 1
        assert sum(a["is_default_shipping"] for a in own) == 1
        for a in own:
            address = Address(*(a[name] for name in ADDRESS_COLUMNS[3:12]))
            assert address_problems(address) == []


def test_seeded_emails_are_valid_unique_and_on_reserved_example_domains(phones):
    emails = [c["email"] for c in _as_dicts(CUSTOMER_COLUMNS, _factory(phones).batch(2_000).customers)]
    present = [e for e in emails if e]
    assert len(present) > 1_700
    assert len(set(present)) == len(present)
    for email in present[:300]:
        assert normalize_email(email) == email
        assert validate_email(email, check_deliverability=False).domain.endswith(
            ("example.com", "example.net", "example.org")
        )


def test_search_keys_are_the_lower_cased_values_the_repositories_would_store(phones):
    for c in _as_dicts(CUSTOMER_COLUMNS, _factory(phones).batch(500).customers):
        assert c["last_key"] == c["last_name"].lower()
        assert c["first_key"] == c["first_name"].lower()
        assert c["company_key"] == c["company"].lower()
        assert c["email_key"] == c["email"].lower()


def test_customer_types_include_retail_wholesale_and_two_card_on_file_clubs_with_members(phones):
    types = {t.code: t for t in CUSTOMER_TYPES}
    assert types["WHOLESALE"].discount_percent == Decimal("15")
    assert "on_account" in {m.value for m in types["WHOLESALE"].payment_methods}
    clubs = [t for t in CUSTOMER_TYPES if t.is_club]
    assert sorted(t.name for t in clubs) == ["Cellar Club", "Reserve Club"]
    assert all({m.value for m in t.payment_methods} == {"card_on_file"} for t in clubs)
    batch = _factory(phones).batch(3_000)
    customers = _as_dicts(CUSTOMER_COLUMNS, batch.customers)
    carded = {card[1] for card in batch.cards}
    members = [c for c in customers if c["type_code"] in ("CELLAR", "RESERVE")]
    assert members and all(c["id"] in carded for c in members)  # clubs charge the card on file
    assert any(c["status"] == "on_hold" for c in members)
    assert any(c["preferred_pickup"] for c in members)
    assert all(c["company"] for c in customers if c["type_code"] == "WHOLESALE")


def test_cards_on_file_are_test_gateway_tokens_and_a_few_decline(phones):
    cards = _as_dicts(CARD_COLUMNS, _factory(phones).batch(3_000).cards)
    assert all(c["token"].startswith(("tok_test_", "tok_decline_")) for c in cards)
    assert all(c["token"].split("_")[2] == c["last4"] for c in cards)
    declines = [c for c in cards if c["token"].startswith("tok_decline_")]
    assert 0 < len(declines) < len(cards) * 0.1
    assert all(c["exp_year"] > NOW.year and 1 <= c["exp_month"] <= 12 for c in cards)
    gateway = TestGateway(StoppedClock(NOW))
    approving = next(c for c in cards if c not in declines)
    assert gateway.authorize(approving["token"], money(5), "k1").approved
    assert not gateway.authorize(declines[0]["token"], money(5), "k2").approved


def test_the_same_seed_gives_the_same_customers_and_another_seed_does_not(phones):
    first = _factory(phones, "same").batch(300)
    again = _factory(phones, "same").batch(300)
    other = _factory(phones, "other").batch(300)
    assert (
        first.customers == again.customers
        and first.addresses == again.addresses
        and first.cards == again.cards
    )
    assert first.customers != other.customers


def test_batches_continue_numbers_and_ids():
    factory = CustomerFactory(
        random.Random(1), PhonePool(random.Random(1)), NOW, first_number=41, first_ids=(100, 200, 300)
    )
    first, second = factory.batch(10), factory.batch(10)
    assert [row[1] for row in first.customers][:2] == ["C000041", "C000042"]
    assert second.customers[0][0] == 110 and second.customers[0][1] == "C000051"
    assert first.addresses[0][0] == 200 and first.addresses[0][1] == 100
    assert second.addresses[0][0] == first.addresses[-1][0] + 1


def test_the_catalogue_has_wines_gifts_and_accessories_with_unique_skus():
    products = build_catalogue(random.Random(7), 300, set())
    skus = [p.sku for p in products]
    assert len(skus) == len(set(skus)) == 300
    assert sum(p.sku.startswith("GIFT-") for p in products) >= 10
    assert sum(p.sku.startswith("ACC-") for p in products) >= 10
    assert sum("Cabernet" in p.name or "Pinot" in p.name or "Chardonnay" in p.name for p in products) > 20
    assert any(p.allow_backorder for p in products) and any(not p.active for p in products)
    assert all(p.list_price > 0 and p.weight_lb > 0 and p.stock_on_hand >= 0 for p in products)
    assert not next(p for p in products if p.sku == "GIFT-CARD-25").taxable


def test_a_second_catalogue_never_reuses_a_taken_sku():
    taken: set[str] = set()
    first = build_catalogue(random.Random(7), 500, taken)
    second = build_catalogue(random.Random(7), 500, taken)
    assert not {p.sku for p in first} & {p.sku for p in second}
    assert len(taken) == 1_000


def test_negative_counts_are_refused():
    with pytest.raises(ValidationError, match="--orders cannot be negative"):
        SeedPlan(customers=1, products=1, orders=-1).check()


def test_tax_rates_cover_every_state_and_some_tax_shipping():
    regions = {rate.region for rate in TAX_RATES}
    assert regions >= {p.state for p in PLACES}
    assert len(regions) == 51
    assert any(rate.taxes_shipping for rate in TAX_RATES) and any(
        not rate.taxes_shipping for rate in TAX_RATES
    )


def _book(phones: PhonePool, customers: int = 400, products: int = 60) -> OrderBook:
    factory = _factory(phones, keep=set(range(customers)))
    factory.batch(customers)
    catalogue = build_catalogue(random.Random(3), products, set())
    for product_id, product in enumerate(catalogue, start=1):
        product.id = product_id
    return OrderBook(
        customers=factory.kept,
        products={p.id: p for p in catalogue},
        types={t.code: t for t in CUSTOMER_TYPES},
        taxes=TaxTable(list(TAX_RATES)),
        methods={m.code: m for m in SHIPPING_METHODS},
        operators=[op.username for op in OPERATORS],
    )


def test_seeded_orders_total_their_lines_shipping_and_tax_as_placed_orders_do(phones):
    book = _book(phones)
    numbers = iter(range(1001, 2000))
    made = make_orders(
        random.Random(5), book, 200, lambda: next(numbers), TestGateway(StoppedClock(NOW)), NOW
    )
    assert len(made) == 200
    for seeded in made:
        order = seeded.order
        assert order.status is not OrderStatus.DRAFT and order.lines
        line_sum = money(sum((line.line_total for line in order.lines), ZERO))
        tax = money(sum((line.line_tax for line in order.lines), ZERO) + order.shipping_tax)
        assert order.subtotal == line_sum
        assert order.total == money(line_sum + order.shipping_charge + tax)
        assert order.payments[0].amount == order.total
        assert seeded.events[0].action == "placed"


def test_seeded_orders_are_numbered_in_time_order_and_never_oversell_stock(phones):
    book = _book(phones)
    before = {p.id: p.stock_on_hand for p in book.products.values()}
    numbers = iter(range(1001, 5000))
    made = make_orders(
        random.Random(5), book, 1500, lambda: next(numbers), TestGateway(StoppedClock(NOW)), NOW
    )
    assert len(made) == 1500  # exactly as many as asked: stock is received, never oversold
    placed = [m.order.placed_at for m in made]
    assert placed == sorted(placed)
    assert [m.order.number for m in made] == list(range(1001, 2501))
    received: dict[int, int] = {}
    for m in made:
        for receipt in m.receipts:
            assert receipt.action == "stock received" and receipt.order_id is None
            sku, _, amount = receipt.detail.partition(": ")
            product = next(p for p in book.products.values() if p.sku == sku)
            received[product.id] = received.get(product.id, 0) + int(amount.split()[0])
    assert received  # 1,500 orders on 60 products run through the opening stock
    for product in book.products.values():
        assert product.stock_on_hand >= 0
        kept = sum(
            line.quantity
            for m in made
            if m.order.status is not OrderStatus.CANCELLED
            for line in m.order.lines
            if line.product_id == product.id
        )
        assert before[product.id] + received.get(product.id, 0) - product.stock_on_hand == kept


def test_seeded_orders_stock_never_goes_below_zero_at_any_point(phones):
    book = _book(phones, products=5)
    stock = {p.id: p.stock_on_hand for p in book.products.values()}
    numbers = iter(range(1, 10_000))
    for seeded in order_history(
        random.Random(2), book, 400, lambda: next(numbers), TestGateway(StoppedClock(NOW)), NOW
    ):
        for receipt in seeded.receipts:
            sku, _, amount = receipt.detail.partition(": ")
            stock[next(p.id for p in book.products.values() if p.sku == sku)] += int(amount.split()[0])
        for line in seeded.order.lines:
            stock[line.product_id] -= line.quantity
            assert stock[line.product_id] >= 0, line.sku
        if seeded.order.status is OrderStatus.CANCELLED:
            for line in seeded.order.lines:
                stock[line.product_id] += line.quantity
    assert stock == {p.id: p.stock_on_hand for p in book.products.values()}


def test_a_year_of_seeded_orders_has_every_status_source_operator_and_some_holds(phones):
    book = _book(phones)
    numbers = iter(range(1, 20_000))
    made = make_orders(
        random.Random(8), book, 6000, lambda: next(numbers), TestGateway(StoppedClock(NOW)), NOW
    )
    orders = [m.order for m in made]
    statuses = {o.status for o in orders}
    assert {OrderStatus.PLACED, OrderStatus.RELEASED, OrderStatus.SHIPPED, OrderStatus.DELIVERED} <= statuses
    assert OrderStatus.CANCELLED in statuses
    assert {str(o.source) for o in orders} == {"phone", "email", "fax"}
    assert {o.operator for o in orders} == {op.username for op in OPERATORS}
    held = [o for o in orders if o.hold is not None]
    assert held and all(o.status is OrderStatus.PLACED for o in held)
    ages = [(NOW - o.placed_at).days for o in orders]
    assert max(ages) >= 300 and min(ages) == 0  # spread over a year, up to today
    for m in made:  # each step's event, in time order, after the placing
        assert [e.at for e in m.events] == sorted(e.at for e in m.events)
        if m.order.status is OrderStatus.CANCELLED:
            assert m.events[-1].action == "cancelled"
            assert all(p.status.value in ("voided", "refunded") for p in m.order.payments)


def test_club_members_pay_with_their_card_on_file_and_pickup_lovers_use_will_call(phones):
    book = _book(phones, customers=600)
    numbers = iter(range(1, 10_000))
    made = make_orders(
        random.Random(9), book, 400, lambda: next(numbers), TestGateway(StoppedClock(NOW)), NOW
    )
    by_id = {c.id: c for c in book.customers}
    for seeded in made:
        customer = by_id[seeded.order.customer_id]
        if customer.type_code in ("CELLAR", "RESERVE"):
            assert seeded.order.payment_choice.method.value == "card_on_file"
        if customer.preferred_pickup:
            assert seeded.order.shipping_method == "WILLCALL"
        assert customer.status.value == "active"


def test_orders_heavier_than_60_lb_go_by_freight_and_lines_carry_the_catalogue_s_weight(phones):
    # The method was chosen before the lines had their weights, so no seeded order went by freight.
    book = _book(phones, customers=600)
    numbers = iter(range(1, 10_000))
    made = make_orders(
        random.Random(9), book, 600, lambda: next(numbers), TestGateway(StoppedClock(NOW)), NOW
    )
    for seeded in made:
        order = seeded.order
        for line in order.lines:
            assert line.weight_lb == book.products[line.product_id].weight_lb
        if order.weight_lb > 60 and order.shipping_method != "WILLCALL":
            assert order.shipping_method == "FREIGHT"
    assert any(m.order.shipping_method == "FREIGHT" for m in made)
