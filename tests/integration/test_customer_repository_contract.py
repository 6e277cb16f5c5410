"""The customer repository's contract, run against the in-memory fake, SQLite and PostgreSQL (the
``store`` fixture), so the fake the service tests use cannot drift from the real thing: round
trips, versions, address book, cards, search ranking and duplicates.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from oms_core.domain.customer_search import CustomerQuery, Located, SearchKey, SearchPosition
from oms_core.domain.customers import AddressBookEntry, CardOnFile, CustomerStatus, OrderingProfile
from oms_core.domain.errors import NotFound, StaleEdit
from oms_core.ports import UnitOfWorkFactory
from tests.fakes import FakeUnitOfWorkFactory
from tests.integration.storage_builders import add_customer, address, customer


def test_a_customer_with_addresses_and_cards_comes_back_as_it_was_saved(
    store: UnitOfWorkFactory,
) -> None:
    made = customer("Ann", "Smith", email="Ann@Example.com", phone="+15035551234", alt_phone="+442079460000")
    made.company = "Smith Cellars"
    made.tax_exempt = True
    made.notes = "Leave at the back door"
    made.status = CustomerStatus.ON_HOLD
    made.preferred_pickup = True
    made.addresses = [
        AddressBookEntry(None, address(city="Portland"), label="Home", is_default_billing=True),
        AddressBookEntry(None, address(city="Bend"), label="Cabin", is_default_shipping=True),
    ]
    made.cards = [CardOnFile(None, "tok_test_4242_ab", "Visa", "4242", 4, 2030)]
    with store(write=True) as uow:
        customer_id = uow.customers.add(made)
        uow.commit()

    assert made.id == customer_id
    assert made.number == "C000001"
    assert all(entry.id is not None for entry in made.addresses)
    assert made.cards[0].id is not None
    with store() as uow:
        loaded = uow.customers.get(customer_id)
        without_book = uow.customers.get(customer_id, with_addresses=False)
    assert loaded == made
    assert without_book == dataclasses.replace(made, addresses=[])


def test_a_missing_customer_is_not_found(store: UnitOfWorkFactory) -> None:
    with store() as uow, pytest.raises(NotFound):
        uow.customers.get(999)
    with store() as uow, pytest.raises(NotFound):
        uow.customers.get(999, with_addresses=False)


def test_customers_are_found_by_number_whatever_its_case(store: UnitOfWorkFactory) -> None:
    with store(write=True) as uow:
        made = add_customer(uow, "Ann", "Smith")
        uow.commit()
    with store() as uow:
        found = uow.customers.get_by_number(" c000001 ")
        missing = uow.customers.get_by_number("C999999")
    assert found is not None and found.id == made.id
    assert missing is None


def test_many_customers_load_at_once_and_missing_ids_are_left_out(store: UnitOfWorkFactory) -> None:
    with store(write=True) as uow:
        ann = add_customer(uow, "Ann", "Smith", city="Portland")
        bob = add_customer(uow, "Bob", "Jones")
        uow.commit()
    with store() as uow:
        found = uow.customers.get_many([ann.id, bob.id, 12345])  # type: ignore[list-item]
    assert set(found) == {ann.id, bob.id}
    assert found[ann.id].addresses[0].address.city == "Portland"  # type: ignore[index]


def test_ordering_profiles_match_the_whole_customers_in_every_address_book_shape(
    store: UnitOfWorkFactory,
) -> None:
    def entry(city: str, billing: bool = False, shipping: bool = False) -> AddressBookEntry:
        return AddressBookEntry(
            None, address(city=city), is_default_billing=billing, is_default_shipping=shipping
        )

    shapes = {
        "no addresses, no card": ([], []),
        "one plain address": ([entry("Salem")], []),
        "default ship-to after the first": ([entry("Salem"), entry("Bend", shipping=True)], []),
        "billing and shipping apart": ([entry("Salem", billing=True), entry("Bend", shipping=True)], []),
        "billing only": ([entry("Salem"), entry("Bend", billing=True)], []),
        "one address for both": ([entry("Salem", billing=True, shipping=True)], []),
        "two cards": (
            [entry("Salem")],
            [
                CardOnFile(None, "tok_test_1111_a", "Visa", "1111", 1, 2031),
                CardOnFile(None, "tok_test_2222_b", "Mastercard", "2222", 2, 2032),
            ],
        ),
    }
    ids = []
    with store(write=True) as uow:
        for index, (addresses, cards) in enumerate(shapes.values()):
            made = customer("Pat", f"Shape{index}")
            made.addresses, made.cards = addresses, cards
            made.tax_exempt = index % 2 == 1
            made.status = CustomerStatus.ON_HOLD if index == 3 else CustomerStatus.ACTIVE
            ids.append(uow.customers.add(made))
        uow.commit()
    with store() as uow:
        profiles = uow.customers.ordering_profiles([*ids, 12345])
        whole = uow.customers.get_many(ids)
    assert set(profiles) == set(ids)
    for name, customer_id in zip(shapes, ids, strict=True):
        assert profiles[customer_id] == OrderingProfile.of(whole[customer_id]), name
    assert profiles[ids[2]].ship_to.city == "Bend"  # type: ignore[union-attr]
    assert profiles[ids[4]].bill_to.city == "Bend" and profiles[ids[4]].ship_to.city == "Salem"  # type: ignore[union-attr]
    assert profiles[ids[6]].card.last4 == "1111"  # type: ignore[union-attr]


def test_a_customer_for_an_order_has_the_defaults_first_address_and_first_card_of_the_whole(
    store: UnitOfWorkFactory,
) -> None:
    def book(size: int, shipping: int | None, billing: int | None) -> list[AddressBookEntry]:
        return [
            AddressBookEntry(
                None,
                address(city=f"Town {i}"),
                label=f"entry {i}",
                is_default_billing=i == billing,
                is_default_shipping=i == shipping,
            )
            for i in range(size)
        ]

    shapes = {
        "no book, no card": ([], 0),
        "one address for both": (book(1, 0, 0), 1),
        "no defaults": (book(3, None, None), 1),
        "defaults deep in a big book": (book(12, 9, 5), 3),
        "first is the ship-to, bill-to later": (book(12, 0, 7), 2),
        "bill-to only": (book(4, None, 2), 2),
    }
    ids = []
    with store(write=True) as uow:
        for index, (entries, cards) in enumerate(shapes.values()):
            made = customer("Pat", f"Book{index}", email=f"pat{index}@example.com")
            made.addresses = entries
            made.cards = [CardOnFile(None, f"tok_test_{n}", "Visa", f"{n:04}", 1, 2031) for n in range(cards)]
            ids.append(uow.customers.add(made))
        uow.commit()
    with store() as uow:
        for name, customer_id in zip(shapes, ids, strict=True):
            whole = uow.customers.get(customer_id)
            narrow = uow.customers.get_for_order(customer_id)
            kept = [e.id for e in (whole.default_shipping(), whole.default_billing()) if e is not None]
            kept += [whole.addresses[0].id] if whole.addresses else []
            assert narrow == dataclasses.replace(
                whole, addresses=[e for e in whole.addresses if e.id in kept], cards=whole.cards[:1]
            ), name
            assert narrow.default_shipping() == whole.default_shipping(), name
            assert narrow.default_billing() == whole.default_billing(), name
            for limit in (1, 5, 20):
                first, count = uow.customers.first_addresses(customer_id, limit)
                assert (first, count) == (whole.addresses[:limit], len(whole.addresses)), (name, limit)
        big = uow.customers.get(ids[3])
        assert uow.customers.address(ids[3], big.addresses[8].id) == big.addresses[8]  # type: ignore[arg-type]
        assert uow.customers.address(ids[2], big.addresses[8].id) is None  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            uow.customers.get_for_order(12345)


def test_customer_numbers_are_allocated_in_sequence_without_gaps(store: UnitOfWorkFactory) -> None:
    with store(write=True) as uow:
        first = uow.customers.next_number()
        uow.rollback()
    with store(write=True) as uow:
        numbers = [uow.customers.next_number() for _ in range(3)]
        uow.commit()
    assert first == "C000001"
    assert numbers == ["C000001", "C000002", "C000003"]


def test_an_update_increments_the_version_and_a_stale_one_is_refused(
    store: UnitOfWorkFactory,
) -> None:
    with store(write=True) as uow:
        made = add_customer(uow, "Ann", "Smith")
        uow.commit()
    with store() as uow:
        mine = uow.customers.get(made.id)  # type: ignore[arg-type]
        theirs = uow.customers.get(made.id)  # type: ignore[arg-type]

    with store(write=True) as uow:
        theirs.last_name = "Smythe"
        uow.customers.update(theirs)
        uow.commit()
    assert theirs.version == 2

    with store(write=True) as uow:
        mine.notes = "my change"
        with pytest.raises(StaleEdit, match="changed by someone else"):
            uow.customers.update(mine)
    assert mine.version == 1
    with store() as uow:
        stored = uow.customers.get(made.id)  # type: ignore[arg-type]
    assert (stored.last_name, stored.notes, stored.version) == ("Smythe", "", 2)


def test_updating_a_customer_that_is_gone_is_not_found(store: UnitOfWorkFactory) -> None:
    ghost = dataclasses.replace(customer(), id=4040, number="C004040")
    with store(write=True) as uow, pytest.raises(NotFound):
        uow.customers.update(ghost)


def test_the_address_book_keeps_one_default_of_each_kind(store: UnitOfWorkFactory) -> None:
    with store(write=True) as uow:
        made = add_customer(uow, "Ann", "Smith", city="Portland")
        home = made.addresses[0]
        cabin = AddressBookEntry(None, address(city="Bend"), label="Cabin", is_default_shipping=True)
        cabin_id = uow.customers.save_address(made.id, cabin)  # type: ignore[arg-type]
        uow.commit()
    assert cabin.id == cabin_id

    with store() as uow:
        book = {a.id: a for a in uow.customers.get(made.id).addresses}  # type: ignore[arg-type]
    assert book[home.id].is_default_billing and not book[home.id].is_default_shipping
    assert book[cabin_id].is_default_shipping and not book[cabin_id].is_default_billing

    with store(write=True) as uow:
        home.is_default_shipping = True
        home.label = "Home again"
        uow.customers.save_address(made.id, home)  # type: ignore[arg-type]
        uow.commit()
    with store() as uow:
        book = {a.id: a for a in uow.customers.get(made.id).addresses}  # type: ignore[arg-type]
    assert book[home.id].is_default_shipping and book[home.id].label == "Home again"
    assert not book[cabin_id].is_default_shipping


def test_an_address_of_another_customer_cannot_be_saved_or_deleted(
    store: UnitOfWorkFactory,
) -> None:
    with store(write=True) as uow:
        ann = add_customer(uow, "Ann", "Smith", city="Portland")
        bob = add_customer(uow, "Bob", "Jones")
        uow.commit()
    with store(write=True) as uow:
        with pytest.raises(NotFound):
            uow.customers.save_address(bob.id, ann.addresses[0])  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            uow.customers.delete_address(bob.id, ann.addresses[0].id)  # type: ignore[arg-type]


def test_addresses_and_cards_can_be_removed(store: UnitOfWorkFactory) -> None:
    with store(write=True) as uow:
        made = add_customer(uow, "Ann", "Smith", city="Portland")
        card_id = uow.customers.add_card(
            made.id, CardOnFile(None, "tok_test_1111_x", "Visa", "1111", 1, 2031)
        )  # type: ignore[arg-type]
        uow.commit()
    with store(write=True) as uow:
        uow.customers.delete_address(made.id, made.addresses[0].id)  # type: ignore[arg-type]
        uow.customers.delete_card(made.id, card_id)  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            uow.customers.delete_card(made.id, card_id)  # type: ignore[arg-type]
        uow.commit()
    with store() as uow:
        loaded = uow.customers.get(made.id)  # type: ignore[arg-type]
    assert loaded.addresses == [] and loaded.cards == []


def test_summaries_take_city_and_state_from_the_default_ship_to(store: UnitOfWorkFactory) -> None:
    with store(write=True) as uow:
        made = add_customer(uow, "Ann", "Smith", city="Portland")
        uow.customers.save_address(
            made.id,  # type: ignore[arg-type]
            AddressBookEntry(None, address(city="Reno", state="NV"), is_default_shipping=True),
        )
        plain = add_customer(uow, "Bob", "Jones")
        uow.commit()
    with store() as uow:
        summaries = uow.customers.summaries([made.id, plain.id])  # type: ignore[list-item]
    assert (summaries[made.id].city, summaries[made.id].state) == ("Reno", "NV")  # type: ignore[index]
    assert (summaries[plain.id].city, summaries[plain.id].state) == ("", "")  # type: ignore[index]
    assert summaries[made.id].name == "Ann Smith"  # type: ignore[index]


# -- search ------------------------------------------------------------------------------------


@pytest.fixture
def directory(store: UnitOfWorkFactory) -> dict[str, int]:
    """Customers to search, by nickname."""
    people = {
        "ann": customer("Ann", "Smith", email="ann@example.com", phone="+15035551234", city="Portland"),
        "anna": customer("Anna", "Smithers", email="anna@example.com", phone="+15035559999"),
        "bob": customer("Bob", "Smith", email="bob.smith@example.com", alt_phone="+15415550000"),
        "cory": customer("Cory", "Jones", email="smitty@example.com", company="Smithfield Wines"),
        "dee": customer("Dee", "Émile", email="dee@example.com"),
        "acme": customer("", "", email="orders@acme.test", company="Acme Cellars"),
        "eve": customer("Eve", "Anderson", email="eve@example.com", phone="+14155550100"),
    }
    with store(write=True) as uow:
        for person in people.values():
            uow.customers.add(person)
        uow.commit()
    return {nick: person.id for nick, person in people.items()}  # type: ignore[misc]


def _search(store: UnitOfWorkFactory, query: CustomerQuery, limit: int = 20) -> list[str]:
    with store() as uow:
        return [
            f"{s.first_name} {s.last_name}".strip() or s.company for s in uow.customers.search(query, limit)
        ]


def _pages(store: UnitOfWorkFactory, query: CustomerQuery, size: int) -> list[list[int]]:
    """Every page of a search, each read after the ``next`` of the one before (keyset)."""
    pages: list[list[int]] = []
    after: SearchPosition | None = None
    with store() as uow:
        while True:
            page = uow.customers.search_page(query, size, after)
            pages.append([s.id for s in page.customers])
            if page.next is None:
                return pages
            assert len(pages) < 100, "paging never ended"
            after = page.next


def test_a_last_name_prefix_finds_customers_in_name_order(store, directory) -> None:
    found = _search(store, CustomerQuery(text="smi"))
    # Last-name matches come first; Cory Jones matches only by company and email, so he follows.
    assert found == ["Ann Smith", "Bob Smith", "Anna Smithers", "Cory Jones"]


def test_search_ignores_case_and_surrounding_space(store, directory) -> None:
    assert _search(store, CustomerQuery(text=" SMITHERS ")) == ["Anna Smithers"]
    assert _search(store, CustomerQuery(text="émi")) == ["Dee Émile"]
    assert _search(store, CustomerQuery(text="ÉMILE")) == ["Dee Émile"]


def test_a_company_prefix_finds_the_company(store, directory) -> None:
    assert _search(store, CustomerQuery(text="acme c")) == ["Acme Cellars"]


def test_an_email_prefix_finds_the_customer_and_an_exact_email_ranks_first(store, directory) -> None:
    assert _search(store, CustomerQuery(text="bob.sm")) == ["Bob Smith"]
    # "ann@example.com" is exact for Ann; "ann" alone also finds Anna by first name and email.
    assert _search(store, CustomerQuery(text="ann")) == ["Ann Smith", "Anna Smithers"]
    assert _search(store, CustomerQuery(text="anna@example.com")) == ["Anna Smithers"]


def test_a_first_name_prefix_matches_through_first_last(store, directory) -> None:
    assert _search(store, CustomerQuery(text="cor")) == ["Cory Jones"]
    assert _search(store, CustomerQuery(text="anna smithe")) == ["Anna Smithers"]
    assert _search(store, CustomerQuery(text="ann smithe")) == []  # "ann" is a whole first name here
    assert _search(store, CustomerQuery(text="bob smi")) == ["Bob Smith"]


def test_first_and_last_prefixes_together_narrow_the_search(store, directory) -> None:
    assert _search(store, CustomerQuery(first="an", last="smith")) == ["Ann Smith", "Anna Smithers"]
    assert _search(store, CustomerQuery(first="b", last="sm")) == ["Bob Smith"]


def test_two_words_typed_without_a_comma_may_be_last_then_first(store, directory) -> None:
    """An operator reading "Smith, Bob" off a list types "smith bob"."""
    assert _search(store, CustomerQuery(first="smith", last="bob", either_order=True)) == ["Bob Smith"]
    assert _search(store, CustomerQuery(first="smi", last="an", either_order=True)) == [
        "Ann Smith",
        "Anna Smithers",
    ]
    assert (
        _search(store, CustomerQuery(first="smith", last="bob")) == []
    )  # "Smith, Bob" was typed with a comma


def test_the_last_four_digits_of_the_phone_find_the_customer(store, directory) -> None:
    """ "The last four of your phone?" """
    assert _search(store, CustomerQuery(phone_tail="1234")) == ["Ann Smith"]
    assert _search(store, CustomerQuery(phone_tail="0000")) == []


def test_phone_digits_match_the_phone_or_the_alternate_phone(store, directory) -> None:
    assert _search(store, CustomerQuery(digits="503555")) == ["Ann Smith", "Anna Smithers"]
    assert _search(store, CustomerQuery(digits="5035551234")) == ["Ann Smith"]
    assert _search(store, CustomerQuery(digits="15035551234")) == ["Ann Smith"]  # with the country code
    assert _search(store, CustomerQuery(digits="541")) == ["Bob Smith"]  # alternate phone


def test_a_customer_number_prefix_matches_and_an_exact_number_ranks_first(store, directory) -> None:
    assert len(_search(store, CustomerQuery(number="C00000"))) == 7
    # Exact number C000006 (Acme) first, then last-name matches, then the looser ones.
    found = _search(store, CustomerQuery(text="smith", number="C000006"))
    assert found[0] == "Acme Cellars"
    assert found[1:] == ["Ann Smith", "Bob Smith", "Anna Smithers", "Cory Jones"]


def test_looser_matches_rank_email_then_phone_then_alternate_phone_then_number(store) -> None:
    with store(write=True) as uow:
        # Names chosen so that name order alone would give the opposite order.
        add_customer(uow, "Aaron", "Alt", alt_phone="+15035550001", number="C503999")
        add_customer(uow, "Zoe", "Zed", phone="+15035550002")
        uow.commit()
    found = _search(store, CustomerQuery(digits="503", number="C503"))
    assert found == ["Zoe Zed", "Aaron Alt"]  # phone (tier 6) before alternate phone (7)
    with store(write=True) as uow:
        add_customer(uow, "Zack", "Zulu", email="ann.z@example.com")
        add_customer(uow, "Yves", "Annan")
        uow.commit()
    assert _search(store, CustomerQuery(text="ann")) == ["Yves Annan", "Zack Zulu"]  # names, then email


def _everyone(store: UnitOfWorkFactory, query: CustomerQuery) -> list[int]:
    with store() as uow:
        return [s.id for s in uow.customers.search(query, 200)]


def _assert_pages_are_exact(store: UnitOfWorkFactory, query: CustomerQuery) -> None:
    """Pages of every size, joined, are the whole ranked result: nobody twice, nobody skipped."""
    everyone = _everyone(store, query)
    assert everyone, "the query should find someone"
    for size in (1, 2, 3, 5):
        pages = _pages(store, query, size)
        assert [i for page in pages for i in page] == everyone, f"pages of {size}"
        assert all(len(page) == size for page in pages[:-1])


def test_search_pages_through_the_ranked_results(store, directory) -> None:
    everyone = _everyone(store, CustomerQuery(number="C"))
    pages = _pages(store, CustomerQuery(number="C"), 3)
    assert pages == [everyone[:3], everyone[3:6], everyone[6:]]


def test_search_pages_are_exact_when_names_tie(store) -> None:
    """Eight John Smiths (the same name, told apart only by number) and the Smiths' friends."""
    with store(write=True) as uow:
        for _ in range(8):
            add_customer(uow, "John", "Smith")
        add_customer(uow, "Jo", "Smith")
        add_customer(uow, "John", "Smithers")
        add_customer(uow, "Smith", "Adams")  # first name Smith: the "first last" tier
        uow.commit()
    for query in (
        CustomerQuery(text="smith"),
        CustomerQuery(text="john smith"),
        CustomerQuery(first="john", last="smith", either_order=True),
        CustomerQuery(text="sm"),
    ):
        _assert_pages_are_exact(store, query)


