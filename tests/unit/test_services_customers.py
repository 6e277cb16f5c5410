"""The customer service: create with validation and duplicate warnings, search, update, cards."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from oms_core.domain.customers import Address, Customer
from oms_core.domain.errors import NotFound, StaleEdit, ValidationError
from oms_core.domain.payments import CardEntry
from oms_core.payments.test_gateway import TestGateway
from oms_core.read_models import CustomerDetail
from oms_core.services.context import ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.registry import Services
from tests.fakes import FakeCustomerRepository, FakeUnitOfWorkFactory, FixedClock

CARD_NUMBER = "4111111111111111"


@pytest.fixture
def services(fake_factory: FakeUnitOfWorkFactory, clock: FixedClock) -> Services:
    context = ServiceContext(
        uow_factory=fake_factory,
        gateway=TestGateway(clock),
        clock=clock,
        operator_username="alice",
    )
    return Services.build(context)


def _address(**changes: str) -> Address:
    values = {"address1": "1 Main St", "city": "Boston", "state": "MA", "zip": "02134"}
    values.update(changes)
    return Address(**values)


def _create(services: Services, **fields: Any) -> CustomerDetail:
    fields.setdefault("first_name", "Ann")
    fields.setdefault("last_name", "Smith")
    result = services.customers.create(CustomerInput(**fields), allow_duplicate=True)
    assert result.customer is not None
    return result.customer


def _fields(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [field for field, _ in error.value.problems]


# --- create ---------------------------------------------------------------------------------------


def test_a_new_customer_gets_the_next_number_and_a_normalised_record(services: Services) -> None:
    first = _create(services, email="Ann@Example.COM", phone="(503) 555-0123", address=_address(zip="2134"))
    second = _create(services, first_name="Bob", last_name="Jones")

    assert (first.number, second.number) == ("C000001", "C000002")
    assert first.email == "Ann@example.com"
    assert first.phone == "+15035550123"
    assert first.addresses[0].address.zip == "02134"
    assert first.addresses[0].address.name == "Ann Smith"
    assert services.customers.get(first.id) == first


def test_create_names_every_bad_field_at_once(services: Services) -> None:
    data = CustomerInput(
        first_name="Ann", email="not-an-email", phone="555", address=_address(zip="ABCDE", state="ZZ")
    )
    with pytest.raises(ValidationError) as caught:
        services.customers.create(data)
    assert set(_fields(caught)) == {"last_name", "email", "phone", "state", "zip"}
    assert services.customers.search("Ann") == []


def test_a_company_alone_is_enough_for_a_customer(services: Services) -> None:
    created = _create(services, first_name="", last_name="", company="Acme Wines")
    assert created.name == "Acme Wines"


def test_an_unknown_customer_type_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError) as caught:
        _create(services, type_code="nope")
    assert caught.value.field == "type_code"


def test_the_same_email_or_phone_stops_creation_and_returns_the_duplicates(services: Services) -> None:
    ann = _create(services, email="ann@example.com", phone="503-555-0123")

    by_email = services.customers.create(
        CustomerInput(first_name="A", last_name="S", email="ANN@example.com")
    )
    by_phone = services.customers.create(
        CustomerInput(first_name="A", last_name="S", phone="+1 503 555 0123")
    )

    assert by_email.customer is None and [d.id for d in by_email.duplicates] == [ann.id]
    assert by_phone.customer is None and [d.id for d in by_phone.duplicates] == [ann.id]
    assert [c.id for c in services.customers.search("S")] == [ann.id]


def test_allow_duplicate_creates_the_customer_anyway(services: Services) -> None:
    _create(services, email="ann@example.com")
    result = services.customers.create(
        CustomerInput(first_name="Ann", last_name="Smith", email="ann@example.com"), allow_duplicate=True
    )
    assert result.customer is not None and result.customer.number == "C000002"


# --- search ---------------------------------------------------------------------------------------


@pytest.fixture
def people(services: Services) -> dict[str, CustomerDetail]:
    return {
        "ann": _create(services, email="ann@example.com", phone="503-555-0123"),
        "annie": _create(services, first_name="Annie", last_name="Smithers", email="annie@smithers.org"),
        "bob": _create(
            services, first_name="Bob", last_name="Jones", company="Acme Wines", phone="212 555 7000"
        ),
    }


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("smith", ["ann", "annie"]),
        ("SMITHE", ["annie"]),
        ("ann smith", ["ann", "annie"]),
        ("Smith, Ann", ["ann", "annie"]),
        ("acme", ["bob"]),
        ("annie@smith", ["annie"]),
        ("(503) 555", ["ann"]),
        ("212-555-7000", ["bob"]),
        ("+1 212 555 7000", ["bob"]),
        ("C000003", ["bob"]),
        ("c00000", ["ann", "annie", "bob"]),  # number prefixes come in number order
        ("zzz", []),
    ],
)
def test_search_finds_by_name_company_email_phone_or_number(
    services: Services, people: dict[str, CustomerDetail], typed: str, who: list[str]
) -> None:
    assert [c.id for c in services.customers.search(typed)] == [people[name].id for name in who]


def test_an_exact_customer_number_is_ranked_before_phone_matches(
    services: Services, people: dict[str, CustomerDetail], fake_factory: FakeUnitOfWorkFactory
) -> None:
    with fake_factory(write=True) as uow:
        zulu = Customer(id=None, number="C000212", first_name="Zed", last_name="Zulu")
        uow.customers.add(zulu)
        uow.commit()
    # "212" is customer C000212 and the start of Bob Jones's phone; Jones sorts before Zulu.
    found = services.customers.search("212")
    assert [c.id for c in found] == [zulu.id, people["bob"].id]


def test_an_exact_email_is_ranked_before_other_prefix_matches(services: Services) -> None:
    zed = _create(services, first_name="Zed", last_name="Zulu", email="ann@example.com")
    aaron = _create(services, first_name="Aaron", last_name="Aardvark", email="ann@example.com.au")
    found = services.customers.search("ann@example.com")
    assert [c.id for c in found] == [zed.id, aaron.id]


def test_get_by_number_accepts_short_forms(services: Services, people: dict[str, CustomerDetail]) -> None:
    assert services.customers.get_by_number("3").id == people["bob"].id
    assert services.customers.get_by_number("c3").id == people["bob"].id


# --- update ---------------------------------------------------------------------------------------


def test_update_saves_the_fields_and_moves_the_version_on(services: Services) -> None:
    ann = _create(services, address=_address())
    updated = services.customers.update(
        ann.id, ann.version, CustomerInput(first_name="Anna", last_name="Smith")
    )
    assert updated.first_name == "Anna"
    assert updated.version == ann.version + 1
    assert updated.addresses == ann.addresses


def test_an_update_for_the_screen_returns_the_books_first_entries_without_reading_the_book(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fakes import FakeCustomerRepository

    ann = _create(services, address=_address())
    for i in range(4):
        services.customers.save_address(ann.id, _address(name=f"Gift {i}"), label=f"gift {i}")
    whole = services.customers.get(ann.id)
    book_loads: list[int] = []
    real_get = FakeCustomerRepository.get

    def counting_get(self, customer_id: int, with_addresses: bool = True):  # noqa: ANN001, ANN202
        if with_addresses:
            book_loads.append(customer_id)
        return real_get(self, customer_id, with_addresses)

    monkeypatch.setattr(FakeCustomerRepository, "get", counting_get)
    updated = services.customers.update(
        ann.id, ann.version, CustomerInput(first_name="Anna", last_name="Smith"), book_limit=3
    )
    assert book_loads == []
    assert (updated.first_name, updated.version) == ("Anna", ann.version + 1)
    assert (updated.addresses, updated.address_count) == (whole.addresses[:3], 5)


def test_an_update_from_a_stale_version_is_refused(services: Services) -> None:
    ann = _create(services)
    services.customers.update(ann.id, ann.version, CustomerInput(first_name="Anna", last_name="Smith"))
    with pytest.raises(StaleEdit):
        services.customers.update(ann.id, ann.version, CustomerInput(first_name="Annie", last_name="Smith"))
    assert services.customers.get(ann.id).first_name == "Anna"


def test_update_validates_like_create(services: Services) -> None:
    ann = _create(services)
    with pytest.raises(ValidationError) as caught:
        services.customers.update(ann.id, ann.version, CustomerInput(first_name="Ann", email="nope"))
    assert set(_fields(caught)) == {"last_name", "email"}


# --- cards and addresses --------------------------------------------------------------------------


def _walk(value: object, seen: set[int] | None = None) -> list[str]:
    """Every string held anywhere inside ``value`` (dataclasses, dicts, lists...)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) for s in _walk(getattr(value, f.name), seen)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _walk(k, seen) + _walk(v, seen)]
    if isinstance(value, list | tuple | set | frozenset):
        return [s for item in value for s in _walk(item, seen)]
    return []


