"""A transaction the database gave up for concurrent work is run again from the start, a few times."""

from __future__ import annotations

import pytest

from oms_core.domain.errors import DatabaseBusy, TransactionConflict
from oms_core.payments.test_gateway import TestGateway
from oms_core.services import retry
from oms_core.services.context import ServiceContext
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, FakeUnitOfWork, FakeUnitOfWorkFactory, FixedClock
from tests.unit.batch_helpers import add_customer
from tests.unit.test_services_checkout import _customer, _draft, _stock

DEADLOCK = "the database was busy with other work (deadlock detected); nothing was saved"


class ConflictingFactory(FakeUnitOfWorkFactory):
    """Write units of work whose commit fails as a deadlocked transaction would, ``conflicts`` times."""

    conflicts = 0
    after = 0  # write units of work let through before the conflicts start

    def __call__(self, write: bool = False) -> FakeUnitOfWork:
        uow = super().__call__(write)
        if write and self.after:
            self.after -= 1
        elif write and self.conflicts:
            self.conflicts -= 1

            def deadlocked() -> None:
                raise TransactionConflict(DEADLOCK)

            uow.commit = deadlocked  # type: ignore[method-assign]
        return uow


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "BASE_DELAY_SECONDS", 0.0)


@pytest.fixture
def factory(fake_factory: FakeUnitOfWorkFactory) -> ConflictingFactory:
    return ConflictingFactory(fake_factory.store)


@pytest.fixture
def gateway(clock: FixedClock) -> TestGateway:
    return TestGateway(clock)


@pytest.fixture
def services(factory: ConflictingFactory, gateway: TestGateway, clock: FixedClock) -> Services:
    return Services.build(ServiceContext(factory, gateway, clock, "alice"))


def test_a_cart_edit_the_database_gave_up_is_made_again_and_saved_once(services, factory) -> None:
    draft = _draft(services, _customer(services).id, (SKU_CABERNET, 1))
    factory.conflicts = 2
    edited = services.cart.add_lines(draft.id, [(SKU_CHARDONNAY, 2)], draft.version)
    assert [(line.sku, line.quantity) for line in edited.lines] == [(SKU_CABERNET, 1), (SKU_CHARDONNAY, 2)]
    assert edited.version == draft.version + 1  # saved once, not once per attempt


@pytest.mark.parametrize("step", [1, 3], ids=["taking stock", "numbering the order"])
def test_checkout_retried_after_a_deadlock_places_one_order_and_takes_stock_once(
    services, factory, gateway, step
) -> None:
    draft = _draft(services, _customer(services).id, (SKU_CABERNET, 2))
    before = _stock(factory, SKU_CABERNET)
    # Checkout writes twice: step 1 takes the stock, step 3 numbers the order (step 2 is the gateway).
    factory.after, factory.conflicts = (0 if step == 1 else 1), 1
    order = services.checkout.place(draft.id)
    assert order.number is not None
    assert len(services.orders.list()) == 1
    assert _stock(factory, SKU_CABERNET) == before - 2
    assert gateway.voided == []  # the one authorisation is the order's


def test_conflicts_that_never_end_are_reported_in_words_and_nothing_is_saved(services, factory) -> None:
    draft = _draft(services, _customer(services).id, (SKU_CABERNET, 1))
    factory.conflicts = retry.MAX_ATTEMPTS
    with pytest.raises(DatabaseBusy, match="stayed busy with other work") as busy:
        services.cart.set_notes(draft.id, "call before delivery")
    assert isinstance(busy.value.__cause__, TransactionConflict)
    assert services.cart.get(draft.id).notes == ""


def test_a_batch_chunk_the_database_gave_up_is_placed_again_once(services, factory) -> None:
    members = [add_customer(services, name) for name in ("Ann", "Bob", "Cy")]
    batch = services.bulk.create("Gifts", [(SKU_CABERNET, 1)], "GROUND", members)
    factory.conflicts = 2  # the run's first transaction, then the first chunk
    report = services.bulk.run(batch.id, chunk_size=2)
    assert (report.placed, report.failed) == (3, 0)
    assert len([o for o in services.orders.list() if o.source == "bulk"]) == 3


def test_chunks_are_sized_by_time_whatever_the_machine() -> None:
    from oms_core.services.batch_jobs import CHUNK_SECONDS, MAX_CHUNK, MIN_CHUNK, ChunkSizer

    sizer = ChunkSizer()
    sizer.took(sizer.size, 0.001)  # a fast machine: grow, but at most twice the last chunk
    assert sizer.size == 2 * 50
    for _ in range(10):
        sizer.took(sizer.size, 0.001)
    assert sizer.size == MAX_CHUNK
    sizer.took(MAX_CHUNK, 2.0)  # a busy machine: 1,000 members/s -> 0.1 s is 100 members
    assert sizer.size == int(1000 * CHUNK_SECONDS)
    for _ in range(5):  # an overloaded machine: a chunk's fixed cost alone takes longer than the target
        sizer.took(sizer.size, 1.0)
    assert sizer.size == MIN_CHUNK  # not a member or two, each paying the whole fixed cost
    fixed = ChunkSizer(4)
    fixed.took(4, 10.0)
    assert fixed.size == 4


def test_a_payment_step_the_database_gave_up_is_recorded_again_without_asking_the_gateway_twice():
    from oms_core.domain.errors import TransactionConflict
    from oms_core.services.retry import write_retrying

    class Context:
        def __init__(self) -> None:
            self.opened = 0

        def write(self):
            self.opened += 1
            return _Uow(fail=self.opened == 1)

    class _Uow:
        def __init__(self, fail: bool) -> None:
            self.fail = fail

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def commit(self) -> None:
            if self.fail:
                raise TransactionConflict("deadlock detected")

    asked = []
    context = Context()
    asked.append("gateway")  # the gateway request happens once, outside the retried step
    assert write_retrying(context, lambda uow: uow.commit() or "recorded") == "recorded"
    assert (context.opened, asked) == (2, ["gateway"])