def test_search_pages_skip_customers_shown_by_a_better_part(store) -> None:
    """The Smiths of Smith Cellars come first by last name; their company and email match too,
    further down, and must not come again there, nor push the customers found only by company or
    email off the pages after them (the company part's first rows are all Smiths already shown).
    """
    with store(write=True) as uow:
        for index in range(7):
            add_customer(
                uow, f"Ann{index}", "Smith", company="Smith Cellars", email=f"smith{index}@example.com"
            )
        for index in range(3):
            add_customer(uow, "Bo", f"Nolan{index}", company="Smithfield Farms")  # company only
        add_customer(uow, "Cy", "Young", email="smithy@example.com")  # email only
        # Email only, and before the Smiths' emails: they fill a page while companies wait.
        add_customer(uow, "Ed", "Ball", email="smith.a@example.com")
        add_customer(uow, "Flo", "Cole", email="smith.b@example.com")
        add_customer(uow, "Di", "Ames", company="Smith Cellars")  # the same company as the Smiths
        uow.commit()
    query = CustomerQuery(text="smith")
    _assert_pages_are_exact(store, query)
    assert len(_everyone(store, query)) == 14


def test_search_pages_are_exact_among_namesakes_in_one_place(store) -> None:
    """``john smith portland or``: namesakes living in one place rank by customer number, which
    here runs against the order they were added in (every builder's address is at ZIP 97201)."""
    with store(write=True) as uow:
        for index in range(6):
            add_customer(uow, "John", "Smith", city="Portland", number=f"C9{9 - index}0000")
        add_customer(uow, "John", "Smith", city="Bend")
        add_customer(uow, "Jon", "Smithson", city="Portland", number="C910000")
        uow.commit()
    at_zip = Located(SearchKey.POSTAL, "97201")
    named = Located(SearchKey.POSTAL, "97201", name=CustomerQuery(text="smith"))
    in_place = Located(SearchKey.PLACE, "portland or", name=CustomerQuery(first="john", last="smith"))
    for query in (
        CustomerQuery(places=(at_zip,)),
        CustomerQuery(places=(named,)),
        CustomerQuery(places=(in_place,)),
        CustomerQuery(digits="97201", places=(at_zip,)),
    ):
        _assert_pages_are_exact(store, query)
    with store() as uow:
        numbers = [s.number for s in uow.customers.search(CustomerQuery(places=(in_place,)), 10)]
    assert numbers == ["C940000", "C950000", "C960000", "C970000", "C980000", "C990000"]


