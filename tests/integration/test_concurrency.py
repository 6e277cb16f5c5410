"""Several operator processes placing orders at once for the same products, on both backends."""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from oms_core.bootstrap import Config, build, upgrade_database
from oms_core.domain.customers import Address
from oms_core.domain.payments import CardEntry
from oms_core.services.customers import CustomerInput
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_CORKSCREW, SKU_GIFT_BOX, seed_reference
from tests.integration.concurrency_worker import place_in_any_line_order, place_orders

PROCESSES = 4
ROUNDS = 12
OFFICE = 8
"""Operator processes in the line-order test: the office the deadlocks were reported with."""
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _postgres_database() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    name = f"oms_conc_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        yield from _postgres_database()


def _prepare(url: str, restock: int = 0) -> list[int]:
    upgrade_database(url)
    application = build(Config(url, operator="root"))
    with application.uow_factory(write=True) as uow:
        ids = seed_reference(uow)  # the gift box has 5 in stock and may not be backordered
        for sku in (SKU_CABERNET, SKU_CHARDONNAY) if restock else ():
            uow.products.restock(ids[sku], restock)
        uow.commit()
    ids = []
    for index in range(8):
        created = application.services.customers.create(
            CustomerInput(
                first_name=f"Buyer{index}",
                last_name="Concurrent",
                address=Address(address1=f"{index} Main St", city="Portland", state="OR", zip="97205"),
            ),
            allow_duplicate=True,
        ).customer
        application.services.customers.add_card(created.id, CardEntry("4111111111111111", 12, 2030))
        ids.append(created.id)
    application.close()
    return ids


@pytest.mark.slow
def test_operators_placing_at_once_get_unique_numbers_and_never_oversell(shared_url: str) -> None:
    customer_ids = _prepare(shared_url)
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    start = manager.Event()
    with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        futures = [
            pool.submit(
                place_orders, shared_url, f"op{i}", customer_ids, [SKU_CABERNET, SKU_GIFT_BOX], ROUNDS, start
            )
            for i in range(PROCESSES)
        ]
        start.set()
        outcomes = [future.result(timeout=300) for future in futures]
    manager.shutdown()

    errors = [error for outcome in outcomes for error in outcome["errors"]]
    assert errors == [], errors  # in particular no "database is locked"
    numbers = [n for outcome in outcomes for n in outcome["placed"]]
    refused = [r for outcome in outcomes for r in outcome["refused"]]
    assert len(numbers) == len(set(numbers)), "an order number was handed out twice"
    first = min(numbers)
    assert sorted(numbers) == list(range(first, first + len(numbers))), "numbers are not gap-free"
    assert len(numbers) + len(refused) == PROCESSES * ROUNDS, "an order was lost"
    assert len(numbers) == PROCESSES * ROUNDS - len(refused)
    assert all(SKU_GIFT_BOX in reason for reason in refused)
    assert len(refused) == PROCESSES * ROUNDS // 2 - 5, "exactly the five gift boxes were sold"

    application = build(Config(shared_url, operator="root"))
    with application.uow_factory() as uow:
        assert uow.products.get_by_sku(SKU_GIFT_BOX).stock_on_hand == 0
        assert uow.products.get_by_sku(SKU_CABERNET).stock_on_hand == 100 - len(numbers)
    stored = application.services.orders.list(limit=200)
    assert sorted(o.number for o in stored) == sorted(numbers)
    application.close()


@pytest.mark.slow
def test_operators_listing_the_same_products_in_any_order_never_deadlock(shared_url: str) -> None:
    """Eight operators place three-line orders of the same three products, the lines shuffled.

    Checkout used to lock products in cart-line order, so two such carts deadlocked on PostgreSQL
    and most checkouts were lost to ``DeadlockDetected``.
    """
    rounds = 6
    customer_ids = _prepare(shared_url, restock=1000)
    skus = [SKU_CABERNET, SKU_CHARDONNAY, SKU_CORKSCREW]
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    start = manager.Event()
    with ProcessPoolExecutor(OFFICE, mp_context=context) as pool:
        futures = [
            pool.submit(place_in_any_line_order, shared_url, f"op{i}", customer_ids, skus, rounds, start, i)
            for i in range(OFFICE)
        ]
        start.set()
        outcomes = [future.result(timeout=300) for future in futures]
    manager.shutdown()

    errors = [error for outcome in outcomes for error in outcome["errors"]]
    assert errors == [], errors
    numbers = [n for outcome in outcomes for n in outcome["placed"]]
    assert len(set(numbers)) == OFFICE * rounds