def test_a_card_on_file_keeps_only_token_brand_last_four_and_expiry(
    services: Services, fake_factory: FakeUnitOfWorkFactory
) -> None:
    ann = _create(services)
    card = services.customers.add_card(ann.id, CardEntry(CARD_NUMBER, 4, 2030, cvv="737"))

    assert services.customers.get(ann.id).cards == (card,)
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("Visa", "1111", 4, 2030)
    stored = fake_factory.store.customers[ann.id].cards[0]
    assert stored.token.startswith("tok_")
    strings = _walk(fake_factory.store)
    assert not [s for s in strings if CARD_NUMBER in s or "737" in s]


def test_a_bad_card_number_is_refused_and_nothing_is_kept(services: Services) -> None:
    ann = _create(services)
    with pytest.raises(ValidationError) as caught:
        services.customers.add_card(ann.id, CardEntry("4111111111111112", 4, 2030))
    assert caught.value.field == "card_number"
    assert services.customers.get(ann.id).cards == ()


def test_the_first_address_becomes_both_defaults(services: Services) -> None:
    ann = _create(services)
    home = services.customers.save_address(ann.id, _address(name="Ann Smith"), label="Home")
    assert (home.label, home.is_default_billing, home.is_default_shipping) == ("Home", True, True)
    assert services.customers.get(ann.id).addresses == (home,)