def test_search_pages_are_exact_across_tiers_and_exact_matches(store, directory) -> None:
    with store(write=True) as uow:
        for _ in range(4):
            add_customer(uow, "Al", "Acme", company="Acme Cellars", email="acme@example.com")
        uow.commit()
    for query in (
        CustomerQuery(text="acme"),
        CustomerQuery(text="acme@example.com"),
        CustomerQuery(text="smith", number="C000006"),
        CustomerQuery(number="C0000"),
        CustomerQuery(digits="503", number="C503"),
        CustomerQuery(text="ann"),
    ):
        _assert_pages_are_exact(store, query)


def test_an_empty_query_finds_nobody(store, directory) -> None:
    assert _search(store, CustomerQuery()) == []
    assert _search(store, CustomerQuery(text="zz")) == []


def test_duplicates_share_an_email_in_any_case_or_a_phone(store, directory) -> None:
    with store() as uow:
        by_email = uow.customers.find_duplicates("ANN@example.com ", "", None)
        by_phone = uow.customers.find_duplicates("", "+15415550000", None)
        excluded = uow.customers.find_duplicates("ann@example.com", "+15035551234", directory["ann"])
        nothing = uow.customers.find_duplicates("", "", None)
    assert [s.id for s in by_email] == [directory["ann"]]
    assert [s.id for s in by_phone] == [directory["bob"]]
    assert excluded == [] and nothing == []


