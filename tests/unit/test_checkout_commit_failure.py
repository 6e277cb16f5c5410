"""A commit that fails after the card was authorised: the money is released and a retry is fresh."""

from __future__ import annotations

import pytest

from oms_core.payments.test_gateway import TestGateway
from oms_core.services.context import ServiceContext
from oms_core.services.registry import Services
from tests.fakes import SKU_CABERNET, FakeUnitOfWork, FakeUnitOfWorkFactory, FixedClock
from tests.unit.test_services_checkout import _customer, _draft, _stock


class FailingOnceFactory(FakeUnitOfWorkFactory):
    """Hands out units of work; the commit of the ``fail_write``-th write from now raises once, as
    a dropped database would.
    """

    fail_write = 0

    def __call__(self, write: bool = False) -> FakeUnitOfWork:
        uow = super().__call__(write)
        if self.fail_write and write:
            self.fail_write -= 1
        if write and self.fail_write == 0 and getattr(self, "_armed", False):
            self._armed = False

            def broken_commit() -> None:
                raise ConnectionError("server closed the connection")

            uow.commit = broken_commit  # type: ignore[method-assign]
        return uow


def test_a_failed_commit_voids_the_authorisation_and_a_retry_authorises_again(
    fake_factory: FakeUnitOfWorkFactory, clock: FixedClock
) -> None:
    factory = FailingOnceFactory(fake_factory.store)
    gateway = TestGateway(clock)
    services = Services.build(ServiceContext(factory, gateway, clock, "alice"))
    ann = _customer(services)
    draft = _draft(services, ann.id, (SKU_CABERNET, 1))

    factory.fail_write, factory._armed = 2, True  # step 3: the commit after the card was approved
    with pytest.raises(ConnectionError):
        services.checkout.place(draft.id)
    assert len(gateway.voided) == 1
    assert services.cart.get(draft.id).lines  # still a draft, nothing lost
    assert _stock(fake_factory, SKU_CABERNET) == 100  # the stock taken in step 1 is back

    order = services.checkout.place(draft.id)
    assert order.payments[0].reference not in gateway.voided


def test_short_stock_is_listed_among_the_problems_before_placing(
    fake_factory: FakeUnitOfWorkFactory, clock: FixedClock
) -> None:
    gateway = TestGateway(clock)
    services = Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))
    draft = _draft(services, _customer(services).id, ("GIFT-BOX", 6))
    assert ("lines", "GIFT-BOX: only 5 on hand, 6 ordered") in services.checkout.problems(draft.id)


def test_leaving_an_empty_cart_discards_it_but_keeps_one_with_lines(
    fake_factory: FakeUnitOfWorkFactory, clock: FixedClock
) -> None:
    gateway = TestGateway(clock)
    services = Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))
    ann = _customer(services)
    empty = services.cart.start(ann.id)
    kept = _draft(services, ann.id, (SKU_CABERNET, 1))
    assert services.cart.discard_if_empty(empty.id) is True
    assert services.cart.discard_if_empty(kept.id) is False
    assert [d.id for d in services.cart.my_drafts()] == [kept.id]
