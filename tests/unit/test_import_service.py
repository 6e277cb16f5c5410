"""The import service on the in-memory unit of work: dry run, all-or-nothing run, duplicate files."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from oms_core.clock import StoppedClock
from oms_core.domain.customers import Address, CustomerStatus
from oms_core.domain.errors import PaymentDeclined, PaymentUnavailable, ValidationError
from oms_core.domain.gateway_calls import CallStatus
from oms_core.domain.imports import (
    FIELDS,
    ColumnRef,
    ImportItem,
    ImportProblem,
    ImportRow,
    OrderFile,
    ordered_problems,
    problems_after,
)
from oms_core.domain.payments import CardEntry, PaymentChoice, PaymentMethod
from oms_core.payments.test_gateway import TestGateway
from oms_core.ports import Authorization
from oms_core.services.context import ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.imports import DuplicateImportFile, ImportRejected
from oms_core.services.registry import Services
from oms_core.spreadsheets.reader import read_order_file
from tests.fakes import (
    SKU_CABERNET,
    SKU_CHARDONNAY,
    SKU_CORKSCREW,
    SKU_GIFT_BOX,
    SKU_OLD_MAGNUM,
    FakeImportFileRepository,
    FakeUnitOfWorkFactory,
    FixedClock,
)
from tests.import_files import recipient, write_orders

TODAY = datetime(2026, 11, 26)


class CountingGateway(TestGateway):
    """The test gateway, counting authorisations; optionally failing at the n-th one."""

    __test__ = False

    def __init__(self, fail_at: int | None = None, error: Exception | None = None) -> None:
        super().__init__(StoppedClock(TODAY))
        self.authorized: list[tuple[Decimal, str]] = []
        self.asked = 0
        self.fail_at = fail_at
        self.error = error or RuntimeError("the gateway process died")
        self._lock = threading.Lock()  # cards are asked from several threads at once

    def authorize(self, token: str, amount: Decimal, idempotency_key: str) -> Authorization:
        with self._lock:
            self.asked += 1
            failing = self.asked == self.fail_at
        if failing:
            if isinstance(self.error, PaymentUnavailable):  # an outage is an answer, not an exception
                return Authorization.no_answer(str(self.error))
            raise self.error
        answer = super().authorize(token, amount, idempotency_key)
        with self._lock:
            self.authorized.append((amount, answer.reference))
        return answer


@pytest.fixture
def gateway() -> CountingGateway:
    return CountingGateway()


@pytest.fixture
def services(fake_factory: FakeUnitOfWorkFactory, clock: FixedClock, gateway: CountingGateway) -> Services:
    return Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))


@pytest.fixture
def purchaser(services: Services) -> int:
    created = services.customers.create(
        CustomerInput(
            first_name="Pat",
            last_name="Buyer",
            company="Corp Inc",
            email="pat@corp.example",
            address=Address(
                name="Pat Buyer", address1="1 Corp Way", city="Portland", state="OR", zip="97205"
            ),
        ),
        allow_duplicate=True,
    ).customer
    assert created is not None
    services.customers.add_card(created.id, CardEntry("4111111111111111", 12, 2030, "123"))
    return created.id


def _file(*rows: ImportRow, name: str = "gifts.xlsx", content_hash: str = "ab" * 32) -> OrderFile:
    columns = {}
    letters = "ABCDEFGHIJKLMN"
    for letter, (field, header) in zip(letters, FIELDS, strict=True):
        columns[field] = ColumnRef(letter, header)
    for pair, (sku, qty) in enumerate((("O", "P"), ("Q", "R")), start=1):
        columns[f"sku {pair}"] = ColumnRef(sku, f"SKU {pair}")
        columns[f"qty {pair}"] = ColumnRef(qty, f"Qty {pair}")
    return OrderFile(name, content_hash, "Orders", 1, columns, rows)


def _row(
    row: int,
    first: str = "Ann",
    items: tuple[tuple[str, int | None], ...] = ((SKU_CABERNET, 1),),
    **kw: object,
) -> ImportRow:
    values: dict[str, object] = {
        "first_name": first,
        "last_name": "Smith",
        "address1": f"{row} Oak St",
        "city": "Los Angeles",
        "state": "CA",
        "zip": "90001",
        "country": "US",
    }
    values.update(kw)
    built = tuple(
        ImportItem(sku, qty, pair, "OQ"[pair - 1], "PR"[pair - 1])
        for pair, (sku, qty) in enumerate(items, start=1)
    )
    return ImportRow(row=row, items=built, **values)  # type: ignore[arg-type]


def _card(services: Services, purchaser: int) -> PaymentChoice:
    return services.imports.choose_payment(purchaser, "card_on_file")


def test_a_dry_run_counts_orders_units_and_prices_with_shipping_and_tax(
    services: Services, purchaser: int
) -> None:
    parsed = _file(
        _row(2, items=((SKU_CABERNET, 1),)),
        _row(
            3,
            "Bob",
            items=((SKU_CHARDONNAY, 2),),
            state="NY",
            zip="10004",
            city="New York",
            ship_method="2day",
        ),
    )
    preview = services.imports.dry_run(parsed, purchaser, _card(services, purchaser), one_payment=True)
    assert preview.ok and preview.problems == ()
    assert (preview.orders, preview.ready) == (2, 2)
    assert preview.units == ((SKU_CABERNET, 1), (SKU_CHARDONNAY, 2))
    # CA: 35.00 + ground 9.95, tax 7.25% of 35.00; NY: 45.00 + 2-day 16.00, tax 8.875% of 61.00
    assert (preview.subtotal, preview.shipping, preview.tax, preview.total) == (
        Decimal("80.00"),
        Decimal("25.95"),
        Decimal("7.95"),
        Decimal("113.90"),
    )
    assert preview.payment_label == "Visa ending 1111"
    assert preview.purchaser.number and preview.earlier_imports == ()


def test_a_dry_run_writes_nothing(
    services: Services, purchaser: int, fake_factory: FakeUnitOfWorkFactory
) -> None:
    commits = fake_factory.commits
    services.imports.dry_run(_file(_row(2)), purchaser, _card(services, purchaser))
    assert fake_factory.commits == commits
    assert not [o for o in fake_factory.store.orders.values() if not o.is_draft]


def test_a_dry_run_lists_every_problem_with_row_column_and_reason(services: Services, purchaser: int) -> None:
    parsed = _file(
        _row(2, first=""),
        _row(3, items=(("NOPE-1", 1),)),
        _row(4, items=((SKU_OLD_MAGNUM, 1),)),
        _row(5, zip="9000"),
        _row(6, state="XX"),
        _row(7, ship_method="PIGEON"),
        _row(8, ship_date=date(2026, 11, 1)),
        _row(9, "Dup", address1="1 Same St"),
        _row(10, "Dup", address1="1 same st"),
        _row(11, items=()),
        _row(12, gift_message="x" * 501),
        _row(13, email="not an email"),
    )
    preview = services.imports.dry_run(parsed, purchaser, _card(services, purchaser))
    assert not preview.ok
    assert [str(p) for p in preview.problems] == [
        "row 2, column A (Recipient First Name): the recipient's first name is missing",
        "row 3, column O (SKU 1): unknown SKU 'NOPE-1'",
        "row 4, column O (SKU 1): OLD-MAGNUM is no longer sold",
        "row 5, column H (ZIP): ZIP '9000' is not a US ZIP (12345 or 12345-6789)",
        "row 6, column G (State): 'XX' is not a US state code (e.g. CA)",
        "row 7, column L (Ship Method): unknown ship method 'PIGEON' "
        "(use one of 2DAY, FREIGHT, GROUND, WILLCALL)",
        "row 8, column M (Ship Date): the ship date 2026-11-01 is in the past",
        "row 10, column A (Recipient First Name): the same recipient as row 9; "
        "put all their items on one row (SKU 2, Qty 2...)",
        "row 11, column O (SKU 1): no items: fill in SKU 1 and Qty 1",
        "row 12, column N (Gift Message): the gift message has 501 characters; the limit is 500",
        "row 13, column K (Email): 'not an email' is not an email address",
    ]
    assert preview.ready == 1  # row 9 only


def test_stock_short_for_the_file_as_a_whole_is_one_problem(services: Services, purchaser: int) -> None:
    rows = [_row(n, f"R{n}", items=((SKU_GIFT_BOX, 2),)) for n in range(2, 5)]  # 6 wanted, 5 in stock
    preview = services.imports.dry_run(_file(*rows), purchaser, _card(services, purchaser))
    assert [str(p) for p in preview.problems] == [
        "file: GIFT-BOX: the file orders 6 units and only 5 are in stock"
    ]


def test_the_reader_problems_are_part_of_the_dry_run(
    services: Services, purchaser: int, tmp_path: Path
) -> None:
    path = write_orders(tmp_path / "gifts.xlsx", [recipient(items=((SKU_CABERNET, "lots"),))])
    preview = services.imports.dry_run(read_order_file(path), purchaser, _card(services, purchaser))
    assert [str(p) for p in preview.problems] == [
        "row 2, column P (Qty 1): 'lots' is not a quantity (SKU 'WINE-CAB-2019')"
    ]


def test_a_dry_runs_problems_are_read_a_page_at_a_time_by_keyset(services: Services, purchaser: int) -> None:
    # 400 rows with two problems each (a bad ZIP and an unknown SKU), and one for the whole file.
    rows = [_row(n, f"R{n}", items=(("NOPE", 1),), zip="9000", state="XX") for n in range(2, 402)]
    preview = services.imports.dry_run(_file(*rows), purchaser, None)
    assert len(preview.problems) == 1 + 400 * 3
    pages, after = [], None
    while page := problems_after(preview.problems, after, 100):
        assert len(page) <= 100
        pages.append(page)
        after = page[-1].position()
    assert len(pages) == 13
    assert [p for page in pages for p in page] == list(preview.problems)
    assert str(pages[0][0]) == "file: choose how the purchaser pays"
    assert [str(p) for p in pages[0][1:4]] == [
        "row 2, column G (State): 'XX' is not a US state code (e.g. CA)",
        "row 2, column H (ZIP): ZIP '9000' is not a US ZIP (12345 or 12345-6789)",
        "row 2, column O (SKU 1): unknown SKU 'NOPE'",
    ]
    assert str(pages[-1][-1]) == "row 401, column O (SKU 1): unknown SKU 'NOPE'"


def test_problems_sharing_a_cell_each_keep_a_place_of_their_own() -> None:
    # Two reasons for one cell, given in reverse order, and the same problem twice: the keyset must
    # not skip the second reason at a page boundary nor show the repeat twice.
    second = ImportProblem(5, "H", "ZIP", "b: second reason")
    first = ImportProblem(5, "H", "ZIP", "a: first reason")
    whole = ImportProblem(None, "", "", "the purchaser is on hold")
    ordered = ordered_problems([second, first, whole, second])
    assert ordered == (whole, first, second)
    page = problems_after(ordered, None, 2)
    assert page == [whole, first]
    assert problems_after(ordered, page[-1].position(), 2) == [second]
    assert problems_after(ordered, second.position(), 2) == []


def test_an_import_places_one_order_per_row_for_the_purchaser(services: Services, purchaser: int) -> None:
    parsed = _file(
        _row(
            2, gift_message="Happy holidays!\nFrom Corp", ship_date=date(2026, 12, 15), email="ann@x.example"
        ),
        _row(3, "Bob", items=((SKU_CHARDONNAY, 2), (SKU_CORKSCREW, 1))),
    )
    result = services.imports.run(parsed, purchaser, _card(services, purchaser))
    assert result.orders == 2 and len(result.numbers) == 2
    first = services.orders.get_by_number(result.numbers[0])
    assert first.source == "import"
    assert first.customer is not None and first.customer.id == purchaser
    assert first.bill_to is not None and first.bill_to.address1 == "1 Corp Way"
    assert first.ship_to == Address(
        name="Ann Smith", address1="2 Oak St", city="Los Angeles", state="CA", zip="90001"
    )
    assert first.gift_message == "Happy holidays!\nFrom Corp"
    assert "Imported from gifts.xlsx, row 2" in first.notes and "Ship on 2026-12-15" in first.notes
    assert "Recipient email: ann@x.example" in first.notes
    second = services.orders.get_by_number(result.numbers[1])
    assert [(line.sku, line.quantity) for line in second.lines] == [(SKU_CHARDONNAY, 2), (SKU_CORKSCREW, 1)]
    assert result.total == first.total + second.total


def test_one_payment_for_the_whole_file_is_one_authorisation(
    services: Services, purchaser: int, gateway: CountingGateway
) -> None:
    parsed = _file(_row(2), _row(3, "Bob"), _row(4, "Cy"))
    result = services.imports.run(parsed, purchaser, _card(services, purchaser), one_payment=True)
    assert len(gateway.authorized) == 1
    [(amount, reference)] = gateway.authorized
    assert amount == result.total
    payments = [services.orders.get_by_number(n).payments for n in result.numbers]
    assert {p[0].reference for p in payments} == {reference}
    assert sum(p[0].amount for p in payments) == result.total


def test_one_payment_per_order_authorises_each_order(
    services: Services, purchaser: int, gateway: CountingGateway
) -> None:
    parsed = _file(_row(2), _row(3, "Bob"), _row(4, "Cy"))
    result = services.imports.run(parsed, purchaser, _card(services, purchaser), one_payment=False)
    assert len(gateway.authorized) == 3
    references = {services.orders.get_by_number(n).payments[0].reference for n in result.numbers}
    assert len(references) == 3


def test_an_import_with_problems_writes_nothing(
    services: Services, purchaser: int, fake_factory: FakeUnitOfWorkFactory
) -> None:
    parsed = _file(_row(2), _row(3, items=(("NOPE", 1),)))
    with pytest.raises(ImportRejected) as caught:
        services.imports.run(parsed, purchaser, _card(services, purchaser))
    assert str(caught.value) == "nothing was imported: row 3, column O (SKU 1): unknown SKU 'NOPE'"
    assert [str(p) for p in caught.value.problems] == ["row 3, column O (SKU 1): unknown SKU 'NOPE'"]
    assert not [o for o in fake_factory.store.orders.values() if not o.is_draft]
    assert fake_factory.store.import_files == []


def test_a_failure_mid_import_leaves_no_order_and_voids_the_authorisations(
    services: Services, purchaser: int, fake_factory: FakeUnitOfWorkFactory, gateway: CountingGateway
) -> None:
    gateway.fail_at = 500
    parsed = _file(*[_row(n, f"R{n}", items=((SKU_CORKSCREW, 1),)) for n in range(2, 702)])
    progress: list[tuple[str, int, int]] = []
    with pytest.raises(RuntimeError):
        services.imports.run(
            parsed,
            purchaser,
            _card(services, purchaser),
            one_payment=False,
            progress=lambda *a: progress.append(a),
        )
    assert not [o for o in fake_factory.store.orders.values() if not o.is_draft]
    assert fake_factory.store.import_files == []
    # Once a request failed no more were sent: only those already in flight (at most 8) came back.
    assert 499 <= len(gateway.authorized) <= 499 + 7
    assert gateway.asked == len(gateway.authorized) + 1
    assert sorted(gateway.voided) == sorted(reference for _, reference in gateway.authorized)
    assert ("placing", 0, 700) in progress and ("placing", 700, 700) not in progress
    _nothing_held(fake_factory)


def test_a_gateway_outage_mid_import_is_reported_on_its_row(
    services: Services, purchaser: int, fake_factory: FakeUnitOfWorkFactory, gateway: CountingGateway
) -> None:
    gateway.fail_at = 3
    gateway.error = PaymentUnavailable("the payment gateway did not answer; nothing was charged")
    parsed = _file(*[_row(n, f"R{n}") for n in range(2, 6)])
    with pytest.raises(ImportRejected) as caught:
        services.imports.run(parsed, purchaser, _card(services, purchaser), one_payment=False)
    assert [str(p) for p in caught.value.problems] == [
        "row 4: the payment gateway did not answer; nothing was charged"
    ]
    assert not [o for o in fake_factory.store.orders.values() if not o.is_draft]
    assert sorted(gateway.voided) == sorted(reference for _, reference in gateway.authorized)
    _nothing_held(fake_factory)


def test_a_declined_card_for_the_whole_file_writes_nothing(
    services: Services, purchaser: int, fake_factory: FakeUnitOfWorkFactory
) -> None:
    declined = services.imports.choose_payment(
        purchaser, "card", card=CardEntry("4000000000000002", 12, 2030)
    )
    with pytest.raises(PaymentDeclined, match="Visa ending 0002 declined: Card declined"):
        services.imports.run(_file(_row(2), _row(3, "Bob")), purchaser, declined, one_payment=True)
    assert not [o for o in fake_factory.store.orders.values() if not o.is_draft]


def test_a_fault_in_the_unit_of_work_after_placing_leaves_no_order(
    services: Services, purchaser: int, fake_factory: FakeUnitOfWorkFactory, gateway: CountingGateway
) -> None:
    def broken(self: FakeImportFileRepository, record: object) -> None:
        raise OSError("disk full")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FakeImportFileRepository, "add", broken)
        with pytest.raises(OSError, match="disk full"):
            services.imports.run(_file(_row(2), _row(3, "Bob")), purchaser, _card(services, purchaser))
    assert not [o for o in fake_factory.store.orders.values() if not o.is_draft]
    assert gateway.voided == [gateway.authorized[0][1]]


def test_the_same_file_twice_needs_a_confirmation(services: Services, purchaser: int) -> None:
    parsed = _file(_row(2), _row(3, "Bob"))
    card = _card(services, purchaser)
    first = services.imports.run(parsed, purchaser, card)
    preview = services.imports.dry_run(parsed, purchaser, card)
    assert [(r.filename, r.order_count, r.operator) for r in preview.earlier_imports] == [
        ("gifts.xlsx", 2, "alice")
    ]
    with pytest.raises(
        DuplicateImportFile, match=r"gifts.xlsx was already imported on 2026-11-26 15:00 by alice"
    ):
        services.imports.run(parsed, purchaser, card)
    renamed = replace(parsed, filename="copy of gifts.xlsx")
    with pytest.raises(DuplicateImportFile):
        services.imports.run(renamed, purchaser, card)
    again = services.imports.run(parsed, purchaser, card, allow_duplicate_file=True)
    assert set(again.numbers).isdisjoint(first.numbers) and again.orders == 2
    assert len(services.imports.earlier_imports(parsed.content_hash)) == 2


def test_a_different_file_is_not_a_duplicate(services: Services, purchaser: int) -> None:
    card = _card(services, purchaser)
    services.imports.run(_file(_row(2)), purchaser, card)
    other = services.imports.run(_file(_row(2), content_hash="cd" * 32), purchaser, card)
    assert other.orders == 1


def test_payment_choices_follow_the_purchasers_type_and_cards(services: Services, purchaser: int) -> None:
    imports = services.imports
    assert imports.choose_payment(purchaser, "card-on-file", last4="1111").card is not None
    with pytest.raises(ValidationError, match="no card on file ending 9999"):
        imports.choose_payment(purchaser, "card_on_file", last4="9999")
    with pytest.raises(ValidationError, match="Retail customers cannot pay by on account"):
        imports.choose_payment(purchaser, "on-account")
    with pytest.raises(ValidationError, match="enter the check number"):
        imports.choose_payment(purchaser, "check")
    assert imports.choose_payment(purchaser, "check", check_number=" 1042 ").label() == "Check #1042"
    new = imports.choose_payment(purchaser, "card", card=CardEntry("5555555555554444", 1, 2031, "999"))
    assert new.method is PaymentMethod.CARD and new.card is not None
    assert new.card.last4 == "4444" and "5555555555554444" not in repr(new)
    with pytest.raises(ValidationError, match="unknown payment method 'bitcoin'"):
        imports.choose_payment(purchaser, "bitcoin")


def test_a_purchaser_on_hold_cannot_import(
    services: Services, purchaser: int, fake_factory: FakeUnitOfWorkFactory
) -> None:
    fake_factory.store.customers[purchaser].status = CustomerStatus.ON_HOLD
    preview = services.imports.dry_run(_file(_row(2)), purchaser, _card(services, purchaser))
    assert [str(p) for p in preview.problems][0].startswith("file: the purchaser C")
    assert "is on hold" in str(preview.problems[0])


def test_an_empty_file_cannot_be_imported(services: Services, purchaser: int) -> None:
    with pytest.raises(ImportRejected, match="the file has no orders"):
        services.imports.run(_file(), purchaser, _card(services, purchaser))


def _nothing_held(factory: FakeUnitOfWorkFactory) -> None:
    """No gateway call left pending and none holding stock (one that got no answer stays *unknown*,
    its stock given back, for reconciliation to repeat with its key).
    """
    calls = list(factory.store.gateway_calls.values())
    assert calls
    assert [c for c in calls if c.status is CallStatus.PENDING or c.holds] == []