def test_customer_ids_by_type_and_status_come_in_number_order(store: UnitOfWorkFactory) -> None:
    with store(write=True) as uow:
        ids = []
        for i, status in enumerate(
            [CustomerStatus.ACTIVE, CustomerStatus.ON_HOLD, CustomerStatus.CLOSED, CustomerStatus.ACTIVE]
        ):
            made = customer("Club", f"Member{i}", type_code="WINECLUB")
            made.status = status
            ids.append(uow.customers.add(made))
        uow.customers.add(customer("Retail", "Buyer"))
        uow.commit()
    with store() as uow:
        active = uow.customers.ids_by_type("WINECLUB", [CustomerStatus.ACTIVE])
        live = uow.customers.ids_by_type("WINECLUB", ["active", "on_hold"])
        none = uow.customers.ids_by_type("WINECLUB", [])
    assert active == [ids[0], ids[3]]
    assert live == [ids[0], ids[1], ids[3]]
    assert none == []


# -- "what's your zip?" ------------------------------------------------------------------------


def _home(city: str, state: str, zip_code: str, *, shipping: bool = True) -> AddressBookEntry:
    made = dataclasses.replace(address(city=city, state=state), zip=zip_code)
    return AddressBookEntry(
        None, made, label="Home", is_default_billing=shipping, is_default_shipping=shipping
    )