def test_a_new_default_shipping_address_takes_over_from_the_old_one(services: Services) -> None:
    ann = _create(services, address=_address())
    saved = services.customers.save_address(
        ann.id, _address(name="Ann at work", city="Cambridge"), label="Work", default_shipping=True
    )
    home, work = services.customers.get(ann.id).addresses
    assert saved == work
    assert (home.is_default_billing, home.is_default_shipping) == (True, False)
    assert (work.is_default_billing, work.is_default_shipping) == (False, True)


def test_saving_an_address_or_a_card_never_reads_the_whole_book(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = _create(services, address=_address())
    home = services.customers.get(ann.id).addresses[0]

    def whole_record(*_: object) -> None:
        raise AssertionError("the whole customer (book and cards) was read")

    # The fake's narrow reads (profiles, summaries) go through get_many; the whole record is get.
    monkeypatch.setattr(FakeCustomerRepository, "get", whole_record)
    moved = services.customers.save_address(
        ann.id, _address(name="Ann", address1="9 Pine St"), home.id, "Home", default_shipping=True
    )
    card = services.customers.add_card(ann.id, CardEntry(CARD_NUMBER, 4, 2030))
    services.customers.delete_card(ann.id, card.id)
    services.customers.delete_address(ann.id, moved.id)
    assert (moved.id, moved.label, moved.address.address1) == (home.id, "Home", "9 Pine St")
    assert (moved.is_default_billing, moved.is_default_shipping) == (False, True)  # as asked
    assert (card.brand, card.last4) == ("Visa", "1111")


def test_an_address_or_a_card_for_a_customer_not_on_file_is_refused(services: Services) -> None:
    with pytest.raises(NotFound):
        services.customers.save_address(999, _address(name="Ann"))
    with pytest.raises(NotFound):
        services.customers.add_card(999, CardEntry(CARD_NUMBER, 4, 2030))


def test_a_bad_address_is_refused_with_its_fields_named(services: Services) -> None:
    ann = _create(services)
    with pytest.raises(ValidationError) as caught:
        services.customers.save_address(ann.id, Address(name="Ann", state="XX"))
    assert set(_fields(caught)) == {"address1", "city", "state", "zip"}
    assert services.customers.get(ann.id).addresses == ()


def test_the_checkout_reads_the_record_without_the_book_and_the_book_on_its_own(services: Services) -> None:
    ann = _create(services, address=_address(name="Ann"))
    services.customers.add_card(ann.id, CardEntry(CARD_NUMBER, 4, 2030))
    whole = services.customers.get(ann.id)

    for_checkout = services.customers.get_for_checkout(ann.id)
    assert for_checkout == dataclasses.replace(whole, addresses=(), address_count=0)  # the book unread
    assert services.customers.address_book(ann.id) == whole.addresses
    with pytest.raises(NotFound):
        services.customers.get_for_checkout(999)


def test_the_record_for_a_screen_holds_the_books_first_entries_and_how_many_it_holds(
    services: Services,
) -> None:
    ann = _create(services, address=_address(name="Ann"))
    for i in range(4):
        services.customers.save_address(ann.id, _address(name=f"Gift {i}"), label=f"gift {i}")
    whole = services.customers.get(ann.id)
    assert whole.address_count == 5

    first = services.customers.get(ann.id, book_limit=3)
    assert first == dataclasses.replace(whole, addresses=whole.addresses[:3])
    assert services.customers.get(ann.id, book_limit=9) == whole
    # A new entry patched in is counted; an entry saved again is not counted twice.
    saved = services.customers.save_address(ann.id, _address(name="Dock"), label="dock")
    patched = first.with_address(saved)
    assert (patched.address_count, patched.addresses[-1]) == (6, saved)
    again = patched.with_address(services.customers.save_address(ann.id, saved.address, saved.id, "dock 2"))
    assert again.address_count == 6 and again.addresses[-1].label == "dock 2"
    with pytest.raises(NotFound):
        services.customers.get(999, book_limit=3)
