"""The price-cut limit cannot be got round: it is checked at placing against the final customer's
price, and a customer's type, tax exemption and status change only with a supervisor, on the record."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from oms_core.domain.customers import Address
from oms_core.domain.errors import PermissionDenied, ValidationError
from oms_core.domain.payments import CardEntry
from oms_core.payments.test_gateway import TestGateway
from oms_core.read_models import CustomerDetail
from oms_core.services.context import ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, FakeUnitOfWorkFactory, FixedClock, opener

HOME = Address(name="Ann Smith", address1="1 Main St", city="Fresno", state="CA", zip="93650")


def _services(factory: FakeUnitOfWorkFactory, clock: FixedClock, operator: str) -> Services:
    context = ServiceContext(
        uow_factory=factory,
        gateway=TestGateway(clock),
        clock=clock,
        operator_username=operator,
    )
    return Services.build(context)


@pytest.fixture
def alice(fake_factory: FakeUnitOfWorkFactory, clock: FixedClock) -> Services:
    return _services(fake_factory, clock, "alice")  # an operator


@pytest.fixture
def sam(fake_factory: FakeUnitOfWorkFactory, clock: FixedClock) -> Services:
    return _services(fake_factory, clock, "sam")  # a supervisor


def _customer(services: Services, name: str, type_code: str = "RETAIL") -> CustomerDetail:
    data = CustomerInput(first_name=name, last_name="Smith", address=HOME, type_code=type_code)
    created = opener(services, data).customers.create(data, allow_duplicate=True).customer
    assert created is not None
    services.customers.add_card(created.id, CardEntry("4111111111111111", 4, 2030))
    return services.customers.get(created.id)


def _club_draft_cut_by_9_percent(alice: Services, member: CustomerDetail) -> int:
    cart = alice.cart.add_line(alice.cart.start(member.id).id, SKU_CABERNET, 1)
    assert cart.lines[0].unit_price == Decimal("31.50")  # the club's price (10% off 35.00)
    cart = alice.cart.override_price(cart.id, cart.lines[0].id, Decimal("28.70"), "loyal member")  # 8.9%
    return cart.id


def test_a_cut_within_the_limit_for_a_member_is_refused_at_placing_for_a_retail_customer(alice, sam):
    member = _customer(alice, "Member", "WINECLUB")
    retail = _customer(alice, "Retail")
    draft_id = _club_draft_cut_by_9_percent(alice, member)
    cart = alice.cart.attach_customer(draft_id, retail.id)
    assert (cart.lines[0].unit_price, cart.lines[0].price_override) == (Decimal("35.00"), Decimal("28.70"))

    problems = alice.checkout.problems(draft_id)
    assert ("lines", f"{SKU_CABERNET}: 28.70 is 18% under this customer's price 35.00, over the 10% "
            "limit: a supervisor places it") in problems  # fmt: skip
    with pytest.raises(ValidationError, match="over the 10% limit"):
        alice.checkout.place(draft_id)
    assert alice.cart.get(draft_id).lines[0].price_override == Decimal("28.70")  # still a draft

    placed = sam.checkout.place(draft_id)  # a supervisor may agree to it
    assert placed.number is not None


def test_a_type_change_after_the_cut_is_caught_at_placing(alice, sam):
    member = _customer(alice, "Member", "WINECLUB")
    draft_id = _club_draft_cut_by_9_percent(alice, member)
    sam.customers.update(
        member.id, member.version, CustomerInput(first_name="Member", last_name="Smith", type_code="RETAIL")
    )
    with pytest.raises(ValidationError, match="18% under this customer's price 35.00"):
        alice.checkout.place(draft_id)


def test_the_limit_is_not_in_the_way_of_a_cut_that_is_still_within_it(alice):
    member = _customer(alice, "Member", "WINECLUB")
    draft_id = _club_draft_cut_by_9_percent(alice, member)
    assert alice.checkout.place(draft_id).number is not None


@pytest.mark.parametrize(
    ("change", "recorded"),
    [
        ({"type_code": "WHOLESALE"}, "type RETAIL -> WHOLESALE"),
        ({"tax_exempt": True}, "tax exempt no -> yes"),
        ({"status": "on_hold"}, "status active -> on hold"),
    ],
)
def test_type_tax_exemption_and_status_change_only_with_a_supervisor_and_on_the_record(
    alice, sam, fake_factory, change, recorded
):
    ann = _customer(alice, "Ann")
    form = replace(CustomerInput(first_name="Ann", last_name="Smith"), **change)
    with pytest.raises(PermissionDenied, match="needs a supervisor; alice is operator"):
        alice.customers.update(ann.id, ann.version, form)
    assert alice.customers.get(ann.id).version == ann.version  # nothing saved

    sam.customers.update(ann.id, ann.version, form)
    audit = fake_factory.store.audit
    events = [(e.operator, e.action, e.detail) for e in audit if e.customer_id == ann.id]
    assert ("sam", "customer terms changed", f"{ann.number}: {recorded}") in events


@pytest.mark.parametrize(
    ("terms", "recorded"),
    [
        ({"type_code": "WHOLESALE"}, "type RETAIL -> WHOLESALE"),
        ({"tax_exempt": True}, "tax exempt no -> yes"),
        ({"status": "on_hold"}, "status active -> on hold"),
    ],
)
def test_a_customer_is_opened_on_other_terms_only_by_a_supervisor_and_on_the_record(
    alice, sam, fake_factory, terms, recorded
):
    # Before, only a change of terms was checked: a plain operator could open a new wholesale or
    # tax-exempt record instead, and order at its prices at once.
    form = replace(CustomerInput(first_name="Ann", last_name="Smith", address=HOME), **terms)
    with pytest.raises(PermissionDenied, match="needs a supervisor; alice is operator"):
        alice.customers.create(form)
    assert not fake_factory.store.customers  # nothing saved

    created = sam.customers.create(form).customer
    assert created is not None
    audit = fake_factory.store.audit
    events = [(e.operator, e.action, e.detail) for e in audit if e.customer_id == created.id]
    assert ("sam", "customer terms changed", f"{created.number}: {recorded}") in events


def test_an_operator_still_opens_a_plain_new_customer(alice):
    form = CustomerInput(first_name="Ann", last_name="Smith", address=HOME)
    created = alice.customers.create(form).customer
    assert created is not None and created.type_code == "RETAIL"


def test_an_operator_still_edits_a_customers_own_details(alice):
    ann = _customer(alice, "Ann")
    updated = alice.customers.update(ann.id, ann.version, CustomerInput(first_name="Anna", last_name="Smith"))
    assert updated.first_name == "Anna"