@pytest.fixture
def towns(store: UnitOfWorkFactory) -> dict[str, int]:
    """Two Smiths in Boston (one ZIP each), one in Bend, and a Jones in Boston."""
    people = {
        "boston": ("Carl", "Smith", _home("Boston", "MA", "02134")),
        "boston2": ("Ann", "Smith", _home("Boston", "MA", "02115-1234")),
        "bend": ("Ann", "Smith", _home("Bend", "OR", "97701")),
        "jones": ("Bob", "Jones", _home("Boston", "MA", "02134")),
        "stlouis": ("Dee", "Smith", _home("St. Louis", "MO", "63101")),
    }
    ids = {}
    with store(write=True) as uow:
        for nick, (first, last, home) in people.items():
            made = customer(first, last)
            made.addresses = [home]
            ids[nick] = uow.customers.add(made)
        uow.commit()
    return ids


def _ids(store: UnitOfWorkFactory, query: CustomerQuery) -> list[int]:
    with store() as uow:
        return [s.id for s in uow.customers.search(query, 20)]


def _at(key: SearchKey, value: str, name: CustomerQuery | None = None) -> CustomerQuery:
    return CustomerQuery(places=(Located(key, value, name),))


def test_a_zip_code_finds_everyone_living_there_in_name_order(store, towns) -> None:
    assert _ids(store, _at(SearchKey.POSTAL, "02134")) == [towns["jones"], towns["boston"]]
    assert _ids(store, _at(SearchKey.POSTAL, "02115")) == [towns["boston2"]]  # stored as ZIP+4
    assert _ids(store, _at(SearchKey.POSTAL, "0213")) == []  # a ZIP is whole


