"""Customers and services for the bulk-order, club and pad tests (fakes or a real database)."""

from __future__ import annotations

from collections.abc import Sequence

from oms_core.domain.customers import Address
from oms_core.domain.payments import CardEntry
from oms_core.services.batch_placing import BatchOrderRequest, BatchOrderResult
from oms_core.services.batch_steps import ask_gateway, take_stock_and_record, write_approved
from oms_core.services.context import ServiceContext
from oms_core.services.customers import CustomerInput
from oms_core.services.registry import Services
from tests.fakes import opener

HOME = Address(name="Member", address1="1 Main St", city="Portland", state="OR", zip="97205")
GOOD_CARD = "4111111111111111"
DECLINED_CARD = "4000000000000002"


def add_customer(
    services: Services,
    name: str,
    *,
    card: str | None = GOOD_CARD,
    address: Address | None = HOME,
    status: str = "active",
    type_code: str = "RETAIL",
    email: str = "",
    pickup: bool = False,
) -> int:
    """Create a customer (duplicates allowed) with an optional card on file; return the id.

    A customer on other terms than a plain new one's is opened as an admin (:func:`tests.fakes.opener`).
    """
    data = CustomerInput(
        first_name=name,
        last_name="Member",
        email=email,
        address=address,
        status=status,
        type_code=type_code,
        preferred_pickup=pickup,
    )
    detail = opener(services, data).customers.create(data, allow_duplicate=True).customer
    assert detail is not None
    if card:
        services.customers.add_card(detail.id, CardEntry(card, 12, 2030, "123"))
    return detail.id


def replace_card(services: Services, customer_id: int, number: str = GOOD_CARD) -> None:
    """The member gave a new card: it replaces the ones on file."""
    old = services.customers.get(customer_id).cards
    services.customers.add_card(customer_id, CardEntry(number, 12, 2031, "123"))
    for card in old:
        services.customers.delete_card(customer_id, card.id)


def place_in_steps(ctx: ServiceContext, requests: Sequence[BatchOrderRequest]) -> list[BatchOrderResult]:
    """Place the requests in the batch's three steps (stock and pending calls; the gateway; the
    approved orders written) as a bulk or club chunk does; the results in request order.
    """
    with ctx.write() as uow:
        pending = take_stock_and_record(uow, ctx, requests)
        uow.commit()
    ask_gateway(ctx, pending)
    with ctx.write() as uow:
        results = write_approved(uow, ctx, pending)
        uow.commit()
    by_key = {r.key: r for r in results}
    return [by_key[r.key] for r in requests if r.key in by_key]