def test_a_city_and_state_find_everyone_living_there(store, towns) -> None:
    in_boston = [towns["jones"], towns["boston2"], towns["boston"]]  # Jones, then Smith Ann, Smith Carl
    assert _ids(store, _at(SearchKey.PLACE, "boston ma")) == in_boston
    assert _ids(store, _at(SearchKey.PLACE, "st louis mo")) == [towns["stlouis"]]


def test_a_name_with_a_zip_or_a_place_tells_two_smiths_apart(store, towns) -> None:
    smith = CustomerQuery(text="smith")
    assert _ids(store, _at(SearchKey.POSTAL, "02134", smith)) == [towns["boston"]]
    assert _ids(store, _at(SearchKey.PLACE, "boston ma", smith)) == [towns["boston2"], towns["boston"]]
    ann_smith = CustomerQuery(text="ann smith", first="ann", last="smith", either_order=True)
    assert _ids(store, _at(SearchKey.PLACE, "bend or", ann_smith)) == [towns["bend"]]
    assert _ids(store, _at(SearchKey.POSTAL, "97701", CustomerQuery(text="jones"))) == []


def test_the_first_digits_of_a_zip_after_a_name_narrow_it_while_the_zip_is_typed(store, towns) -> None:
    typing = Located(SearchKey.POSTAL, "021", CustomerQuery(text="smith"), whole=False)
    # By ZIP (02115 before 02134), then by name.
    assert _ids(store, CustomerQuery(places=(typing,))) == [towns["boston2"], towns["boston"]]


def test_the_zip_searched_follows_the_default_ship_to_through_every_address_edit(store, towns) -> None:
    """The customer is found where the customer list says they live: the default ship-to, else the
    first address."""
    customer_id = towns["bend"]
    with store(write=True) as uow:
        moved = _home("Boston", "MA", "02134")
        uow.customers.save_address(customer_id, moved)
        uow.commit()
    assert customer_id in _ids(store, _at(SearchKey.POSTAL, "02134"))
    assert customer_id not in _ids(store, _at(SearchKey.POSTAL, "97701"))
    with store(write=True) as uow:
        moved.address = dataclasses.replace(moved.address, zip="02115")
        uow.customers.save_address(customer_id, moved)
        uow.commit()
    assert customer_id in _ids(store, _at(SearchKey.POSTAL, "02115"))
    assert customer_id not in _ids(store, _at(SearchKey.POSTAL, "02134"))
    with store(write=True) as uow:
        assert moved.id is not None
        uow.customers.delete_address(customer_id, moved.id)
        uow.commit()
    # No default ship-to left: the first address saved (Bend) is home again.
    assert customer_id in _ids(store, _at(SearchKey.POSTAL, "97701"))
    assert customer_id in _ids(store, _at(SearchKey.PLACE, "bend or"))
    with store() as uow:
        summary = uow.customers.summaries([customer_id])[customer_id]
    assert (summary.city, summary.state) == ("Bend", "OR")


_FIRST = ("Ann", "Anna", "Bob", "Smith", "Jo", "John", "Mary", "Ma")
_LAST = ("Smith", "Smithers", "Smyth", "Ann", "Annan", "Jones", "Mason", "Ma")


def _crowd(store: UnitOfWorkFactory) -> None:
    """A hundred customers drawn from a few names, companies, emails, phones and places: ties
    everywhere, and many customers met by several parts of one query."""
    rng = random.Random(5)
    with store(write=True) as uow:
        for index in range(100):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            emails = ("", f"{first}@example.com", f"{last}.{first}@example.com", f"smith{index}@x.com")
            add_customer(
                uow,
                first,
                last,
                company=rng.choice(("", "Smith Co", "Ann Corp", "Mason Ltd")),
                email=rng.choice(emails).lower(),
                phone=rng.choice(("", "+15035551234", f"+1503555{index:04d}", f"+1541555{index:04d}")),
                city=rng.choice((None, "Portland", "Bend")),
            )
        uow.commit()


def test_search_ranks_and_pages_as_the_fake_does_over_a_crowd_of_namesakes(store: UnitOfWorkFactory) -> None:
    fake = FakeUnitOfWorkFactory()
    _crowd(store)
    _crowd(fake)
    portland_smiths = Located(SearchKey.PLACE, "portland or", name=CustomerQuery(text="smith"))
    queries = [CustomerQuery(text=text) for text in ("s", "smith", "an", "ma", "ann@example.com", "smith co")]
    queries += [
        CustomerQuery(first="ann", last="smith", either_order=True),
        CustomerQuery(text="ann", number="C000005"),
        CustomerQuery(number="C00001"),
        CustomerQuery(digits="503555", phone_tail="1234"),
        CustomerQuery(places=(Located(SearchKey.POSTAL, "97201"),)),
        CustomerQuery(text="smith", places=(portland_smiths,)),
    ]
    for query in queries:
        with fake() as uow:
            wanted = [s.number for s in uow.customers.search(query, 200)]
        with store() as uow:
            found = uow.customers.search(query, 200)
        assert [s.number for s in found] == wanted, query
        for size in (2, 7):
            assert [i for page in _pages(store, query, size) for i in page] == [s.id for s in found], (
                query,
                size,
            )
